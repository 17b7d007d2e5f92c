"""Map speed at scale, measured in the real offscreen page.

- ``scrub_p50_ms_*`` / ``scrub_p95_ms_*``: a window change inside the page, from
  ``setWindow`` being called to the canvas having been redrawn (``performance.now()``),
  over many 30-day windows stepping a day at a time, for 1k, 100k, 200k and 1M events.
- ``scrub_rt_p50_ms_*`` / ``scrub_rt_p95_ms_*``: the same change timed from Python: the
  call sent with ``runJavaScript`` until its answer is back.
- ``scrub_paint_p50_ms_1m``: from the call sent until the page says the new frame is on
  screen (``bridge.painted``, one ``requestAnimationFrame`` later).
- ``folium_rebuild_ms_200k``: the naive way: a folium map of the window's events as
  folium markers, rendered to HTML and loaded until ``loadFinished`` (same run, same page
  size); ``scrub_speedup_vs_folium_200k`` is that divided by our round-trip p50 at 200k.
- ``page_load_ms_1m``: a new map view until the page is ready with 1M events.
- ``rss_mb_1m``: resident memory of the whole app (the Python process and its
  QtWebEngine processes) with a 1M-event store open, after scrubbing; ``pss_mb_1m`` the
  same without counting shared pages twice; ``rss_mb_seed`` / ``pss_mb_seed`` the same
  app on the bundled dataset, for the fixed cost.
- ``mem_mb_per_1m``: what a million events cost in memory: the anonymous PSS
  (``Pss_Anon`` of ``/proc/PID/smaps_rollup``: the heaps, not the mapped libraries) of
  the app and its QtWebEngine processes with the 1M-event store open, its place names
  on the map and scrubbed, minus the same with the bundled dataset
  (``pss_anon_mb_1m`` and ``pss_anon_mb_seed``).
- ``cold_start_s``: ``python -m desktop_app`` in fresh data/config folders (first start:
  the store is built from the bundled dataset) until the map's first painted frame with
  the store's events, through the ``EVENT_ATLAS_REPORT_READY`` hook of
  :func:`desktop_app.ui.app.run_app`; ``warm_start_s`` the second start in the same
  folders.
- ``open_1m_s``: ``python -m desktop_app --db`` the 1M-event store, in fresh
  data/config folders but with the cache folder of the ``cold_start_s`` before it (as a
  user who has started the app before has: the map page's scaffold is kept there), from
  process start until the map's first painted frame with its events (the same hook), in
  the same run as ``cold_start_s`` (one of each in turn, the median of each);
  ``open_1m_over_cold_start`` is the one divided by the other. ``open_1m_first_s`` is
  the same start with nothing kept (fresh cache folder too: folium renders the page).
- ``open_5m_s``: the same start on a store of 5,000,000 events, made once and kept in
  the folder ``EVENT_ATLAS_BENCH_CACHE`` names (by default ``event-atlas-bench`` in the
  system's temporary folder); ``store_5m_build_s`` is how long making it took (when it
  was made) and ``store_5m_mb`` its size on disk.
- ``arrays_s_1m``: ``EventStore(path).arrays()`` on the 1M-event store, opened afresh
  each time (the columns the map and the timeline need; the median of five).
- ``dots_frame_p50_ms_1m`` / ``dots_frame_p95_ms_1m``: every event of the 1M-event
  store drawn as its own dot (mark style "dots", the window over all three years, zoom
  6 over Ukraine), while the map pans 40 pixels a step: from the pan sent with
  ``runJavaScript`` until the page says the frame is on screen (``bridge.painted``).
  ``dots_draw_p95_ms_1m`` is the page's own time for the frame (``EventAtlas.lastDrawMs``),
  ``dots_drawn_mean_1m`` how many events had their dot on the map. In the same run and
  view, ``groups_frame_p50_ms_1m`` / ``_p95_`` are the same pans with grouped marks
  (clusters of the same million), the plain alternative, and ``dots_speedup_vs_groups_1m``
  is the p50 of one divided by the other. ``empty_pan_frame_p50_ms_1m`` / ``_p95_``:
  the same pans with no event in the window (what a frame of this map costs before any
  event is drawn).
- ``frame_p50_ms_1m`` / ``frame_p95_ms_1m``: a scrub step of the 30-day window on the
  1M-event store (zoom 6 over Ukraine, the mark style "auto" as a user has it;
  ``frame_drawn_as_dots_1m`` says whether it drew dots, ``frame_visible_mean_1m`` how
  many events a window held), from ``setWindow`` sent until the page says the frame is
  on screen. ``leaflet_kept_rt_p50_ms_1m``: the best plain alternative in the same run,
  a Leaflet page kept loaded with every event's columns that makes an
  ``L.circleMarker`` (canvas renderer) per event starting in the window at each step,
  the step's round trip from Python (its own drawing, a frame later, not included);
  ``speedup_vs_leaflet_1m`` is that divided by ``frame_p50_ms_1m``.
  ``frame_max_ms_1m`` is the slowest step; ``frame_empty_p50_ms_1m`` / ``_p95_`` the
  same steps moved years before the first event (frames with nothing to draw: the
  floor the page, the compositor and the round trip set). Of the steps drawn as
  grouped marks (not dots; ``frame_groups_steps_1m`` of them),
  ``frame_groups_p95_ms_1m`` is their frame p95 and ``frame_group_phase_p50_ms_1m`` /
  ``_p95_`` the page's time grouping their events (``drawPhases.group``). The
  display's 60 Hz tick paces these frames: a step's frame is the first the display
  makes after the step's work is done, so each measure holds the wait for that tick (up
  to 16.7 ms) besides the work.
- ``frame_unpaced_p50_ms_1m`` / ``frame_unpaced_p95_ms_1m``: the same steps in a
  process of its own whose page does not wait for the display's tick
  (:data:`UNPACED_FLAGS`): each frame is made as soon as the one before is done, so
  the measure is what a step costs until its frame, without the wait for the tick;
  ``leaflet_kept_rt_unpaced_p50_ms_1m`` and ``speedup_vs_leaflet_unpaced_1m`` the kept
  Leaflet page measured in that process.
- ``frame_p50_ms_5m`` / ``frame_p95_ms_5m``: the same scrub frames on the store of
  5,000,000 events that ``open_5m_s`` opens (``frame_visible_mean_5m`` events a window,
  ``frame_drawn_as_dots_5m`` whether they were drawn as dots, the ``frame_groups_*_5m``
  keys as at 1M).
- ``marks_frame_p50_ms_20k`` / ``marks_frame_p95_ms_20k``: about 21,000 plain marks in
  one frame (each event its own place, a grid 20 pixels apart at zoom 19, the last zoom
  of the tile layers, where marks are never clustered; a 3840x2160 map, as 20,000 marks
  need, with its place names), drawn as sprites, while the map pans 40 pixels a step:
  from the pan sent until the page says the frame is on screen. ``marks_draw_p95_ms_20k``
  is the page's own time for the frame, ``marks_drawn_mean_20k`` the marks it drew. In
  the same run and view, ``marks_paths_*`` are the same pans drawing a path per mark, as
  before sprites, and ``marks_speedup_vs_paths_20k`` the ratio of the p50s;
  ``marks_empty_frame_p50_ms_4k`` / ``_p95_`` the same pans with no event in the window
  (the cost of a frame of that map without marks); ``marks_phase_*_p50_ms_20k`` the
  page's time in each phase of a frame; ``marks_frame_*_1080p`` and
  ``marks_empty_frame_*_1080p`` the same pans on a 1920x1080 map (about 5,000 marks).
  See :func:`marks_metrics`.
- ``filter_apply_p50_ms_1m`` / ``filter_apply_ms_1m`` (p95): in the real main window on
  the 1M-event store, a 30-day window, a category ticked off or on as the legend's
  checkbox does it (``ViewState.set_filter`` from the bridge's slot), until the page says
  the new frame is on screen. Everything the GUI thread does for it is inside: the map's
  mask, the status bar's counts, the timeline's row mask and its bars of the ticked
  categories. The filter panel's count runs in a background thread and is not waited
  for. ``filter_apply_cpu_p95_ms_1m``: the GUI thread's CPU time over the same steps.
- ``filter_apply_map_p50_ms_1m`` / ``_p95_``: the map's part alone: the same ticks in a
  map view of its own (no timeline, status bar or panel listening), tick to frame.
- ``filter_apply_text_p50_ms_1m`` / ``_p95_``: the same with a text filter on (the store
  found its rows once, when it was set), so a tick asks the store nothing again.
- ``filter_text_set_ms_1m``: setting that text filter itself (``kharkiv``: the store's
  full-text query over 1M events, in the background on a connection of its own) until
  the frame that shows its events is on screen; median. ``filter_text_gui_ms_1m``: how
  long ``set_filter`` held the GUI thread for it (the window stays responsive while the
  query runs).

The synthetic events (:func:`tests.mapping.synthetic_events`) spread over Ukraine and its
neighbours, three years of dates. Run by ``tests/benchmarks/run.py`` through
:func:`measure`, or alone: ``python tests/benchmarks/bench_map.py [--quick]``;
``--starts`` measures only the starts and ``arrays_s_1m``, ``--memory`` only
``mem_mb_per_1m``, ``--filters`` only the ``filter_*`` metrics, ``--frames`` only the
``dots_*``, ``groups_*``, ``frame_*`` (at 1M and 5M), ``leaflet_*`` and ``marks_*``
ones.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.mapping import DAYS, FIRST_DAY, synthetic_store  # noqa: E402

VIEW_SIZE = (1000, 700)
WINDOW_DAYS = 30
TIMEOUT_MS = 120_000
#: A 1M-event store from an earlier run to use instead of making one (optional).
KEEP_STORE_ENV = "EVENT_ATLAS_BENCH_STORE"
#: The folder where the 5M-event store is kept between runs (it takes minutes to make).
CACHE_ENV = "EVENT_ATLAS_BENCH_CACHE"
BIG = 5_000_000


def _qt_env() -> None:
    _qt_env_into(os.environ)


def _qt_env_into(env) -> None:
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()


def _wait(predicate, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Run the Qt event loop until ``predicate()`` holds (without spinning the CPU)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_ms / 1000
    while not predicate():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


def _call(view, code: str):
    """``code``'s value from the page and the round trip in ms (blocking on a QEventLoop)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    answer: list = []

    def done(value) -> None:
        answer.append((time.perf_counter(), value))
        loop.quit()

    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    started = time.perf_counter()
    view.page().runJavaScript(f"JSON.stringify({code})", 0, done)
    if not answer:
        loop.exec()
    if not answer:
        raise TimeoutError(code)
    finished, value = answer[0]
    return (None if value in (None, "") else json.loads(value)), (finished - started) * 1000


