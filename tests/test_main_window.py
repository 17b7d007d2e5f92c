"""The whole window on the bundled dataset: map, timeline and panel through one ViewState."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.window import TimeWindow
from tests.mapping import PAGE_TIMEOUT_MS, click_event, js, open_window, visible_ids


def test_window_shows_the_seed_places_and_status(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    state_window = window.state.window
    shown = visible_ids(qtbot, window.map_view)
    names = {e.place.name for e in window.store.events(sorted(shown))}
    for place in ("Istanbul", "Saratov", "Krasnodar", "Sumy", "Kharkiv", "Zaporizhzhia",
                  "Vilnius", "Mykolaiv", "Crimea"):  # fmt: skip
        assert any(place in name for name in names), place
    count = window.store.count_between(state_window)
    placed = window.index.placed_count_in(state_window)
    assert 0 < placed <= count
    text = window.status.text()
    assert text.startswith(f"{placed} on the map · ")
    assert ("timeline only" in text) == (placed < count)
    assert text.endswith("June 2025")
    assert f"{count} of the store's {window.store.count()} events" in window.status.toolTip()
    # A window with events that have no place says how many the map cannot show.
    everything = window.index.bounds
    window.state.set_window(TimeWindow(everything[0], everything[1] + 1))
    all_placed = window.index.placed_count_in(window.state.window)
    unplaced = window.store.count() - all_placed
    assert unplaced > 0
    assert f"{all_placed} on the map · {unplaced} timeline only · " in window.status.text()


def test_dragging_the_timeline_band_moves_the_map_window(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    timeline = window.timeline.timeline
    before = window.state.window
    scale = timeline.scale()
    middle = (before.start + before.end) / 2
    x = round(scale.x(middle))
    y = timeline.height() // 2
    days = 20
    dx = round(days / scale.days_per_pixel)
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(timeline, QPoint(x - dx // 2, y))
    qtbot.mouseMove(timeline, QPoint(x - dx, y))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x - dx, y))
    after = window.state.window
    assert after.start < before.start - days / 2
    assert abs(after.duration - before.duration) < 1e-6
    qtbot.waitUntil(lambda: js(qtbot, window.map_view, "EventAtlas.window[0]") == after.start)
    expected = {e.id for e in window.store.events_between(after) if e.place}
    assert visible_ids(qtbot, window.map_view) == expected
    assert window.status.toolTip().startswith(f"{window.store.count_between(after)} of")


def test_marker_click_fills_panel_and_timeline_highlights(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    vilnius = next(
        e for e in window.store.events_between(window.state.window)
        if e.place and e.place.name == "Vilnius"
    )  # fmt: skip
    click_event(qtbot, window.map_view, vilnius.id)
    qtbot.waitUntil(lambda: window.state.current == vilnius.id)
    assert vilnius.excerpt[:50] in window.panel.details.toPlainText()
    assert "BBC" in window.panel.details.toPlainText()


def test_layout_and_window_are_restored(qtbot, seed_db):
    first = open_window(qtbot, seed_db)
    chosen = TimeWindow(first.state.window.start - 30, first.state.window.start - 20)
    first.state.set_window(chosen)
    # The offscreen screen is small: stay inside it so the window manager does not clamp.
    first.resize(761, 533)
    first.panel_dock.hide()
    first.close()
    second = open_window(qtbot, seed_db)
    assert second.state.window == chosen
    assert (second.width(), second.height()) == (761, 533)
    assert not second.panel_dock.isVisible()
    assert second.timeline_dock.isVisible()


def test_opening_a_corrupt_store_is_refused(qtbot, seed_db, tmp_path, monkeypatch):
    window = open_window(qtbot, seed_db)
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 500)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert window.open_store(bad) is False
    assert warnings and "bad.db" in warnings[0]
    assert bad.read_bytes() == b"garbage" * 500
    assert window.store.count() > 40


def test_opening_another_store_replaces_the_events(qtbot, seed_db, tmp_path):
    window = open_window(qtbot, seed_db)
    other = tmp_path / "empty.db"
    assert window.open_store(other)
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    assert visible_ids(qtbot, window.map_view) == set()
    assert window.status.text().startswith("0 on the map · ")
    assert window.windowTitle().startswith("empty.db")
