"""A window opened on a store whose indexes are still being made (a staged import's
second stage, left to the next opening) stays responsive: what needs the indexes waits,
the status bar says so, and everything comes back when the indexing is done."""

from __future__ import annotations

import sqlite3

from desktop_app.core.filter import Filter
from desktop_app.ingest.pipeline import import_new_store
from desktop_app.store.event_store import EventStore
from tests.mapping import PAGE_TIMEOUT_MS, filtered, js, open_window
from tests.test_staged_import import acled_rows, write_csv


def pending_store(tmp_path):
    """A new store made by the staged import, its second stage left for later."""
    path = write_csv(tmp_path / "acled.csv", acled_rows(400))
    db = tmp_path / "new.db"
    import_new_store(path, db, on_error="skip", wait=False)
    with EventStore(db, resume_indexing=False) as store:
        assert store.indexing_pending
    return db


def needs_the_indexes(window) -> list:
    return [
        window.edits.add_action,
        window.edits.outlets_action,
        window.duplicates_action,
        window.imports.import_action,
        window.imports.paste_action,
    ]


def test_a_window_waits_for_the_indexing_and_then_offers_everything(qtbot, tmp_path):
    db = pending_store(tmp_path)
    # Another program writing keeps the indexing waiting for the store's write lock.
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        window = open_window(qtbot, db)
        assert window.busy
        assert window.indexing_note.isVisible()
        assert not any(action.isEnabled() for action in needs_the_indexes(window))
        # A change asked for anyway is refused with the reason: nothing waits for the lock.
        count = window.store.count()
        window.state.select([int(window.index.arrays.ids[0])])
        window.edits.delete_selected()
        assert window.store.count() == count
        assert "indexed" in window.notice.text.text()
        # A filter on words waits for the text index, and is applied once it is made.
        window.state.set_filter(Filter(text="Kharkiv"))
        qtbot.waitUntil(
            lambda: "indexing is done" in window.statusBar().currentMessage(),
            timeout=PAGE_TIMEOUT_MS,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    qtbot.waitUntil(lambda: not window.busy, timeout=PAGE_TIMEOUT_MS)
    assert not window.store.indexing_pending
    assert not window.indexing_note.isVisible()
    assert all(action.isEnabled() for action in needs_the_indexes(window))
    assert "Indexing done" in window.statusBar().currentMessage()
    assert window.store.outlets()
    filtered(qtbot, window)
    window.table_dock.show()
    qtbot.waitUntil(lambda: not window.table.model.busy, timeout=PAGE_TIMEOUT_MS)
    expected = window.store.matching_ids(Filter(text="Kharkiv"), window.state.window)
    assert 0 < len(expected) < window.store.count_between(window.state.window)
    assert sorted(window.table.model.ids.tolist()) == expected.tolist()
    assert js(qtbot, window.map_view, "EventAtlas.placed.length") == len(expected)


def test_a_finished_store_shows_no_indexing(qtbot, tmp_path):
    db = pending_store(tmp_path)
    with EventStore(db) as store:
        store.finish_indexing()
    window = open_window(qtbot, db)
    assert not window.busy
    assert not window.indexing_note.isVisible()
    assert all(action.isEnabled() for action in needs_the_indexes(window))
