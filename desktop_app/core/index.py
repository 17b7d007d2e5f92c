"""EventIndex: the events as sorted numpy arrays, for window queries that never scan everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from desktop_app.core.event import PLACE_PRECISION_CODES
from desktop_app.core.window import TimeWindow

#: Events longer than this (days) are kept apart from the rest, so that one year-long event
#: does not force every window query to look a year back.
LONG_EVENT_DAYS = 2.0


class RowsById:
    """The row of each event id among ``ids`` (one id per row, each once).

    Store ids are dense (1 to about the number of events), so a table indexed by id
    costs one small integer per id (4 MB for a million) and answers a million ids in
    milliseconds; ids too sparse for a table are found by binary search over them sorted
    (12 bytes per row) instead. A dict of a million ids would cost ~100 MB.

    Parameters
    ----------
    ids
        The ids, in row order.
    """

    def __init__(self, ids: np.ndarray) -> None:
        ids = np.asarray(ids)
        self._rows = len(ids)
        self._row_of: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._sorted: np.ndarray | None = None
        top = int(ids.max()) if len(ids) else -1
        if len(ids) and int(ids.min()) >= 0 and top <= 4 * len(ids) + 1024:
            self._row_of = np.full(top + 1, -1, np.int32)
            self._row_of[ids] = np.arange(len(ids), dtype=np.int32)
        else:
            self._order = np.argsort(ids, kind="stable").astype(np.int32)
            self._sorted = np.asarray(ids, np.int64)[self._order]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The rows of those of ``ids`` that are among the ids, in the order of ``ids``
        (an id not among them is left out)."""
        ids = np.asarray(ids, np.int64)
        if self._row_of is not None:
            known = ids[(ids >= 0) & (ids < len(self._row_of))]
            rows = self._row_of[known]
            return rows[rows >= 0]
        if not len(ids) or not len(self._sorted):
            return np.zeros(0, np.int32)
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self._sorted) - 1)
        return self._order[at[self._sorted[at] == ids]]


@dataclass(frozen=True)
class EventArrays:
    """Columns of every event, sorted by ``t0``; ``lat``/``lon`` are NaN where there is no place.

    ``origin_lat``/``origin_lon`` locate where an event came from (NaN for none),
    ``precision`` holds :data:`desktop_app.core.dates.PRECISION_CODES`, ``place_id`` the
    store's id of the event's place (-1 for none) and ``place_precision``
    :data:`desktop_app.core.event.PLACE_PRECISION_CODES`; left out, they mean no event
    has an origin, every date is given to the day and no place is known by id or by
    precision.
    """

    ids: np.ndarray  # int64
    t0: np.ndarray  # float64
    t1: np.ndarray  # float64
    lat: np.ndarray  # float32
    lon: np.ndarray  # float32
    category: np.ndarray  # uint8
    origin_lat: np.ndarray | None = None  # float32
    origin_lon: np.ndarray | None = None  # float32
    precision: np.ndarray | None = None  # uint8
    place_precision: np.ndarray | None = None  # uint8
    place_id: np.ndarray | None = None  # int64

    def __post_init__(self) -> None:
        # Frozen, so fill the optional columns through object.__setattr__: every reader
        # can then rely on them being present.
        for name in ("origin_lat", "origin_lon"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(len(self.ids), np.nan, np.float32))
        if self.precision is None:
            object.__setattr__(self, "precision", np.zeros(len(self.ids), np.uint8))
        if self.place_id is None:
            object.__setattr__(self, "place_id", np.full(len(self.ids), -1, np.int64))
        if self.place_precision is None:
            unknown = PLACE_PRECISION_CODES["unknown"]
            object.__setattr__(self, "place_precision", np.full(len(self.ids), unknown, np.uint8))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @classmethod
    def empty(cls) -> EventArrays:
        return cls(
            np.empty(0, np.int64),
            np.empty(0, np.float64),
            np.empty(0, np.float64),
            np.empty(0, np.float32),
            np.empty(0, np.float32),
            np.empty(0, np.uint8),
        )

    def sorted(self) -> EventArrays:
        order = np.argsort(self.t0, kind="stable")
        return EventArrays(
            *(column[order] for column in self.columns()),
            origin_lat=self.origin_lat[order],
            origin_lon=self.origin_lon[order],
            precision=self.precision[order],
            place_precision=self.place_precision[order],
            place_id=self.place_id[order],
        )

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.ids, self.t0, self.t1, self.lat, self.lon, self.category)


