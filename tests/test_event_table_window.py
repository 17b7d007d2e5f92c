"""The event table in the real window: linked both ways with the map's page and the
timeline through the view state, centring the map, its search box and its menu entry."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from desktop_app.core.filter import Filter
from desktop_app.core.window import TimeWindow
from desktop_app.ui.table.model import COLUMN_KEYS
from tests.mapping import PAGE_TIMEOUT_MS, click_event, js, open_window, visible_ids

WAIT_MS = 30_000


def table_window(qtbot, db):
    window = open_window(qtbot, db)
    window.table_dock.show()
    qtbot.waitUntil(lambda: not window.table.model.busy, timeout=WAIT_MS)
    return window


def row_of(window, event_id: int) -> int:
    return int(window.table.model.rows_of([event_id])[0])


def test_selecting_rows_selects_on_the_map_and_timeline(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    table = window.table
    ids = table.model.ids.tolist()
    assert len(ids) == window.store.count_between(window.state.window)
    flags = QItemSelectionModel.SelectionFlag
    chosen = [ids[1], ids[5]]
    view = table.view
    view.selectionModel().setCurrentIndex(
        table.model.index(5, 0), flags.ClearAndSelect | flags.Rows
    )
    view.selectionModel().select(table.model.index(1, 0), flags.Select | flags.Rows)
    assert set(window.state.selection) == set(chosen)
    assert window.state.current == ids[5]
    qtbot.waitUntil(
        lambda: set(js(qtbot, window.map_view, "Array.from(EventAtlas.selection)") or [])
        == set(chosen),
        timeout=WAIT_MS,
    )
    # The excerpt panel reads the current one.
    assert window.store.event(ids[5]).title[:30] in window.panel.details.toPlainText()


def test_a_click_on_the_map_selects_and_shows_the_row(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    table = window.table
    # The map shrank as the table appeared: let it measure itself before a click, and
    # wait until its size is the view's (the docks settle their sizes later).
    view = window.map_view

    def measured() -> bool:
        js(qtbot, view, "EventAtlas.map.invalidateSize({animate: false}) && true")
        size = js(qtbot, view, "[EventAtlas.map.getSize().x, EventAtlas.map.getSize().y]")
        return size == [view.width(), view.height()]

    qtbot.waitUntil(measured, timeout=WAIT_MS)
    placed = sorted(visible_ids(qtbot, window.map_view))
    # Far down the table, so that it has to scroll to it.
    target = max(placed, key=lambda i: row_of(window, i))
    click_event(qtbot, window.map_view, target)
    # A click selects every event at the marker's place; the first is read.
    qtbot.waitUntil(lambda: target in window.state.selection, timeout=WAIT_MS)
    rows = table.selected_rows().tolist()
    assert row_of(window, target) in rows
    assert set(table.selected_ids()) == set(window.state.selection)
    current = row_of(window, window.state.current)
    assert table.view.currentIndex().row() == current
    rect = table.view.visualRect(table.model.index(current, 0))
    assert table.view.viewport().rect().intersects(rect)
    # After a new order, the same events stay selected.
    table.model.sort(COLUMN_KEYS.index("category"), Qt.SortOrder.DescendingOrder)
    assert set(table.selected_ids()) == set(window.state.selection)


def test_double_click_centres_the_map_on_the_event(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    table = window.table
    vilnius = next(
        e for e in window.store.events(table.model.ids.tolist())
        if e.place and e.place.name == "Vilnius"
    )  # fmt: skip
    row = row_of(window, vilnius.id)
    table.view.scrollTo(table.model.index(row, 1))
    centre = table.view.visualRect(table.model.index(row, 1)).center()
    viewport = table.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert window.state.current == vilnius.id

    def centred() -> bool:
        centre = "EventAtlas.map.getCenter()"
        lat, lon = js(qtbot, window.map_view, f"[{centre}.lat, {centre}.lng]")
        return abs(lat - vilnius.place.lat) < 0.01 and abs(lon - vilnius.place.lon) < 0.01

    qtbot.waitUntil(centred, timeout=WAIT_MS)
    assert js(qtbot, window.map_view, "EventAtlas.map.getZoom()") >= 8


def test_timeline_only_events_are_in_the_table(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    bounds = window.index.bounds
    window.state.set_window(TimeWindow(bounds[0], bounds[1] + 1))
    model = window.table.model
    assert model.rowCount() == window.store.count()
    placeless = [e for e in window.store.events(model.ids.tolist()) if e.place is None]
    assert placeless
    row = row_of(window, placeless[0].id)
    place = model.data(model.index(row, COLUMN_KEYS.index("place")))
    assert place == "timeline only"
    # Double-clicking one says why the map does not move.
    window.centre_map_on(placeless[0].id)
    assert "timeline only" in window.statusBar().currentMessage()


def test_the_search_box_filters_table_map_and_timeline(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    table = window.table
    qtbot.keyClicks(table.search, "kharki*")
    qtbot.keyClick(table.search, Qt.Key.Key_Return)
    assert window.state.filter == Filter(text="kharki*")
    qtbot.waitUntil(lambda: not table.model.busy, timeout=WAIT_MS)
    expected = window.store.matching_ids(Filter(text="kharki*"), window.state.window)
    assert 0 < len(expected) < window.store.count_between(window.state.window)
    assert sorted(table.model.ids.tolist()) == expected.tolist()
    placed = {e.id for e in window.store.events(expected.tolist()) if e.place}
    qtbot.waitUntil(lambda: visible_ids(qtbot, window.map_view) == placed, timeout=WAIT_MS)
    assert f"{len(expected)} events" in table.count.text()
    # A filter set elsewhere shows in the box.
    window.state.set_filter(Filter(text="istanbul"))
    assert table.search.text() == "istanbul"


def test_view_menu_toggles_the_table_and_the_layout_keeps_it(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    assert not window.table_dock.isVisible()
    action = window.table_dock.toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    assert action.shortcut().toString() == "Ctrl+T"
    action.trigger()
    assert window.table_dock.isVisible()
    # Shown for the first time at a height for reading rows.
    qtbot.waitUntil(lambda: window.table_dock.height() >= 200, timeout=WAIT_MS)
    window.close()
    again = open_window(qtbot, seed_db)
    qtbot.waitUntil(lambda: again.table_dock.isVisible(), timeout=PAGE_TIMEOUT_MS)
    assert again.table.model.rowCount() == again.store.count_between(again.state.window)
    again.table_dock.toggleViewAction().trigger()
    assert not again.table_dock.isVisible()
    again.close()
    third = open_window(qtbot, seed_db)
    assert not third.table_dock.isVisible()


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every SQL statement run on any SQLite connection opened from now on (the
    window's, and the ones its background work opens), by SQLite's own trace callback."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


#: How the store's full-text query over titles and excerpts begins (its term follows).
TEXT_SEARCH = "SELECT group_concat(rowid) FROM events_fts WHERE events_fts MATCH"


def text_searches(statements: list[str]) -> int:
    """How many times the store's full-text query over titles and excerpts ran."""
    return sum(1 for s in statements if " ".join(s.split()).startswith(TEXT_SEARCH))


