"""Render the map to a PNG without showing a window: the ``snapshot`` command's engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QImage

from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore


class SnapshotError(Exception):
    """The map could not be rendered; the message says why."""


def wait_until(condition: Callable[[], bool], timeout_ms: int, step_ms: int = 20) -> bool:
    """Run the Qt event loop until ``condition()`` holds or ``timeout_ms`` passes."""
    loop = QEventLoop()
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            return False
        QTimer.singleShot(step_ms, loop.quit)
        loop.exec()
        waited += step_ms
    return True


def describe_events(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """What the map page shows about events on hover and selection: title and date, and
    the name and kind of the event's place (the map prints place names)."""

    def describe(ids: list[int]) -> list[dict]:
        return [
            {
                "id": e.id,
                "title": e.title,
                "date": e.display_date or e.start,
                "place": e.place.name if e.place else None,
                "place_kind": e.place.kind if e.place else None,
            }
            for e in store.events(ids)
        ]

    return describe


@dataclass(frozen=True)
class SnapshotRequest:
    """What to render: the window, the image size, and an event to select and centre
    (without one, the map fits the window's events)."""

    window: TimeWindow
    size: tuple[int, int] = (1280, 720)
    select: int | None = None


def render_map(store: EventStore, request: SnapshotRequest) -> QImage:
    """The map for ``request`` as an image of exactly ``request.size`` pixels, with the
    page's own scale bar and attribution (the export adds a caption and legend instead).

    A QApplication must exist (offscreen is fine). The view is never shown on screen.
    """
    from desktop_app.ui.export.render import MapRenderer  # that module builds on this one

    if request.select is not None and store.event(request.select) is None:
        raise SnapshotError(f"there is no event with id {request.select}")
    with MapRenderer(store, request.window, page_controls=True) as renderer:
        if request.select is not None:
            renderer.state.select([request.select])
        renderer.prepare(request.size, focus=request.select)
        return renderer.grab()
