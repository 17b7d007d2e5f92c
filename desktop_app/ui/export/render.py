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

import json
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QImage

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map.view import FIT_TRIM, MapView
from desktop_app.ui.snapshot import SnapshotError, describe_events, wait_until
from desktop_app.ui.view_state import ViewState

PAGE_TIMEOUT_MS = 30_000
JS_TIMEOUT_MS = 10_000
#: After the page says it drew, the compositor still has to show that frame; grabbing
#: sooner can return the frame before. Measured: two frames of 60 Hz are enough here.
SETTLE_MS = 40
#: The first draw after a load or a resize also waits for the basemap's own canvas.
FIRST_SETTLE_MS = 250

# The page draws its own scale and attribution; an export draws them itself, larger,
# where it wants them, and each can be switched off.
_HIDE_PAGE_CONTROLS = """(() => {
  EventAtlas.setControls(false);
  for (const el of EventAtlas.map.getContainer().querySelectorAll(
      '.leaflet-control-scale, .leaflet-control-attribution')) el.style.display = 'none';
  return true;
})()"""


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
    fade
        Whether older events in the window are drawn paler, as on screen.
    page_controls
        Keep the page's own scale bar and attribution (a plain snapshot); an export
        hides them and draws its own.
    """

    def __init__(
        self,
        store: EventStore,
        window: TimeWindow,
        *,
        online_layer: str | None = None,
        fade: bool = True,
        page_controls: bool = False,
    ) -> None:
        self.state = ViewState(window)
        self._page_controls = page_controls
        payload = encode_events(store.arrays())
        self.view = MapView(
            self.state, lambda: payload, describe_events(store), online_layer=online_layer
        )
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self._fade = fade
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
        self.evaluate(
            "EventAtlas.setControls(false)" if self._page_controls else _HIDE_PAGE_CONTROLS
        )
        self.evaluate(f"EventAtlas.setFade({'true' if self._fade else 'false'})")
        # Leaflet must see the new size before it frames anything.
        self.evaluate("EventAtlas.map.invalidateSize({animate: false}) || true")
        if focus is not None:
            self.evaluate(f"EventAtlas.flyTo({int(focus)})")
        elif extent is None:
            self.evaluate(f"EventAtlas.fitVisible({FIT_TRIM})")
        else:
            bounds = json.dumps(
                [[extent.bounds[0], extent.bounds[1]], [extent.bounds[2], extent.bounds[3]]]
                if extent.bounds
                else None
            )
            self.evaluate(
                f"""(() => {{
                const map = EventAtlas.map, b = {bounds};
                map.setView([{extent.lat!r}, {extent.lon!r}], {extent.zoom!r}, {{animate: false}});
                if (b && !map.getBounds().pad(0.02).contains(L.latLngBounds(b)))
                    map.fitBounds(b, {{animate: false}});
                return true;
            }})()"""
            )
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
        self.view.run_js("EventAtlas.layer.redraw()")
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
        info = self.evaluate("EventAtlas.viewInfo()")
        if not isinstance(info, dict):
            raise SnapshotError("the map page did not describe its view")
        return info

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page, through JSON."""
        return evaluate(self.view, expression)

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        # Delete the page now: a page outliving the shared web profile at exit is an error.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def __enter__(self) -> MapRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def evaluate(view: MapView, expression: str):
    """Evaluate ``expression`` in ``view``'s page (once it is ready) and return its value."""
    results: list[str | None] = []
    view.run_js(f"JSON.stringify({expression})", results.append)
    if not wait_until(lambda: bool(results), JS_TIMEOUT_MS, step_ms=2):
        raise SnapshotError("the map page did not answer")
    text = results[0]
    return None if text in (None, "") else json.loads(text)
