"""The map follows the filter of the view state: the real page shows exactly the events
the store's query layer matches in the window, without loading again."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from desktop_app.cli.options import filter_words
from desktop_app.core.dates import DatePrecision
from desktop_app.core.filter import Filter, FilterError, Placement
from desktop_app.core.window import TimeWindow
from desktop_app.ui.map.view import RowLookup, buffer_ids, category_mask
from desktop_app.ui.view_state import ViewState
from tests.mapping import FIRST_DAY, js, open_map, synthetic_store, visible_ids

SEED_WINDOW = TimeWindow(20000.0, 20400.0)  # every bundled event


def expected(store, flt: Filter, window: TimeWindow) -> set[int]:
    """What the map should show: the matching events of the window that have a place."""
    placed = Filter(**{**flt.__dict__, "placement": Placement.PLACED})
    if flt.placement is Placement.TIMELINE_ONLY:
        return set()
    return set(store.matching_ids(placed, window).tolist())


def test_row_masks_set_the_bit_of_each_matching_row():
    rows = np.array([5, 3, 9, 1, 7, 2, 8, 4, 6, 11], np.int64)
    bits = base64.b64decode(RowLookup(rows).mask(np.array([1, 4, 9, 11, 12], np.int64)))
    passes = np.unpackbits(np.frombuffer(bits, np.uint8), bitorder="little")[: len(rows)]
    assert rows[passes.astype(bool)].tolist() == [9, 1, 4, 11]
    assert len(bits) == 2
    none = np.frombuffer(base64.b64decode(RowLookup(rows).mask(np.empty(0, np.int64))), np.uint8)
    assert not none.any()


def test_the_row_lookup_finds_the_rows_of_dense_and_sparse_ids():
    rng = np.random.default_rng(3)
    dense = rng.permutation(np.arange(1, 5001, dtype=np.int64))
    sparse = rng.choice(10**9, 3000, replace=False).astype(np.int64)
    for rows in (dense, sparse, dense.astype(np.uint32)):
        for ids in (
            np.sort(rng.choice(rows, 700, replace=False)).astype(np.int64),
            np.array([-5, 0, 10**10], np.int64),
            np.empty(0, np.int64),
        ):
            bits = base64.b64decode(RowLookup(rows).mask(ids))
            passes = np.unpackbits(np.frombuffer(bits, np.uint8), bitorder="little")[: len(rows)]
            assert set(rows[passes.astype(bool)].tolist()) == set(ids.tolist()) & set(rows.tolist())


def test_category_masks_name_the_palette_indexes():
    assert category_mask(frozenset({"diplomacy"})) == 1
    assert category_mask(frozenset({"strike", "other"})) == 0b100000010
    assert category_mask(frozenset({"no-such"})) == 0


def test_view_state_refuses_a_filter_it_cannot_apply(qtbot):
    state = ViewState(SEED_WINDOW)
    heard = []
    state.filterChanged.connect(heard.append)
    with pytest.raises(FilterError):
        state.set_filter(Filter(text='"open quote'))
    assert state.filter.is_empty and heard == []
    state.set_filter(Filter(categories={"strike"}))
    state.set_filter(Filter(categories={"strike"}))
    assert heard == [Filter(categories={"strike"})]


@pytest.mark.parametrize(
    "flt",
    [
        Filter(categories={"strike"}),
        Filter(categories={"diplomacy", "electronic_warfare"}),
        Filter(text="kharki*"),
        Filter(text='"second round"'),
        Filter(text="reuters"),
        Filter(place="istanb"),
        Filter(bbox=(30, 44, 41, 53)),
        Filter(precisions={DatePrecision.DAY}, categories={"diplomacy"}),
        Filter(placement=Placement.TIMELINE_ONLY),
        Filter(text="nosuchwordanywhere"),
    ],
    ids=lambda f: " & ".join(filter_words(f)),
)
def test_the_map_shows_what_the_query_layer_matches(qtbot, seed_store, flt):
    view = open_map(qtbot, seed_store, SEED_WINDOW)
    everything = visible_ids(qtbot, view)
    loads = js(qtbot, view, "performance.getEntriesByType('navigation').length")
    view._state.set_filter(flt)
    shown = visible_ids(qtbot, view)
    assert shown == expected(seed_store, flt, SEED_WINDOW)
    assert shown < everything or not shown
    # The filter stays while the window moves, and clearing it shows everything again.
    narrow = TimeWindow(20240.0, 20243.0)
    view._state.set_window(narrow)
    assert visible_ids(qtbot, view) == expected(seed_store, flt, narrow)
    view._state.set_window(SEED_WINDOW)
    view._state.set_filter(Filter())
    assert visible_ids(qtbot, view) == everything
    # Nothing was reloaded: the same document, its events decoded once.
    assert js(qtbot, view, "performance.getEntriesByType('navigation').length") == loads
    assert js(qtbot, view, "EventAtlas.ready") is True


def test_the_legend_counts_only_what_the_filter_shows(qtbot, seed_store):
    view = open_map(qtbot, seed_store, SEED_WINDOW)
    view._state.set_filter(Filter(categories={"strike"}))
    shown = js(qtbot, view, "EventAtlas.legend.shown()")
    assert shown == ["Strike"]


def test_a_reloaded_page_keeps_the_filter(qtbot, seed_store):
    view = open_map(qtbot, seed_store, SEED_WINDOW)
    flt = Filter(text="kharki*")
    view._state.set_filter(flt)
    with qtbot.waitSignal(view.pageReady, timeout=30_000):
        view.reload_events()
    assert visible_ids(qtbot, view) == expected(seed_store, flt, SEED_WINDOW)


def test_a_filter_over_many_rows_is_exact(qtbot, tmp_path):
    # Thousands of rows: every byte of the mask, and rows that share a place.
    store = synthetic_store(tmp_path / "syn.db", 20_000, seed=5)
    window = TimeWindow(FIRST_DAY + 200.0, FIRST_DAY + 500.0)
    view = open_map(qtbot, store, window)
    for flt in (
        Filter(text="kharkiv"),
        Filter(categories={"strike", "humanitarian"}),
        Filter(categories={"military"}, bbox=(36.0, 47.5, 38.5, 49.5)),
    ):
        view._state.set_filter(flt)
        shown = visible_ids(qtbot, view)
        assert shown and shown == expected(store, flt, window), flt.describe()
    store.close()


def test_buffer_ids_read_the_page_rows_in_order(seed_store):
    from desktop_app.mapgen.payload import encode_events

    arrays = seed_store.arrays()
    assert buffer_ids(encode_events(arrays)).tolist() == arrays.ids.tolist()


def test_the_status_bar_counts_what_the_filter_shows(qtbot, seed_db):
    from tests.mapping import filtered, open_window

    window = open_window(qtbot, seed_db)
    state = window.state
    state.set_window(SEED_WINDOW)
    before = window.status.text()
    flt = Filter(categories={"strike"})
    state.set_filter(flt)
    filtered(qtbot, window)
    placed = len(expected(window.store, flt, SEED_WINDOW))
    shown = window.store.count_matching(flt, SEED_WINDOW)
    assert window.status.text().startswith(f"{placed:,} on the map")
    assert ("timeline only" in window.status.text()) == (shown > placed)
    assert window.status.text() != before
    # It follows the window too, and clearing the filter restores the full counts.
    state.set_filter(Filter(text="nosuchwordanywhere"))
    filtered(qtbot, window)
    assert window.status.text().startswith("0 on the map")
    state.set_filter(Filter())
    assert window.status.text() == before


def test_the_timeline_shows_the_filter_s_events(qtbot, seed_db):
    from tests.mapping import filtered, open_window

    window = open_window(qtbot, seed_db)
    everything = len(window.timeline.timeline.index)
    flt = Filter(text="kharki*")
    window.state.set_filter(flt)
    filtered(qtbot, window)
    shown = window.timeline.timeline.index.ids.tolist()
    assert sorted(shown) == window.store.matching_ids(flt).tolist()
    assert 0 < len(shown) < everything
    # Playback still spans every event.
    assert window.timeline.playback.bounds is not None
    window.state.set_filter(Filter())
    assert len(window.timeline.timeline.index) == everything
