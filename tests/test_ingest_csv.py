"""CSV/TSV import: column detection, explicit mapping, date order, encodings, bad rows,
and the store left unchanged when an import is aborted."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.ingest.delimited import detect_columns, parse_columns_option
from desktop_app.ingest.pipeline import (
    ImportAborted,
    ImportCancelled,
    import_file,
    read_records,
)
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import detect_encoding
from desktop_app.store.event_store import EventStore

GOOD = (
    "Title,Date,Latitude,Longitude,Notes,Location\n"
    "Talks,2025-06-02,41.0437,29.0159,Second round,Istanbul\n"
    "Strike,2025-05-31,51.53,46.03,Airfields hit,Saratov region\n"
)


def _content(path: Path) -> list:
    """Everything a store holds, table by table (what 'unchanged' means)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [
            (t, sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"')))) for t in sorted(tables)
        ]
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path: Path):
    with EventStore(tmp_path / "atlas.db") as opened:
        yield opened


def _write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_columns_detected_by_name() -> None:
    found = detect_columns(["Headline", "event_date", "lat", "lng", "description", "City"])
    assert found == {"date": 1, "lat": 2, "lon": 3, "title": 0, "text": 4, "place": 5}


def test_explicit_mapping_wins_and_is_checked() -> None:
    mapping = parse_columns_option("date=When, lat=Y , lon=X")
    assert mapping == {"date": "When", "lat": "Y", "lon": "X"}
    assert detect_columns(["When", "Y", "X", "date"], mapping)["date"] == 0
    with pytest.raises(ValueError, match="no column"):
        detect_columns(["a"], {"date": "When"})
    with pytest.raises(ValueError, match="role"):
        parse_columns_option("date")


def test_import_places_rows_and_reimport_adds_nothing(tmp_path: Path, store: EventStore) -> None:
    path = _write(tmp_path, GOOD)
    report = import_file(path, store)
    assert (report.added, report.skipped) == (2, 0)
    events = {e.title: e for e in store.all_events()}
    assert events["Talks"].place.lat == pytest.approx(41.0437)
    assert events["Talks"].place.name == "Istanbul"
    assert events["Strike"].excerpt == "Airfields hit"
    again = import_file(path, store)
    assert (again.added, again.replaced) == (0, 2)
    assert store.count() == 2
    assert [e.title for e in store.search("Airfields")] == ["Strike"]


def test_rows_with_only_a_place_name_are_geocoded(tmp_path: Path, store: EventStore) -> None:
    path = _write(tmp_path, "date\tplace\ttitle\n2025-06-02\tKharkiv region\tShelling\n", "x.tsv")
    import_file(path, store)
    (event,) = store.all_events()
    assert event.place.name == "Kharkiv region"
    assert event.place.lat == pytest.approx(49.99, abs=0.01)


def test_mapping_by_option(tmp_path: Path, store: EventStore) -> None:
    path = _write(tmp_path, "When;Where;What\n2024-01-02;Odesa;Drone attack\n")
    options = ReadOptions(columns={"date": "When", "place": "Where", "title": "What"})
    report = import_file(path, store, options=options)
    assert report.added == 1 and store.all_events()[0].title == "Drone attack"


def test_no_date_column_fails_with_the_columns_named(tmp_path: Path, store: EventStore) -> None:
    path = _write(tmp_path, "name,lat,lon\nA,1,2\n")
    with pytest.raises(ImportFailed, match="no date column.*name, lat, lon"):
        import_file(path, store)


@pytest.mark.parametrize(
    ("rows", "expected", "dayfirst"),
    [
        ("13/02/2024\n01/03/2024\n", ["2024-02-13", "2024-03-01"], None),
        ("02/13/2024\n03/01/2024\n", ["2024-02-13", "2024-03-01"], None),
        ("01/03/2024\n", ["2024-03-01"], True),
        ("01/03/2024\n", ["2024-01-03"], False),
    ],
)
def test_day_order_detected_or_given(tmp_path: Path, rows: str, expected: list, dayfirst) -> None:
    path = _write(tmp_path, "date,lat,lon\n" + "".join(f"{r},1,2\n" for r in rows.split()))
    found = [r.start for r in read_records(path, options=ReadOptions(dayfirst=dayfirst))]
    assert found == expected


def test_ambiguous_day_order_warns(tmp_path: Path, store: EventStore) -> None:
    path = _write(tmp_path, "date,lat,lon\n01/03/2024,1,2\n")
    report = import_file(path, store)
    assert any("ambiguous" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("cp1251", "cp1251"),
        ("cp1252", "cp1252"),
    ],
)
def test_encodings_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    title = "Événement à côté, Zürich" if encoding == "cp1252" else "Обстріл, Запоріжжя"
    text = "date,lat,lon,title\n" + f'2024-01-02,47.8,35.1,"{title}"\n' * 3
    path = _write(tmp_path, text, encoding=encoding)
    assert detect_encoding(path.read_bytes()) == expected
    titles = [r.title for r in read_records(path)]
    assert titles == [title] * 3


