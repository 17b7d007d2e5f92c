"""Timeline paint speed at a million events, while scrubbing, zooming and playing.

The widget renders offscreen into a QImage (``widget.render``), the way the screen
would get it, while the window band moves (scrubbing) or the view zooms from years to
hours and back. Reported as 95th percentiles in milliseconds per frame; the target is at
most 8 ms.

``timeline_paint_p95_ms_1m_dpr2``: the same widget at a device pixel ratio of 2 (a
process of its own with ``QT_SCALE_FACTOR=2``, so the widget paints four device pixels
per logical one, as on a high-density screen) while playback moves a week-long window
at a week per second, one 60 Hz frame at a time: the view follows the band, so the
histogram is computed and painted again on most frames. Each frame is the playback tick
plus the render.

Run alone: ``python tests/benchmarks/bench_timeline.py [--quick]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def playback_frames_ms(frames: int) -> tuple[list[float], float]:
    """Milliseconds of each of ``frames`` playback frames (tick and render) at 1M events,
    and the device pixel ratio the widget painted at."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.window import TimeWindow
    from desktop_app.ui.timeline.playback import SPEEDS, PlaybackController
    from desktop_app.ui.timeline.widget import TimelineWidget
    from desktop_app.ui.view_state import ViewState

    app = QApplication.instance() or QApplication(sys.argv[:1])
    index, precisions = synthetic_events()
    state = ViewState(TimeWindow(START + 100, START + 107))
    widget = TimelineWidget(state, index)
    widget.set_index(index, precisions)
    widget.resize(1400, 160)
    widget.show()
    widget.show_window()
    dpr = widget.devicePixelRatioF()
    image = QImage(widget.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    widget.render(image)  # warm up caches and fonts
    now = [0.0]
    playback = PlaybackController(state, clock=lambda: now[0])
    playback.set_index(index)
    playback.set_speed(next(speed for speed in SPEEDS if speed.key == "week"))
    playback.play()
    times: list[float] = []
    for _ in range(frames):
        begin = time.perf_counter()
        now[0] += 1 / 60
        playback.tick()
        widget.render(image)
        times.append((time.perf_counter() - begin) * 1000)
    playback.pause()
    painted_dpr = widget._image_dpr
    widget.deleteLater()
    app.processEvents()
    return times, painted_dpr


def _dpr2_child(frames: int) -> None:
    times, dpr = playback_frames_ms(frames)
    print(json.dumps({"times": times, "dpr": dpr}), flush=True)


def dpr2_playback_ms(frames: int) -> tuple[list[float], float]:
    """:func:`playback_frames_ms` in a process whose screens have a pixel ratio of 2."""
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, __file__, "--dpr2-child", str(frames)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return found["times"], found["dpr"]


def measure(quick: bool) -> dict[str, float]:
    """Paint p95 (ms) at 1M events: ``timeline_paint_p95_ms_1m`` while scrubbing,
    ``timeline_zoom_p95_ms_1m`` while zooming, ``timeline_paint_p95_ms_1m_dpr2`` while
    playing at a pixel ratio of 2; ``quick`` uses fewer frames."""
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
    playing, dpr = dpr2_playback_ms(frames)
    if dpr != 2:
        raise RuntimeError(f"the timeline painted at a pixel ratio of {dpr}, not 2")
    return {
        "timeline_paint_p95_ms_1m": _p95(scrub),
        "timeline_zoom_p95_ms_1m": _p95(zoom),
        "timeline_paint_median_ms_1m": statistics.median(scrub),
        "timeline_zoom_median_ms_1m": statistics.median(zoom),
        "timeline_paint_p95_ms_1m_dpr2": _p95(playing),
        "timeline_paint_median_ms_1m_dpr2": statistics.median(playing),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dpr2-child"]:
        _dpr2_child(int(sys.argv[2]))
    else:
        for name, value in measure("--quick" in sys.argv).items():
            print(f"{name}: {value:.2f}")
