"""TimelineWidget: drag, resize, click, wheel, keys, double-click and linked selection."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication

from desktop_app.core.dates import DatePrecision
from desktop_app.core.density import PRECISION_CODES
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.ui.timeline.widget import TimelineWidget
from desktop_app.ui.view_state import ViewState

D0 = 20240.0  # 2025-06-01


def make_index() -> EventIndex:
    """Sixty events over forty days: day events, instants, one month-long, some unplaced."""
    rng = np.random.default_rng(3)
    t0 = np.sort(D0 + rng.integers(0, 40, 60).astype(float))
    t1 = t0 + 1.0
    t0[::5] += 0.5  # instants at noon
    t1[::5] = t0[::5]
    lat = np.where(np.arange(60) % 4 == 0, np.nan, 45.0).astype(np.float32)
    arrays = EventArrays(
        np.arange(100, 160, dtype=np.int64),
        t0,
        t1,
        lat,
        np.full(60, 30.0, np.float32),
        (np.arange(60) % 9).astype(np.uint8),
    )
    return EventIndex(arrays.sorted())


@pytest.fixture
def state() -> ViewState:
    return ViewState(TimeWindow(D0 + 10, D0 + 12))


@pytest.fixture
def timeline(qtbot, state) -> TimelineWidget:
    widget = TimelineWidget(state, make_index())
    qtbot.addWidget(widget)
    widget.resize(800, 160)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_view(D0, D0 + 40)  # 20 px per day
    return widget


def at(timeline: TimelineWidget, t: float, y: float = 90) -> QPoint:
    return QPoint(round(timeline.scale().x(t)), round(y))


def drag(qtbot, widget, start: QPoint, end: QPoint, steps: int = 4) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, steps + 1):
        qtbot.mouseMove(widget, start + (end - start) * (i / steps))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def wheel(widget, x: float, dy: int = 0, dx: int = 0, shift: bool = False) -> None:
    pos = QPointF(x, 90)
    modifiers = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    event = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(),
        QPoint(dx, dy),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


# -- the band ------------------------------------------------------------------------------


def test_dragging_the_band_scrubs_the_window(qtbot, timeline, state):
    drag(qtbot, timeline, at(timeline, D0 + 11), at(timeline, D0 + 16))
    assert state.window.start == pytest.approx(D0 + 15, abs=0.06)
    assert state.window.duration == pytest.approx(2.0)


def test_dragging_an_edge_resizes_the_window_to_whole_bins(qtbot, timeline, state):
    # At 20 px a day the bins are 6 hours: an edge dropped an hour past midnight snaps back.
    drag(qtbot, timeline, at(timeline, D0 + 12), at(timeline, D0 + 17.04))
    assert state.window.start == D0 + 10
    assert state.window.end == D0 + 17
    drag(qtbot, timeline, at(timeline, D0 + 10), at(timeline, D0 + 8.04))
    assert (state.window.start, state.window.end) == (D0 + 8, D0 + 17)


def test_an_edge_cannot_cross_the_other(qtbot, timeline, state):
    drag(qtbot, timeline, at(timeline, D0 + 10), at(timeline, D0 + 30))
    assert state.window.start < state.window.end == D0 + 12


def test_clicking_beside_the_band_moves_it_there(qtbot, timeline, state):
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=at(timeline, D0 + 30, y=150))
    assert (state.window.start + state.window.end) / 2 == pytest.approx(D0 + 30, abs=0.06)
    assert state.window.duration == pytest.approx(2.0)


def test_dragging_beside_the_band_pans_the_view_not_the_window(qtbot, timeline, state):
    before = timeline.scale()
    drag(qtbot, timeline, at(timeline, D0 + 30, y=150), at(timeline, D0 + 35, y=150))
    after = timeline.scale()
    assert after.t_start == pytest.approx(before.t_start - 5, abs=0.06)
    assert after.span == pytest.approx(before.span)
    assert state.window == TimeWindow(D0 + 10, D0 + 12)


# -- zoom and pan --------------------------------------------------------------------------


def test_wheel_zooms_around_the_cursor(timeline):
    x = 600.0
    t_under = timeline.scale().t(x)
    wheel(timeline, x, dy=120)
    after = timeline.scale()
    assert after.span == pytest.approx(40 / 1.25)
    assert after.t(x) == pytest.approx(t_under)
    wheel(timeline, x, dy=-240)
    assert timeline.scale().span == pytest.approx(40 * 1.25)


def test_shift_wheel_and_horizontal_wheel_pan(timeline):
    start = timeline.scale().t_start
    wheel(timeline, 400, dy=-120, shift=True)
    assert timeline.scale().t_start == pytest.approx(start + 4)  # a tenth of the width
    wheel(timeline, 400, dx=120)
    assert timeline.scale().t_start == pytest.approx(start)
    assert timeline.scale().span == pytest.approx(40)


def test_bins_adapt_to_the_zoom(timeline):
    assert timeline.layer().bins.unit.days == 0.25  # 20 px a day: 6-hour bins of 5 px
    timeline.fit_view(D0 - 700, D0 + 700)
    assert timeline.layer().bins.unit.kind == "month"


# -- keyboard ------------------------------------------------------------------------------


def test_arrow_keys_step_and_shift_arrows_step_a_window(qtbot, timeline, state):
    step = timeline.step_days()
    assert step == pytest.approx(3 / 24)  # a tenth of two days, rounded down to 3 hours
    qtbot.keyClick(timeline, Qt.Key.Key_Right)
    assert state.window.start == pytest.approx(D0 + 10 + step)
    qtbot.keyClick(timeline, Qt.Key.Key_Left)
    qtbot.keyClick(timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert state.window == TimeWindow(D0 + 12, D0 + 14)


def test_home_and_end_go_to_the_first_and_last_event(qtbot, timeline, state):
    bounds = timeline.index.bounds
    qtbot.keyClick(timeline, Qt.Key.Key_End)
    assert state.window.end == np.ceil(bounds[1])
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    assert state.window.start == np.floor(bounds[0])
    assert state.window.duration == 2


def test_plus_and_minus_zoom_and_space_asks_to_play(qtbot, timeline):
    qtbot.keyClick(timeline, Qt.Key.Key_Plus)
    assert timeline.scale().span == pytest.approx(40 / 1.5)
    qtbot.keyClick(timeline, Qt.Key.Key_Minus)
    assert timeline.scale().span == pytest.approx(40)
    with qtbot.waitSignal(timeline.playPauseRequested, timeout=1000):
        qtbot.keyClick(timeline, Qt.Key.Key_Space)


def test_the_view_follows_a_window_moved_elsewhere(timeline, state):
    state.set_window(TimeWindow(D0 + 100, D0 + 101))
    scale = timeline.scale()
    assert scale.t_start < D0 + 100 and scale.t_end > D0 + 101
    assert scale.span == pytest.approx(40)


# -- events and selection ------------------------------------------------------------------


def mark_centre(timeline: TimelineWidget, event_id: int) -> QPoint:
    marks = timeline.layer().marks
    assert marks is not None, "zoomed in far enough to draw events one by one"
    at = marks.position_of(timeline.index.row_of(event_id))
    assert at is not None
    return QPoint(round((marks.x0[at] + marks.x1[at]) / 2), round(marks.y[at] + marks.height / 2))


def test_double_clicking_an_event_makes_it_current(qtbot, timeline, state):
    event_id = int(timeline.index.arrays.ids[30])
    qtbot.mouseDClick(timeline, Qt.MouseButton.LeftButton, pos=mark_centre(timeline, event_id))
    assert state.current == event_id
    assert state.selection == (event_id,)


def test_selecting_elsewhere_scrolls_the_event_into_view(timeline, state):
    timeline.set_view(D0 + 200, D0 + 220)
    event_id = int(timeline.index.arrays.ids[3])
    state.select([event_id])
    t0 = float(timeline.index.arrays.t0[3])
    scale = timeline.scale()
    assert scale.t_start <= t0 < scale.t_end
    assert scale.span == pytest.approx(20)


def test_imprecise_and_unplaced_events_are_drawn_differently(timeline):
    n = len(timeline.index)
    precisions = np.full(n, PRECISION_CODES[DatePrecision.DAY], np.uint8)
    precisions[1] = PRECISION_CODES[DatePrecision.MONTH]
    timeline.set_index(timeline.index, precisions)
    marks = timeline.layer().marks
    placed = ~np.isnan(timeline.index.arrays.lat)
    styles = dict(zip(marks.rows.tolist(), marks.style.tolist(), strict=True))
    for row, style in styles.items():
        assert style & 1 == (0 if placed[row] else 1)  # hollow: no place
        assert style & 2 == (2 if row == 1 else 0)  # faded: imprecise date


def test_precision_names_are_accepted(timeline):
    names = np.array(["month"] * len(timeline.index))
    timeline.set_index(timeline.index, names)
    assert set(timeline.layer().marks.style.tolist()) <= {2, 3}


def test_hovering_a_bin_tells_its_count(timeline):
    timeline.fit_view(D0 - 200, D0 + 200)  # density view
    layer = timeline.layer()
    assert layer.marks is None
    i = int(np.argmax(layer.bins.totals))
    x = (layer.bins.xs[i] + layer.bins.xs[i + 1]) / 2
    text = timeline.tooltip_text_at(QPointF(x, layer.plot.bottom() - 2))
    assert f"{round(layer.bins.totals[i])} events" in text


def test_an_event_tooltip_says_when_and_whether_it_is_on_the_map(timeline):
    unplaced = int(
        timeline.index.arrays.ids[np.flatnonzero(np.isnan(timeline.index.arrays.lat))[0]]
    )
    text = timeline.tooltip_text_at(QPointF(mark_centre(timeline, unplaced)))
    assert "no place" in text


# -- looks ---------------------------------------------------------------------------------


def render(widget) -> QImage:
    image = QImage(widget.size(), QImage.Format.Format_ARGB32)
    widget.render(image)
    return image


def test_follows_the_palette(timeline):
    palette = QPalette(timeline.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#101010"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    timeline.setPalette(palette)
    corner = QColor(render(timeline).pixel(400, 5))
    assert corner.lightness() < 40


def test_focus_is_visible(qtbot, timeline):
    timeline.setFocus()
    qtbot.waitUntil(timeline.hasFocus, timeout=1000)
    highlight = timeline.palette().color(QPalette.ColorRole.Highlight)
    assert QColor(render(timeline).pixel(1, 80)) == highlight
    timeline.clearFocus()
    assert QColor(render(timeline).pixel(1, 80)) != highlight


def test_accessible_name_and_description(timeline, state):
    assert timeline.accessibleName() == "Timeline"
    assert "11–12 June 2025" in timeline.accessibleDescription()


def test_renders_at_high_dpi_without_error(timeline):
    image = QImage(timeline.size() * 2, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(2.0)
    timeline.render(image)
    assert not image.isNull()


def test_dragging_the_band_lands_on_the_zoom_s_unit(qtbot, timeline, state):
    # 20 px a day: bins are 6 hours, and a drag of 5 days and 37 minutes snaps to one.
    drag(qtbot, timeline, at(timeline, D0 + 11), at(timeline, D0 + 16.026))
    edges = timeline.layer().bins.edges
    assert state.window.start in edges
    assert state.window.start == D0 + 15
    assert state.window.duration == pytest.approx(2.0)


def test_a_click_on_an_event_bar_selects_it(qtbot, timeline, state):
    event_id = int(timeline.index.arrays.ids[30])
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=mark_centre(timeline, event_id))
    assert state.current == event_id
    assert state.selection == (event_id,)


def test_an_event_bar_s_tooltip_names_the_event(qtbot, state):
    widget = TimelineWidget(state, make_index(), titles=lambda ids: [f"Event {i}" for i in ids])
    qtbot.addWidget(widget)
    widget.resize(800, 160)
    widget.show()
    widget.set_view(D0, D0 + 40)
    event_id = int(widget.index.arrays.ids[30])
    text = widget.tooltip_text_at(QPointF(mark_centre(widget, event_id)))
    assert text.splitlines()[0] == f"Event {event_id}"
