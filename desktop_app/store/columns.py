"""The columns the map and the timeline read, kept ready beside the rows.

Building :class:`~desktop_app.core.index.EventArrays` from the rows costs a Python object
per value: seconds for a million events, on the thread that opens the window. So the
store keeps each column as one blob of raw little-endian values in ``event_columns``,
written in the same transaction as the rows it reflects and read back with
:func:`numpy.frombuffer`, without a loop over the events.

Whether the blobs still reflect the rows is told by a counter, the store's *generation*
(``events_generation`` in ``meta``): the bulk writer raises it once in each transaction
that writes events, triggers raise it on any other write to the events or to their
places' coordinates, and blobs count only while they carry the generation the store has.
Each function takes the connection of the transaction it works in and neither begins nor
commits one.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Collection

import numpy as np

from desktop_app.core.categories import CATEGORIES, category_code
from desktop_app.core.dates import PRECISION_CODES, DatePrecision
from desktop_app.core.event import PLACE_PRECISION_CODES, kind_precisions
from desktop_app.core.index import EventArrays

#: The key in ``meta`` of the store's generation.
GENERATION_KEY = "events_generation"
#: Every column of :class:`EventArrays`, with the type its values are stored as.
COLUMNS: dict[str, str] = {
    "ids": "<i8",
    "t0": "<f8",
    "t1": "<f8",
    "lat": "<f4",
    "lon": "<f4",
    "category": "u1",
    "origin_lat": "<f4",
    "origin_lon": "<f4",
    "precision": "u1",
    "place_id": "<i8",
}
#: The columns read afresh with the kept ones, from their places: a place's kind (which
#: tells its precision) is no column's generation, so a precision is never kept stale.
DERIVED: dict[str, str] = {"place_precision": "u1"}
# The place id of an event without a place.
_NO_PLACE = -1


def _codes(column: str, codes: dict[str, int], otherwise: int) -> str:
    # Named in SQL, so that no Python string is made per event; the keys are the app's
    # own, quoted all the same.
    cases = " ".join(
        f"WHEN '{key.replace(chr(39), chr(39) * 2)}' THEN {code}" for key, code in codes.items()
    )
    return f"CASE {column} {cases} ELSE {otherwise} END"


# What category_code and precision_codes make of each stored text, as SQL.
_CATEGORY = _codes(
    "e.category", {c.key: category_code(c.key) for c in CATEGORIES}, category_code(None)
)
_PRECISION = _codes(
    "e.precision",
    {str(k): v for k, v in PRECISION_CODES.items()},
    PRECISION_CODES[DatePrecision.APPROXIMATE],
)
# The places are looked up afterwards in numpy: a join here doubles the time of the read.
# A missing place reads as ``none``, an id no place has.
_EVENT_ROWS = f"""SELECT e.id, e.t0, e.t1, coalesce(e.place_id, :none),
    coalesce(e.origin_place_id, :none), {_CATEGORY}, {_PRECISION} FROM events e"""
_ROW_TYPE = np.dtype([
    ("ids", "<i8"), ("t0", "<f8"), ("t1", "<f8"), ("place", "<i8"), ("origin", "<i8"),
    ("category", "u1"), ("precision", "u1"),
])  # fmt: skip
# A place's precision from its kind, as Place.precision reads it (any other kind, or none,
# is "unknown").
_PLACE_PRECISION = _codes(
    "lower(kind)",
    {kind: PLACE_PRECISION_CODES[p] for kind, p in kind_precisions().items()},
    PLACE_PRECISION_CODES["unknown"],
)
_PLACE_TYPE = np.dtype([("id", "<i8"), ("lat", "<f8"), ("lon", "<f8")])
_PRECISION_TYPE = np.dtype([("id", "<i8"), ("precision", "u1")])


def generation(conn: sqlite3.Connection) -> int:
    """The store's generation (0 when it has none yet)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [GENERATION_KEY]).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def kept_count(conn: sqlite3.Connection) -> int | None:
    """How many events the stored columns hold, read without the columns themselves
    (what a window says while it reads them); None when they are absent or older than
    the rows."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_columns'"
    ).fetchone()
    if exists is None:
        return None
    row = conn.execute(
        """SELECT c.count FROM event_columns c JOIN meta m ON m.key = ?
           WHERE c.name = 'ids' AND CAST(c.generation AS TEXT) = m.value""",
        [GENERATION_KEY],
    ).fetchone()
    return int(row[0]) if row is not None else None


def kept(conn: sqlite3.Connection) -> EventArrays | None:
    """The stored columns, or None when they are absent, incomplete or of an older
    generation than the store's rows."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_columns'"
    ).fetchone()
    if exists is None:
        return None  # a store from an older version, open read-only
    # One statement: one snapshot of the blobs and the generation together.
    found = conn.execute(
        """SELECT c.name, c.data, c.count, c.generation, m.value FROM event_columns c
           LEFT JOIN meta m ON m.key = ?""",
        [GENERATION_KEY],
    ).fetchall()
    blobs = {name: (data, count) for name, data, count, made, now in found if str(made) == now}
    if blobs.keys() != COLUMNS.keys() or len({count for _, count in blobs.values()}) != 1:
        return None
    columns = {}
    for name, dtype in COLUMNS.items():
        data, count = blobs[name]
        if not isinstance(data, bytes) or len(data) != count * np.dtype(dtype).itemsize:
            return None
        columns[name] = np.frombuffer(data, dtype)
    return EventArrays(**columns, place_precision=place_precisions(conn, columns["place_id"]))


