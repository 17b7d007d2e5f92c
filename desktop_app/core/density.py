"""Density of events over time, for the timeline's stacked histogram.

Two things live here, both free of Qt:

- Calendar-aligned histogram bins that adapt to the zoom (:func:`choose_bin_unit`,
  :func:`bin_edges`): fifteen-minute bins when looking at hours, weeks when looking at a
  year, months and years further out. Month and year edges come from numpy's calendar
  (``datetime64``), so month lengths and leap years are right.
- :class:`CategoryDensity`: how many events fall in each bin, per category, answered
  with binary searches over precomputed cumulative sums, so a frame costs a few
  ``searchsorted`` calls however many events there are.

An event dated to a month is not an event on the 1st of that month. Each event
therefore counts as one unit of mass spread evenly over ``[t0, t1)`` (instants, with
``t1 == t0``, are a point mass). A month-precision event adds 1/30 to each day bin of
its month; a year histogram still counts it as one. Summed over any span that contains
whole events, the mass is the number of events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import PRECISION_CODES, DatePrecision, precision_codes
from desktop_app.core.index import EventArrays
from desktop_app.core.timescale import T_MAX, T_MIN

__all__ = [
    "PRECISION_CODES",
    "PRECISE",
    "precision_codes",
    "BinUnit",
    "BIN_UNITS",
    "choose_bin_unit",
    "bin_edges",
    "CategoryDensity",
]

#: Small integer per :class:`DatePrecision`, for compact per-event arrays.
#: The code of the only precision the timeline draws as certain.
PRECISE: int = PRECISION_CODES[DatePrecision.DAY]


# --------------------------------------------------------------------------------------
# Bins
# --------------------------------------------------------------------------------------

#: More bins than this is a caller's mistake (a unit far too fine for the span), not a
#: histogram anyone can see.
MAX_BINS = 100_000

#: 1970-01-05, the first Monday after the epoch: weekly bins start on Mondays.
_MONDAY = 4.0


@dataclass(frozen=True)
class BinUnit:
    """A histogram bin width: a fixed number of days, or a number of calendar months/years.

    Parameters
    ----------
    kind : str
        ``"fixed"`` (``days`` long, aligned to multiples of ``days`` from ``offset``),
        ``"month"`` or ``"year"`` (``step`` calendar months or years, aligned to January
        and to years divisible by ``step``).
    step : int
        Months or years per bin for calendar kinds; 1 for fixed bins.
    days : float
        Length in days for fixed bins; the shortest possible length for calendar kinds.
    offset : float
        Alignment of fixed bins (weeks start on Monday).
    """

    kind: str
    step: int
    days: float
    offset: float = 0.0


BIN_UNITS: tuple[BinUnit, ...] = (
    BinUnit("fixed", 1, 1 / 1440),
    BinUnit("fixed", 1, 5 / 1440),
    BinUnit("fixed", 1, 15 / 1440),
    BinUnit("fixed", 1, 30 / 1440),
    BinUnit("fixed", 1, 1 / 24),
    BinUnit("fixed", 1, 3 / 24),
    BinUnit("fixed", 1, 6 / 24),
    BinUnit("fixed", 1, 12 / 24),
    BinUnit("fixed", 1, 1.0),
    BinUnit("fixed", 1, 7.0, _MONDAY),
    BinUnit("month", 1, 28.0),
    BinUnit("month", 3, 89.0),
    BinUnit("year", 1, 365.0),
    BinUnit("year", 5, 1826.0),
    BinUnit("year", 10, 3652.0),
    BinUnit("year", 50, 18262.0),
    BinUnit("year", 100, 36524.0),
    BinUnit("year", 500, 182621.0),
    BinUnit("year", 1000, 365242.0),
)


def choose_bin_unit(days_per_pixel: float, min_bin_px: float = 4.0) -> BinUnit:
    """The finest unit whose bins are at least ``min_bin_px`` pixels wide."""
    for unit in BIN_UNITS:
        if unit.days / days_per_pixel >= min_bin_px:
            return unit
    return BIN_UNITS[-1]


def _month_index(t: float) -> int:
    """Months since 1970-01 of the month containing day ``t``."""
    return int(np.datetime64(math.floor(t), "D").astype("datetime64[M]").astype(np.int64))


def bin_edges(t_start: float, t_end: float, unit: BinUnit) -> np.ndarray:
    """Bin edges (days, float64, increasing) covering ``[t_start, t_end]``.

    The first edge is at or before ``t_start`` and the last at or after ``t_end``, both
    on the unit's calendar alignment, clipped to years 1..9999.
    """
    lo = max(t_start, T_MIN)
    hi = min(t_end, T_MAX)
    if not hi > lo:
        raise ValueError(f"empty span: {t_start!r} .. {t_end!r}")
    if (hi - lo) / unit.days > MAX_BINS:
        raise ValueError(f"{(hi - lo) / unit.days:.0f} bins of {unit.days} days is too many")
    if unit.kind == "fixed":
        k0 = math.floor((lo - unit.offset) / unit.days)
        k1 = math.ceil((hi - unit.offset) / unit.days)
        edges = unit.offset + np.arange(k0, max(k1, k0 + 1) + 1, dtype=np.float64) * unit.days
        return np.clip(edges, T_MIN, T_MAX)
    if unit.kind == "month":
        m0 = _month_index(lo)
        m0 -= m0 % unit.step  # months since 1970-01: multiples of 3 are quarters
        m1 = _month_index(min(hi, T_MAX - 1)) + 1
        months = np.arange(m0, m1 + unit.step, unit.step)
        edges = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    else:
        y0 = _month_index(lo) // 12 + 1970
        y0 -= y0 % unit.step
        y1 = _month_index(min(hi, T_MAX - 1)) // 12 + 1970 + 1
        years = np.arange(max(y0, 1), y1 + unit.step, unit.step)
        years = years[years <= 10000]
        # datetime64 cannot hold year 10000 everywhere; its first day is T_MAX.
        inside = years[years <= 9999] - 1970
        edges = inside.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
        if years[-1] == 10000:
            edges = np.append(edges, int(T_MAX))
    edges = edges.astype(np.float64)
    # Drop whole bins that lie beyond the span (the step may overshoot by more than one).
    last = int(np.searchsorted(edges, hi, "left"))
    return edges[: max(last + 1, 2)]


# --------------------------------------------------------------------------------------
# Cumulative mass per category
# --------------------------------------------------------------------------------------


class _CumulativeMass:
    """F(x): the mass of a set of events lying before ``x``, as a piecewise-linear function.

    Ranged events contribute slope ``1/(t1 - t0)`` on ``[t0, t1)``; F is known at every
    breakpoint (each distinct ``t0`` and ``t1``), and between two breakpoints it is
    linear, so one binary search per query gives the exact value. Instants are a step,
    counted apart. Events share their dates (a day-precision dataset of a million events
    has a few thousand distinct days), so equal breakpoints and instants are merged: the
    arrays grow with the distinct dates, not with the events.
    """

    def __init__(self, t0: np.ndarray, t1: np.ndarray) -> None:
        point = ~(t1 > t0)
        #: How many events this mass is made of.
        self.events = len(t0)
        self.points, self.points_before = _distinct_with_counts(np.sort(t0[point]))
        r0 = t0[~point]
        r1 = t1[~point]
        slope = 1.0 / (r1 - r0)
        breaks = np.concatenate([r0, r1])
        change = np.concatenate([slope, -slope])
        order = np.argsort(breaks, kind="stable")
        breaks, change = breaks[order], change[order]
        first = _first_of_runs(breaks)
        self.breaks = breaks[first]
        # Slope on [breaks[k], breaks[k + 1]).
        self.slope = np.cumsum(np.add.reduceat(change, first)) if len(first) else change
        self.value = np.zeros_like(self.breaks)
        if len(self.breaks) > 1:
            np.cumsum(self.slope[:-1] * np.diff(self.breaks), out=self.value[1:])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = self.points_before[np.searchsorted(self.points, x, "left")].astype(np.float64)
        if len(self.breaks):
            k = np.searchsorted(self.breaks, x, "right") - 1
            inside = k >= 0
            kk = k[inside]
            out[inside] += self.value[kk] + self.slope[kk] * (x[inside] - self.breaks[kk])
        return out


def _first_of_runs(ordered: np.ndarray) -> np.ndarray:
    """The index of the first element of each run of equal values of ``ordered``."""
    if not len(ordered):
        return np.zeros(0, dtype=np.intp)
    starts = np.empty(len(ordered), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return np.flatnonzero(starts)


def _distinct_with_counts(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``ordered`` and, for ``k`` from 0 to their number, how many
    values lie before the ``k``-th distinct one (the last: all of them)."""
    first = _first_of_runs(ordered)
    return ordered[first], np.append(first, len(ordered))


