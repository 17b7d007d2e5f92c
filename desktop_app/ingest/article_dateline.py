"""An article's own date: its dateline, or the publication date printed near the top.

News pages and pasted articles print it in many shapes: "10 June 2025", "June 10, 2025",
"6/2/25", "2025-06-10", "10.06.2025", "Published: Tue 10 Jun 2025 14.30 BST",
"Updated 12 June 2025", "Posted on June 10, 2025 at 3:15 p.m. EDT", "By Jane Doe |
June 10, 2025", or a wire dateline opening the text ("KYIV, June 10, 2025 (Reuters) -").
A full date (day, month and year) counts as it is. A wire dateline without its year
("KYIV, June 2 (Reuters) -", "2 June —") takes the year from the article's other full
dates (an updated line, "on 2 June 2025" in the story): the year that puts its day
nearest them. Without any, it is no date of the article ("10 June" could be any year),
and never one of the day it is read.

When a page says both when it was published and when it was updated, the publication
date wins: the article's "yesterday" is counted from the day it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from desktop_app.ingest.article_dates import nearest_year
from desktop_app.ingest.loose_dates import MONTHS

_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_DATES = (
    re.compile(rf"\b(?P<iso>{_YEAR}-(?P<m>\d{{1,2}})-{_DAY})\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?P<mon>{_MON})\.?,?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b(?P<mon>{_MON})\.?\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b"),
)
_LABEL = re.compile(
    r"^\W*(?P<label>(?:first\s+|originally\s+)?published|posted|(?:last\s+)?updated|"
    r"(?:last\s+)?modified|date(?:line)?)\b(?:\s+on)?\s*[:\-–—]?\s*",
    re.I,
)
# A wire-service dateline opens the first paragraph: a place in capitals, the date, then
# the agency or a dash.
_WIRE = re.compile(
    r"^[A-ZÀ-Þ][A-ZÀ-Þ .'’\-]+(?:,\s*[A-Za-zÀ-ÿ .]+)?,\s+(?P<rest>.{6,40}?)\s*[(—–-]"
)
# A day and month without a year, all that a wire dateline's date part holds.
_DAY_MONTH = (
    re.compile(rf"^{_DAY}\s+(?:of\s+)?(?P<mon>{_MON})\.?$", re.I),
    re.compile(rf"^(?P<mon>{_MON})\.?\s+{_DAY}$", re.I),
)
# A dateline of a day and month alone, opening the text before a dash: "2 June —",
# "June 2 (AP) -".
_BARE = re.compile(r"^(?P<rest>[^\W\d_]{3,10}\.?\s+\d{1,2}|\d{1,2}\s+[^\W\d_]{3,10}\.?)"
                   r"\s*(?:\([^)]{1,30}\)\s*)?[—–-]\s")  # fmt: skip
# What a line giving the date may hold besides it: the weekday, the time and its zone,
# separators, "at", "on".
_AROUND_A_DATE = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b\.?|\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?|"
    r"\b[ap]\.m\.|\b[ap]m\b|(?-i:\b[A-Z]{2,5}\b)|\b(?:at|on)\b|[|·,;:()\-–—/]+",
    re.I,
)
# Lines longer than this are sentences of the article, not a dateline (whose dates are
# the story's, not the article's).
_MAX_LINE = 80
_HEAD_LINES = 40


@dataclass(frozen=True)
class Dateline:
    """A date the article gives itself.

    Parameters
    ----------
    day
        The date.
    text
        The line of the article it was read from, as printed.
    updated
        True when the line says the article was updated (or modified) that day, rather
        than published.
    year_from
        For a dateline without its year: the full date of the article its year was taken
        from, as written.
    lines
        The numbers of the lines that say only when the article was published or updated
        (not a wire dateline, which opens the story): they are no sentence of the story.
    """

    day: date
    text: str
    updated: bool = False
    lines: tuple[int, ...] = ()
    year_from: str = ""


def _full_date(text: str, dayfirst: bool | None) -> tuple[date, re.Match] | None:
    """The first full date written in ``text``, and where, or None."""
    for pattern in _DATES:
        for match in pattern.finditer(text):
            try:
                return _date_of(match, dayfirst), match
            except ValueError:
                continue
    return None


def _day_month(text: str) -> tuple[int, int] | None:
    """``(month, day)`` when ``text`` is a day and month and nothing else."""
    for pattern in _DAY_MONTH:
        match = pattern.match(text.strip(" ,"))
        if match:
            month, day = MONTHS[match.group("mon").lower()], int(match.group("d"))
            return (month, day) if 1 <= day <= 31 else None
    return None


def _yearless_dateline(line: str) -> tuple[int, int, int] | None:
    """``(month, day, where the dateline ends)`` of a wire dateline without its year
    ("KYIV, June 2 (Reuters) -", "2 June —"), or None."""
    for pattern in (_WIRE, _BARE):
        match = pattern.match(line)
        if match:
            found = _day_month(match.group("rest"))
            if found is not None:
                return (*found, match.end())
    return None


def _only_a_date(line: str, match: re.Match) -> bool:
    """Whether ``line`` says nothing but the date (with its weekday, time and zone, and
    perhaps the author): "Tue 10 Jun 2025 14.30 BST", "By Jane Doe | June 9, 2025". A
    sentence with a date in it ("On June 2, 2025, drones struck Kharkiv.") is the story."""
    rest = _AROUND_A_DATE.sub(" ", line[: match.start()] + " " + line[match.end() :])
    words = rest.split()
    if words and words[0].lower() == "by":
        return len(words) <= 5
    return len(words) <= 1


def _date_of(match: re.Match, dayfirst: bool | None) -> date:
    groups = match.groupdict()
    if groups.get("iso"):
        return date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    if groups.get("mon"):
        return date(int(groups["y"]), MONTHS[groups["mon"].lower()], int(groups["d"]))
    a, b, year = int(groups["a"]), int(groups["b"]), int(groups["y"])
    year += 2000 if year < 100 else 0
    if groups["sep"] == ".":
        # "10.06.2025" is written day first wherever dots separate a date.
        first_is_day = True
    elif a > 12:
        first_is_day = True
    elif b > 12:
        first_is_day = False
    else:
        # Unproven: the user's order, else month first as US blogs print "6/2/25".
        first_is_day = bool(dayfirst)
    day, month = (a, b) if first_is_day else (b, a)
    return date(year, month, day)


def find_dateline(lines: Iterable[str], dayfirst: bool | None = None) -> Dateline | None:
    """The date the article gives itself in its first lines, or None.

    Parameters
    ----------
    lines
        The article's lines, from the top (only the first forty are read).
    dayfirst
        How to read "6/2/25" when its numbers do not prove the order: True reads
        6 February, False or None 2 June (month first, as US sites print it).
    """
    lines = list(lines)
    updated: Dateline | None = None
    date_lines: list[int] = []
    yearless: tuple[int, str, tuple[int, int, int]] | None = None
    for number, raw in enumerate(lines):
        if number >= _HEAD_LINES:
            break
        line = " ".join(raw.split())
        if not line:
            continue
        label = _LABEL.match(line)
        wire = _WIRE.match(line)
        if yearless is None and not label:
            day_month = _yearless_dateline(line)
            if day_month is not None:
                yearless = (number, line, day_month)
                continue
        found = None
        if label:
            found = _full_date(line[label.end() :], dayfirst)
        elif wire:
            found = _full_date(wire.group("rest"), dayfirst)
        elif len(line) <= _MAX_LINE:
            found = _full_date(line, dayfirst)
            if found is not None and not _only_a_date(line, found[1]):
                found = None
        if found is None:
            continue
        day = found[0]
        if len(line) <= _MAX_LINE:
            date_lines.append(number)
        shown = line if len(line) <= _MAX_LINE else line[:_MAX_LINE].rsplit(" ", 1)[0] + "…"
        is_update = bool(label) and label.group("label").lower().endswith(("updated", "modified"))
        if not is_update:
            return Dateline(day, shown, lines=tuple(date_lines))
        updated = updated or Dateline(day, shown, updated=True)
    if yearless is not None:
        dated = _with_year(yearless, lines, updated, dayfirst)
        if dated is not None:
            return replace(dated, lines=tuple(date_lines))
    return replace(updated, lines=tuple(date_lines)) if updated else None


def _with_year(
    yearless: tuple[int, str, tuple[int, int, int]],
    lines: list[str],
    updated: Dateline | None,
    dayfirst: bool | None,
) -> Dateline | None:
    """A dateline without its year, dated by the year that puts it nearest the
    article's other full date (its updated line, else the first in its text)."""
    at, line, (month, day, end) = yearless
    if updated is not None:
        reference, written = updated.day, updated.text
    else:
        for number, text in enumerate(lines):
            # The dateline's own line counts from where the story begins.
            found = _full_date(" ".join(text.split())[end:] if number == at else text, dayfirst)
            if found is not None:
                reference, written = found[0], found[1].group(0)
                break
        else:
            return None
    try:
        dated = date(nearest_year(month, day, reference), month, day)
    except ValueError:
        return None
    shown = line if len(line) <= _MAX_LINE else line[:_MAX_LINE].rsplit(" ", 1)[0] + "…"
    return Dateline(dated, shown, year_from=written)