def from_rows(conn: sqlite3.Connection) -> EventArrays:
    """The columns of every event, read from the rows in one pass."""
    arrays = _sort(_read(conn, "", {}))
    return dataclasses.replace(arrays, place_precision=place_precisions(conn, arrays.place_id))


def updated(
    conn: sqlite3.Connection, before: EventArrays, after_id: int, rewritten: Collection[int]
) -> EventArrays:
    """The columns after a write that added the events with ids above ``after_id`` and
    rewrote the events ``rewritten``, given ``before``, those of the rows it started from.

    Only the events written are read from the rows: an import of a few events into a
    large store costs a merge in numpy, not a pass over the store.
    """
    old = sorted(i for i in set(rewritten) if i <= after_id)
    kept_columns = {name: getattr(before, name) for name in COLUMNS}
    if old:
        keep = ~np.isin(before.ids, old)
        kept_columns = {name: column[keep] for name, column in kept_columns.items()}
    fresh = _read(conn, "WHERE e.id > :after", {"after": after_id})
    again = _read(conn, "JOIN json_each(:ids) j ON j.value = e.id", {"ids": json.dumps(old)})
    written = _sort({name: np.concatenate([fresh[name], again[name]]) for name in COLUMNS})
    # A merge of two sorted runs: where each written event goes among the kept ones, by
    # start and then id (one binary search each, instead of sorting the whole store).
    at = np.searchsorted(
        _order_key(kept_columns["t0"], kept_columns["ids"]), _order_key(written.t0, written.ids)
    )
    merged = {name: np.insert(kept_columns[name], at, getattr(written, name)) for name in COLUMNS}
    return EventArrays(**merged, place_precision=place_precisions(conn, merged["place_id"]))


