"""The compact buffer that carries every event to the map page in one request.

Layout (little-endian): ``b"EVA3"``, uint32 count, then the columns ``t0`` and ``t1``
(float64), ``ids`` (uint32), ``lat`` and ``lon`` (float32, NaN with no place),
``origin_lat`` and ``origin_lon`` (float32, NaN with no origin), ``category`` (uint8)
and ``place_precision`` (uint8, :data:`desktop_app.core.event.PLACE_PRECISION_CODES`:
how precisely the place is known, drawn as a halo), each ``count`` long, sorted by
``t0``. Every column starts on a boundary of its
own size, so the page views it without copying.
"""

from __future__ import annotations

import struct

import numpy as np

from desktop_app.core.index import EventArrays

MAGIC = b"EVA3"
#: The columns' types, in the buffer's order.
COLUMN_TYPES = ("<f8", "<f8", "<u4", "<f4", "<f4", "<f4", "<f4", "u1", "u1")


def encode_events(arrays: EventArrays) -> bytes:
    """The page's buffer of ``arrays`` (already sorted by ``t0``)."""
    if len(arrays) and int(arrays.ids.max()) >= 2**32:
        raise ValueError("event ids must fit in 32 bits for the map page")
    parts = [
        MAGIC,
        struct.pack("<I", len(arrays)),
        arrays.t0.astype("<f8").tobytes(),
        arrays.t1.astype("<f8").tobytes(),
        arrays.ids.astype("<u4").tobytes(),
        arrays.lat.astype("<f4").tobytes(),
        arrays.lon.astype("<f4").tobytes(),
        arrays.origin_lat.astype("<f4").tobytes(),
        arrays.origin_lon.astype("<f4").tobytes(),
        arrays.category.astype("u1").tobytes(),
        arrays.place_precision.astype("u1").tobytes(),
    ]
    return b"".join(parts)


def decode_events(buffer: bytes) -> EventArrays:
    """The inverse of :func:`encode_events` (used by tests and tools)."""
    if buffer[:4] != MAGIC:
        raise ValueError("not an event buffer")
    (n,) = struct.unpack_from("<I", buffer, 4)
    offset = 8
    columns = []
    for dtype in COLUMN_TYPES:
        column = np.frombuffer(buffer, dtype, n, offset)
        offset += column.nbytes
        columns.append(column)
    t0, t1, ids, lat, lon, origin_lat, origin_lon, cat, place_precision = columns
    return EventArrays(
        ids.astype(np.int64), t0, t1, lat, lon, cat, origin_lat, origin_lon,
        place_precision=place_precision,
    )


def part_bounds(buffer: bytes, count: int) -> list[tuple[int, int]]:
    """``count`` byte ranges ``(start, end)`` that cover ``buffer`` in order, as even as
    cuts where a column starts allow (some may be empty): the page fetches them side by
    side and views every column inside one of them, without joining them."""
    if count < 1:
        raise ValueError("a buffer comes in one part at least")
    (n,) = struct.unpack_from("<I", buffer, 4)
    starts, at = [], 8
    for dtype in COLUMN_TYPES:
        starts.append(at)
        at += n * np.dtype(dtype).itemsize
    size = len(buffer)
    # Each cut at the column start nearest its share of the bytes; the columns are in
    # order of falling width, so every column stays on a boundary of its own size.
    cuts = [min(starts, key=lambda s, k=k: abs(s - k * size / count)) for k in range(1, count)]
    edges = [0, *(max(cut, 0) for cut in cuts), size]
    for k in range(1, len(edges)):
        edges[k] = max(edges[k], edges[k - 1])
    return list(zip(edges[:-1], edges[1:], strict=True))
