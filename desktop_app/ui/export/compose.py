"""A finished picture: the rendered map with a caption, legend, scale bar and credits.

Everything here paints in logical pixels on an image whose device pixel ratio is the
export's (1 or 2), so a 2x export has the same layout with twice the detail. Sizes of
text and marks grow with the picture (:attr:`Layout.unit`), so a 4K export is not a
small caption lost in a big map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.grading import Credibility, Reliability
from desktop_app.core.window import TimeWindow
from desktop_app.ui.words import window_in_words

#: Marker radius on the map page, in CSS pixels (event_draw.js RADIUS).
MARKER_RADIUS = 7.0
EARTH_CIRCUMFERENCE_M = 40_075_016.686
#: The offline basemap's credit; the page's Leaflet line adds online providers to it.
DEFAULT_ATTRIBUTION = "Leaflet | Natural Earth"

INK = QColor("#1b1f24")
MUTED = QColor("#4a5360")
PAPER = QColor("#ffffff")


def tr(text: str) -> str:
    return QCoreApplication.translate("Export", text)


@dataclass(frozen=True)
class SnapshotOptions:
    """What a snapshot shows, and at what size.

    Parameters
    ----------
    title
        The caption's first line.
    size
        Logical size of the whole picture, or None for "the current view": the map keeps
        the on-screen map's size and the caption and timeline are added around it.
    scale
        Device pixels per logical pixel: 1, or 2 for high-DPI screens and print.
    caption, legend, scale_bar, attribution, timeline
        Which elements to draw. Attribution should stay on when publishing: the base
        layers' licences ask for it.
    graded_legend
        Print the grading scale (source reliability A–F, information credibility 1–6)
        and how many of the events shown have each grade.
    """

    title: str = ""
    size: tuple[int, int] | None = (1280, 720)
    scale: int = 1
    caption: bool = True
    legend: bool = True
    scale_bar: bool = True
    attribution: bool = True
    timeline: bool = False
    graded_legend: bool = False


@dataclass(frozen=True)
class Layout:
    """Where each part of the picture goes, in logical pixels."""

    size: tuple[int, int]
    unit: float
    caption: QRectF | None
    map: QRectF
    timeline: QRectF | None

    @property
    def map_size(self) -> tuple[int, int]:
        return round(self.map.width()), round(self.map.height())


def _unit(width: float, height: float) -> float:
    """Text and marks scale with the picture, never below their on-screen size."""
    return max(1.0, min(width / 1280.0, height / 720.0))


def caption_height(unit: float) -> float:
    return round(76 * unit)


def timeline_height(unit: float) -> float:
    return round(92 * unit)


def layout_for(options: SnapshotOptions, view_size: tuple[int, int] | None = None) -> Layout:
    """The layout of ``options``; ``view_size`` is the on-screen map's, for "current view"."""
    if options.size is None:
        if view_size is None:
            raise ValueError("the current view's size is needed for a current-view export")
        unit = _unit(*view_size)
        top = caption_height(unit) if options.caption else 0
        bottom = timeline_height(unit) if options.timeline else 0
        size = (int(view_size[0]), int(view_size[1] + top + bottom))
    else:
        size = (int(options.size[0]), int(options.size[1]))
        unit = _unit(*size)
        top = caption_height(unit) if options.caption else 0
        bottom = timeline_height(unit) if options.timeline else 0
        if size[1] - top - bottom < 64:
            raise ValueError(f"{size[0]}x{size[1]} leaves no room for the map")
    width, height = size
    return Layout(
        size=size,
        unit=unit,
        caption=QRectF(0, 0, width, top) if top else None,
        map=QRectF(0, top, width, height - top - bottom),
        timeline=QRectF(0, height - bottom, width, bottom) if bottom else None,
    )


# -- words -----------------------------------------------------------------------------------


def metres_per_pixel(lat: float, zoom: float) -> float:
    """Ground metres per CSS pixel of a Web Mercator map at latitude ``lat``."""
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / (256.0 * 2.0**zoom)


def scale_bar_length(mpp: float, max_px: float) -> tuple[float, str]:
    """A round distance no longer than ``max_px`` pixels: its length in pixels and label."""
    limit = max(mpp * max_px, 1e-9)
    power = 10 ** math.floor(math.log10(limit))
    nice = max(m * power for m in (1, 2, 5) if m * power <= limit)
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    return nice / mpp, label


