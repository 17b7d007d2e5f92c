"""The columns a store keeps ready for the views are always those of its rows.

After every kind of write a store sees (imports, replacements, writes by other programs,
a store from an older version, an import killed mid-way), the kept columns are compared,
every column and exactly, with the columns rebuilt row by row from the rows: the way
the store built them on every opening before it kept them.
"""

from __future__ import annotations

import csv
import hashlib
import random
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.categories import category_code
from desktop_app.core.dates import DatePrecision, precision_codes
from desktop_app.core.event import PLACE_PRECISION_CODES, Event, Place
from desktop_app.core.index import EventArrays
from desktop_app.ingest.pipeline import import_file
from desktop_app.store import columns
from desktop_app.store.event_store import EventStore, StoreError
from tests.crashing import import_killed_after

_ROWS = """
    SELECT e.id, e.t0, e.t1, p.lat, p.lon, e.category, o.lat, o.lon, e.precision, p.kind, p.id
    FROM events e LEFT JOIN places p ON p.id = e.place_id
    LEFT JOIN places o ON o.id = e.origin_place_id ORDER BY e.t0, e.id
"""
TOWNS = [
    Place("Kharkiv", 49.9935, 36.2304),
    Place("Odesa", 46.4825, 30.7233, "city", "UA"),
    Place("Lviv", 49.8397, 24.0297),
    Place("Nowhere in particular", 0.1, -0.1),
    Place("Sumy region", 50.9, 34.8, "Region", "UA"),
]
LAUNCH = Place("Belgorod", 50.5997, 36.5983)
CATEGORIES = ["strike", "military", "diplomacy", "other", "no-such-category", ""]
STARTS = [
    ("2024-05-01", DatePrecision.DAY),
    ("2024-05-01", DatePrecision.DAY),
    ("2024-05-02", DatePrecision.DAY),
    ("2024-05", DatePrecision.MONTH),
    ("2024", DatePrecision.YEAR),
    ("2024-04-30", DatePrecision.APPROXIMATE),
    ("2023-12-31", DatePrecision.DAY),
]


def events(n: int, prefix: str = "e", seed: int = 1) -> list[Event]:
    """``n`` events that use every case of every column: no place, an origin, unknown
    categories, each precision, spans, and many equal starts (whose order is by id)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        start, precision = rng.choice(STARTS)
        end = "2024-06-15" if precision is DatePrecision.DAY and rng.random() < 0.1 else None
        out.append(
            Event(
                uid=f"{prefix}-{k}",
                title=f"Event {prefix} {k}",
                start=start,
                end=end,
                precision=precision,
                category=rng.choice(CATEGORIES),
                place=rng.choice([*TOWNS, None]),
                origin=LAUNCH if rng.random() < 0.2 else None,
            )
        )
    return out


def rebuilt(path: Path) -> dict[str, np.ndarray]:
    """Every column, made row by row from the rows with a plain connection."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(_ROWS).fetchall()
    ids, t0, t1, lat, lon, cats, olat, olon, precisions, kinds, places = (
        zip(*rows, strict=True) if rows else [()] * 11
    )

    def coords(values: tuple) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], np.float64).astype(np.float32)

    return {
        "ids": np.array(ids, np.int64),
        "t0": np.array(t0, np.float64),
        "t1": np.array(t1, np.float64),
        "lat": coords(lat),
        "lon": coords(lon),
        "category": np.array([category_code(c) for c in cats], np.uint8),
        "origin_lat": coords(olat),
        "origin_lon": coords(olon),
        "precision": precision_codes(precisions),
        "place_precision": np.array(
            [
                PLACE_PRECISION_CODES["unknown" if y is None else Place("", y, 0, k).precision]
                for y, k in zip(lat, kinds, strict=True)
            ],
            np.uint8,
        ),
        "place_id": np.array([-1 if p is None else p for p in places], np.int64),
    }


def kept(path: Path) -> EventArrays | None:
    """The columns the store at ``path`` keeps, if they are of its current rows."""
    with closing(sqlite3.connect(path)) as conn:
        return columns.kept(conn)


def assert_same(arrays: EventArrays, expected: dict[str, np.ndarray]) -> None:
    for name, dtype in {**columns.COLUMNS, **columns.DERIVED}.items():
        got = getattr(arrays, name)
        assert got.dtype == np.dtype(dtype), name
        assert np.array_equal(got, expected[name], equal_nan=True), name


