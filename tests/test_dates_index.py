from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.dates import DateError, days_from_datetime, event_span, parse_iso
from desktop_app.core.index import LONG_EVENT_DAYS, EventArrays, EventIndex, RowsById
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import decode_events, encode_events


def d(text: str) -> float:
    """Days since 1970-01-01 of an ISO date, counted by the standard library (not by the
    code under test)."""
    return float((date.fromisoformat(text) - date(1970, 1, 1)).days)


@pytest.mark.parametrize(
    ("start", "end", "precision", "first", "after"),
    [
        ("2025-06-02", None, "day", "2025-06-02", "2025-06-03"),
        ("2025-05", None, "month", "2025-05-01", "2025-06-01"),
        ("2025-05-14", None, "month", "2025-05-01", "2025-06-01"),
        ("2022", "2023", "year", "2022-01-01", "2024-01-01"),
        ("2025-05-31", "2025-06-01", "approximate", "2025-05-31", "2025-06-02"),
        ("2025-06-20", "2025-06-30", "day", "2025-06-20", "2025-07-01"),
        ("2024-02", None, "month", "2024-02-01", "2024-03-01"),
        ("2024-12", None, "month", "2024-12-01", "2025-01-01"),
    ],
)
def test_event_span(start, end, precision, first, after):
    assert event_span(start, end, precision) == (d(first), d(after))


def test_instants_and_offsets():
    t0, t1 = event_span("2025-06-02T06:00:00+03:00", None, "day")
    assert t0 == d("2025-06-02") and t1 == d("2025-06-03")
    moment, _ = parse_iso("2025-06-02T06:00:00+03:00")
    assert moment.hour == 3
    t0, t1 = event_span("2025-06-02T06:00", None, "approximate")
    assert t0 == t1 == d("2025-06-02") + 0.25


@pytest.mark.parametrize("bad", ["2025-02-30", "June 2", "2025-13", "", "2025-06-02T25:00"])
def test_bad_dates_are_reported(bad):
    with pytest.raises(DateError):
        event_span(bad, None, "day")


def test_end_before_start():
    with pytest.raises(DateError, match="before"):
        event_span("2025-06-02", "2025-06-01", "day")


def test_window():
    w = TimeWindow(10, 20)
    assert w.overlaps(19, 19) and w.overlaps(10, 10) and not w.overlaps(20, 20)
    assert w.overlaps(5, 10.5) and not w.overlaps(5, 10)
    assert w.shifted(5) == TimeWindow(15, 25)
    with pytest.raises(ValueError):
        TimeWindow(3, 3)


def _arrays(t0, dur):
    t0 = np.asarray(t0, np.float64)
    n = len(t0)
    return EventArrays(
        ids=np.arange(1, n + 1, dtype=np.int64),
        t0=t0,
        t1=t0 + np.asarray(dur, np.float64),
        lat=np.linspace(40, 55, n).astype(np.float32),
        lon=np.linspace(20, 45, n).astype(np.float32),
        category=(np.arange(n) % 5).astype(np.uint8),
    ).sorted()


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.floats(0, 1000, allow_nan=False),
            st.one_of(st.just(0.0), st.floats(0, 1.5), st.floats(0, 400)),
        ),
        max_size=80,
    ),
    start=st.floats(-10, 1010, allow_nan=False),
    length=st.floats(0.01, 300, allow_nan=False),
)
def test_index_matches_brute_force(events, start, length):
    arrays = _arrays([e[0] for e in events], [e[1] for e in events])
    index = EventIndex(arrays)
    window = TimeWindow(start, start + length)
    expected = [
        int(arrays.ids[i])
        for i in range(len(arrays))
        if window.overlaps(float(arrays.t0[i]), float(arrays.t1[i]))
    ]
    assert sorted(index.ids_in(window).tolist()) == sorted(expected)
    assert index.count_in(window) == len(expected)


def test_long_events_are_kept_apart():
    arrays = _arrays([0, 100, 101], [400, 0, LONG_EVENT_DAYS + 1])
    index = EventIndex(arrays)
    assert index.ids_in(TimeWindow(350, 351)).tolist() == [1]
    assert sorted(index.ids_in(TimeWindow(102, 103)).tolist()) == [1, 3]


def test_histogram_and_suggested_window():
    arrays = _arrays([0.5, 1.2, 1.7, 1.9, 5], [0] * 5)
    index = EventIndex(arrays)
    assert index.start_histogram(np.array([0, 1, 2, 3, 6.0])).tolist() == [1, 3, 0, 1]
    assert index.suggested_window(days=3) == TimeWindow(-1, 2)
    assert EventIndex(EventArrays.empty()).bounds is None


def test_payload_round_trip():
    arrays = _arrays([3, 1, 2], [0, 1, 500])
    back = decode_events(encode_events(arrays))
    for a, b in zip(arrays.columns(), back.columns(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_days_are_exact_for_dates():
    assert days_from_datetime(date(1970, 1, 1)) == 0
    assert days_from_datetime(date(2025, 6, 2)) == 20241


@pytest.mark.parametrize("kind", ["dense", "sparse", "with negatives"])
def test_rows_by_id_finds_each_row_and_leaves_out_unknown_ids(kind):
    rng = np.random.default_rng(7)
    ids = {
        "dense": rng.permutation(np.arange(1, 20_001)),
        "sparse": rng.choice(10**12, 5_000, replace=False),
        "with negatives": rng.permutation(np.arange(-50, 950)),
    }[kind].astype(np.int64)
    lookup = RowsById(ids)
    wanted = rng.choice(len(ids), 300, replace=False)
    asked = np.concatenate([ids[wanted], [ids.max() + 1, 10**13, -(10**6)]])
    assert lookup.rows_of(asked).tolist() == wanted.tolist()
    assert len(lookup.rows_of(np.zeros(0, np.int64))) == 0
    index = EventIndex(
        EventArrays(
            ids,
            np.arange(len(ids), dtype=float),
            np.arange(len(ids), dtype=float),
            np.zeros(len(ids), np.float32),
            np.zeros(len(ids), np.float32),
            np.zeros(len(ids), np.uint8),
        )
    )
    assert index.row_of(int(ids[wanted[0]])) == wanted[0]
    assert index.row_of(int(ids.max()) + 1) is None
    assert np.flatnonzero(index.mask_of(ids[wanted])).tolist() == sorted(wanted.tolist())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1000, 1000, allow_nan=False), min_size=1, max_size=300))
def test_the_suggested_window_ends_on_the_busiest_day_the_earliest_of_ties(starts):
    t0 = np.sort(np.asarray(starts))
    n = len(t0)
    index = EventIndex(
        EventArrays(np.arange(n, dtype=np.int64), t0, t0.copy(), np.zeros(n, np.float32),
                    np.zeros(n, np.float32), np.zeros(n, np.uint8))
    )  # fmt: skip
    days, counts = np.unique(np.floor(t0), return_counts=True)
    busiest = float(days[np.argmax(counts)])
    assert index.suggested_window(days=4) == TimeWindow(busiest - 3, busiest + 1)
