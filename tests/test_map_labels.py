"""The map prints the names of its places and countries, readable on its own (real page)."""

from __future__ import annotations

import math
from collections import Counter

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import event_span
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import decode_events, encode_events
from desktop_app.ui.export.render import FIRST_SETTLE_MS
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.view import place_names
from tests.mapping import js, open_map

JUNE_2 = ("2025-06-02", "2025-06-03")


def day(text: str) -> float:
    return event_span(text, None, "day")[0]


def window(start: str, end: str) -> TimeWindow:
    return TimeWindow(day(start), day(end))


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and (
        a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def redrawn(qtbot, view, code: str) -> None:
    """Run ``code`` in the page, then wait until its event layer is drawn again and shown."""
    js(qtbot, view, f"(() => {{ {code}; return true; }})()")
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.redraw()")


#: The Black Sea and its shores at zoom 5: Ukraine, Istanbul, Vilnius.
BLACK_SEA = "EventAtlas.map.setView([48, 32], 5, {animate: false})"


def labels(qtbot, view) -> list[dict]:
    return js(qtbot, view, "EventAtlas.drawnLabels()")


def test_the_june_2_map_names_its_places_without_overlap(qtbot, seed_store):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    redrawn(qtbot, view, BLACK_SEA)
    shown = labels(qtbot, view)
    places = [b["text"] for b in shown if not b["country"]]
    for name in ("Kharkiv", "Sumy", "Zaporizhzhia", "Istanbul"):
        assert any(name in text for text in places), (name, places)
    for k, a in enumerate(shown):
        assert a["x"] >= 0 and a["y"] >= 0
        assert a["x"] + a["w"] <= 1100 and a["y"] + a["h"] <= 750
        for b in shown[k + 1 :]:
            assert not overlap(a, b), (a, b)
    # Nor hides under the legend, the zoom buttons or the scale bar.
    controls = js(
        qtbot,
        view,
        """Array.from(EventAtlas.map.getContainer().querySelectorAll('.leaflet-control'), (el) => {
            const r = el.getBoundingClientRect();
            const o = EventAtlas.map.getContainer().getBoundingClientRect();
            return {x: r.left - o.left, y: r.top - o.top, w: r.width, h: r.height};
        })""",
    )
    assert len(controls) >= 3
    assert not any(overlap(c, b) for c in controls for b in shown)
    # No label covers a marker, its own or another's.
    for mark in js(qtbot, view, "EventAtlas.drawnMarks()"):
        box = {"x": mark["x"] - 9, "y": mark["y"] - 9, "w": 18, "h": 18}
        assert not any(overlap(box, b) for b in shown), mark


def test_place_labels_follow_the_window(qtbot, seed_store):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    redrawn(qtbot, view, BLACK_SEA)
    june_2 = {b["text"] for b in labels(qtbot, view) if not b["country"]}
    # The same view a week earlier: only what happened then is named.
    js(qtbot, view, f"EventAtlas.setWindow({day('2025-05-25')}, {day('2025-05-31')})")
    earlier = {b["text"] for b in labels(qtbot, view) if not b["country"]}
    week = window("2025-05-25", "2025-05-31")
    names = {e.place.name for e in seed_store.events_between(week) if e.place}
    assert earlier and earlier <= names
    assert earlier != june_2
    js(qtbot, view, f"EventAtlas.setWindow({day('2019-01-01')}, {day('2019-02-01')})")
    assert [b for b in labels(qtbot, view) if not b["country"]] == []


#: In the page: the names of the window's places forgotten, then given again (as the
#: application names the events it reads later), then a pan of one pixel.
RENAMED_THEN_PANNED = """(() => {
    const EA = EventAtlas;
    const rows = Array.from(EA.placed, (i) => {
        const p = EA.placeOf[i];
        return [EA.ids[i], EA.placeName[p], EA.placeKind[p]];
    });
    EA.setPlaceNames([]);
    EA.redraw();
    const unnamed = EA.drawnLabels().filter((b) => !b.country).length;
    EA.nameEvents(rows);
    EA.map.panBy([1, 0], {animate: false});
    return {unnamed, named: EA.drawnLabels().filter((b) => !b.country).map((b) => b.text)};
})()"""


def test_names_given_after_a_frame_show_on_the_next_pan(qtbot, seed_store):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    redrawn(qtbot, view, BLACK_SEA)
    before = {b["text"] for b in labels(qtbot, view) if not b["country"]}
    drawn = js(qtbot, view, RENAMED_THEN_PANNED)
    assert drawn["unnamed"] == 0
    # A pan moves the names of the last frame, but these are new: placed anew, everywhere.
    assert set(drawn["named"]) == before
    assert "Istanbul" in " ".join(drawn["named"])


def test_a_name_a_pan_pushes_off_the_right_edge_comes_back_left_of_its_marker(
    qtbot, seed_store
):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    redrawn(qtbot, view, BLACK_SEA)
    # The right-hand name of a place whose left side is clear, moved by a pan until its
    # marker is 40 pixels from the right edge: the name no longer fits on its right.
    shown = [b for b in labels(qtbot, view) if not b["country"]]
    name = next(b for b in shown if "Kharkiv" in b["text"])
    marker_x = name["x"] - 10  # a mark's radius and the gap left of its name
    dx = round(1100 - 40 - marker_x)
    assert name["w"] > 40 and dx > 0
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, f"(EventAtlas.map.panBy([{-dx}, 0], {{animate: false}}), 1)")
    after = {b["text"]: b for b in labels(qtbot, view) if not b["country"]}
    assert name["text"] in after
    moved = after[name["text"]]
    assert moved["x"] + moved["w"] < marker_x + dx and moved["x"] + moved["w"] <= 1100
    # As a frame of the same view placed afresh (a zoom in and back) places it.
    redrawn(
        qtbot,
        view,
        "const z = EventAtlas.map.getZoom();"
        " EventAtlas.map.setZoom(z + 1, {animate: false});"
        " EventAtlas.map.setZoom(z, {animate: false})",
    )
    fresh = {b["text"]: b for b in labels(qtbot, view) if not b["country"]}
    assert abs(fresh[name["text"]]["x"] - moved["x"]) < 1


