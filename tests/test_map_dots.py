"""Every event as its own dot: the map's dot style, in the real page and the window."""

from __future__ import annotations

import pytest

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.window import TimeWindow
from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Settings
from tests.mapping import js, open_map, open_window, synthetic_store

DENSE = 40_000


def everything(store) -> TimeWindow:
    first, last = store.time_bounds()
    return TimeWindow(first, last + 1)


def redrawn(qtbot, view, code: str):
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        value = js(qtbot, view, code)
    return value


def drawn_dots(qtbot, view) -> list[dict]:
    """Each event on the map with the colour of the canvas's pixel at its point."""
    return js(
        qtbot,
        view,
        """(() => {
            const canvas = document.querySelector('canvas.ea-events');
            const ctx = canvas.getContext('2d'), ratio = window.devicePixelRatio || 1;
            const size = EventAtlas.map.getSize(), out = [];
            for (const i of EventAtlas.placed) {
                const [x, y] = EventAtlas.containerPoint(i);
                if (x < 2 || y < 2 || x > size.x - 2 || y > size.y - 2) continue;
                const px = Math.floor(x * ratio), py = Math.floor(y * ratio);
                const [r, g, b, a] = ctx.getImageData(px, py, 1, 1).data;
                out.push({id: EventAtlas.ids[i], cat: EventAtlas.cat[i], x, y, rgba: [r, g, b, a]});
            }
            return out;
        })()""",
    )


def rgb(colour: str) -> list[int]:
    return [int(colour[k : k + 2], 16) for k in (1, 3, 5)]


def test_each_event_is_a_dot_of_its_category_colour_and_a_click_finds_it(qtbot, seed_store):
    view = open_map(qtbot, seed_store, everything(seed_store))
    assert js(qtbot, view, "EventAtlas.drawingDots") is False  # a small window: marks
    redrawn(qtbot, view, "EventAtlas.setMarkStyle('dots')")
    assert js(qtbot, view, "EventAtlas.drawingDots") is True
    assert js(qtbot, view, "EventAtlas.drawnGroups().length") == 0
    dots = drawn_dots(qtbot, view)
    assert len(dots) >= 20
    assert js(qtbot, view, "EventAtlas.dotsDrawn") >= len(dots)
    # Where events share a place the latest is on top: check the places of one event.
    by_point: dict[tuple, list[dict]] = {}
    for dot in dots:
        by_point.setdefault((round(dot["x"], 3), round(dot["y"], 3)), []).append(dot)
    alone = [found[0] for found in by_point.values() if len(found) == 1]
    assert alone
    for dot in alone:
        assert dot["rgba"][:3] == rgb(CATEGORIES[dot["cat"]].colour), dot
        assert dot["rgba"][3] == 255
    # A click on a dot lists every event at its place.
    shared = max(by_point.values(), key=len)
    with qtbot.waitSignal(view.bridge.clicked, timeout=10_000) as clicked:
        js(
            qtbot,
            view,
            f"""(() => {{
                const c = EventAtlas.map.getContainer(), r = c.getBoundingClientRect();
                const o = {{clientX: r.left + {shared[0]["x"]}, clientY: r.top + {shared[0]["y"]},
                           bubbles: true, button: 0}};
                for (const k of ['mousedown', 'mouseup', 'click']) {{
                    c.dispatchEvent(new MouseEvent(k, o));
                }}
                return true;
            }})()""",
        )
    assert set(clicked.args[0]) == {d["id"] for d in shared}
    # Back to marks: groups again, no dot left behind.
    redrawn(qtbot, view, "EventAtlas.setMarkStyle('groups')")
    assert js(qtbot, view, "EventAtlas.drawingDots") is False
    assert js(qtbot, view, "EventAtlas.drawnGroups().length") > 0
    assert js(qtbot, view, "EventAtlas.setMarkStyle('<img src=x>')") == "auto"


@pytest.fixture(scope="module")
def dense_db(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("dense") / "dense.db"
    with synthetic_store(path, DENSE) as store:
        store.arrays()
    return path


def test_a_dense_window_is_drawn_as_dots_automatically(qtbot, dense_db):
    from desktop_app.store.event_store import EventStore

    with EventStore(dense_db) as store:
        view = open_map(qtbot, store, everything(store), size=(900, 650))
        redrawn(qtbot, view, "EventAtlas.map.setView([48.5, 34], 6, {animate: false})")
        # More events in the window than marks are drawn for in a frame.
        assert js(qtbot, view, "EventAtlas.placed.length > EventAtlasDots.AUTO_DOTS_ABOVE")
        assert js(qtbot, view, "EventAtlas.markStyle") == "auto"
        assert js(qtbot, view, "EventAtlas.drawingDots") is True
        dots = drawn_dots(qtbot, view)
        assert len(dots) > DENSE // 2
        drawn = js(qtbot, view, "EventAtlas.dotsDrawn")
        assert len(dots) <= drawn <= DENSE
        # Every event on the map has a coloured pixel under it (it, or a later one there).
        colours = {tuple(rgb(c.colour)) for c in CATEGORIES}
        assert all(tuple(d["rgba"][:3]) in colours and d["rgba"][3] == 255 for d in dots)
        # A narrow window of the same store: few events, marks again.
        first = store.time_bounds()[0]
        redrawn(qtbot, view, f"EventAtlas.setWindow({first}, {first + 3})")
        assert js(qtbot, view, "EventAtlas.drawingDots") is False


def test_the_window_remembers_the_mark_style_chosen_in_the_view_menu(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    assert window.mark_style_actions["auto"].isChecked()
    window.mark_style_actions["dots"].trigger()
    qtbot.waitUntil(lambda: js(qtbot, window.map_view, "EventAtlas.markStyle") == "dots")
    assert Settings().get(opt.MARK_STYLE) == "dots"
    assert window.map_view.mark_style == "dots"
    window.close()
    again = open_window(qtbot, seed_db)
    assert again.mark_style_actions["dots"].isChecked()
    assert js(qtbot, again.map_view, "EventAtlas.markStyle") == "dots"
