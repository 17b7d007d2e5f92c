"""Grading in the real window: many selected events at once (Edit ▸ Grade selected
events) and the cited outlets (Tools ▸ Grade outlets), each one undoable change that the
store's rows and its history agree with."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from PySide6.QtCore import Qt
from test_edit_store import dump

from desktop_app.core.grading import Grade
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from tests.mapping import PAGE_TIMEOUT_MS, open_window

REASON = "two newsrooms confirmed it on video"


def changed(qtbot, window, action) -> None:
    """Run ``action`` (a grading, its undo or redo) and wait until it is saved and shown.
    Grades are not on the map: the page is not sent the events again."""
    sent: list[bool] = []
    window.map_view.eventsRefreshed.connect(lambda *_: sent.append(True))
    action()
    qtbot.waitUntil(lambda: window.saving is None, timeout=PAGE_TIMEOUT_MS)
    assert sent == []


def show(window, ids: list[int]) -> None:
    events = window.store.events(ids)
    window.state.set_window(
        TimeWindow(min(e.span[0] for e in events) - 1, max(e.span[1] for e in events) + 1)
    )


def grade_rows(path, ids: list[int]) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        marks = ",".join("?" * len(ids))
        return conn.execute(
            f"SELECT id, reliability, credibility, grade_reason FROM events "
            f"WHERE id IN ({marks}) ORDER BY id",
            ids,
        ).fetchall()


def choose(box, data: str) -> None:
    box.setCurrentIndex(box.findData(data))


def test_three_selected_events_are_graded_at_once_and_undone_row_for_row(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    ids = [16, 17, 18]
    show(window, ids)
    window.state.select([])
    assert not window.edits.grade_action.isEnabled()
    window.state.select(ids)
    assert window.edits.grade_action.isEnabled()
    assert window.edits.grade_action.shortcut().toString() == "Ctrl+Shift+G"
    assert window.edits.grade_action in window.menuBar().actions()[1].menu().actions()
    before = dump(seed_db)
    dialog = window.edits.grade_selected()
    assert dialog.boxes.reliability.count() == 6 and dialog.boxes.credibility.count() == 6
    assert dialog.boxes.reliability.itemText(1) == "B – Usually reliable"
    choose(dialog.boxes.reliability, "B")
    choose(dialog.boxes.credibility, "2")
    dialog.boxes.reason.setText(REASON)
    changed(qtbot, window, dialog.accept)
    after = dump(seed_db)
    assert grade_rows(seed_db, ids) == [(i, "B", "2", REASON) for i in ids]
    # Only the three events' grades changed.
    changed_rows = set(after["events"]) - set(before["events"])
    assert {row[0] for row in changed_rows} == set(ids)
    told = [(h.kind, h.event_id, h.before, h.after) for h in window.store.history()]
    assert [(kind, event_id) for kind, event_id, _b, _a in told] == [("grade", i) for i in ids]
    assert all(b["grade"] == "B3" and a["grade"] == "B2" for *_, b, a in told)
    assert all(a["grade_reason"] == REASON for *_, a in told)
    assert window.edits.undo_action.text() == "&Undo grading of 3 events as B2"
    assert window.edits.stack.count() == 1
    assert window.state.selection == tuple(ids)
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert dump(seed_db) == before
    changed(qtbot, window, window.edits.redo_action.trigger)
    assert dump(seed_db) == after
    kinds = [(h.kind, h.event_id) for h in window.store.history()]
    assert kinds[3:] == [("undo grade", i) for i in ids] + [("redo grade", i) for i in ids]


def test_a_read_only_store_refuses_to_grade_and_says_why(qtbot, seed_db):
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(EventStore(seed_db, read_only=True))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    window.state.select([16, 17])
    assert not window.edits.grade_action.isEnabled()
    window.notice.hide()
    assert window.edits.grade_selected() is None
    assert "open for viewing only" in window.notice.text.text()
    dialog = window.edits.grade_outlets()
    assert not dialog.set_button.isEnabled()
    assert window.store.history() == []


def test_an_outlet_s_grade_is_taken_by_its_ungraded_events_and_undone(qtbot, seed_db):
    with EventStore(seed_db) as store:
        store.grade_events([16], Grade())
        cited = store.event(16).sources[0]
    window = open_window(qtbot, seed_db)
    show(window, [16])
    window.state.select([16])
    window.state.set_current(16)
    panel = window.panel.details
    assert "not graded" in panel.toPlainText()
    dialog = window.edits.grade_outlets()
    assert window.edits.outlets_action in window.menuBar().actions()[-2].menu().actions()
    counts = [(o.name, o.events) for o in dialog.model.outlets]
    assert dialog.proxy.rowCount() == len(counts) > 3
    # Most cited first; sorted by name on a click of its header; searched by name.
    assert [c for _n, c in counts] == sorted((c for _n, c in counts), reverse=True)
    dialog.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    first = dialog.proxy.index(0, 0).data()
    assert first == min((n for n, _c in counts), key=str.casefold)
    dialog.search.setText(cited[2:6].upper())
    assert 0 < dialog.proxy.rowCount() < len(counts)
    dialog.choose(cited)
    assert dialog.chosen().name == cited
    choose(dialog.boxes.reliability, "C")
    choose(dialog.boxes.credibility, "3")
    dialog.boxes.reason.setText("often first, sometimes wrong")
    with qtbot.waitSignal(dialog.reloaded, timeout=PAGE_TIMEOUT_MS):
        changed(qtbot, window, dialog.set_button.click)
    grade = window.store.event(16).grade
    assert (grade.code, grade.from_outlet) == ("C3", cited)
    assert window.store.outlet_grades()[cited].reason == "often first, sometimes wrong"
    assert grade_rows(seed_db, [16]) == [(16, None, None, None)]  # still not its own
    text = panel.toPlainText()
    assert "C3 – Fairly reliable, possibly true" in text
    assert f"the grade of {cited}, which it cites" in text
    assert dialog.chosen().grade.code == "C3"
    assert dialog.remove_button.isEnabled()
    assert window.state.selection == (16,)
    (told,) = [h for h in window.store.history() if h.kind == "grade outlet"]
    assert told.event_id is None
    assert told.before == {"outlet": cited, "grade": None, "grade_reason": ""}
    assert told.after["grade"] == "C3"
    assert window.edits.undo_action.text() == f"&Undo grading of ‘{cited}’ as C3"
    with qtbot.waitSignal(dialog.reloaded, timeout=PAGE_TIMEOUT_MS):
        changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.store.outlet_grades() == {}
    assert window.store.event(16).grade == Grade()
    assert "not graded" in panel.toPlainText()
    assert dialog.chosen().grade is None and not dialog.remove_button.isEnabled()
    assert [h.kind for h in window.store.history()][-1] == "undo grade outlet"
    changed(qtbot, window, window.edits.redo_action.trigger)
    assert window.store.event(16).grade.from_outlet == cited
