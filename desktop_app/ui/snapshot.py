"""Render the map to a PNG without showing a window: the ``snapshot`` command's engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import QImage

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map_view import FIT_TRIM, MapView
from desktop_app.ui.view_state import ViewState

PAGE_TIMEOUT_MS = 30_000


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
    """What the map page shows about events on hover and selection: title and date."""

    def describe(ids: list[int]) -> list[dict]:
        return [
            {"id": e.id, "title": e.title, "date": e.display_date or e.start}
            for e in store.events(ids)
        ]

    return describe


@dataclass(frozen=True)
class SnapshotRequest:
    """What to render: the window, the image size, an event to select, and the extent."""

    window: TimeWindow
    size: tuple[int, int] = (1280, 720)
    select: int | None = None
    fit: bool = True


def render_map(store: EventStore, request: SnapshotRequest) -> QImage:
    """The map for ``request`` as an image of exactly ``request.size`` pixels.

    A QApplication must exist (offscreen is fine). The view is never shown on screen.
    """
    if request.select is not None and store.event(request.select) is None:
        raise SnapshotError(f"there is no event with id {request.select}")
    state = ViewState(request.window)
    if request.select is not None:
        state.select([request.select])
    payload = encode_events(store.arrays())
    view = MapView(state, lambda: payload, describe_events(store))
    try:
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.resize(*request.size)
        view.show()
        failures: list[str] = []
        view.pageFailed.connect(failures.append)
        if not wait_until(lambda: view.is_ready or bool(failures), PAGE_TIMEOUT_MS):
            raise SnapshotError("the map page did not load in time")
        if failures:
            raise SnapshotError(f"the map page failed: {failures[0]}")
        painted: list[int] = []
        view.bridge.paintDone.connect(painted.append)
        view.run_js("EventAtlas.setControls(false)")
        if request.select is not None:
            view.run_js(f"EventAtlas.flyTo({int(request.select)})")
        elif request.fit:
            view.run_js(f"EventAtlas.fitVisible({FIT_TRIM})")
        view.run_js("EventAtlas.layer.redraw()")
        if not wait_until(lambda: bool(painted), PAGE_TIMEOUT_MS):
            raise SnapshotError("the map did not draw in time")
        # Let the basemap's own canvas and the compositor catch up with the last draw.
        wait_until(lambda: False, 250)
        image = view.grab().toImage()
    finally:
        view.close()
        view.deleteLater()
        # Delete the page now: a page outliving the shared web profile at exit is an error.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if (image.width(), image.height()) != request.size:
        image = image.scaled(
            *request.size,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def save_png(image: QImage, path: Path) -> None:
    """Write ``image`` to ``path`` atomically: a partial file never takes its place."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.part")
    if not image.save(str(temporary), "PNG"):
        temporary.unlink(missing_ok=True)
        raise SnapshotError(f"{path}: cannot write the image")
    temporary.replace(path)