class EventIndex:
    """Answers "which events show in this window?" by binary search.

    Short events (the vast majority) are found by bisecting their sorted start times; the
    few long ones are checked one by one. Cumulative counts make histograms cost one
    search per bin edge. :meth:`where` gives the same index limited to a filter's rows.

    Parameters
    ----------
    arrays
        The events, sorted by ``t0``.
    """

    def __init__(self, arrays: EventArrays) -> None:
        self.arrays = arrays
        long_mask = (arrays.t1 - arrays.t0) > LONG_EVENT_DAYS
        self._long = np.flatnonzero(long_mask)
        if len(self._long):
            self._short: np.ndarray | None = np.flatnonzero(~long_mask)
            self._short_t0 = arrays.t0[self._short]
            self._short_t1 = arrays.t1[self._short]
        else:
            # Every event is short (most stores): the columns themselves, not copies of
            # them (24 MB for a million events), and row k is short row k.
            self._short = None
            self._short_t0 = arrays.t0
            self._short_t1 = arrays.t1
        self._rows_by_id = RowsById(arrays.ids)
        #: The rows this index answers for (None: every row); see :meth:`where`.
        self.mask: np.ndarray | None = None
        self._count = len(arrays)

    def where(self, mask: np.ndarray | None) -> EventIndex:
        """This index limited to the rows where ``mask`` (one bool per row of
        ``arrays``) is true; None: every row.

        The result shares this index's arrays and searches (no copy, no sort): its rows
        are still rows of ``arrays``, and an event outside the mask is not in it.
        """
        if mask is not None:
            mask = np.asarray(mask, bool)
            if mask.shape != (len(self.arrays),):
                raise ValueError(f"the mask needs one value per event ({len(self.arrays)})")
        limited = object.__new__(EventIndex)
        limited.__dict__.update(self.__dict__)
        limited.mask = mask
        limited._count = len(self.arrays) if mask is None else int(np.count_nonzero(mask))
        return limited

    @property
    def ids(self) -> np.ndarray:
        """The ids of this index's events (those of its mask), in row order."""
        return self.arrays.ids if self.mask is None else self.arrays.ids[self.mask]

    def _t0(self) -> np.ndarray:
        """The starts of the rows this index answers for, in order."""
        return self.arrays.t0 if self.mask is None else self.arrays.t0[self.mask]

    def __len__(self) -> int:
        return self._count

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The first start and the last end of all events, or None when there are none."""
        if not self._count:
            return None
        t0 = self._t0()
        t1 = self.arrays.t1 if self.mask is None else self.arrays.t1[self.mask]
        return float(t0[0]), float(max(t1.max(), t0[-1]))

    def rows_in(self, window: TimeWindow) -> np.ndarray:
        """Row numbers (into ``arrays``) of the events that show in ``window``, by start time."""
        lo = np.searchsorted(self._short_t0, window.start - LONG_EVENT_DAYS, "left")
        hi = np.searchsorted(self._short_t0, window.end, "left")
        t0 = self._short_t0[lo:hi]
        t1 = self._short_t1[lo:hi]
        rows = np.arange(lo, hi) if self._short is None else self._short[lo:hi]
        short = rows[(t1 > window.start) | (t0 >= window.start)]
        if len(self._long):
            lt0 = self.arrays.t0[self._long]
            lt1 = self.arrays.t1[self._long]
            long_rows = self._long[(lt0 < window.end) & (lt1 > window.start)]
            short = np.sort(np.concatenate([short, long_rows]))
        return short if self.mask is None else short[self.mask[short]]

    def ids_in(self, window: TimeWindow) -> np.ndarray:
        return self.arrays.ids[self.rows_in(window)]

    def count_in(self, window: TimeWindow) -> int:
        return int(self.rows_in(window).shape[0])

    def placed_count_in(self, window: TimeWindow) -> int:
        """How many of the window's events have a place, and so are drawn on the map."""
        rows = self.rows_in(window)
        return int(np.count_nonzero(~np.isnan(self.arrays.lat[rows])))

    def row_of(self, event_id: int) -> int | None:
        rows = self._rows_by_id.rows_of(np.array([int(event_id)], np.int64))
        if not len(rows):
            return None
        row = int(rows[0])
        return row if self.mask is None or self.mask[row] else None

    def mask_of(self, ids: np.ndarray) -> np.ndarray:
        """One bool per row of ``arrays``: whether its event's id is among ``ids``."""
        mask = np.zeros(len(self.arrays), bool)
        mask[self._rows_by_id.rows_of(np.asarray(ids, np.int64))] = True
        return mask

    def start_histogram(self, edges: np.ndarray) -> np.ndarray:
        """How many events start in each bin ``[edges[i], edges[i+1])``: one search per edge."""
        positions = np.searchsorted(self._t0(), edges, "left")
        return np.diff(positions)

    def busy_span(self, share: float = 0.8) -> TimeWindow | None:
        """The shortest run of whole days that holds ``share`` of the events (by start).

        What an animation plays when no dates are given: the stretch where the events
        are, not the years of quiet around a few outliers. None for an empty index.
        """
        starts = np.floor(self._t0())
        n = len(starts)
        if n == 0:
            return None
        ordered = np.sort(starts)
        k = max(1, int(np.ceil(share * n)))
        spans = ordered[k - 1 :] - ordered[: n - k + 1]
        first = int(np.argmin(spans))
        return TimeWindow(float(ordered[first]), float(ordered[first + k - 1]) + 1)

    def suggested_window(self, days: float = 10.0) -> TimeWindow:
        """A first window to show: the ``days`` up to and including the busiest day."""
        if not self._count:
            today = float(np.floor(datetime.now(UTC).timestamp() / 86400))
            return TimeWindow(today - days + 1, today + 1)
        # The starts are sorted: each day's events are one run (no sort, as unique would).
        day_numbers = np.floor(self._t0())
        firsts = np.flatnonzero(np.diff(day_numbers, prepend=np.nan))
        counts = np.diff(firsts, append=len(day_numbers))
        busiest = float(day_numbers[firsts[np.argmax(counts)]])
        return TimeWindow(busiest - days + 1, busiest + 1)