def events_on_map(count: int) -> str:
    if count == 1:
        return tr("1 event on the map")
    return tr("%1 events on the map").replace("%1", f"{count:,}")


# -- painting --------------------------------------------------------------------------------


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    return font


#: A star's points and notches, as shares of a marker's radius (as event_draw.js draws it).
STAR_OUTER, STAR_INNER = 1.3, 0.55


def shape_path(shape: str, x: float, y: float, r: float) -> QPainterPath:
    """The marker outline the map page draws for ``shape`` (see event_draw.js)."""
    path = QPainterPath()
    if shape == "triangle":
        path.moveTo(x, y - r * 1.15)
        path.lineTo(x + r, y + r * 0.75)
        path.lineTo(x - r, y + r * 0.75)
        path.closeSubpath()
    elif shape == "square":
        path.addRect(QRectF(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7))
    elif shape == "diamond":
        path.moveTo(x, y - r * 1.2)
        path.lineTo(x + r * 1.2, y)
        path.lineTo(x, y + r * 1.2)
        path.lineTo(x - r * 1.2, y)
        path.closeSubpath()
    elif shape == "cross":
        a = r * 0.4
        points = [
            (-a, -r), (a, -r), (a, -a), (r, -a), (r, a), (a, a),
            (a, r), (-a, r), (-a, a), (-r, a), (-r, -a), (-a, -a),
        ]  # fmt: skip
        path.moveTo(x + points[0][0], y + points[0][1])
        for dx, dy in points[1:]:
            path.lineTo(x + dx, y + dy)
        path.closeSubpath()
    elif shape == "star":
        for k in range(10):
            angle = -math.pi / 2 + k * math.pi / 5
            reach = r * (STAR_OUTER if k % 2 == 0 else STAR_INNER)
            point = QPointF(x + reach * math.cos(angle), y + reach * math.sin(angle))
            if k == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        path.closeSubpath()
    else:
        path.addEllipse(QPointF(x, y), r, r)
    return path


def _card(painter: QPainter, rect: QRectF, unit: float) -> None:
    painter.setPen(QPen(QColor(0, 0, 0, 60), max(1.0, unit)))
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawRoundedRect(rect, 4 * unit, 4 * unit)


def legend_entries(
    category_counts: dict, categories: tuple[Category, ...] = CATEGORIES
) -> list[tuple[Category, int]]:
    """``(category, count)`` of the categories in view, in the categories' order.

    ``category_counts`` counts by code; ``categories`` are the codes' categories (the
    map's: the palette, then a dataset's own), so that each is listed in its own colour.
    """
    counts = {int(k): int(v) for k, v in category_counts.items() if int(v) > 0}
    return [(c, counts[i]) for i, c in enumerate(categories) if i in counts]


#: The legend's line on halos, as the map page's legend says it (mapgen/page.py).
HALO_NOTE = "Shaded ring: how precisely the place is known"
#: A halo as the map page draws it (event_draw.js drawHalos).
HALO_FILL, HALO_EDGE = QColor(52, 92, 160, 30), QColor(52, 92, 160, 150)


