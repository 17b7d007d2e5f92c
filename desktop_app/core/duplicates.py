"""Probable duplicates: events that are likely the same happening told twice.

Two outlets, two datasets or two imports of one article often report the same strike
or meeting in different words, under slightly different coordinates (a city's centre
and one of its districts), or a day apart (local time against UTC). The finder works
in two steps so that a store of a million events is searched in seconds:

1. **Candidates** come from the columns the map already keeps (start time and place):
   only events close in time *and* in place are ever compared (a grid of time and space
   buckets, each event against its own and the neighbouring buckets).
2. **Scores** compare the candidates' titles and excerpts with rapidfuzz (word-set
   similarity, which takes word order and extra words in its stride), and weigh how far
   apart the two are in time and place.

Events with no place are compared only with other events without a place, of the same
day, and need a higher text score: a place is half the evidence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, utils

from desktop_app.core.index import EventArrays

_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class DuplicateRules:
    """How close two events must be to be called probable duplicates.

    Parameters
    ----------
    max_days
        The most their start times may differ, in days.
    max_km
        The most their places may be apart.
    min_score
        The least combined score (0–100) a pair needs.
    """

    max_days: float = 1.0
    max_km: float = 30.0
    min_score: float = 72.0


@dataclass(frozen=True)
class EventText:
    """The words of an event that the finder compares."""

    title: str
    excerpt: str = ""


@dataclass(frozen=True)
class ProbableDuplicate:
    """Two events that are probably one, with the evidence.

    ``first`` is the older of the two ids. ``km_apart`` is None when neither has a place.
    """

    first: int
    second: int
    score: float
    title_score: float
    excerpt_score: float | None
    days_apart: float
    km_apart: float | None


def candidate_pairs(
    arrays: EventArrays, rules: DuplicateRules, among: Iterable[int] | None = None
) -> list[tuple[int, int]]:
    """Pairs of event ids ``(a, b)``, ``a < b``, close enough in time and place to compare.

    ``among`` limits the search to pairs with at least one of those ids (the events an
    import just added); None searches every pair. Events without a place pair only with
    each other.
    """
    if len(arrays) < 2:
        return []
    wanted = None
    if among is not None:
        wanted = np.isin(arrays.ids, np.fromiter(among, np.int64))
    rows = _Buckets(arrays, rules, wanted)
    found: list[np.ndarray] = []
    for first, second in rows.pairs():
        ids = arrays.ids
        keep = np.abs(arrays.t0[first] - arrays.t0[second]) <= rules.max_days
        placed = rows.placed
        keep &= placed[first] == placed[second]
        if wanted is not None:
            keep &= wanted[first] | wanted[second]
        first, second = first[keep], second[keep]
        both = placed[first]
        km = _km_arrays(rows.lat[first], rows.lon[first], rows.lat[second], rows.lon[second])
        keep = ~both | (km <= rules.max_km)
        a, b = ids[first[keep]], ids[second[keep]]
        found.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    if not found:
        return []
    pairs = np.unique(np.concatenate(found), axis=0)
    return [(int(a), int(b)) for a, b in pairs.tolist()]


class _Buckets:
    """The events in buckets one limit wide, so that two events within the limits are
    in the same bucket or in neighbouring ones.

    Time is cut in days; places are points in space (km from the earth's centre), where
    a straight line is never longer than the way over the surface and neither the poles
    nor the date line cut a neighbourhood in two. Each bucket is one integer key, so
    that finding a bucket's neighbours is a sorted search, not a loop over events.
    """

    # Pairs are made this many at a time, to bound memory in dense buckets.
    CHUNK = 4_000_000

    def __init__(
        self, arrays: EventArrays, rules: DuplicateRules, wanted: np.ndarray | None
    ) -> None:
        self.lat = arrays.lat.astype(np.float64)
        self.lon = arrays.lon.astype(np.float64)
        self.placed = ~(np.isnan(self.lat) | np.isnan(self.lon))
        # Cells under a kilometre would only make more, emptier buckets; a coarser cell
        # is still right (only the exact test below decides), just less selective.
        cell = max(rules.max_km, 1.0)
        reach = int(math.ceil(_EARTH_RADIUS_KM / cell)) + 1
        width = 2 * reach + 3  # room for a neighbour on either side of every cell
        phi, lam = np.radians(np.nan_to_num(self.lat)), np.radians(np.nan_to_num(self.lon))
        scale = _EARTH_RADIUS_KM / cell
        axes = [np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]
        # Events without a place share the cell (0, 0, 0), which no place reaches.
        space = np.zeros(len(arrays), np.int64)
        for axis in axes:
            index = np.where(self.placed, np.floor(axis * scale).astype(np.int64) + reach + 1, 0)
            space = space * width + index
        volume = width**3
        # Time buckets, as coarse as the key's 63 bits need: a store spanning centuries
        # at a fine limit gets wider ones.
        day_size = max(rules.max_days, 1e-6)
        first_day = float(np.min(arrays.t0))
        span = float(np.max(arrays.t0)) - first_day
        room = (2**62) // volume - 3
        day_size = max(day_size, span / max(room, 1))
        time = np.floor((arrays.t0 - first_day) / day_size).astype(np.int64) + 1
        keys = time * volume + space
        self.order = np.argsort(keys, kind="stable")
        sorted_keys = keys[self.order]
        self.keys, self.starts, self.counts = np.unique(
            sorted_keys, return_index=True, return_counts=True
        )
        # Which buckets hold an event the search is about (all of them without a choice):
        # a pair of buckets is looked into only when one of the two does.
        if wanted is None:
            self.wanted = np.ones(len(self.keys), bool)
        else:
            self.wanted = np.add.reduceat(wanted[self.order].astype(np.int64), self.starts) > 0
        steps = []
        for dt, dx, dy, dz in itertools.product((-1, 0, 1), repeat=4):
            step = dt * volume + (dx * width + dy) * width + dz
            if step > 0:  # each pair of neighbouring buckets once
                steps.append(step)
        self.steps = steps

    def pairs(self):
        """Rows ``(first, second)`` of every pair of events in one bucket or in two
        neighbouring ones, in chunks."""
        same = np.arange(len(self.keys))
        yield from self._product(same, same, within=True)
        for step in self.steps:
            target = self.keys + step
            at = np.searchsorted(self.keys, target)
            at = np.minimum(at, len(self.keys) - 1)
            hit = self.keys[at] == target
            yield from self._product(same[hit], at[hit], within=False)

    def _product(self, one: np.ndarray, other: np.ndarray, within: bool):
        keep = self.wanted[one] | self.wanted[other]
        if within:
            keep &= self.counts[one] > 1
        one, other = one[keep], other[keep]
        sizes = self.counts[one] * self.counts[other]
        begin = 0
        while begin < len(one):
            # As many bucket pairs as fit in a chunk (at least one, however large).
            total = np.cumsum(sizes[begin:])
            end = begin + max(1, int(np.searchsorted(total, self.CHUNK, side="right")))
            a, b, n = one[begin:end], other[begin:end], sizes[begin:end]
            pair = np.repeat(np.arange(len(a)), n)
            offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            width = self.counts[b][pair]
            i, j = offset // width, offset % width
            if within:
                keep = i < j
                pair, i, j = pair[keep], i[keep], j[keep]
            yield (
                self.order[self.starts[a][pair] + i],
                self.order[self.starts[b][pair] + j],
            )
            begin = end


def score_pairs(
    pairs: Sequence[tuple[int, int]],
    texts: Mapping[int, EventText],
    arrays: EventArrays,
    rules: DuplicateRules,
    *,
    distinct: Callable[[int, int], bool] = lambda a, b: False,
) -> list[ProbableDuplicate]:
    """The candidate pairs that score at least ``rules.min_score``, best first.

    ``texts`` holds the words of every event in ``pairs``; ``distinct`` says which pairs
    the user has already marked as two different events.
    """
    row_of = {int(event_id): row for row, event_id in enumerate(arrays.ids.tolist())}
    found = []
    for a, b in pairs:
        if distinct(a, b):
            continue
        i, j = row_of[a], row_of[b]
        placed = not (math.isnan(arrays.lat[i]) or math.isnan(arrays.lat[j]))
        km = (
            _km(float(arrays.lat[i]), float(arrays.lon[i]), float(arrays.lat[j]),
                float(arrays.lon[j]))
            if placed
            else None
        )  # fmt: skip
        days = abs(float(arrays.t0[i]) - float(arrays.t0[j]))
        title_score, excerpt_score = _text_scores(texts[a], texts[b])
        score = _combined(title_score, excerpt_score, days, km, rules)
        if score >= rules.min_score:
            found.append(
                ProbableDuplicate(a, b, round(score, 1), round(title_score, 1),
                                  None if excerpt_score is None else round(excerpt_score, 1),
                                  days, None if km is None else round(km, 1))
            )  # fmt: skip
    found.sort(key=lambda d: (-d.score, d.first, d.second))
    return found


def _text_scores(one: EventText, other: EventText) -> tuple[float, float | None]:
    # Word sets, not characters: "Talks in Istanbul end after an hour" and "Istanbul
    # talks end after just over an hour" share their words in another order.
    title = fuzz.token_set_ratio(one.title, other.title, processor=utils.default_process)
    if not (one.excerpt and other.excerpt):
        return title, None
    excerpt = fuzz.token_set_ratio(one.excerpt, other.excerpt, processor=utils.default_process)
    return title, excerpt


def _combined(
    title: float, excerpt: float | None, days: float, km: float | None, rules: DuplicateRules
) -> float:
    # The text decides; distance in time and place only takes away. Two reports of one
    # event often differ more in their headlines than in the facts they state, so an
    # excerpt counts as much as a title when both have one.
    text = title if excerpt is None else (title + excerpt) / 2
    far_in_time = min(days / max(rules.max_days, 1e-6), 1.0)
    penalty = 6.0 * far_in_time
    if km is None:
        penalty += 8.0  # without places, half the evidence is missing
    else:
        penalty += 6.0 * min(km / max(rules.max_km, 1e-6), 1.0)
    return max(text - penalty, 0.0)


def _km_arrays(lat1, lon1, lat2, lon2) -> np.ndarray:
    """:func:`_km` over arrays (NaN where a point is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
