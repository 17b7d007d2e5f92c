"""Saved views: a named time window, map extent, filter, selection and base layer.

Views live in the store (table ``saved_views``, migration m008), so they travel with
its events. Each row keeps one view as JSON in ``state``::

    {"version": 1,
     "window": [start, end],                       days since 1970-01-01
     "extent": {"lat", "lon", "zoom", "bounds": [south, west, north, east]} | null,
     "filter": Filter.to_json(),
     "selection": [event id, ...], "current": event id | null,
     "base_layer": "" | "osm" | "imagery" | "mbtiles", "mbtiles_file": path | ""}

``position`` orders the views as the user arranged them (0 first, no gaps).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from desktop_app.core.filter import Filter, FilterError
from desktop_app.core.window import TimeWindow
from desktop_app.store.errors import StoreError
from desktop_app.store.event_store import EventStore

__all__ = [
    "MapExtent",
    "check_can_save",
    "SavedView",
    "UnknownView",
    "delete_view",
    "find_view",
    "move_view",
    "rename_view",
    "reorder_views",
    "save_view",
    "saved_views",
    "view_names",
]

STATE_VERSION = 1
_TABLE = "saved_views"


class UnknownView(StoreError):
    """No view of that name; the message names the ones there are."""


@dataclass(frozen=True)
class MapExtent:
    """Where the map looks: a centre and zoom, and the bounds that must stay in view.

    ``bounds`` is ``(south, west, north, east)`` in degrees: a map of another size
    zooms out until they fit.
    """

    lat: float
    lon: float
    zoom: float
    bounds: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class SavedView:
    """One named view of a store.

    Parameters
    ----------
    name
        What the user called it.
    window
        The time window.
    extent
        Where the map looked; None lets the map fit the window's events.
    filter
        Which events were shown besides the window.
    selection, current
        The selected events, and the one being read.
    base_layer
        ``""`` (the offline outlines), an online layer's key, or ``"mbtiles"``.
    mbtiles_file
        The local MBTiles file, when ``base_layer`` is ``"mbtiles"``.
    position, created, updated
        Set by the store: the view's place in the list, and when it was saved (UTC).
    """

    name: str
    window: TimeWindow
    extent: MapExtent | None = None
    filter: Filter = field(default_factory=Filter)
    selection: tuple[int, ...] = ()
    current: int | None = None
    base_layer: str = ""
    mbtiles_file: str = ""
    position: int = 0
    created: str = ""
    updated: str = ""

    def state_json(self) -> str:
        """What the store keeps of the view (everything but its name and order)."""
        extent = None
        if self.extent is not None:
            e = self.extent
            extent = {"lat": e.lat, "lon": e.lon, "zoom": e.zoom, "bounds": _list(e.bounds)}
        return json.dumps(
            {
                "version": STATE_VERSION,
                "window": [self.window.start, self.window.end],
                "extent": extent,
                "filter": self.filter.to_json(),
                "selection": list(self.selection),
                "current": self.current,
                "base_layer": self.base_layer,
                "mbtiles_file": self.mbtiles_file,
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def _list(values: tuple | None) -> list | None:
    return None if values is None else list(values)


def _view_from_row(name: str, position: int, state: str, created: str, updated: str) -> SavedView:
    try:
        data = json.loads(state)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError("written by another version of Event Atlas")
        start, end = (float(v) for v in data["window"])
        extent = data.get("extent")
        if extent is not None:
            bounds = extent.get("bounds")
            extent = MapExtent(
                float(extent["lat"]),
                float(extent["lon"]),
                float(extent["zoom"]),
                tuple(float(b) for b in bounds) if bounds is not None else None,
            )
        current = data.get("current")
        return SavedView(
            name=name,
            window=TimeWindow(start, end),
            extent=extent,
            filter=Filter.from_json(data.get("filter", {})),
            selection=tuple(int(i) for i in data.get("selection", [])),
            current=None if current is None else int(current),
            base_layer=str(data.get("base_layer", "")),
            mbtiles_file=str(data.get("mbtiles_file", "")),
            position=position,
            created=created,
            updated=updated,
        )
    except (FilterError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"view {name!r}: cannot be read ({exc})") from None


def _has_table(store: EventStore) -> bool:
    # A store opened read-only may be older than saved views: it has none.
    row = store.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [_TABLE]
    ).fetchone()
    return row is not None


def saved_views(store: EventStore) -> list[SavedView]:
    """The store's views, in the user's order."""
    if not _has_table(store):
        return []
    rows = store.db.execute(
        f"SELECT name, position, state, created, updated FROM {_TABLE} ORDER BY position, id"
    ).fetchall()
    return [_view_from_row(*row) for row in rows]


def view_names(store: EventStore) -> list[str]:
    """The names of the store's views, in the user's order."""
    if not _has_table(store):
        return []
    rows = store.db.execute(f"SELECT name FROM {_TABLE} ORDER BY position, id").fetchall()
    return [row[0] for row in rows]


def find_view(store: EventStore, name: str) -> SavedView:
    """The view called ``name``; :class:`UnknownView` (naming the known ones) if none."""
    if _has_table(store):
        row = store.db.execute(
            f"SELECT name, position, state, created, updated FROM {_TABLE} WHERE name = ?",
            [name],
        ).fetchone()
        if row is not None:
            return _view_from_row(*row)
    known = view_names(store)
    listed = ", ".join(known) if known else "none"
    raise UnknownView(f"{store.path}: no view named {name!r} (saved views: {listed})")


def check_can_save(store: EventStore) -> None:
    """Raise :class:`StoreError` (saying why) when views cannot be saved in ``store``."""
    if store.read_only:
        raise StoreError(f"{store.path}: is open read-only; views cannot be saved in it")


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise StoreError("a view needs a name")
    return cleaned


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(store: EventStore, sql: str, params: list) -> None:
    try:
        with store.db.atomic():
            store.db.execute(sql, params)
    except sqlite3.IntegrityError:
        raise StoreError(f"{store.path}: a view named {params[0]!r} already exists") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{store.path}: the view was not saved ({exc})") from None


def save_view(store: EventStore, view: SavedView, *, replace: bool = False) -> SavedView:
    """Save ``view`` under its name, last in the list; returns it as the store keeps it.

    A view of the same name is replaced (keeping its place) when ``replace`` is True,
    else refused. A read-only store refuses with a :class:`StoreError`.
    """
    check_can_save(store)
    name = _clean_name(view.name)
    now = _now()
    existing = store.db.execute(f"SELECT id FROM {_TABLE} WHERE name = ?", [name]).fetchone()
    if existing is not None and replace:
        _write(
            store,
            f"UPDATE {_TABLE} SET state = ?, updated = ? WHERE name = ?",
            [view.state_json(), now, name],
        )
    else:
        (position,) = store.db.execute(
            f"SELECT coalesce(max(position) + 1, 0) FROM {_TABLE}"
        ).fetchone()
        _write(
            store,
            f"INSERT INTO {_TABLE} (name, position, state, created, updated) "
            "VALUES (?, ?, ?, ?, ?)",
            [name, position, view.state_json(), now, now],
        )
    return find_view(store, name)


def rename_view(store: EventStore, name: str, new_name: str) -> SavedView:
    """Call the view ``name`` ``new_name`` (which no other view may have)."""
    check_can_save(store)
    find_view(store, name)
    new_name = _clean_name(new_name)
    if new_name != name:
        _write(
            store,
            f"UPDATE {_TABLE} SET name = ?, updated = ? WHERE name = ?",
            [new_name, _now(), name],
        )
    return find_view(store, new_name)


def delete_view(store: EventStore, name: str) -> None:
    """Forget the view ``name``; the views after it move up."""
    check_can_save(store)
    find_view(store, name)
    names = [n for n in view_names(store) if n != name]
    with store.db.atomic():
        store.db.execute(f"DELETE FROM {_TABLE} WHERE name = ?", [name])
        _renumber(store, names)


def move_view(store: EventStore, name: str, position: int) -> list[str]:
    """Put the view ``name`` at ``position`` (0 first; clamped to the list); returns the
    names in their new order."""
    check_can_save(store)
    find_view(store, name)
    names = [n for n in view_names(store) if n != name]
    names.insert(max(0, min(int(position), len(names))), name)
    with store.db.atomic():
        _renumber(store, names)
    return names


def reorder_views(store: EventStore, names: list[str]) -> list[str]:
    """Put the views in the order of ``names``; views it leaves out follow, as they were."""
    check_can_save(store)
    known = view_names(store)
    wanted = [n for n in dict.fromkeys(names) if n in known]
    order = wanted + [n for n in known if n not in wanted]
    with store.db.atomic():
        _renumber(store, order)
    return order


def _renumber(store: EventStore, names: list[str]) -> None:
    store.db.conn.executemany(
        f"UPDATE {_TABLE} SET position = ? WHERE name = ?",
        [(i, n) for i, n in enumerate(names)],
    )
