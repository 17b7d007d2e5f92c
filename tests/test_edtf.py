"""EDTF dates: read in every form levels 0 and 1 allow, written by every export, and a
written EDTF reads back into the same span."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.edtf import looks_like_edtf, parse_edtf, to_edtf

DAY, MONTH, YEAR, APPROX = (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR,
                            DatePrecision.APPROXIMATE)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2025", "2025", None, YEAR), ("2025-06", "2025-06", None, MONTH),
        ("2025-06-02", "2025-06-02", None, DAY), ("2025-06~", "2025-06", None, APPROX),
        ("2025?", "2025", None, APPROX), ("2025-06-02%", "2025-06-02", None, APPROX),
        ("2025-06-20/2025-06-30", "2025-06-20", "2025-06-30", DAY),
        ("2025-06/2025-08", "2025-06", "2025-08", MONTH),
        ("2025-06-20/2025-08", "2025-06-20", "2025-08", MONTH),
        ("2025-06-20~/2025-06-30", "2025-06-20", "2025-06-30", APPROX),
        ("2025-06-20/..", "2025-06-20", None, DAY), ("2025-06-20/", "2025-06-20", None, DAY),
        ("2025-XX", "2025", None, YEAR), ("2025-XX-XX", "2025", None, YEAR),
        ("2025-06-XX", "2025-06", None, MONTH), ("202X", "2020", "2029", YEAR),
        ("19XX", "1900", "1999", YEAR), ("2025-21", "2025-03", "2025-05", MONTH),
        ("2025-22", "2025-06", "2025-08", MONTH), ("2025-23", "2025-09", "2025-11", MONTH),
        ("2025-24", "2025-12", "2026-02", MONTH), ("2025-24~", "2025-12", "2026-02", APPROX),
        (" 2025-06-02T10:00Z ", "2025-06-02T10:00Z", None, DAY),
    ],
)  # fmt: skip
def test_edtf_is_read(text, start, end, precision):
    found = parse_edtf(text)
    assert (found.start, found.end, found.precision) == (start, end, precision)
    event_span(found.start, found.end, found.precision)  # a span the atlas can place


@pytest.mark.parametrize(
    "text", ["", "soon", "2025-13", "2025-06-31", "../2025", "/2025", "2025-06-30/2025-06-20",
             "2025-25", "20XXX", "2025-06-02/tomorrow"],
)  # fmt: skip
def test_what_is_not_edtf_is_refused_with_the_reason(text):
    with pytest.raises(DateError) as caught:
        parse_edtf(text)
    assert "\n" not in str(caught.value)


def test_only_edtf_s_own_marks_make_a_text_edtf():
    assert not any(looks_like_edtf(t) for t in ("2025", "2025-06-02", "2025-06-02T10:00"))
    assert all(looks_like_edtf(t) for t in ("2025~", "2025/2026", "2025-XX", "2025-21"))


@pytest.mark.parametrize(
    ("start", "end", "precision", "edtf"),
    [
        ("2025-06-02", None, DAY, "2025-06-02"), ("2025-06-14", None, MONTH, "2025-06"),
        ("2025-06", None, MONTH, "2025-06"), ("2025", None, YEAR, "2025"),
        ("2025-06-20", "2025-06-30", DAY, "2025-06-20/2025-06-30"),
        ("2025-06-02", None, APPROX, "2025-06-02~"),
        ("2025-06", "2025-08", APPROX, "2025-06~/2025-08~"),
        ("2025-06-02", "2025-06-02", DAY, "2025-06-02"),
    ],
)  # fmt: skip
def test_edtf_is_written(start, end, precision, edtf):
    assert to_edtf(start, end, precision) == edtf


iso_day = st.dates(min_value=__import__("datetime").date(1900, 1, 1),
                   max_value=__import__("datetime").date(2100, 12, 31)).map(str)  # fmt: skip


@given(iso_day, st.one_of(st.none(), st.integers(0, 400)), st.sampled_from(list(DatePrecision)))
def test_a_written_edtf_reads_back_into_the_same_span(start, days_on, precision):
    import datetime

    end = None
    if days_on is not None:
        end = str(datetime.date.fromisoformat(start) + datetime.timedelta(days=days_on))
    back = parse_edtf(to_edtf(start, end, precision))
    assert event_span(back.start, back.end, back.precision) == event_span(start, end, precision)


def test_every_export_writes_edtf(tmp_path):
    import csv
    import json

    from desktop_app.core.event import Event, Place
    from desktop_app.ingest.exporters import write_csv, write_geojson, write_kml

    events = [Event(uid="a", title="A", start="2025-06-20", end="2025-06-30",
                    place=Place("P", 1.0, 2.0)),
              Event(uid="b", title="B", start="2025-06", precision=APPROX)]  # fmt: skip
    write_geojson(tmp_path / "e.geojson", events)
    props = [f["properties"] for f in json.loads((tmp_path / "e.geojson").read_text())["features"]]
    assert [p["edtf"] for p in props] == ["2025-06-20/2025-06-30", "2025-06~"]
    write_csv(tmp_path / "e.csv", events)
    rows = list(csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8-sig")))
    assert [r["edtf"] for r in rows] == ["2025-06-20/2025-06-30", "2025-06~"]
    write_kml(tmp_path / "e.kml", events)
    assert "<value>2025-06~</value>" in (tmp_path / "e.kml").read_text(encoding="utf-8")


def test_imports_read_edtf_and_leave_other_dates_alone(tmp_path):
    import json

    from desktop_app.ingest.pipeline import import_file
    from desktop_app.store.event_store import EventStore

    csv_path = tmp_path / "edtf.csv"
    csv_path.write_text(
        "title,date,lat,lon\nA,2025-06~,50.4,30.5\nB,2025-06-20/2025-06-30,50.4,30.5\n"
        "C,2025-XX,50.4,30.5\nD,2025-21,50.4,30.5\nE,2025-06-30/2025-06-20,50.4,30.5\n"
        "F,25/06/2025,50.4,30.5\n",
        encoding="utf-8",
    )
    geojson_path = tmp_path / "edtf.geojson"
    geojson_path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
        "properties": {"title": "G", "date": "2025-06-02?"}}]}), encoding="utf-8")  # fmt: skip
    with EventStore(tmp_path / "e.db") as store:
        report = import_file(csv_path, store)
        assert report.skipped == 1 and "comes before the start" in str(report.problems[0])
        import_file(geojson_path, store)
        got = {e.title: (e.start, e.end, e.precision) for e in store.all_events()}
    assert got == {
        "A": ("2025-06", None, APPROX), "B": ("2025-06-20", "2025-06-30", DAY),
        "C": ("2025", None, YEAR), "D": ("2025-03", "2025-05", MONTH),
        "F": ("2025-06-25", None, DAY), "G": ("2025-06-02", None, APPROX),
    }  # fmt: skip
