"""EDTF (ISO 8601-2, Extended Date/Time Format, levels 0 and 1): dates as historians and
archivists write what they know and do not know.

Read: ``2025``, ``2025-06``, ``2025-06-02`` and date-times; ``~`` (approximate), ``?``
(uncertain) and ``%`` (both) after a date; intervals ``2025-06-20/2025-06-30`` with an
open or unknown end (``2025-06-20/..``, ``2025-06-20/``); unspecified digits
(``2025-06-XX``, ``2025-XX``, ``202X``); seasons ``2025-21`` to ``2025-24`` (spring,
summer, autumn, winter). Written: the same forms, from an event's start, end and
precision, so that an export says exactly what the atlas knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.core.dates import DateError, DatePrecision, Granularity, event_span, parse_iso

# A season's first and last months (winter runs into the next year).
_SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}
_QUALIFIER = re.compile(r"[~?%]$")
_UNSPECIFIED = re.compile(r"^(\d{2,3})(X{1,2})$|^(\d{4})-XX(?:-XX)?$|^(\d{4}-\d{2})-XX$")
_SEASON = re.compile(r"^(\d{4})-(2[1-4])$")
# One side of an interval, or a lone date: four digits (or an X'd decade) first, or an
# open or unknown end.
_EDTF_SIDE = re.compile(r"^(?:\d{2}[\dX]{2}(?:[-T:.\dXZ+]*)[~?%]?|\.\.|)$")


@dataclass(frozen=True)
class EdtfDate:
    """An EDTF text read as the atlas keeps dates: an ISO start, an ISO end or None,
    and a precision."""

    start: str
    end: str | None
    precision: DatePrecision


def looks_like_edtf(text: str) -> bool:
    """Whether ``text`` uses EDTF's own marks (a qualifier, an interval, ``X`` digits or
    a season) on an ISO-shaped date: plain ISO dates are read as ISO anyway, and
    "02/06/2025" or "Xmas 2025" are not EDTF."""
    text = text.strip()
    sides = text.split("/")
    if len(sides) > 2 or not all(_EDTF_SIDE.match(side) for side in sides):
        return False
    first = _QUALIFIER.sub("", sides[0])
    return bool(
        len(sides) == 2
        or _QUALIFIER.search(sides[0])
        or _UNSPECIFIED.match(first)
        or _SEASON.match(first)
    )


def parse_edtf(text: str) -> EdtfDate:
    """Read an EDTF date or interval; raises :class:`DateError` naming what is wrong."""
    written = text.strip()
    if "/" in written:
        first, _, last = written.partition("/")
        if first in ("", ".."):
            raise DateError(f"{text!r}: an interval with an unknown start cannot be placed")
        begin = _one(first, text)
        if last in ("", ".."):
            return EdtfDate(begin.start, None, begin.precision)
        finish = _one(last, text)
        start, end = begin.start, finish.end or finish.start
        precision = _coarser(begin.precision, finish.precision, begin.start, end)
        try:
            event_span(start, end, precision)
        except DateError as exc:
            raise DateError(f"{text!r}: {exc}") from None
        return EdtfDate(start, end, precision)
    return _one(written, text)


def _one(part: str, text: str) -> EdtfDate:
    """One EDTF date (not an interval)."""
    qualified = bool(_QUALIFIER.search(part))
    part = _QUALIFIER.sub("", part)
    season = _SEASON.match(part)
    if season:
        year, code = int(season[1]), int(season[2])
        first, last = _SEASONS[code]
        end_year = year + 1 if last < first else year
        precision = DatePrecision.APPROXIMATE if qualified else DatePrecision.MONTH
        return EdtfDate(f"{year:04d}-{first:02d}", f"{end_year:04d}-{last:02d}", precision)
    unspecified = _UNSPECIFIED.match(part)
    if unspecified:
        if unspecified[1]:  # 202X, 19XX: a decade or a century
            digits, unknown = unspecified[1], len(unspecified[2])
            low = int(digits) * 10**unknown
            high = low + 10**unknown - 1
            precision = DatePrecision.APPROXIMATE if qualified else DatePrecision.YEAR
            return EdtfDate(f"{low:04d}", f"{high:04d}", precision)
        known = unspecified[3] or unspecified[4]
        precision = DatePrecision.YEAR if unspecified[3] else DatePrecision.MONTH
        return EdtfDate(known, None, DatePrecision.APPROXIMATE if qualified else precision)
    try:
        _moment, granularity = parse_iso(part)
    except DateError:
        raise DateError(f"{text!r}: not an EDTF date") from None
    precision = {
        Granularity.YEAR: DatePrecision.YEAR,
        Granularity.MONTH: DatePrecision.MONTH,
    }.get(granularity, DatePrecision.DAY)
    return EdtfDate(part, None, DatePrecision.APPROXIMATE if qualified else precision)


def _coarser(one: DatePrecision, other: DatePrecision, start: str, end: str) -> DatePrecision:
    if DatePrecision.APPROXIMATE in (one, other):
        return DatePrecision.APPROXIMATE
    order = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]
    return max(one, other, key=order.index)


def to_edtf(start: str, end: str | None, precision: DatePrecision | str) -> str:
    """An event's dates as EDTF: ``2025-06``, ``2025-06-20/2025-06-30``, ``2025-06~``."""
    precision = DatePrecision(precision)
    mark = "~" if precision is DatePrecision.APPROXIMATE else ""

    def cut(iso: str) -> str:
        if precision is DatePrecision.YEAR:
            return iso[:4]
        if precision is DatePrecision.MONTH:
            return iso[:7]
        return iso

    first = cut(start) + mark
    if end and cut(end) != cut(start):
        return f"{first}/{cut(end)}{mark}"
    return first
