"""Histogram bins, per-category density, lane packing and window presets (no Qt)."""

from __future__ import annotations

import tracemalloc
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision
from desktop_app.core.density import (
    BIN_UNITS,
    PRECISION_CODES,
    CategoryDensity,
    bin_edges,
    choose_bin_unit,
    precision_codes,
)
from desktop_app.core.index import EventArrays
from desktop_app.core.lanes import pack_lanes
from desktop_app.core.timescale import datetime_from_days, days_from_datetime
from desktop_app.core.window_presets import WindowPreset, nice_step, preset_window


def d(*args: int) -> float:
    return days_from_datetime(datetime(*args))


def arrays(t0, t1, category) -> EventArrays:
    t0 = np.asarray(t0, np.float64)
    n = len(t0)
    return EventArrays(
        np.arange(n, dtype=np.int64),
        t0,
        np.asarray(t1, np.float64),
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.asarray(category, np.uint8),
    ).sorted()


def unit(kind: str, step: int = 1, days: float | None = None):
    return next(
        u
        for u in BIN_UNITS
        if u.kind == kind and u.step == step and (days is None or u.days == days)
    )


# -- bins ------------------------------------------------------------------------------------


def test_month_edges_follow_the_calendar_across_a_leap_february():
    edges = bin_edges(d(2024, 1, 15), d(2024, 4, 2), unit("month"))
    assert [datetime_from_days(e) for e in edges] == [datetime(2024, m, 1) for m in (1, 2, 3, 4, 5)]
    assert edges[2] - edges[1] == 29  # February 2024


def test_quarters_start_in_january_april_july_october():
    edges = bin_edges(d(2023, 2, 10), d(2024, 1, 5), unit("month", 3))
    assert [datetime_from_days(e).month for e in edges] == [1, 4, 7, 10, 1, 4]


def test_year_edges_are_aligned_to_their_step():
    edges = bin_edges(d(1993, 6, 1), d(2012, 1, 1), unit("year", 10))
    assert [datetime_from_days(e).year for e in edges] == [1990, 2000, 2010, 2020]


def test_weeks_start_on_monday_and_days_at_midnight():
    weeks = bin_edges(d(2025, 6, 4), d(2025, 6, 20), unit("fixed", days=7.0))
    assert {datetime_from_days(e).weekday() for e in weeks} == {0}
    hours = bin_edges(d(2025, 6, 2, 5, 30), d(2025, 6, 2, 9), unit("fixed", days=1 / 24))
    assert datetime_from_days(hours[0]) == datetime(2025, 6, 2, 5)
    assert datetime_from_days(hours[-1]) == datetime(2025, 6, 2, 9)


@settings(max_examples=200, deadline=None)
@given(
    start=st.floats(-700_000, 2_900_000),
    span=st.floats(0.001, 700_000),
    width=st.floats(50, 4000),
)
def test_edges_cover_the_span_and_increase(start, span, width):
    chosen = choose_bin_unit(span / width, 4.0)
    edges = bin_edges(start, start + span, chosen)
    assert np.all(np.diff(edges) > 0)
    assert edges[0] <= max(start, edges[0])
    assert edges[-1] >= min(start + span, edges[-1])
    assert 2 <= len(edges) <= width / 4 + 3


def test_too_many_bins_is_refused_rather_than_allocated():
    with pytest.raises(ValueError):
        bin_edges(0.0, 700_000.0, unit("fixed", days=1 / 1440))


def test_bins_adapt_to_zoom():
    assert choose_bin_unit(1 / 1440 / 4).days == 1 / 1440  # a quarter minute per pixel
    assert choose_bin_unit(1.0 / 4).days == 1.0  # a day is four pixels
    assert choose_bin_unit(3.0).kind == "month"
    assert choose_bin_unit(200.0).kind == "year"


# -- density ---------------------------------------------------------------------------------


def test_counts_match_a_brute_force_count_for_day_events_and_instants():
    rng = np.random.default_rng(1)
    day = rng.integers(0, 60, 500).astype(float) + 20000
    instant = rng.random(500) < 0.3
    t0 = np.where(instant, day + rng.random(500), day)
    t1 = np.where(instant, t0, day + 1)
    cats = rng.integers(0, len(CATEGORIES), 500)
    density = CategoryDensity(arrays(t0, t1, cats))
    edges = np.arange(20000, 20061, 1.0)
    counts = density.counts(edges)
    for code in range(len(CATEGORIES)):
        expected, _ = np.histogram(np.floor(t0[cats == code]), edges)
        np.testing.assert_allclose(counts[code], expected, atol=1e-9)


