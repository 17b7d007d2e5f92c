"""Big changes in the real window: a grading or a deletion of many events, and its undo
and redo, are written on the write runner while the window goes on (its timers tick),
reach the undo stack only once saved, and a failed one leaves the store as it was."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer, QTranslator
from test_edit_store import dump

from desktop_app.core.event import Event, Place
from desktop_app.core.grading import Grade, parse_grade
from desktop_app.core.window import TimeWindow
from desktop_app.store import columns
from desktop_app.store.event_store import EventStore
from desktop_app.ui.editing.actions import BIG_CHANGE, BIG_STORE
from desktop_app.ui.tasks import Task
from tests.mapping import PAGE_TIMEOUT_MS, open_window, visible_ids

#: Events in the store: a big change of all but a few, the rest left alone.
EVENTS = BIG_CHANGE + 50
#: Ticks of the window's timer the write waits for (it waits on another connection's
#: lock, released after them): the window must go on while a big change is saved.
TICKS = 5
#: A write on the GUI thread stops the ticks, and a test may fail before it lets the
#: lock go: the lock is then released after this long (s) so that the test ends, failing
#: on what it counted rather than hanging. Never reached when the window works, however
#: slow the machine.
HOLD_AT_MOST_S = 60
#: Events in a store big enough that a change of one event is written, and shown, in the
#: background (a deletion leaves it big).
HUGE = BIG_STORE + 10


@pytest.fixture
def big_db(tmp_path):
    return make_big_store(tmp_path / "big.db")


def make_big_store(path, count: int = EVENTS):
    """A store of ``count`` events at ``path``, a third of them graded."""
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
            for i in range(count)
        )
    return path


def grade_rows(path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT id, reliability, credibility, grade_reason FROM events ORDER BY id"
        ).fetchall()


class WriteLock:
    """The store's write lock, held on another connection (as by another program writing)
    until :meth:`release`, or :data:`HOLD_AT_MOST_S` at most."""

    def __init__(self, path) -> None:
        self.lock = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.lock.execute("BEGIN IMMEDIATE")
        self._released = threading.Lock()
        self._fallback = threading.Timer(HOLD_AT_MOST_S, self.release)
        self._fallback.start()

    def release(self) -> None:
        with self._released:
            if self.lock.in_transaction:
                self.lock.execute("ROLLBACK")

    def close(self) -> None:
        self._fallback.cancel()
        self.release()
        self.lock.close()

    def __enter__(self) -> WriteLock:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class Ticks:
    """Counts the ticks of a timer of the window while its edits save in the background,
    holding the store's write lock on another connection until there were enough."""

    def __init__(self, window, path) -> None:
        self.window = window
        self.during = 0
        self.lock = WriteLock(path)
        self.timer = QTimer(window)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        task = getattr(self.window.edits, "task", None)
        if task is not None and task.is_running():
            self.during += 1
            if self.during == TICKS:
                self.lock.release()

    def close(self) -> None:
        self.timer.stop()
        self.lock.close()


def saved_in_background(qtbot, window, path, start) -> int:
    """Run ``start`` (which begins a big change) and wait for it to be saved; return how
    often the window's timer ticked meanwhile."""
    ticks = Ticks(window, path)
    try:
        start()
        # Busy as while indexing: what writes waits, the status bar says what is saved.
        assert window.busy and window.saving is not None
        assert window.saving.startswith("Saving")
        assert window.indexing_note.isVisibleTo(window)
        assert window.indexing_note.text() == window.saving
        assert not window.edits.delete_action.isEnabled()
        assert not window.edits.undo_action.isEnabled()
        assert not window.imports.import_action.isEnabled()
        # Saved, then shown: the window says it saves until the change is on the stack.
        qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
        assert not window.busy
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
    assert len(told) == len(ids)
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
    assert not window.busy and window.saving is None
    message = window.notice.text.text()
    assert message.startswith("Not saved: ")
    assert "nothing was saved" in message and "disk full" in message
    assert "\n" not in message and "Traceback" not in message
    assert np.array_equal(np.sort(window.index.ids), np.sort(window.store.arrays().ids))


