"""Editing in the real window: the form, the undo stack, the map page (read from the real
page, which stays loaded), the timeline and the panel's history."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core.window import TimeWindow
from tests.mapping import PAGE_TIMEOUT_MS, js, open_window, visible_ids


def label(qtbot, window) -> str | None:
    """The title the page prints beside the current event (its selection label)."""
    return js(
        qtbot,
        window.map_view,
        """(() => { const l = EventAtlas.layer._label;
                    return l.style.display === "none" ? null : l.textContent; })()""",
    )


def mark_page(qtbot, window) -> None:
    js(qtbot, window.map_view, "(window.sameLoad = 'still here')")


def same_page(qtbot, window) -> bool:
    return js(qtbot, window.map_view, "window.sameLoad || null") == "still here"


def changed(qtbot, window, action) -> None:
    """Run ``action`` and wait until the page draws the store's new events."""
    with qtbot.waitSignal(window.map_view.eventsRefreshed, timeout=PAGE_TIMEOUT_MS):
        action()


def select(qtbot, window, event_id: int) -> None:
    event = window.store.event(event_id)
    window.state.set_window(TimeWindow(event.span[0] - 3, event.span[1] + 3))
    window.state.select([event_id])
    qtbot.waitUntil(lambda: label(qtbot, window) == event.title, timeout=PAGE_TIMEOUT_MS)


