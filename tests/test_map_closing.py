"""The page's requests never raise into Qt: a window closing under a loading page is quiet."""

from __future__ import annotations

import sqlite3

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.ui.map.view import MapView
from desktop_app.ui.view_state import ViewState
from tests.mapping import PAGE_TIMEOUT_MS, open_window


def test_a_request_whose_data_is_gone_is_a_404_not_an_exception(qtbot, seed_store):
    def closed_store(_ids):
        raise sqlite3.ProgrammingError("Cannot operate on a closed database.")

    first, last = seed_store.time_bounds()
    payload = encode_events(seed_store.arrays())
    view = MapView(ViewState(TimeWindow(first, last + 1)), lambda: payload, closed_store)
    qtbot.addWidget(view)
    view.show()
    # The page asks for its place names while loading; pytest-qt fails this test if that
    # request raises in the Qt event loop.
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)


def test_closing_the_window_stops_serving_its_page(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    site = window.map_view._site
    handler = window.map_view._handler
    assert site in handler._sites
    window.close()
    assert site not in handler._sites


def test_the_page_calls_still_queued_after_closing_reach_no_closed_store(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    bridge = window.map_view.bridge
    window.state.select([1])
    window.close()
    # What the page may still send once the store is closed: an answer to an edit's
    # reload (any revision), a description request, a click. pytest-qt fails this test
    # if any of them reaches the closed store and raises in the Qt event loop.
    for revision in range(10):
        bridge.eventsReloaded(revision)
    bridge.eventsClicked("[1, 2]")
    assert bridge.describe("[1]") == "[]"
    qtbot.wait(50)
