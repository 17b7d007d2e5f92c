"""ACLED, GeoJSON, KML, TimelineJS and TimeMap readers against synthetic files and the
real third-party fixtures (vendored in tests/fixtures/third_party where their licence
allows; the others skip when ../shared/fixtures is absent), and the CLI's run_import."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.ingest.command import run_import
from desktop_app.ingest.geojson import read_geojson
from desktop_app.ingest.pipeline import import_file, read_records
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.store.event_store import EventStore

#: Third-party files whose licence allows it are vendored here; the rest are read from the
#: shared folder beside the repository when it is present.
VENDORED = Path(__file__).resolve().parent / "fixtures" / "third_party"
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "istanbul-talks-2025.geojson"


def fixture(relative: str) -> Path:
    path = VENDORED / relative
    if not path.exists():
        path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"{relative}: third-party fixtures not present")
    return path


def _split(records):
    events = [r for r in records if not isinstance(r, BadRecord)]
    return events, [r for r in records if isinstance(r, BadRecord)]


def test_acled_precision_actors_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,"
        "assoc_actor_1,actor2,location,latitude,longitude,geo_precision,source,notes,"
        "fatalities,country\n"
        "UKR1,2024-02-16,1,Battles,Armed clash,A,B; C,D,Pisky,48.06,37.66,1,X; Y,n1,2,Ukraine\n"
        "UKR2,2024-02-16,2,Explosions/Remote violence,Air/drone strike,A,,,Sumy,50.9,34.8,3,"
        "Z,n2,0,Ukraine\n"
        "UKR3,2024-02-16,3,Protests,Peaceful protest,P,,,Kyiv,50.45,30.52,1,Z,n3,0,Ukraine\n"
        "UKR4,2024-02-16,7,Protests,Peaceful protest,P,,,Kyiv,50.45,30.52,1,Z,n4,0,Ukraine\n",
        encoding="utf-8",
    )
    events, bad = _split(list(read_records(path)))
    one, two, three = events
    assert (one.uid, one.start, one.precision, one.category) == (
        "acled:UKR1",
        "2024-02-16",
        "day",
        "military",
    )
    assert one.actors == ("A", "B", "C", "D") and one.sources == ("X", "Y")
    assert one.title == "Armed clash in Pisky (2 killed)" and one.place.country == "UA"
    assert (two.start, two.end, two.precision) == ("2024-02-13", "2024-02-19", "approximate")
    assert two.place.kind == "region" and two.category == "strike"
    assert (three.start, three.precision) == ("2024-02", "month")
    assert len(bad) == 1 and bad[0].where == "line 5" and "time_precision" in bad[0].reason


def test_acled_fixture_dayfirst_and_idempotent(tmp_path: Path) -> None:
    path = fixture("acled/acled-ukraine-sample.csv")
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(path, store)
        assert (report.added, report.skipped) == (1000, 0)
        again = import_file(path, store)
        assert (again.added, again.replaced) == (0, 1000)
        event = next(e for e in store.all_events() if e.uid == "acled:UKR148723")
        assert event.start == "2024-02-16" and event.place.name == "Krasnopillia"
        assert event.sources == ("Suspilne Media",)
        assert store.search("Kpasnopilska")[0].uid == "acled:UKR148723"


def test_geojson_seed_round_trips_through_the_pipeline(tmp_path: Path) -> None:
    expected = read_geojson(SEED).events
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(SEED, store)
        assert report.added == len(expected)
        stored = {e.uid: e for e in store.all_events()}
    for event in expected:
        got = stored[event.uid]
        assert (got.title, got.start, got.end, got.precision, got.place, got.excerpt) == (
            event.title, event.start, event.end, event.precision, event.place, event.excerpt,
        )  # fmt: skip
        assert got.sources == event.sources and got.actors == event.actors


def test_geojson_fixture_lone_feature_with_times() -> None:
    events, bad = _split(list(read_records(fixture("geojson/track_bus699.geojson"))))
    assert len(events) == 39 and not bad
    assert events[0].start == "2019-11-23 10:51:06"


def test_kml_times_inheritance_tracks_and_extended_data(tmp_path: Path) -> None:
    path = tmp_path / "t.kml"
    path.write_text(
        """<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>
        <Folder><TimeSpan><begin>2004-10</begin><end>2004-11</end></TimeSpan>
          <Placemark><name>inherits</name><Point><coordinates>30.5,50.4</coordinates></Point>
          </Placemark></Folder>
        <Placemark><name>year</name><TimeStamp><when>2011</when></TimeStamp>
          <ExtendedData><Data name="k"><value>v</value></Data></ExtendedData>
          <Point><coordinates>1,2,0</coordinates></Point></Placemark>
        <Placemark><name>timeless</name><Point><coordinates>1,2</coordinates></Point></Placemark>
        </Document></kml>""",
        encoding="utf-8",
    )
    events, bad = _split(list(read_records(path)))
    assert [(e.title, e.start, e.end, e.precision) for e in events] == [
        ("inherits", "2004-10", "2004-11", "month"),
        ("year", "2011", None, "year"),
    ]
    assert events[0].place.lat == 50.4 and events[1].attributes == (("k", "v"),)
    assert bad[0].where == "placemark 3 (timeless)"


def test_kml_refuses_entity_bombs(tmp_path: Path) -> None:
    path = tmp_path / "bomb.kml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<kml><Placemark><name>&b;</name></Placemark></kml>",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="unsafe XML"):
        list(read_records(path))


@pytest.mark.parametrize(
    ("name", "events", "start"),
    [
        ("kml_time_time-stamp-point.kml", 361, "2007-01-14T21:05:02Z"),
        ("E04_Track.kml", 1, "2008-07-14T00:00:00Z"),
        ("T05_ExtendedData.kml", 1, "2010-05-28T02:00:00Z"),
    ],
)
def test_kml_fixtures(name: str, events: int, start: str) -> None:
    found, _ = _split(list(read_records(fixture(f"kml/{name}"))))
    assert len(found) == events and found[0].start == start


def test_timelinejs_fixtures() -> None:
    events, bad = _split(
        list(read_records(fixture("timelinejs/compiled_examples_milliseconds.json")))
    )
    assert events[0].start == "2015-01-01T01:01:01.001" and not bad
    years, _ = _split(list(read_records(fixture("timelinejs/src_template_all-media-types.json"))))
    assert years[0].precision == "year"
    located, bad = _split(
        list(read_records(fixture("timelinejs/compiled_examples_error_message_test.json")))
    )
    assert located[0].place.name == "Florida, Missouri"
    cosmic, bad = _split(list(read_records(fixture("timelinejs/src_template_cosmo.json"))))
    assert not cosmic and "cannot be placed" in bad[0].reason


def test_timelinejs2_refused_with_a_clear_message() -> None:
    with pytest.raises(ImportFailed, match="TimelineJS2"):
        list(read_records(fixture("timelinejs/website_examples_example.json")))


def test_timemap_fixture(tmp_path: Path) -> None:
    path = fixture("timemap/export_events.json")
    events, bad = _split(list(read_records(path)))
    assert len(events) == 1159 and not bad
    first = events[0]
    assert (first.uid, first.start, first.place.name) == (
        "timemap:CIV0001", "2022-02-24", "Chuhuiv, south of Kharkiv",
    )  # fmt: skip
    assert any("Residential" in a for a in first.actors) and first.sources


def test_run_import_prints_counts_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("date,lat,lon,title\n2024-01-02,1,2,ok\nnope,1,2,bad\n", encoding="utf-8")
    lines: list[str] = []
    db = tmp_path / "atlas.db"
    assert run_import(path, db, echo=lines.append) == 0
    assert lines[-1] == "imported 1 events, skipped 1"
    assert any("line 3" in line and str(path) in line for line in lines)
    lines.clear()
    assert run_import(path, db, on_error="abort", echo=lines.append) == 1
    assert "aborted" in lines[-1]
    assert run_import(path, db, fmt="nope", echo=lines.append) == 2
    assert run_import(path, db, columns="date", echo=lines.append) == 2


def test_run_import_article_needs_yes(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        "# Talks\n\nOn June 2, 2025, delegations met in Istanbul. According to Reuters, "
        "Russian drones struck Kharkiv the day before.\n",
        encoding="utf-8",
    )
    db = tmp_path / "atlas.db"
    lines: list[str] = []
    assert run_import(article, db, echo=lines.append) == 0
    assert "nothing saved" in " ".join(lines)
    assert run_import(article, db, assume_yes=True, echo=lines.append) == 0
    with EventStore(db) as store:
        events = store.all_events()
    assert {e.place.name for e in events} >= {"Istanbul", "Kharkiv"}
    kharkiv = next(e for e in events if e.place.name == "Kharkiv")
    assert kharkiv.start == "2025-06-01" and kharkiv.sources == ("Reuters",)
    assert run_import(article, db, assume_yes=True, echo=lines.append) == 0
    assert lines[-1].startswith(f"imported {len(events)} events")
    with EventStore(db) as store:
        assert store.count() == len(events)


def test_the_formats_a_user_can_choose_are_the_readers_names() -> None:
    from desktop_app.ingest.formats import IMPORT_FORMATS, READER_NAMES
    from desktop_app.ingest.pipeline import READERS

    assert tuple(READERS) == READER_NAMES
    assert ("auto", *READER_NAMES) == IMPORT_FORMATS