def test_an_edited_title_shows_on_the_page_and_undo_brings_the_old_one_back(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    old = window.store.event(16)
    select(qtbot, window, 16)
    mark_page(qtbot, window)
    form = window.edits.edit_current()
    assert form.title.text() == old.title
    form.title.setText("Talks moved <b>to</b> Geneva")
    changed(qtbot, window, form.accept)
    assert window.store.event(16).title == "Talks moved <b>to</b> Geneva"
    assert label(qtbot, window) == "Talks moved <b>to</b> Geneva"
    assert "Talks moved <b>to</b> Geneva" in window.panel.details.toPlainText()
    assert window.edits.undo_action.text().startswith("&Undo edit of ‘")
    assert same_page(qtbot, window)
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.store.event(16).title == old.title
    assert label(qtbot, window) == old.title
    changed(qtbot, window, window.edits.redo_action.trigger)
    assert label(qtbot, window) == "Talks moved <b>to</b> Geneva"
    assert same_page(qtbot, window)
    kinds = [h.kind for h in window.store.history(16)]
    assert kinds == ["edit", "undo edit", "redo edit"]
    window.panel.history_toggle.setChecked(True)
    text = window.panel.history_text.toPlainText()
    assert text.splitlines()[0].endswith("· redo edit")
    assert f"title: {old.title} → Talks moved <b>to</b> Geneva" in text


def test_a_moved_event_moves_on_the_map_and_the_timeline(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    select(qtbot, window, 16)
    form = window.edits.edit_current()
    form.start.setText("2024-01-10")
    form.end.setText("")
    form.precision.setCurrentIndex(form.precision.findData("day"))
    changed(qtbot, window, form.accept)
    assert 16 not in visible_ids(qtbot, window.map_view)
    t0 = window.store.event(16).span[0]
    assert t0 in window.index.arrays.t0[window.index.arrays.ids == 16]
    assert t0 in window.timeline.timeline.index.arrays.t0
    window.state.set_window(TimeWindow(t0, t0 + 1))
    qtbot.waitUntil(lambda: 16 in visible_ids(qtbot, window.map_view), timeout=PAGE_TIMEOUT_MS)


def test_the_form_says_what_is_wrong(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    select(qtbot, window, 16)
    form = window.edits.edit_current()
    form.start.setText("2025-13-02")
    form.accept()
    assert form.isVisible()
    assert form.problems.text() == "Start: not a date (write 2025-06-02, 2025-06 or 2025)."
    form.start.setText("2025-06-05")
    form.end.setText("2025-06-01")
    form.title.setText("  ")
    form.accept()
    assert form.problems.text().splitlines() == [
        "Title: an event needs a title.",
        "End: the end comes before the start.",
    ]
    assert form.problems.textFormat() == Qt.TextFormat.PlainText
    form.reject()
    assert window.store.history() == []


def place_name_of(qtbot, window, event_id: int) -> str | None:
    return js(
        qtbot,
        window.map_view,
        f"EventAtlas.placeName[EventAtlas.placeOf[EventAtlas.rowOf({event_id})]] || null",
    )


def named_places(qtbot, window) -> int:
    return js(qtbot, window.map_view, "EventAtlas.placeName.filter((n) => n).length")


def test_an_event_is_added_where_the_map_is_clicked(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    count = window.store.count()
    # The place names reach the page after its first frame.
    qtbot.waitUntil(lambda: named_places(qtbot, window) > 0, timeout=PAGE_TIMEOUT_MS)
    named = named_places(qtbot, window)
    kharkiv = place_name_of(qtbot, window, 16)
    assert kharkiv
    window.edits.add_action.trigger()
    lat, lon = js(
        qtbot,
        window.map_view,
        """(() => { const ll = EventAtlas.map.containerPointToLatLng([200, 150]);
                    return [ll.lat, ll.lng]; })()""",
    )
    js(
        qtbot,
        window.map_view,
        """(() => {
            const c = EventAtlas.map.getContainer(), r = c.getBoundingClientRect();
            const o = {clientX: r.left + 200, clientY: r.top + 150, bubbles: true, button: 0};
            for (const kind of ["mousedown", "mouseup", "click"]) {
                c.dispatchEvent(new MouseEvent(kind, o));
            }
            return true;
        })()""",
    )
    qtbot.waitUntil(lambda: window.edits.form is not None and window.edits.form.isVisible())
    form = window.edits.form
    assert abs(form.lat.value() - lat) < 1e-4 and abs(form.lon.value() - lon) < 1e-4
    middle = (window.state.window.start + window.state.window.end) / 2
    day = js(qtbot, window.map_view, f"new Date({middle} * 86400000).toISOString().slice(0, 10)")
    form.title.setText("Added at a click")
    form.start.setText(day)
    form.place_name.setText("Somewhere clicked")
    changed(qtbot, window, form.accept)
    assert window.store.count() == count + 1
    (new_id,) = window.state.selection
    added = window.store.event(new_id)
    assert added.title == "Added at a click" and added.place.name == "Somewhere clicked"
    assert new_id in visible_ids(qtbot, window.map_view)
    assert label(qtbot, window) == "Added at a click"
    # The page names the new place and keeps the names of the others.
    assert place_name_of(qtbot, window, new_id) == "Somewhere clicked"
    assert place_name_of(qtbot, window, 16) == kharkiv
    assert named_places(qtbot, window) == named + 1
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.store.count() == count
    assert new_id not in visible_ids(qtbot, window.map_view)
    assert named_places(qtbot, window) == named
    # Clicks after the point was chosen are marker clicks again.
    assert js(qtbot, window.map_view, "EventAtlas.pickingPoint") is False


def test_deleted_events_leave_the_map_and_come_back_on_undo(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    select(qtbot, window, 16)
    mark_page(qtbot, window)
    changed(qtbot, window, window.edits.delete_action.trigger)
    assert window.store.event(16) is None
    assert 16 not in visible_ids(qtbot, window.map_view)
    assert 16 not in window.index.arrays.ids
    assert window.state.selection == ()
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert 16 in visible_ids(qtbot, window.map_view)
    assert window.state.selection == (16,)
    assert same_page(qtbot, window)
    assert [h.kind for h in window.store.history(16)] == ["delete", "undo delete"]


def test_two_events_merge_and_undo_parts_them(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    keep, other = window.store.events([16, 17])
    window.state.set_window(
        TimeWindow(min(keep.span[0], other.span[0]) - 1, max(keep.span[1], other.span[1]) + 1)
    )
    window.state.select([16, 17])
    dialog = window.edits.merge_selected()
    dialog.keep.setCurrentIndex(dialog.keep.findData(16))
    dialog.other.setCurrentIndex(dialog.other.findData(17))
    changed(qtbot, window, dialog.accept)
    merged = window.store.event(16)
    assert window.store.event(17) is None
    assert set(merged.sources) == set(keep.sources) | set(other.sources)
    shown = visible_ids(qtbot, window.map_view)
    assert 17 not in shown and (16 in shown) == (keep.place is not None)
    assert window.edits.undo_action.text().startswith("&Undo merge into ‘")
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.store.events([16, 17]) == [keep, other]
    assert (17 in visible_ids(qtbot, window.map_view)) == (other.place is not None)
    kinds = [(h.kind, h.event_id) for h in window.store.history()]
    assert kinds == [("merge", 16), ("merge", 17), ("undo merge", 16), ("undo merge", 17)]


def test_no_two_menu_entries_share_a_key(qtbot, seed_db):
    """A key two actions claim runs neither (Qt calls it ambiguous)."""
    window = open_window(qtbot, seed_db)
    seen: dict[str, str] = {}
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            for key in action.shortcuts():
                text = key.toString()
                assert text not in seen, (text, seen.get(text), action.text())
                seen[text] = action.text()
    assert seen["F2"] == "&Edit event…"
    assert seen["Del"] == "&Delete"
    assert seen["Ctrl+Z"] == "&Undo" and seen["Ctrl+Shift+Z"] == "&Redo"


def test_a_grade_is_edited_in_the_form_undone_and_kept_in_the_history(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    select(qtbot, window, 16)
    before = window.store.event(16).grade
    form = window.edits.edit_current()
    assert form.reliability.currentData() == str(before.reliability)
    form.reliability.setCurrentIndex(form.reliability.findData("A"))
    form.credibility.setCurrentIndex(form.credibility.findData("1"))
    form.grade_reason.setText("confirmed on video by two newsrooms")
    changed(qtbot, window, form.accept)
    after = window.store.event(16).grade
    assert (after.code, after.reason) == ("A1", "confirmed on video by two newsrooms")
    assert "A1 – Completely reliable, confirmed by other sources" in (
        window.panel.details.toPlainText()
    )
    (edit,) = [h for h in window.store.history(16) if h.kind == "edit"]
    assert edit.before["grade"] == before.code and edit.after["grade"] == "A1"
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.store.event(16).grade == before


def test_an_outlet_s_grade_is_not_saved_as_the_event_s_own(qtbot, seed_db):
    from desktop_app.core.grading import Grade, parse_grade

    window = open_window(qtbot, seed_db)
    event = window.store.event(16)
    window.store.set_grades([16], Grade())
    window.store.set_outlet_grade(event.sources[0], parse_grade("C3"))
    select(qtbot, window, 16)
    form = window.edits.edit_current()
    assert form.reliability.currentData() == "F" and form.grade_note.isVisibleTo(form)
    assert "C3" in form.grade_note.text()
    form.title.setText("A new title")
    changed(qtbot, window, form.accept)
    stored = window.store.db.execute(
        "SELECT reliability, credibility FROM events WHERE id = 16"
    ).fetchone()
    assert stored == (None, None)  # still the outlet's, not copied onto the event
    assert window.store.event(16).grade.from_outlet == event.sources[0]


def test_undoing_a_delete_keeps_the_pair_marked_distinct(qtbot, tmp_path):
    from test_edit_store import offered, pairs_store

    store, db = pairs_store(tmp_path)
    first, second = sorted(next(iter(offered(store))))
    store.mark_distinct(first, second)
    store.close()
    window = open_window(qtbot, db)
    select(qtbot, window, first)
    changed(qtbot, window, window.edits.delete_action.trigger)
    assert window.store.event(first) is None
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert window.state.selection == (first,)
    assert window.store.db.execute(
        "SELECT first_id, second_id FROM distinct_events"
    ).fetchall() == [(first, second)]
    assert (first, second) not in offered(window.store)
    changed(qtbot, window, window.edits.redo_action.trigger)
    changed(qtbot, window, window.edits.undo_action.trigger)
    assert (first, second) not in offered(window.store)
    kinds = [h.kind for h in window.store.history(first)]
    assert kinds == ["delete", "undo delete", "redo delete", "undo delete"]
    assert window.store.history(first)[-1].after["distinct_from"] == [second]


def test_a_change_of_a_selection_whose_first_event_was_deleted_elsewhere_changes_the_rest(
    qtbot, seed_db
):
    from desktop_app.core.grading import parse_grade
    from desktop_app.store.event_store import EventStore

    window = open_window(qtbot, seed_db)
    window.state.select([15, 16, 17])
    with EventStore(seed_db) as other:  # another window deletes the first selected event
        other.delete_events([15])
    window.edits.grade([15, 16, 17], parse_grade("B2"))
    assert [e.grade.code for e in window.store.events([16, 17])] == ["B2", "B2"]
    assert window.edits.undo_action.text() == "&Undo grading of 3 events as B2"
    window.state.select([15, 16, 17])
    changed(qtbot, window, window.edits.delete_selected)
    assert window.store.events([15, 16, 17]) == []


def test_a_change_of_events_all_deleted_elsewhere_says_so(qtbot, seed_db):
    from desktop_app.store.event_store import EventStore

    window = open_window(qtbot, seed_db)
    window.state.select([15, 16])
    with EventStore(seed_db) as other:
        other.delete_events([15, 16])
    count = window.store.count()
    window.edits.delete_selected()
    assert window.statusBar().currentMessage() == (
        "The selected events are no longer in the store."
    )
    assert window.store.count() == count
    assert not window.edits.undo_action.isEnabled()


def test_a_grading_shows_through_a_filter_by_grade_without_sending_the_events_again(
    qtbot, seed_db
):
    from desktop_app.core.filter import Filter
    from desktop_app.core.grading import Grade, parse_grade

    window = open_window(qtbot, seed_db)
    window.store.set_grades([16], Grade())
    select(qtbot, window, 16)
    window.state.set_filter(Filter(min_reliability="A"))
    qtbot.waitUntil(lambda: 16 not in visible_ids(qtbot, window.map_view), timeout=PAGE_TIMEOUT_MS)
    sent: list[bool] = []
    window.map_view.eventsRefreshed.connect(lambda *_: sent.append(True))
    mark_page(qtbot, window)
    window.edits.grade([16], parse_grade("A1"))
    qtbot.waitUntil(lambda: 16 in visible_ids(qtbot, window.map_view), timeout=PAGE_TIMEOUT_MS)
    assert window.state.selection == (16,)
    assert "A1" in window.panel.details.toPlainText()
    window.edits.undo_action.trigger()
    qtbot.waitUntil(lambda: 16 not in visible_ids(qtbot, window.map_view), timeout=PAGE_TIMEOUT_MS)
    assert sent == [] and same_page(qtbot, window)
