"""Dates as spreadsheets write them: "2024-02-16", "16/02/2024 00:00:00", "02/16/2024",
"16 February 2024", "Feb 2024", "2024". Each becomes an ISO date at the precision written.

Day-first or month-first is a property of a file, not of a value: :func:`detect_dayfirst`
reads a column and says which order it uses, or None when no value tells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from desktop_app.core.dates import DatePrecision

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# The months in the main European languages as dates write them (Polish in the genitive
# its dates use): "16 février 2024", "16. März 2024", "16 de febrero de 2024",
# "16 lutego 2024". A plain table, not a locale: a file's language is not the system's.
_EUROPEAN_MONTHS = (
    "janvier janv januar jänner enero ene gennaio gen janeiro januari stycznia styczeń",
    "février fevrier févr fevr februar febrero febbraio fevereiro fev februari lutego luty",
    "mars märz maerz mär marzo março marco maart mrt marca marzec",
    "avril avr abril aprile kwietnia kwiecień",
    "mai maggio mag mayo maio mei maja maj",
    "juin juni junio giugno giu junho czerwca czerwiec",
    "juillet juil juli julio luglio lug julho lipca lipiec",
    "août aout augustus agosto ago sierpnia sierpień",
    "septembre septiembre setiembre settembre set setembro września wrzesień",
    "octobre oktober okt octubre ottobre ott outubro out października październik",
    "novembre noviembre novembro listopada listopad",
    "décembre decembre déc dezember dez diciembre dic dicembre dezembro grudnia grudzień",
)
MONTHS.update(
    {name: number for number, names in enumerate(_EUROPEAN_MONTHS, 1) for name in names.split()}
)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = (
    r"(?:[T ](?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})" + _TIME + r")?)?$")
_SLASHED = re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + "$")
_DAY_MONTH = re.compile(
    rf"^(?:\w+,?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?"
    rf"(?P<mon>{_MONTH})\.?,?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})$",
    re.I,
)
_MONTH_DAY = re.compile(
    rf"^(?:\w+,?\s+)?(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$",
    re.I,
)
_MONTH_YEAR = re.compile(rf"^(?P<mon>{_MONTH})\.?,?\s+(?P<y>\d{{4}})$", re.I)
# The date at the start of a value, whatever follows it ("1/22/2014 12:00:00 AM").
_SLASHED_START = re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})(?!\d)")
# Values longer than this are no date; dateutil would take long to say so.
_MAX_DATE_CHARS = 64
# Two defaults that differ in every part: what dateutil fills in from them was not written.
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))


class LooseDateError(ValueError):
    """A value that is not a date this module can read."""


def _iso_day(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        raise LooseDateError(f"not a calendar date: {y:04d}-{m:02d}-{d:02d}") from None


def _with_time(day: str, match: re.Match) -> tuple[str, DatePrecision]:
    hh = match.group("hh")
    if hh is None:
        return day, DatePrecision.DAY
    hour, minute, second = int(hh), int(match.group("mi")), int(match.group("ss") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise LooseDateError(f"not a time of day: {hh}:{match.group('mi')}")
    if (hour, minute, second) == (0, 0, 0) and not match.group("tz"):
        # Spreadsheets write midnight for "no time given" (ACLED's "16/02/2024 00:00:00").
        return day, DatePrecision.DAY
    tz = match.group("tz") or ""
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}{tz}", DatePrecision.DAY


def parse_loose_date(text: str, dayfirst: bool = False) -> tuple[str, DatePrecision]:
    """``(iso, precision)`` for a date written in one of the common spreadsheet forms.

    Raises :class:`LooseDateError` for anything else.
    """
    value = text.strip()
    if not value:
        raise LooseDateError("no date")
    match = _ISO.match(value)
    if match:
        y, m, d = match.group("y"), match.group("m"), match.group("d")
        if m is None:
            return y, DatePrecision.YEAR
        if not 1 <= int(m) <= 12:
            raise LooseDateError(f"no month {m} in {value!r}")
        if d is None:
            return f"{y}-{int(m):02d}", DatePrecision.MONTH
        return _with_time(_iso_day(int(y), int(m), int(d)), match)
    match = _SLASHED.match(value)
    if match:
        a, b, y = int(match.group("a")), int(match.group("b")), int(match.group("y"))
        if len(match.group("y")) == 2:
            y += 2000 if y < 70 else 1900
        day, month = (a, b) if dayfirst else (b, a)
        return _with_time(_iso_day(y, month, day), match)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        match = pattern.match(value)
        if match:
            month = MONTHS[match.group("mon").lower()]
            return _iso_day(int(match.group("y")), month, int(match.group("d"))), DatePrecision.DAY
    match = _MONTH_YEAR.match(value)
    if match:
        return f"{match.group('y')}-{MONTHS[match.group('mon').lower()]:02d}", DatePrecision.MONTH
    return _parsed_by_dateutil(value, dayfirst)


def _parsed_by_dateutil(value: str, dayfirst: bool) -> tuple[str, DatePrecision]:
    """The forms the patterns above leave to dateutil: 12-hour times (``1/22/2014
    12:00:00 AM``), compact days (``20180530``), dates inside longer wording."""
    if len(value) > _MAX_DATE_CHARS:
        raise LooseDateError(f"not a date: {value[:40]!r}")
    try:
        first, second = (dateutil_parser.parse(value, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        raise LooseDateError(f"not a date: {value[:40]!r}") from None
    if first.year != second.year or first.month != second.month:
        raise LooseDateError(f"not a date (no year or month): {value[:40]!r}")
    if first.day != second.day:
        return f"{first.year:04d}-{first.month:02d}", DatePrecision.MONTH
    day = first.date().isoformat()
    slashed = _SLASHED_START.match(value)
    if slashed:
        # dateutil swaps day and month when the first is over 12; the file's order rules.
        a, b, y = int(slashed.group("a")), int(slashed.group("b")), int(slashed.group("y"))
        if len(slashed.group("y")) == 2:
            y += 2000 if y < 70 else 1900
        d, m = (a, b) if dayfirst else (b, a)
        day = _iso_day(y, m, d)
    if first.tzinfo is not None or first.time() != datetime.min.time():
        clock = first.strftime("%H:%M:%S")
        zone = first.strftime("%z")
        zone = f"{zone[:3]}:{zone[3:]}" if zone and zone != "+0000" else ("Z" if zone else "")
        return f"{day}T{clock}{zone}", DatePrecision.DAY
    return day, DatePrecision.DAY


def numeric_date(value: str) -> bool:
    """Whether a value starts with a date in numbers whose order matters (``02/06/25``)."""
    return _SLASHED_START.match(value.strip()) is not None


def proven_order(value: str) -> bool | None:
    """True when a value written with numbers (``16/02/2024``, ``16.02.24 10:00``) can
    only be day/month/year, False when only month/day/year; None when either would do
    or it is not written so."""
    match = _SLASHED_START.match(value.strip())
    if not match:
        return None
    a, b = int(match.group("a")), int(match.group("b"))
    if a > 12 >= b:
        return True
    if b > 12 >= a:
        return False
    return None


def detect_dayfirst(values: Iterable[str]) -> bool | None:
    """True when a column writes day/month/year, False for month/day/year, None when no
    value tells (every day is 12 or less) or the values contradict each other."""
    proofs = {proven_order(value) for value in values} - {None}
    return next(iter(proofs)) if len(proofs) == 1 else None
