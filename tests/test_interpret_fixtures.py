"""Real-world layouts through the one interpretation layer: UCDP GED in cp1252, GDELT
without a header, corridors from/to, GeoJSON with DD/MM/YY dates, rows alike but for a
link, exact repeats; and every record of every fixture accounted for in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.ingest.command import run_import
from desktop_app.ingest.pipeline import import_file
from desktop_app.ingest.problems import ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.store.event_store import EventStore

HERE = Path(__file__).parent / "fixtures"
IMPORT = HERE / "import"


@pytest.fixture
def store(tmp_path: Path):
    with EventStore(tmp_path / "atlas.db") as opened:
        yield opened


def test_ucdp_ged_in_cp1252_with_12_and_24_hour_dates(store: EventStore) -> None:
    report = import_file(IMPORT / "ucdp_ged_cp1252.csv", store)
    assert (report.read, report.added, report.skipped) == (8, 8, 0)
    assert report.layout == "UCDP GED"
    events = {e.uid: e for e in store.all_events()}
    assert sorted((e.start, e.end) for e in events.values()) == [
        ("2022-03-14", None),
        ("2022-03-15T14:30:00", None),
        ("2022-03-16T15:05:00", None),
        ("2022-03-17", "2022-03-23"),
        ("2022-03-25T09:15:00", None),
        ("2022-04-08T10:30:00", None),
        ("2022-04-28T20:05:00", None),
        ("2022-05-01", "2022-05-31"),
    ]
    mariupol = next(e for e in events.values() if "Mariupol" in e.place.name)
    assert mariupol.place.name == "Drama theatre, Mariupol’"  # cp1252's 0x92
    assert mariupol.title == "State-based violence in Drama theatre, Mariupol’ (12 killed)"
    assert mariupol.actors == ("Government of Russia (Soviet Union)", "Government of Ukraine")
    assert mariupol.sources == ("BBC", "Kyiv Independent")
    assert mariupol.category == "military"
    kept = dict(mariupol.attributes)
    assert kept["conflict_name"] == "Russia - Ukraine"
    assert kept["deaths_civilians"] == "12" and kept["high"] == "600"
    assert "month/day/year" in report.date_order


def test_geojson_dates_written_dd_mm_yy_and_its_other_properties(store: EventStore) -> None:
    path = IMPORT / "ddmmyy_properties.geojson"
    report = import_file(path, store)
    assert (report.read, report.added) == (4, 4)
    events = sorted(store.all_events(), key=lambda e: e.start)
    assert [e.start for e in events] == ["2025-10-26", "2025-11-03", "2025-12-01", "2025-12-14"]
    # headline, event_type and link are no properties of the format: their names say.
    assert events[0].title == "Power cut in Kyiv" and events[0].category == "infrastructure"
    assert events[0].article.url == "https://example.org/k"
    assert events[1].attributes == (("casualties", "2"),)
    assert "day/month/year" in report.date_order
    assert "headline (title)" in report.columns_used and report.columns_kept == "casualties"


def test_geojson_honours_monthfirst_and_refuses_a_date_against_it(store: EventStore) -> None:
    with pytest.raises(ImportFailed, match=r"'26/10/25' is day/month/year.*--monthfirst"):
        import_file(
            IMPORT / "ddmmyy_properties.geojson", store, options=ReadOptions(dayfirst=False)
        )
    assert store.count() == 0


def test_gdelt_without_a_header_is_told_by_its_shape(store: EventStore) -> None:
    report = import_file(IMPORT / "gdelt_events_58.tsv", store)
    assert (report.read, report.added, report.skipped, report.repeats) == (20, 20, 0, 0)
    assert report.layout.startswith("GDELT")
    events = {e.uid: e for e in store.all_events()}
    placed = [e for e in events.values() if e.place]
    assert len(placed) == 17
    assert report.unplaced == {next(iter(report.unplaced)): 3}
    first = min(events.values(), key=lambda e: e.start)
    assert first.start == "2023-03-10"
    assert first.place.name == "Kyiv, Kyiv, Ukraine" and first.place.lat == 50.4333
    assert first.actors == ("UKRAINE", "RUSSIA") and first.category == "190"
    assert first.article.url == "https://news.example.org/20230310/story-0.html"
    kept = dict(first.attributes)
    assert kept["GoldsteinScale"] and kept["Actor1Geo_FullName"] == "Kyiv, Kyiv, Ukraine"
    assert "SQLDATE (date)" in report.columns_used


def test_a_headerless_file_of_no_known_layout_is_refused_without_its_values(
    tmp_path: Path, store: EventStore
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("17,20230310,50.45,30.52,4\n18,20230311,49.99,36.23,2\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(path, store)
    message = str(caught.value)
    assert "line 1: the file has no header row" in message
    assert "20230310" not in message and "50.45" not in message


def test_corridors_carry_their_origin(store: EventStore) -> None:
    report = import_file(IMPORT / "corridors.csv", store)
    assert (report.read, report.added) == (5, 5)
    events = {e.title: e for e in store.all_events()}
    razoni = events["Razoni leaves Odesa with 26000 t of maize"]
    assert (razoni.origin.name, razoni.origin.lat, razoni.origin.lon) == ("Odesa", 46.4825, 30.7233)
    assert (razoni.place.name, razoni.place.lat) == ("Tripoli (Lebanon)", 34.4367)
    assert (razoni.start, razoni.end) == ("2022-08-01", "2022-08-03")
    assert razoni.category == "grain_corridor" and razoni.article.url == "https://example.org/c2"
    assert all(e.origin is not None for e in events.values())


def test_rows_alike_but_for_their_link_are_never_merged(store: EventStore) -> None:
    report = import_file(IMPORT / "same_story_links.csv", store)
    assert (report.read, report.added, report.repeats) == (4, 4, 0)
    events = store.all_events()
    assert sorted(e.article.url for e in events) == [
        "https://example.org/a",
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]
    # "town/city" is the place, found in the gazetteer.
    assert sorted(e.place.name for e in events) == ["Kharkiv", "Kharkiv", "Kharkiv", "Sumy"]


def test_exact_repeats_are_reported_and_dropped_or_kept(tmp_path: Path) -> None:
    path = IMPORT / "exact_repeats.csv"
    with EventStore(tmp_path / "drop.db") as store:
        report = import_file(path, store)
        assert (report.read, report.added, report.repeats) == (8, 5, 3)
        assert report.repeat_lines == ["line 4", "line 6", "line 9"]
        assert store.count() == 5
    with EventStore(tmp_path / "keep.db") as store:
        report = import_file(path, store, repeats="keep")
        assert (report.read, report.added, report.repeats) == (8, 8, 3)
        assert store.count() == 8
        again = import_file(path, store, repeats="keep")
        assert (again.added, again.replaced, store.count()) == (0, 8, 8)
    lines: list[str] = []
    assert run_import(path, tmp_path / "cli.db", echo=lines.append) == 0
    assert "3 rows repeat an earlier row exactly: lines 4, 6, 9 (dropped; --repeats keep " \
        "imports them)" in lines
    assert "read 8 rows: 5 new, 0 updated in the store, 0 skipped, 3 repeated" in lines
    assert "columns used: date (date), title (title), place (place), event_type (category)" \
        in lines


def test_a_later_row_with_the_same_id_updates_and_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,date,lat,lon,title\n1,2025-06-01,50,30,A\n1,2025-06-02,50,30,B\n")
    with EventStore(tmp_path / "s.db") as store:
        report = import_file(path, store)
        assert (report.read, report.added, report.updated_in_file) == (2, 1, 1)
        assert [e.title for e in store.all_events()] == ["B"]
        assert report.accounted == report.read


def _every_fixture() -> list[Path]:
    shared = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    files = sorted(IMPORT.iterdir()) + sorted(p for p in (HERE / "third_party").rglob("*.*json"))
    if shared.is_dir():
        files += sorted(p for p in shared.rglob("*") if p.suffix in (".csv", ".kml", ".geojson"))
        files += sorted((shared / "timelinejs").glob("*.json"))
        files.append(shared / "timemap" / "export_events.json")
    return files


def test_every_record_of_every_fixture_is_accounted_for(tmp_path: Path) -> None:
    checked = 0
    for n, path in enumerate(_every_fixture()):
        with EventStore(tmp_path / f"{n}.db") as store:
            try:
                report = import_file(path, store)
            except ImportFailed as exc:
                # Whole files refused (TimelineJS2) say why in one line.
                assert "\n" not in str(exc) and str(path) in str(exc)
                continue
            assert report.read == report.accounted, path
            assert report.added == store.count(), path
            checked += 1
    assert checked >= 8


def test_geojson_features_alike_but_for_their_link_are_never_merged(
    tmp_path: Path, store: EventStore
) -> None:
    feature = (
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.23, 49.99]}, '
        '"properties": {"title": "Air raid alert", "date": "2025-06-02", "link": "%s"}}'
    )
    path = tmp_path / "links.geojson"
    features = ", ".join(feature % url for url in ("https://a", "https://b", "https://a"))
    path.write_text('{"type": "FeatureCollection", "features": [' + features + "]}")
    report = import_file(path, store)
    assert (report.read, report.added, report.repeats) == (3, 2, 1)
    assert report.repeat_lines == ["feature 3"]
    assert sorted(e.article.url for e in store.all_events()) == ["https://a", "https://b"]