def paint_legend(
    painter: QPainter,
    area: QRectF,
    entries: list[tuple[Category, int]],
    unit: float,
    halo_note: str | None = None,
):
    """A card at the bottom left of ``area`` with each category's shape, colour and count,
    and under them ``halo_note`` (what the map's halos mean), when given."""
    if not entries:
        return None
    font = _font(13 * unit)
    metrics = QFontMetricsF(font)
    pad, gap, row = 10 * unit, 8 * unit, max(metrics.height(), 16 * unit) + 4 * unit
    texts = [f"{tr(c.label)} ({count:,})" for c, count in entries]
    column_w = 2 * MARKER_RADIUS * unit + gap + max(metrics.horizontalAdvance(t) for t in texts)
    # Wrap into columns rather than let a tall legend cover most of a short map.
    max_rows = max(1, int((area.height() * 0.6 - 2 * pad) // row))
    columns = math.ceil(len(entries) / max_rows)
    rows = math.ceil(len(entries) / columns)
    width = 2 * pad + columns * column_w + (columns - 1) * 2 * gap
    note_w = 2 * MARKER_RADIUS * unit + gap + metrics.horizontalAdvance(halo_note or "")
    if halo_note:
        width = max(width, 2 * pad + note_w)
    height = 2 * pad + (rows + (1 if halo_note else 0)) * row
    margin = 12 * unit
    card = QRectF(area.left() + margin, area.bottom() - margin - height, width, height)
    _card(painter, card, unit)
    painter.setFont(font)
    for k, ((category, _count), text) in enumerate(zip(entries, texts, strict=True)):
        c, r = divmod(k, rows)
        x = card.left() + pad + c * (column_w + 2 * gap)
        cy = card.top() + pad + r * row + row / 2
        painter.setPen(QPen(QColor(255, 255, 255), 1.5 * unit))
        painter.setBrush(QColor(category.colour))
        radius = MARKER_RADIUS * unit
        painter.drawPath(shape_path(category.shape, x + radius, cy, radius))
        painter.setPen(INK)
        text_rect = QRectF(x + 2 * radius + gap, cy - row / 2, column_w, row)
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )
    if halo_note:
        x, cy = card.left() + pad, card.top() + pad + rows * row + row / 2
        radius = MARKER_RADIUS * unit
        painter.setPen(QPen(HALO_EDGE, max(1.0, unit), Qt.PenStyle.DashLine))
        painter.setBrush(HALO_FILL)
        painter.drawEllipse(QPointF(x + radius, cy), radius, radius)
        painter.setPen(MUTED)
        painter.drawText(
            QRectF(x + 2 * radius + gap, cy - row / 2, note_w, row),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            halo_note,
        )
    return card


def graded_legend_entries(grade_counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(grade code, count)`` of the grades of the events shown, best first (A1, A2, …,
    B1, …, F6: by reliability, then credibility); grades no event has are left out."""
    counts = {str(code): int(n) for code, n in grade_counts.items() if int(n) > 0}
    return sorted(counts.items())


def graded_counts_text(entries: Sequence[tuple[str, int]]) -> str:
    """``"B2 ×3, F6 ×30"``."""
    return ", ".join(f"{code} ×{count:,}" for code, count in entries)


# The graded legend is tried at these sizes (shares of the picture's unit), largest first,
# until it fits beside the other cards; then as its title and counts alone.
_GRADED_SIZES = (1.0, 0.85, 0.72, 0.6)
#: The largest share of the map's width or height the graded legend may take.
MAX_CARD_SHARE = 0.6


def _graded_lines(entries: Sequence[tuple[str, int]], full: bool) -> list[tuple[str, str, bool]]:
    """The legend's lines as (left column, right column, heading)."""
    lines = [(tr("Graded sources (Admiralty scale)"), "", True)]
    if full:
        lines.append((tr("Source reliability"), tr("Information credibility"), True))
        lines += [
            (f"{r}  {tr(r.label)}", f"{c}  {tr(c.label)}", False)
            for r, c in zip(Reliability, Credibility, strict=True)
        ]
    shown = graded_counts_text(entries) if entries else tr("none")
    lines.append((tr("Events shown: %1").replace("%1", shown), "", False))
    return lines


def _graded_card(
    lines: list[tuple[str, str, bool]], area: QRectF, unit: float, avoid: Sequence[QRectF]
) -> tuple[QRectF, list[tuple[str, str, bool]], float] | None:
    """Where the legend of ``lines`` goes at ``unit`` (the top right of ``area``, the
    counts wrapped to its width), or None when it would leave the map or cover a card."""
    font, bold = _font(12 * unit), _font(12 * unit, bold=True)
    metrics, heavy = QFontMetricsF(font), QFontMetricsF(bold)
    pad, gap = 9 * unit, 14 * unit
    margin = 12 * unit
    table = lines[1:-1]
    left_w = max((heavy.horizontalAdvance(a) for a, _, _ in table), default=0.0)
    right_w = max((heavy.horizontalAdvance(b) for _, b, _ in table), default=0.0)
    width = max(left_w + (gap + right_w if table else 0.0), heavy.horizontalAdvance(lines[0][0]))
    # A legend is a corner of the map, not most of it: wider or taller than this, smaller.
    if width + 2 * pad > area.width() * MAX_CARD_SHARE:
        return None
    # The counts line wraps at commas to the legend's width.
    wrapped: list[tuple[str, str, bool]] = []
    line = ""
    for part in lines[-1][0].split(", "):
        candidate = f"{line}, {part}" if line else part
        if line and metrics.horizontalAdvance(candidate) > width:
            wrapped.append((line + ",", "", False))
            line = part
        else:
            line = candidate
    wrapped.append((line, "", False))
    body = [lines[0], *table, *wrapped]
    row = max(metrics.height(), heavy.height()) + 2 * unit
    card = QRectF(
        area.right() - margin - width - 2 * pad, area.top() + margin,
        width + 2 * pad, len(body) * row + 2 * pad,
    )  # fmt: skip
    if any(metrics.horizontalAdvance(text) > width for text, _, _ in wrapped):
        return None
    if card.height() > area.height() * MAX_CARD_SHARE or card.bottom() > area.bottom() - margin:
        return None
    if any(card.intersects(other) for other in avoid):
        return None
    return card, body, left_w + gap


def paint_graded_legend(
    painter: QPainter,
    area: QRectF,
    entries: Sequence[tuple[str, int]],
    unit: float,
    avoid: Sequence[QRectF] = (),
) -> QRectF | None:
    """A card at the top right of ``area``: the grading scale in the words of
    :mod:`desktop_app.core.grading` and the grades of the events shown (``entries``, see
    :func:`graded_legend_entries`). It never covers a card of ``avoid`` (the category
    legend, the scale bar, the credits): it shrinks, then leaves out the scale, then
    gives way. Returns its card, or None when it found no room."""
    placed = None
    for full, size in ((full, size) for full in (True, False) for size in _GRADED_SIZES):
        placed = _graded_card(_graded_lines(entries, full), area, unit * size, avoid)
        if placed is not None:
            break
    if placed is None:
        return None
    card, body, column = placed
    u = unit * size
    _card(painter, card, unit)
    font, bold = _font(12 * u), _font(12 * u, bold=True)
    row = max(QFontMetricsF(font).height(), QFontMetricsF(bold).height()) + 2 * u
    pad = 9 * u
    flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
    for k, (left, right, heading) in enumerate(body):
        painter.setFont(bold if heading else font)
        painter.setPen(INK if heading or k == len(body) - 1 or not right else MUTED)
        y = card.top() + pad + k * row
        painter.drawText(QRectF(card.left() + pad, y, card.width() - 2 * pad, row), flags, left)
        if right:
            painter.drawText(
                QRectF(card.left() + pad + column, y, card.width() - 2 * pad - column, row),
                flags,
                right,
            )
    return card


def paint_attribution(painter: QPainter, area: QRectF, text: str, unit: float) -> QRectF:
    """The base layers' credit line, bottom right, as Leaflet places it."""
    font = _font(11 * unit)
    metrics = QFontMetricsF(font)
    width = metrics.horizontalAdvance(text) + 12 * unit
    height = metrics.height() + 4 * unit
    rect = QRectF(area.right() - width, area.bottom() - height, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 210))
    painter.drawRect(rect)
    painter.setFont(font)
    painter.setPen(MUTED)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect


def paint_scale_bar(
    painter: QPainter, area: QRectF, info: dict, unit: float, above: float = 0.0
) -> QRectF:
    """A metric scale bar at the bottom right, true at the map's centre latitude."""
    mpp = metres_per_pixel(float(info["lat"]), float(info["zoom"]))
    length, label = scale_bar_length(mpp, 140 * unit)
    font = _font(12 * unit, bold=True)
    metrics = QFontMetricsF(font)
    pad = 8 * unit
    width = length + 2 * pad
    height = metrics.height() + 12 * unit + 2 * pad
    margin = 12 * unit
    card = QRectF(
        area.right() - margin - width, area.bottom() - above - margin - height, width, height
    )
    _card(painter, card, unit)
    painter.setFont(font)
    painter.setPen(INK)
    painter.drawText(
        QRectF(card.left(), card.top() + pad, card.width(), metrics.height()),
        Qt.AlignmentFlag.AlignCenter,
        label,
    )
    y = card.bottom() - pad - 4 * unit
    x0, x1 = card.left() + pad, card.left() + pad + length
    painter.setPen(QPen(INK, 2 * unit, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    painter.drawLine(QPointF(x0, y), QPointF(x1, y))
    for x in (x0, x1):
        painter.drawLine(QPointF(x, y - 6 * unit), QPointF(x, y + unit))
    return card


def paint_caption(painter: QPainter, rect: QRectF, title: str, subtitle: str, unit: float) -> None:
    """Title on the first line, the dates (and what is shown) on the second."""
    painter.fillRect(rect, PAPER)
    pad = 18 * unit
    title_font = _font(26 * unit, bold=True)
    sub_font = _font(16 * unit)
    title_h = QFontMetricsF(title_font).height()
    sub_h = QFontMetricsF(sub_font).height()
    top = rect.top() + (rect.height() - title_h - sub_h) / 2
    width = rect.width() - 2 * pad
    painter.setFont(title_font)
    painter.setPen(INK)
    elided = QFontMetricsF(title_font).elidedText(title, Qt.TextElideMode.ElideRight, width)
    painter.drawText(
        QRectF(rect.left() + pad, top, width, title_h), Qt.AlignmentFlag.AlignLeft, elided
    )
    painter.setFont(sub_font)
    painter.setPen(MUTED)
    painter.drawText(
        QRectF(rect.left() + pad, top + title_h, width, sub_h), Qt.AlignmentFlag.AlignLeft, subtitle
    )
    painter.setPen(QPen(QColor(0, 0, 0, 40), max(1.0, unit)))
    painter.drawLine(rect.bottomLeft(), rect.bottomRight())


def paint_date_badge(painter: QPainter, area: QRectF, text: str, unit: float) -> QRectF:
    """The date in the map's top left corner, for frames without a caption."""
    font = _font(18 * unit, bold=True)
    metrics = QFontMetricsF(font)
    pad = 8 * unit
    rect = QRectF(
        area.left() + 12 * unit,
        area.top() + 12 * unit,
        metrics.horizontalAdvance(text) + 2 * pad,
        metrics.height() + 2 * pad,
    )
    _card(painter, rect, unit)
    painter.setFont(font)
    painter.setPen(INK)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect


@dataclass
class Frame:
    """Everything one composed picture needs besides the options."""

    map_image: QImage
    window: TimeWindow
    info: dict
    timeline_image: QImage | None = None
    shown: int | None = None
    date_always: bool = False
    #: How many of the events shown have each grade ({"B2": 3}), for the graded legend.
    grades: Mapping[str, int] | None = None
    #: Whether the map drew halos (the legend then says what they mean).
    halos: bool = False


def compose(options: SnapshotOptions, layout: Layout, frame: Frame) -> QImage:
    """The finished picture: ``layout.size`` times ``options.scale`` device pixels."""
    scale = options.scale
    image = QImage(
        layout.size[0] * scale, layout.size[1] * scale, QImage.Format.Format_ARGB32_Premultiplied
    )
    image.setDevicePixelRatio(scale)
    image.fill(PAPER)
    unit = layout.unit
    dates = window_in_words(frame.window)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(layout.map, frame.map_image)
        above = 0.0
        cards: list[QRectF] = []
        if options.attribution:
            text = str(frame.info.get("attribution") or DEFAULT_ATTRIBUTION)
            cards.append(paint_attribution(painter, layout.map, text, unit))
            above = cards[-1].height()
        if options.scale_bar:
            cards.append(paint_scale_bar(painter, layout.map, frame.info, unit, above))
        if options.legend:
            entries = legend_entries(
                frame.info.get("categories", {}), frame.info.get("drawn", CATEGORIES)
            )
            note = tr(HALO_NOTE) if frame.halos else None
            card = paint_legend(painter, layout.map, entries, unit, note)
            if card is not None:
                cards.append(card)
        if layout.caption is not None:
            subtitle = dates
            if frame.shown is not None:
                subtitle += " · " + events_on_map(frame.shown)
            paint_caption(painter, layout.caption, options.title, subtitle, unit)
        elif frame.date_always:
            cards.append(paint_date_badge(painter, layout.map, dates, unit))
        if options.graded_legend and frame.grades is not None:
            entries = graded_legend_entries(frame.grades)
            paint_graded_legend(painter, layout.map, entries, unit, cards)
        if layout.timeline is not None and frame.timeline_image is not None:
            painter.drawImage(layout.timeline, frame.timeline_image)
            painter.setPen(QPen(QColor(0, 0, 0, 40), max(1.0, unit)))
            painter.drawLine(layout.timeline.topLeft(), layout.timeline.topRight())
    finally:
        painter.end()
    return image
