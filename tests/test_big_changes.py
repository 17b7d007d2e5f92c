"""Big changes in the real window: a grading or a deletion of many events, and its undo
and redo, are written on the write runner while the window goes on (its timers tick),
reach the undo stack only once saved, and a failed one leaves the store as it was."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from test_edit_store import dump

from desktop_app.core.event import Event, Place
from desktop_app.core.grading import Grade, parse_grade
from desktop_app.store import columns
from desktop_app.store.event_store import EventStore
from desktop_app.ui.editing.actions import BIG_CHANGE
from tests.mapping import PAGE_TIMEOUT_MS, open_window

#: Events in the store: a big change of all but a few, the rest left alone.
EVENTS = BIG_CHANGE + 50
#: Ticks of the window's timer the write waits for (it waits on another connection's
#: lock, released after them): the window must go on while a big change is saved.
TICKS = 5
#: A write on the GUI thread stops the ticks: the lock is then released after this long
#: (s), so that such a write ends (and the test fails on the ticks, not on a hang).
RELEASE_ANYWAY_S = 3


@pytest.fixture
def big_db(tmp_path):
    path = tmp_path / "big.db"
    with EventStore(path) as store:
        store.add_events(
            Event(
                uid=f"e{i}",
                title=f"Event {i}",
                start=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                place=Place(f"Town {i % 40}", 40 + i % 40 / 4, 20 + i % 40 / 4),
                sources=("Reuters",) if i % 2 else (),
                grade=parse_grade("C3", "one source") if i % 3 == 0 else Grade(),
            )
            for i in range(EVENTS)
        )
    return path


def grade_rows(path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT id, reliability, credibility, grade_reason FROM events ORDER BY id"
        ).fetchall()


class Ticks:
    """Counts the ticks of a timer of the window while its edits save in the background,
    holding the store's write lock on another connection until there were enough."""

    def __init__(self, window, path) -> None:
        self.window = window
        self.during = 0
        self.lock = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.lock.execute("BEGIN IMMEDIATE")
        self._released = threading.Lock()
        self._fallback = threading.Timer(RELEASE_ANYWAY_S, self.release)
        self._fallback.start()
        self.timer = QTimer(window)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        task = getattr(self.window.edits, "task", None)
        if task is not None and task.is_running():
            self.during += 1
            if self.during == TICKS:
                self.release()

    def release(self) -> None:
        with self._released:
            if self.lock.in_transaction:
                self.lock.execute("ROLLBACK")

    def close(self) -> None:
        self._fallback.cancel()
        self.timer.stop()
        self.release()
        self.lock.close()


def saved_in_background(qtbot, window, path, start) -> int:
    """Run ``start`` (which begins a big change) and wait for it to be saved; return how
    often the window's timer ticked meanwhile."""
    ticks = Ticks(window, path)
    try:
        start()
        # Busy as while indexing: what writes waits, the status bar says what is saved.
        assert window.indexing and window.saving is not None
        assert window.saving.startswith("Saving")
        assert window.indexing_note.isVisibleTo(window)
        assert window.indexing_note.text() == window.saving
        assert not window.edits.delete_action.isEnabled()
        assert not window.edits.undo_action.isEnabled()
        assert not window.imports.import_action.isEnabled()
        with qtbot.waitSignal(window.map_view.eventsRefreshed, timeout=PAGE_TIMEOUT_MS):
            qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
        assert not window.indexing and window.saving is None
        assert not window.indexing_note.isVisibleTo(window)
        return ticks.during
    finally:
        ticks.close()


