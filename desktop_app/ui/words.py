"""How the app says things: a time window the same way in the status bar, the timeline,
captions, pages and exports (the last day shown is named, and included: "31 May – 2 June
2025"), and source text in a tooltip as text."""

from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone

from desktop_app.core.timescale import datetime_from_days
from desktop_app.core.window import TimeWindow


def last_shown(window: TimeWindow) -> float:
    """The moment a label names as the window's end: the last whole day it includes when
    it runs over whole days, else its (exclusive) end time."""
    if window.end == math.floor(window.end) and window.duration >= 1:
        return window.end - 1
    return window.end


def needs_time(window: TimeWindow) -> bool:
    """Whether the window's labels need times of day, not only dates."""
    whole_days = window.start == math.floor(window.start) and window.end == math.floor(window.end)
    return not whole_days or window.duration < 3


def date_text(t: float, with_time: bool) -> str:
    """A time for people: "2 Jun 2025" or "2 Jun 2025 14:30" (UTC), in their locale."""
    moment = datetime_from_days(t)
    when = QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute),
        QTimeZone.utc(),
    )
    locale = QLocale()
    month_first = locale.name().endswith("_US")
    fmt = "MMM d, yyyy" if month_first else "d MMM yyyy"
    return locale.toString(when, fmt + (" HH:mm" if with_time else ""))


def window_in_words(window: TimeWindow, locale: QLocale | None = None) -> str:
    """The window as a caption says it: "31 May – 2 June 2025", "2–4 June 2025".

    The window's end is exclusive; a window ending at midnight names its last whole day.
    A window shorter than a day, or not on day boundaries, gives times too.
    """
    locale = locale or QLocale()

    def month(m: int) -> str:
        return locale.monthName(m, QLocale.FormatType.LongFormat)

    first = datetime_from_days(window.start)
    after = datetime_from_days(window.end)
    on_days = first.hour == first.minute == 0 and after.hour == after.minute == 0
    if not on_days or window.duration < 1:
        start = f"{first.day} {month(first.month)} {first.year}, {first:%H:%M}"
        if (after.year, after.month, after.day) == (first.year, first.month, first.day):
            return f"{start}–{after:%H:%M}"
        return f"{start} – {after.day} {month(after.month)} {after.year}, {after:%H:%M}"
    last = datetime_from_days(window.end - 1)
    if (first.year, first.month, first.day) == (last.year, last.month, last.day):
        return f"{first.day} {month(first.month)} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {month(first.month)} {first.year}"
    if first.year == last.year:
        return f"{first.day} {month(first.month)} – {last.day} {month(last.month)} {last.year}"
    return (
        f"{first.day} {month(first.month)} {first.year} – "
        f"{last.day} {month(last.month)} {last.year}"
    )




def plain_tooltip(text: str) -> str:
    """``text`` for ``setToolTip`` as it is: Qt reads tooltip text that looks like markup
    as rich text, so a title such as ``<img src=x>`` would lose its words."""
    return "<p style='white-space:pre-wrap'>" + escape(text) + "</p>"