def assert_current(path: Path) -> EventArrays:
    """The store keeps columns of its rows, equal to the rows rebuilt one by one."""
    found = kept(path)
    assert found is not None, "no current columns are kept"
    assert_same(found, rebuilt(path))
    return found


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def test_an_import_keeps_the_columns_of_its_rows(tmp_path, store_path):
    data = tmp_path / "incidents.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "date", "title", "lat", "lon", "category"])
        for i in range(3000):
            out.writerow([
                f"row-{i}", f"20{20 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"Event {i}",
                40 + (i % 100) / 10, 20 + (i % 70) / 10, ("strike", "protest", "")[i % 3],
            ])  # fmt: skip
    with EventStore(store_path) as store:
        import_file(data, store, fmt="csv")
        assert len(store.arrays()) == 3000
    assert len(assert_current(store_path)) == 3000


def test_a_second_import_is_merged_among_the_first(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(400, "first"))
        assert_current(store_path)
        # The same starts again: the new events go between the old ones, by id.
        store.add_events(events(300, "second", seed=2))
        arrays = store.arrays()
    assert len(arrays) == 700
    assert_same(arrays, rebuilt(store_path))
    assert_current(store_path)


def test_replaced_events_move_to_their_new_columns(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(500, "e"))
        # The same uids with other dates, places, categories and origins; some new.
        result = store.add_events(events(600, "e", seed=7))
        assert (result.added, result.replaced) == (100, 500)
        assert len(store.arrays()) == 600
    assert_current(store_path)


def test_an_event_replaced_twice_in_one_import(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(50, "e"))
        with store.bulk_writer() as writer:
            writer.add(events(80, "e", seed=3))  # replaces 50, adds 30
            writer.add(events(80, "e", seed=4))  # replaces them all again
            writer.add(events(10, "late", seed=5))
        assert len(store.arrays()) == 90
    assert_current(store_path)


def test_an_import_after_every_event_is_replaced_and_into_an_empty_store(store_path):
    with EventStore(store_path) as store:
        assert len(store.arrays()) == 0
        assert_current(store_path)
        store.add_events([])
        assert_current(store_path)
        store.add_events(events(20))
        store.add_events(events(20, seed=9))
        assert len(store.arrays()) == 20
    assert_current(store_path)


def test_the_bundled_dataset_keeps_its_columns(seed_store):
    assert len(seed_store.arrays()) == seed_store.count() > 0
    assert_current(seed_store.path)


def test_writes_that_change_no_column_keep_them(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(30))
        store.set_meta("title", "Kept")
        store.cache_geocode("offline", "Kharkiv", TOWNS[0])
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute("UPDATE events SET title = 'Renamed', excerpt = 'x' WHERE id = 3")
        conn.execute("UPDATE places SET kind = 'town', country = 'UA'")
    assert_current(store_path)


# Writes another program (or a later version of a code path) might make behind the
# store's back: each must make the kept columns count as stale.
FOREIGN_WRITES = {
    "start": "UPDATE events SET t0 = t0 - 400, t1 = t1 - 400 WHERE id % 7 = 0",
    "end": "UPDATE events SET t1 = t1 + 30 WHERE id = 5",
    "category": "UPDATE events SET category = 'economy' WHERE id % 3 = 0",
    "precision": "UPDATE events SET precision = 'year' WHERE precision = 'day'",
    "place": "UPDATE events SET place_id = NULL WHERE id % 5 = 0",
    "origin": "UPDATE events SET origin_place_id = place_id WHERE id % 4 = 0",
    "insert": """INSERT INTO events (uid, title, start, precision, t0, t1, category)
                 VALUES ('raw', 'Raw', '1999-01-01', 'day', 10592, 10593, 'strike')""",
    "delete": "DELETE FROM events WHERE id % 2 = 0",
    "place moved": "UPDATE places SET lat = lat + 1, lon = -lon",
    "place deleted": "DELETE FROM places WHERE name = 'Lviv'",
}


@pytest.mark.parametrize("statement", FOREIGN_WRITES.values(), ids=FOREIGN_WRITES.keys())
def test_a_write_from_elsewhere_is_never_read_from_stale_columns(store_path, statement):
    with EventStore(store_path) as store:
        store.add_events(events(200))
        before = assert_current(store_path)
    with closing(sqlite3.connect(store_path)) as conn, conn:
        assert conn.execute(statement).rowcount > 0
    expected = rebuilt(store_path)
    assert not all(
        np.array_equal(getattr(before, name), expected[name], equal_nan=True)
        for name in columns.COLUMNS
    ), "the write changed no column"
    assert kept(store_path) is None
    with EventStore(store_path) as store:
        assert_same(store.arrays(), expected)
    # Built again once, and kept for the next opening.
    assert_current(store_path)