def _open_view(payload: bytes, window: tuple[float, float], describe=lambda ids: []):
    from desktop_app.core.window import TimeWindow
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.view_state import ViewState

    started = time.perf_counter()
    view = MapView(ViewState(TimeWindow(*window)), lambda: payload, describe)
    view.resize(*VIEW_SIZE)
    view.show()
    if not _wait(lambda: view.is_ready):
        raise TimeoutError("the map page did not load")
    return view, (time.perf_counter() - started) * 1000


def _close(view) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _windows(steps: int, seed: int = 1) -> list[tuple[float, float]]:
    """Scrubbing: runs of one-day steps starting at random points of the three years."""
    rng = np.random.default_rng(seed)
    out: list[tuple[float, float]] = []
    while len(out) < steps:
        start = FIRST_DAY + float(rng.integers(0, DAYS - WINDOW_DAYS - 25))
        out.extend((start + k, start + k + WINDOW_DAYS) for k in range(20))
    return out[:steps]


def _frames(view, steps: list[str]) -> list[tuple[float, float, list]]:
    """Run each JS expression of ``steps`` in the page; each returns ``[paintSeq after
    the step, ...]``. For each: the ms from sending it until the page said that frame
    is on screen (``bridge.painted``), the call's round trip, and the rest of its value."""
    painted: list[tuple[int, float]] = []
    view.bridge.paintDone.connect(lambda seq: painted.append((seq, time.perf_counter())))
    out = []
    for code in steps:
        sent = time.perf_counter()
        value, rt = _call(view, code)
        seq, *rest = value
        if not _wait(lambda s=seq: any(p[0] >= s for p in painted), 10_000):
            raise TimeoutError("the map did not draw the step")
        shown = next(p[1] for p in painted if p[0] >= seq)
        out.append(((shown - sent) * 1000, rt, rest))
    return out


def _scrub(view, steps: int, shift: float = 0.0) -> dict[str, list]:
    """In-page and round-trip times of ``steps`` window changes (moved ``shift`` days),
    the visible counts, and for each step whether it drew dots and the page's time
    grouping its events."""
    codes = [
        f"(EventAtlas.setWindow({start + shift!r}, {end + shift!r}),"
        " [EventAtlas.paintSeq, EventAtlas.lastScrubMs, EventAtlas.placed.length,"
        " EventAtlas.drawingDots, EventAtlas.drawPhases.group || 0])"
        for start, end in _windows(steps)
    ]
    frames = _frames(view, codes)
    return {
        "in_page": [rest[0] for _f, _rt, rest in frames],
        "round_trip": [rt for _f, rt, _rest in frames],
        "paint": [f for f, _rt, _rest in frames],
        "visible": [rest[1] for _f, _rt, rest in frames],
        "dots": [bool(rest[2]) for _f, _rt, rest in frames],
        "group": [rest[3] for _f, _rt, rest in frames],
    }


