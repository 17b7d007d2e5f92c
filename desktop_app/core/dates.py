"""Dates as the article gave them, and times as numbers.

Every event keeps its ISO start (and optional end) at the precision the source
gave ("2025", "2025-05", "2025-06-02", "2025-06-02T06:00"), and two numbers,
``t0`` and ``t1``: days since 1970-01-01 (UTC, proleptic Gregorian) of the
first instant the event may cover and the instant after its last. Numbers make
window queries and the map page fast; the ISO text keeps what was known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np

from desktop_app.core.timescale import days_from_datetime


class DatePrecision(StrEnum):
    """How precisely a source dates an event."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    APPROXIMATE = "approximate"


#: Small integers for precisions, used in the compact arrays the views index.
PRECISION_CODES: dict[DatePrecision, int] = {
    DatePrecision.DAY: 0,
    DatePrecision.MONTH: 1,
    DatePrecision.YEAR: 2,
    DatePrecision.APPROXIMATE: 3,
}


def precision_codes(values: Iterable[str | DatePrecision]) -> np.ndarray:
    """Codes (uint8, see :data:`PRECISION_CODES`) for precision names such as ``"month"``.

    Unknown names count as approximate: drawing a date as less certain than it is is the
    safer mistake.
    """
    approximate = PRECISION_CODES[DatePrecision.APPROXIMATE]
    by_name = {str(k): v for k, v in PRECISION_CODES.items()}
    return np.fromiter((by_name.get(str(v), approximate) for v in values), dtype=np.uint8)


class Granularity(StrEnum):
    """The calendar period an ISO date names."""

    INSTANT = "instant"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_COARSENESS = {
    Granularity.INSTANT: 0,
    Granularity.DAY: 1,
    Granularity.MONTH: 2,
    Granularity.YEAR: 3,
}

_ISO = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d{1,6}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


class DateError(ValueError):
    """A date that cannot be read; the message says what was wrong."""


def parse_iso(text: str) -> tuple[datetime, Granularity]:
    """Read an ISO 8601 date of reduced precision: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a
    date and time (an offset is converted to UTC).
    """
    match = _ISO.match(text.strip())
    if not match:
        raise DateError(f"not an ISO date: {text!r}")
    parts = match.groupdict()
    try:
        if parts["month"] is None:
            return datetime(int(parts["year"]), 1, 1), Granularity.YEAR
        if parts["day"] is None:
            return datetime(int(parts["year"]), int(parts["month"]), 1), Granularity.MONTH
        day = datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if parts["hour"] is None:
            return day, Granularity.DAY
        moment = day.replace(
            hour=int(parts["hour"]),
            minute=int(parts["minute"]),
            second=int(parts["second"] or 0),
            microsecond=int((parts["frac"] or "0").ljust(6, "0")),
        )
    except ValueError as exc:
        raise DateError(f"not a calendar date: {text!r} ({exc})") from None
    tz = parts["tz"]
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment, Granularity.INSTANT


def _period_start(moment: datetime, granularity: Granularity) -> datetime:
    if granularity is Granularity.YEAR:
        return datetime(moment.year, 1, 1)
    if granularity is Granularity.MONTH:
        return datetime(moment.year, moment.month, 1)
    if granularity is Granularity.DAY:
        return datetime(moment.year, moment.month, moment.day)
    return moment


def _period_end(moment: datetime, granularity: Granularity) -> datetime:
    """The instant after the period; dates at the end of year 9999 stop at its last day."""
    start = _period_start(moment, granularity)
    try:
        if granularity is Granularity.YEAR:
            return start.replace(year=start.year + 1)
        if granularity is Granularity.MONTH:
            if start.month == 12:
                return start.replace(year=start.year + 1, month=1)
            return start.replace(month=start.month + 1)
        if granularity is Granularity.DAY:
            return start + timedelta(days=1)
    except (ValueError, OverflowError):
        return datetime(9999, 12, 31, 23, 59, 59)
    return start


def _granularity_of(precision: DatePrecision) -> Granularity | None:
    return {
        DatePrecision.DAY: Granularity.DAY,
        DatePrecision.MONTH: Granularity.MONTH,
        DatePrecision.YEAR: Granularity.YEAR,
    }.get(precision)


def event_span(start: str, end: str | None, precision: DatePrecision | str) -> tuple[float, float]:
    """``(t0, t1)`` for an event: from the start of the period ``start`` names to the end of
    the period ``end`` (or ``start``) names.

    The period is the coarser of what the ISO text says and what ``precision`` says, so
    "2025-05-14" with month precision covers all of May. An approximate date covers
    exactly the range given. An instant (a date with a time) has ``t1 == t0``.
    """
    precision = DatePrecision(precision)
    first, first_gran = parse_iso(start)
    last, last_gran = parse_iso(end) if end else (first, first_gran)
    wanted = _granularity_of(precision)
    if wanted is not None:
        if _COARSENESS[wanted] > _COARSENESS[first_gran]:
            first_gran = wanted
        if _COARSENESS[wanted] > _COARSENESS[last_gran]:
            last_gran = wanted
    t0 = days_from_datetime(_period_start(first, first_gran))
    t1 = days_from_datetime(_period_end(last, last_gran))
    if last < first or t1 < t0:
        raise DateError(f"the end {end!r} comes before the start {start!r}")
    return t0, t1
