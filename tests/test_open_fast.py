"""Opening a big store fast: the page fetches its event buffer in parts side by side."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.index import EventArrays
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.addresses import EVENT_PARTS, EVENTS_PATH
from desktop_app.mapgen.payload import (
    buffer_column,
    buffer_columns,
    decode_events,
    encode_events,
    part_bounds,
)
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map.view import MapView
from desktop_app.ui.map.web_profile import atlas_profile
from desktop_app.ui.view_state import ViewState
from tests.mapping import PAGE_TIMEOUT_MS, js, synthetic_store
from tests.test_standalone_html import Requests


def _arrays(n: int, hours: bool = False) -> EventArrays:
    """``n`` events of one day each (or of a few hours: ends a float32 span cannot
    carry), every seventh with an origin."""
    t0 = np.sort(np.random.default_rng(3).uniform(19000, 20000, n)).round(0 if not hours else 3)
    t1 = t0 + (1.0 if not hours else 0.1)
    origin = np.where(np.arange(n) % 7 == 0, 50.5, np.nan).astype(np.float32)
    return EventArrays(
        np.arange(1, n + 1, dtype=np.int64), t0, t1,
        np.full(n, 49.9, np.float32), np.full(n, 36.2, np.float32),
        (np.arange(n) % len(CATEGORIES)).astype(np.uint8), origin, origin + 1,
    )  # fmt: skip


@pytest.mark.parametrize("n", [0, 1, 51, 1000, 100_003])
@pytest.mark.parametrize("count", [1, 2, 4, 7])
@pytest.mark.parametrize("hours", [False, True])
def test_the_parts_cover_the_buffer_and_cut_only_where_a_column_starts(n, count, hours):
    buffer = encode_events(_arrays(n, hours))
    bounds = part_bounds(buffer, count)
    assert len(bounds) == count
    assert bounds[0][0] == 0 and bounds[-1][1] == len(buffer)
    assert all(end == start for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False))
    columns = buffer_columns(buffer)
    for start, _end in bounds[1:]:
        assert start in [c.offset for c in columns] or start == len(buffer)
    for start, end in bounds:
        assert start <= end
        # Every column starts on a boundary of its own size inside its part.
        for column in columns:
            if start <= column.offset < end:
                assert (column.offset - start) % np.dtype(column.dtype).itemsize == 0


@pytest.mark.parametrize("hours", [False, True])
def test_the_buffer_gives_back_every_column_exactly(hours):
    arrays = _arrays(5000, hours)
    back = decode_events(encode_events(arrays))
    for name in ("ids", "t0", "t1", "lat", "lon", "category", "place_precision"):
        assert np.array_equal(getattr(back, name), getattr(arrays, name)), name
    for name in ("origin_lat", "origin_lon"):
        assert np.array_equal(getattr(back, name), getattr(arrays, name), equal_nan=True), name
    names = [c.name for c in buffer_columns(encode_events(arrays))]
    # Day-long events travel as spans; ends a span in float32 would move travel whole.
    assert ("span" in names, "t1" in names) == (not hours, hours)


def test_a_million_day_long_events_take_26_bytes_each_in_parts_of_similar_size():
    n = 1_000_000
    buffer = encode_events(_arrays(n))
    # 8 (start) + 4 (id) + 8 (place) + 4 (span) + 2 (category, precision), and 12 for
    # each of the seventh that has an origin.
    assert len(buffer) == 16 + 26 * n + 12 * len(range(0, n, 7))
    sizes = [end - start for start, end in part_bounds(buffer, EVENT_PARTS)]
    # No part is bigger than the starts (which cannot be cut), none less than half that.
    assert max(sizes) == sizes[0] == 16 + 8 * n
    assert min(sizes) >= 4 * n


@pytest.fixture
def requests():
    profile, _handler = atlas_profile()
    seen = Requests()
    profile.setUrlRequestInterceptor(seen)
    yield seen
    profile.setUrlRequestInterceptor(None)


def test_a_buffer_cut_short_or_too_long_is_refused_by_name():
    whole = encode_events(_arrays(50))
    assert len(buffer_column(whole, "ids")) == 50
    more_origins = whole[:8] + (51).to_bytes(4, "little") + whole[12:]
    unknown_flag = whole[:12] + (2).to_bytes(4, "little") + whole[16:]
    for bad in (whole[:-1], whole + b"\0", whole[:6], b"", b"EAX1" + whole[4:], more_origins,
                unknown_flag):  # fmt: skip
        with pytest.raises(ValueError, match="not an event buffer"):
            buffer_column(bad, "ids")
        with pytest.raises(ValueError, match="not an event buffer"):
            decode_events(bad)


def test_the_page_fetches_its_events_in_parts_from_one_buffer_handed_over_once(
    qtbot, tmp_path, requests
):
    with synthetic_store(tmp_path / "events.db", 20_000) as store:
        arrays = store.arrays()
    payload = encode_events(arrays)
    handed = []

    def events() -> bytes:
        handed.append(1)
        return payload

    view = MapView(ViewState(TimeWindow(20000.0, 20400.0)), events, lambda ids: [])
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    asked = sorted(url.split("/", 3)[3] for url in requests.urls if EVENTS_PATH in url)
    assert asked == [f"{EVENTS_PATH}?part={k}&of={EVENT_PARTS}" for k in range(EVENT_PARTS)]
    assert handed == [1]
    # The page holds every event, as the buffer has them.
    assert js(qtbot, view, "EventAtlas.n") == len(arrays)
    shown = js(
        qtbot,
        view,
        "Array.from(EventAtlas.ids.slice(0, 50)).concat(Array.from(EventAtlas.ids.slice(-50)))",
    )
    decoded = decode_events(payload)
    assert shown == [int(i) for i in np.concatenate([decoded.ids[:50], decoded.ids[-50:]])]
    lat = js(qtbot, view, "Array.from(EventAtlas.lat.slice(-20))")
    assert lat == pytest.approx([float(v) for v in decoded.lat[-20:]], nan_ok=True)


def test_a_store_s_window_shows_every_event_fetched_in_parts(qtbot, seed_db):
    from tests.mapping import open_window

    window = open_window(qtbot, seed_db)
    with EventStore(seed_db) as store:
        count = store.count()
    assert js(qtbot, window.map_view, "EventAtlas.n") == count


def test_the_map_view_notes_a_buffer_s_ids_and_categories_without_decoding_it(qtbot):
    # In the window the view hands the buffer to the page in the GUI thread while the
    # page waits: it reads the two columns it keeps, not every column.
    n = 200_000
    rng = np.random.default_rng(3)
    arrays = EventArrays(
        rng.permutation(n).astype(np.int64) + 1,
        np.sort(rng.uniform(19000, 20000, n)),
        np.zeros(n),
        rng.uniform(44, 52, n).astype(np.float32),
        rng.uniform(22, 40, n).astype(np.float32),
        rng.choice([0, 2, 5], n).astype(np.uint8),
    )
    payload = encode_events(arrays)
    view = MapView(
        ViewState(TimeWindow(19000.0, 19030.0)), lambda: payload, lambda ids: [], names_later=True
    )
    qtbot.addWidget(view)
    tracemalloc.start()
    try:
        present = view.present_categories()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert present == {CATEGORIES[0].key, CATEGORIES[2].key, CATEGORIES[5].key}
    assert np.array_equal(view._buffer_ids, arrays.ids)
    # The ids' copy (4 bytes an event) and the categories counted (8): decoding every
    # column besides took 29 bytes an event.
    assert peak < 16 * n
