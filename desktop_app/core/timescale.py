"""Time scale and tick generation for the timeline.

Times throughout Event Atlas are floats counting days since 1970-01-01T00:00 UTC in the
proleptic Gregorian calendar (2025-06-02T12:00 is ``20241.5``). This module converts
between that representation and :class:`datetime.datetime`, maps times to pixels for a
visible span (:class:`TimeScale`), and produces calendar-aligned, non-overlapping tick
marks with short labels (:func:`ticks`). It is deliberately free of Qt so it can be unit
tested and reused; the Qt widget only paints what this module computes.

Precision note: a float has 53 bits of mantissa, which is not enough to give every
microsecond of years 1..9999 its own value (that would take about 58 bits). Round trips
``datetime -> days -> datetime`` are therefore exact to the microsecond for roughly
1790..2149; across all of years 1..9999 they are exact for whole milliseconds (and so
for whole seconds and minutes), and otherwise within one float ulp (at most ~10 µs at
year 1 and ~40 µs at year 9999). ``days -> datetime -> days`` is always exact for
values produced by :func:`days_from_datetime`.
"""

from __future__ import annotations

import calendar
import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

__all__ = [
    "EPOCH_ORDINAL",
    "T_MIN",
    "T_MAX",
    "MIN_SPAN_DAYS",
    "MAX_SPAN_DAYS",
    "LABEL_GAP_PX",
    "ENGLISH_MONTH_ABBR",
    "ENGLISH_MONTH_NAMES",
    "days_from_datetime",
    "datetime_from_days",
    "TimeScale",
    "Tick",
    "UnitKind",
    "TickUnit",
    "TICK_UNITS",
    "choose_unit",
    "ticks",
    "context_label",
]

EPOCH_ORDINAL: int = date(1970, 1, 1).toordinal()
#: First representable instant, 0001-01-01T00:00 (inclusive).
T_MIN: float = float(date.min.toordinal() - EPOCH_ORDINAL)
#: End of the representable range, 10000-01-01T00:00 (exclusive).
T_MAX: float = float(date.max.toordinal() + 1 - EPOCH_ORDINAL)

#: Narrowest visible span: one minute.
MIN_SPAN_DAYS: float = 1.0 / 1440.0
#: Widest visible span: 2000 mean Gregorian years.
MAX_SPAN_DAYS: float = 2000 * 365.2425

#: Minimum free space, in pixels, between two neighbouring tick labels.
LABEL_GAP_PX: float = 8.0

_US_PER_DAY = 86_400_000_000

ENGLISH_MONTH_ABBR: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
ENGLISH_MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --------------------------------------------------------------------------------------
# datetime <-> days
# --------------------------------------------------------------------------------------


def days_from_datetime(dt: datetime | date) -> float:
    """Convert a date or datetime to days since 1970-01-01T00:00 UTC.

    Naive datetimes are taken to be UTC; aware ones are converted to UTC first. A plain
    :class:`datetime.date` means its midnight.
    """
    if isinstance(dt, datetime):
        offset = dt.utcoffset()
        if offset is not None:
            # Subtracting the offset instead of astimezone() keeps working at the edges
            # of the datetime range where astimezone() would overflow.
            dt = dt.replace(tzinfo=None) - offset
        us_of_day = ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1_000_000 + dt.microsecond
        # Integer day part plus a fraction in [0, 1): a single rounding at the final add.
        return (dt.toordinal() - EPOCH_ORDINAL) + us_of_day / _US_PER_DAY
    return float(dt.toordinal() - EPOCH_ORDINAL)


