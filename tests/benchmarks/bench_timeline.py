"""Timeline paint speed at a million events, while scrubbing and while zooming.

The widget renders offscreen into a QImage (``widget.render``), the way the screen
would get it, while the window band moves (scrubbing) or the view zooms from years to
hours and back. Reported as 95th percentiles in milliseconds per frame; the issue asks
for at most 8 ms.

Run alone: ``python tests/benchmarks/bench_timeline.py [--quick]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision
from desktop_app.core.density import PRECISION_CODES
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.timescale import days_from_datetime

#: 2023-01-01 .. 2026-01-01: three years of news.
START = days_from_datetime(__import__("datetime").date(2023, 1, 1))
DAYS = 1096


def synthetic_events(n: int = 1_000_000, seed: int = 7) -> tuple[EventIndex, np.ndarray]:
    """``n`` events over three years with the shape of a news feed, and their precisions.

    Weekdays are busier than weekends, forty news stories make bursts lasting days to
    weeks, most events are dated to the day, some to the minute, a few to the month or
    the year or only approximately; about a third have no place.
    """
    rng = np.random.default_rng(seed)
    days = np.arange(DAYS)
    weekday = (days + 6) % 7  # 2023-01-01 was a Sunday; 0 = Monday
    weight = np.where(weekday >= 5, 0.55, 1.0) * (1.0 + 0.4 * days / DAYS)
    for _ in range(40):
        centre = rng.uniform(0, DAYS)
        width = rng.uniform(2, 20)
        weight += rng.uniform(1, 6) * np.exp(-0.5 * ((days - centre) / width) ** 2)
    day = rng.choice(days, size=n, p=weight / weight.sum()).astype(np.float64) + START

    kind = rng.choice(5, size=n, p=[0.80, 0.10, 0.05, 0.04, 0.01])
    t0 = day.copy()
    t1 = day + 1.0
    instant = kind == 1  # a time of day, mostly in working hours
    t0[instant] = day[instant] + np.clip(rng.normal(0.55, 0.15, instant.sum()), 0, 0.999)
    t1[instant] = t0[instant]
    ranged = kind == 2
    t1[ranged] = day[ranged] + rng.integers(2, 15, ranged.sum())
    precision = np.full(n, PRECISION_CODES[DatePrecision.DAY], np.uint8)
    month = kind == 3
    month_start = day[month].astype("datetime64[D]").astype("datetime64[M]")
    t0[month] = month_start.astype("datetime64[D]").astype(np.float64)
    t1[month] = (month_start + 1).astype("datetime64[D]").astype(np.float64)
    precision[month] = PRECISION_CODES[DatePrecision.MONTH]
    vague = kind == 4
    year_start = day[vague].astype("datetime64[D]").astype("datetime64[Y]")
    t0[vague] = year_start.astype("datetime64[D]").astype(np.float64)
    t1[vague] = (year_start + 1).astype("datetime64[D]").astype(np.float64)
    precision[vague] = PRECISION_CODES[DatePrecision.YEAR]
    approx = ranged & (rng.random(n) < 0.3)
    precision[approx] = PRECISION_CODES[DatePrecision.APPROXIMATE]

    shares = np.array([0.22, 0.16, 0.14, 0.05, 0.08, 0.15, 0.10, 0.06, 0.04])
    category = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum()).astype(np.uint8)
    placed = rng.random(n) < 0.65
    lat = np.where(placed, rng.uniform(44, 52, n), np.nan).astype(np.float32)
    lon = np.where(placed, rng.uniform(22, 40, n), np.nan).astype(np.float32)
    arrays = EventArrays(np.arange(1, n + 1, dtype=np.int64), t0, t1, lat, lon, category)
    order = np.argsort(t0, kind="stable")
    return EventIndex(arrays.sorted()), precision[order]


def _p95(samples: list[float]) -> float:
    return float(np.percentile(np.asarray(samples), 95))


def measure(quick: bool) -> dict[str, float]:
    """Paint p95 (ms) at 1M events: ``timeline_paint_p95_ms_1m`` while scrubbing,
    ``timeline_zoom_p95_ms_1m`` while zooming; ``quick`` uses fewer frames."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.window import TimeWindow
    from desktop_app.ui.timeline.widget import TimelineWidget
    from desktop_app.ui.view_state import ViewState

    app = QApplication.instance() or QApplication(sys.argv[:1])
    index, precisions = synthetic_events()
    state = ViewState(TimeWindow(START + 100, START + 107))
    widget = TimelineWidget(state, index)
    widget.set_index(index, precisions)
    widget.resize(1400, 160)
    widget.fit_view(START, START + DAYS)
    image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    widget.render(image)  # warm up caches and fonts
    frames = 60 if quick else 300

    scrub: list[float] = []
    for i in range(frames):
        begin = time.perf_counter()
        state.set_window(state.window.shifted(1.0 + 0.01 * i))
        widget.render(image)
        scrub.append((time.perf_counter() - begin) * 1000)
        app.processEvents()

    zoom: list[float] = []
    # Years to hours (about 12 notches of 2x) and back, around a busy day.
    x = widget.width() * 0.6
    half = frames // 2
    step = (2**16) ** (1 / half)  # 3 years / 2**16 is about 24 minutes
    for i in range(frames):
        factor = step if i < half else 1 / step
        begin = time.perf_counter()
        widget.zoom_at(factor, x)
        widget.render(image)
        zoom.append((time.perf_counter() - begin) * 1000)
        app.processEvents()

    widget.deleteLater()
    return {
        "timeline_paint_p95_ms_1m": _p95(scrub),
        "timeline_zoom_p95_ms_1m": _p95(zoom),
        "timeline_paint_median_ms_1m": statistics.median(scrub),
        "timeline_zoom_median_ms_1m": statistics.median(zoom),
    }


if __name__ == "__main__":
    for name, value in measure("--quick" in sys.argv).items():
        print(f"{name}: {value:.2f}")