def test_one_text_search_serves_the_map_and_the_table(qtbot, seed_db, statements):
    window = table_window(qtbot, seed_db)
    table = window.table
    bounds = window.index.bounds
    window.state.set_window(TimeWindow(bounds[0], bounds[1] + 1))
    before = text_searches(statements)
    with qtbot.waitSignal(window.filterFound, timeout=WAIT_MS):
        window.state.set_filter(Filter(text="russia"))
    qtbot.waitUntil(lambda: not table.model.busy and not window.is_filtering, timeout=WAIT_MS)
    # Asked once, for the map, the counts and the table together.
    assert text_searches(statements) - before == 1
    expected = window.store.matching_ids(Filter(text="russia"))
    assert 1 < len(expected) < window.store.count()
    assert sorted(table.model.ids.tolist()) == expected.tolist()
    placed = {e.id for e in window.store.events(expected.tolist()) if e.place}
    assert visible_ids(qtbot, window.map_view) == placed
    # A category ticked off beside the text asks the store nothing more.
    found = window.store.events(expected.tolist())
    kept = {e.category for e in found} - {found[0].category}
    assert kept
    window.state.set_filter(Filter(text="russia", categories=kept))
    assert not table.model.busy
    shown = {e.id for e in found if e.category in kept}
    assert set(table.model.ids.tolist()) == shown
    assert visible_ids(qtbot, window.map_view) == shown & placed
    assert text_searches(statements) - before == 1
    qtbot.waitUntil(lambda: not window.is_filtering, timeout=WAIT_MS)


def test_the_table_drops_rows_of_another_filter_or_older_events(qtbot, seed_db):
    window = table_window(qtbot, seed_db)
    model, state = window.table.model, window.state
    flt = Filter(text="istanbul")
    with qtbot.waitSignal(window.filterFound, timeout=WAIT_MS):
        state.set_filter(flt)
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT_MS)
    shown = model.ids.tolist()
    assert shown and sorted(shown) == window.store.matching_ids(flt, state.window).tolist()
    every = np.ones(len(window.index), bool)
    # Rows found for a filter since replaced, or for events read before, are stale.
    model.show_filter_rows(Filter(text="kyiv"), window.index, every)
    assert model.ids.tolist() == shown
    old = window.index
    window.reload_events()
    assert window.index is not old
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT_MS)
    assert sorted(model.ids.tolist()) == sorted(shown)
    model.show_filter_rows(flt, old, every)
    assert sorted(model.ids.tolist()) == sorted(shown)
    # A new filter's rows are waited for: the table never shows the old filter's as its.
    state.set_filter(Filter(text="vilnius"))
    assert model.busy and model.ids.tolist() == shown
    model.show_filter_rows(flt, window.index, every)
    assert model.busy and model.ids.tolist() == shown
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT_MS)
    vilnius = window.store.matching_ids(Filter(text="vilnius"), state.window).tolist()
    assert vilnius and sorted(model.ids.tolist()) == vilnius
    # The timeline's bars of it are made before the window closes.
    qtbot.waitUntil(lambda: not window.is_filtering, timeout=WAIT_MS)


def test_a_search_answered_after_the_window_closed_reaches_nobody(qtbot, seed_db):
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.tasks import background_runner

    # Not handed to qtbot, which would close it again once deleted.
    window = MainWindow(EventStore(seed_db))
    window.show()
    qtbot.waitUntil(lambda: window.map_view.is_ready and not window.is_reading, timeout=WAIT_MS)
    window.state.set_filter(Filter(text="russia"))
    assert window.is_filtering
    # Closed and deleted before the answer is handled: it must not reach the views.
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(window, QEvent.Type.DeferredDelete)
    background_runner().wait()
    qtbot.wait(100)