def datetime_from_days(t: float) -> datetime:
    """Convert days since 1970-01-01 UTC to a naive datetime (UTC meaning).

    The result is rounded to the nearest microsecond, except where one float spans
    several microseconds (beyond about 1790..2149): there a whole second or millisecond
    that maps back to exactly ``t`` is preferred, so round times round-trip exactly.

    Raises
    ------
    ValueError
        If ``t`` is not finite or lies outside years 1..9999.
    """
    t = float(t)
    if not math.isfinite(t) or t < T_MIN or t >= T_MAX:
        raise ValueError(f"time {t!r} days is outside years 1..9999")
    day = math.floor(t)
    # t - floor(t) is exact in binary floating point, so only the scaling rounds.
    us = round((t - day) * _US_PER_DAY)
    if math.ulp(t) * _US_PER_DAY > 1.0:
        # Far from 1970 one float covers several microseconds. Like float repr picking
        # the shortest decimal, prefer a whole second or millisecond that converts back
        # to exactly this t, so such round-number times round-trip exactly in 1..9999.
        for quantum in (1_000_000, 1_000):
            snapped = round(us / quantum) * quantum
            if snapped != us and day + snapped / _US_PER_DAY == t:
                us = snapped
                break
    ordinal = day + EPOCH_ORDINAL
    if us >= _US_PER_DAY:
        ordinal += 1
        us -= _US_PER_DAY
        if ordinal > date.max.toordinal():
            # Rounded up past 9999-12-31T23:59:59.999999; saturate rather than fail.
            return datetime.max
    return datetime.fromordinal(ordinal) + timedelta(microseconds=us)


# --------------------------------------------------------------------------------------
# TimeScale
# --------------------------------------------------------------------------------------


def _clamp_window(start: float, span: float) -> tuple[float, float]:
    """Shift a window of ``span`` days so that it lies within [T_MIN, T_MAX]."""
    if start < T_MIN:
        start = T_MIN
    if start + span > T_MAX:
        start = T_MAX - span
    return start, start + span