def _groups_steps(times: dict[str, list], suffix: str) -> dict[str, float]:
    """``frame_groups_*``: the scrub steps drawn as grouped marks (not dots): how many,
    their frame p95, and the page's time grouping their events (p50 and p95)."""
    steps = [k for k, dots in enumerate(times["dots"]) if not dots]
    if not steps:
        return {f"frame_groups_steps_{suffix}": 0.0}
    group = [times["group"][k] for k in steps]
    paint = [times["paint"][k] for k in steps]
    return {
        f"frame_groups_steps_{suffix}": float(len(steps)),
        f"frame_groups_p95_ms_{suffix}": float(np.percentile(paint, 95)),
        f"frame_group_phase_p50_ms_{suffix}": float(np.percentile(group, 50)),
        f"frame_group_phase_p95_ms_{suffix}": float(np.percentile(group, 95)),
    }


def _fit(view) -> None:
    _call(view, "EventAtlas.fitVisible(0.1)")
    _wait(lambda: False, 300)


def _plain_view():
    """A shown web view in our profile (our scheme serves its pages), without the map
    page; its scheme handler and the list ``loadFinished`` appends to."""
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from desktop_app.ui.map.web_profile import atlas_profile

    profile, handler = atlas_profile()
    view = QWebEngineView()
    view.setPage(QWebEnginePage(profile, view))
    view.resize(*VIEW_SIZE)
    view.show()
    loaded: list[bool] = []
    view.loadFinished.connect(loaded.append)
    return view, handler, loaded


def folium_rebuild_ms(arrays, window: tuple[float, float]) -> tuple[float, int]:
    """The naive way: the window's events as folium markers, rendered and loaded."""
    import folium
    from PySide6.QtCore import QUrl

    from desktop_app.core.categories import CATEGORIES
    from desktop_app.core.index import EventIndex
    from desktop_app.core.window import TimeWindow
    from desktop_app.mapgen.folium_page import AtlasMap
    from desktop_app.mapgen.page import SCHEME

    view, handler, loaded = _plain_view()
    started = time.perf_counter()
    index = EventIndex(arrays)
    rows = index.rows_in(TimeWindow(*window))
    fmap = AtlasMap(location=[48.5, 33.0], zoom_start=6, tiles=None, prefer_canvas=True)
    for row in rows:
        if np.isnan(arrays.lat[row]):
            continue
        colour = CATEGORIES[min(int(arrays.category[row]), len(CATEGORIES) - 1)].colour
        folium.CircleMarker(
            [float(arrays.lat[row]), float(arrays.lon[row])],
            radius=6,
            color="#fff",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
        ).add_to(fmap)
    html = fmap.get_root().render()
    # Served like our own page (by URL: setHtml caps pages at 2 MB).
    handler.add_site("folium-bench", lambda: html, lambda: b"")
    view.load(QUrl(f"{SCHEME}://folium-bench/map.html"))
    if not _wait(lambda: bool(loaded)):
        raise TimeoutError("the folium page did not load")
    elapsed = (time.perf_counter() - started) * 1000
    handler.remove_site("folium-bench")
    _close(view)
    return elapsed, len(rows)


#: The best plain alternative to our page: a Leaflet page kept loaded, holding every
#: event's columns, that on each step drops the last step's markers and makes an
#: ``L.circleMarker`` (canvas renderer) for each event starting in the window.
_KEPT_LEAFLET_JS = """
window.Bench = (function () {
  const bench = { n: 0, group: null };
  bench.load = function (map, colours) {
    bench.map = map; bench.colours = colours;
    bench.renderer = L.canvas();
    return fetch("/EVENTS_PATH").then((r) => r.arrayBuffer()).then((buffer) => {
      // The app's buffer, read by the app's own decoder (event_groups.js, in this page).
      const events = {};
      window.EventAtlasGroups.decode(events, buffer);
      const n = events.n;
      bench.t0 = events.t0; bench.lat = events.lat; bench.lon = events.lon;
      bench.cat = events.cat;
      bench.n = n;
      return n;
    });
  };
  bench.step = function (w0, w1) {
    if (bench.group) bench.map.removeLayer(bench.group);
    const group = L.layerGroup();
    let lo = 0, hi = bench.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bench.t0[mid] < w0) lo = mid + 1; else hi = mid;
    }
    let made = 0;
    for (let i = lo; i < bench.n && bench.t0[i] < w1; i++) {
      if (Number.isNaN(bench.lat[i])) continue;
      L.circleMarker([bench.lat[i], bench.lon[i]], {
        renderer: bench.renderer, radius: 6, color: "#fff", weight: 1,
        fillColor: bench.colours[Math.min(bench.cat[i], bench.colours.length - 1)],
        fillOpacity: 0.9,
      }).addTo(group);
      made++;
    }
    group.addTo(bench.map);
    bench.group = group;
    return made;
  };
  return bench;
})();
"""


def kept_leaflet_ms(payload: bytes, steps: int) -> tuple[list[float], list[int]]:
    """Round trips (ms) of ``steps`` window steps on the kept Leaflet page of
    :data:`_KEPT_LEAFLET_JS` holding ``payload``'s events, and the markers made each."""
    from PySide6.QtCore import QUrl

    from desktop_app.core.categories import CATEGORIES
    from desktop_app.mapgen.folium_page import AtlasMap
    from desktop_app.mapgen.page import EVENTS_PATH, SCHEME
    from desktop_app.paths import resources_dir

    view, handler, loaded = _plain_view()
    fmap = AtlasMap(location=[48.5, 33.0], zoom_start=6, tiles=None, prefer_canvas=True)
    decoder = (resources_dir() / "web" / "event_groups.js").read_text(encoding="utf-8")
    script = _KEPT_LEAFLET_JS.replace("EVENTS_PATH", EVENTS_PATH)
    html = fmap.get_root().render().replace(
        "</body>", f"<script>{decoder}</script><script>{script}</script></body>"
    )
    handler.add_site("leaflet-bench", lambda: html, lambda: payload)
    try:
        view.load(QUrl(f"{SCHEME}://leaflet-bench/map.html"))
        if not _wait(lambda: bool(loaded)):
            raise TimeoutError("the kept Leaflet page did not load")
        colours = json.dumps([c.colour for c in CATEGORIES])
        _call(view, f"(Bench.load({fmap.get_name()}, {colours}), 0)")
        if not _wait(lambda: (_call(view, "Bench.n")[0] or 0) > 0):
            raise TimeoutError("the kept Leaflet page did not read the events")
        windows = _windows(steps + 5)
        for start, end in windows[:5]:  # warm its JIT, as ours is
            _call(view, f"Bench.step({start!r}, {end!r})")
        times, made = [], []
        for start, end in windows[5:]:
            count, ms = _call(view, f"Bench.step({start!r}, {end!r})")
            times.append(ms)
            made.append(count)
    finally:
        handler.remove_site("leaflet-bench")
        _close(view)
    return times, made


