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
#: The columns' names (those of :class:`EventArrays`) and types, in the buffer's order.
COLUMNS = (
    ("t0", "<f8"),
    ("t1", "<f8"),
    ("ids", "<u4"),
    ("lat", "<f4"),
    ("lon", "<f4"),
    ("origin_lat", "<f4"),
    ("origin_lon", "<f4"),
    ("category", "u1"),
    ("place_precision", "u1"),
)
COLUMN_TYPES = tuple(dtype for _name, dtype in COLUMNS)


def encode_events(arrays: EventArrays) -> bytes:
    """The page's buffer of ``arrays`` (already sorted by ``t0``)."""
    n = len(arrays)
    if n and int(arrays.ids.max()) >= 2**32:
        raise ValueError("event ids must fit in 32 bits for the map page")
    # Each column is written straight into its place, and the whole copied once into
    # bytes: a million events' buffer is 38 MB, and each copy of it costs the opening.
    buffer = bytearray(8 + n * sum(np.dtype(dtype).itemsize for dtype in COLUMN_TYPES))
    buffer[:4] = MAGIC
    struct.pack_into("<I", buffer, 4, n)
    offset = 8
    for name, dtype in COLUMNS:
        into = np.frombuffer(buffer, dtype, n, offset)
        into[:] = getattr(arrays, name)
        offset += into.nbytes
    return bytes(buffer)


def buffer_column(buffer: bytes, name: str) -> np.ndarray:
    """The column ``name`` (one of :data:`COLUMNS`) of ``buffer``, viewed in place."""
    if buffer[:4] != MAGIC:
        raise ValueError("not an event buffer")
    (n,) = struct.unpack_from("<I", buffer, 4)
    offset = 8
    for column, dtype in COLUMNS:
        if column == name:
            return np.frombuffer(buffer, dtype, n, offset)
        offset += n * np.dtype(dtype).itemsize
    raise KeyError(name)


def decode_events(buffer: bytes) -> EventArrays:
    """The inverse of :func:`encode_events` (used by tests and tools)."""
    if buffer[:4] != MAGIC:
        raise ValueError("not an event buffer")
    t0, t1, ids, lat, lon, origin_lat, origin_lon, cat, place_precision = (
        buffer_column(buffer, name) for name, _dtype in COLUMNS
    )
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