def _order_key(t0: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Start and id as one sortable value (numpy compares records field by field)."""
    key = np.empty(len(ids), [("t0", "<f8"), ("ids", "<i8")])
    key["t0"] = t0
    key["ids"] = ids
    return key


def store(conn: sqlite3.Connection, arrays: EventArrays, made_at: int) -> None:
    """Keep ``arrays`` as the columns of the store's generation ``made_at`` (which
    becomes the store's)."""
    conn.executemany(
        """INSERT INTO event_columns (name, data, count, generation) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET data = excluded.data, count = excluded.count,
           generation = excluded.generation""",
        # One column's bytes at a time: a million events' columns are 42 MB.
        (
            (name, getattr(arrays, name).astype(dtype, copy=False).tobytes(), len(arrays), made_at)
            for name, dtype in COLUMNS.items()
        ),
    )
    conn.execute(
        """INSERT INTO meta (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
        [GENERATION_KEY, str(made_at)],
    )


#: The code of each category and precision name, as the SQL above gives them.
CATEGORY_CODES = {c.key: category_code(c.key) for c in CATEGORIES}
OTHER_CATEGORY_CODE = category_code(None)
PRECISION_CODE_OF = {str(k): v for k, v in PRECISION_CODES.items()}


def from_values(
    conn: sqlite3.Connection,
    t0: np.ndarray,
    t1: np.ndarray,
    place_ids: np.ndarray,
    category_codes: np.ndarray,
    precision_codes: np.ndarray,
) -> EventArrays:
    """The columns of events written with ids 1, 2, ... in the order of the arrays (a
    staged import, see :class:`desktop_app.store.bulk_writer.StagedWriter`), without
    reading their rows back: the same arrays :func:`from_rows` makes of them. A place id
    below 1 is no place; places have no origin."""
    places = np.fromiter(conn.execute("SELECT id, lat, lon FROM places"), _PLACE_TYPE)
    places = places[np.argsort(places["id"], kind="stable")]
    if not len(t0):
        arrays = EventArrays.empty()
        return dataclasses.replace(arrays, place_precision=place_precisions(conn, arrays.place_id))
    # The ids ascend with the events' positions: a stable sort by start alone gives the
    # views' order (by start, then by id), and each column is taken in it once (the
    # origins, none, need no taking).
    order = np.argsort(t0, kind="stable")
    place_ids = place_ids[order]
    lat, lon = _coordinates(places, place_ids)
    none = np.full(len(t0), np.nan, np.float32)
    arrays = EventArrays(
        ids=(order + 1).astype(np.int64, copy=False),
        t0=t0[order].astype(np.float64, copy=False),
        t1=t1[order].astype(np.float64, copy=False),
        lat=lat,
        lon=lon,
        category=category_codes[order].astype(np.uint8, copy=False),
        origin_lat=none,
        origin_lon=none.copy(),
        precision=precision_codes[order].astype(np.uint8, copy=False),
        place_id=np.where(np.isnan(lat), _NO_PLACE, place_ids).astype(np.int64),
    )
    return dataclasses.replace(arrays, place_precision=place_precisions(conn, arrays.place_id))


def _read(conn: sqlite3.Connection, clause: str, params: dict) -> dict[str, np.ndarray]:
    """The columns of the events ``clause`` picks, in no particular order."""
    places = np.fromiter(conn.execute("SELECT id, lat, lon FROM places"), _PLACE_TYPE)
    places = places[np.argsort(places["id"], kind="stable")]
    none = int(places["id"][0]) - 1 if len(places) else 0
    rows = np.fromiter(conn.execute(f"{_EVENT_ROWS} {clause}", {**params, "none": none}), _ROW_TYPE)
    columns = {
        name: np.ascontiguousarray(rows[name])
        for name in ("ids", "t0", "t1", "category", "precision")
    }
    for prefix, key in (("", "place"), ("origin_", "origin")):
        lat, lon = _coordinates(places, rows[key])
        columns[f"{prefix}lat"] = lat
        columns[f"{prefix}lon"] = lon
    columns["place_id"] = np.where(np.isnan(columns["lat"]), _NO_PLACE, rows["place"])
    return columns


def _coordinates(places: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The latitude and longitude (float32, NaN for none) of the places ``ids``."""
    if not len(places):
        nan = np.full(len(ids), np.nan, np.float32)
        return nan, nan.copy()
    known = places["id"]
    if known[0] >= 0 and known[-1] < 4 * len(places) + 65_536:
        # Place ids are the rows' own, from 1 up: tables indexed by id answer a million
        # events in one gather each, not a binary search each (as place_precisions).
        lat = np.full(int(known[-1]) + 2, np.nan, np.float32)
        lon = lat.copy()
        lat[known], lon[known] = places["lat"], places["lon"]
        # No place, or an id above every place's, reads the last slot: NaN.
        at = np.where((ids < 0) | (ids >= len(lat)), len(lat) - 1, ids)
        return lat[at], lon[at]
    at = np.searchsorted(known, ids).clip(0, len(places) - 1)
    found = known[at] == ids
    lat = np.where(found, places["lat"][at], np.nan).astype(np.float32)
    lon = np.where(found, places["lon"][at], np.nan).astype(np.float32)
    return lat, lon


def place_precisions(conn: sqlite3.Connection, place_ids: np.ndarray) -> np.ndarray:
    """The precision codes (:data:`~desktop_app.core.event.PLACE_PRECISION_CODES`) of
    the places ``place_ids``, from their kinds as the store has them now; "unknown" for
    no place. One read of the places (a few thousand rows for a million events), not a
    row per event."""
    unknown = PLACE_PRECISION_CODES["unknown"]
    query = f"SELECT id, {_PLACE_PRECISION} FROM places"
    places = np.fromiter(conn.execute(query), _PRECISION_TYPE)
    if not len(places):
        return np.full(len(place_ids), unknown, np.uint8)
    ids = places["id"]
    if ids.min() >= 0 and ids.max() < 4 * len(places) + 65_536:
        # Place ids are the rows' own, from 1 up: a table indexed by id answers a
        # million events in one gather, five times as fast as a binary search each.
        table = np.full(int(ids.max()) + 2, unknown, np.uint8)
        table[ids] = places["precision"]
        # No place (-1), or an id above every place's, reads the last slot: "unknown".
        at = np.where((place_ids < 0) | (place_ids >= len(table)), len(table) - 1, place_ids)
        return table[at]
    places = places[np.argsort(ids, kind="stable")]
    at = np.searchsorted(places["id"], place_ids).clip(0, len(places) - 1)
    found = (places["id"][at] == place_ids) & (place_ids != _NO_PLACE)
    return np.where(found, places["precision"][at], unknown).astype(np.uint8)


def _sort(columns: dict[str, np.ndarray]) -> EventArrays:
    """The columns in the order of the views: by start, then by id."""
    if not len(columns["ids"]):
        return EventArrays.empty()
    order = np.lexsort((columns["ids"], columns["t0"]))
    return EventArrays(**{name: column[order] for name, column in columns.items()})
