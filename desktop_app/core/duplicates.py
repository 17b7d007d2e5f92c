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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.core.index import EventArrays
from desktop_app.lazy import on_first_use

if TYPE_CHECKING:
    from rapidfuzz import fuzz, process, utils
else:
    # The store reads this module's rules at every start; the texts are compared only
    # when duplicates are looked for.
    fuzz = on_first_use("rapidfuzz.fuzz")
    process = on_first_use("rapidfuzz.process")
    utils = on_first_use("rapidfuzz.utils")

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
) -> np.ndarray:
    """Pairs of event ids close enough in time and place to compare: an array of rows
    ``(a, b)``, ``a < b``, in ascending order.

    ``among`` limits the search to pairs with at least one of those ids (the events an
    import just added); None searches every pair. Events without a place pair only with
    each other.
    """
    none = np.empty((0, 2), np.int64)
    if len(arrays) < 2:
        return none
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
        # One number a pair: a million-fold faster to make unique than rows.
        found.append(np.minimum(a, b) * _PAIR_KEY + np.maximum(a, b))
    if not found:
        return none
    keys = np.unique(np.concatenate(found))
    return np.stack([keys // _PAIR_KEY, keys % _PAIR_KEY], axis=1)


# Ids are below 2**31 (SQLite's rowids of a store): a pair is ``a * _PAIR_KEY + b``.
_PAIR_KEY = np.int64(2**31)


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
    pairs: np.ndarray,
    texts: Mapping[int, EventText],
    arrays: EventArrays,
    rules: DuplicateRules,
    *,
    distinct: Callable[[int, int], bool] = lambda a, b: False,
    best: int | None = None,
) -> tuple[list[ProbableDuplicate], int]:
    """The candidate pairs (rows of ids, as :func:`candidate_pairs` gives them) that
    score at least ``rules.min_score``, best first (only the ``best`` first, when
    given), and how many pairs scored so.

    ``texts`` holds the words of every event in ``pairs``; ``distinct`` says which pairs
    the user has already marked as two different events. The texts are compared by
    rapidfuzz a batch of pairs at a time, on every core: a templated dataset (reports of
    one front line written alike) makes millions of candidates.
    """
    if not len(pairs):
        return [], 0
    kept: list[tuple[np.ndarray, ...]] = []
    order = np.argsort(arrays.ids, kind="stable")
    sorted_ids = arrays.ids[order]
    lat, lon = arrays.lat.astype(np.float64), arrays.lon.astype(np.float64)
    # Each event's words made comparable once, not once per pair it is in (the function
    # looked up once too: the module is loaded on first use, through a stand-in).
    prepare = utils.default_process
    words = {
        event_id: (prepare(text.title), prepare(text.excerpt)) for event_id, text in texts.items()
    }
    for begin in range(0, len(pairs), _SCORE_CHUNK):
        part = pairs[begin : begin + _SCORE_CHUNK]
        a, b = part[:, 0], part[:, 1]
        i = order[np.searchsorted(sorted_ids, a)]
        j = order[np.searchsorted(sorted_ids, b)]
        # NaN where either has no place (the pair then has none to compare).
        km = _km_arrays(lat[i], lon[i], lat[j], lon[j])
        days = np.abs(arrays.t0[i].astype(np.float64) - arrays.t0[j].astype(np.float64))
        one = [words[event_id] for event_id in a.tolist()]
        other = [words[event_id] for event_id in b.tolist()]
        title = _scores([w[0] for w in one], [w[0] for w in other])
        excerpts = np.array([bool(x[1] and y[1]) for x, y in zip(one, other, strict=True)])
        excerpt = np.full(len(part), np.nan)
        if excerpts.any():
            at = np.flatnonzero(excerpts)
            excerpt[at] = _scores([one[k][1] for k in at], [other[k][1] for k in at])
        score = _combined(title, excerpt, days, km, rules)
        at = np.flatnonzero(score >= rules.min_score)
        at = at[[not distinct(x, y) for x, y in zip(a[at].tolist(), b[at].tolist(), strict=True)]]
        kept.append(tuple(c[at] for c in (a, b, score, title, excerpt, days, km)))
    if not kept:
        return [], 0
    a, b, score, title, excerpt, days, km = (np.concatenate(c) for c in zip(*kept, strict=True))
    # Best first as the scores are shown (to a tenth), then by ids.
    shown = np.array([round(x, 1) for x in score.tolist()])
    order = np.lexsort((b, a, -shown))[:best]
    found = [
        ProbableDuplicate(
            int(a[k]), int(b[k]), float(shown[k]), round(float(title[k]), 1),
            None if np.isnan(excerpt[k]) else round(float(excerpt[k]), 1),
            float(days[k]), None if np.isnan(km[k]) else round(float(km[k]), 1),
        )
        for k in order.tolist()
    ]  # fmt: skip
    return found, len(score)


# Pairs scored at a time: the texts of a batch are lists of that many strings.
_SCORE_CHUNK = 500_000


def _scores(one: list[str], other: list[str]) -> np.ndarray:
    # Word sets, not characters: "Talks in Istanbul end after an hour" and "Istanbul
    # talks end after just over an hour" share their words in another order.
    return process.cpdist(
        one, other, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float64, workers=-1
    )


def _combined(
    title: np.ndarray,
    excerpt: np.ndarray,
    days: np.ndarray,
    km: np.ndarray,
    rules: DuplicateRules,
) -> np.ndarray:
    """The pairs' scores from their texts' and their distances (``excerpt`` NaN where
    the two have no excerpts to compare, ``km`` where they have no places)."""
    # The text decides; distance in time and place only takes away. Two reports of one
    # event often differ more in their headlines than in the facts they state, so an
    # excerpt counts as much as a title when both have one.
    text = np.where(np.isnan(excerpt), title, (title + excerpt) / 2)
    far_in_time = np.minimum(days / max(rules.max_days, 1e-6), 1.0)
    # Without places, half the evidence is missing.
    far = np.where(
        np.isnan(km), 8.0, 6.0 * np.minimum(np.nan_to_num(km) / max(rules.max_km, 1e-6), 1.0)
    )
    return np.maximum(text - 6.0 * far_in_time - far, 0.0)


def _km_arrays(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distances (haversine) in kilometres (NaN where a point is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
