"""One offscreen map page, loaded once, that exports draw frames from.

A snapshot, every frame of an animation and the picture inside a PDF come from the same
real map page the window shows (:class:`MapView`), rendered offscreen. The page is
loaded once; a new frame only sends the page a time window and grabs the result.

Pixel ratio 2 is rendered with the view's zoom factor: the widget is twice the size in
device pixels and the page zoomed to 200 %, so Leaflet lays out the same extent in the
same CSS pixels while Chromium reports ``devicePixelRatio == 2``. Text, outlines and the
event canvas (which sizes its backing store by ``devicePixelRatio``) are then drawn at
double density, not upscaled. (Scaling a 1x grab would blur; setting ``QT_SCALE_FACTOR``
would change the whole process.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import QImage

from desktop_app.core.filter import Filter
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.page import MapLook
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.view import FIT_TRIM, MapView
from desktop_app.ui.opening import dataset_coded
from desktop_app.ui.view_state import ViewState


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


PAGE_TIMEOUT_MS = 30_000
JS_TIMEOUT_MS = 10_000
#: After the page says it drew, the compositor still has to show that frame; grabbing
#: sooner can return the frame before. Measured: two frames of 60 Hz are enough here.
SETTLE_MS = 40
#: The first draw after a load or a resize also waits for the basemap's own canvas.
FIRST_SETTLE_MS = 250


@dataclass(frozen=True)
class MapExtent:
    """Where the map looks: a centre and zoom, and the bounds that must stay in view.

    ``bounds`` is ``(south, west, north, east)``; when the export's map is smaller than
    the view it copies, the map zooms out until those bounds fit.
    """

    lat: float
    lon: float
    zoom: float
    bounds: tuple[float, float, float, float] | None = None

    @classmethod
    def from_view_info(cls, info: dict) -> MapExtent:
        return cls(
            float(info["lat"]), float(info["lon"]), float(info["zoom"]), tuple(info["bounds"])
        )


class MapRenderer:
    """An offscreen map page that draws the store's events for any time window.

    Parameters
    ----------
    store
        The events to draw (read once, when the page loads).
    window
        The first time window.
    online_layer
        The online base layer the window shows, if any (a key of ``ONLINE_LAYERS``).
    look
        How the events are drawn (fading, halos, marks), as on screen.
    page_controls
        Keep the page's own scale bar and attribution (a plain snapshot); an export
        hides them and draws its own.
    matching
        Returns the ids a filter lets through, for a filter set on :attr:`state` that is
        more than categories (by default the store's ``matching_ids``).
    """

    def __init__(
        self,
        store: EventStore,
        window: TimeWindow,
        *,
        online_layer: str | None = None,
        look: MapLook | None = None,
        page_controls: bool = False,
        matching: Callable[[Filter], Any] | None = None,
    ) -> None:
        self.state = ViewState(window)
        self._page_controls = page_controls
        # A dataset's own categories keep their codes and looks, as on screen.
        arrays, categories = dataset_coded(store, store.arrays())
        payload = encode_events(arrays)
        self.view = MapView(
            self.state,
            lambda: payload,
            describe_events(store),
            online_layer=online_layer,
            matching=matching or store.matching_ids,
            categories=categories,
        )
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        # A page drawn for exports is not a window of the user's: closing the last real
        # window must still quit the app.
        self.view.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.look = look or MapLook()
        self._painted = 0
        self._failures: list[str] = []
        self.view.bridge.paintDone.connect(self._on_painted)
        self.view.pageFailed.connect(self._failures.append)
        self.size: tuple[int, int] = (0, 0)
        self.scale = 1

    def _on_painted(self, _seq: int) -> None:
        self._painted += 1

    # -- set-up ------------------------------------------------------------------------------

    def prepare(
        self,
        size: tuple[int, int],
        scale: int = 1,
        extent: MapExtent | None = None,
        window: TimeWindow | None = None,
        focus: int | None = None,
    ) -> None:
        """Size the map (in logical pixels, times ``scale``) and frame it.

        With no ``extent`` the map fits the events of ``window`` (default: the current
        one), or centres the event ``focus``; an animation passes its whole range, so that
        every frame has the same extent.
        """
        if window is not None:
            self.state.set_window(window)
        if scale not in (1, 2):
            raise SnapshotError(f"the pixel ratio must be 1 or 2, not {scale}")
        self.size, self.scale = (int(size[0]), int(size[1])), scale
        view = self.view
        view.resize(self.size[0] * scale, self.size[1] * scale)
        view.setZoomFactor(float(scale))
        view.show()
        if not wait_until(lambda: view.is_ready or bool(self._failures), PAGE_TIMEOUT_MS):
            raise SnapshotError("the map page did not load in time")
        if self._failures:
            raise SnapshotError(f"the map page failed: {self._failures[0]}")
        api = view.page_api
        wait_for(api.set_controls, False)
        # The page draws its own scale and attribution; an export draws them itself, larger,
        # where it wants them, and each can be switched off.
        wait_for(api.set_scale_and_attribution, self._page_controls)
        wait_for(api.set_fade, self.look.fade)
        wait_for(api.set_halos, self.look.halos)
        wait_for(api.set_mark_style, self.look.mark_style)
        # Leaflet must see the new size before it frames anything.
        wait_for(api.invalidate_size)
        if focus is not None:
            wait_for(api.fly_to, focus)
        elif extent is None:
            wait_for(api.fit_visible, FIT_TRIM)
        else:
            wait_for(api.show_extent, extent.lat, extent.lon, extent.zoom, extent.bounds)
        self.redraw(settle_ms=FIRST_SETTLE_MS)

    # -- frames ------------------------------------------------------------------------------

    def set_window(self, window: TimeWindow) -> None:
        """Show ``window`` and wait until the page has drawn it."""
        if window == self.state.window:
            self.redraw()
            return
        before = self._painted
        self.state.set_window(window)
        self._wait_painted(before, SETTLE_MS)

    def redraw(self, settle_ms: int = SETTLE_MS) -> None:
        before = self._painted
        self.view.page_api.redraw()
        self._wait_painted(before, settle_ms)

    def _wait_painted(self, before: int, settle_ms: int) -> None:
        if not wait_until(lambda: self._painted > before, PAGE_TIMEOUT_MS, step_ms=2):
            raise SnapshotError("the map did not draw in time")
        wait_until(lambda: False, settle_ms, step_ms=settle_ms)

    def grab(self) -> QImage:
        """The map as it is drawn now: ``size`` times ``scale`` device pixels."""
        image = self.view.grab().toImage()
        want = (self.size[0] * self.scale, self.size[1] * self.scale)
        if (image.width(), image.height()) != want:
            image = image.scaled(
                *want,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(self.scale)
        return image

    def view_info(self) -> dict:
        """What the page shows now: zoom, centre, bounds, categories in view, attribution."""
        return view_info(self.view)

    def halos_drawn(self) -> bool:
        """Whether the page's last draw drew any halo of a place known only roughly."""
        halos = wait_for(self.view.page_api.drawn_halos)
        return isinstance(halos, list) and bool(halos)

    def shown_ids(self) -> list[int]:
        """The ids of the events on the map now (those :meth:`view_info` counts)."""
        ids = wait_for(self.view.page_api.shown_ids)
        if not isinstance(ids, list):
            raise SnapshotError("the map page did not list its events")
        return [int(i) for i in ids]

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        # Delete the page now: a page outliving the shared web profile at exit is an error.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def __enter__(self) -> MapRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def wait_for(call: Callable[..., None], *args: Any) -> Any:
    """Call a :class:`PageApi` method (once the page is ready) and return the page's reply."""
    results: list[Any] = []
    call(*args, reply=results.append)
    if not wait_until(lambda: bool(results), JS_TIMEOUT_MS, step_ms=2):
        raise SnapshotError("the map page did not answer")
    return results[0]


def view_info(view: MapView) -> dict:
    """What ``view``'s page shows now: zoom, centre, bounds, categories in view, attribution."""
    info = wait_for(view.page_api.view_info)
    if not isinstance(info, dict):
        raise SnapshotError("the map page did not describe its view")
    # The categories the page's codes stand for, for a legend in their colours.
    info["drawn"] = view.categories
    return info


@dataclass(frozen=True)
class SnapshotRequest:
    """What to render: the window, the image size, and an event to select and centre
    (without one, the map fits the window's events).

    A saved view also gives the map's ``extent`` (which wins over centring ``select``),
    its ``filter`` and its ``selection``.
    """

    window: TimeWindow
    size: tuple[int, int] = (1280, 720)
    select: int | None = None
    extent: MapExtent | None = None
    filter: Filter = field(default_factory=Filter)
    selection: tuple[int, ...] = ()
    look: MapLook = MapLook()


def render_map(store: EventStore, request: SnapshotRequest) -> QImage:
    """The map for ``request`` as an image of exactly ``request.size`` pixels, with the
    page's own scale bar and attribution (the export adds a caption and legend instead).

    A QApplication must exist (offscreen is fine). The view is never shown on screen.
    """
    if request.select is not None and store.event(request.select) is None:
        raise SnapshotError(f"there is no event with id {request.select}")
    with MapRenderer(
        store,
        request.window,
        look=request.look,
        page_controls=True,
        matching=store.matching_ids,
    ) as renderer:
        renderer.state.set_filter(request.filter)
        selection = list(request.selection)
        if request.select is not None:
            selection = [request.select, *(i for i in selection if i != request.select)]
        if selection:
            renderer.state.select(selection)
        focus = request.select if request.extent is None else None
        renderer.prepare(request.size, extent=request.extent, focus=focus)
        return renderer.grab()