def frame_metrics(db: Path, steps: int, leaflet_steps: int) -> dict[str, float]:
    """``frame_p50_ms_1m`` / ``frame_p95_ms_1m`` (a scrub step of the 30-day window sent
    until the page says the frame is on screen, the mark style "auto" as a user has it),
    the kept Leaflet page's round trips at the same windows in the same run, and
    ``speedup_vs_leaflet_1m`` (its p50 over our frame p50)."""
    payload, times, dots = _store_frames(db, steps)
    leaflet, made = kept_leaflet_ms(payload, leaflet_steps)
    results = {
        "frame_p50_ms_1m": float(np.percentile(times["paint"], 50)),
        "frame_p95_ms_1m": float(np.percentile(times["paint"], 95)),
        "frame_empty_p50_ms_1m": float(np.percentile(times["empty"], 50)),
        "frame_empty_p95_ms_1m": float(np.percentile(times["empty"], 95)),
        "frame_max_ms_1m": float(np.max(times["paint"])),
        "frame_drawn_as_dots_1m": float(bool(dots)),
        "frame_visible_mean_1m": float(np.mean(times["visible"])),
        "leaflet_kept_rt_p50_ms_1m": float(np.percentile(leaflet, 50)),
        "leaflet_kept_markers_mean_1m": float(np.mean(made)),
        **_groups_steps(times, "1m"),
    }
    results["speedup_vs_leaflet_1m"] = (
        results["leaflet_kept_rt_p50_ms_1m"] / results["frame_p50_ms_1m"]
    )
    return results


#: Chromium's switches that stop pacing frames at the display's 60 Hz: each frame is made
#: as soon as the one before is done, so a measure says what the step costs up to its
#: frame, not where the display's tick happened to fall.
UNPACED_FLAGS = "--disable-frame-rate-limit --disable-gpu-vsync"


def unpaced_frame_metrics(db: Path, steps: int, leaflet_steps: int) -> dict[str, float]:
    """:func:`frame_metrics` in a process of its own whose page does not wait for the
    display's tick (:data:`UNPACED_FLAGS`), its keys marked ``_unpaced``: the kept Leaflet
    page is measured in that same process."""
    env = dict(os.environ)
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} {UNPACED_FLAGS}".strip()
    _qt_env_into(env)
    result = subprocess.run(
        [sys.executable, __file__, "--frame-child", str(db), str(steps), str(leaflet_steps)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True,
    )  # fmt: skip
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "frame_unpaced_p50_ms_1m": found["frame_p50_ms_1m"],
        "frame_unpaced_p95_ms_1m": found["frame_p95_ms_1m"],
        "leaflet_kept_rt_unpaced_p50_ms_1m": found["leaflet_kept_rt_p50_ms_1m"],
        "speedup_vs_leaflet_unpaced_1m": found["speedup_vs_leaflet_1m"],
    }


def _frame_child(db: str, steps: str, leaflet_steps: str) -> None:
    _qt_env()
    from desktop_app.ui.app import headless_application

    headless_application()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        os.environ.setdefault("EVENT_ATLAS_CACHE_DIR", str(Path(folder) / "cache"))
        print(json.dumps(frame_metrics(Path(db), int(steps), int(leaflet_steps))))


def _store_frames(db: Path, steps: int) -> tuple[bytes, dict[str, list], bool]:
    """The page's buffer of the store ``db``, the :func:`_scrub` times of ``steps`` steps
    of the 30-day window (zoom 6 over Ukraine, mark style "auto"), and whether the page
    drew dots."""
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.store.event_store import EventStore

    with EventStore(db) as store:
        payload = encode_events(store.arrays())
    view, _ms = _open_view(payload, _windows(1)[0])
    try:
        _call(view, "EventAtlas.map.setView([48.5, 34], 6, {animate: false}) && 1")
        _scrub(view, 10)
        times = _scrub(view, steps)
        dots = bool(_call(view, "EventAtlas.drawingDots")[0])
        # The same steps a few years before the first event: frames with nothing to draw.
        times["empty"] = _scrub(view, steps, shift=-(DAYS + 1000))["paint"]
    finally:
        _close(view)
    return payload, times, dots


def frame_5m_metrics(big: Path, steps: int) -> dict[str, float]:
    """``frame_p50_ms_5m`` / ``frame_p95_ms_5m``: :func:`frame_metrics`' scrub frames on
    the 5M-event store (``frame_visible_mean_5m`` events a window)."""
    _payload, times, dots = _store_frames(big, steps)
    return {
        "frame_p50_ms_5m": float(np.percentile(times["paint"], 50)),
        "frame_p95_ms_5m": float(np.percentile(times["paint"], 95)),
        "frame_drawn_as_dots_5m": float(dots),
        "frame_visible_mean_5m": float(np.mean(times["visible"])),
        **_groups_steps(times, "5m"),
    }


def _subset(arrays, n: int, seed: int = 2):
    """``n`` of the events, chosen at random, still sorted by start."""
    from desktop_app.core.index import EventArrays

    rows = np.sort(np.random.default_rng(seed).choice(len(arrays), n, replace=False))
    return EventArrays(
        *(column[rows] for column in arrays.columns()),
        origin_lat=arrays.origin_lat[rows],
        origin_lon=arrays.origin_lon[rows],
    )