def test_bytes_invalid_in_the_encoding_are_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"date,lat,lon,title\n"
        + b"2024-01-02,1,2,ok\n" * 5000
        + b"2024-01-03,1,2,bad \xff\xfe bytes\n2024-01-04,1,2,fine\n"
    )
    records = list(read_records(path))
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert len(bad) == 1 and bad[0].where == "line 5002" and "utf-8" in bad[0].reason
    assert records[-1].title == "fine"


def test_bad_rows_skipped_and_reported(tmp_path: Path, store: EventStore) -> None:
    huge = "x" * (2 * 1024 * 1024)
    path = _write(
        tmp_path,
        "date,lat,lon,title\n"
        "2024-01-02,1,2,good\n"
        "not a date,1,2,bad date\n"
        "2024-01-02,95,2,bad latitude\n"
        "2024-01-02,1\n"
        f"2024-01-02,1,2,{huge}\n"
        "2024-01-05,1,2,also good\n",
    )
    report = import_file(path, store, on_error="skip")
    assert report.added == 2
    assert [p.where for p in report.problems] == ["line 3", "line 4", "line 5", "line 6"]
    assert "not a date" in report.problems[0].reason
    assert "latitude" in report.problems[1].reason
    assert "expected 4 fields" in report.problems[2].reason
    assert "field" in report.problems[3].reason


def test_abort_leaves_the_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    with EventStore(db) as store:
        import_file(_write(tmp_path, GOOD, "first.csv"), store)
    before = _content(db)
    rows = "".join(f"2024-01-{d:02d},1,2,row {d}\n" for d in range(1, 29))
    path = _write(tmp_path, "date,lat,lon,title\n" + rows * 400 + "2024-13-45,1,2,bad\n")
    with EventStore(db) as store, pytest.raises(ImportAborted) as aborted:
        import_file(path, store, on_error="abort")
    assert aborted.value.problem.where == f"line {28 * 400 + 2}"
    assert _content(db) == before
    with EventStore(db) as store:
        assert [e.title for e in store.search("Airfields")] == ["Strike"]


def test_cancel_leaves_the_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    EventStore(db).close()
    before = _content(db)
    rows = "".join(f"2024-01-01,1,2,row {i}\n" for i in range(20000))
    path = _write(tmp_path, "date,lat,lon,title\n" + rows)
    with EventStore(db) as store, pytest.raises(ImportCancelled):
        import_file(path, store, cancelled=lambda: True)
    assert _content(db) == before


def test_progress_is_reported(tmp_path: Path, store: EventStore) -> None:
    rows = "".join(f"2024-01-01,1,2,row {i}\n" for i in range(12000))
    path = _write(tmp_path, "date,lat,lon,title\n" + rows)
    seen = []
    import_file(path, store, progress=seen.append)
    assert seen[-1].records == 12000 and seen[-1].fraction == 1.0
    assert len(seen) >= 3


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"date,lat,lon\n", b"\x00\x01\x02"])
def test_empty_and_truncated_files(tmp_path: Path, store: EventStore, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    try:
        report = import_file(path, store)
    except ImportFailed as failed:
        assert str(path) in str(failed)
    else:
        assert report.added == 0
    assert store.count() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=12), st.binary(max_size=12).map(repr)), max_size=6),
        max_size=8,
    ),
    tail=st.binary(max_size=40),
)
def test_any_csv_reports_or_reads_never_crashes(tmp_path: Path, rows, tail: bytes) -> None:
    body = "date,lat,lon,title,place\n" + "\n".join(",".join(r) for r in rows) + "\n"
    name = hashlib.sha1(repr((rows, tail)).encode()).hexdigest()
    path = tmp_path / f"{name}.csv"
    path.write_bytes(body.encode("utf-8", errors="surrogatepass") + tail)
    try:
        for record in read_records(path):
            assert isinstance(record, BadRecord) or record.start
    except ImportFailed:
        pass


def test_rows_alike_but_for_one_column_are_not_merged(tmp_path):
    from desktop_app.store.event_store import EventStore

    path = tmp_path / "links.csv"
    path.write_text(
        "date,lat,lon,title,link\n"
        "2024-03-01,50.45,30.52,Strike on Kyiv,https://a.example/1\n"
        "2024-03-01,50.45,30.52,Strike on Kyiv,https://b.example/2\n"
        "2024-03-01,50.45,30.52,Strike on Kyiv,https://c.example/3\n",
        encoding="utf-8",
    )
    with EventStore(tmp_path / "s.db") as store:
        report = import_file(path, store)
        assert (report.added, report.replaced, report.skipped) == (3, 0, 0)
        assert store.count() == 3