def test_an_imprecise_event_is_spread_over_its_span():
    # One event dated to June 2025: each of June's 30 days holds 1/30 of it.
    june = d(2025, 6, 1)
    density = CategoryDensity(arrays([june], [d(2025, 7, 1)], [0]))
    days = density.counts(np.arange(june - 1, june + 32, 1.0))[0]
    assert days[0] == 0 and days[-1] == 0
    np.testing.assert_allclose(days[1:31], 1 / 30)
    month = density.counts(bin_edges(june, june + 29, unit("month")))[0]
    np.testing.assert_allclose(month, [1.0])


def test_total_mass_is_the_number_of_events():
    rng = np.random.default_rng(2)
    t0 = rng.uniform(0, 1000, 2000)
    t1 = t0 + rng.choice([0.0, 0.5, 1.0, 31.0, 365.0], 2000)
    density = CategoryDensity(arrays(t0, t1, rng.integers(0, 12, 2000)))
    total = density.counts(np.array([-1.0, 2000.0])).sum()
    assert total == pytest.approx(2000, abs=1e-6)


def test_memory_grows_with_the_distinct_dates_not_with_the_events():
    # 200,000 day and month events on 100 distinct days: the sums keep a few entries per
    # distinct date (kilobytes), not three floats per start and end (9.6 MB).
    rng = np.random.default_rng(3)
    n = 200_000
    t0 = 20000.0 + rng.integers(0, 100, n)
    t1 = t0 + rng.choice([1.0, 30.0], n)
    instant = rng.random(n) < 0.2
    t1[instant] = t0[instant]
    cats = rng.integers(0, len(CATEGORIES), n)
    events = arrays(t0, t1, cats)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        density = CategoryDensity(events)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000
    edges = np.arange(19990.0, 20140.0)
    spread = np.zeros((len(CATEGORIES), len(edges) - 1))
    for start, end, code in zip(t0, t1, cats, strict=True):
        if end == start:
            spread[code, int(start - edges[0])] += 1
        else:
            spread[code, int(start - edges[0]) : int(end - edges[0])] += 1 / (end - start)
    np.testing.assert_allclose(density.counts(edges), spread, atol=1e-6)
    assert density.only({1, 2}).total == int(np.isin(cats, [1, 2]).sum())


def test_precision_codes_from_names_and_unknown_counts_as_approximate():
    codes = precision_codes(["day", "month", DatePrecision.YEAR, "approximate", "soonish"])
    approximate = PRECISION_CODES[DatePrecision.APPROXIMATE]
    assert codes.tolist() == [0, 1, 2, approximate, approximate]


# -- lanes -----------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 80)), min_size=1, max_size=60))
def test_lanes_never_overlap_and_use_no_more_than_the_deepest_overlap(items):
    items.sort()
    x0 = np.array([a for a, _ in items])
    x1 = x0 + np.array([w for _, w in items])
    lanes = pack_lanes(x0, x1, gap=1.0)
    for lane in set(lanes.tolist()):
        on = np.flatnonzero(lanes == lane)
        assert np.all(x0[on][1:] >= x1[on][:-1] + 1.0)
    depth = max(int(np.sum((x0 <= a) & (a < x1 + 1.0))) for a in x0)
    assert lanes.max() + 1 <= depth


def test_lanes_beyond_the_limit_are_marked_as_overflow():
    x0 = np.zeros(5)
    lanes = pack_lanes(x0, x0 + 10, max_lanes=3)
    assert lanes.tolist() == [0, 1, 2, -1, -1]


# -- presets ---------------------------------------------------------------------------------


def test_presets_are_calendar_aligned():
    noon = d(2024, 2, 14, 12)
    assert preset_window(WindowPreset.DAY, noon) == preset_window(WindowPreset.DAY, d(2024, 2, 14))
    week = preset_window(WindowPreset.WEEK, noon)
    assert datetime_from_days(week.start) == datetime(2024, 2, 12)  # a Monday
    assert week.duration == 7
    month = preset_window(WindowPreset.MONTH, noon)
    assert (month.start, month.end) == (d(2024, 2, 1), d(2024, 3, 1))
    year = preset_window(WindowPreset.YEAR, noon)
    assert (year.start, year.end) == (d(2024, 1, 1), d(2025, 1, 1))
    everything = preset_window(WindowPreset.ALL, noon, (d(2022, 1, 1, 5), d(2025, 6, 2, 7)))
    assert (everything.start, everything.end) == (d(2022, 1, 1), d(2025, 6, 3))


def test_nice_steps_are_round_and_a_tenth_or_less():
    assert nice_step(1.0) == pytest.approx(1 / 24)  # an hour
    assert nice_step(7.0) == pytest.approx(0.5)
    assert nice_step(30.0) == 1.0
    assert nice_step(365.0) == 30.436875
    assert nice_step(100 * 365.2425) == pytest.approx(10 * 365.2425)