def _tree_memory_mb(root_pid: int) -> tuple[float, float, float]:
    """RSS, PSS and anonymous PSS (MB) of ``root_pid`` and every process below it, from
    /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    todo, rss, pss, anon = [root_pid], 0.0, 0.0, 0.0
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
                elif line.startswith("Pss_Anon:"):
                    anon += int(line.split()[1]) / 1024
        except OSError:
            continue
    return rss, pss, anon


def _rss_child(db: str) -> None:
    """Run in a child process: the real main window on ``db``; prints its memory as JSON."""
    _qt_env()
    from desktop_app.core.window import TimeWindow
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.app import headless_application
    from desktop_app.ui.main_window import MainWindow

    headless_application()
    if db == "-":
        from desktop_app.ingest.bundled import open_store

        store = open_store(None)  # the bundled dataset, as on a first start
    else:
        store = EventStore(db)
    window = MainWindow(store)
    window.resize(1280, 820)
    window.show()
    if not _wait(lambda: window.map_view.is_ready and window.map_view.has_place_names):
        raise TimeoutError("the map page did not load")
    for start, end in _windows(60):
        window.state.set_window(TimeWindow(start, end))
        _wait(lambda: False, 10)
    _wait(lambda: False, 1000)
    rss, pss, anon = _tree_memory_mb(os.getpid())
    print(json.dumps({"rss_mb": rss, "pss_mb": pss, "anon_mb": anon}), flush=True)
    window.close()


def app_memory_mb(db: Path | str) -> tuple[float, float, float]:
    """RSS, PSS and anonymous PSS of the app and its web processes on ``db`` ("-": the
    bundled data)."""
    with tempfile.TemporaryDirectory() as home:
        env = _app_env(Path(home))
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(db)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return found["rss_mb"], found["pss_mb"], found["anon_mb"]


def _app_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EVENT_ATLAS_DATA_DIR=str(home / "data"),
        EVENT_ATLAS_CONFIG_DIR=str(home / "config"),
        EVENT_ATLAS_CACHE_DIR=str(home / "cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("EVENT_ATLAS_DB", None)
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    return env


def _start_seconds(env: dict[str, str], marker: Path, *args: str) -> float:
    """One start of the app until its map is ready, through ``REPORT_READY_ENV``."""
    from desktop_app.ui.app import REPORT_READY_ENV

    marker.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env={**env, REPORT_READY_ENV: str(marker)},
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=True,
    )
    return float(marker.read_text())


def arrays_seconds(db: Path, runs: int = 5) -> list[float]:
    """``EventStore(db).arrays()``, the store opened afresh each time."""
    from desktop_app.store.event_store import EventStore

    found = []
    for _ in range(runs):
        with EventStore(db) as store:
            started = time.perf_counter()
            store.arrays()
            found.append(time.perf_counter() - started)
    return found


def kept_cache_start_seconds(
    runs: int, db: Path, big: Path | None = None
) -> dict[str, list[float]]:
    """Starts as a user who has run the app before makes them: the bundled dataset's
    first and second start in fresh folders, then a start on ``db`` (and ``big``) in
    fresh data and config folders but with the app's cache folder of those starts (the
    page scaffold they kept); ``first`` is a start on ``db`` with nothing kept at all.

    The app's modules are compiled to bytecode first, as an installed app has them (pip
    compiles them as it installs): a source tree run with ``PYTHONDONTWRITEBYTECODE`` set
    would compile every module it imports at every start."""
    if not compileall.compile_dir(ROOT / "desktop_app", quiet=1):
        raise RuntimeError("the app's modules did not compile: the starts would compile them")
    times: dict[str, list[float]] = {"cold": [], "warm": [], "open": [], "big": [], "first": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = _app_env(Path(home))
            marker = Path(home) / "ready.txt"
            times["cold"].append(_start_seconds(env, marker))
            times["warm"].append(_start_seconds(env, marker))
            for key, path in (("open", db), ("big", big)):
                if path is None:
                    continue
                with tempfile.TemporaryDirectory() as own:
                    fresh = {
                        **_app_env(Path(own)),
                        "EVENT_ATLAS_CACHE_DIR": env["EVENT_ATLAS_CACHE_DIR"],
                    }
                    times[key].append(
                        _start_seconds(fresh, Path(own) / "ready.txt", "--db", str(path))
                    )
        with tempfile.TemporaryDirectory() as home:
            env = _app_env(Path(home))
            times["first"].append(
                _start_seconds(env, Path(home) / "ready.txt", "--db", str(db))
            )
    return times


def start_metrics(db: Path, runs: int, big: Path | None = None) -> dict[str, float]:
    """``cold_start_s``, ``warm_start_s``, ``open_1m_s``, ``open_1m_first_s`` and
    ``arrays_s_1m`` on ``db``, and ``open_5m_s`` on ``big``."""
    results = {"arrays_s_1m": float(np.median(arrays_seconds(db)))}
    times = kept_cache_start_seconds(runs, db, big)
    results["cold_start_s"] = float(np.median(times["cold"]))
    results["warm_start_s"] = float(np.median(times["warm"]))
    results["open_1m_s"] = float(np.median(times["open"]))
    results["open_1m_first_s"] = float(np.median(times["first"]))
    results["open_1m_over_cold_start"] = results["open_1m_s"] / results["cold_start_s"]
    if big is not None:
        results["open_5m_s"] = float(np.median(times["big"]))
    return results


def kept_big_store() -> tuple[Path, dict[str, float]]:
    """The 5M-event store kept in ``CACHE_ENV``'s folder (made there the first time),
    with ``store_5m_build_s`` (how long it took to make) and ``store_5m_mb``."""
    from desktop_app.store.event_store import EventStore

    folder = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "event-atlas-bench")
    folder.mkdir(parents=True, exist_ok=True)
    db, notes = folder / "5m.db", folder / "5m.json"
    if not (db.exists() and notes.exists()):
        db.unlink(missing_ok=True)
        print("   making the 5M-event store (minutes; kept for later runs) ...", flush=True)
        started = time.perf_counter()
        with synthetic_store(db, BIG) as store:
            store.arrays()
            # Everything into the file itself: its size is then the store's.
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        notes.write_text(json.dumps({"build_s": time.perf_counter() - started}))
    with EventStore(db) as store:
        store.arrays()  # columns of an older version are made before anything is timed
    built = json.loads(notes.read_text())["build_s"]
    return db, {"store_5m_build_s": built, "store_5m_mb": db.stat().st_size / 2**20}


def filter_metrics(db: Path, steps: int) -> dict[str, float]:
    """The ``filter_*`` metrics of the module's docstring, in a real main window."""
    import dataclasses

    from desktop_app.core.categories import CATEGORIES
    from desktop_app.core.filter import Filter
    from desktop_app.core.index import EventIndex
    from desktop_app.core.window import TimeWindow
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.tasks import background_runner
    from desktop_app.ui.view_state import ViewState

    start, end = _windows(1)[0]
    every = frozenset(c.key for c in CATEGORIES)
    keys = [c.key for c in CATEGORIES]
    results: dict[str, float] = {}

    cpu_ms: list[float] = []

    def toggles(state: ViewState, painted: list[float], base: Filter) -> list[float]:
        def timed(flt: Filter) -> float:
            before = len(painted)
            sent, cpu = time.perf_counter(), time.thread_time()
            state.set_filter(flt)
            if not _wait(lambda: len(painted) > before, 60_000):
                raise TimeoutError("the map did not draw the filter")
            # The GUI thread's CPU until the frame: its own work, without waits for a core.
            cpu_ms.append((time.thread_time() - cpu) * 1000)
            return (painted[before] - sent) * 1000

        out = []
        for k in range(steps):
            # Off, then on again: every second step is the whole set once more.
            out.append(timed(dataclasses.replace(base, categories=every - {keys[k % len(keys)]})))
            out.append(timed(base))
        return out

    with EventStore(db) as store:
        payload = encode_events(EventIndex(store.arrays()).arrays)
        state = ViewState(TimeWindow(start, end))
        view = MapView(state, lambda: payload, lambda ids: [], matching=store.matching_ids)
        view.resize(*VIEW_SIZE)
        view.show()
        if not _wait(lambda: view.is_ready):
            raise TimeoutError("the map page did not load")
        painted_alone: list[float] = []
        view.bridge.paintDone.connect(lambda _seq: painted_alone.append(time.perf_counter()))
        toggles(state, painted_alone, Filter())  # warm the page's JIT
        alone = toggles(state, painted_alone, Filter())
        results["filter_apply_map_p50_ms_1m"] = float(np.percentile(alone, 50))
        results["filter_apply_map_p95_ms_1m"] = float(np.percentile(alone, 95))
        _close(view)

    # The window keeps its settings in folders of its own, not the user's.
    home = Path(tempfile.mkdtemp(prefix="event-atlas-bench-"))
    os.environ["EVENT_ATLAS_DATA_DIR"] = str(home / "data")
    os.environ["EVENT_ATLAS_CONFIG_DIR"] = str(home / "config")
    window = MainWindow(EventStore(db))
    window.resize(1400, 900)
    window.show()
    if not _wait(lambda: window.map_view.is_ready):
        raise TimeoutError("the map page did not load")
    window.state.set_window(TimeWindow(start, end))
    painted: list[float] = []
    window.map_view.bridge.paintDone.connect(lambda _seq: painted.append(time.perf_counter()))
    # The frames drawn before a filter's events were found show the filter before it.
    found: list[int] = []
    filter_found = getattr(window, "filterFound", None)
    if filter_found is not None:
        filter_found.connect(lambda: found.append(len(painted)))
    gui_ms: list[float] = []

    def timed(flt: Filter) -> float:
        before, asked = len(painted), len(found)
        sent = time.perf_counter()
        window.state.set_filter(flt)
        gui_ms.append((time.perf_counter() - sent) * 1000)
        # Searching in the background (a text found before is not searched again): the
        # frame that counts is the first one after its events were found.
        if getattr(window, "is_filtering", False):
            if not _wait(lambda: not window.is_filtering, 60_000):
                raise TimeoutError("the filter's events were not found")
            if len(found) > asked:
                before = found[asked]
        if not _wait(lambda: len(painted) > before, 60_000):
            raise TimeoutError("the map did not draw the filter")
        return (painted[before] - sent) * 1000

    toggles(window.state, painted, Filter())  # warm the page's JIT
    cpu_started = len(cpu_ms)
    plain = toggles(window.state, painted, Filter())
    plain_cpu = cpu_ms[cpu_started:]
    text = Filter(text="kharkiv")
    gui_ms.clear()
    set_text = [timed(text), timed(Filter()), timed(text)]
    text_gui = [gui_ms[0], gui_ms[2]]
    with_text = toggles(window.state, painted, text)
    background_runner().wait()
    window.close()
    _close(window.map_view)
    return results | {
        "filter_apply_p50_ms_1m": float(np.percentile(plain, 50)),
        "filter_apply_ms_1m": float(np.percentile(plain, 95)),
        "filter_apply_cpu_p95_ms_1m": float(np.percentile(plain_cpu, 95)),
        "filter_apply_text_p50_ms_1m": float(np.percentile(with_text, 50)),
        "filter_apply_text_p95_ms_1m": float(np.percentile(with_text, 95)),
        "filter_text_set_ms_1m": float(np.median(set_text)),
        "filter_text_gui_ms_1m": float(np.median(text_gui)),
    }


