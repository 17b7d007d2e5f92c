"""Window presets (a day, a week, a month, a year, everything) and calendar stepping.

Presets are calendar-aligned: "week" is Monday to Monday, "month" runs from the 1st, so
the window reads the way people talk about dates.
"""

from __future__ import annotations

import enum
import math

import numpy as np

from desktop_app.core.timescale import MIN_SPAN_DAYS, T_MAX, T_MIN
from desktop_app.core.window import TimeWindow

__all__ = ["WindowPreset", "preset_window", "nice_step"]


class WindowPreset(enum.Enum):
    """A window length the user can pick with one click."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    ALL = "all"


def preset_window(
    preset: WindowPreset, around: float, bounds: tuple[float, float] | None = None
) -> TimeWindow:
    """The calendar day/week/month/year containing ``around``, or everything in ``bounds``.

    ``ALL`` spans ``bounds`` widened to whole days; without bounds it gives the day of
    ``around``.
    """
    if preset is WindowPreset.ALL and bounds is not None:
        lo = math.floor(bounds[0])
        hi = max(math.ceil(bounds[1]), lo + 1)
        return TimeWindow(float(max(lo, T_MIN)), float(min(hi, T_MAX)))
    day = math.floor(min(max(around, T_MIN), T_MAX - 1))
    if preset in (WindowPreset.DAY, WindowPreset.ALL):
        return TimeWindow(float(day), float(day + 1))
    if preset is WindowPreset.WEEK:
        monday = day - (day - 4) % 7  # 1970-01-05 was a Monday
        return TimeWindow(float(monday), float(monday + 7))
    month = np.datetime64(day, "D").astype("datetime64[M]")
    if preset is WindowPreset.MONTH:
        start, end = month, month + 1
    else:
        year = month.astype("datetime64[Y]")
        start, end = year.astype("datetime64[M]"), (year + 1).astype("datetime64[M]")
    t0 = float(start.astype("datetime64[D]").astype(np.int64))
    t1 = float(end.astype("datetime64[D]").astype(np.int64))
    return TimeWindow(t0, min(t1, T_MAX))


#: Step lengths in days, from a minute to a year, for keyboard stepping.
_NICE_STEPS: tuple[float, ...] = (
    1 / 1440, 5 / 1440, 15 / 1440, 1 / 24, 3 / 24, 6 / 24, 12 / 24,
    1.0, 7.0, 30.436875, 91.310625, 365.2425,
)  # fmt: skip


def nice_step(duration: float, parts: float = 10.0) -> float:
    """A round step (minute, hour, day, week, month, ...) near ``duration / parts``.

    Picks the largest round step not longer than ``duration / parts``, so that stepping
    a window with the arrow keys moves it by a readable amount and ten steps never skip
    past it.
    """
    target = max(duration / parts, MIN_SPAN_DAYS)
    best = _NICE_STEPS[0]
    for step in _NICE_STEPS:
        if step <= target * (1 + 1e-9):
            best = step
    if target > _NICE_STEPS[-1]:
        years = math.floor(target / 365.2425)
        return years * 365.2425
    return best
