"""What a frame of the real map page does again and what it keeps: a frame of dots
measures no part of the page."""

from __future__ import annotations

from desktop_app.core.window import TimeWindow
from tests.mapping import js, open_map


def pan(qtbot, view, dx: int, dy: int) -> None:
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, f"(EventAtlas.map.panBy([{dx}, {dy}], {{animate: false}}), 1)")


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


def test_a_frame_of_dots_leaves_the_stacks_of_its_zoom_found_while_idle(qtbot, seed_store):
    first, last = seed_store.time_bounds()
    view = open_map(qtbot, seed_store, TimeWindow(first, last + 1))
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.setMarkStyle('dots')")
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "(EventAtlas.map.setView([48.5, 34], 7, {animate: false}), 1)")
    missing = """(() => {
        const G = EventAtlasGroups, scale = 256 * 2 ** EventAtlas.map.getZoom();
        return [scale, scale * 2, scale / 2].map((s) => G.stacksMissing(EventAtlas, s));
    })()"""
    # Zoom 7 was drawn only as dots: its stacks, and those of zooms 6 and 8, come idle.
    qtbot.waitUntil(lambda: js(qtbot, view, missing) == [False, False, False], timeout=5_000)
    # The next frame of markers uses them: the same stacks, not new ones.
    kept = "EventAtlasGroups.stacksAt(EventAtlas, 256 * 2 ** 7)"
    js(qtbot, view, f"(window.kept = {kept}, 1)")
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.setMarkStyle('groups')")
    assert js(qtbot, view, f"window.kept === {kept} && EventAtlas.groups.n > 0") is True