def _pans(
    view, steps: int, drawn: str = "EventAtlas.dotsDrawn", *more: str
) -> tuple[list, ...]:
    """Frame times (sent → presented), the page's draw times and what the page said was
    drawn (the JS expression ``drawn``: the dots, by default), then the value of each
    expression of ``more``, of ``steps`` pans of 40 pixels (east and back, then south and
    back, in turn)."""
    moves = [(40, 0), (-40, 0), (0, 40), (0, -40)]
    asked = ", ".join(("EventAtlas.paintSeq", "EventAtlas.lastDrawMs", drawn, *more))
    # Leaflet redraws within panBy (moveend): the numbers are the new frame's.
    codes = [
        f"(EventAtlas.map.panBy([{dx}, {dy}], {{animate: false}}), [{asked}])"
        for dx, dy in (moves[k % len(moves)] for k in range(steps))
    ]
    frames = _frames(view, codes)
    return (
        [f for f, _rt, _rest in frames],
        *([rest[k] for _f, _rt, rest in frames] for k in range(2 + len(more))),
    )


def dots_metrics(db: Path, steps: int) -> dict[str, float]:
    """The ``dots_*`` and ``groups_*`` metrics of the module's docstring."""
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.store.event_store import EventStore

    with EventStore(db) as store:
        first, last = store.time_bounds()
        payload = encode_events(store.arrays())
    view, _ms = _open_view(payload, (first, last + 1))
    results: dict[str, float] = {}
    try:
        _call(view, "EventAtlas.map.setView([48.5, 34], 6, {animate: false}) && 1")
        for style in ("dots", "groups"):
            _call(view, f"EventAtlas.setMarkStyle('{style}')")
            _pans(view, 8)  # warm the page's JIT before timing
            frames, draws, drawn = _pans(view, steps)
            results[f"{style}_frame_p50_ms_1m"] = float(np.percentile(frames, 50))
            results[f"{style}_frame_p95_ms_1m"] = float(np.percentile(frames, 95))
            results[f"{style}_draw_p95_ms_1m"] = float(np.percentile(draws, 95))
            if style == "dots":
                results["dots_drawn_mean_1m"] = float(np.mean(drawn))
        # The same pans with no event in the window: what a frame of this map costs.
        _call(view, f"EventAtlas.setWindow({first - DAYS - 1000!r}, {first - DAYS!r})")
        frames, _draws, drawn = _pans(view, steps)
        assert max(drawn) == 0, "the empty window drew dots"
        results["empty_pan_frame_p50_ms_1m"] = float(np.percentile(frames, 50))
        results["empty_pan_frame_p95_ms_1m"] = float(np.percentile(frames, 95))
    finally:
        _close(view)
    results["dots_speedup_vs_groups_1m"] = (
        results["groups_frame_p50_ms_1m"] / results["dots_frame_p50_ms_1m"]
    )
    return results


