"""EventIndex.busy_span: the stretch of days an animation plays when no dates are given."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.index import EventArrays, EventIndex


def index_of(days: list[float]) -> EventIndex:
    n = len(days)
    return EventIndex(
        EventArrays(
            ids=np.arange(n, dtype=np.int64),
            t0=np.array(days, dtype=np.float64),
            t1=np.array(days, dtype=np.float64),
            lat=np.zeros(n, dtype=np.float32),
            lon=np.zeros(n, dtype=np.float32),
            category=np.zeros(n, dtype=np.uint8),
        ).sorted()
    )


@pytest.mark.parametrize(
    ("days", "share", "span"),
    [
        # Eight events in one week, two outliers years away: the week.
        ([100, 101, 101.5, 102, 103, 104, 105, 106, -900, 2000], 0.8, (100, 107)),
        # Every event on one day: that day.
        ([50.25, 50.5, 50.75], 0.8, (50, 51)),
        # All of them asked for: first to last, whole days.
        ([10.5, 20.2, 30.9], 1.0, (10, 31)),
        # One event.
        ([7.5], 0.8, (7, 8)),
    ],
)
def test_busy_span(days, share, span):
    window = index_of(days).busy_span(share)
    assert (window.start, window.end) == span


def test_busy_span_of_nothing_is_none():
    assert EventIndex(EventArrays.empty()).busy_span() is None
