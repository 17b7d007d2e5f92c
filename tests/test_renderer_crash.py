"""The map's renderer process dies: the page comes back as the user left it, once."""

from __future__ import annotations

import os
import signal

from PySide6.QtGui import QAction

from desktop_app.core.window import TimeWindow
from desktop_app.geo.mbtiles import MBTiles
from tests.mapping import PAGE_TIMEOUT_MS, js, open_window, visible_ids
from tests.test_mbtiles import make_mbtiles

RESTARTED = "The map stopped unexpectedly and was reloaded; your view is kept."

#: What the page shows that a reload could lose, read through the page itself.
PAGE_STATE = """({
  window: EventAtlas.window,
  selection: Array.from(EventAtlas.selection),
  label: EventAtlas.selectionTitles,
  fade: EventAtlas.fade,
  lat: EventAtlas.map.getCenter().lat, lon: EventAtlas.map.getCenter().lng,
  zoom: EventAtlas.map.getZoom(),
  tiles: (() => { let url = null; EventAtlas.map.eachLayer((l) => {
    if (l instanceof L.TileLayer) url = l._url; }); return url; })(),
})"""


def kill_renderer(qtbot, view) -> int:
    """SIGKILL the renderer process of ``view``'s page and wait until Qt has noticed."""
    pid = view.page().renderProcessPid()
    assert pid > 0 and pid != os.getpid()
    with qtbot.waitSignal(view.page().renderProcessTerminated, timeout=PAGE_TIMEOUT_MS):
        os.kill(pid, signal.SIGKILL)
    return pid


def crash_ready_window(qtbot, seed_db, tmp_path):
    """A window on the seed store with a chosen window, view, base layer, fading and event."""
    window = open_window(qtbot, seed_db)
    view = window.map_view
    view.set_mbtiles(MBTiles.open(make_mbtiles(tmp_path / "region.mbtiles")))
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    fade = next(a for a in window.findChildren(QAction) if a.text() == "&Fade older events")
    if fade.isChecked():
        fade.trigger()
    chosen = TimeWindow(20238.0, 20242.0)  # 30 May - 2 June 2025
    window.state.set_window(chosen)
    shown = {e.id: e for e in window.store.events_between(chosen) if e.place}
    kharkiv = next(e for e in shown.values() if "Kharkiv" in e.place.name)
    window.state.set_current(kharkiv.id)
    window.state.select([kharkiv.id])
    with qtbot.waitSignal(view.viewMoved, timeout=10_000):
        js(qtbot, view, "EventAtlas.map.setView([49.2, 35.1], 7, {animate: false}) && 1")
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.window[0]") == chosen.start)
    assert visible_ids(qtbot, view) == set(shown)
    return window, set(shown), kharkiv


def test_killed_renderer_brings_back_the_same_map_and_says_so_once(qtbot, seed_db, tmp_path):
    window, shown, kharkiv = crash_ready_window(qtbot, seed_db, tmp_path)
    view = window.map_view
    before = js(qtbot, view, PAGE_STATE)
    assert before["selection"] == [kharkiv.id] and before["fade"] is False
    assert before["zoom"] == 7 and "tiles/mbtiles" in before["tiles"]
    restarts: list[None] = []
    messages: list[str] = []
    view.pageRestarted.connect(lambda: restarts.append(None))
    window.statusBar().messageChanged.connect(messages.append)

    old_pid = kill_renderer(qtbot, view)
    assert not view.is_ready  # calls into the page queue again instead of vanishing
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)

    assert view.page().renderProcessPid() not in (0, old_pid)
    assert visible_ids(qtbot, view) == shown
    after = js(qtbot, view, PAGE_STATE)
    assert after["window"] == before["window"]
    assert after["selection"] == [kharkiv.id] and after["label"] == [kharkiv.title]
    assert after["fade"] is False and after["tiles"] == before["tiles"]
    assert after["zoom"] == 7
    # Leaflet rounds the centre to whole pixels: a pixel at zoom 7 is ~0.01 degrees.
    assert abs(after["lat"] - before["lat"]) < 0.01 and abs(after["lon"] - before["lon"]) < 0.01
    assert len(restarts) == 1
    assert messages.count(RESTARTED) == 1


def test_a_second_crash_soon_after_is_reported_not_reloaded(qtbot, seed_db, tmp_path):
    window, _shown, _kharkiv = crash_ready_window(qtbot, seed_db, tmp_path)
    view = window.map_view
    failures: list[str] = []
    view.pageFailed.connect(failures.append)
    kill_renderer(qtbot, view)
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)

    with qtbot.waitSignal(view.pageFailed, timeout=PAGE_TIMEOUT_MS):
        kill_renderer(qtbot, view)
    assert not view.is_ready
    assert len(failures) == 1 and "\n" not in failures[0]
    assert window.statusBar().currentMessage().startswith("The map could not start: ")
    # No reload was started: the dead page stays dead rather than crash-looping.
    assert view.page().renderProcessPid() == 0
