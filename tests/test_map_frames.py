"""What a frame of the real map page does again and what it keeps: the country basemap
stays drawn over pans it still covers, and a frame of dots measures no part of the page."""

from __future__ import annotations

from desktop_app.core.window import TimeWindow
from tests.mapping import js, open_map

#: Keeps the part of the basemap's canvas that shows in the view (``window.shown``), and
#: says how many of its pixels differ from what it kept the time before, of how many.
SHOWN_BASEMAP = """(() => {
    const r = EventAtlas.basemapRenderer, map = EventAtlas.map, canvas = r._container;
    const at = L.DomUtil.getPosition(canvas), corner = map.containerPointToLayerPoint([0, 0]);
    const size = map.getSize(), m = canvas.width / r._bounds.getSize().x;
    const data = r._ctx.getImageData((corner.x - at.x) * m, (corner.y - at.y) * m,
                                     size.x * m, size.y * m).data;
    const before = window.shown;
    let differ = 0, land = 0;
    for (let k = 0; k < data.length; k += 4) {
        if (data[k + 3]) land++;
        if (before && (before[k] !== data[k] || before[k + 1] !== data[k + 1]
                       || before[k + 2] !== data[k + 2] || before[k + 3] !== data[k + 3])) differ++;
    }
    window.shown = data;
    return [differ, land, data.length / 4];
})()"""

#: Leaflet simplifies each outline within a pixel after clipping it to what it draws, so
#: the same view drawn from other bounds moves a few of the outlines' edge pixels: at
#: zooms 4 to 6 over Ukraine, 150 to 400 of the view's 585,000 pixels. A missing or
#: misplaced drawing would change tens of thousands.
EDGE_SHARE = 0.002


def differing(qtbot, view) -> tuple[int, int]:
    """How many of the view's basemap pixels changed since the last call, and of how many
    (the first call keeps them)."""
    differ, land, total = js(qtbot, view, SHOWN_BASEMAP)
    assert land > total // 4  # outlines and land, not an empty canvas
    return differ, total


def pan(qtbot, view, dx: int, dy: int) -> None:
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, f"(EventAtlas.map.panBy([{dx}, {dy}], {{animate: false}}), 1)")


def basemap_ready(qtbot, view) -> None:
    qtbot.waitUntil(
        lambda: js(qtbot, view, "(EventAtlas.basemapRenderer || {}).redraws > 0"),
        timeout=10_000,
    )


def test_pans_the_basemap_still_covers_keep_its_outlines_as_a_fresh_drawing_shows_them(
    qtbot, seed_store
):
    first, last = seed_store.time_bounds()
    view = open_map(qtbot, seed_store, TimeWindow(first, last + 1))
    basemap_ready(qtbot, view)
    js(qtbot, view, "(EventAtlas.map.setView([48.5, 34], 5, {animate: false}), 1)")
    before = js(qtbot, view, "EventAtlas.basemapRenderer.redraws")
    # The renderer draws a tenth of the view past each side: 40 pixels stay inside it.
    for dx, dy in ((40, 0), (-40, 0), (0, 40), (0, -40), (30, 20)):
        pan(qtbot, view, dx, dy)
    assert js(qtbot, view, "EventAtlas.basemapRenderer.redraws") == before
    differing(qtbot, view)
    js(qtbot, view, "(EventAtlas.basemapRenderer._update(), 1)")
    assert js(qtbot, view, "EventAtlas.basemapRenderer.redraws") == before + 1
    differ, total = differing(qtbot, view)
    assert differ <= EDGE_SHARE * total

    # A pan past what it drew, a zoom and a resize draw the outlines again.
    pan(qtbot, view, 400, 0)
    assert js(qtbot, view, "EventAtlas.basemapRenderer.redraws") == before + 2
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "(EventAtlas.map.setZoom(6, {animate: false}), 1)")
    assert js(qtbot, view, "EventAtlas.basemapRenderer.redraws") > before + 2
    zoomed = js(qtbot, view, "EventAtlas.basemapRenderer.redraws")
    view.resize(700, 500)
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.map.getSize().x") == 700, timeout=10_000)
    js(qtbot, view, "(EventAtlas.map.invalidateSize({animate: false}), 1)")
    qtbot.waitUntil(
        lambda: js(qtbot, view, "EventAtlas.basemapRenderer.redraws") > zoomed, timeout=10_000
    )
    differing(qtbot, view)
    js(qtbot, view, "(EventAtlas.basemapRenderer._update(), 1)")
    # Drawn afresh from the same bounds: the very same pixels.
    assert differing(qtbot, view)[0] == 0


def test_a_frame_of_dots_measures_nothing_on_the_page(qtbot, seed_store):
    first, last = seed_store.time_bounds()
    view = open_map(qtbot, seed_store, TimeWindow(first, last + 1))
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.countryPoints.length") > 0)
    # Closer in than the zoom of the countries' names: a frame of dots names nothing.
    js(qtbot, view, "(EventAtlas.map.setView([48.5, 34], 6, {animate: false}), 1)")
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.setMarkStyle('dots')")
    js(
        qtbot,
        view,
        """(() => {
            window.measured = 0;
            const own = Element.prototype.getBoundingClientRect;
            Element.prototype.getBoundingClientRect = function () {
                window.measured++;
                return own.call(this);
            };
            return 1;
        })()""",
    )
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, f"EventAtlas.setWindow({first!r}, {last + 1!r})")
    pan(qtbot, view, 40, 0)
    assert js(qtbot, view, "EventAtlas.drawingDots") is True
    assert js(qtbot, view, "EventAtlas.dotsDrawn") > 0
    assert js(qtbot, view, "[window.measured, EventAtlas.drawnLabels().length]") == [0, 0]
    # Back to marks: their names are chosen, clear of the controls, as before.
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.setMarkStyle('groups')")
    assert js(qtbot, view, "window.measured") > 0
    assert js(qtbot, view, "EventAtlas.drawnLabels().length") > 0
