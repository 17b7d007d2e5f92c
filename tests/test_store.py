from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Article, Event, Place
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.store.migrations import migrations

KYIV = Place("Kyiv", 50.45, 30.52, "city", "UA")
ARTICLE = Article(
    "a1", "An article", "A. Writer", "The Outlet", "https://example.org/a", "2025-06-02"
)


def _event(uid: str, start: str = "2025-06-02", **kw) -> Event:
    return Event(uid=uid, title=f"Event {uid}", start=start, place=KYIV, article=ARTICLE, **kw)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _schema(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall())


def test_new_store_has_schema_and_wal(tmp_path):
    with EventStore(tmp_path / "new.db") as store:
        assert {"events", "places", "articles", "sources", "event_sources", "events_fts"} <= set(
            store.db.table_names()
        )
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexed = {tuple(i.columns) for i in store.db["events"].indexes}
        # A time window is found by its start; nothing reads the events by their end.
        assert ("t0",) in indexed and ("t1",) not in indexed


def test_migrations_twice_equal_once(tmp_path):
    path = tmp_path / "m.db"
    EventStore(path).close()
    once = _schema(path)
    db = Database(path)
    migrations.apply(db)
    migrations.apply(db)
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    db.close()
    EventStore(path).close()
    assert _schema(path) == once
    assert applied == len(migrations._migrations)


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all\n" * 50, b"SQLite format 3\x00" + b"\xff" * 2000],
    ids=["text", "truncated-header"],
)
def test_corrupt_file_refused_untouched(tmp_path, content):
    path = tmp_path / "corrupt.db"
    path.write_bytes(content)
    before = _digest(path)
    with pytest.raises(StoreError, match="corrupt.db"):
        EventStore(path)
    assert _digest(path) == before
    assert not (tmp_path / "corrupt.db-wal").exists()


def test_foreign_sqlite_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()
    before = _digest(path)
    with pytest.raises(StoreError, match="not an Event Atlas store"):
        EventStore(path)
    assert _digest(path) == before


def test_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with EventStore(path) as store:
        assert store.count() == 0


def test_add_is_idempotent_and_replaces_by_uid(tmp_path):
    with EventStore(tmp_path / "s.db") as store:
        first = store.add_events([_event("x", sources=("Reuters",)), _event("y")])
        again = store.add_events([_event("x", sources=("BBC", "Reuters")), _event("y")])
        assert (first.added, first.replaced) == (2, 0)
        assert (again.added, again.replaced) == (0, 2)
        assert store.count() == 2
        x = next(e for e in store.all_events() if e.uid == "x")
        assert x.sources == ("BBC", "Reuters")
        assert x.place == KYIV
        assert x.article.outlet == "The Outlet"


def test_failed_write_changes_nothing(tmp_path):
    path = tmp_path / "s.db"
    with EventStore(path) as store:
        store.add_events([_event("keep")])
        with pytest.raises(StoreError, match="nothing was saved"):
            store.add_events([_event("new1"), _event("bad", start="2025-02-30"), _event("new2")])
        assert [e.uid for e in store.all_events()] == ["keep"]
        assert store.db.execute("SELECT count(*) FROM places").fetchone()[0] == 1


def test_events_between_follows_precision(tmp_path):
    with EventStore(tmp_path / "s.db") as store:
        store.add_events(
            [
                _event("day", "2025-06-02"),
                _event("month", "2025-05", precision=DatePrecision.MONTH),
                _event("years", "2022", end="2023", precision=DatePrecision.YEAR),
                _event("instant", "2025-06-03T10:30:00"),
                Event(uid="noplace", title="Next round", start="2025-06-20", end="2025-06-30"),
            ]
        )

        def uids(start: str, end: str) -> set[str]:
            from desktop_app.core.dates import event_span

            window = TimeWindow(event_span(start, None, "day")[0], event_span(end, None, "day")[0])
            found = {e.uid for e in store.events_between(window)}
            assert store.count_between(window) == len(found)
            return found

        assert uids("2025-06-02", "2025-06-03") == {"day"}
        assert uids("2025-05-31", "2025-06-01") == {"month"}
        assert uids("2023-12-31", "2024-01-01") == {"years"}
        assert uids("2024-01-01", "2025-01-01") == set()
        assert uids("2025-06-03", "2025-06-04") == {"instant"}
        assert uids("2025-06-25", "2025-06-26") == {"noplace"}


