"""Editing a store: update, add, delete and merge, each one transaction, each undone and
redone exactly (every row of the events, places, outlets, links and articles compared),
with the full-text index and the kept columns following."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from test_store_columns import assert_current

from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Article, Event, Place
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore, StoreError

TABLES = {
    "events": "SELECT * FROM events ORDER BY id",
    "places": "SELECT * FROM places ORDER BY id",
    "sources": "SELECT * FROM sources ORDER BY id",
    "event_sources": "SELECT rowid, * FROM event_sources ORDER BY rowid",
    "articles": "SELECT rowid, * FROM articles ORDER BY rowid",
    "fts": "SELECT rowid, title, excerpt FROM events_fts ORDER BY rowid",
    "distinct": "SELECT * FROM distinct_events ORDER BY first_id, second_id",
    "outlet_grades": "SELECT * FROM outlet_grades ORDER BY outlet",
}


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table an edit may touch, read afresh from the file."""
    with closing(sqlite3.connect(path)) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}


def fts_ids(store: EventStore, text: str) -> set[int]:
    return {e.id for e in store.search(text)}


NEW_PLACE = Place("Testville", 48.5, 31.25, "city", "UA")


def edited(event: Event) -> Event:
    return dataclasses.replace(
        event,
        title="Zyxwv talks resume",
        start="2025-06-03",
        end="2025-06-05",
        precision=DatePrecision.DAY,
        display_date="three days later",
        category="diplomacy",
        actors=("Someone new",),
        place=NEW_PLACE,
        excerpt="A new excerpt.",
        sources=("Brand New Outlet", *event.sources[:1]),
        article=Article("manual-article", "A new article", "An Author", "Outlet", None, "2025"),
    )


def check_undo_redo(store: EventStore, change, path: Path, before, after) -> None:
    store.restore_events(change.before, "undo " + change.kind)
    assert dump(path) == before
    assert_current(path)
    store.restore_events(change.after, "redo " + change.kind)
    assert dump(path) == after
    assert_current(path)
    store.restore_events(change.before, "undo " + change.kind)
    assert dump(path) == before


def test_an_edit_is_undone_and_redone_row_for_row(seed_store, seed_db):
    event = seed_store.events([16])[0]
    before = dump(seed_db)
    change = seed_store.update_event(edited(event))
    after = dump(seed_db)
    assert after != before
    stored = seed_store.event(16)
    assert stored.title == "Zyxwv talks resume"
    assert stored.uid == event.uid
    assert stored.place == NEW_PLACE
    assert stored.sources == ("Brand New Outlet", *event.sources[:1])
    assert fts_ids(seed_store, "zyxwv") == {16}
    assert 16 not in fts_ids(seed_store, event.title)
    assert_current(seed_db)
    check_undo_redo(seed_store, change, seed_db, before, after)
    assert fts_ids(seed_store, "zyxwv") == set()
    assert seed_store.event(16).title == event.title
    assert 16 in fts_ids(seed_store, event.title)


def test_an_added_event_is_undone_and_redone(seed_store, seed_db):
    before = dump(seed_db)
    new = Event(
        uid="manual-1",
        title="Qwertz happened here",
        start="2025-06-01",
        place=Place("Clicked point", 50.1, 30.2),
        sources=("Only Outlet",),
    )
    change = seed_store.add_event(new)
    after = dump(seed_db)
    (new_id,) = change.event_ids
    assert seed_store.event(new_id).title == "Qwertz happened here"
    assert fts_ids(seed_store, "qwertz") == {new_id}
    assert_current(seed_db)
    check_undo_redo(seed_store, change, seed_db, before, after)
    assert fts_ids(seed_store, "qwertz") == set()
    with pytest.raises(StoreError):
        seed_store.add_event(seed_store.event(1))


def test_deleted_events_come_back(seed_store, seed_db):
    before = dump(seed_db)
    title = seed_store.event(3).title
    change = seed_store.delete_events([3, 5, 40])
    after = dump(seed_db)
    assert seed_store.events([3, 5, 40]) == []
    assert 3 not in fts_ids(seed_store, title)
    assert_current(seed_db)
    check_undo_redo(seed_store, change, seed_db, before, after)
    assert 3 in fts_ids(seed_store, title)


