"""The compact buffer that carries every event to the map page in one request.

Layout (little-endian): a header of four 32-bit words, ``b"EVA4"``, the count of
events ``n``, the count ``m`` of those with an origin, and flags; then the columns, each
starting on a boundary of its own size (the page views them without copying), in order
of falling width:

- ``t0`` (float64), the events sorted by it; ``t1`` (float64) only with the flag
  :data:`T1_WHOLE`;
- ``ids`` (uint32), ``lat`` and ``lon`` (float32, NaN with no place);
- ``span`` (float32, ``t1 - t0`` in days) without that flag: a day's or a month's
  span is exact in float32, and an end that is not is sent whole instead (the flag);
- ``origin_rows`` (uint32, ascending), ``origin_lat`` and ``origin_lon`` (float32), each
  ``m`` long: the rows with an origin and where it is (most events have none);
- ``category`` (uint8) and ``place_precision`` (uint8,
  :data:`desktop_app.core.event.PLACE_PRECISION_CODES`: how precisely the place is
  known, drawn as a halo).

A million events of day-precision dates take 26 MB (38 MB with ``t1`` and origins in
full): the bytes a start waits for, as the page fetches them.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import numpy as np

from desktop_app.core.index import EventArrays

MAGIC = b"EVA4"
_HEADER = struct.Struct("<4sIII")
#: The flag of a buffer carrying ``t1`` whole, as some end is not its start plus a span
#: in float32.
T1_WHOLE = 1


class Column(NamedTuple):
    """One column of a buffer: its name, type, length and where it starts."""

    name: str
    dtype: str
    count: int
    offset: int


def _columns(n: int, m: int, flags: int) -> list[Column]:
    kinds = [("t0", "<f8", n)]
    kinds += [("t1", "<f8", n)] if flags & T1_WHOLE else []
    kinds += [("ids", "<u4", n), ("lat", "<f4", n), ("lon", "<f4", n)]
    kinds += [] if flags & T1_WHOLE else [("span", "<f4", n)]
    kinds += [("origin_rows", "<u4", m), ("origin_lat", "<f4", m), ("origin_lon", "<f4", m)]
    kinds += [("category", "u1", n), ("place_precision", "u1", n)]
    out, at = [], _HEADER.size
    for name, dtype, count in kinds:
        out.append(Column(name, dtype, count, at))
        at += count * np.dtype(dtype).itemsize
    return out


def _size(columns: list[Column]) -> int:
    last = columns[-1]
    return last.offset + last.count * np.dtype(last.dtype).itemsize


def encode_events(arrays: EventArrays) -> bytes:
    """The page's buffer of ``arrays`` (already sorted by ``t0``)."""
    n = len(arrays)
    if n and int(arrays.ids.max()) >= 2**32:
        raise ValueError("event ids must fit in 32 bits for the map page")
    span = (arrays.t1 - arrays.t0).astype(np.float32)
    flags = 0 if np.array_equal(arrays.t0 + span.astype(np.float64), arrays.t1) else T1_WHOLE
    with_origin = ~(np.isnan(arrays.origin_lat) | np.isnan(arrays.origin_lon))
    rows = np.flatnonzero(with_origin)
    values = {
        "t0": arrays.t0, "t1": arrays.t1, "ids": arrays.ids, "lat": arrays.lat,
        "lon": arrays.lon, "span": span, "origin_rows": rows,
        "origin_lat": arrays.origin_lat[rows], "origin_lon": arrays.origin_lon[rows],
        "category": arrays.category, "place_precision": arrays.place_precision,
    }  # fmt: skip
    columns = _columns(n, len(rows), flags)
    # Each column is written straight into its place, and the whole copied once into
    # bytes: every further copy of a million events' buffer costs the opening.
    buffer = bytearray(_size(columns))
    _HEADER.pack_into(buffer, 0, MAGIC, n, len(rows), flags)
    for column in columns:
        np.frombuffer(buffer, column.dtype, column.count, column.offset)[:] = values[column.name]
    return bytes(buffer)


def buffer_columns(buffer: bytes) -> list[Column]:
    """The columns of ``buffer``; ValueError unless it is a whole event buffer."""
    if len(buffer) < _HEADER.size:
        raise ValueError("not an event buffer")
    magic, n, m, flags = _HEADER.unpack_from(buffer)
    if magic != MAGIC or m > n or flags & ~T1_WHOLE:
        raise ValueError("not an event buffer")
    columns = _columns(n, m, flags)
    if len(buffer) != _size(columns):
        raise ValueError("not an event buffer (its length does not match its count)")
    return columns


def buffer_column(buffer: bytes, name: str) -> np.ndarray:
    """The column ``name`` (see the layout above) of ``buffer``, viewed in place."""
    for column in buffer_columns(buffer):
        if column.name == name:
            return np.frombuffer(buffer, column.dtype, column.count, column.offset)
    raise KeyError(name)


def decode_events(buffer: bytes) -> EventArrays:
    """The inverse of :func:`encode_events` (used by tests and tools)."""
    found = {
        c.name: np.frombuffer(buffer, c.dtype, c.count, c.offset) for c in buffer_columns(buffer)
    }
    t0 = found["t0"]
    t1 = found["t1"] if "t1" in found else t0 + found["span"].astype(np.float64)
    origin_lat = np.full(len(t0), np.nan, np.float32)
    origin_lon = np.full(len(t0), np.nan, np.float32)
    origin_lat[found["origin_rows"]] = found["origin_lat"]
    origin_lon[found["origin_rows"]] = found["origin_lon"]
    return EventArrays(
        found["ids"].astype(np.int64), t0, t1, found["lat"], found["lon"], found["category"],
        origin_lat, origin_lon, place_precision=found["place_precision"],
    )  # fmt: skip


def part_bounds(buffer: bytes, count: int) -> list[tuple[int, int]]:
    """``count`` byte ranges ``(start, end)`` that cover ``buffer`` in order, as even as
    cuts where a column starts allow (some may be empty): the page fetches them side by
    side and views every column inside one of them, without joining them."""
    if count < 1:
        raise ValueError("a buffer comes in one part at least")
    starts = [column.offset for column in buffer_columns(buffer)]
    size = len(buffer)
    # Each cut at the column start nearest its share of the bytes; the columns are in
    # order of falling width, so every column stays on a boundary of its own size.
    cuts = [min(starts, key=lambda s, k=k: abs(s - k * size / count)) for k in range(1, count)]
    edges = [0, *(max(cut, 0) for cut in cuts), size]
    for k in range(1, len(edges)):
        edges[k] = max(edges[k], edges[k - 1])
    return list(zip(edges[:-1], edges[1:], strict=True))