def test_an_import_after_a_write_from_elsewhere(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(100))
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute(FOREIGN_WRITES["start"])
    with EventStore(store_path) as store:
        store.add_events(events(50, "more"))
    assert_current(store_path)


def _as_written_by_an_older_version(path: Path) -> None:
    """Take away what the step keeping the columns added: the store as the versions
    before it left it."""
    with closing(sqlite3.connect(path)) as conn, conn:
        names = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
        for name in names:
            if "_columns_" in name:
                conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE event_columns")
        conn.execute("DELETE FROM meta WHERE key = ?", [columns.GENERATION_KEY])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_event_columns'")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_store_from_an_older_version_gets_its_columns(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(300))
    _as_written_by_an_older_version(store_path)
    expected = rebuilt(store_path)
    with EventStore(store_path) as store:
        assert_same(store.arrays(), expected)
    assert_current(store_path)
    with EventStore(store_path) as store:
        store.add_events(events(40, "new"))
    assert_current(store_path)


def _digest(path: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.iterdir())
        if p.name.startswith(path.name)
    }


def test_a_read_only_store_from_an_older_version_opens_and_stays_untouched(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(300))
    _as_written_by_an_older_version(store_path)
    expected = rebuilt(store_path)
    files = _digest(store_path)
    with EventStore(store_path, read_only=True) as store:
        assert store.read_only
        assert_same(store.arrays(), expected)
        with pytest.raises(StoreError, match="read-only"):
            store.add_events(events(1, "x"))
    assert _digest(store_path) == files


def test_a_read_only_store_with_stale_columns_builds_them_in_memory(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(300))
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute(FOREIGN_WRITES["delete"])
    with closing(sqlite3.connect(store_path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    expected = rebuilt(store_path)
    files = _digest(store_path)
    with EventStore(store_path, read_only=True) as store:
        assert_same(store.arrays(), expected)
    assert _digest(store_path) == files
    assert kept(store_path) is None


def test_stale_columns_while_another_program_writes_are_built_without_waiting(store_path):
    with EventStore(store_path) as store:
        store.add_events(events(300))
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute(FOREIGN_WRITES["category"])
    expected = rebuilt(store_path)
    writer = sqlite3.connect(store_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another import holds the write lock
        with EventStore(store_path) as store:
            assert_same(store.arrays(), expected)
            assert not store.db.conn.in_transaction
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert kept(store_path) is None  # not kept: the store was busy
    with EventStore(store_path) as store:
        store.arrays()
    assert_current(store_path)


# -- an import killed mid-way ---------------------------------------------------------

CRASH_ROWS = 50_000


def _write_rows(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "date", "title", "lat", "lon", "category"])
        for i in range(CRASH_ROWS):
            out.writerow([
                f"row-{i}", f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                f"Event {i}", 40 + (i % 1000) / 100, 20 + (i % 700) / 100,
                ("battle", "strike", "statement")[i % 3],
            ])  # fmt: skip


@pytest.mark.slow
def test_an_import_killed_mid_way_leaves_the_columns_of_the_rows(tmp_path, store_path):
    data = tmp_path / "big.csv"
    _write_rows(data)
    with EventStore(store_path) as store:
        store.add_events(events(500))
    before = assert_current(store_path)

    # Three chunks into the import (it writes ten), then the moment it has written
    # its last chunk and goes on to finish: indexes, columns, commit.
    for lines in (3, 11):
        seen, status, _errors = import_killed_after(data, store_path, lines)
        assert seen[-1].startswith("progress"), seen
        # The last kill may come as the import has just finished on its own.
        assert status == -signal.SIGKILL or (lines == 11 and status == 0), (seen, status)
        with closing(sqlite3.connect(store_path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        found = assert_current(store_path)
        if count == len(before):
            every = {**columns.COLUMNS, **columns.DERIVED}
            assert_same(found, {name: getattr(before, name) for name in every})
        else:
            assert count == len(before) + CRASH_ROWS
            break

    # And the store takes the whole import afterwards, its columns with it.
    with EventStore(store_path) as store:
        import_file(data, store, fmt="csv")
        assert len(store.arrays()) == len(before) + CRASH_ROWS
    assert_current(store_path)