#: The map of the marks benchmark: a 4K screen at one device pixel per CSS pixel. Marks
#: closer than 16 pixels stack into one (event_groups.js), so 20,000 marks need about
#: 4.4 million pixels of map: no smaller window holds them.
MARKS_VIEW = (3840, 2160)
#: The same pans on a full-HD map: the same grid, so about a quarter of the marks.
MARKS_VIEW_HD = (1920, 1080)
#: The last zoom of the online and MBTiles base layers, where marks are never clustered.
MARKS_ZOOM = 19
#: What the page says it drew of a frame's plain marks.
MARKS_DRAWN = "EventAtlas.drawn.marks.length"
#: The phases of a draw the marks benchmark reports (``EventAtlas.drawPhases``).
MARKS_PHASES = ("group", "labels", "marks", "composite")


def _resize(view, size: tuple[int, int]) -> None:
    view.resize(*size)
    _wait(lambda: _call(view, "EventAtlas.map.getSize().x")[0] == size[0])


def marks_metrics(folder: Path, steps: int, path_steps: int) -> dict[str, float]:
    """``marks_*``: 20,000 plain marks in one frame, as sprites and as a path each.

    A store of 23,200 events, each at its own place, on a grid 20 pixels apart at zoom
    19 (:func:`tests.mapping.grid_store`), in a map of :data:`MARKS_VIEW` at that zoom
    with its place names (as the main window gives them): about 21,000 marks in view,
    none stacked or clustered, six shapes and colours, each at its own opacity (fading
    on). The map pans 40 pixels a step; each step is timed from the pan sent until the
    page says the frame is on screen. ``marks_frame_p50_ms_20k`` / ``_p95_`` with
    sprites, ``marks_draw_p95_ms_20k`` the page's own drawing time,
    ``marks_drawn_mean_20k`` how many plain marks a frame drew and
    ``marks_phase_<phase>_p50_ms_20k`` the page's time in each phase of the draw
    (:data:`MARKS_PHASES`: grouping, choosing the names, listing the marks, compositing
    and putting their pixels). In the same run and view, ``marks_paths_*`` are the same
    pans drawing a path per mark (the page's ``spriteMarks`` off),
    ``marks_speedup_vs_paths_20k`` the ratio of the p50s, and ``marks_empty_frame_*_4k``
    the same pans with no event in the window: what a frame of this map costs before any
    mark. ``marks_redraw_frame_p50_ms_20k`` / ``_p95_`` (with ``marks_redraw_draw_p95_``
    and ``marks_redraw_drawn_mean_``): the same view while the window's end moves a day
    and back each step, so that every mark fades anew and every frame draws all of them
    and chooses the names again (a pan moves the last frame's pixels and draws only the
    strip it uncovers). ``marks_frame_*_1080p``, ``marks_drawn_mean_1080p`` and
    ``marks_empty_frame_*_1080p`` are the same sprite and empty pans on a map of
    :data:`MARKS_VIEW_HD` (the same grid: about 5,000 marks, as many as that map holds
    unstacked).
    """
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.ui.map.describe import describe_events
    from tests.mapping import grid_store

    store = grid_store(folder / "marks.db", 200, 116, 20, MARKS_ZOOM)
    results: dict[str, float] = {}

    def timed(prefix: str, suffix: str, count: int, phases: bool = False) -> None:
        _pans(view, 8, MARKS_DRAWN)  # warm the page's JIT (and make the sprites) first
        frames, draws, drawn, laps = _pans(view, count, MARKS_DRAWN, "EventAtlas.drawPhases")
        results[f"{prefix}_frame_p50_ms_{suffix}"] = float(np.percentile(frames, 50))
        results[f"{prefix}_frame_p95_ms_{suffix}"] = float(np.percentile(frames, 95))
        if prefix.endswith("empty"):
            return
        results[f"{prefix}_draw_p95_ms_{suffix}"] = float(np.percentile(draws, 95))
        results[f"{prefix}_drawn_mean_{suffix}"] = float(np.mean(drawn))
        for name in MARKS_PHASES if phases else ():
            values = [lap.get(name, 0.0) for lap in laps]
            results[f"{prefix}_phase_{name}_p50_ms_{suffix}"] = float(np.percentile(values, 50))

    try:
        first, last = store.time_bounds()
        payload = encode_events(store.arrays())
        view, _ms = _open_view(payload, (first, last + 1), describe_events(store))
        try:
            _resize(view, MARKS_VIEW)
            _call(
                view,
                f"(EventAtlas.map.setMaxZoom({MARKS_ZOOM}),"
                f" EventAtlas.map.setView([48.5, 35.0], {MARKS_ZOOM}, {{animate: false}}), 1)",
            )
            _call(view, "(EventAtlas.spriteMarks = true, 1)")
            timed("marks", "20k", steps, phases=True)
            # The same view, the window's end a day later or back each step: every mark
            # fades anew and the names are chosen again, so each frame draws all 20,000.
            scrubs = [
                f"(EventAtlas.setWindow({first!r}, {last + 1 + k % 2!r}),"
                f" [EventAtlas.paintSeq, EventAtlas.lastDrawMs, {MARKS_DRAWN}])"
                for k in range(steps + 8)
            ]
            redraws = _frames(view, scrubs)[8:]
            results["marks_redraw_frame_p50_ms_20k"] = float(
                np.percentile([f for f, _rt, _rest in redraws], 50)
            )
            results["marks_redraw_frame_p95_ms_20k"] = float(
                np.percentile([f for f, _rt, _rest in redraws], 95)
            )
            results["marks_redraw_draw_p95_ms_20k"] = float(
                np.percentile([rest[0] for _f, _rt, rest in redraws], 95)
            )
            results["marks_redraw_drawn_mean_20k"] = float(
                np.mean([rest[1] for _f, _rt, rest in redraws])
            )
            _call(view, "(EventAtlas.spriteMarks = false, 1)")
            timed("marks_paths", "20k", path_steps)
            _call(view, "(EventAtlas.spriteMarks = true, 1)")
            _resize(view, MARKS_VIEW_HD)
            timed("marks", "1080p", steps)
            _call(view, "(EventAtlas.setWindow(0, 1), 1)")
            timed("marks_empty", "1080p", steps)
            _resize(view, MARKS_VIEW)
            timed("marks_empty", "4k", steps)
        finally:
            _close(view)
    finally:
        store.close()
    results["marks_speedup_vs_paths_20k"] = (
        results["marks_paths_frame_p50_ms_20k"] / results["marks_frame_p50_ms_20k"]
    )
    return results