class CategoryDensity:
    """Events per histogram bin and category, in a few binary searches per frame.

    Parameters
    ----------
    arrays : EventArrays
        The events; ``category`` codes at or beyond ``n_categories`` count as the last.
    n_categories : int
        Number of categories (rows of :meth:`counts`); defaults to :data:`CATEGORIES`.
    rows : np.ndarray, optional
        One bool per event: only those events count (None: every event).

    Notes
    -----
    Building costs a sort of every start and end (about a quarter of a second for a
    million events); each query costs ``2 * n_categories`` searches per edge. The mass
    is kept per category code, so :meth:`only` (the density of some codes alone, as a
    tick of the legend asks) is free.
    """

    def __init__(
        self,
        arrays: EventArrays,
        n_categories: int = len(CATEGORIES),
        rows: np.ndarray | None = None,
    ) -> None:
        self.n_categories = n_categories
        codes = np.asarray(arrays.category)
        t0 = np.asarray(arrays.t0)
        t1 = np.maximum(arrays.t1, arrays.t0)
        if rows is not None:
            codes, t0, t1 = codes[rows], t0[rows], t1[rows]
        self.total = len(codes)
        #: Code -> the mass of that code's events; codes the events lack are left out.
        self._by_code: dict[int, _CumulativeMass] = {}
        if len(codes):
            # One pass for every code's rows, instead of a comparison over all per code.
            order = np.argsort(codes, kind="stable")
            present, starts = np.unique(codes[order], return_index=True)
            for code, part in zip(present.tolist(), np.split(order, starts[1:]), strict=True):
                self._by_code[int(code)] = _CumulativeMass(t0[part], t1[part])
        self._shown: frozenset[int] | None = None

    def only(self, codes) -> CategoryDensity:
        """The density of the events whose category code is among ``codes`` alone (None:
        every code), sharing this one's sums: nothing is sorted again."""
        limited = object.__new__(CategoryDensity)
        limited.__dict__.update(self.__dict__)
        limited._shown = None if codes is None else frozenset(int(c) for c in codes)
        limited.total = sum(mass.events for _code, mass in self._masses(limited._shown))
        return limited

    def _masses(self, shown: frozenset[int] | None) -> list[tuple[int, _CumulativeMass]]:
        return [
            (code, mass)
            for code, mass in sorted(self._by_code.items())
            if shown is None or code in shown
        ]

    def cumulative(self, edges: np.ndarray) -> np.ndarray:
        """Mass before each edge, shape ``(n_categories, len(edges))``."""
        x = np.asarray(edges, dtype=np.float64)
        out = np.zeros((self.n_categories, len(x)))
        if self.n_categories:
            for code, mass in self._masses(self._shown):
                out[min(code, self.n_categories - 1)] += mass(x)
        return out

    def counts(self, edges: np.ndarray) -> np.ndarray:
        """Mass in each bin ``[edges[i], edges[i+1])`` per category, shape
        ``(n_categories, len(edges) - 1)``; whole events count 1, spread over their span.
        """
        # Tiny negatives are rounding in the cumulative sums, not events.
        return np.maximum(np.diff(self.cumulative(edges), axis=1), 0.0)
