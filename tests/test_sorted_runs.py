"""SortedRuns answers as a plain set (and a dict of lists) of everything added would."""

from __future__ import annotations

import numpy as np

from desktop_app.core.sorted_runs import SortedRuns


def test_look_ups_between_blocks_answer_as_a_set_of_all_added():
    rng = np.random.default_rng(3)
    runs, plain, ids = SortedRuns(), set(), {}
    first = 1
    for size in (5, 40, 3, 3, 300, 1, 80, 0, 17):
        keys = rng.integers(-50, 50, size).astype(np.int64)
        runs.add(keys, first)
        for offset, key in enumerate(keys.tolist()):
            plain.add(key)
            ids.setdefault(key, []).append(first + offset)
        first += size
        probe = np.sort(rng.integers(-60, 60, 7).astype(np.int64))
        assert runs.met(probe) == bool(plain & set(probe.tolist()))
        assert runs.keys() == plain
        for key in (-60, -50, 0, 7, 49, 55):
            assert runs.values_of(key) == ids.get(key, [])


def test_keys_without_values_are_met_and_have_none():
    runs = SortedRuns()
    runs.add(np.array([9, 2, 5], np.int64))
    assert runs.met(np.array([5], np.int64)) and not runs.met(np.array([3, 4], np.int64))
    assert runs.values_of(9) == [] and not runs.met(np.array([], np.int64))
