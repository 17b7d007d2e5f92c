"""The timeline with its controls: presets, a date to jump to, playback.

:class:`TimelineControls` is the row of buttons; :class:`TimelinePanel` puts it above a
:class:`TimelineWidget` and owns the :class:`PlaybackController` both use. Like the
timeline, the controls only read and write the shared :class:`ViewState`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QDate, QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.index import EventIndex
from desktop_app.core.playback import PlaybackMode
from desktop_app.core.timescale import datetime_from_days, days_from_datetime
from desktop_app.core.window import TimeWindow
from desktop_app.core.window_presets import WindowPreset, preset_window
from desktop_app.ui.timeline.paint import TimelineData
from desktop_app.ui.timeline.playback import SPEEDS, PlaybackController
from desktop_app.ui.timeline.widget import TimelineWidget
from desktop_app.ui.view_state import ViewState


class TimelineControls(QWidget):
    """Window presets, a date field, and the playback buttons.

    Parameters
    ----------
    state : ViewState
        Shared view state; presets and the date field set its window.
    playback : PlaybackController
        The controller the play, step, speed, mode and loop controls drive.
    timeline : TimelineWidget
        Zoomed to show the window after a preset (the window is not the zoom).
    parent : QWidget, optional
        Parent widget.
    """

    def __init__(
        self,
        state: ViewState,
        playback: PlaybackController,
        timeline: TimelineWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._playback = playback
        self._timeline = timeline
        self._syncing = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)

        self.preset_buttons: dict[WindowPreset, QToolButton] = {}
        names = {
            WindowPreset.DAY: (self.tr("Day"), self.tr("Show one day: the day in the middle")),
            WindowPreset.WEEK: (self.tr("Week"), self.tr("Show one week, Monday to Sunday")),
            WindowPreset.MONTH: (self.tr("Month"), self.tr("Show one calendar month")),
            WindowPreset.YEAR: (self.tr("Year"), self.tr("Show one calendar year")),
            WindowPreset.ALL: (self.tr("All"), self.tr("Show every event")),
        }
        for preset, (text, tip) in names.items():
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(self.tr("Window: %1").replace("%1", text))
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, p=preset: self.apply_preset(p))
            layout.addWidget(button)
            self.preset_buttons[preset] = button

        layout.addSpacing(8)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumDate(QDate(1, 1, 1))
        self.date_edit.setToolTip(self.tr("Jump to a date: the window starts on it"))
        self.date_edit.setAccessibleName(self.tr("Go to date"))
        self.date_edit.dateChanged.connect(self._on_date_edit_changed)
        go_label = QLabel(self.tr("&Go to:"), self)
        go_label.setBuddy(self.date_edit)
        layout.addWidget(go_label)
        layout.addWidget(self.date_edit)
        layout.addStretch(1)

        style = self.style()
        self.back_button = self._tool_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward),
            self.tr("Step back"),
            self.tr("Step back by one unit of the speed"),
        )
        self.back_button.clicked.connect(lambda: self._playback.step(-1))
        self.play_button = self._tool_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            self.tr("Play"),
            self.tr("Play or pause (Space)"),
        )
        self.play_button.clicked.connect(self._playback.toggle)
        self.forward_button = self._tool_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
            self.tr("Step forward"),
            self.tr("Step forward by one unit of the speed"),
        )
        self.forward_button.clicked.connect(lambda: self._playback.step(1))
        for button in (self.back_button, self.play_button, self.forward_button):
            layout.addWidget(button)

        self.speed_box = QComboBox(self)
        speed_names = {
            "hour": self.tr("1 hour / s"),
            "day": self.tr("1 day / s"),
            "week": self.tr("1 week / s"),
            "month": self.tr("1 month / s"),
            "year": self.tr("1 year / s"),
        }
        for speed in SPEEDS:
            self.speed_box.addItem(speed_names[speed.key], speed)
        self.speed_box.setToolTip(self.tr("Playback speed: how much time passes per second"))
        self.speed_box.setAccessibleName(self.tr("Playback speed"))
        self.speed_box.currentIndexChanged.connect(self._on_speed_box_changed)
        layout.addWidget(self.speed_box)

        self.mode_box = QComboBox(self)
        self.mode_box.addItem(self.tr("Moving window"), PlaybackMode.MOVING)
        self.mode_box.addItem(self.tr("Growing window"), PlaybackMode.CUMULATIVE)
        self.mode_box.setToolTip(
            self.tr(
                "Moving: the whole window slides forward. Growing: its start stays put and "
                "its end moves, so events add up."
            )
        )
        self.mode_box.setAccessibleName(self.tr("Playback mode"))
        self.mode_box.currentIndexChanged.connect(self._on_mode_box_changed)
        layout.addWidget(self.mode_box)

        self.loop_button = self._tool_button(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload),
            self.tr("Loop"),
            self.tr("Loop: start again from the beginning at the end"),
        )
        self.loop_button.setCheckable(True)
        self.loop_button.toggled.connect(self._playback.set_loop)
        layout.addWidget(self.loop_button)

        self._on_settings_changed()
        self._on_playing_changed(playback.is_playing)
        self._on_window_changed(state.window)
        state.windowChanged.connect(self._on_window_changed)
        playback.playingChanged.connect(self._on_playing_changed)
        playback.settingsChanged.connect(self._on_settings_changed)

    def _tool_button(self, icon, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon)
        button.setIconSize(QSize(16, 16))
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.setAutoRaise(True)
        return button

    # -- actions ---------------------------------------------------------------------------

    def apply_preset(self, preset: WindowPreset) -> None:
        """Set the window to a day/week/month/year around its middle, or to everything."""
        window = self._state.window
        middle = (window.start + window.end) / 2
        target = preset_window(preset, middle, self._timeline.index.bounds)
        self._state.set_window(target)
        self._timeline.show_window(0.05 if preset is WindowPreset.ALL else 1.0)

    def jump_to(self, day: QDate) -> None:
        """Move the window (keeping its length) so that it starts on ``day``."""
        start = days_from_datetime(day.toPython())
        window = self._state.window
        if math.isclose(start, window.start):
            return
        self._state.set_window(window.moved_to(start))

    # -- reactions -------------------------------------------------------------------------

    def _on_date_edit_changed(self, day: QDate) -> None:
        # Set while the field follows the window, so following does not jump back.
        if not self._syncing:
            self.jump_to(day)

    def _on_window_changed(self, window: TimeWindow) -> None:
        moment = datetime_from_days(window.start)
        day = QDate(moment.year, moment.month, moment.day)
        if day != self.date_edit.date():
            self._syncing = True
            try:
                self.date_edit.setDate(day)
            finally:
                self._syncing = False

    def _on_playing_changed(self, playing: bool) -> None:
        style = self.style()
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(style.standardIcon(icon))
        name = self.tr("Pause") if playing else self.tr("Play")
        self.play_button.setAccessibleName(name)
        self.play_button.setToolTip(self.tr("%1 (Space)").replace("%1", name))

    def _on_settings_changed(self) -> None:
        playback = self._playback
        for box, value in ((self.speed_box, playback.speed), (self.mode_box, playback.mode)):
            at = box.findData(value)
            if at >= 0 and at != box.currentIndex():
                box.blockSignals(True)
                box.setCurrentIndex(at)
                box.blockSignals(False)
        if self.loop_button.isChecked() != playback.loop:
            self.loop_button.setChecked(playback.loop)

    def _on_speed_box_changed(self, at: int) -> None:
        self._playback.set_speed(self.speed_box.itemData(at))

    def _on_mode_box_changed(self, at: int) -> None:
        self._playback.set_mode(self.mode_box.itemData(at))


class TimelinePanel(QWidget):
    """The timeline docked under the map: controls above, the time axis below.

    Parameters
    ----------
    state : ViewState
        Shared view state.
    index : EventIndex
        The events, sorted by start time.
    parent : QWidget, optional
        Parent widget.

    Attributes
    ----------
    timeline : TimelineWidget
        The time axis.
    playback : PlaybackController
        Plays the window; Space on the timeline toggles it.
    controls : TimelineControls
        The row of buttons.
    """

    def __init__(
        self,
        state: ViewState,
        index: EventIndex,
        parent: QWidget | None = None,
        *,
        titles: Callable[[list[int]], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.timeline = TimelineWidget(state, index, self, titles=titles)
        self.playback = PlaybackController(state, parent=self)
        self.playback.set_index(index)
        self.controls = TimelineControls(state, self.playback, self.timeline, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self.timeline, 1)
        self.setAccessibleName(self.tr("Timeline and playback"))
        self.timeline.playPauseRequested.connect(self.playback.toggle)

    def set_index(
        self,
        index: EventIndex,
        precisions: np.ndarray | None = None,
        placed: np.ndarray | None = None,
    ) -> None:
        """Show new events (see :meth:`TimelineWidget.set_index`)."""
        self.timeline.set_index(index, precisions, placed)
        self.playback.set_index(index)

    def set_data(self, data: TimelineData) -> None:
        """Show events prepared beforehand (see :meth:`TimelineWidget.set_data`)."""
        self.timeline.set_data(data)
        self.playback.set_index(data.index)
