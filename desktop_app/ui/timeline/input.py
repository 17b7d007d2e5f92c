"""How the timeline answers the mouse and the keyboard: drags, clicks, wheel and keys.

:class:`TimelineInput` is a mixin of :class:`~desktop_app.ui.timeline.widget.TimelineWidget`,
kept apart so that gestures change without touching drawing or wording. It turns input
into the widget's own operations (``set_view``, ``zoom_at``, ``pan_by``, ``step_days``)
and into writes to the shared :class:`ViewState` (``set_window``, ``set_current``).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from desktop_app.core.timescale import MIN_SPAN_DAYS, TimeScale
from desktop_app.core.window import TimeWindow

#: How close (logical pixels) the pointer must be to a band edge to grab it.
EDGE_GRAB_PX = 6.0
#: Zoom per wheel notch and per +/- key press.
WHEEL_ZOOM = 1.25
KEY_ZOOM = 1.5


#: The timeline's keys, as the shortcuts list shows them: (keys, what they do). The
#: words are translated in the TimelineWidget context.
TIMELINE_KEYS = (
    ("Left / Right", "Step the window back or forward"),
    ("Shift+Left / Shift+Right", "Step a whole window back or forward"),
    ("Home / End", "Go to the first or the last event"),
    ("+ / -", "Zoom in or out (the timeline, or the map when it has the focus)"),
    ("Space", "Play or pause"),
)
#: Keys the timeline answers even while the map has the keyboard focus.
SHARED_KEYS = frozenset(
    {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Space}
)


class Drag(enum.Enum):
    MOVE = "move"
    START = "start"
    END = "end"
    OUTSIDE = "outside"  # becomes a pan once it moves, a click that moves the band if not
    PAN = "pan"
    EVENT = "event"


@dataclass
class Press:
    kind: Drag
    x: float
    window: TimeWindow
    scale: TimeScale
    moved: bool = False


class TimelineInput:
    """Mouse and keyboard handling for the timeline widget (a mixin before ``QWidget``).

    It uses the widget's ``_state``, ``_data``, ``_press`` and ``_hover``, and its
    ``layer()``, ``scale()``, ``_band_xs()``, view methods and ``playPauseRequested``.
    """

    # -- mouse -----------------------------------------------------------------------------

    def _hit(self, x: float, y: float) -> Drag:
        """What a press at ``(x, y)`` would grab."""
        x0, x1 = self._band_xs()
        d0, d1 = abs(x - x0), abs(x - x1)
        if min(d0, d1) <= EDGE_GRAB_PX and (x1 - x0 > 3 * EDGE_GRAB_PX or not x0 < x < x1):
            return Drag.START if d0 < d1 or (d0 == d1 and x < x0) else Drag.END
        layer = self.layer()
        if layer.marks is not None and layer.marks.hit(x, y) is not None:
            return Drag.EVENT
        if x0 < x < x1:
            return Drag.MOVE
        return Drag.OUTSIDE

    def event_at(self, pos: QPointF) -> int | None:
        """The id of the event drawn under ``pos``, if events are drawn one by one."""
        marks = self.layer().marks
        if marks is None:
            return None
        at = marks.hit(pos.x(), pos.y())
        return None if at is None else int(self._data.index.arrays.ids[marks.rows[at]])

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        x = event.position().x()
        kind = self._hit(x, event.position().y())
        self._press = Press(kind, x, self._state.window, self.scale())
        if kind is Drag.MOVE:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        press = self._press
        if press is None:
            self._hover = QPointF(pos)
            self._set_hover_cursor(self._hit(pos.x(), pos.y()))
            self.update()
            return
        dx = pos.x() - press.x
        if not press.moved and abs(dx) < QApplication.startDragDistance():
            return
        press.moved = True
        scale = press.scale
        dpp = scale.days_per_pixel
        window = press.window
        if press.kind is Drag.EVENT:
            # A drag that starts on an event's bar moves the band it lies in, or pans.
            x0, x1 = self._band_xs()
            press.kind = Drag.MOVE if x0 < press.x < x1 else Drag.OUTSIDE
        if press.kind is Drag.MOVE:
            # The window keeps its length and starts on a whole day (a bin edge when the
            # timeline shows hours), not at 19:22.
            start = self._snap_start(window.start + dx * dpp)
            self._state.set_window(window.moved_to(start))
        elif press.kind is Drag.START:
            least = max(MIN_SPAN_DAYS, 2 * dpp)
            start = min(self._snap(scale.t(pos.x())), window.end - least)
            self._state.set_window(TimeWindow(start, window.end))
        elif press.kind is Drag.END:
            least = max(MIN_SPAN_DAYS, 2 * dpp)
            end = max(self._snap(scale.t(pos.x())), window.start + least)
            self._state.set_window(TimeWindow(window.start, end))
        else:
            press.kind = Drag.PAN
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            panned = scale.panned(dx)
            self.set_view(panned.t_start, panned.t_end)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._press = None
        if press.kind is Drag.EVENT and not press.moved:
            # A click on an event's bar selects it, as a click on its marker does.
            event_id = self.event_at(QPointF(press.x, event.position().y()))
            if event_id is not None:
                self._state.set_current(event_id)
        elif press.kind is Drag.OUTSIDE and not press.moved:
            # A click beside the band moves the band there, centred on the click.
            t = press.scale.t(press.x)
            window = self._state.window
            self._state.set_window(window.moved_to(self._snap_start(t - window.duration / 2)))
        self._set_hover_cursor(self._hit(event.position().x(), event.position().y()))
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event_id = self.event_at(event.position())
        if event_id is not None:
            self._state.set_current(event_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def _set_hover_cursor(self, kind: Drag) -> None:
        shapes = {
            Drag.START: Qt.CursorShape.SizeHorCursor,
            Drag.END: Qt.CursorShape.SizeHorCursor,
            Drag.MOVE: Qt.CursorShape.OpenHandCursor,
            Drag.EVENT: Qt.CursorShape.PointingHandCursor,
        }
        self.setCursor(shapes.get(kind, Qt.CursorShape.ArrowCursor))

    def _snap(self, t: float) -> float:
        """``t`` moved to the nearest histogram bin edge, so resized windows stay round."""
        edges = self.layer().bins.edges
        i = int(np.clip(np.searchsorted(edges, t), 1, len(edges) - 1))
        before, after = float(edges[i - 1]), float(edges[i])
        return before if t - before <= after - t else after

    def _snap_start(self, t: float) -> float:
        """Where a moved window starts: the nearest whole day, or the nearest bin edge when
        bins are shorter than a day."""
        edges = self.layer().bins.edges
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        if width >= 1:
            return float(round(t))
        # Bins shorter than a day are all one length; a moved window may leave the view,
        # so snap by arithmetic rather than to the edges drawn.
        first = float(edges[0])
        return first + round((t - first) / width) * width

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        # Some platforms turn Shift+wheel into a horizontal wheel; both mean "pan".
        horizontal = delta.x() if delta.x() else (delta.y() if shift else 0)
        if horizontal:
            self.pan_by(horizontal / 120 * self.width() / 10)
        elif delta.y():
            self.zoom_at(WHEEL_ZOOM ** (delta.y() / 120), event.position().x())
        event.accept()

    # -- keyboard --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        state = self._state
        window = state.window
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            sign = -1 if key == Qt.Key.Key_Left else 1
            step = window.duration if shift else self.step_days()
            state.set_window(window.shifted(sign * step))
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            bounds = self._data.index.bounds
            if bounds is not None:
                if key == Qt.Key.Key_Home:
                    state.set_window(window.moved_to(math.floor(bounds[0])))
                else:
                    state.set_window(window.moved_to(math.ceil(bounds[1]) - window.duration))
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            factor = KEY_ZOOM if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal) else 1 / KEY_ZOOM
            x0, x1 = self._band_xs()
            centre = (x0 + x1) / 2
            if not 0 <= centre <= self.width():
                centre = self.width() / 2
            self.zoom_at(factor, centre)
        elif key == Qt.Key.Key_Space:
            self.playPauseRequested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)