@dataclass(frozen=True)
class TimeScale:
    """Linear mapping between time (days since epoch) and horizontal pixels.

    The visible span is the half-open interval ``[t_start, t_end)`` drawn over
    ``width`` pixels, so ``x(t_start) == 0`` and ``x(t_end) == width``. Instances are
    immutable; navigation methods return new scales.

    Parameters
    ----------
    t_start : float
        Time at the left edge, in days since 1970-01-01 UTC.
    t_end : float
        Time at the right edge (exclusive); must be greater than ``t_start``.
    width : float
        Width of the drawing area in pixels; must be positive.
    """

    t_start: float
    t_end: float
    width: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.t_start) and math.isfinite(self.t_end)):
            raise ValueError("t_start and t_end must be finite")
        if not self.t_end > self.t_start:
            raise ValueError(f"empty span: t_end {self.t_end!r} <= t_start {self.t_start!r}")
        if not (math.isfinite(self.width) and self.width > 0):
            raise ValueError(f"width must be positive, got {self.width!r}")

    @property
    def span(self) -> float:
        """Visible span in days."""
        return self.t_end - self.t_start

    @property
    def days_per_pixel(self) -> float:
        """Days represented by one pixel."""
        return (self.t_end - self.t_start) / self.width

    def x(self, t: float) -> float:
        """Pixel position of time ``t`` (may lie outside ``[0, width]``)."""
        return (t - self.t_start) * self.width / (self.t_end - self.t_start)

    def t(self, x: float) -> float:
        """Time at pixel position ``x``."""
        return self.t_start + x * (self.t_end - self.t_start) / self.width

    def xs(self, ts: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Vectorised :meth:`x` for an array of times."""
        arr = np.asarray(ts, dtype=np.float64)
        return (arr - self.t_start) * (self.width / (self.t_end - self.t_start))

    def ts(self, xs: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Vectorised :meth:`t` for an array of pixel positions."""
        arr = np.asarray(xs, dtype=np.float64)
        return self.t_start + arr * ((self.t_end - self.t_start) / self.width)

    def zoomed(self, factor: float, around_t: float) -> TimeScale:
        """Return a scale zoomed by ``factor`` keeping ``around_t`` at the same pixel.

        ``factor > 1`` zooms in (narrower span). The span is clamped to
        [:data:`MIN_SPAN_DAYS`, :data:`MAX_SPAN_DAYS`] and the window is then shifted,
        if necessary, to stay within years 1..9999; only in that last case does
        ``around_t`` move on screen.
        """
        if not (math.isfinite(factor) and factor > 0):
            raise ValueError(f"zoom factor must be positive, got {factor!r}")
        span = self.t_end - self.t_start
        new_span = min(max(span / factor, MIN_SPAN_DAYS), MAX_SPAN_DAYS)
        fraction = (around_t - self.t_start) / span
        start, end = _clamp_window(around_t - fraction * new_span, new_span)
        return TimeScale(start, end, self.width)

    def panned(self, dx_pixels: float) -> TimeScale:
        """Return a scale whose content is moved right by ``dx_pixels``.

        This matches a drag gesture: dragging right by ``dx`` reveals earlier times and
        the time under the cursor follows the cursor. The window stops at years 1..9999.
        """
        span = self.t_end - self.t_start
        start, end = _clamp_window(self.t_start - dx_pixels * span / self.width, span)
        return TimeScale(start, end, self.width)

    def with_width(self, width: float) -> TimeScale:
        """Return the same visible span drawn over a different pixel width."""
        return TimeScale(self.t_start, self.t_end, width)

    @classmethod
    def fit(cls, t0: float, t1: float, width: float, margin_fraction: float = 0.05) -> TimeScale:
        """Scale showing ``[t0, t1]`` with a margin of ``margin_fraction`` per side.

        A zero-length range (a single event) is shown as one day centred on it. Spans
        are clamped like :meth:`zoomed`; a range wider than :data:`MAX_SPAN_DAYS` shows
        its middle.
        """
        lo, hi = (t0, t1) if t0 <= t1 else (t1, t0)
        data_span = hi - lo
        span = data_span * (1.0 + 2.0 * margin_fraction) if data_span > 0 else 1.0
        span = min(max(span, MIN_SPAN_DAYS), MAX_SPAN_DAYS)
        start, end = _clamp_window((lo + hi) / 2.0 - span / 2.0, span)
        return cls(start, end, width)


# --------------------------------------------------------------------------------------
# Tick units
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """One tick mark: time in days, its label, and whether a larger unit starts here."""

    t: float
    label: str
    major: bool


class UnitKind(enum.Enum):
    """Calendar field a :class:`TickUnit` steps along."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class _LabelFormat:
    months: Sequence[str]
    long_months: Sequence[str]
    month_first: bool  # "Jun 2" (en-US) instead of "2 Jun"

    def day_month(self, d: datetime) -> str:
        mon = self.months[d.month - 1]
        return f"{mon} {d.day}" if self.month_first else f"{d.day} {mon}"

    def day_month_year(self, d: datetime) -> str:
        mon = self.months[d.month - 1]
        return f"{mon} {d.day}, {d.year}" if self.month_first else f"{d.day} {mon} {d.year}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class TickUnit:
    """A calendar-aligned tick spacing such as "15 minutes", "1 week" or "1 decade".

    Boundaries are aligned to the calendar field above the unit: minutes and hours to
    multiples of ``step`` within the hour/day, multi-day steps to day-of-month ``1, 1+step,
    ...`` (restarting every month), weeks to Mondays, months to ``Jan, Jan+step, ...`` and
    years to multiples of ``step``. Months and years use calendar arithmetic, so month
    lengths and leap years come out right.

    Parameters
    ----------
    kind : UnitKind
        Calendar field stepped.
    step : int
        Number of fields per step.
    min_days : float
        Smallest possible distance between two consecutive boundaries, used to decide
        cheaply whether a unit can be spaced widely enough.
    """

    kind: UnitKind
    step: int
    min_days: float

    @property
    def name(self) -> str:
        """Readable name, e.g. ``"15 minutes"``."""
        plural = "" if self.step == 1 else "s"
        return f"{self.step} {self.kind.value}{plural}"

    def floor(self, dt: datetime) -> datetime | None:
        """Latest boundary at or before ``dt``; ``None`` if there is none after year 1.

        ``None`` only occurs for multi-year units before their first boundary, because
        there is no year 0 (e.g. the first century boundary is the year 100).
        """
        n = self.step
        kind = self.kind
        if kind is UnitKind.MINUTE:
            return dt.replace(minute=dt.minute - dt.minute % n, second=0, microsecond=0)
        if kind is UnitKind.HOUR:
            return dt.replace(hour=dt.hour - dt.hour % n, minute=0, second=0, microsecond=0)
        if kind is UnitKind.DAY:
            day = min(dt.day, self._last_day_start(dt.year, dt.month))
            return datetime(dt.year, dt.month, day - (day - 1) % n)
        if kind is UnitKind.WEEK:
            # 0001-01-01 is a Monday, so this never underflows.
            return datetime.fromordinal(dt.toordinal() - dt.weekday())
        if kind is UnitKind.MONTH:
            return datetime(dt.year, dt.month - (dt.month - 1) % n, 1)
        year = dt.year - dt.year % n if n > 1 else dt.year
        return datetime(year, 1, 1) if year >= 1 else None

    def next(self, boundary: datetime) -> datetime | None:
        """Boundary following ``boundary``; ``None`` past year 9999."""
        n = self.step
        kind = self.kind
        try:
            if kind is UnitKind.MINUTE:
                return boundary + timedelta(minutes=n)
            if kind is UnitKind.HOUR:
                return boundary + timedelta(hours=n)
            if kind is UnitKind.DAY:
                if boundary.day + n <= self._last_day_start(boundary.year, boundary.month):
                    return boundary + timedelta(days=n)
                year, month = _add_months(boundary.year, boundary.month, 1)
                return datetime(year, month, 1)
            if kind is UnitKind.WEEK:
                return boundary + timedelta(days=7)
            if kind is UnitKind.MONTH:
                year, month = _add_months(boundary.year, boundary.month, n)
                return datetime(year, month, 1)
            return datetime(boundary.year + n, 1, 1)
        except (OverflowError, ValueError):
            return None

    def ceil(self, dt: datetime) -> datetime | None:
        """Earliest boundary at or after ``dt``; ``None`` past year 9999."""
        b = self.floor(dt)
        if b is None:
            return datetime(self.step, 1, 1)  # first multi-year boundary: year == step
        return b if b >= dt else self.next(b)

    def is_major(self, boundary: datetime) -> bool:
        """Whether the next larger calendar unit starts at (or, for weeks, in) ``boundary``.

        Larger units: minutes/hours -> day, days -> month, weeks -> month (the first
        Monday of a month), months/quarters -> year, 1/2/5 years -> decade,
        10/20/50 years -> century, 100+ years -> millennium.
        """
        kind = self.kind
        if kind in (UnitKind.MINUTE, UnitKind.HOUR):
            return boundary.hour == 0 and boundary.minute == 0
        if kind is UnitKind.DAY:
            return boundary.day == 1
        if kind is UnitKind.WEEK:
            return boundary.day <= 7
        if kind is UnitKind.MONTH:
            return boundary.month == 1
        return boundary.year % self._major_years() == 0

    def _major_years(self) -> int:
        for limit in (10, 100, 1000):
            if self.step < limit:
                return limit
        return 10_000

    def _last_day_start(self, year: int, month: int) -> int:
        # Multi-day steps restart at the 1st of each month (1, 1+step, ...); the last
        # boundary is the last such day still a full step before the next 1st, so the
        # spacing never drops below `step` (a 2-day unit runs 1, 3, ..., 29 in January).
        last = calendar.monthrange(year, month)[1] + 1 - self.step
        return last - (last - 1) % self.step

    def label(self, boundary: datetime, fmt: _LabelFormat) -> str:
        """Short label for ``boundary`` (see :func:`ticks` for the formats)."""
        kind = self.kind
        major = self.is_major(boundary)
        if kind in (UnitKind.MINUTE, UnitKind.HOUR):
            return (
                fmt.day_month(boundary) if major else f"{boundary.hour:02d}:{boundary.minute:02d}"
            )
        if kind is UnitKind.DAY:
            if major:
                return f"{fmt.months[boundary.month - 1]} {boundary.year}"
            return fmt.day_month(boundary)
        if kind is UnitKind.WEEK:
            return fmt.day_month_year(boundary) if major else fmt.day_month(boundary)
        if kind is UnitKind.MONTH:
            if major:
                return str(boundary.year)
            if self.step == 3:
                return f"Q{(boundary.month - 1) // 3 + 1}"
            return fmt.months[boundary.month - 1]
        if self.step == 10:
            return f"{boundary.year}s"
        return str(boundary.year)


#: All tick units, finest first. 200/500/1000 years extend the spec'd list so that even
#: a 2000-year span on a narrow widget still gets a few ticks.
TICK_UNITS: tuple[TickUnit, ...] = (
    TickUnit(UnitKind.MINUTE, 1, 1 / 1440),
    TickUnit(UnitKind.MINUTE, 5, 5 / 1440),
    TickUnit(UnitKind.MINUTE, 15, 15 / 1440),
    TickUnit(UnitKind.MINUTE, 30, 30 / 1440),
    TickUnit(UnitKind.HOUR, 1, 1 / 24),
    TickUnit(UnitKind.HOUR, 3, 3 / 24),
    TickUnit(UnitKind.HOUR, 6, 6 / 24),
    TickUnit(UnitKind.HOUR, 12, 12 / 24),
    TickUnit(UnitKind.DAY, 1, 1),
    TickUnit(UnitKind.DAY, 2, 2),
    TickUnit(UnitKind.WEEK, 1, 7),
    TickUnit(UnitKind.MONTH, 1, 28),
    TickUnit(UnitKind.MONTH, 3, 90),  # Jan+Feb+Mar of a common year
    TickUnit(UnitKind.MONTH, 6, 181),
    TickUnit(UnitKind.YEAR, 1, 365),
    TickUnit(UnitKind.YEAR, 2, 730),
    TickUnit(UnitKind.YEAR, 5, 1826),
    TickUnit(UnitKind.YEAR, 10, 3652),
    TickUnit(UnitKind.YEAR, 20, 7304),
    TickUnit(UnitKind.YEAR, 50, 18262),
    TickUnit(UnitKind.YEAR, 100, 36524),
    TickUnit(UnitKind.YEAR, 200, 73048),
    TickUnit(UnitKind.YEAR, 500, 182621),
    TickUnit(UnitKind.YEAR, 1000, 365242),
)


# --------------------------------------------------------------------------------------
# Tick selection
# --------------------------------------------------------------------------------------


def _default_measure(text: str) -> float:
    return 7.0 * len(text)


def _label_format(
    locale: str | None,
    month_names: Sequence[str] | None,
    long_month_names: Sequence[str] | None = None,
) -> _LabelFormat:
    for names in (month_names, long_month_names):
        if names is not None and len(names) != 12:
            raise ValueError(f"expected 12 month names, got {len(names)}")
    # Only the day/month order is taken from the locale; names come from the caller
    # (QLocale in the UI) so results never depend on the process's C locale.
    region = (locale or "").replace("-", "_").split(".")[0].upper()
    month_first = region in {"EN_US", "US"} or region.endswith("_US")
    return _LabelFormat(
        months=tuple(month_names) if month_names is not None else ENGLISH_MONTH_ABBR,
        long_months=(
            tuple(long_month_names) if long_month_names is not None else ENGLISH_MONTH_NAMES
        ),
        month_first=month_first,
    )


def _generate(
    unit: TickUnit,
    lo: float,
    hi: float,
    scale: TimeScale,
    measure: Callable[[str], float],
    fmt: _LabelFormat,
) -> list[Tick] | None:
    """Ticks of ``unit`` in ``[lo, hi)``, or ``None`` as soon as two labels collide."""
    b = unit.ceil(datetime_from_days(lo))
    if b is not None and days_from_datetime(b) < lo:
        # datetime_from_days rounded down onto a boundary just before lo.
        b = unit.next(b)
    out: list[Tick] = []
    prev_x = prev_half = 0.0
    while b is not None:
        t = days_from_datetime(b)
        if t >= hi:
            break
        label = unit.label(b, fmt)
        x = scale.x(t)
        half = measure(label) / 2.0
        if out and x - prev_x < prev_half + half + LABEL_GAP_PX:
            return None
        out.append(Tick(t, label, unit.is_major(b)))
        prev_x, prev_half = x, half
        b = unit.next(b)
    return out


def _select(
    scale: TimeScale,
    min_label_px: float,
    measure: Callable[[str], float] | None,
    fmt: _LabelFormat,
) -> tuple[TickUnit | None, list[Tick]]:
    lo = max(scale.t_start, T_MIN)
    hi = min(scale.t_end, T_MAX)
    if lo >= hi:
        return None, []
    measure = measure or _default_measure
    dpp = scale.days_per_pixel
    for unit in TICK_UNITS:
        # Cheap rejection first: most units are too fine and are skipped without
        # generating anything, so the cost stays proportional to the ticks returned.
        if unit.min_days / dpp < min_label_px:
            continue
        result = _generate(unit, lo, hi, scale, measure, fmt)
        if result is not None:
            return unit, result
    return None, []


def choose_unit(
    scale: TimeScale,
    min_label_px: float = 70,
    measure: Callable[[str], float] | None = None,
    locale: str | None = None,
    month_names: Sequence[str] | None = None,
) -> TickUnit | None:
    """The unit :func:`ticks` would use for these arguments (``None`` if none fits)."""
    return _select(scale, min_label_px, measure, _label_format(locale, month_names))[0]


def ticks(
    scale: TimeScale,
    min_label_px: float = 70,
    measure: Callable[[str], float] | None = None,
    locale: str | None = None,
    month_names: Sequence[str] | None = None,
) -> list[Tick]:
    """Calendar-aligned ticks for the visible span of ``scale``.

    Picks the finest unit of :data:`TICK_UNITS` whose boundaries are at least
    ``min_label_px`` apart and whose labels, centred on their ticks and measured with
    ``measure`` (default 7 px per character), leave :data:`LABEL_GAP_PX` between
    neighbours. Returns every boundary ``t`` with ``t_start <= t < t_end`` in increasing
    order (none outside the span; an empty list if no unit fits or the span holds no
    boundary).

    Labels (default English, day-first; ``locale`` ending in ``US`` gives "Jun 2"):

    ============  ================  ==========================================
    unit          minor label       major label (where the larger unit starts)
    ============  ================  ==========================================
    minutes/hrs   ``14:30``         ``2 Jun`` (at midnight)
    1/2 days      ``2 Jun``         ``Jun 2025`` (on the 1st)
    week          ``2 Jun``         ``2 Jun 2025`` (first Monday of a month; the
                                    day is kept because it is not the 1st)
    months        ``Jun``           ``2025`` (January)
    quarters      ``Q3``            ``2025`` (Q1)
    1/2/5 years   ``2025``          ``2030`` (decade start)
    10 years      ``2020s``         ``2000s`` (century start)
    20+ years     ``1900``          ``2000`` (century/millennium start)
    ============  ================  ==========================================

    Parameters
    ----------
    scale : TimeScale
        Visible span and width.
    min_label_px : float
        Minimum distance between consecutive ticks in pixels.
    measure : callable, optional
        Returns the pixel width of a label in the font used for painting.
    locale : str, optional
        Locale tag such as ``"en_US"``; only selects month/day order.
    month_names : sequence of str, optional
        Twelve abbreviated month names (e.g. from ``QLocale.monthName(m, ShortFormat)``).
    """
    fmt = _label_format(locale, month_names)
    return _select(scale, min_label_px, measure, fmt)[1]


def context_label(
    scale: TimeScale,
    min_label_px: float = 70,
    measure: Callable[[str], float] | None = None,
    locale: str | None = None,
    month_names: Sequence[str] | None = None,
    long_month_names: Sequence[str] | None = None,
) -> str:
    """Larger-context text for the left edge, complementing the tick labels.

    For minute/hour ticks the full date ("2 June 2025"), for day/week ticks the month
    ("June 2025"), for month/quarter ticks the year ("2025"); year ticks need no context
    and give ``""``. The arguments other than ``long_month_names`` (twelve full month
    names) must match those passed to :func:`ticks` so both agree on the unit.
    """
    fmt = _label_format(locale, month_names, long_month_names)
    unit, _ = _select(scale, min_label_px, measure, fmt)
    if unit is None or unit.kind is UnitKind.YEAR:
        return ""
    left = datetime_from_days(max(scale.t_start, T_MIN))
    month = fmt.long_months[left.month - 1]
    if unit.kind in (UnitKind.MINUTE, UnitKind.HOUR):
        if fmt.month_first:
            return f"{month} {left.day}, {left.year}"
        return f"{left.day} {month} {left.year}"
    if unit.kind in (UnitKind.DAY, UnitKind.WEEK):
        return f"{month} {left.year}"
    return str(left.year)