def test_a_big_undo_that_fails_leaves_the_change_on_the_stack(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    window.edits.grade(ids, parse_grade("A1"))
    qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
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
    window.edits.grade(ids, parse_grade("A1"))
    # Saved before the call returned: nothing ran in the background.
    assert window.edits.task is None and window.saving is None
    assert window.edits.stack.count() == 1
    assert {row[1:] for row in grade_rows(big_db) if row[0] in ids} == {("A", "1", None)}


def test_a_small_change_that_fails_says_not_saved_as_a_big_one_does(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[:3]]
    window.state.select(ids)
    refuse(big_db, "UPDATE OF reliability ON events")
    before = dump(big_db)
    window.edits.grade(ids, parse_grade("A1"))
    assert window.edits.task is None
    message = window.notice.text.text()
    assert message.startswith("Not saved: ") and "disk full" in message
    assert "\n" not in message
    assert dump(big_db) == before and window.edits.stack.count() == 0


def test_a_big_change_leaves_no_task_behind(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    for start in (lambda: window.edits.grade(ids, parse_grade("A1")), window.edits.undo):
        start()
        assert window.saving is not None
        qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.edits.findChildren(Task) == []
    assert window.edits.stack.index() == 0


class Reordering(QTranslator):
    """A translation that puts the change before the verb, as some languages do."""

    def translate(self, context, source, disambiguation=None, n=-1):
        if source == "&Undo %1":
            return "%1 &rückgängig machen"
        return None

    def isEmpty(self) -> bool:
        return False


def test_a_translation_may_put_the_change_before_undo(qtbot, big_db):
    window = open_window(qtbot, big_db)
    ids = [int(i) for i in window.index.ids[:3]]
    window.state.select(ids)
    translation = Reordering()
    QCoreApplication.installTranslator(translation)
    try:
        window.edits.grade(ids, parse_grade("A1"))
        text = window.edits.stack.undoText()
        assert text and window.edits.undo_action.text() == f"{text} &rückgängig machen"
    finally:
        QCoreApplication.removeTranslator(translation)


@pytest.fixture(scope="module")
def huge_store(tmp_path_factory):
    """A store of :data:`HUGE` events, made once for the module's tests to copy."""
    return make_big_store(tmp_path_factory.mktemp("huge") / "huge.db", HUGE)


@pytest.fixture
def huge_db(huge_store, tmp_path):
    path = tmp_path / "huge.db"
    with closing(sqlite3.connect(huge_store)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return path


def test_a_change_of_a_big_store_still_being_read_is_saved_in_the_background(qtbot, huge_db):
    from desktop_app.ui.main_window import MainWindow

    path = huge_db
    with EventStore(path) as store:
        last = store.last_event_id()
    window = MainWindow(EventStore(path))
    qtbot.addWidget(window)
    window.show()
    # Its events are still being read: the window's index is empty, the store is not.
    assert len(window.index) == 0
    window.state.select([last])
    window.edits.delete_selected()
    # Deleting rewrites the map's columns of all the store's events: not on the GUI thread.
    assert window.saving is not None
    qtbot.waitUntil(
        lambda: not window.edits.task.is_running() and not window.is_reading,
        timeout=PAGE_TIMEOUT_MS,
    )
    assert window.store.count() == HUGE - 1 and window.store.event(last) is None


def test_a_change_of_a_big_store_is_shown_from_a_worker(qtbot, huge_db):
    window = open_window(qtbot, huge_db)
    qtbot.waitUntil(lambda: not window.is_reading, timeout=PAGE_TIMEOUT_MS)
    first = window.store.event(int(window.index.ids[0]))
    window.state.set_window(TimeWindow(first.span[0] - 1, first.span[1] + 1))
    qtbot.waitUntil(
        lambda: first.id in visible_ids(qtbot, window.map_view), timeout=PAGE_TIMEOUT_MS
    )
    window.state.select([first.id])
    window.edits.delete_selected()
    qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
    # Saved: the store's columns are read again in a worker, the views show the old
    # events until they are read.
    assert window.store.event(first.id) is None
    assert window.is_showing_change and first.id in window.index.ids
    with qtbot.waitSignal(window.map_view.eventsRefreshed, timeout=PAGE_TIMEOUT_MS):
        qtbot.waitUntil(lambda: not window.is_showing_change, timeout=PAGE_TIMEOUT_MS)
    assert first.id not in window.index.ids and len(window.index) == HUGE - 1
    assert first.id not in visible_ids(qtbot, window.map_view)
    assert np.array_equal(window.index.ids, window.store.arrays().ids)

    # Two changes in a row (an undo, then its redo at once): the views end with the
    # store as the last left it, whatever the first read found.
    window.edits.undo_action.trigger()
    qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
    window.edits.redo_action.trigger()
    qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.is_showing_change, timeout=PAGE_TIMEOUT_MS)
    assert first.id not in window.index.ids and len(window.index) == HUGE - 1
    assert len(window.timeline.timeline.data.index) == HUGE - 1
