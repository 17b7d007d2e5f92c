"""The event table over a 1M-event store: scrolling, jumping, searching, sorting.

Metrics (milliseconds unless named ``_s``):

- ``table_scroll_p50_ms_1m``/``table_scroll_p95_ms_1m``: the table showing all 1,000,000
  events (the whole three years), scrolled down by one page (the scroll bar's page step)
  at a time from random places: the scroll, the ``data()`` calls for the rows now
  visible (reading a page of 128 events from the store when not kept) and the viewport
  painted, synchronously. ``table_scroll_cpu_p95_ms_1m`` is the same steps' CPU time of
  the GUI thread: on a shared machine, the work without the waits for a core.
- ``table_jump_p95_ms_1m`` (``table_jump_cpu_p95_ms_1m``): the same for a jump to a
  random place in the table (a new page of events to read each time).
- ``search_ms_1m`` (p95; ``search_p50_ms_1m`` beside it): a free-text query set on the
  view state, as the search box does, until the table is filled with its events of the
  window and painted: the FTS query in the background on its own connection, the mask
  over the index, the rows made and drawn. The table panel alone, finding them itself:
  in the window it takes the rows the map's search found instead.
  ``search_cpu_p95_ms_1m``: the CPU time of the whole process (every thread: the
  query's too) over the same searches.
- ``table_sort_title_s_1m``/``table_sort_place_s_1m``: the table showing all 1,000,000
  events ordered by title or place the first time, from the click (``sort()``) until the
  table holds the rows in that order and its first page is painted: for places, the
  store's few thousand places ranked and each event taking its place's rank; for titles,
  every title read a chunk at a time, folded and ranked, in the background.
  ``table_sort_title_gui_max_ms_1m``/``table_sort_place_gui_max_ms_1m``: the longest the
  GUI thread went without handling its events meanwhile (the table stays usable while
  an order is made: this is how long it did not answer at worst).

Run by ``tests/benchmarks/run.py`` through :func:`measure`, or alone:
``python tests/benchmarks/bench_table.py [--quick]``. ``EVENT_ATLAS_BENCH_STORE`` names a
1M store made earlier (as ``bench_map.py`` does).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_map import _kept_or_new_store, _qt_env, _wait  # noqa: E402
from tests.mapping import DAYS, FIRST_DAY  # noqa: E402

#: Words of the synthetic titles, excerpts and places, from rare to common.
QUERIES = [
    "12345", "vilnius", "warsaw", "bucharest", "minsk", "krasnodar", "bryansk", "poltava",
    "lviv", "odesa", "kyiv", "sumy", "kursk", "kupiansk", '"strike near"', "humanitarian",
]  # fmt: skip
SIZE = (1200, 700)


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _longest_hold_until(predicate, timeout_ms: int = 600_000) -> float:
    """Run the Qt event loop until ``predicate()`` holds, as ``_wait`` does; the longest
    time (ms) between two turns of the loop, which is how long the GUI thread was held."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_ms / 1000
    longest, last = 0.0, time.perf_counter()
    while not predicate() and time.monotonic() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest * 1000


def measure(quick: bool) -> dict[str, float]:
    """Every metric of this module's docstring, as ``{name: value}``."""
    _qt_env()
    from desktop_app.core.filter import Filter
    from desktop_app.core.index import EventIndex
    from desktop_app.core.window import TimeWindow
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.app import headless_application
    from desktop_app.ui.panels.table import EventTablePanel
    from desktop_app.ui.table.model import COLUMN_KEYS
    from desktop_app.ui.view_state import ViewState

    app = headless_application()
    steps = 60 if quick else 300
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = _kept_or_new_store(Path(folder))
        store = EventStore(db)
        index = EventIndex(store.arrays())
        state = ViewState(TimeWindow(FIRST_DAY, FIRST_DAY + DAYS + 1))
        panel = EventTablePanel(state, lambda: store, lambda: index)
        panel.resize(*SIZE)
        panel.show()
        _wait(lambda: not panel.model.busy)
        app.processEvents()
        model, view = panel.model, panel.view
        assert model.rowCount() == len(index) == 1_000_000, model.rowCount()
        bar = view.verticalScrollBar()
        rng = random.Random(11)

        cpu: list[float] = []

        def timed(move) -> float:
            started, thread = time.perf_counter(), time.thread_time()
            move()
            view.viewport().repaint()
            cpu.append((time.thread_time() - thread) * 1000)
            return (time.perf_counter() - started) * 1000

        scroll: list[float] = []
        while len(scroll) < steps:
            bar.setValue(rng.randrange(bar.maximum()))
            view.viewport().repaint()
            for _ in range(10):
                scroll.append(timed(lambda: bar.setValue(bar.value() + bar.pageStep())))
        results["table_scroll_p50_ms_1m"] = _p(scroll, 50)
        results["table_scroll_p95_ms_1m"] = _p(scroll, 95)
        results["table_scroll_cpu_p95_ms_1m"] = _p(cpu, 95)
        cpu.clear()
        jumps = [
            timed(lambda: bar.setValue(rng.randrange(bar.maximum())))
            for _ in range(steps // 3)
        ]
        results["table_jump_p95_ms_1m"] = _p(jumps, 95)
        results["table_jump_cpu_p95_ms_1m"] = _p(cpu, 95)

        searches: list[float] = []
        search_cpu: list[float] = []
        by_query: dict[str, list[float]] = {}
        for query in QUERIES[: 8 if quick else len(QUERIES)] * (1 if quick else 2):
            state.set_filter(Filter())
            _wait(lambda: not model.busy)
            started, cpu = time.perf_counter(), time.process_time()
            state.set_filter(Filter(text=query))
            _wait(lambda: not model.busy)
            view.viewport().repaint()
            searches.append((time.perf_counter() - started) * 1000)
            search_cpu.append((time.process_time() - cpu) * 1000)
            by_query.setdefault(f"{query} ({model.rowCount():,} rows)", []).append(searches[-1])
        results["search_p50_ms_1m"] = _p(searches, 50)
        results["search_ms_1m"] = _p(searches, 95)
        results["search_cpu_p95_ms_1m"] = _p(search_cpu, 95)
        for query, times in by_query.items():
            print(f"   search {query}: {min(times):,.0f} ms", flush=True)
        state.set_filter(Filter())
        _wait(lambda: not model.busy)

        for key in ("place", "title"):
            started = time.perf_counter()
            model.sort(COLUMN_KEYS.index(key))
            held = _longest_hold_until(lambda: not model.busy)
            view.viewport().repaint()
            results[f"table_sort_{key}_s_1m"] = time.perf_counter() - started
            results[f"table_sort_{key}_gui_max_ms_1m"] = held
        panel.close()
        panel.deleteLater()
        app.processEvents()
        store.close()
    return results


if __name__ == "__main__":
    import os

    os.environ.setdefault("EVENT_ATLAS_CACHE_DIR", tempfile.mkdtemp())
    for key, value in measure("--quick" in sys.argv).items():
        print(f"{key:<28} {value:,.3f}")
