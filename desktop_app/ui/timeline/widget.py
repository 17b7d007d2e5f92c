"""TimelineWidget: the time axis under the map, a view of the shared ViewState.

It shows how many events happened when (a histogram stacked by category), the events
themselves once zoomed in, and the window ``[from, to)`` as a band the user drags,
resizes and moves. It reads the window, the selection and the current event from
:class:`ViewState` and changes them only through ``set_window`` and ``set_current``;
what it knows of the events is the :class:`EventIndex` it is handed.

The visible span (zoom and pan) is the widget's own business and is not shared: the
map follows the window, not the timeline's zoom.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.core.density import CategoryDensity
from desktop_app.core.index import EventIndex
from desktop_app.core.timescale import TimeScale
from desktop_app.core.window import TimeWindow
from desktop_app.core.window_presets import nice_step
from desktop_app.ui.timeline.input import Drag, Press, TimelineInput
from desktop_app.ui.timeline.paint import (
    HEADER_H,
    TimelineData,
    TimelineLayer,
    blend,
    tinted,
)
from desktop_app.ui.timeline.text import (
    accessible_description,
    bin_tooltip,
    count_text,
    event_tooltip,
    unit_text,
)
from desktop_app.ui.view_state import ViewState
from desktop_app.ui.words import (
    date_text,
    last_shown,
    needs_time,
    plain_tooltip,
    window_in_words,
)

#: Keep this fraction of the width free beside the band when following it.
FOLLOW_MARGIN = 0.05


class TimelineWidget(TimelineInput, QWidget):
    """A zoomable, scrubbable time axis with event density, event marks and the window band.

    Parameters
    ----------
    state : ViewState
        Shared view state: the widget draws its window, selection and current event, and
        writes the window (drag, keys) and the current event (double-click).
    index : EventIndex
        The events, sorted by start time.
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    playPauseRequested()
        Space was pressed; the playback controller decides what that means.
    viewChanged(float, float)
        The visible span changed (zoom or pan).
    """

    playPauseRequested = Signal()
    viewChanged = Signal(float, float)

    def __init__(
        self,
        state: ViewState,
        index: EventIndex,
        parent: QWidget | None = None,
        *,
        titles: Callable[[list[int]], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._titles = titles
        self._data = TimelineData.build(index, index.arrays.precision)
        #: Every event, as set; ``_data`` is what is shown of them (see :meth:`show_rows`).
        self._all = self._data
        self._t_start, self._t_end = self._initial_view(index, state.window)
        self._layer: TimelineLayer | None = None
        self._image: QImage | None = None
        #: The same picture veiled (outside the window) and tinted (inside it).
        self._veiled: QImage | None = None
        self._tinted: QImage | None = None
        self._image_dpr = 0.0
        self._press: Press | None = None
        self._hover: QPointF | None = None
        #: Said over the plot while the events are being read (None: they are shown).
        self._loading: str | None = None

        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Timeline"))
        self._update_accessible_description()

        state.windowChanged.connect(self._on_window_changed)
        state.selectionChanged.connect(self._on_selection_changed)
        state.currentChanged.connect(self._on_current_changed)
        state.windowRevealRequested.connect(self.show_window)

    # -- data ------------------------------------------------------------------------------

    def set_index(
        self,
        index: EventIndex,
        precisions: np.ndarray | None = None,
        placed: np.ndarray | None = None,
    ) -> None:
        """Show new events.

        Parameters
        ----------
        index : EventIndex
            The events, sorted by start time.
        precisions : np.ndarray, optional
            One date precision per row of ``index.arrays``: uint8 codes from
            :data:`desktop_app.core.density.PRECISION_CODES`, or precision names
            (``"day"``, ``"month"``, ...). Missing means every date is precise.
        placed : np.ndarray, optional
            One bool per row: whether the event has a place on the map. Missing means
            "has a latitude and longitude".
        """
        if precisions is None:
            precisions = index.arrays.precision
        elif np.asarray(precisions).dtype.kind in "OUS":
            from desktop_app.core.dates import precision_codes

            precisions = precision_codes(np.asarray(precisions).tolist())
        self.set_data(TimelineData.build(index, precisions, placed))

    def set_data(self, data: TimelineData) -> None:
        """Show events prepared beforehand (:meth:`TimelineData.build`, which costs a sort
        of every event: a store being opened builds it off the GUI thread)."""
        self._all = data
        self._show(data)

    def show_rows(self, rows: np.ndarray | None, density: CategoryDensity | None = None) -> None:
        """Show only the events of the rows where ``rows`` is true (one bool per row of
        the events last set; None: all of them).

        Nothing is copied or sorted: the bars are ``density`` (the density of those rows,
        e.g. :meth:`CategoryDensity.only` of a few categories, made beforehand), the marks
        and the selection look the rows up in the full index through the mask.

        Parameters
        ----------
        rows : np.ndarray, optional
            One bool per event of the data last set.
        density : CategoryDensity, optional
            The density of those rows; missing means that of every event.
        """
        full = self._all
        if rows is None and density is None:
            self._show(full)
            return
        self._show(
            TimelineData(
                full.index.where(rows),
                full.density if density is None else density,
                full.precisions,
                full.placed,
                # An upper bound is all the marks' layout needs of it.
                full.n_long,
            )
        )

    def _show(self, data: TimelineData) -> None:
        was_empty = len(self._data.index) == 0
        self._data = data
        if was_empty and len(data.index):
            self._t_start, self._t_end = self._initial_view(data.index, self._state.window)
            self.viewChanged.emit(self._t_start, self._t_end)
        self._invalidate()

    @property
    def data(self) -> TimelineData:
        """The events shown, as the timeline prepared them."""
        return self._data

    @property
    def all_data(self) -> TimelineData:
        """Every event set (:meth:`show_rows` masks rows of these)."""
        return self._all

    def set_loading(self, message: str | None) -> None:
        """Say ``message`` over the plot while the events are being read; None when they
        are shown."""
        if message != self._loading:
            self._loading = message
            self.update()

    @property
    def loading(self) -> str | None:
        """What the timeline says while the events are being read (None: they are shown)."""
        return self._loading

    @property
    def index(self) -> EventIndex:
        return self._data.index

    # -- the visible span ------------------------------------------------------------------

    def scale(self) -> TimeScale:
        """The visible span over the current width."""
        return TimeScale(self._t_start, self._t_end, float(max(self.width(), 1)))

    def set_view(self, t_start: float, t_end: float) -> None:
        """Show ``[t_start, t_end)``, clamped to the spans a :class:`TimeScale` allows."""
        fitted = TimeScale.fit(t_start, t_end, 1.0, margin_fraction=0.0)
        if (fitted.t_start, fitted.t_end) == (self._t_start, self._t_end):
            return
        self._t_start, self._t_end = fitted.t_start, fitted.t_end
        self._invalidate()
        self.viewChanged.emit(self._t_start, self._t_end)

    def zoom_at(self, factor: float, x: float) -> None:
        """Zoom by ``factor`` (> 1 zooms in) keeping the time under pixel ``x`` in place."""
        scale = self.scale()
        zoomed = scale.zoomed(factor, scale.t(x))
        self.set_view(zoomed.t_start, zoomed.t_end)

    def pan_by(self, dx: float) -> None:
        """Move the content right by ``dx`` pixels (earlier times come into view)."""
        panned = self.scale().panned(dx)
        self.set_view(panned.t_start, panned.t_end)

    def fit_view(self, t0: float, t1: float, margin_fraction: float = 0.05) -> None:
        """Zoom and pan so that ``[t0, t1]`` fills the width, with a margin each side."""
        fitted = TimeScale.fit(t0, t1, 1.0, margin_fraction)
        self.set_view(fitted.t_start, fitted.t_end)

    def reveal(self, t0: float, t1: float) -> None:
        """Scroll (without zooming) so that ``[t0, t1]`` is in view; fit it if too long.

        A span leaving the view by one side turns a page: it comes back in at the other
        side, so a window that plays forward moves the view once per page, not at every
        frame (each move draws the histogram again).
        """
        span = self._t_end - self._t_start
        margin = span * FOLLOW_MARGIN
        if t1 - t0 > span - 2 * margin:
            if t0 < self._t_start or t1 > self._t_end:
                self.fit_view(t0, t1)
            return
        if t0 < self._t_start + margin:
            self.set_view(t1 + margin - span, t1 + margin)
        elif t1 > self._t_end - margin:
            self.set_view(t0 - margin, t0 - margin + span)

    def show_window(self, context: float = 1.0) -> None:
        """Zoom so that the window fills the middle of the view, ``context`` of its length
        visible on each side."""
        window = self._state.window
        self.fit_view(window.start, window.end, margin_fraction=context)

    @staticmethod
    def _initial_view(index: EventIndex, window: TimeWindow) -> tuple[float, float]:
        bounds = index.bounds
        lo, hi = (window.start, window.end)
        if bounds is not None:
            lo, hi = min(lo, bounds[0]), max(hi, bounds[1])
        fitted = TimeScale.fit(lo, hi, 1.0)
        return fitted.t_start, fitted.t_end

    # -- keyboard stepping -----------------------------------------------------------------

    def step_days(self) -> float:
        """How far Left/Right move the window: a round step near a tenth of its length."""
        return nice_step(self._state.window.duration)

    # -- reactions to the view state -------------------------------------------------------

    def _on_window_changed(self, window: TimeWindow) -> None:
        # Follow the band when something else moves it (keys, playback, presets), but not
        # under the user's own drag: the content would slide under the pointer.
        if self._press is None:
            self.reveal(window.start, window.end)
        self._update_accessible_description()
        self.update()

    def _on_selection_changed(self, _ids: tuple[int, ...]) -> None:
        self.update()

    def _on_current_changed(self, event_id: int | None) -> None:
        if event_id is not None:
            row = self._data.index.row_of(event_id)
            if row is not None:
                arrays = self._data.index.arrays
                t0 = float(arrays.t0[row])
                self.bring_into_view(t0, max(float(arrays.t1[row]), t0))
        self.update()

    def bring_into_view(self, t0: float, t1: float) -> None:
        """Scroll, never zoom, until some of ``[t0, t1]`` shows; nothing if some already does.

        A month-long event picked on the map must not zoom the timeline out to months and
        crush the days the user was reading.
        """
        if t1 >= self._t_start and t0 <= self._t_end:
            return
        nearest = t0 if t0 > self._t_end else t1
        self.reveal(nearest, nearest)

    # -- caches ----------------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._layer = None
        self._image = self._veiled = self._tinted = None
        self.update()

    def layer(self) -> TimelineLayer:
        """What is drawn for the visible span (bins, marks, ticks), computed on demand."""
        if self._layer is None or self._layer.width != max(self.width(), 1):
            self._layer = TimelineLayer(
                self._data, self.scale(), float(self.height()), self.palette(), self.font()
            )
            self._image = self._veiled = self._tinted = None
        return self._layer

    # -- painting --------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(800, 150)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 100)

    def resizeEvent(self, event) -> None:
        self._invalidate()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.LocaleChange,
        ):
            self._invalidate()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            dpr = painter.device().devicePixelRatioF()
            layer = self.layer()
            if self._image is None or self._image_dpr != dpr:
                self._image = layer.image(dpr)
                self._image_dpr = dpr
                self._veiled = self._tinted = None
            if self._loading:
                # No window to show yet: the events will choose it.
                painter.drawImage(QPointF(0, 0), self._image)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                self._paint_loading(painter, layer)
            else:
                self._paint_layer_and_band(painter)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                self._paint_band(painter, layer)
                self._paint_selection(painter, layer)
                self._paint_header(painter, layer)
                self._paint_hover(painter, layer)
            if self.hasFocus():
                pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        finally:
            painter.end()

    def _paint_loading(self, painter: QPainter, layer: TimelineLayer) -> None:
        base, text, _ = self._colours()
        painter.setFont(layer.font)
        metrics = QFontMetricsF(layer.font)
        width = metrics.horizontalAdvance(self._loading) + 24
        plot = layer.plot
        box = QRectF(
            plot.center().x() - width / 2, plot.center().y() - metrics.height(), width,
            2 * metrics.height(),
        )  # fmt: skip
        painter.setPen(QPen(blend(base, text, 0.3), 1))
        painter.setBrush(base)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(blend(base, text, 0.8))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._loading)

    def _colours(self) -> tuple[QColor, QColor, QColor]:
        pal = self.palette()
        return (
            pal.color(QPalette.ColorRole.Base),
            pal.color(QPalette.ColorRole.Text),
            pal.color(QPalette.ColorRole.Highlight),
        )

    def _band_xs(self) -> tuple[float, float]:
        scale = self.scale()
        window = self._state.window
        return scale.x(window.start), scale.x(window.end)

    def _paint_layer_and_band(self, painter: QPainter) -> None:
        """The layer's picture, veiled outside the window and tinted inside it, so the
        band reads as "what the map shows"; the header row stays clear."""
        base, _, highlight = self._colours()
        if self._veiled is None or self._tinted is None:
            # Washed once per picture: a frame of playback at a pixel ratio of 2 then
            # copies pixels instead of blending a translucent veil over most of them.
            veil = QColor(base)
            veil.setAlphaF(0.35)
            fill = QColor(highlight)
            fill.setAlphaF(0.12)
            self._veiled, self._tinted = tinted(self._image, veil), tinted(self._image, fill)
        x0, x1 = self._band_xs()
        w, h = float(self.width()), float(self.height())
        if x1 < 0 or x0 > w:
            # All of the view is outside the window: nothing to set apart.
            painter.drawImage(QPointF(0, 0), self._image)
            return
        dpr = self._image_dpr
        painter.drawImage(QPointF(0, 0), self._image, QRectF(0, 0, w * dpr, HEADER_H * dpr))
        left, right = min(max(x0, 0.0), w), min(max(x1, 0.0), w)
        if right - left < 1.0 and 0 <= x0 <= w:
            right = min(left + 1.0, w)
        for image, a, b in ((self._veiled, 0.0, left), (self._tinted, left, right),
                            (self._veiled, right, w)):  # fmt: skip
            if b > a:
                target = QRectF(a, HEADER_H, b - a, h - HEADER_H)
                source = QRectF(a * dpr, HEADER_H * dpr, (b - a) * dpr, (h - HEADER_H) * dpr)
                painter.drawImage(target, image, source)

    def _paint_band(self, painter: QPainter, layer: TimelineLayer) -> None:
        _, _, highlight = self._colours()
        x0, x1 = self._band_xs()
        w, h = float(self.width()), float(self.height())
        top, bottom = HEADER_H, h
        if x1 < 0 or x0 > w:
            return  # all of the view is outside the window: nothing to set apart
        painter.setPen(QPen(highlight, 2))
        painter.drawLine(QPointF(x0, top), QPointF(x0, bottom))
        painter.drawLine(QPointF(x1, top), QPointF(x1, bottom))
        # Handles: grips in the middle of each edge say "these can be dragged".
        mid = (layer.plot.top() + layer.plot.bottom()) / 2
        grip_text = self.palette().color(QPalette.ColorRole.HighlightedText)
        for x in (x0, x1):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(highlight)
            painter.drawRoundedRect(QRectF(x - 4, mid - 11, 8, 22), 3, 3)
            painter.setPen(QPen(grip_text, 1))
            for dy in (-4, 0, 4):
                painter.drawLine(QPointF(x - 2, mid + dy), QPointF(x + 2, mid + dy))

    def _paint_header(self, painter: QPainter, layer: TimelineLayer) -> None:
        """The window's dates at its edges, the zoom's context, and the histogram's peak."""
        base, text, highlight = self._colours()
        muted = blend(base, text, 0.65)
        painter.setFont(layer.font)
        metrics = QFontMetricsF(layer.font)
        w = float(self.width())
        window = self._state.window
        x0, x1 = self._band_xs()
        with_time = needs_time(window)
        left = date_text(window.start, with_time)
        right = date_text(last_shown(window), with_time)
        boxes: list[tuple[QRectF, str]] = []
        if x1 < 0 or x0 > w:
            # The band is out of view: say where it is, at the side it lies.
            text_ = window_in_words(window)
            boxes.append(
                self._label_box(
                    metrics,
                    ("\u25c0 " + text_) if x1 < 0 else (text_ + " \u25b6"),
                    0 if x1 < 0 else w,
                    x1 < 0,
                )
            )
        else:
            need = metrics.horizontalAdvance(left) + metrics.horizontalAdvance(right) + 20
            inside = min(x1, w) - max(x0, 0) >= need
            if x0 < 0:
                left = "\u25c0 " + left
            if x1 > w:
                right = right + " \u25b6"
            boxes.append(self._label_box(metrics, left, max(x0, 0), inside or x0 < 0))
            boxes.append(self._label_box(metrics, right, min(x1, w), not inside and x1 <= w))
            if boxes[0][0].intersects(boxes[1][0]):
                # Too narrow for both side by side: one label, "from – to", centred.
                text_ = window_in_words(window)
                boxes = [self._label_box(metrics, text_, (x0 + x1) / 2, True, centred=True)]
        context = QRectF(6, 0, metrics.horizontalAdvance(layer.context) + 4, HEADER_H)
        if layer.context and not any(box.intersects(context) for box, _ in boxes):
            painter.setPen(muted)
            painter.drawText(context, Qt.AlignmentFlag.AlignVCenter, layer.context)
        for box, label in boxes:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(base)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(highlight)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        if layer.bins.peak > 0 and layer.marks is None:
            peak = self.tr("peak %1 per %2").replace("%1", count_text(layer.bins.peak))
            peak = peak.replace("%2", unit_text(layer.bins.unit))
            width = metrics.horizontalAdvance(peak) + 8
            box = QRectF(w - width - 4, layer.plot.top() + 2, width, metrics.height() + 2)
            translucent = QColor(base)
            translucent.setAlphaF(0.75)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(translucent)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(muted)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, peak)

    def _label_box(
        self, metrics: QFontMetricsF, text: str, x: float, rightwards: bool, centred: bool = False
    ) -> tuple[QRectF, str]:
        """Where a header label goes: starting at ``x``, ending there, or centred on it,
        kept on screen."""
        width = metrics.horizontalAdvance(text) + 8
        left = x - width / 2 if centred else (x + 2 if rightwards else x - 2 - width)
        left = min(max(left, 2.0), self.width() - 2.0 - width)
        return QRectF(left, 1, width, HEADER_H - 2), text

    def _paint_selection(self, painter: QPainter, layer: TimelineLayer) -> None:
        state = self._state
        if not state.selection:
            return
        _, text, highlight = self._colours()
        index = self._data.index
        arrays = index.arrays
        scale = layer.scale
        plot = layer.plot
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for event_id in state.selection:
            row = index.row_of(event_id)
            if row is None:
                continue
            current = event_id == state.current
            colour = highlight if current else text
            t0 = float(arrays.t0[row])
            t1 = max(float(arrays.t1[row]), t0)
            at = layer.marks.position_of(row) if layer.marks is not None else None
            if at is not None:
                marks = layer.marks
                rect = QRectF(
                    marks.x0[at], marks.y[at], marks.x1[at] - marks.x0[at], marks.height
                ).adjusted(-2, -2, 2, 2)
                painter.setPen(QPen(colour, 2.5 if current else 1.5))
                painter.drawRect(rect)
                continue
            # In density view the event is a span over the plot with a pin above it.
            x0, x1 = scale.x(t0), scale.x(t1)
            if x1 < 0 or x0 > self.width():
                continue
            span = QColor(colour)
            span.setAlphaF(0.18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(span)
            painter.drawRect(QRectF(x0, plot.top(), max(x1 - x0, 2.0), plot.height()))
            painter.setPen(QPen(colour, 2 if current else 1))
            painter.drawLine(QPointF(x0, plot.top()), QPointF(x0, plot.bottom()))
            painter.setBrush(colour)
            pin = QPolygonF(
                [
                    QPointF(x0 - 5, plot.top()),
                    QPointF(x0 + 5, plot.top()),
                    QPointF(x0, plot.top() + 7),
                ]
            )
            painter.drawPolygon(pin)
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_hover(self, painter: QPainter, layer: TimelineLayer) -> None:
        if self._hover is None or self._press is not None:
            return
        base, text, _ = self._colours()
        marks = layer.marks
        x, y = self._hover.x(), self._hover.y()
        if marks is not None:
            at = marks.hit(x, y)
            if at is not None:
                painter.setPen(QPen(text, 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(
                    QRectF(
                        marks.x0[at], marks.y[at], marks.x1[at] - marks.x0[at], marks.height
                    ).adjusted(-1, -1, 1, 1)
                )
            return
        bins = layer.bins
        i = bins.at(x)
        if i is None or not layer.plot.contains(self._hover):
            return
        # The count of the bin under the pointer, above its bar.
        plot = layer.plot
        bx0, bx1 = bins.xs[i], bins.xs[i + 1]
        painter.setPen(QPen(text, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(bx0, plot.top(), bx1 - bx0, plot.height()))
        label = count_text(bins.totals[i])
        metrics = QFontMetricsF(layer.font)
        width = metrics.horizontalAdvance(label) + 8
        bar_top = plot.bottom() - (
            bins.totals[i] / bins.peak * (plot.height() - 4) if bins.peak else 0
        )
        top = max(plot.top() + 1, bar_top - HEADER_H + 2)
        box = QRectF((bx0 + bx1) / 2 - width / 2, top, width, HEADER_H - 4)
        box.moveLeft(min(max(box.left(), 1), self.width() - width - 1))
        painter.setFont(layer.font)
        painter.setBrush(base)
        painter.drawRoundedRect(box, 3, 3)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    # -- text ------------------------------------------------------------------------------

    def _update_accessible_description(self) -> None:
        self.setAccessibleDescription(accessible_description(self._state.window))

    def tooltip_at(self, pos: QPointF) -> str:
        """The tooltip shown at a point of the widget, as rich text in which everything is
        escaped: titles come from source files."""
        return plain_tooltip(self.tooltip_text_at(pos))

    def tooltip_text_at(self, pos: QPointF) -> str:
        """The tooltip's words for a point: an event, a bin's counts, or a hint."""
        layer = self.layer()
        kind = self._hit(pos.x(), pos.y())
        if kind is Drag.EVENT and layer.marks is not None:
            at = layer.marks.hit(pos.x(), pos.y())
            if at is not None:
                row = int(layer.marks.rows[at])
                text = event_tooltip(self._data, row)
                if self._titles is not None:
                    titles = self._titles([int(self._data.index.arrays.ids[row])])
                    if titles:
                        text = titles[0] + "\n" + text
                return text + "\n" + self.tr("Click to read it")
        if kind is Drag.MOVE:
            return self.tr("Drag to move the window")
        if kind in (Drag.START, Drag.END):
            return self.tr("Drag to change where the window starts or ends")
        if layer.plot.contains(pos) and layer.marks is None:
            i = layer.bins.at(pos.x())
            if i is not None and layer.bins.totals[i] > 0:
                return bin_tooltip(layer.bins, i)
        return self.tr("Click to move the window here; drag to pan; wheel to zoom")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_at(QPointF(event.pos())), self)
            return True
        return super().event(event)
