"""A saved view as the renderer and the export job take it."""

from __future__ import annotations

import dataclasses

from desktop_app.store.views import SavedView
from desktop_app.ui.export.render import MapExtent, SnapshotRequest


def extent_of_view(view: SavedView) -> MapExtent | None:
    """Where the view's map looked, as the renderer frames a map."""
    e = view.extent
    return None if e is None else MapExtent(e.lat, e.lon, e.zoom, e.bounds)


def snapshot_of_view(view: SavedView, request: SnapshotRequest) -> SnapshotRequest:
    """``request`` with the view's extent, filter and selection (the one being read
    first); the request's window and size stay."""
    selection = list(view.selection)
    if view.current is not None:
        selection = [view.current, *(i for i in selection if i != view.current)]
    return dataclasses.replace(
        request,
        extent=extent_of_view(view),
        filter=view.filter,
        selection=tuple(selection),
    )