def test_a_merge_keeps_one_event_with_both_outlets_and_excerpts(seed_store, seed_db):
    keep, other = seed_store.events([16, 17])
    before = dump(seed_db)
    change = seed_store.merge_events(16, 17)
    after = dump(seed_db)
    merged = seed_store.event(16)
    assert seed_store.event(17) is None
    assert set(merged.sources) == set(keep.sources) | set(other.sources)
    assert keep.excerpt in merged.excerpt and other.excerpt in merged.excerpt
    assert merged.title == keep.title
    assert_current(seed_db)
    check_undo_redo(seed_store, change, seed_db, before, after)
    with pytest.raises(StoreError):
        seed_store.merge_events(16, 16)


def test_each_change_is_one_transaction(seed_store, seed_db):
    """A change that fails half-way leaves nothing behind: the edit names an event that is
    gone, so nothing of it is written."""
    before = dump(seed_db)
    ghost = dataclasses.replace(seed_store.event(2), id=9999)
    with pytest.raises(StoreError):
        seed_store.update_event(ghost)
    with pytest.raises(StoreError):
        seed_store.delete_events([9999])
    assert dump(seed_db) == before


def test_the_columns_follow_every_kind_of_edit_in_a_row(seed_store, seed_db):
    changes = [
        seed_store.update_event(edited(seed_store.event(10))),
        seed_store.add_event(Event(uid="manual-2", title="Placed", start="2024-01-01",
                                   place=Place("Far", -33.0, 151.0))),
        seed_store.delete_events([11]),
        seed_store.merge_events(12, 13),
    ]
    assert_current(seed_db)
    assert seed_store.arrays().ids.tolist() == sorted(
        seed_store.arrays().ids.tolist(), key=lambda i: (seed_store.event(i).span[0], i)
    )
    for change in reversed(changes):
        seed_store.restore_events(change.before, "undo " + change.kind)
        assert_current(seed_db)


def test_undoing_an_edit_keeps_what_refers_to_the_event(seed_store, seed_db):
    """An event written back is updated in place: rows that go with it when it is deleted
    (two events marked as distinct) stay."""
    seed_store.mark_distinct(16, 20)
    change = seed_store.update_event(edited(seed_store.event(16)))
    seed_store.restore_events(change.before, "undo edit")
    seed_store.restore_events(change.after, "redo edit")
    with closing(sqlite3.connect(seed_db)) as conn:
        assert conn.execute("SELECT first_id, second_id FROM distinct_events").fetchall() == [
            (16, 20)
        ]


KNOWN_PAIRS = Path(__file__).parent / "fixtures" / "duplicates" / "known_pairs.csv"


def pairs_store(tmp_path: Path) -> tuple[EventStore, Path]:
    db = tmp_path / "pairs.db"
    store = EventStore(db)
    import_file(KNOWN_PAIRS, store)
    return store, db


def offered(store: EventStore) -> set[tuple[int, int]]:
    return {(d.first, d.second) for d in store.probable_duplicates()}


def test_undoing_a_delete_brings_back_the_pairs_marked_distinct(tmp_path):
    store, db = pairs_store(tmp_path)
    first, second = sorted(next(iter(offered(store))))
    store.mark_distinct(first, second)
    before = dump(db)
    change = store.delete_events([first])
    after = dump(db)
    assert after["distinct"] == []
    check_undo_redo(store, change, db, before, after)
    store.restore_events(change.before, "undo delete")
    assert dump(db)["distinct"] == before["distinct"] != []
    assert (first, second) not in offered(store)
    # The history tells the pair going with the event and coming back with it.
    told = [(h.kind, h.before, h.after) for h in store.history(first)]
    assert told[0][0] == "delete" and told[0][1]["distinct_from"] == [second]
    assert told[1][0] == "undo delete" and told[1][2]["distinct_from"] == [second]
    assert told[2][0] == "redo delete" and told[2][1]["distinct_from"] == [second]
    assert [h.kind for h in store.history(second)] == []
    store.close()


def test_undoing_a_merge_brings_back_the_pairs_marked_distinct(tmp_path):
    store, db = pairs_store(tmp_path)
    first, second = sorted(next(iter(offered(store))))
    keep = next(e.id for e in store.all_events() if e.id not in (first, second))
    store.mark_distinct(first, second)
    before = dump(db)
    change = store.merge_events(keep, second)
    after = dump(db)
    assert after["distinct"] == []
    check_undo_redo(store, change, db, before, after)
    assert (first, second) not in offered(store)
    undone = next(h for h in store.history(second) if h.kind == "undo merge")
    assert undone.after["distinct_from"] == [first]
    store.close()