def test_a_big_grading_and_its_undo_and_redo_are_saved_in_the_background(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    before = dump(big_db)
    dialog = window.edits.grade_selected()
    dialog.boxes.reliability.setCurrentIndex(dialog.boxes.reliability.findData("B"))
    dialog.boxes.credibility.setCurrentIndex(dialog.boxes.credibility.findData("2"))
    assert saved_in_background(qtbot, window, big_db, dialog.accept) >= TICKS
    graded = dict((row[0], row[1:]) for row in grade_rows(big_db))
    assert all(graded[i] == ("B", "2", None) for i in ids)
    assert window.edits.stack.count() == 1 and window.edits.stack.index() == 1
    assert window.edits.undo_action.text() == f"&Undo grading of {len(ids)} events as B2"
    told = window.store.history()
    assert {h.kind for h in told} == {"grade"} and {h.event_id for h in told} <= set(ids)
    after = dump(big_db)

    assert saved_in_background(qtbot, window, big_db, window.edits.undo_action.trigger) >= TICKS
    assert dump(big_db) == before
    assert window.edits.stack.index() == 0
    assert window.state.selection == tuple(ids)

    assert saved_in_background(qtbot, window, big_db, window.edits.redo_action.trigger) >= TICKS
    assert dump(big_db) == after
    assert window.edits.stack.index() == 1
    kinds = [h.kind for h in window.store.history()]
    assert kinds == ["grade"] * len(told) + ["undo grade"] * len(told) + ["redo grade"] * len(
        told
    )


def test_a_big_deletion_and_its_undo_are_saved_in_the_background(qtbot, big_db):
    window = open_window(qtbot, big_db)
    all_ids = np.sort(window.index.ids)
    ids = [int(i) for i in all_ids[: BIG_CHANGE + 10]]
    left = all_ids[BIG_CHANGE + 10 :]
    window.state.select(ids)
    before = dump(big_db)
    assert saved_in_background(qtbot, window, big_db, window.edits.delete_action.trigger) >= TICKS
    with closing(sqlite3.connect(big_db)) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")] == list(left)
        kept = columns.kept(conn)
    # The map's arrays, kept in the store and read by the window, lost the events.
    assert kept is not None and np.array_equal(np.sort(kept.ids), left)
    assert np.array_equal(np.sort(window.index.ids), left)
    assert window.edits.stack.count() == 1
    assert window.edits.undo_action.text() == f"&Undo deletion of {len(ids)} events"

    assert saved_in_background(qtbot, window, big_db, window.edits.undo_action.trigger) >= TICKS
    assert dump(big_db) == before
    with closing(sqlite3.connect(big_db)) as conn:
        kept = columns.kept(conn)
    assert kept is not None and np.array_equal(np.sort(kept.ids), all_ids)
    assert np.array_equal(np.sort(window.index.ids), all_ids)
    assert window.edits.stack.index() == 0

    assert saved_in_background(qtbot, window, big_db, window.edits.redo_action.trigger) >= TICKS
    assert np.array_equal(np.sort(window.index.ids), left)
    assert window.edits.stack.index() == 1


def refuse(path, when: str) -> None:
    """Make every write ``when`` (a trigger's event) fail, as a full disk would."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse BEFORE {when} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        conn.commit()


@pytest.mark.parametrize("when", ["DELETE ON events", "UPDATE OF reliability ON events"])
def test_a_big_change_that_fails_leaves_the_store_and_the_undo_stack_as_they_were(
    qtbot, big_db, when
):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    refuse(big_db, when)
    before = dump(big_db)
    if when.startswith("DELETE"):
        window.edits.delete_action.trigger()
    else:
        window.edits.grade(ids, parse_grade("A1"))
    assert window.saving is not None
    qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
    assert dump(big_db) == before
    assert window.store.history() == []
    assert window.edits.stack.count() == 0
    assert not window.indexing and window.saving is None
    message = window.notice.text.text()
    assert "nothing was saved" in message and "disk full" in message
    assert "\n" not in message and "Traceback" not in message
    assert np.array_equal(np.sort(window.index.ids), np.sort(window.store.arrays().ids))


def test_a_big_undo_that_fails_leaves_the_change_on_the_stack(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    with qtbot.waitSignal(window.map_view.eventsRefreshed, timeout=PAGE_TIMEOUT_MS):
        window.edits.grade(ids, parse_grade("A1"))
        qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
    refuse(big_db, "UPDATE OF reliability ON events")
    graded = dump(big_db)
    window.edits.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
    assert dump(big_db) == graded
    assert window.edits.stack.index() == 1
    assert window.edits.undo_action.isEnabled()
    assert "nothing was saved" in window.notice.text.text()


def test_a_small_change_is_saved_at_once(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[:3]]
    window.state.select(ids)
    with qtbot.waitSignal(window.map_view.eventsRefreshed, timeout=PAGE_TIMEOUT_MS):
        window.edits.grade(ids, parse_grade("A1"))
        # Saved before the call returned: nothing ran in the background.
        assert window.edits.task is None and window.saving is None
        assert window.edits.stack.count() == 1
    assert {row[1:] for row in grade_rows(big_db) if row[0] in ids} == {("A", "1", None)}
