"""PageApi: every method against the real map page, and nobody else writing page code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.page_api import PageApi
from desktop_app.ui.map.view import MapView
from desktop_app.ui.view_state import ViewState
from tests.mapping import PAGE_TIMEOUT_MS, js, open_map, visible_ids

ROOT = Path(__file__).resolve().parents[1]
#: 30 May - 2 June 2025: the strikes, the jamming and the Istanbul talks.
WINDOW = TimeWindow(20238.0, 20242.0)
#: A title that would end a string, a script or a tag if it were ever pasted into code.
HOSTILE = 'Strike"); window.hacked = 1; ("</script><img src=x onerror=alert(1)> \' ` ${1}'


def reply(qtbot, method, *args):
    """Call ``method`` with ``args`` and return the page's decoded reply."""
    with qtbot.waitCallback(timeout=10_000) as callback:
        method(*args, reply=callback)
    return callback.args[0]


@pytest.fixture
def page(qtbot, seed_store):
    view = open_map(qtbot, seed_store, WINDOW)
    return view, view.page_api, seed_store


def placed_ids(store, window: TimeWindow) -> set[int]:
    return {e.id for e in store.events_between(window) if e.place}


def test_set_window_shows_that_window_and_replies_with_the_count(qtbot, page):
    view, api, store = page
    week = TimeWindow(20234.0, 20241.0)
    expected = placed_ids(store, week)
    assert expected != placed_ids(store, WINDOW)
    assert reply(qtbot, api.set_window, week.start, week.end) == len(expected)
    assert js(qtbot, view, "EventAtlas.window") == [week.start, week.end]
    assert visible_ids(qtbot, view) == expected


def test_visible_ids_are_the_placed_events_of_the_window(qtbot, page):
    _view, api, store = page
    assert set(reply(qtbot, api.visible_ids)) == placed_ids(store, WINDOW)


def test_set_selection_carries_any_title_as_text(qtbot, page):
    view, api, store = page
    ids = sorted(placed_ids(store, WINDOW))[:3]
    assert reply(qtbot, api.set_selection, ids, [HOSTILE]) == 3
    assert js(qtbot, view, "Array.from(EventAtlas.selection)") == ids
    assert js(qtbot, view, "EventAtlas.selectionTitles") == [HOSTILE]
    assert js(qtbot, view, "window.hacked === undefined") is True
    assert reply(qtbot, api.set_selection, [], []) == 0


def test_set_fade(qtbot, page):
    view, api, _store = page
    api.set_fade(False)
    assert js(qtbot, view, "EventAtlas.fade") is False
    reply(qtbot, api.set_fade, True)
    assert js(qtbot, view, "EventAtlas.fade") is True


def test_set_controls_hides_zoom_and_legend(qtbot, page):
    view, api, _store = page
    hidden = "EventAtlas.map.getContainer().classList.contains('ea-no-controls')"
    reply(qtbot, api.set_controls, False)
    assert js(qtbot, view, hidden) is True
    reply(qtbot, api.set_controls, True)
    assert js(qtbot, view, hidden) is False


def test_set_scale_and_attribution(qtbot, page):
    view, api, _store = page
    shown = """Array.from(EventAtlas.map.getContainer().querySelectorAll(
        '.leaflet-control-scale, .leaflet-control-attribution'), (el) => el.style.display)"""
    assert len(js(qtbot, view, shown)) == 2
    reply(qtbot, api.set_scale_and_attribution, False)
    assert js(qtbot, view, shown) == ["none", "none"]
    reply(qtbot, api.set_scale_and_attribution, True)
    assert js(qtbot, view, shown) == ["", ""]


def test_redraw_paints_again(qtbot, page):
    view, api, _store = page
    before = js(qtbot, view, "EventAtlas.paintSeq")
    # The page tells the bridge once the frame of that paint is shown.
    with qtbot.waitSignal(
        view.bridge.paintDone, timeout=10_000, check_params_cb=lambda seq: seq == before + 1
    ):
        assert reply(qtbot, api.redraw) == before + 1


def inside(qtbot, view, event_id: int) -> bool:
    x, y = js(qtbot, view, f"EventAtlas.pixelOf({event_id})")
    w, h = js(qtbot, view, "[EventAtlas.map.getSize().x, EventAtlas.map.getSize().y]")
    return 0 <= x <= w and 0 <= y <= h


def test_show_extent_and_fly_to(qtbot, page):
    view, api, store = page
    kharkiv = next(e for e in store.events_between(WINDOW) if e.place and "Kharkiv" in e.place.name)
    assert reply(qtbot, api.show_extent, 10.0, -40.0, 6) == 6  # the mid-Atlantic
    centre = js(qtbot, view, "EventAtlas.map.getCenter()")
    assert abs(centre["lat"] - 10) < 0.05 and abs(centre["lng"] + 40) < 0.05
    assert not inside(qtbot, view, kharkiv.id)
    assert reply(qtbot, api.fly_to, kharkiv.id) is True
    assert inside(qtbot, view, kharkiv.id)
    assert reply(qtbot, api.fly_to, 10**6) is False


