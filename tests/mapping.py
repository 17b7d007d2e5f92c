"""Helpers for tests that drive the real map page."""

from __future__ import annotations

import json

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.view import MapView
from desktop_app.ui.view_state import ViewState

PAGE_TIMEOUT_MS = 30_000


def open_map(qtbot, store: EventStore, window: TimeWindow, size=(900, 650)) -> MapView:
    """A real MapView on ``store``, loaded and ready."""
    state = ViewState(window)
    payload = encode_events(store.arrays())
    view = MapView(state, lambda: payload, describe_events(store), matching=store.matching_ids)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    return view


def open_window(qtbot, db_path):
    """A real MainWindow on the store at ``db_path``, shown, its map page ready and its
    timeline filled in (which follows the map's first frame)."""
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(EventStore(db_path))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.map_view.is_ready and not window.is_reading, timeout=PAGE_TIMEOUT_MS
    )
    return window


def filtered(qtbot, window) -> None:
    """Wait until ``window`` (a MainWindow) has found the events of its filter, which it
    does in the background: the map, the counts and the timeline then show them."""
    qtbot.waitUntil(lambda: not window.is_filtering, timeout=PAGE_TIMEOUT_MS)


def js(qtbot, view: MapView, code: str):
    """Evaluate the expression ``code`` in the page and return its value, through JSON
    (in a main window, once it has found the events of its filter)."""
    top = view.window()
    if hasattr(top, "is_filtering"):
        filtered(qtbot, top)
    with qtbot.waitCallback(timeout=10_000) as callback:
        view.page().runJavaScript(f"JSON.stringify({code})", 0, callback)
    text = callback.args[0]
    return None if text in (None, "") else json.loads(text)


def mouse_at_event(qtbot, view: MapView, event_id: int, kinds: tuple[str, ...]) -> None:
    """Dispatch mouse events of ``kinds`` in the page where the event's marker is drawn."""
    x, y = js(qtbot, view, f"EventAtlas.pixelOf({event_id})")
    js(
        qtbot,
        view,
        f"""(() => {{
            const c = EventAtlas.map.getContainer(), r = c.getBoundingClientRect();
            const o = {{clientX: r.left + {x}, clientY: r.top + {y}, bubbles: true, button: 0}};
            for (const kind of {json.dumps(list(kinds))}) c.dispatchEvent(new MouseEvent(kind, o));
            return true;
        }})()""",
    )


def click_event(qtbot, view: MapView, event_id: int) -> None:
    """Click in the page where the event's marker is drawn."""
    mouse_at_event(qtbot, view, event_id, ("mousedown", "mouseup", "click"))


def visible_ids(qtbot, view: MapView) -> set[int]:
    return {int(i) for i in js(qtbot, view, "EventAtlas.visibleIds()")}


# -- synthetic stores: realistic spread over Ukraine and its neighbours ----------------------

#: Towns the synthetic events happen around, with a weight (busier near the front line).
TOWNS = [
    ("Kyiv", 50.4501, 30.5234, 6), ("Kharkiv", 49.9935, 36.2304, 10),
    ("Odesa", 46.4825, 30.7233, 4), ("Dnipro", 48.4647, 35.0462, 4),
    ("Donetsk", 48.0159, 37.8029, 12), ("Zaporizhzhia", 47.8388, 35.1396, 8),
    ("Lviv", 49.8397, 24.0297, 2), ("Kherson", 46.6354, 32.6169, 9),
    ("Mykolaiv", 46.9750, 31.9946, 5), ("Sumy", 50.9077, 34.7981, 7),
    ("Chernihiv", 51.4982, 31.2893, 3), ("Poltava", 49.5883, 34.5514, 2),
    ("Bakhmut", 48.5956, 38.0003, 12), ("Avdiivka", 48.1394, 37.7497, 10),
    ("Pokrovsk", 48.2825, 37.1758, 10), ("Kramatorsk", 48.7389, 37.5848, 8),
    ("Sloviansk", 48.8531, 37.6050, 6), ("Kupiansk", 49.7106, 37.6155, 8),
    ("Vuhledar", 47.7800, 37.2500, 7), ("Tokmak", 47.2552, 35.7124, 6),
    ("Melitopol", 46.8489, 35.3653, 5), ("Mariupol", 47.0971, 37.5434, 5),
    ("Luhansk", 48.5740, 39.3078, 5), ("Sievierodonetsk", 48.9483, 38.4917, 5),
    ("Simferopol", 44.9521, 34.1024, 3), ("Sevastopol", 44.6166, 33.5254, 4),
    ("Belgorod", 50.5997, 36.5983, 6), ("Kursk", 51.7373, 36.1874, 5),
    ("Bryansk", 53.2521, 34.3717, 2), ("Rostov-on-Don", 47.2357, 39.7015, 2),
    ("Krasnodar", 45.0355, 38.9753, 1), ("Moscow", 55.7558, 37.6173, 1),
    ("Minsk", 53.9006, 27.5590, 1), ("Chisinau", 47.0105, 28.8638, 1),
    ("Warsaw", 52.2297, 21.0122, 1), ("Rzeszow", 50.0412, 21.9991, 1),
    ("Bucharest", 44.4268, 26.1025, 1), ("Vilnius", 54.6872, 25.2797, 1),
]  # fmt: skip
#: Where strikes with a known origin are launched from (origin, weight).
LAUNCH_SITES = [("Belgorod", 50.5997, 36.5983), ("Kursk", 51.7373, 36.1874),
                ("Sevastopol", 44.6166, 33.5254), ("Rostov-on-Don", 47.2357, 39.7015)]  # fmt: skip
