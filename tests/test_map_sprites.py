"""Plain marks as sprites: in the real page, the same look as a path per mark, tens of
thousands of marks in a frame from a few canvas calls, and a click still finds its event."""

from __future__ import annotations

import json

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.window import TimeWindow
from tests.mapping import click_event, grid_store, js, open_map

#: The last zoom of the online and MBTiles base layers: there, marks are never clustered.
DEEP_ZOOM = 19


def everything(store) -> TimeWindow:
    first, last = store.time_bounds()
    return TimeWindow(first, last + 1)


def deep_view(qtbot, view) -> None:
    """The map at its last zoom over the grid's centre, as a map with tiles allows."""
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(
            qtbot,
            view,
            f"(EventAtlas.map.setMaxZoom({DEEP_ZOOM}),"
            f" EventAtlas.map.setView([48.5, 35.0], {DEEP_ZOOM}, {{animate: false}}), 1)",
        )


def rgb(colour: str) -> list[int]:
    return [int(colour[k : k + 2], 16) for k in (1, 3, 5)]


def near(got: list[int], want: list[int], off: int) -> bool:
    """Whether the channels of ``got`` are within ``off`` of ``want``'s (as many as it has)."""
    return all(abs(a - b) <= off for a, b in zip(got, want, strict=False))


#: In the page: one redraw with each way of drawing plain marks, and what they drew.
COMPARE = """(() => {
    const EA = EventAtlas, canvas = document.querySelector('canvas.ea-events');
    const ctx = canvas.getContext('2d'), ratio = window.devicePixelRatio || 1;
    const frame = (sprites) => {
        EA.spriteMarks = sprites;
        EA.redraw();
        return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    const paths = frame(false), sprites = frame(true);
    const ink = (d) => {
        const sum = [0, 0, 0, 0];
        for (let p = 0; p < d.length; p += 4) {
            for (let c = 0; c < 3; c++) sum[c] += d[p + c] * d[p + 3] / 255;
            sum[3] += d[p + 3];
        }
        return sum;
    };
    const at = (d, x, y) => {
        const p = (Math.floor(y * ratio) * canvas.width + Math.floor(x * ratio)) * 4;
        return [d[p], d[p + 1], d[p + 2], d[p + 3]];
    };
    const g = EA.groups;
    const centres = EA.drawn.marks.map((m) => {
        const x = g.x[m.group], y = g.y[m.group];
        return {x, y, key: m.segments[0][0], paths: at(paths, x, y), sprites: at(sprites, x, y)};
    });
    return {inkPaths: ink(paths), inkSprites: ink(sprites), centres, selected: EA.drawn.selected};
})()"""


def _grid_at_deep_zoom(qtbot, tmp_path, cols: int, rows: int, selected: int):
    """A store of places 19 pixels apart (six categories, fading) on a map at the deep
    zoom, with the event of the ``selected``-th placed row selected: (store, view, the
    selected event's id)."""
    store = grid_store(tmp_path / "grid.db", cols, rows, 19)
    view = open_map(qtbot, store, everything(store))
    deep_view(qtbot, view)
    chosen = int(js(qtbot, view, f"EventAtlas.ids[EventAtlas.placed[{selected}]]"))
    js(qtbot, view, f"EventAtlas.setSelection({json.dumps(json.dumps({'ids': [chosen]}))})")
    return store, view, chosen


def test_sprite_marks_look_like_the_paths_they_replace(qtbot, tmp_path):
    # 600 places 19 pixels apart: crowded enough that stars and diamonds overlap, six
    # categories, fading (each mark at its own opacity) and one selected event.
    store, view, chosen = _grid_at_deep_zoom(qtbot, tmp_path, 30, 20, selected=250)
    drawn = js(qtbot, view, COMPARE)
    centres = drawn["centres"]
    assert len(centres) == store.count()  # every event a mark of its own, none stacked
    colours = {c.key: rgb(c.colour) for c in CATEGORIES}
    for mark in centres:
        # Inside the shape: the category's colour (to the rounding of a faint pixel) at the
        # mark's opacity, either way; the selected mark is opaque.
        assert near(mark["sprites"], colours[mark["key"]], 2) or mark["sprites"][3] == 255, mark
        assert near(mark["sprites"], mark["paths"], 3), mark
    # The same ink in all (each colour weighted by its coverage): same shapes, outlines
    # and opacities, wherever the pixel grid cuts their edges.
    for paths, sprites in zip(drawn["inkPaths"], drawn["inkSprites"], strict=True):
        assert abs(sprites - paths) <= 0.01 * paths, (drawn["inkPaths"], drawn["inkSprites"])
    assert drawn["selected"] == [chosen]


