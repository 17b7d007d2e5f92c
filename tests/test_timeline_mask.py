"""The timeline's filter as a row mask over every event: the same bars and marks as a
timeline of the filtered events alone, without copying or sorting them; and the window's
search for a filter's text in the background, its stale answers dropped."""

from __future__ import annotations

import dataclasses
from dataclasses import fields

import numpy as np
import pytest

from desktop_app.core.density import CategoryDensity, bin_edges, choose_bin_unit
from desktop_app.core.filter import Filter, Placement
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.timeline.paint import TimelineData
from desktop_app.ui.timeline.widget import TimelineWidget
from desktop_app.ui.view_state import ViewState
from tests.mapping import filtered, open_window, synthetic_store, visible_ids

SEED_WINDOW = TimeWindow(20000.0, 20400.0)  # every bundled event


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> str:
    """A store of 100,000 synthetic events, made once for this module."""
    path = tmp_path_factory.mktemp("mask") / "100k.db"
    with synthetic_store(path, 100_000) as store:
        store.arrays()
    return str(path)


def old_way(index: EventIndex, rows: np.ndarray) -> TimelineData:
    """The timeline's data as it used to be made for a filter: a new index of a copy of
    the filter's rows, its density sorted again."""
    arrays = index.arrays
    return TimelineData.build(
        EventIndex(EventArrays(*(getattr(arrays, f.name)[rows] for f in fields(arrays))))
    )


def bars(data: TimelineData, t0: float, t1: float, days_per_pixel: float) -> np.ndarray:
    edges = bin_edges(t0, t1, choose_bin_unit(days_per_pixel))
    return data.density.counts(edges)


def masks(index: EventIndex) -> dict[str, tuple[np.ndarray, np.ndarray | None, list | None]]:
    """Filters as the window makes them, ``{name: (rows shown, rows of the filter less
    its categories, category codes)}``: categories alone, other parts alone, both."""
    in_some = np.isin(index.arrays.category, [1, 4, 8])
    rest = np.random.default_rng(5).random(len(index)) < 0.3
    return {
        "categories": (in_some, None, [1, 4, 8]),
        "rest": (rest, rest, None),
        "both": (rest & in_some, rest, [1, 4, 8]),
        "nothing": (np.zeros(len(index), bool), np.zeros(len(index), bool), None),
    }


def check_same_bars(qtbot, index: EventIndex) -> None:
    """The timeline given a mask (and the density of its rows, made as the window makes
    it) draws what a timeline of the filtered events alone draws."""
    state = ViewState(TimeWindow(float(index.arrays.t0[0]), float(index.arrays.t0[0]) + 30))
    widget = TimelineWidget(state, index)
    qtbot.addWidget(widget)
    widget.resize(900, 150)
    full = TimelineData.build(index)
    widget.set_data(full)
    lo, hi = index.bounds
    for name, (rows, rest, codes) in masks(index).items():
        density = full.density if rest is None else CategoryDensity(index.arrays, rows=rest)
        if codes is not None:
            density = density.only(codes)
        widget.show_rows(rows, density)
        old = old_way(index, rows)
        for days_per_pixel in (0.02, 0.3, 2.0, 20.0):
            np.testing.assert_allclose(
                bars(widget.data, lo, hi, days_per_pixel),
                bars(old, lo, hi, days_per_pixel),
                atol=1e-6,
                err_msg=name,
            )
        assert len(widget.index) == len(old.index) == int(np.count_nonzero(rows))
        assert widget.index.bounds == old.index.bounds
        # The bars drawn, and the events laid out one by one once zoomed in.
        other = TimelineWidget(state, old.index)
        qtbot.addWidget(other)
        other.resize(900, 150)
        for start, end in [(lo, hi), *((t, t + 2) for t in np.linspace(lo, hi - 2, 6))]:
            widget.set_view(start, end)
            other.set_view(start, end)
            ours, theirs = widget.layer(), other.layer()
            np.testing.assert_allclose(ours.bins.counts, theirs.bins.counts, atol=1e-6)
            assert (ours.marks is None) == (theirs.marks is None), name
            if ours.marks is not None:
                assert index.arrays.ids[ours.marks.rows].tolist() == (
                    old.index.arrays.ids[theirs.marks.rows].tolist()
                )
        widget.show_rows(None)
        assert widget.data is full