#: Three years of dates, from 2022-02-24 (days since 1970-01-01).
FIRST_DAY = 19047
DAYS = 3 * 365
JITTERS = 400  # distinct places around each town (~15,000 places in all)


def synthetic_events(n: int, seed: int = 4, origin_share: float = 0.05):
    """``n`` generated events: towns weighted by activity, each event at one of a few
    hundred spots around its town, dates over three years, categories weighted like a
    conflict dataset; a share of strikes know where they were launched from."""
    import random
    from datetime import date, timedelta

    from desktop_app.core.event import Event, Place

    rng = random.Random(seed)
    towns = [t[:3] for t in TOWNS]
    weights = [t[3] for t in TOWNS]
    categories = ["military", "strike", "diplomacy", "humanitarian", "statement", "politics",
                  "electronic_warfare", "economy", "other"]  # fmt: skip
    cat_weights = [30, 35, 4, 8, 8, 5, 4, 3, 3]
    first = date(2022, 2, 24)
    days = [(first + timedelta(days=d)).isoformat() for d in range(DAYS)]
    picks = rng.choices(range(len(towns)), weights, k=n)
    for k in range(n):
        name, lat, lon = towns[picks[k]]
        j = rng.randrange(JITTERS)
        # A fixed spot per (town, j): rows repeat places, as real datasets do.
        spot = random.Random(f"{name}|{j}")
        place = Place(
            f"{name} {j}", round(lat + spot.gauss(0, 0.12), 4), round(lon + spot.gauss(0, 0.18), 4)
        )
        category = rng.choices(categories, cat_weights)[0]
        origin = None
        if category == "strike" and rng.random() < origin_share * 3:
            site = rng.choice(LAUNCH_SITES)
            origin = Place(site[0], site[1], site[2])
        # Recent years are busier: a mild ramp over the three years.
        day = min(DAYS - 1, int(DAYS * rng.random() ** 0.8))
        yield Event(
            uid=f"syn-{seed}-{k}",
            title=f"{category.replace('_', ' ').title()} near {name} #{k}",
            start=days[day],
            category=category,
            place=place,
            excerpt=f"Generated event {k} near {name}.",
            origin=origin,
        )


def synthetic_store(path, n: int, seed: int = 4) -> EventStore:
    """A store of ``n`` :func:`synthetic_events`, written by the bulk writer."""
    import itertools

    store = EventStore(path)
    events = synthetic_events(n, seed)
    with store.bulk_writer() as writer:
        while chunk := list(itertools.islice(events, 20_000)):
            writer.add(chunk)
    return store


#: The categories of :func:`grid_store`'s events, in turn: six shapes in six colours.
GRID_CATEGORIES = [
    "military", "strike", "diplomacy", "humanitarian", "statement", "electronic_warfare",
]  # fmt: skip


def grid_events(cols: int, rows: int, spacing: float, zoom: int = 19, centre=(48.5, 35.0)):
    """One event at each point of a grid ``cols`` x ``rows``, ``spacing`` CSS pixels
    apart on the map at ``zoom`` (Web Mercator, as the page draws it), centred on
    ``centre`` (lat, lon): every event its own place, in view at once at that zoom in a
    big enough map. Categories go round :data:`GRID_CATEGORIES`, dates round March 2024
    (so fading draws the marks at many opacities)."""
    import math

    from desktop_app.core.event import Event, Place

    scale = 256 * 2**zoom
    lat0, lon0 = centre
    sin = math.sin(math.radians(lat0))
    wx0 = (lon0 + 180) / 360
    wy0 = 0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)
    for k in range(cols * rows):
        r, c = divmod(k, cols)
        wx = wx0 + (c - (cols - 1) / 2) * spacing / scale
        wy = wy0 + (r - (rows - 1) / 2) * spacing / scale
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * wy))))
        category = GRID_CATEGORIES[(c * 7 + r * 3) % len(GRID_CATEGORIES)]
        yield Event(
            uid=f"grid-{k}",
            title=f"{category.replace('_', ' ').title()} at spot {k}",
            start=f"2024-03-{1 + (k * 7919) % 28:02d}",
            category=category,
            place=Place(f"Spot {k}", lat, wx * 360 - 180),
            excerpt=f"Generated event {k}.",
        )


def grid_store(path, cols: int, rows: int, spacing: float, zoom: int = 19) -> EventStore:
    """A store of :func:`grid_events`, written by the bulk writer."""
    import itertools

    store = EventStore(path)
    events = grid_events(cols, rows, spacing, zoom)
    with store.bulk_writer() as writer:
        while chunk := list(itertools.islice(events, 20_000)):
            writer.add(chunk)
    return store
