"""Times in an article's words, resolved against its publication date.

"June 2, 2025", "2/6/2025" (day/month order is a setting), "on the morning of June 2",
"in May", "in early 2022", "between June 20 and 30", "in 2022–2023", "two days before
the meeting", "yesterday", "last week". Each becomes an ISO start (and end) at the
precision the words imply; a span that is only known to lie within a range is
``approximate`` over that range.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, timedelta

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.loose_dates import MONTHS

_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3, "few": 3,
}  # fmt: skip
_NUM = r"(?:\d{1,2}|a few|an|a|one|two|three|four|five|six|seven|eight|nine|ten|several)"
_DASH = r"\s*(?:-|–|—|to|and|until)\s*"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "day_range",
        re.compile(
            rf"\b(?:between|from)\s+(?P<m1>{_MON})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"{_DASH}(?:(?P<m2>{_MON})\.?\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
            rf"(?:,?\s+(?P<y>\d{{4}}))?",
            re.I,
        ),
    ),
    (
        "year_range",
        re.compile(r"\b(?P<y1>(?:19|20)\d{2})\s*(?:-|–|—|to|and)\s*(?P<y2>(?:19|20)\d{2})\b"),
    ),
    (
        "month_day",
        re.compile(
            rf"\b(?P<m>{_MON})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?",
            re.I,
        ),
    ),
    (
        "day_month",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MON})\b\.?(?:,?\s+(?P<y>\d{{4}}))?",
            re.I,
        ),
    ),
    ("numeric", re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})\b")),
    (
        "part_year",
        re.compile(
            r"\b(?P<part>early|mid|late|the end of|the beginning of)[-\s]+(?P<y>(?:19|20)\d{2})\b",
            re.I,
        ),
    ),
    (
        "month_year",
        re.compile(
            rf"\b(?:in\s+)?(?:(?P<part>early|mid|late)[-\s]+)?(?P<m>{_MON})\b\.?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?",
            re.I,
        ),
    ),
    (
        "relative",
        re.compile(
            rf"\b(?P<n>{_NUM})\s+(?P<unit>day|week|month|hour)s?\s+(?P<dir>before|after|later|earlier|ago)\b",
            re.I,
        ),
    ),
    (
        "word",
        re.compile(
            r"\b(?P<w>yesterday|today|tomorrow|the day before|the previous day|the next day|"
            r"the following day|last week|this week|next week|last month|this month|"
            r"next month|last year|this year|earlier this year)\b",
            re.I,
        ),
    ),
    ("weekday", re.compile(r"\b(?:on|last|this)\s+(?P<wd>" + "|".join(_WEEKDAYS) + r")\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during|by|of)\s+(?P<y>(?:19|20)\d{2})\b")),
]


@dataclass(frozen=True)
class TimeMention:
    """A time named in a sentence.

    ``absolute`` is True when the words name a calendar date of their own ("June 2"),
    False when they are relative to something else ("two days before the meeting").
    """

    start: str
    end: str | None
    precision: DatePrecision
    text: str
    position: int
    absolute: bool
    kind: str


def nearest_year(month: int, day: int, published: date) -> int:
    """The year that puts month/day nearest the publication date (ties: the past)."""
    best = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            distance = (date(year, month, min(day, 28)) - published).days
        except ValueError:
            continue
        key = (abs(distance), distance > 0)
        if best is None or key < best[0]:
            best = (key, year)
    if best is None:
        raise ValueError(f"no day {day} in month {month}")
    return best[1]


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def find_times(
    sentence: str, published: date, anchor: date, dayfirst: bool = False
) -> list[TimeMention]:
    """The times named in ``sentence``, in order, without overlaps.

    ``anchor`` is the date the story is at ("the meeting" in "two days before the
    meeting"); ``published`` resolves "yesterday", years left out, and the like.
    """
    found: list[TimeMention] = []
    # The spans taken so far, which never overlap, sorted: a new match overlaps one only
    # if it overlaps its neighbours, found by bisection (a sentence may hold thousands).
    starts: list[int] = []
    ends: list[int] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            at = bisect.bisect_right(starts, start)
            if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
                continue
            try:
                mention = _resolve(kind, match, published, anchor, dayfirst)
            except (ValueError, KeyError, OverflowError):
                mention = None
            if mention is not None:
                starts.insert(at, start)
                ends.insert(at, end)
                found.append(mention)
    return sorted(found, key=lambda m: m.position)


def _resolve(
    kind: str, m: re.Match, published: date, anchor: date, dayfirst: bool
) -> TimeMention | None:
    text, pos = m.group(0), m.start()

    def day(d: date, absolute: bool = True) -> TimeMention:
        return TimeMention(d.isoformat(), None, DatePrecision.DAY, text, pos, absolute, kind)

    def approx(a: date, b: date, absolute: bool = False) -> TimeMention:
        return TimeMention(
            a.isoformat(), b.isoformat(), DatePrecision.APPROXIMATE, text, pos, absolute, kind
        )

    if kind == "day_range":
        m1 = MONTHS[m.group("m1").lower()]
        m2 = MONTHS[m.group("m2").lower()] if m.group("m2") else m1
        d1, d2 = int(m.group("d1")), int(m.group("d2"))
        # A year written closes the range: "December 30 to January 2, 2025".
        year = int(m.group("y")) - (m2 < m1) if m.group("y") else nearest_year(m1, d1, published)
        first, last = date(year, m1, d1), date(year + (m2 < m1), m2, d2)
        if last < first:
            return None
        return TimeMention(
            first.isoformat(), last.isoformat(), DatePrecision.DAY, text, pos, True, kind
        )
    if kind == "year_range":
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if not y1 < y2 <= y1 + 50:
            return None
        return TimeMention(str(y1), str(y2), DatePrecision.YEAR, text, pos, True, kind)
    if kind in ("month_day", "day_month"):
        month, d = MONTHS[m.group("m").lower()], int(m.group("d"))
        # "may 2 ..." in running text is the verb: only a capitalised "May 2" is a date.
        if not m.group("m")[0].isupper():
            return None
        year = int(m.group("y")) if m.group("y") else nearest_year(month, d, published)
        return day(date(year, month, d))
    if kind == "numeric":
        a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        if y < 100:
            y += 2000
        d, month = (a, b) if dayfirst else (b, a)
        return day(date(y, month, d))
    if kind == "part_year":
        y, part = int(m.group("y")), m.group("part").lower()
        ranges = {
            "early": (1, 4),
            "the beginning of": (1, 3),
            "mid": (5, 8),
            "late": (9, 12),
            "the end of": (10, 12),
        }
        first, last = ranges[part]
        return approx(date(y, first, 1), _month_end(y, last), True)
    if kind == "month_year":
        word = m.group("m")
        # A bare "March" or "May" can be a name or a verb; "in May", "May 2024" are times.
        bare = not m.group("y") and not text.lower().startswith(("in", "early", "mid", "late"))
        if not word[0].isupper() or bare:
            return None
        month = MONTHS[word.lower()]
        year = int(m.group("y")) if m.group("y") else nearest_year(month, 15, published)
        part = (m.group("part") or "").lower()
        if part:
            first_day = {"early": 1, "mid": 11, "late": 21}[part]
            last_day = {"early": 10, "mid": 20, "late": _month_end(year, month).day}[part]
            return approx(date(year, month, first_day), date(year, month, last_day), True)
        return TimeMention(
            f"{year:04d}-{month:02d}", None, DatePrecision.MONTH, text, pos, True, kind
        )
    if kind == "relative":
        n = _NUMBERS.get(m.group("n").lower()) or int(m.group("n"))
        unit, direction = m.group("unit").lower(), m.group("dir").lower()
        base = published if direction == "ago" else anchor
        sign = -1 if direction in ("before", "earlier", "ago") else 1
        if unit == "hour":
            return (
                approx(base - timedelta(days=1), base)
                if sign < 0
                else approx(base, base + timedelta(days=1))
            )
        days = {"day": 1, "week": 7, "month": 30}[unit] * n
        target = base + timedelta(days=sign * days)
        if unit == "day":
            # "Two days before" may count the day itself or not: the day after is possible.
            return (
                approx(target, target + timedelta(days=1))
                if sign < 0
                else approx(target - timedelta(days=1), target)
            )
        slack = timedelta(days=3 if unit == "week" else 10)
        return approx(target - slack, target + slack)
    if kind == "word":
        w = m.group("w").lower()
        offsets = {"yesterday": -1, "today": 0, "tomorrow": 1}
        if w in offsets:
            return day(published + timedelta(days=offsets[w]), absolute=False)
        if w in ("the day before", "the previous day"):
            return day(anchor - timedelta(days=1), absolute=False)
        if w in ("the next day", "the following day"):
            return day(anchor + timedelta(days=1), absolute=False)
        monday = published - timedelta(days=published.weekday())
        if w == "last week":
            return approx(monday - timedelta(days=7), monday - timedelta(days=1))
        if w == "this week":
            return approx(monday, monday + timedelta(days=6))
        if w == "next week":
            return approx(monday + timedelta(days=7), monday + timedelta(days=13))
        if w in ("last month", "this month", "next month"):
            shift = {"last month": -1, "this month": 0, "next month": 1}[w]
            index = published.year * 12 + published.month - 1 + shift
            return TimeMention(
                f"{index // 12:04d}-{index % 12 + 1:02d}",
                None,
                DatePrecision.MONTH,
                text,
                pos,
                False,
                kind,
            )
        if w in ("last year", "this year"):
            year = published.year - (w == "last year")
            return TimeMention(str(year), None, DatePrecision.YEAR, text, pos, False, kind)
        if w == "earlier this year":
            return approx(date(published.year, 1, 1), published)
    if kind == "weekday":
        wanted = _WEEKDAYS.index(m.group("wd").lower())
        back = (published.weekday() - wanted) % 7
        if back == 0 and text.lower().startswith("last"):
            # "said on Tuesday" in Tuesday's paper is that day; "last Tuesday" is a week ago.
            back = 7
        return day(published - timedelta(days=back), absolute=False)
    if kind == "year":
        return TimeMention(m.group("y"), None, DatePrecision.YEAR, text, pos, True, kind)
    return None
