"""Playback: the time window moving (or growing) on its own, at the screen's frame rate.

The controller owns no data and no window of its own: on each frame it reads
``ViewState.window`` and writes the next one with ``set_window``, like any other view.
How far the window moves comes from a clock, not from counting timer ticks, so a late
frame moves it further instead of slowing playback down; tests pass their own clock and
call :meth:`PlaybackController.tick` to make frames happen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from desktop_app.core.index import EventIndex
from desktop_app.core.playback import PlaybackMode
from desktop_app.core.timescale import MIN_SPAN_DAYS
from desktop_app.core.window import TimeWindow
from desktop_app.ui.view_state import ViewState

#: A frame after a stall (a suspended laptop, a debugger) moves at most this far in time,
#: so playback never leaps across the data in one frame.
MAX_FRAME_SECONDS = 0.25


@dataclass(frozen=True)
class PlaybackSpeed:
    """How much time passes per second of playback."""

    key: str
    days_per_second: float


SPEEDS: tuple[PlaybackSpeed, ...] = (
    PlaybackSpeed("hour", 1 / 24),
    PlaybackSpeed("day", 1.0),
    PlaybackSpeed("week", 7.0),
    PlaybackSpeed("month", 30.436875),  # a mean Gregorian month
    PlaybackSpeed("year", 365.2425),
)
DEFAULT_SPEED = SPEEDS[1]


class PlaybackController(QObject):
    """Plays the time window: moves it (or grows it) at a chosen speed, stepping and looping.

    Parameters
    ----------
    state : ViewState
        Shared view state whose window playback moves.
    clock : callable, optional
        Returns seconds as a float; defaults to :func:`time.monotonic`. Tests pass a
        clock they advance by hand.
    parent : QObject, optional
        Parent object.

    Signals
    -------
    playingChanged(bool)
        Playback started or stopped.
    settingsChanged()
        Speed, mode or loop changed.
    """

    playingChanged = Signal(bool)
    settingsChanged = Signal()

    def __init__(
        self,
        state: ViewState,
        clock: Callable[[], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._clock = clock or time.monotonic
        self._bounds: tuple[float, float] | None = None
        self._speed = DEFAULT_SPEED
        self._mode = PlaybackMode.MOVING
        self._loop = False
        self._last: float | None = None
        # The growing window's start and first length, kept while it grows.
        self._anchor: TimeWindow | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- settings --------------------------------------------------------------------------

    def set_index(self, index: EventIndex) -> None:
        """Play over the span of these events (playback stops or loops at their end)."""
        bounds = index.bounds
        self._bounds = None if bounds is None else (math.floor(bounds[0]), math.ceil(bounds[1]))

    def set_bounds(self, bounds: tuple[float, float] | None) -> None:
        self._bounds = bounds

    @property
    def bounds(self) -> tuple[float, float] | None:
        return self._bounds

    @property
    def speed(self) -> PlaybackSpeed:
        return self._speed

    def set_speed(self, speed: PlaybackSpeed) -> None:
        if speed != self._speed:
            self._speed = speed
            self.settingsChanged.emit()

    @property
    def mode(self) -> PlaybackMode:
        return self._mode

    def set_mode(self, mode: PlaybackMode) -> None:
        if mode != self._mode:
            self._mode = mode
            self._anchor = self._state.window if self.is_playing else None
            self.settingsChanged.emit()

    @property
    def loop(self) -> bool:
        return self._loop

    def set_loop(self, loop: bool) -> None:
        if loop != self._loop:
            self._loop = loop
            self.settingsChanged.emit()

    # -- playing ---------------------------------------------------------------------------

    @property
    def is_playing(self) -> bool:
        return self._timer.isActive()

    def frame_interval_ms(self) -> int:
        """One frame of the primary screen, in whole milliseconds (16 ms at 60 Hz)."""
        screen = QGuiApplication.primaryScreen()
        rate = screen.refreshRate() if screen is not None else 60.0
        return max(1, int(1000 / (rate if rate and rate > 1 else 60.0)))

    def play(self) -> None:
        if self.is_playing:
            return
        if self._at_end() and not self._loop:
            # Like a video player: play at the end starts again from the beginning.
            self._restart()
        self._anchor = self._state.window
        self._last = self._clock()
        self._timer.start(self.frame_interval_ms())
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.is_playing:
            return
        self._timer.stop()
        self._last = None
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        if self.is_playing:
            self.pause()
        else:
            self.play()

    def step(self, direction: int) -> None:
        """Move one unit of the speed (a day, a week, ...) forward (+1) or back (-1)."""
        self._advance(direction * self._speed.days_per_second, stop_at_end=False)

    def tick(self) -> None:
        """Advance by the time the clock says has passed since the last frame."""
        if self._last is None:
            return
        now = self._clock()
        elapsed = min(max(now - self._last, 0.0), MAX_FRAME_SECONDS)
        self._last = now
        if elapsed > 0:
            self._advance(elapsed * self._speed.days_per_second, stop_at_end=True)

    def _on_timer_timeout(self) -> None:
        self.tick()

    # -- moving the window -----------------------------------------------------------------

    def _at_end(self) -> bool:
        return self._bounds is not None and self._state.window.end >= self._bounds[1]

    def _restart(self) -> None:
        if self._bounds is None:
            return
        window = self._state.window
        if self._mode is PlaybackMode.CUMULATIVE and self._anchor is not None:
            first = self._anchor
            self._state.set_window(TimeWindow(first.start, first.end))
        else:
            self._state.set_window(window.moved_to(self._bounds[0]))

    def _advance(self, days: float, stop_at_end: bool) -> None:
        window = self._state.window
        if self._mode is PlaybackMode.CUMULATIVE:
            anchor = self._anchor or window
            least = max(MIN_SPAN_DAYS, anchor.duration if days < 0 else MIN_SPAN_DAYS)
            end = max(window.end + days, window.start + least)
            target = TimeWindow(window.start, end)
        else:
            target = window.shifted(days)
        if self._bounds is not None and days > 0 and target.end >= self._bounds[1]:
            if not stop_at_end:
                target = self._clamp_end(target)
            elif self._loop:
                self._loop_around()
                return
            else:
                self._state.set_window(self._clamp_end(target))
                self.pause()
                return
        self._state.set_window(target)

    def _clamp_end(self, target: TimeWindow) -> TimeWindow:
        assert self._bounds is not None
        end = self._bounds[1]
        if self._mode is PlaybackMode.CUMULATIVE:
            return TimeWindow(target.start, max(end, target.start + MIN_SPAN_DAYS))
        return target.moved_to(end - target.duration)

    def _loop_around(self) -> None:
        assert self._bounds is not None
        window = self._state.window
        if self._mode is PlaybackMode.CUMULATIVE:
            anchor = self._anchor or window
            self._state.set_window(TimeWindow(anchor.start, anchor.end))
        else:
            self._state.set_window(window.moved_to(self._bounds[0]))