#: In the page: the canvas calls one redraw makes (wrapping the browser's own methods).
COUNT_CALLS = """(() => {
    const proto = CanvasRenderingContext2D.prototype, counts = {};
    const names = ['fill', 'stroke', 'drawImage', 'putImageData'];
    const kept = names.map((name) => proto[name]);
    names.forEach((name, k) => {
        counts[name] = 0;
        proto[name] = function (...args) { counts[name]++; return kept[k].apply(this, args); };
    });
    try { EventAtlas.redraw(); } finally { names.forEach((name, k) => { proto[name] = kept[k]; }); }
    return {counts, marks: EventAtlas.drawn.marks.length, groups: EventAtlas.groups.n,
            clustering: EventAtlas.groups.clustering, dots: EventAtlas.drawingDots};
})()"""


def test_twenty_thousand_marks_draw_from_a_few_canvas_calls_and_clicks_find_them(qtbot, tmp_path):
    # 22,400 places 20 pixels apart over a 4K map: each its own mark at the last zoom.
    store = grid_store(tmp_path / "grid.db", 200, 112, 20)
    view = open_map(qtbot, store, everything(store), size=(3840, 2160))
    deep_view(qtbot, view)
    drawn = js(qtbot, view, COUNT_CALLS)
    assert not drawn["dots"] and not drawn["clustering"]
    assert drawn["marks"] >= 20_000
    assert drawn["groups"] == drawn["marks"]
    # A path per mark would be 20,000 fills and strokes; sprites are one put of pixels.
    counts = drawn["counts"]
    assert counts["fill"] + counts["stroke"] < 50, counts
    assert counts["putImageData"] + counts["drawImage"] <= 2, counts
    colours = [rgb(c.colour) for c in CATEGORIES]
    sample = js(
        qtbot,
        view,
        """(() => {
            const EA = EventAtlas, canvas = document.querySelector('canvas.ea-events');
            const ctx = canvas.getContext('2d'), g = EA.groups, out = [];
            for (let k = 0; k < g.n; k += 997) {
                const x = g.x[k], y = g.y[k];
                if (x < 2 || y < 2 || x > canvas.width - 2 || y > canvas.height - 2) continue;
                const [r, gr, b, a] = ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data;
                out.push({id: EA.ids[g.last[k]], cat: EA.cat[g.last[k]], rgba: [r, gr, b, a]});
            }
            return out;
        })()""",
    )
    assert len(sample) >= 20
    for mark in sample:
        assert near(mark["rgba"], colours[mark["cat"]], 2), mark
        assert mark["rgba"][3] > 0
    for mark in sample[:: len(sample) // 3][:3]:
        with qtbot.waitSignal(view.bridge.clicked, timeout=10_000) as clicked:
            click_event(qtbot, view, mark["id"])
        assert clicked.args[0] == [mark["id"]]


#: In the page: pan by each step in turn, then the canvas's pixels; then the same frame
#: drawn from nothing (its buffer of marks forgotten) and its pixels, and where each
#: frame drew its marks.
PANNED_AND_FRESH = """(() => {
    const EA = EventAtlas, canvas = document.querySelector('canvas.ea-events');
    const ctx = canvas.getContext('2d');
    for (const [dx, dy] of STEPS) EA.map.panBy([dx, dy], {animate: false});
    const panned = Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
    const marks = EA.drawnMarks().map((m) => [m.x, m.y]);
    EA.layer._marks = null;
    EA.redraw();
    const fresh = Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
    const differ = panned.reduce((n, v, k) => n + (v !== fresh[k]), 0);
    return {differ, ink: panned.filter((v, k) => k % 4 === 3 && v > 0).length, marks,
            freshMarks: EA.drawnMarks().map((m) => [m.x, m.y])};
})()"""


def test_a_pan_moves_the_marks_drawn_and_draws_what_a_fresh_frame_would(qtbot, tmp_path):
    # Overlapping marks 19 pixels apart, six categories, fading, a selected mark: after
    # pans of every direction the page redraws only the strips a pan uncovered.
    store, view, chosen = _grid_at_deep_zoom(qtbot, tmp_path, 60, 40, selected=1250)
    steps = [[40, 0], [0, 40], [-23, 17], [5, -61], [-40, 0], [300, 0], [-300, 0]]
    drawn = js(qtbot, view, PANNED_AND_FRESH.replace("STEPS", json.dumps(steps)))
    assert drawn["ink"] > 100_000
    assert drawn["marks"] == drawn["freshMarks"] and len(drawn["marks"]) > 500
    assert drawn["differ"] == 0
    # Hover and clicks read the groups of the last frame: they find a mark after pans.
    at = "EventAtlas.groups.last[EventAtlas.groupAt(300, 200)]"
    other = int(js(qtbot, view, f"EventAtlas.ids[{at}]"))
    assert other != chosen
    with qtbot.waitSignal(view.bridge.clicked, timeout=10_000) as clicked:
        click_event(qtbot, view, other)
    assert clicked.args[0] == [other]
