"""Playback with a clock the test moves by hand, and the timeline panel's controls."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QDate, Qt

from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.playback import PlaybackMode
from desktop_app.core.timescale import datetime_from_days
from desktop_app.core.window import TimeWindow
from desktop_app.core.window_presets import WindowPreset
from desktop_app.ui.timeline.bar import TimelinePanel
from desktop_app.ui.timeline.playback import (
    MAX_FRAME_SECONDS,
    SPEEDS,
    PlaybackController,
)
from desktop_app.ui.view_state import ViewState

D0 = 20240.0  # 2025-06-01, a Sunday


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def index_between(first: float, last: float) -> EventIndex:
    t0 = np.array([first, (first + last) / 2, last - 1])
    n = len(t0)
    return EventIndex(
        EventArrays(
            np.arange(1, n + 1, dtype=np.int64),
            t0,
            t0 + 1,
            np.zeros(n, np.float32),
            np.zeros(n, np.float32),
            np.zeros(n, np.uint8),
        )
    )


def speed(key: str):
    return next(s for s in SPEEDS if s.key == key)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state() -> ViewState:
    return ViewState(TimeWindow(D0, D0 + 2))


@pytest.fixture
def playback(qtbot, state, clock):
    controller = PlaybackController(state, clock)
    controller.set_index(index_between(D0, D0 + 30))
    yield controller
    controller.pause()


def test_moving_window_advances_by_the_clock(playback, state, clock):
    playback.play()
    assert playback.is_playing
    clock.now += 0.1
    playback.tick()
    clock.now += 0.15
    playback.tick()
    assert state.window.start == pytest.approx(D0 + 0.25)
    assert state.window.duration == pytest.approx(2)


def test_speed_is_time_per_second(playback, state, clock):
    playback.set_speed(speed("week"))
    playback.play()
    for _ in range(10):
        clock.now += 0.1
        playback.tick()
    assert state.window.start == pytest.approx(D0 + 7)


def test_a_stall_moves_at_most_one_long_frame(playback, state, clock):
    playback.play()
    clock.now += 30.0
    playback.tick()
    assert state.window.start == pytest.approx(D0 + MAX_FRAME_SECONDS)


def test_pause_stops_and_time_paused_does_not_count(playback, state, clock):
    playback.play()
    clock.now += 0.2
    playback.tick()
    playback.pause()
    clock.now += 0.2
    playback.tick()
    assert state.window.start == pytest.approx(D0 + 0.2)
    playback.play()
    clock.now += 0.1
    playback.tick()
    assert state.window.start == pytest.approx(D0 + 0.3)


def test_growing_window_keeps_its_start(playback, state, clock):
    playback.set_mode(PlaybackMode.CUMULATIVE)
    playback.set_speed(speed("week"))
    playback.play()
    for _ in range(4):
        clock.now += 0.25
        playback.tick()
    assert state.window == TimeWindow(D0, D0 + 9)


def test_stops_at_the_end_without_loop(playback, state, clock):
    playback.set_speed(speed("month"))
    playback.play()
    for _ in range(10):
        clock.now += 0.25
        playback.tick()
    assert not playback.is_playing
    assert state.window.end == D0 + 30
    assert state.window.duration == pytest.approx(2)
    playback.play()  # at the end: starts again from the beginning
    assert state.window.start == D0


def test_loops_back_to_the_start(playback, state, clock):
    playback.set_loop(True)
    playback.set_speed(speed("month"))
    state.set_window(TimeWindow(D0 + 27, D0 + 29))
    playback.play()
    clock.now += 0.25
    playback.tick()
    assert playback.is_playing
    assert state.window.start == D0


def test_growing_loop_starts_growing_again(playback, state, clock):
    playback.set_loop(True)
    playback.set_mode(PlaybackMode.CUMULATIVE)
    playback.set_speed(speed("month"))
    playback.play()
    for _ in range(5):
        clock.now += 0.25
        playback.tick()
    assert state.window.start == D0
    assert state.window.end < D0 + 30


def test_step_moves_one_unit_of_the_speed(playback, state):
    playback.set_speed(speed("week"))
    playback.step(1)
    assert state.window.start == pytest.approx(D0 + 7)
    playback.step(-1)
    assert state.window.start == pytest.approx(D0)
    for _ in range(10):
        playback.step(1)
    assert state.window.end == D0 + 30  # stepping stops at the end of the data


def test_timer_runs_at_the_screen_refresh_rate(playback):
    assert 1 <= playback.frame_interval_ms() <= 50
    playback.play()
    assert playback._timer.interval() == playback.frame_interval_ms()
    assert playback._timer.timerType() == Qt.TimerType.PreciseTimer


def test_the_timer_drives_ticks(qtbot, playback, state, clock):
    playback.play()
    clock.now += 0.1
    qtbot.waitUntil(lambda: state.window.start > D0, timeout=2000)
    assert state.window.start == pytest.approx(D0 + 0.1)


# -- the panel -------------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot, state):
    widget = TimelinePanel(state, index_between(D0 - 400, D0 + 30))
    qtbot.addWidget(widget)
    widget.resize(900, 200)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.playback.pause()


def test_space_on_the_timeline_plays_and_pauses(qtbot, panel):
    panel.timeline.setFocus()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert panel.playback.is_playing
    assert panel.controls.play_button.accessibleName() == "Pause"
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert not panel.playback.is_playing


def test_presets_set_calendar_windows(qtbot, panel, state):
    qtbot.mouseClick(panel.controls.preset_buttons[WindowPreset.WEEK], Qt.MouseButton.LeftButton)
    assert datetime_from_days(state.window.start).weekday() == 0
    assert state.window.duration == 7
    qtbot.mouseClick(panel.controls.preset_buttons[WindowPreset.ALL], Qt.MouseButton.LeftButton)
    assert state.window == TimeWindow(D0 - 400, D0 + 30)
    scale = panel.timeline.scale()
    assert scale.t_start <= state.window.start and state.window.end <= scale.t_end


def test_the_date_field_jumps_and_follows(panel, state):
    panel.controls.date_edit.setDate(QDate(2025, 7, 4))
    assert datetime_from_days(state.window.start).date().isoformat() == "2025-07-04"
    assert state.window.duration == 2
    state.set_window(TimeWindow(D0 + 3, D0 + 5))
    assert panel.controls.date_edit.date() == QDate(2025, 6, 4)


def test_speed_mode_and_loop_controls_drive_playback(panel):
    controls = panel.controls
    controls.speed_box.setCurrentIndex(controls.speed_box.findData(speed("month")))
    controls.mode_box.setCurrentIndex(controls.mode_box.findData(PlaybackMode.CUMULATIVE))
    controls.loop_button.click()
    assert panel.playback.speed == speed("month")
    assert panel.playback.mode is PlaybackMode.CUMULATIVE
    assert panel.playback.loop


def test_every_control_has_a_tooltip_and_accessible_name(panel):
    from PySide6.QtWidgets import QComboBox, QDateEdit, QToolButton

    direct = Qt.FindChildOption.FindDirectChildrenOnly
    controls = [
        child
        for kind in (QToolButton, QComboBox, QDateEdit)
        for child in panel.controls.findChildren(kind, options=direct)
    ]
    assert len(controls) >= 12
    for control in controls:
        assert control.toolTip(), control
        assert control.accessibleName(), control


def test_the_timeline_plays_the_modes_an_animation_exports(panel):
    from desktop_app.cli.export import export_command
    from desktop_app.ui.export.animation import AnimationSpec

    box = panel.controls.mode_box
    offered = [box.itemData(k) for k in range(box.count())]
    assert offered == list(PlaybackMode)
    # The command line's --mode words name the same modes.
    choices = next(p for p in export_command.params if p.name == "mode").type.choices
    assert [PlaybackMode(word) for word in choices] == offered
    growing = AnimationSpec(D0, D0 + 3, mode=offered[1]).windows()
    assert [w.start for w in growing] == [D0] * 3