def test_the_mask_draws_the_bars_of_the_filtered_events_on_the_seed_store(qtbot, seed_store):
    check_same_bars(qtbot, EventIndex(seed_store.arrays()))


def test_the_mask_draws_the_bars_of_the_filtered_events_on_100k_events(qtbot, big_db):
    with EventStore(big_db) as store:
        index = EventIndex(store.arrays())
    assert len(index) == 100_000
    check_same_bars(qtbot, index)


def test_a_masked_index_answers_for_its_rows_alone(seed_store):
    index = EventIndex(seed_store.arrays())
    rows = np.zeros(len(index), bool)
    rows[::3] = True
    masked = index.where(rows)
    # Nothing copied: the same columns.
    assert masked.arrays is index.arrays
    assert masked.ids.tolist() == index.arrays.ids[rows].tolist()
    window = TimeWindow(*index.bounds)
    assert set(masked.rows_in(window)) == set(np.flatnonzero(rows))
    assert masked.row_of(int(index.arrays.ids[0])) == 0
    assert masked.row_of(int(index.arrays.ids[1])) is None
    assert index.row_of(int(index.arrays.ids[1])) == 1
    assert index.where(None).rows_in(window).tolist() == index.rows_in(window).tolist()
    with pytest.raises(ValueError):
        index.where(rows[:-1])


def test_a_legend_tick_and_a_text_filter_show_the_old_bars_in_the_window(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    qtbot.waitUntil(lambda: not window.is_reading, timeout=30_000)
    index = window.index
    timeline = window.timeline.timeline
    lo, hi = index.bounds
    for flt in (
        Filter(categories={"strike", "diplomacy"}),
        Filter(text="kharki*"),
        Filter(text="kharki*", categories={"strike"}),
        Filter(text="nosuchwordanywhere"),
    ):
        window.state.set_filter(flt)
        filtered(qtbot, window)
        ids = window.store.matching_ids(flt)
        old = old_way(index, np.isin(index.arrays.ids, ids))
        assert sorted(timeline.index.ids.tolist()) == ids.tolist()
        for days_per_pixel in (0.3, 2.0, 20.0):
            np.testing.assert_allclose(
                bars(timeline.data, lo, hi, days_per_pixel), bars(old, lo, hi, days_per_pixel)
            )
        # The timeline's events are a mask over the window's index, not a copy of them.
        assert timeline.index.arrays is index.arrays
    window.state.set_filter(Filter())
    assert timeline.data is timeline.all_data


def test_the_text_search_runs_off_the_window_s_connection_and_drops_stale_answers(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    qtbot.waitUntil(lambda: not window.is_reading, timeout=30_000)
    window.state.set_window(SEED_WINDOW)
    asked: list[str] = []
    window.store.db.conn.set_trace_callback(asked.append)
    try:
        # Typed one after the other: the first search's answer, if it comes, is stale.
        window.state.set_filter(Filter(text="kharki*"))
        assert window.is_filtering
        window.state.set_filter(Filter(text="vilnius"))
        filtered(qtbot, window)
        # A tick of the legend meanwhile asks the store nothing again.
        window.state.set_filter(Filter(text="vilnius", categories={"diplomacy"}))
        assert not window.is_filtering
    finally:
        window.store.db.conn.set_trace_callback(None)
    assert not [sql for sql in asked if "MATCH" in sql.upper()]
    flt = window.state.filter
    on_map = window.store.matching_ids(
        dataclasses.replace(flt, placement=Placement.PLACED), SEED_WINDOW
    )
    assert visible_ids(qtbot, window.map_view) == set(on_map.tolist())
    assert window.timeline.timeline.index.ids.tolist() == sorted(
        window.store.matching_ids(flt).tolist()
    )
    assert window.status.text().startswith(f"{len(on_map):,} on the map")
    kharkiv = set(window.store.matching_ids(Filter(text="kharki*")).tolist())
    assert kharkiv and not kharkiv & set(window.timeline.timeline.index.ids.tolist())
    # Cleared while the timeline's bars of a text were being made: nothing is pending.
    with qtbot.waitSignal(window.filterFound, timeout=30_000):
        window.state.set_filter(Filter(text="kharki*"))
    assert window.is_filtering
    window.state.set_filter(Filter())
    assert not window.is_filtering
    assert window.timeline.timeline.data is window.timeline.timeline.all_data
