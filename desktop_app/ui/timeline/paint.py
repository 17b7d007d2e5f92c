"""What the timeline draws for one visible span: histogram bins, event marks, ticks.

:class:`TimelineLayer` computes everything that depends on the visible span and the data
(never on the window band, the selection or the mouse) and paints it into a cached
image. While the user scrubs, only the band moves and this layer is reused as is; while
they zoom, it is rebuilt with a handful of binary searches, never a pass over all events.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import starmap

import numpy as np
from PySide6.QtCore import QLocale, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPalette, QPen

from desktop_app.core.categories import CATEGORIES, code_colours
from desktop_app.core.density import PRECISE, BinUnit, CategoryDensity, bin_edges, choose_bin_unit
from desktop_app.core.index import LONG_EVENT_DAYS, EventIndex
from desktop_app.core.lanes import pack_lanes
from desktop_app.core.timescale import TimeScale, context_label, ticks
from desktop_app.core.window import TimeWindow

#: Height of the row above the plot that carries the window's dates, in logical pixels.
HEADER_H = 18.0
#: Height of the axis under the plot (tick marks and labels).
AXIS_H = 20.0
#: Narrowest histogram bar; bins adapt to the zoom so that bars are never thinner.
MIN_BIN_PX = 4.0
#: Above this many events in view, the timeline shows density only: marks would merge.
MAX_MARKS = 2000
#: Thinnest lane an event may be drawn in; events that find no lane are counted as "+N".
MIN_LANE_PX = 5.0
MAX_LANE_PX = 14.0
#: Width of an instant (or very short event) on screen.
INSTANT_PX = 3.0
#: If more than this share of the events in view find no lane, density is shown instead.
MAX_OVERFLOW = 0.25

# Mark styles: how sure the date is, and whether the event is on the map.
SOLID, HOLLOW, FADED, FADED_HOLLOW = range(4)


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
        1.0,
    )


def category_colours() -> list[QColor]:
    """The colour of each category code, a dataset's own categories included."""
    return [QColor(colour) for colour in code_colours()]


@dataclass
class TimelineData:
    """The events as the timeline needs them, prepared once per data change."""

    index: EventIndex
    density: CategoryDensity
    precisions: np.ndarray  # uint8 codes, see desktop_app.core.density.PRECISION_CODES
    placed: np.ndarray  # bool
    n_long: int

    @classmethod
    def build(
        cls,
        index: EventIndex,
        precisions: np.ndarray | None = None,
        placed: np.ndarray | None = None,
    ) -> TimelineData:
        arrays = index.arrays
        n = len(arrays)
        if precisions is None:
            precisions = np.full(n, PRECISE, np.uint8)
        if placed is None:
            placed = ~(np.isnan(arrays.lat) | np.isnan(arrays.lon))
        precisions = np.asarray(precisions, np.uint8)
        placed = np.asarray(placed, bool)
        if precisions.shape != (n,) or placed.shape != (n,):
            raise ValueError(f"precisions and placed need one value per event ({n})")
        n_long = int(np.count_nonzero((arrays.t1 - arrays.t0) > LONG_EVENT_DAYS))
        # A dataset's own categories have codes past the palette's: a row each, so that
        # they are stacked in their own colours rather than counted as "Other".
        top = int(arrays.category.max()) + 1 if n else 0
        kinds = min(max(top, len(CATEGORIES)), len(code_colours()))
        return cls(index, CategoryDensity(arrays, kinds), precisions, placed, n_long)


@dataclass
class Marks:
    """Individual events laid out in lanes: one entry per visible event."""

    rows: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    y: np.ndarray
    height: float
    style: np.ndarray
    category: np.ndarray
    overflow: list[tuple[float, int]]  # (x, how many) of events that found no lane

    def hit(self, x: float, y: float, slop: float = 2.0) -> int | None:
        """Position (into these arrays) of the mark under ``(x, y)``, or None."""
        inside = (
            (self.x0 - slop <= x)
            & (x <= self.x1 + slop)
            & (self.y <= y)
            & (y <= self.y + self.height)
        )
        found = np.flatnonzero(inside)
        if not len(found):
            return None
        # The shortest mark under the cursor is the one the user most likely aimed at.
        return int(found[np.argmin((self.x1 - self.x0)[found])])

    def position_of(self, row: int) -> int | None:
        found = np.flatnonzero(self.rows == row)
        return int(found[0]) if len(found) else None


