"""The timeline follows the map's selection by scrolling, never by zooming out."""

from __future__ import annotations

from desktop_app.core.dates import DatePrecision
from tests.mapping import open_window


def view_of(timeline) -> tuple[float, float]:
    scale = timeline.scale()
    return scale.t_start, scale.t_end


def test_picking_a_month_long_event_keeps_the_days_in_view(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    timeline = window.timeline.timeline
    before = view_of(timeline)
    istanbul = [
        e for e in window.store.events_between(window.state.window)
        if e.place and "Istanbul" in e.place.name
    ]  # fmt: skip
    month_long = [e for e in istanbul if e.precision is DatePrecision.MONTH]
    assert month_long, "the bundled dataset dates the May round to the month"
    window.state.select([month_long[0].id] + [e.id for e in istanbul if e not in month_long])
    assert view_of(timeline) == before


def test_picking_an_event_out_of_view_scrolls_to_it_at_the_same_zoom(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    timeline = window.timeline.timeline
    start, end = view_of(timeline)
    far = min(window.store.all_events(), key=lambda e: e.span[0])
    assert far.span[1] < start
    window.state.select([far.id])
    new_start, new_end = view_of(timeline)
    assert abs((new_end - new_start) - (end - start)) < 1e-6
    assert new_start <= far.span[1] and far.span[0] <= new_end


def test_a_reveal_request_shows_the_whole_window(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    timeline = window.timeline.timeline
    timeline.set_view(0.0, 10.0)  # 1970: nowhere near the window
    window.state.reveal_window()
    start, end = view_of(timeline)
    assert start <= window.state.window.start and window.state.window.end <= end
