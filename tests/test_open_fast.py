"""Opening a big store fast: the page fetches its event buffer in parts side by side."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.index import EventArrays
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.addresses import EVENT_PARTS, EVENTS_PATH
from desktop_app.mapgen.payload import COLUMN_TYPES, decode_events, encode_events, part_bounds
from desktop_app.store.event_store import EventStore
from desktop_app.ui.map.view import MapView
from desktop_app.ui.map.web_profile import atlas_profile
from desktop_app.ui.view_state import ViewState
from tests.mapping import PAGE_TIMEOUT_MS, js, synthetic_store
from tests.test_standalone_html import Requests


def _column_starts(n: int) -> list[int]:
    starts, at = [], 8
    for dtype in COLUMN_TYPES:
        starts.append(at)
        at += n * np.dtype(dtype).itemsize
    return starts


@pytest.mark.parametrize("n", [0, 1, 51, 1000, 100_003])
@pytest.mark.parametrize("count", [1, 2, 4, 7])
def test_the_parts_cover_the_buffer_and_cut_only_where_a_column_starts(n, count):
    buffer = b"EVA3" + n.to_bytes(4, "little") + bytes(38 * n)
    bounds = part_bounds(buffer, count)
    assert len(bounds) == count
    assert bounds[0][0] == 0 and bounds[-1][1] == len(buffer)
    assert all(end == start for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False))
    starts = _column_starts(n)
    for start, _end in bounds[1:]:
        assert start in starts or start == len(buffer)
    for start, end in bounds:
        assert start <= end
        # Every column starts on a boundary of its own size inside its part.
        for at, dtype in zip(starts, COLUMN_TYPES, strict=True):
            if start <= at < end:
                assert (at - start) % np.dtype(dtype).itemsize == 0


def test_a_million_events_come_in_parts_of_similar_size():
    n = 1_000_000
    buffer = b"EVA3" + n.to_bytes(4, "little") + bytes(38 * n)
    sizes = [end - start for start, end in part_bounds(buffer, EVENT_PARTS)]
    assert max(sizes) <= 2 * min(sizes)


@pytest.fixture
def requests():
    profile, _handler = atlas_profile()
    seen = Requests()
    profile.setUrlRequestInterceptor(seen)
    yield seen
    profile.setUrlRequestInterceptor(None)


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
