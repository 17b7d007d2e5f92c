"""Real-world fields through the one interpretation layer in every format: KML
ExtendedData given roles and kept as attributes, Unix seconds and milliseconds and
spreadsheet day numbers wherever a date field holds them, and the skipped records of an
import counted by their reason, every record of each file accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.ingest.command import run_import
from desktop_app.ingest.exporters import write_kml
from desktop_app.ingest.interpret import interpret, number_date_form
from desktop_app.ingest.pipeline import import_file, read_records, skip_reason
from desktop_app.store.event_store import EventStore

HERE = Path(__file__).parent / "fixtures"
IMPORT = HERE / "import"

# (fixture, records read, imported, the summary's line of skipped records, the starts)
FILES = [
    (
        IMPORT / "incidents_extended_data.kml",
        7,
        5,
        "Skipped 2 rows: 1 no TimeStamp or TimeSpan (here or in a folder above) and no date "
        "field (at placemark 6 (Undated report)), 1 coordinates out of range: 36.2, 95.0 (at "
        "placemark 7 (Wrong coordinates))",
        ["2025-06-02", "2025-06-14", "2025-06-20", "2025-06-22", "2025-06-23"],
    ),
    (
        IMPORT / "fire_detections_unix_ms.geojson",
        8,
        5,
        "Skipped 3 rows: 1 'unknown' is not a Unix time in milliseconds (at feature 4), 1 no "
        "date (expected a start, time, date or times property) (at feature 5), 1 coordinates "
        "out of range: 36.2, 95.0 (at feature 6)",
        ["2025-06-02", "2025-06-02", "2025-06-02T13:00:00", "2025-06-02T21:40:00", "2025-06-13"],
    ),
    (
        IMPORT / "timeline_spreadsheet_days.json",
        5,
        4,
        "Skipped 1 row: 1 a date must be an object with a year (at event 5)",
        ["2025-06-02", "2025-06-05", "2025-06-20", "2025-06-23"],
    ),
    (
        HERE / "timemap_numbers" / "export_events.json",
        3,
        3,
        None,
        ["2025-06-02", "2025-06-13T21:40", "2025-06-23"],
    ),
    (
        IMPORT / "incidents_with_bad_rows.csv",
        57,
        30,
        "Skipped 27 rows: 22 no date (lines 3, 5, 7, 9, 10, 11, 13, 15, 17, 19, 20, 21, 23, 25, "
        "27, 29, 30, 35, 40, 45, …), 3 latitude is out of range (lines 14, 16, 18), 2 not a "
        "calendar date: 2025-06-31 (lines 26, 28)",
        None,
    ),
]


@pytest.mark.parametrize(
    ("path", "read", "imported", "skipped_line", "starts"), FILES, ids=[f[0].name for f in FILES]
)
def test_every_record_is_accounted_for_and_skipped_ones_by_reason(
    tmp_path: Path, path: Path, read: int, imported: int, skipped_line: str | None, starts
) -> None:
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(path, store)
        events = store.all_events()
    assert (report.read, report.imported, report.skipped) == (read, imported, read - imported)
    assert report.accounted == report.read
    assert sum(rows.count for rows in report.skipped_reasons.values()) == report.skipped
    lines = report.summary_lines()
    if skipped_line is None:
        assert not any(line.startswith("Skipped") for line in lines)
    else:
        assert lines[1] == skipped_line
    if starts is not None:
        assert sorted(e.start for e in events) == starts


def test_the_cli_prints_the_skipped_rows_by_reason(tmp_path: Path) -> None:
    lines: list[str] = []
    path = IMPORT / "incidents_with_bad_rows.csv"
    assert run_import(path, tmp_path / "a.db", echo=lines.append) == 0
    assert FILES[-1][3] in lines


def test_kml_extended_data_gets_roles_and_keeps_the_rest(tmp_path: Path) -> None:
    path = IMPORT / "incidents_extended_data.kml"
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(path, store)
        events = {e.title: e for e in store.all_events()}
    assert report.columns_used == (
        "date (date), type (category), actor (actors), link (url), source (source)"
    )
    assert report.columns_kept == "fatalities, verified"
    # 14/06/2025 in the second Placemark proves the file's order for 02/06/2025 in the first.
    assert report.date_order == "day/month/year: placemark 2: '14/06/2025' can only be read so"
    strike = events["Strike on a residential block"]
    assert (strike.uid, strike.start, strike.display_date) == ("kml:UKR-001", "2025-06-02",
                                                               "02/06/2025")  # fmt: skip
    assert (strike.category, strike.actors, strike.sources) == (
        "air_strike", ("Russian Armed Forces",), ("Reuters",)
    )
    assert strike.article.url == "https://example.org/kharkiv-block"
    assert strike.excerpt == "A missile hit a nine-storey block."
    assert strike.attributes == (("fatalities", "3"), ("verified", "geolocated"))
    # The Placemark's own TimeStamp wins; the date field it overrides is kept, not lost.
    market = events["Shelling of the market"]
    assert market.start == "2025-06-20"
    assert market.attributes == (
        ("date", "21/06/2025"), ("fatalities", "2"), ("verified", "geolocated")
    )
    # SchemaData's SimpleData: a place name without geometry, found in the gazetteer.
    power = events["Power station hit"]
    assert (power.start, power.place.name, power.place.country) == ("2025-06-22", "Kyiv", "UA")
    assert power.category == "infrastructure" and power.attributes == (("reviewer", "O. K."),)
    # A field named timestamp holding Unix milliseconds.
    sensor = events["Sensor alert"]
    assert (sensor.start, sensor.attributes) == ("2025-06-23", (("sensor", "FIRMS"),))


def test_kml_read_from_extended_data_exports_and_imports_back_the_same(tmp_path: Path) -> None:
    with EventStore(tmp_path / "first.db") as store:
        import_file(IMPORT / "incidents_extended_data.kml", store)
        first = sorted(store.all_events(), key=lambda e: e.uid)
    exported = tmp_path / "again.kml"
    assert write_kml(exported, first) == 5
    again = sorted(read_records(exported), key=lambda e: e.uid)
    fields = ("uid", "title", "start", "end", "precision", "category", "actors", "sources",
              "excerpt", "attributes")  # fmt: skip
    assert [[getattr(e, f) for f in fields] for e in again] == [
        [getattr(e, f) for f in fields] for e in first
    ]
    assert [e.article.url if e.article else None for e in again] == [
        e.article.url if e.article else None for e in first
    ]


def test_geojson_unix_milliseconds_seconds_and_unnamed_milliseconds(tmp_path: Path) -> None:
    with EventStore(tmp_path / "atlas.db") as store:
        import_file(IMPORT / "fire_detections_unix_ms.geojson", store)
        events = {e.title: e for e in store.all_events()}
    assert events["Fire at the tractor plant"].start == "2025-06-02"
    assert events["Fire near the depot"].start == "2025-06-02T13:00:00"
    # The format's own "time" holding milliseconds, as Leaflet.TimeDimension writes it.
    assert events["Smoke over Kupiansk"].start == "2025-06-13"
    # "epoch" says it is a time: 10 digits are Unix seconds.
    assert events["Fire in a field"].start == "2025-06-02T21:40:00"
    # No name says so, but 13-digit numbers are Unix milliseconds and nothing else.
    river = events["Fire by the river"]
    assert river.start == "2025-06-02"
    assert river.attributes == (("frp", "5.5"), ("satellite", "N21"))
    assert events["Fire at the tractor plant"].attributes == (("frp", "12.5"), ("satellite", "N20"))


def test_timelinejs_and_timemap_dates_given_as_numbers(tmp_path: Path) -> None:
    with EventStore(tmp_path / "t.db") as store:
        import_file(IMPORT / "timeline_spreadsheet_days.json", store)
        timeline = {e.uid: e for e in store.all_events()}
    assert (timeline["timelinejs:exchange"].start, timeline["timelinejs:exchange"].end) == (
        "2025-06-05", "2025-06-14"
    )
    assert timeline["timelinejs:odesa"].start == "2025-06-20"  # "45828", a number as text
    with EventStore(tmp_path / "m.db") as store:
        report = import_file(HERE / "timemap_numbers" / "export_events.json", store)
        timemap = {e.uid: e for e in store.all_events()}
    assert report.date_order == "Unix time in the date field"
    assert timemap["timemap:2"].start == "2025-06-13T21:40"
    assert timemap["timemap:1"].attributes == (("verified_by", "team A"),)


# (values, whether the name says date or time, the form found)
FORMS = [
    (["1748822400000", "1749772800000"], True, "unix_ms"),
    (["1748822400000"], False, "unix_ms"),
    (["174882240000"], True, "unix_ms"),  # 12 digits: 1975, when the name says so
    (["174882240000"], False, None),  # ... but not on its values alone
    (["1748822400"], True, "unix"),
    (["1748822400"], False, None),  # ten digits alone could be a phone number or a count
    (["45810", "45813.5"], True, "excel"),
    (["45810"], False, None),
    (["20250602"], True, None),  # a date written without separators
    (["4102444800000"], True, None),  # 2100: past the plausible range
    (["1748822400000", "unknown"], True, None),
]


@pytest.mark.parametrize(("values", "named", "form"), FORMS)
def test_the_one_decision_that_a_field_holds_dates_as_numbers(
    values: list[str], named: bool, form: str | None
) -> None:
    assert number_date_form(values, named) == form


def test_a_column_of_unix_milliseconds_is_the_date_whatever_its_name() -> None:
    found = interpret(["reading", "value"], [["1748822400000", "3"], ["1749772800000", "5"]])
    assert (found.field_of("date"), found.date_forms) == ("reading", {"date": "unix_ms"})
    # Ten digits are not enough without a name that says so.
    found = interpret(["reading", "value"], [["1748822400", "3"]])
    assert found.field_of("date") is None


# (a reason as a reader gives it, what rows skipped for it are counted under)
REASONS = [
    ("latitude 95.0 is out of range", "latitude is out of range"),
    ("not a date: '31/31/25'", "not a date"),
    ("'abc' is not a Unix time in milliseconds", "not a Unix time in milliseconds"),
    ("place 'Lviv2' not found in the gazetteer (add coordinates)",
     "place not found in the gazetteer (add coordinates)"),
    ("year -13800000000 cannot be placed on the timeline (years 1-9999)",
     "year cannot be placed on the timeline (years 1-9999)"),
    ("coordinates out of range: 36.2, 95.0", "coordinates out of range"),
    ("no date", "no date"),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "kind"), REASONS)
def test_rows_skipped_for_one_reason_count_together(reason: str, kind: str) -> None:
    assert skip_reason(reason) == kind


def test_unix_milliseconds_are_no_second_date_beside_a_written_one() -> None:
    found = interpret(["when_seen", "sensor_id"], [["2 June 2025", "1748822400000"]])
    assert [g.role for g in found.guesses] == ["date", None]
