"""Helpers for tests that drive the real map page."""

from __future__ import annotations

import json

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map_view import MapView
from desktop_app.ui.snapshot import describe_events
from desktop_app.ui.view_state import ViewState

PAGE_TIMEOUT_MS = 30_000


def open_map(qtbot, store: EventStore, window: TimeWindow, size=(900, 650)) -> MapView:
    """A real MapView on ``store``, loaded and ready."""
    state = ViewState(window)
    payload = encode_events(store.arrays())
    view = MapView(state, lambda: payload, describe_events(store))
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    return view


def js(qtbot, view: MapView, code: str):
    """Evaluate the expression ``code`` in the page and return its value, through JSON."""
    with qtbot.waitCallback(timeout=10_000) as callback:
        view.page().runJavaScript(f"JSON.stringify({code})", 0, callback)
    text = callback.args[0]
    return None if text in (None, "") else json.loads(text)


def click_event(qtbot, view: MapView, event_id: int) -> None:
    """Click in the page where the event's marker is drawn."""
    x, y = js(qtbot, view, f"EventAtlas.pixelOf({event_id})")
    js(
        qtbot,
        view,
        f"""(() => {{
            const c = EventAtlas.map.getContainer(), r = c.getBoundingClientRect();
            const o = {{clientX: r.left + {x}, clientY: r.top + {y}, bubbles: true, button: 0}};
            c.dispatchEvent(new MouseEvent('mousedown', o));
            c.dispatchEvent(new MouseEvent('mouseup', o));
            c.dispatchEvent(new MouseEvent('click', o));
            return true;
        }})()""",
    )


def visible_ids(qtbot, view: MapView) -> set[int]:
    return {int(i) for i in js(qtbot, view, "EventAtlas.visibleIds()")}
