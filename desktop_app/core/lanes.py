"""Packing intervals into lanes, so events drawn side by side on the timeline never overlap."""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["pack_lanes"]


def pack_lanes(
    x0: np.ndarray, x1: np.ndarray, gap: float = 1.0, max_lanes: int | None = None
) -> np.ndarray:
    """Lane number for each interval ``[x0[i], x1[i]]``, first fit into the lowest free lane.

    Intervals must be sorted by ``x0``. Two intervals share a lane only if they are at
    least ``gap`` apart. With ``max_lanes``, an interval that finds all of them taken
    gets lane ``-1`` (the caller shows it as overflow, "+3 more").

    The greedy choice is optimal here: for intervals sorted by start, first fit uses as
    many lanes as the deepest overlap, which no packing can beat.
    """
    n = len(x0)
    lanes = np.empty(n, dtype=np.int32)
    busy: list[tuple[float, int]] = []  # (end + gap, lane) of the last interval per lane
    free: list[int] = []
    used = 0
    for i, (start, end) in enumerate(zip(x0.tolist(), x1.tolist(), strict=True)):
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        elif max_lanes is None or used < max_lanes:
            lane = used
            used += 1
        else:
            lanes[i] = -1
            continue
        lanes[i] = lane
        heapq.heappush(busy, (max(end, start) + gap, lane))
    return lanes
