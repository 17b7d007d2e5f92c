"""The standalone HTML export opened in real QtWebEngine: every event drawn, no request."""

from __future__ import annotations

import json
import random
import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor
from PySide6.QtWebEngineWidgets import QWebEngineView

from desktop_app.core.event import Event, Place
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.job import write_standalone_html

#: Events drawn by the page: on the map as a marker, or inside a cluster that is.
DRAWN = """window.eaMarkers.filter((m) => {
  const g = window.eaGroup;
  const shown = g.getVisibleParent ? g.getVisibleParent(m) : (g.hasLayer(m) && m);
  return !!shown && !!shown._map;
}).length"""


class Requests(QWebEngineUrlRequestInterceptor):
    """Every URL the page asks for, with its scheme."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info) -> None:
        self.urls.append(info.requestUrl().toString())


@pytest.fixture
def browser(qtbot):
    view = QWebEngineView()
    qtbot.addWidget(view)
    view.resize(900, 650)
    view.show()
    requests = Requests()
    view.page().profile().setUrlRequestInterceptor(requests)
    view.requests = requests
    yield view
    view.page().profile().setUrlRequestInterceptor(None)


def open_file(qtbot, view, path):
    with qtbot.waitSignal(view.loadFinished, timeout=60_000) as loaded:
        view.load(QUrl.fromLocalFile(str(path)))
    assert loaded.args == [True]

    def run(code: str):
        with qtbot.waitCallback(timeout=20_000) as callback:
            view.page().runJavaScript(f"JSON.stringify({code})", 0, callback)
        return json.loads(callback.args[0])

    qtbot.waitUntil(lambda: run("typeof window.eaGroup") == "object", timeout=20_000)
    return run


def everything(store: EventStore) -> TimeWindow:
    first, last = store.time_bounds()
    return TimeWindow(first, last + 1)


def test_bundled_dataset_draws_every_placed_event_and_asks_nothing_of_the_network(
    qtbot, seed_store, browser, tmp_path
):
    window = everything(seed_store)
    placed = [e for e in seed_store.events_between(window) if e.place is not None]
    out = tmp_path / "seed.html"
    assert write_standalone_html(out, seed_store, window, title="Istanbul talks") == len(placed)
    run = open_file(qtbot, browser, out)
    # Istanbul alone holds 16 events: they cluster, which once left the map empty.
    assert run("!!window.eaGroup.getChildCount || !!window.eaGroup._featureGroup") is True
    # Clusters settle after the page fits the map to the events.
    qtbot.waitUntil(lambda: run(DRAWN) == len(placed), timeout=20_000)
    assert run("document.querySelector('.ea-title').textContent") == "Istanbul talks"
    assert run("document.title") == "Istanbul talks"
    assert not [u for u in browser.requests.urls if not u.startswith(("file:", "data:"))]
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', out.read_text())
    assert csp and "img-src data:;" in csp.group(1) and "https:" not in csp.group(1)


def test_five_thousand_events_are_all_drawn(qtbot, browser, tmp_path):
    rng = random.Random(7)
    path = tmp_path / "many.db"
    with EventStore(path) as store:
        store.add_events(
            Event(
                uid=f"e{i}",
                title=f"Event {i}",
                start=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                place=Place(f"P{i % 900}", 44 + (i % 900) / 90, 22 + (i % 900) % 97 / 6),
                category=rng.choice(["strike", "diplomacy", "humanitarian"]),
            )
            for i in range(5000)
        )
        out = tmp_path / "many.html"
        assert write_standalone_html(out, store, everything(store), title="Many") == 5000
    run = open_file(qtbot, browser, out)
    qtbot.waitUntil(lambda: run(DRAWN) == 5000, timeout=30_000)
    assert run("window.eaMarkers.length") == 5000


def test_online_tiles_only_when_chosen(seed_store, tmp_path):
    window = everything(seed_store)
    offline, online = tmp_path / "off.html", tmp_path / "on.html"
    write_standalone_html(offline, seed_store, window, title="t")
    write_standalone_html(online, seed_store, window, title="t", online_layer="osm")
    assert "tile.openstreetmap.org" not in offline.read_text()
    text = online.read_text()
    assert '"url":"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text
    assert "img-src data: https://tile.openstreetmap.org;" in text


def test_the_page_draws_a_halo_of_each_roughly_known_places_ground(qtbot, browser, tmp_path):
    places = {
        "settlement": Place("Chuhuiv", 49.8353, 36.6880, "town", "UA"),
        "exact": Place("Chuhuiv air base", 49.85, 36.60, "airbase", "UA"),
        "region": Place("Kharkiv oblast", 49.40, 36.20, "region", "UA"),
    }
    path = tmp_path / "halos.db"
    with EventStore(path) as store:
        store.add_events(
            Event(uid=key, title=key, start="2025-06-02", place=place)
            for key, place in places.items()
        )
        out = tmp_path / "halos.html"
        assert write_standalone_html(out, store, everything(store), title="Halos") == 3
    run = open_file(qtbot, browser, out)
    halos = run("window.eaHalos.map((h) => [h.getLatLng().lat, h.getRadius(), !!h._map])")
    assert sorted(halos) == [[49.4, 100_000, True], [49.8353, 5_000, True]]
    assert run("!!document.querySelector('.ea-halo-note')") is True