def test_country_names_show_zoomed_out_only_and_under_place_names(qtbot, seed_store):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    redrawn(qtbot, view, BLACK_SEA)
    countries = [b["text"] for b in labels(qtbot, view) if b["country"]]
    assert "UKRAINE" in countries and "TURKEY" in countries
    order = [b["country"] for b in labels(qtbot, view)]
    # Placed after every place name: a place's label wins a spot over a country's.
    assert order == sorted(order)
    redrawn(qtbot, view, "EventAtlas.map.setView([49.9, 36.2], 8, {animate: false})")
    close = labels(qtbot, view)
    assert not any(b["country"] for b in close)
    assert any("Kharkiv" in b["text"] for b in close)


def test_place_names_name_each_place_once_busiest_first(seed_store):
    payload = encode_events(seed_store.arrays())
    rows = place_names(decode_events(payload), describe_events(seed_store))
    events = {e.id: e for e in seed_store.all_events()}
    assert rows, "the bundled dataset has named places"
    coords = [(events[i].place.lat, events[i].place.lon) for i, _, _ in rows]
    assert len(coords) == len(set(coords))
    assert all(events[i].place.name == name for i, name, _ in rows)
    assert {kind for _, _, kind in rows} >= {"city", "region"}
    # The busiest place comes first; a limit keeps the busiest.
    busiest = Counter((e.place.lat, e.place.lon) for e in events.values() if e.place)
    assert coords[0] == busiest.most_common(1)[0][0]
    assert place_names(decode_events(payload), describe_events(seed_store), limit=3) == rows[:3]


def test_a_stacked_place_shows_the_mix_of_its_categories(qtbot, seed_store):
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(1100, 750))
    js(qtbot, view, "EventAtlas.setFade(false)")
    redrawn(qtbot, view, "EventAtlas.map.setView([41.04, 29.0], 12, {animate: false})")
    marks = js(qtbot, view, "EventAtlas.drawnMarks()")
    istanbul = [
        m for m in marks if any("Istanbul" in e.place.name for e in seed_store.events(m["ids"]))
    ]
    assert istanbul
    mixed = max(istanbul, key=lambda m: len(m["segments"]))
    held = Counter(e.category for e in seed_store.events(mixed["ids"]))
    assert len(held) > 1, held
    assert dict(mixed["segments"]) == dict(held)
    # And it is what the picture shows: each segment's middle is painted in its colour.
    # The compositor shows the frame a little after the page drew it (see export/render.py).
    qtbot.wait(FIRST_SETTLE_MS)
    image = view.grab().toImage()
    image.save("/tmp/rd/ist.png")
    ratio = image.width() / view.width()
    colours = {c.key: c.colour for c in CATEGORIES}
    angle = -math.pi / 2
    for key, count in mixed["segments"]:
        sweep = count / mixed["count"] * 2 * math.pi
        middle = angle + sweep / 2
        angle += sweep
        if sweep < 0.5:  # too thin a slice to sample one pixel of it reliably
            continue
        x = (mixed["x"] + 4.5 * math.cos(middle)) * ratio
        y = (mixed["y"] + 4.5 * math.sin(middle)) * ratio
        pixel = image.pixelColor(round(x), round(y))
        nearest = min(colours, key=lambda k: _distance(colours[k], pixel))
        assert nearest == key, (key, pixel.name())


def _distance(colour: str, pixel) -> float:
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return (r - pixel.red()) ** 2 + (g - pixel.green()) ** 2 + (b - pixel.blue()) ** 2


def test_a_long_title_near_the_right_edge_is_read_whole(qtbot, seed_store):
    width = 900
    view = open_map(qtbot, seed_store, window(*JUNE_2), size=(width, 600))
    kharkiv = next(
        e.id
        for e in seed_store.events_between(window(*JUNE_2))
        if e.place and "Kharkiv" in e.place.name
    )
    title = "A long title of the current event, " * 2
    view.page_api.set_selection([kharkiv], [title.strip()])
    # Kharkiv 40 pixels from the map's right edge: a title to its right would be cut off.
    x, _y = js(qtbot, view, f"EventAtlas.pixelOf({kharkiv})")
    redrawn(qtbot, view, f"EventAtlas.map.panBy([{x - (width - 40)}, 0], {{animate: false}})")
    x, _y = js(qtbot, view, f"EventAtlas.pixelOf({kharkiv})")
    assert width - 60 < x < width
    box = js(
        qtbot,
        view,
        """(() => {
            const el = EventAtlas.map.getContainer().querySelector('.ea-label');
            const r = el.getBoundingClientRect();
            const o = EventAtlas.map.getContainer().getBoundingClientRect();
            return {x: r.left - o.left, w: r.width, shown: el.style.display, text: el.textContent};
        })()""",
    )
    assert box["shown"] == "block" and box["text"] == title.strip()
    assert box["w"] > 200
    assert box["x"] >= 0 and box["x"] + box["w"] <= width, box
    # It went to the mark's left, clear of the mark.
    assert box["x"] + box["w"] < x