def test_arrays_are_sorted_and_mark_missing_places(tmp_path):
    with EventStore(tmp_path / "s.db") as store:
        store.add_events(
            [
                _event("b", "2025-06-05"),
                _event("a", "2025-06-01"),
                Event(uid="c", title="c", start="2025-06-03"),
            ]
        )
        arrays = store.arrays()
        assert list(arrays.t0) == sorted(arrays.t0)
        assert len(arrays) == 3
        assert int(sum(arrays.lat != arrays.lat)) == 1  # one NaN: the event with no place


def test_search_full_text(seed_store):
    found = seed_store.search("Medinsky ceasefire")
    assert found and all("Medinsky" in (e.title + e.excerpt) for e in found)
    assert seed_store.search('"; DROP TABLE events; --') == []
    assert seed_store.count() > 40


def test_bundled_dataset_is_loaded_once(tmp_path, monkeypatch):
    from desktop_app.ingest.bundled import open_store

    monkeypatch.setenv("EVENT_ATLAS_DATA_DIR", str(tmp_path))
    with open_store() as store:
        count = store.count()
        assert count > 40
    with open_store() as store:
        assert store.count() == count
    assert (tmp_path / "events.db").exists()


def _index_sql(db_path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def test_large_bulk_import_rebuilds_its_deferred_indexes(tmp_path, monkeypatch):
    from desktop_app.store.bulk_writer import BulkWriter

    monkeypatch.setattr(BulkWriter, "DEFER_INDEXES_AFTER", 10)
    path = tmp_path / "atlas.db"
    events = [
        Event(f"u{i}", f"Shelling near Tokmak {i}", f"2024-03-{1 + i % 28:02d}",
              place=Place("Tokmak", 47.25, 35.71), sources=("Ukrinform", "Suspilne"))
        for i in range(50)
    ]  # fmt: skip
    with EventStore(path) as store:
        schema = _index_sql(path)
        with pytest.raises(RuntimeError), store.bulk_writer() as writer:
            writer.add(events)
            raise RuntimeError("cancelled")
        assert store.count() == 0 and _index_sql(path) == schema
        with store.bulk_writer() as writer:
            writer.add(events[:20])
            writer.add(events[20:])
        assert _index_sql(path) == schema
        assert store.count() == 50
        assert len(store.search("Tokmak")) == 50
        assert store.events_between(TimeWindow(19783.0, 19784.0))[0].sources == (
            "Ukrinform",
            "Suspilne",
        )
        plan = store.db.execute("EXPLAIN QUERY PLAN SELECT * FROM events WHERE t0 < 5").fetchall()
        assert "idx_events_t0" in str(plan)


def test_arrays_carry_precision_codes(tmp_path):
    from desktop_app.core.dates import PRECISION_CODES

    with EventStore(tmp_path / "s.db") as store:
        store.add_events(
            [
                _event("d", "2025-06-02"),
                _event("m", "2025-05", precision=DatePrecision.MONTH),
                _event("y", "2022", end="2023", precision=DatePrecision.YEAR),
                _event("a", "2025-05-31", end="2025-06-01", precision=DatePrecision.APPROXIMATE),
            ]
        )
        arrays = store.arrays()
    by_id = dict(zip(arrays.t0.tolist(), arrays.precision.tolist(), strict=True))
    assert sorted(by_id.values()) == sorted(PRECISION_CODES.values())
    assert arrays.sorted().precision.tolist() == arrays.precision.tolist()


def test_a_dataset_s_own_fields_are_kept_in_order_as_json(tmp_path):
    import json as _json

    store = EventStore(tmp_path / "kept.db")
    kept = (("zeta", "1"), ("alpha", "two words"), ("notes", 'a "quote" \\ and <tag>'))
    store.add_events([Event(uid="k", title="T", start="2025-06-02", attributes=kept),
                      Event(uid="n", title="N", start="2025-06-02")])  # fmt: skip
    stored = dict(store.db.execute("SELECT uid, attributes FROM events").fetchall())
    assert _json.loads(stored["k"]) == dict(kept) and stored["n"] is None
    by_uid = {e.uid: e for e in store.all_events()}
    assert by_uid["k"].attributes == kept  # the source's order, not sorted
    assert by_uid["n"].attributes == ()
    store.close()


def test_events_of_more_ids_than_one_statement_takes(tmp_path):
    with EventStore(tmp_path / "many.db") as store:
        store.add_events([_event(f"e{i}", f"2025-06-{i % 28 + 1:02d}") for i in range(50)])
        ids = [e.id for e in store.all_events()]
        # Beyond the bound on one statement's values of this SQLite, unknown ids among them.
        bound = store.db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        asked = list(range(10**7 + bound + 10, 10**7, -1)) + ids[::-1]
        found = store.events(asked)
    assert [e.id for e in found] == ids[::-1]