def test_show_extent_zooms_out_until_the_bounds_fit(qtbot, page):
    view, api, _store = page
    europe = (36.0, -10.0, 60.0, 40.0)
    zoom = reply(qtbot, api.show_extent, 48.0, 15.0, 8, europe)
    assert zoom < 8
    s, w, n, e = js(qtbot, view, "EventAtlas.viewInfo().bounds")
    assert s <= europe[0] and w <= europe[1] and n >= europe[2] and e >= europe[3]


def test_fit_visible_brings_every_visible_event_into_view(qtbot, page):
    view, api, store = page
    reply(qtbot, api.show_extent, 10.0, -40.0, 7)
    assert reply(qtbot, api.fit_visible, 0.0) is True
    assert all(inside(qtbot, view, i) for i in placed_ids(store, WINDOW))
    reply(qtbot, api.set_window, 0.0, 1.0)  # 1970: nothing to fit
    assert reply(qtbot, api.fit_visible, 0.1) is False


def test_invalidate_size_measures_the_resized_view(qtbot, page):
    view, api, _store = page
    view.resize(640, 480)
    # The page learns its new size from the renderer, a moment later.
    qtbot.waitUntil(
        lambda: js(qtbot, view, "[window.innerWidth, window.innerHeight]") == [640, 480]
    )
    assert reply(qtbot, api.invalidate_size) is True
    assert js(qtbot, view, "[EventAtlas.map.getSize().x, EventAtlas.map.getSize().y]") == [
        640,
        480,
    ]


def test_view_info_describes_what_is_on_screen(qtbot, page):
    view, api, _store = page
    reply(qtbot, api.fit_visible, 0.0)
    info = reply(qtbot, api.view_info)
    assert info["zoom"] == js(qtbot, view, "EventAtlas.map.getZoom()")
    assert info["size"] == js(
        qtbot, view, "[EventAtlas.map.getSize().x, EventAtlas.map.getSize().y]"
    )
    assert sum(info["categories"].values()) == len(visible_ids(qtbot, view))
    assert "Natural Earth" in info["attribution"]


def test_calls_wait_until_the_page_is_ready(qtbot, seed_store):
    state = ViewState(WINDOW)
    payload = encode_events(seed_store.arrays())
    view = MapView(state, lambda: payload, describe_events(seed_store))
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    assert not view.is_ready
    answers: list = []
    view.page_api.set_fade(False, reply=answers.append)
    view.page_api.visible_ids(answers.append)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=PAGE_TIMEOUT_MS)
    assert set(answers[1]) == placed_ids(seed_store, WINDOW)
    assert js(qtbot, view, "EventAtlas.fade") is False


def test_arguments_are_json_and_nothing_else():
    sent: list[str] = []
    api = PageApi(lambda code, callback: sent.append(code))
    api.set_selection([7], [HOSTILE])
    api.show_extent(1.5, -2.25, 3, (0, 1, 2, 3))
    assert sent == [
        'EventAtlas.setSelection("{\\"ids\\": [7], \\"titles\\": [\\"Strike\\\\\\"); window.hacked'
        ' = 1; (\\\\\\"</script><img src=x onerror=alert(1)> \' ` ${1}\\"]}")',
        "EventAtlas.showExtent(1.5, -2.25, 3.0, [0.0, 1.0, 2.0, 3.0])",
    ]
    with pytest.raises(ValueError):
        api.set_window(float("nan"), 1.0)


def test_only_the_page_api_writes_page_code():
    """Python elsewhere in the app never writes a call into the page."""
    writers = set()
    for path in (ROOT / "desktop_app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"EventAtlas\.|runJavaScript", text):
            writers.add(path.relative_to(ROOT).as_posix())
    # The page scaffold starts the layer; MapView runs what PageApi wrote.
    assert writers == {
        "desktop_app/ui/map/page_api.py",
        "desktop_app/ui/map/view.py",
        "desktop_app/mapgen/folium_page.py",
    }


def test_drawn_labels_name_the_window_s_places_in_boxes_that_do_not_overlap(qtbot, page):
    _view, api, store = page
    labels = reply(qtbot, api.drawn_labels)
    places = {b["text"] for b in labels if not b["country"]}
    names = {e.place.name for e in store.events_between(WINDOW) if e.place}
    assert places and places <= names
    boxes = [(b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"]) for b in labels]
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        for u0, v0, u1, v1 in boxes[k + 1 :]:
            assert x1 <= u0 or u1 <= x0 or y1 <= v0 or v1 <= y0