@dataclass
class Bins:
    """The histogram of the visible span."""

    unit: BinUnit
    edges: np.ndarray
    xs: np.ndarray  # pixel position of each edge
    counts: np.ndarray  # (categories, bins)
    totals: np.ndarray
    peak: float

    def at(self, x: float) -> int | None:
        i = int(np.searchsorted(self.xs, x, "right")) - 1
        return i if 0 <= i < len(self.totals) else None


class TimelineLayer:
    """Bins, marks, ticks and their picture for one visible span and size.

    Parameters
    ----------
    data : TimelineData
        The events.
    scale : TimeScale
        Visible span over the widget's width.
    height : float
        Widget height in logical pixels.
    palette : QPalette
        Colours to paint with (light or dark).
    font : QFont
        The widget's font; labels use it slightly smaller.
    """

    def __init__(
        self, data: TimelineData, scale: TimeScale, height: float, palette: QPalette, font: QFont
    ) -> None:
        self.scale = scale
        self.width = scale.width
        self.height = height
        self.plot = QRectF(0.0, HEADER_H, scale.width, max(height - HEADER_H - AXIS_H, 10.0))
        self.font = QFont(font)
        if self.font.pointSizeF() > 0:
            self.font.setPointSizeF(self.font.pointSizeF() * 0.9)
        self.metrics = QFontMetricsF(self.font)
        self.palette = palette
        locale = QLocale()
        months = [locale.monthName(m, QLocale.FormatType.ShortFormat) for m in range(1, 13)]
        long_months = [locale.monthName(m, QLocale.FormatType.LongFormat) for m in range(1, 13)]
        tick_args = {
            "min_label_px": 60,
            "measure": self.metrics.horizontalAdvance,
            "locale": locale.name(),
            "month_names": months,
        }
        self.ticks = ticks(scale, **tick_args)
        self.context = context_label(scale, long_month_names=long_months, **tick_args)
        self.bins = self._bin(data)
        self.marks = self._lay_out(data)

    # -- computing -------------------------------------------------------------------------

    def _bin(self, data: TimelineData) -> Bins:
        scale = self.scale
        unit = choose_bin_unit(scale.days_per_pixel, MIN_BIN_PX)
        edges = bin_edges(scale.t_start, scale.t_end, unit)
        counts = data.density.counts(edges)
        totals = counts.sum(axis=0)
        peak = float(totals.max()) if len(totals) else 0.0
        return Bins(unit, edges, scale.xs(edges), counts, totals, peak)

    def _lay_out(self, data: TimelineData) -> Marks | None:
        """Lanes of individual events, or None when there are too many to draw apart."""
        scale = self.scale
        if self.bins.unit.days > 1.0:
            # Zoomed out past days, marks of a day's events merge into one blot: the
            # histogram says more.
            return None
        t0_all = data.index.arrays.t0
        # An upper bound from two binary searches decides before touching any event.
        upper = int(
            np.searchsorted(t0_all, scale.t_end, "left")
            - np.searchsorted(t0_all, scale.t_start - LONG_EVENT_DAYS, "left")
        )
        if upper + data.n_long > MAX_MARKS or upper + data.n_long == 0:
            return None
        rows = data.index.rows_in(TimeWindow(scale.t_start, scale.t_end))
        if not len(rows) or len(rows) > MAX_MARKS:
            return None
        arrays = data.index.arrays
        t0 = arrays.t0[rows]
        t1 = np.maximum(arrays.t1[rows], t0)
        x0 = scale.xs(t0)
        x1 = scale.xs(t1)
        short = (x1 - x0) < INSTANT_PX
        mid = (x0 + x1) / 2
        x0 = np.where(short, mid - INSTANT_PX / 2, x0)
        x1 = np.where(short, mid + INSTANT_PX / 2, x1)
        # Marks reaching far off screen are clipped, so huge spans do not overflow painting.
        x0 = np.maximum(x0, -20.0)
        x1 = np.minimum(x1, self.width + 20.0)
        usable = self.plot.height() - 4.0
        max_lanes = int(usable // MIN_LANE_PX)
        # Events covering the same pixel each need a lane: if the pile at any sampled
        # pixel alone overflows too much, skip packing (the costly part) and show density.
        probes = np.linspace(0.0, self.width, 9)
        depth = ((x0[:, None] <= probes) & (probes <= x1[:, None])).sum(axis=0).max()
        if depth - max_lanes > MAX_OVERFLOW * len(rows):
            return None
        order = np.argsort(x0, kind="stable")
        rows, x0, x1 = rows[order], x0[order], x1[order]
        lanes = pack_lanes(x0, x1, gap=2.0, max_lanes=max_lanes)
        lost = lanes < 0
        n_lost = int(np.count_nonzero(lost))
        if n_lost > MAX_OVERFLOW * len(rows):
            return None
        overflow = _clusters((x0[lost] + x1[lost]) / 2) if n_lost else []
        keep = ~lost
        rows, x0, x1, lanes = rows[keep], x0[keep], x1[keep], lanes[keep]
        n_lanes = int(lanes.max()) + 1
        if n_lost:
            # Leave the bottom lane free for the "+N" labels.
            usable -= MAX_LANE_PX
        lane_h = min(MAX_LANE_PX, usable / n_lanes)
        y = self.plot.top() + 2.0 + lanes * lane_h
        imprecise = data.precisions[rows] != PRECISE
        unplaced = ~data.placed[rows]
        style = imprecise.astype(np.int8) * 2 + unplaced.astype(np.int8)
        bar_h = lane_h - 1.0 if lane_h >= 4 else lane_h
        category = np.minimum(arrays.category[rows], len(code_colours()) - 1)
        return Marks(rows, x0, x1, y, bar_h, style, category, overflow)

    # -- painting --------------------------------------------------------------------------

    def image(self, dpr: float) -> QImage:
        """The layer painted at ``dpr`` device pixels per logical pixel."""
        # Opaque: copied to the screen without blending, a plain copy per frame.
        image = QImage(
            max(1, round(self.width * dpr)),
            max(1, round(self.height * dpr)),
            QImage.Format.Format_RGB32,
        )
        image.setDevicePixelRatio(dpr)
        image.fill(self.palette.color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        try:
            self.paint(painter)
        finally:
            painter.end()
        return image

    def paint(self, painter: QPainter) -> None:
        pal = self.palette
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        grid = blend(base, text, 0.10)
        grid_major = blend(base, text, 0.22)
        painter.setFont(self.font)

        # Grid first, so bars and marks sit on top of it.
        painter.setPen(QPen(grid, 0))
        painter.drawLines(self._tick_lines(major=False))
        painter.setPen(QPen(grid_major, 0))
        painter.drawLines(self._tick_lines(major=True))

        if self.marks is None:
            self._paint_histogram(painter)
        else:
            self._paint_marks(painter)
        self._paint_axis(painter, text, grid_major)

    def _tick_lines(self, major: bool) -> list:
        top, bottom = self.plot.top(), self.plot.bottom()
        lines = []
        for tick in self.ticks:
            if tick.major == major:
                x = round(self.scale.x(tick.t)) + 0.5
                lines.append(QPointF(x, top))
                lines.append(QPointF(x, bottom))
        return lines

    def _paint_histogram(self, painter: QPainter) -> None:
        bins = self.bins
        if bins.peak <= 0:
            return
        plot = self.plot
        usable = plot.height() - 4.0
        totals_px = bins.totals / bins.peak * usable
        # A bin with any events gets at least one pixel: "few" must not look like "none".
        grown = np.where((bins.totals > 0) & (totals_px < 1.0), 1.0, totals_px)
        factor = np.divide(grown, bins.totals, out=np.zeros_like(grown), where=bins.totals > 0)
        tops = np.cumsum(bins.counts, axis=0) * factor
        bottoms = tops - bins.counts * factor
        left = bins.xs[:-1]
        width = np.diff(bins.xs)
        gap = 1.0 if width.min(initial=MIN_BIN_PX) >= MIN_BIN_PX else 0.0
        left = left + gap / 2
        width = width - gap
        base_y = plot.bottom()
        painter.setPen(Qt.PenStyle.NoPen)
        for code, colour in zip(range(len(tops)), category_colours(), strict=False):
            height = tops[code] - bottoms[code]
            keep = np.flatnonzero(height > 0.05)
            if not len(keep):
                continue
            y = base_y - tops[code][keep]
            # starmap builds the rectangles without a Python-level loop body: this list
            # is most of a zooming frame's cost.
            rects = list(
                starmap(
                    QRectF,
                    zip(
                        left[keep].tolist(),
                        y.tolist(),
                        width[keep].tolist(),
                        height[keep].tolist(),
                        strict=True,
                    ),
                )
            )
            painter.setBrush(colour)
            painter.drawRects(rects)

    def _paint_marks(self, painter: QPainter) -> None:
        marks = self.marks
        assert marks is not None
        base = self.palette.color(QPalette.ColorRole.Base)
        cats = marks.category
        colours = category_colours()
        for code in np.unique(cats).tolist():
            colour = colours[code]
            for style in (FADED, FADED_HOLLOW, SOLID, HOLLOW):
                keep = np.flatnonzero((cats == code) & (marks.style == style))
                if not len(keep):
                    continue
                rects = [
                    QRectF(a, y, b - a, marks.height)
                    for a, b, y in zip(
                        marks.x0[keep].tolist(),
                        marks.x1[keep].tolist(),
                        marks.y[keep].tolist(),
                        strict=True,
                    )
                ]
                if style == SOLID:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                elif style == HOLLOW:
                    # No place: drawn as an outline, the way the map cannot show it.
                    painter.setPen(QPen(colour, 1.5))
                    painter.setBrush(base)
                    rects = [r.adjusted(0.75, 0.75, -0.75, -0.75) for r in rects]
                else:
                    # Imprecise: a faded span over the whole period the date may mean.
                    faded = QColor(colour)
                    faded.setAlphaF(0.30)
                    pen = QPen(colour, 1.0, Qt.PenStyle.DotLine)
                    painter.setPen(pen if style == FADED_HOLLOW else Qt.PenStyle.NoPen)
                    painter.setBrush(faded if style == FADED else Qt.BrushStyle.NoBrush)
                    rects = [r.adjusted(0.5, 0.5, -0.5, -0.5) for r in rects]
                painter.drawRects(rects)
        if marks.overflow:
            painter.setPen(blend(base, self.palette.color(QPalette.ColorRole.Text), 0.7))
            bottom = self.plot.bottom() - 2
            for x, count in marks.overflow:
                label = f"+{count}"
                advance = self.metrics.horizontalAdvance(label)
                left = min(max(x - advance / 2, 2.0), self.width - advance - 2)
                painter.drawText(QPointF(left, bottom - self.metrics.descent()), label)

    def _paint_axis(self, painter: QPainter, text: QColor, line: QColor) -> None:
        plot = self.plot
        muted = blend(self.palette.color(QPalette.ColorRole.Base), text, 0.65)
        painter.setPen(QPen(line, 0))
        painter.drawLine(QPointF(0, plot.bottom() + 0.5), QPointF(self.width, plot.bottom() + 0.5))
        label_y = plot.bottom() + 3.0
        for tick in self.ticks:
            x = round(self.scale.x(tick.t)) + 0.5
            painter.setPen(QPen(text if tick.major else muted, 0))
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            advance = self.metrics.horizontalAdvance(tick.label)
            font = painter.font()
            font.setBold(tick.major)
            painter.setFont(font)
            painter.drawText(
                QRectF(x - advance / 2 - 20, label_y, advance + 40, AXIS_H - 3),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                tick.label,
            )
        font = painter.font()
        font.setBold(False)
        painter.setFont(font)


def tinted(image: QImage, colour: QColor) -> QImage:
    """A copy of ``image`` under a wash of ``colour`` (its alpha says how strong)."""
    copy = image.copy()
    painter = QPainter(copy)
    try:
        painter.fillRect(QRectF(0, 0, copy.width(), copy.height()), colour)
    finally:
        painter.end()
    return copy


def _clusters(xs: np.ndarray, reach: float = 24.0) -> list[tuple[float, int]]:
    """Group sorted-or-not pixel positions closer than ``reach``: (mean x, count) each."""
    xs = np.sort(xs)
    breaks = np.flatnonzero(np.diff(xs) > reach) + 1
    return [(float(part.mean()), len(part)) for part in np.split(xs, breaks)]