def _kept_or_new_store(folder: Path) -> Path:
    """The 1M-event store named by ``KEEP_STORE_ENV``, or one made in ``folder``."""
    from desktop_app.store.event_store import EventStore

    # Making the store takes most of a minute: a store kept from an earlier run (made by
    # synthetic_store with 1,000,000 events) can be named instead.
    kept = os.environ.get(KEEP_STORE_ENV)
    db = Path(kept) if kept and Path(kept).exists() else folder / "1m.db"
    started = time.perf_counter()
    # Opened once before anything is timed: a store from an older version gets its
    # columns stored now, as on its first opening by the app.
    with EventStore(db) if db.exists() else synthetic_store(db, 1_000_000) as store:
        store.arrays()
    print(f"   1M-event store ready in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def _stats(prefix: str, suffix: str, values: list[float], out: dict) -> None:
    out[f"{prefix}_p50_ms_{suffix}"] = float(np.percentile(values, 50))
    out[f"{prefix}_p95_ms_{suffix}"] = float(np.percentile(values, 95))


def measure(quick: bool) -> dict[str, float]:
    """Every metric of this module's docstring, as ``{name: value}``."""
    _qt_env()
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.app import headless_application

    headless_application()
    steps = 60 if quick else 300
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        # The page's web cache and settings stay in this run's folder.
        os.environ.setdefault("EVENT_ATLAS_CACHE_DIR", str(Path(folder) / "cache"))
        db = _kept_or_new_store(Path(folder))
        with EventStore(db) as store:
            arrays_1m = store.arrays()
        sizes = {"1k": 1_000, "100k": 100_000, "200k": 200_000, "1m": 1_000_000}
        for name, n in sizes.items():
            arrays = arrays_1m if n == len(arrays_1m) else _subset(arrays_1m, n)
            payload = encode_events(arrays)
            first = _windows(1)[0]
            view, load_ms = _open_view(payload, first)
            _fit(view)
            _call(view, "EventAtlas.map.setZoom(6, {animate: false}) && 1")
            _scrub(view, 10)  # warm the page's JIT before timing
            times = _scrub(view, steps)
            _stats("scrub", name, times["in_page"], results)
            _stats("scrub_rt", name, times["round_trip"], results)
            results[f"visible_mean_{name}"] = float(np.mean(times["visible"]))
            if name == "1m":
                results["page_load_ms_1m"] = load_ms
                results["scrub_paint_p50_ms_1m"] = float(np.percentile(times["paint"], 50))
                results["scrub_paint_p95_ms_1m"] = float(np.percentile(times["paint"], 95))
            _close(view)
            if name == "200k":
                runs = [
                    folium_rebuild_ms(arrays, w) for w in _windows(60)[::20][: 1 if quick else 3]
                ]
                results["folium_rebuild_ms_200k"] = float(np.median([r[0] for r in runs]))
                results["folium_markers_200k"] = float(np.mean([r[1] for r in runs]))
                results["scrub_speedup_vs_folium_200k"] = (
                    results["folium_rebuild_ms_200k"] / results["scrub_rt_p50_ms_200k"]
                )
            del payload
        rss, pss, anon = app_memory_mb(db)
        results["rss_mb_1m"] = rss
        results["pss_mb_1m"] = pss
        results["pss_anon_mb_1m"] = anon
        # The same app on the bundled dataset (a few dozen events): the fixed cost of Qt
        # and Chromium's processes, which a sum of RSS counts once per process.
        rss, pss, anon = app_memory_mb("-")
        results["rss_mb_seed"] = rss
        results["pss_mb_seed"] = pss
        results["pss_anon_mb_seed"] = anon
        results["mem_mb_per_1m"] = results["pss_anon_mb_1m"] - anon
        big, notes = kept_big_store()
        results.update(notes)
        results.update(start_metrics(db, 3 if quick else 5, big))
        results.update(filter_metrics(db, 10 if quick else 30))
        results.update(dots_metrics(db, 40 if quick else 200))
        results.update(frame_metrics(db, 60 if quick else 300, 10 if quick else 30))
        results.update(unpaced_frame_metrics(db, 60 if quick else 300, 10 if quick else 30))
        results.update(frame_5m_metrics(big, 60 if quick else 300))
        results.update(marks_metrics(Path(folder), 40 if quick else 200, 10 if quick else 40))
    return results


def measure_starts(runs: int) -> dict[str, float]:
    """Only the metrics of :func:`start_metrics` and :func:`kept_big_store` (``--starts``)."""
    with tempfile.TemporaryDirectory() as folder:
        big, notes = kept_big_store()
        return {**notes, **start_metrics(_kept_or_new_store(Path(folder)), runs, big)}


def measure_memory() -> dict[str, float]:
    """Only ``mem_mb_per_1m`` and the figures it is made of (``--memory``)."""
    _qt_env()
    with tempfile.TemporaryDirectory() as folder:
        db = _kept_or_new_store(Path(folder))
        _, _, big = app_memory_mb(db)
        _, _, seed = app_memory_mb("-")
    return {"pss_anon_mb_1m": big, "pss_anon_mb_seed": seed, "mem_mb_per_1m": big - seed}


def measure_filters(steps: int) -> dict[str, float]:
    """Only the metrics of :func:`filter_metrics` (``--filters``)."""
    _qt_env()
    from desktop_app.ui.app import headless_application

    headless_application()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("EVENT_ATLAS_CACHE_DIR", str(Path(folder) / "cache"))
        return filter_metrics(_kept_or_new_store(Path(folder)), steps)


def measure_frames(quick: bool) -> dict[str, float]:
    """Only the metrics of :func:`dots_metrics` and :func:`frame_metrics` (``--frames``)."""
    _qt_env()
    from desktop_app.ui.app import headless_application

    headless_application()
    # The web profile may still be writing its cache as the folder goes.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        os.environ.setdefault("EVENT_ATLAS_CACHE_DIR", str(Path(folder) / "cache"))
        db = _kept_or_new_store(Path(folder))
        results = dots_metrics(db, 40 if quick else 200)
        results.update(frame_metrics(db, 60 if quick else 300, 10 if quick else 30))
        results.update(unpaced_frame_metrics(db, 60 if quick else 300, 10 if quick else 30))
        results.update(frame_5m_metrics(kept_big_store()[0], 60 if quick else 300))
        results.update(marks_metrics(Path(folder), 40 if quick else 200, 10 if quick else 40))
        return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--rss-child"]:
        _rss_child(sys.argv[2])
    elif sys.argv[1:2] == ["--frame-child"]:
        _frame_child(*sys.argv[2:5])
    elif "--starts" in sys.argv[1:]:
        print(json.dumps(measure_starts(3 if "--quick" in sys.argv[1:] else 5), indent=2))
    elif "--memory" in sys.argv[1:]:
        print(json.dumps(measure_memory(), indent=2))
    elif "--frames" in sys.argv[1:]:
        print(json.dumps(measure_frames("--quick" in sys.argv[1:]), indent=2))
    elif "--filters" in sys.argv[1:]:
        print(json.dumps(measure_filters(10 if "--quick" in sys.argv[1:] else 30), indent=2))
    else:
        print(json.dumps(measure(quick="--quick" in sys.argv[1:]), indent=2))
