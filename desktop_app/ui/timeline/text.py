"""What the timeline says in words: dates, spans, counts, tooltips and its description.

Plain functions of the timeline's data, apart from the widget so that wording can
change without touching how the timeline draws or reacts. Translated in the
``TimelineWidget`` context, as the widget's own ``tr`` would.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision
from desktop_app.core.density import PRECISION_CODES, BinUnit
from desktop_app.core.window import TimeWindow
from desktop_app.ui.timeline.paint import Bins, TimelineData
from desktop_app.ui.words import date_text, window_in_words


def tr(text: str) -> str:
    """``text`` translated in the timeline widget's context."""
    return QCoreApplication.translate("TimelineWidget", text)


def unit_text(unit: BinUnit) -> str:
    if unit.kind == "month":
        return tr("quarter") if unit.step == 3 else tr("month")
    if unit.kind == "year":
        if unit.step == 1:
            return tr("year")
        return tr("%1 years").replace("%1", str(unit.step))
    minutes = round(unit.days * 1440)
    if minutes < 60:
        return tr("%1 min").replace("%1", str(minutes))
    if minutes < 1440:
        hours = minutes // 60
        return tr("hour") if hours == 1 else tr("%1 hours").replace("%1", str(hours))
    return tr("day") if minutes == 1440 else tr("week")


def accessible_description(window: TimeWindow) -> str:
    """The timeline's accessible description while it shows ``window``."""
    return tr(
        "Window from %1. Left and Right step it, Shift with them steps a whole "
        "window, Home and End go to the first and last event, plus and minus "
        "zoom, Space plays."
    ).replace("%1", window_in_words(window))


def bin_tooltip(bins: Bins, i: int) -> str:
    with_time = bins.unit.kind == "fixed" and bins.unit.days < 1
    span = window_in_words(TimeWindow(float(bins.edges[i]), float(bins.edges[i + 1])))
    if not with_time:
        span = (
            tr("%1 to %2")
            .replace("%1", date_text(float(bins.edges[i]), False))
            .replace("%2", date_text(float(bins.edges[i + 1]), False))
        )
    lines = [span, tr("%1 events").replace("%1", count_text(bins.totals[i]))]
    for code in np.argsort(-bins.counts[:, i], kind="stable").tolist():
        count = bins.counts[code, i]
        if count >= 0.05:
            lines.append(f"  {tr(CATEGORIES[code].label)}: {count_text(count)}")
    return "\n".join(lines)


def event_tooltip(data: TimelineData, row: int) -> str:
    arrays = data.index.arrays
    t0 = float(arrays.t0[row])
    t1 = max(float(arrays.t1[row]), t0)
    code = min(int(arrays.category[row]), len(CATEGORIES) - 1)
    precision = int(data.precisions[row])
    with_time = t1 == t0 or not (t0 == math.floor(t0) and t1 == math.floor(t1))
    when = date_text(t0, with_time)
    if t1 > t0:
        when = window_in_words(TimeWindow(t0, t1))
    lines = [tr(CATEGORIES[code].label), when]
    if precision != PRECISION_CODES[DatePrecision.DAY]:
        names = {
            PRECISION_CODES[DatePrecision.MONTH]: tr("dated to the month"),
            PRECISION_CODES[DatePrecision.YEAR]: tr("dated to the year"),
            PRECISION_CODES[DatePrecision.APPROXIMATE]: tr("approximate date"),
        }
        lines.append(names.get(precision, tr("approximate date")))
    if not data.placed[row]:
        lines.append(tr("no place: not on the map"))
    lines.append(tr("Double-click to read it"))
    return "\n".join(lines)


def count_text(value: float) -> str:
    """A bin's count: whole numbers as they are, spread-out counts rounded with "≈"."""
    locale = QLocale()
    rounded = round(float(value))
    if abs(value - rounded) < 0.01:
        return locale.toString(int(rounded))
    if value < 10:
        return "\u2248" + locale.toString(float(value), "f", 1)
    return "\u2248" + locale.toString(int(rounded))
