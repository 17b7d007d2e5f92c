"""Local MBTiles files: raster tiles in one SQLite file, read without ever writing to it.

An MBTiles file (https://github.com/mapbox/mbtiles-spec) holds ``metadata(name, value)``
and ``tiles(zoom_level, tile_column, tile_row, tile_data)``. Rows are numbered the TMS
way, from the south: the map asks for XYZ rows (from the north), so a lookup flips the
row, ``y_tms = 2**z - 1 - y_xyz``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

#: Raster formats a browser draws, by the ``format`` the metadata names.
MIME_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}

_TILE_COLUMNS = {"zoom_level", "tile_column", "tile_row", "tile_data"}


class MBTilesError(ValueError):
    """The file is not an MBTiles file this app can show; the message says why in one line."""


def _sniff_format(data: bytes) -> str | None:
    """The raster format of a tile from its first bytes (for files without ``format``)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _zoom(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _bounds(value: str | None) -> tuple[float, float, float, float] | None:
    """``left,bottom,right,top`` in degrees, or None when absent or not four numbers."""
    if not value:
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


class MBTiles:
    """A raster MBTiles file opened read-only.

    Use :meth:`open`, which refuses files that are not MBTiles. One connection serves
    every lookup, guarded by a lock: the map's URL scheme handler asks from the GUI
    thread, and a lookup is one indexed query.

    Attributes
    ----------
    path
        The file.
    metadata
        Every ``metadata`` row, as text.
    format
        ``png``, ``jpg`` or ``webp``.
    min_zoom, max_zoom
        The zoom levels the file has tiles for.
    bounds
        ``(west, south, east, north)`` in degrees, when the metadata gives them.

    Examples
    --------
    >>> tiles = MBTiles.open("region.mbtiles")  # doctest: +SKIP
    >>> tiles.tile(0, 0, 0)[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        metadata: dict[str, str],
        format: str,
        min_zoom: int,
        max_zoom: int,
    ) -> None:
        self.path = path
        self.metadata = metadata
        self.format = format
        self.min_zoom = min_zoom
        self.max_zoom = max_zoom
        self.bounds = _bounds(metadata.get("bounds"))
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path) -> MBTiles:
        """Open ``path`` read-only and check that it is a raster MBTiles file.

        Raises
        ------
        MBTilesError
            The file is missing, not SQLite, has no tiles table, or holds vector tiles.
        """
        path = Path(path)
        if not path.is_file():
            raise MBTilesError(f"{path.name}: no such file")
        # mode=ro: SQLite never writes to (or creates) the file, whatever we ask of it.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise MBTilesError(f"{path.name}: cannot be opened ({exc})") from exc
        try:
            metadata, format, zooms = cls._inspect(connection, path.name)
        except sqlite3.Error as exc:
            connection.close()
            raise MBTilesError(f"{path.name} is not an MBTiles file ({exc})") from exc
        except MBTilesError:
            connection.close()
            raise
        return cls(path, connection, metadata, format, *zooms)

    @staticmethod
    def _inspect(
        connection: sqlite3.Connection, name: str
    ) -> tuple[dict[str, str], str, tuple[int, int]]:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            )
        }
        if "tiles" not in tables:
            raise MBTilesError(f"{name} is not an MBTiles file (it has no tiles table)")
        columns = {row[1] for row in connection.execute("PRAGMA table_info(tiles)")}
        if not _TILE_COLUMNS.issubset(columns):
            raise MBTilesError(f"{name} is not an MBTiles file (its tiles table is not one)")
        metadata: dict[str, str] = {}
        if "metadata" in tables:
            metadata = {
                str(key): str(value)
                for key, value in connection.execute("SELECT name, value FROM metadata")
                if key is not None and value is not None
            }
        first = connection.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
        if first is None:
            raise MBTilesError(f"{name} holds no tiles")
        format = metadata.get("format", "").strip().lower()
        if not format:
            format = _sniff_format(bytes(first[0] or b"")) or ""
        if format not in MIME_TYPES:
            # Vector tiles (pbf) need a style and a renderer the map does not have.
            raise MBTilesError(f"{name} holds {format or 'unknown'} tiles, not PNG, JPEG or WebP")
        low, high = _zoom(metadata.get("minzoom")), _zoom(metadata.get("maxzoom"))
        if low is None or high is None:
            found = connection.execute(
                "SELECT min(zoom_level), max(zoom_level) FROM tiles"
            ).fetchone()
            low = found[0] if low is None else low
            high = found[1] if high is None else high
        return metadata, format, (max(0, min(low, high)), max(low, high))

    @property
    def name(self) -> str:
        """The tileset's name from its metadata, or the file's name."""
        return self.metadata.get("name") or self.path.stem

    @property
    def attribution(self) -> str:
        """The metadata's attribution, as plain text from the file (never trusted as HTML)."""
        return self.metadata.get("attribution", "")

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``(z, x, y)`` (row counted from the north), or None if absent."""
        if not 0 <= z <= 30 or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        with self._lock:
            if self._connection is None:
                return None
            row = self._connection.execute(
                "SELECT tile_data FROM tiles "
                "WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, 2**z - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> MBTiles:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
