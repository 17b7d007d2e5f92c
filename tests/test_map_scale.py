"""The map page at scale, in the real offscreen page: counts, hit-testing, clustering,
the legend, origin-to-target arcs, and online tiles that cannot load."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from desktop_app.core.categories import CATEGORIES, category
from desktop_app.core.event import Event, Place
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.geojson import read_geojson
from desktop_app.mapgen.payload import decode_events, encode_events
from desktop_app.store.event_store import EventStore
from tests.mapping import FIRST_DAY, PAGE_TIMEOUT_MS, click_event, js, open_map, synthetic_store

#: Windows over the synthetic data's three years: a day, a month, a season, a year.
WINDOWS = [(FIRST_DAY + a, FIRST_DAY + b) for a, b in
           [(10, 11), (400, 430), (700, 790), (0, 365), (1000, 1095), (-50, -20)]]  # fmt: skip


@pytest.fixture(scope="module")
def store_1k(tmp_path_factory):
    store = synthetic_store(tmp_path_factory.mktemp("scale") / "1k.db", 1_000)
    yield store
    store.close()


@pytest.fixture(scope="module")
def store_100k(tmp_path_factory):
    store = synthetic_store(tmp_path_factory.mktemp("scale") / "100k.db", 100_000)
    yield store
    store.close()


def set_window(qtbot, view, start: float, end: float) -> int:
    return js(qtbot, view, f"EventAtlas.setWindow({start!r}, {end!r})")


@pytest.mark.parametrize("size", ["1k", "100k"])
def test_counts_per_window_match_the_store(qtbot, request, size):
    store = request.getfixturevalue(f"store_{size}")
    view = open_map(qtbot, store, TimeWindow(*WINDOWS[1]))
    js(qtbot, view, "EventAtlas.map.setView([49, 34], 6, {animate: false}) && 1")
    for start, end in WINDOWS:
        window = TimeWindow(start, end)
        # Every synthetic event has a place, so the store's count is the placed count.
        assert set_window(qtbot, view, start, end) == store.count_between(window)
        assert js(qtbot, view, "EventAtlas.visibleCount()") == store.count_between(window)
    # Scrubbing keeps the user's view.
    assert js(qtbot, view, "[EventAtlas.map.getZoom(), EventAtlas.map.getCenter().lat]") == [6, 49]
    if size == "1k":
        window = TimeWindow(*WINDOWS[3])
        set_window(qtbot, view, window.start, window.end)
        shown = {int(i) for i in js(qtbot, view, "EventAtlas.visibleIds()")}
        assert shown == {e.id for e in store.events_between(window)}


def test_hit_testing_finds_the_event_at_its_pixel(qtbot, store_1k):
    window = TimeWindow(*WINDOWS[3])
    view = open_map(qtbot, store_1k, window)
    events = store_1k.events_between(window)
    for event in events[:: len(events) // 12][:12]:
        # flyTo zooms in until the event is no longer hidden in a cluster.
        assert js(qtbot, view, f"EventAtlas.flyTo({event.id})") is True
        x, y = js(qtbot, view, f"EventAtlas.pixelOf({event.id})")
        assert 0 <= x <= 900 and 0 <= y <= 650
        hits = js(qtbot, view, f"EventAtlas.hitTest({x}, {y})")
        assert event.id in hits
        # Everything in that hit is drawn as the same marker: at one spot or very near.
        for other in store_1k.events(hits):
            ox, oy = js(qtbot, view, f"EventAtlas.pixelOf({other.id})")
            assert math.hypot(ox - x, oy - y) <= 2 * 16
    # Far from every event (the middle of the Atlantic) nothing is hit.
    js(qtbot, view, "EventAtlas.map.setView([40, -40], 6, {animate: false}) && 1")
    assert js(qtbot, view, "EventAtlas.hitTest(450, 325)") == []
    # A real click where an event is drawn selects it, with its neighbours at that spot.
    target = events[0]
    js(qtbot, view, f"EventAtlas.flyTo({target.id})")
    click_event(qtbot, view, target.id)
    qtbot.waitUntil(lambda: target.id in view._state.selection)


def test_clusters_add_up_to_the_visible_count(qtbot, store_100k):
    window = TimeWindow(*WINDOWS[1])
    view = open_map(qtbot, store_100k, window)
    js(qtbot, view, "EventAtlas.fitVisible(0)")
    js(qtbot, view, "EventAtlas.map.setZoom(5, {animate: false}) && 1")
    groups = js(qtbot, view, "EventAtlas.drawnGroups()")
    visible = js(qtbot, view, "EventAtlas.visibleCount()")
    assert visible == store_100k.count_between(window) > 1000
    assert sum(g["count"] for g in groups) == visible
    clusters = [g for g in groups if g["cluster"]]
    assert clusters and len(groups) < 100
    # Clicking a cluster zooms in (it does not select); the counts still add up after.
    biggest = max(clusters, key=lambda g: g["count"])
    zoom = js(qtbot, view, "EventAtlas.map.getZoom()")
    js(qtbot, view, f"EventAtlas.zoomToGroup(EventAtlas.groupAt({biggest['x']}, {biggest['y']}))")
    assert js(qtbot, view, "EventAtlas.map.getZoom()") > zoom
    js(qtbot, view, "EventAtlas.map.setView([48.5, 33], 4, {animate: false}) && 1")
    groups = js(qtbot, view, "EventAtlas.drawnGroups()")
    assert sum(g["count"] for g in groups) == visible
    # Flying to an event hidden in a cluster zooms in until it stands on its own.
    js(qtbot, view, "EventAtlas.map.setView([48.5, 33], 5, {animate: false}) && 1")
    hidden = store_100k.events_between(window)[0]
    assert js(qtbot, view, f"EventAtlas.flyTo({hidden.id})") is True
    assert js(qtbot, view, "EventAtlas.map.getZoom()") > 5
    x, y = js(qtbot, view, f"EventAtlas.pixelOf({hidden.id})")
    assert hidden.id in js(qtbot, view, f"EventAtlas.hitTest({x}, {y})")
    assert not js(qtbot, view, f"EventAtlas.groups.isCluster(EventAtlas.groupAt({x}, {y}))")
    # At the last zoom level nothing clusters: a click there lists events instead.
    js(qtbot, view, "EventAtlas.map.setView([50.0, 36.23], 19, {animate: false}) && 1")
    assert not any(g["cluster"] for g in js(qtbot, view, "EventAtlas.drawnGroups()"))


def test_same_place_badge_groups_nearby_places(qtbot, tmp_path):
    # Two events 3 km apart and one 300 km away: at zoom 5 the first two are one marker
    # with a count of 2, not two overlapping badges.
    store = EventStore(tmp_path / "near.db")
    store.add_events(
        [
            Event("a", "A", "2025-06-02", place=Place("Kharkiv centre", 49.9935, 36.2304)),
            Event("b", "B", "2025-06-02", place=Place("Kharkiv north", 50.0205, 36.2304)),
            Event("c", "C", "2025-06-02", place=Place("Kyiv", 50.4501, 30.5234)),
        ]
    )
    day = float(np.floor(store.time_bounds()[0]))
    view = open_map(qtbot, store, TimeWindow(day, day + 1))
    js(qtbot, view, "EventAtlas.map.setView([49, 33], 5, {animate: false}) && 1")
    counts = sorted(g["count"] for g in js(qtbot, view, "EventAtlas.drawnGroups()"))
    assert counts == [1, 2]
    js(qtbot, view, "EventAtlas.map.setView([50, 36.23], 12, {animate: false}) && 1")
    counts = sorted(g["count"] for g in js(qtbot, view, "EventAtlas.drawnGroups()"))
    assert counts == [1, 1]
    store.close()


def test_legend_lists_the_categories_shown(qtbot, tmp_path):
    store = EventStore(tmp_path / "legend.db")
    keys = ["strike", "diplomacy", "humanitarian"]
    store.add_events(
        [
            Event(k, k, "2025-06-02", category=k, place=Place("Kyiv", 50.45, 30.52 + n))
            for n, k in enumerate(keys)
        ]
        + [Event("later", "later", "2025-07-02", category="economy", place=Place("Lviv", 49.8, 24))]
    )
    day = float(np.floor(store.time_bounds()[0]))
    view = open_map(qtbot, store, TimeWindow(day, day + 1))
    shown = js(qtbot, view, "EventAtlas.legend.shown()")
    # In the palette's order, with the labels the categories config gives.
    assert shown == [c.label for c in CATEGORIES if c.key in keys]
    set_window(qtbot, view, day + 30, day + 31)
    assert js(qtbot, view, "EventAtlas.legend.shown()") == [category("economy").label]
    set_window(qtbot, view, day - 100, day - 99)
    assert js(qtbot, view, "EventAtlas.legend._box.style.display") == "none"
    # The legend is a control of the page: gone from pictures with the zoom buttons.
    js(qtbot, view, "EventAtlas.setControls(false)")
    set_window(qtbot, view, day, day + 1)
    assert js(qtbot, view, "getComputedStyle(EventAtlas.legend._box).display") == "none"
    store.close()


ARC_PROBE = """(() => {
  const map = EventAtlas.map, c = EventAtlas.layer._canvas, r = window.devicePixelRatio || 1;
  const a = map.latLngToContainerPoint(%s), b = map.latLngToContainerPoint(%s);
  // The quadratic curve's middle: a quarter of each end plus half the control point.
  const dx = b.x - a.x, dy = b.y - a.y;
  const cx = (a.x + b.x) / 2 + dy * 0.2, cy = (a.y + b.y) / 2 - dx * 0.2;
  const x = 0.25 * a.x + 0.5 * cx + 0.25 * b.x, y = 0.25 * a.y + 0.5 * cy + 0.25 * b.y;
  const ctx = c.getContext('2d');
  let best = 0;
  for (let ox = -2; ox <= 2; ox++) for (let oy = -2; oy <= 2; oy++) {
    const d = ctx.getImageData(Math.round((x + ox) * r), Math.round((y + oy) * r), 1, 1).data;
    best = Math.max(best, d[3]);
  }
  const d = ctx.getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data;
  return {alpha: best, rgb: [d[0], d[1], d[2]]};
})()"""


def test_arcs_join_origin_and_target(qtbot, tmp_path):
    store = EventStore(tmp_path / "arcs.db")
    belgorod, kharkiv = Place("Belgorod", 50.5997, 36.5983), Place("Kharkiv", 49.9935, 36.2304)
    lviv, kyiv = Place("Lviv", 49.8397, 24.0297), Place("Kyiv", 50.4501, 30.5234)
    store.add_events(
        [
            Event("s", "Strike", "2025-06-02", category="strike", place=kharkiv, origin=belgorod),
            Event("m", "Move", "2025-06-02", category="strike", place=kyiv),
        ]
    )
    assert [e.origin for e in store.all_events()] == [belgorod, None]
    day = float(np.floor(store.time_bounds()[0]))
    view = open_map(qtbot, store, TimeWindow(day, day + 1))
    js(qtbot, view, "EventAtlas.setFade(false)")
    js(qtbot, view, "EventAtlas.map.setView([50.2, 33], 7, {animate: false}) && 1")
    assert js(qtbot, view, "EventAtlas.arcsDrawn") == 1
    arc = js(qtbot, view, ARC_PROBE % ("[50.5997, 36.5983]", "[49.9935, 36.2304]"))
    assert arc["alpha"] > 100
    # Strike orange (#D55E00) with the page's transparency: red well above blue.
    assert arc["rgb"][0] > arc["rgb"][2] + 80
    # No origin, no arc: nothing is drawn between Lviv and Kyiv.
    assert js(qtbot, view, ARC_PROBE % ("[49.8397, 24.0297]", "[50.4501, 30.5234]"))["alpha"] == 0
    assert lviv.name == "Lviv"
    store.close()


def test_origin_travels_from_geojson_to_the_page_buffer(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [36.2304, 49.9935]},
                "properties": {
                    "title": "Strike on Kharkiv",
                    "start": "2025-06-02",
                    "category": "strike",
                    "place": "Kharkiv",
                    "origin": {"name": "Belgorod", "lat": 50.5997, "lon": 36.5983},
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [30.52, 50.45]},
                "properties": {"title": "Talks", "start": "2025-06-03", "place": "Kyiv"},
            },
        ],
    }
    path = tmp_path / "arcs.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    batch = read_geojson(path)
    assert batch.problems == []
    assert batch.events[0].origin == Place("Belgorod", 50.5997, 36.5983)
    with EventStore(tmp_path / "arcs.db") as store:
        store.add_events(batch.events)
        back = decode_events(encode_events(store.arrays()))
    assert back.origin_lat[0] == pytest.approx(50.5997) and back.origin_lon[0] == pytest.approx(
        36.5983
    )
    assert np.isnan(back.origin_lat[1]) and np.isnan(back.origin_lon[1])


def test_unreachable_tiles_are_reported_once(qtbot, seed_db, monkeypatch):
    import xyzservices

    from desktop_app.mapgen import page
    from desktop_app.ui import settings as opt
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import Settings

    # A tile server that refuses every connection: what "no network" looks like.
    dead = xyzservices.TileProvider(
        name="Dead", url="https://127.0.0.1:9/{z}/{x}/{y}.png", attribution="Dead tiles ©"
    )
    monkeypatch.setitem(page.ONLINE_LAYERS, "dead", dead)
    Settings().set(opt.ONLINE_LAYER, "dead")  # the layer chosen last time is remembered
    window = MainWindow(EventStore(seed_db))
    qtbot.addWidget(window)
    reports = []
    window.map_view.tilesUnavailable.connect(lambda: reports.append(1))
    window.show()
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(reports), timeout=PAGE_TIMEOUT_MS)
    assert "unavailable" in window.statusBar().currentMessage()
    # More failing tiles (panning, zooming) say nothing more.
    view = window.map_view
    for lat, lon, zoom in [(45, 20, 6), (52, 35, 7), (48, 30, 5)]:
        js(qtbot, view, f"EventAtlas.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}) && 1")
        qtbot.wait(300)
    assert reports == [1]
    assert "Dead tiles ©" in js(
        qtbot, view, "EventAtlas.map.attributionControl.getContainer().textContent"
    )
    # The map itself still works.
    assert js(qtbot, view, "EventAtlas.visibleCount()") > 0


@pytest.mark.parametrize("key", ["osm", "imagery"])
def test_online_layers_carry_their_attribution(key):
    from desktop_app.mapgen.page import ONLINE_LAYERS, PageSpec, build_page

    html = build_page(PageSpec(window=(0, 1), online_layer=key))
    provider = ONLINE_LAYERS[key]
    # folium writes the provider's HTML attribution into the layer's options (as JSON).
    found = re.search(r'"attribution": ("(?:[^"\\]|\\.)*")', html)
    assert found and json.loads(found.group(1)) == provider.html_attribution
