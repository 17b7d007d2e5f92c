"""What the map page shows of events on hover and selection: title and date, and the
name and kind of each event's place (the map prints place names)."""

from __future__ import annotations

import json
from collections.abc import Callable

from desktop_app.store.event_store import EventStore


def describe_events(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """A describer for :class:`~desktop_app.ui.map.view.MapView`: ids to titles and dates."""

    def describe(ids: list[int]) -> list[dict]:
        return [
            {
                "id": e.id,
                "title": e.title,
                "date": e.display_date or e.start,
                "place": e.place.name if e.place else None,
                "place_kind": e.place.kind if e.place else None,
            }
            for e in store.events(ids)
        ]

    return describe


def describe_places(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """A describer of the places of events only (``{"id", "place", "place_kind"}``), for
    :func:`~desktop_app.ui.map.view.place_names`: one query for thousands of events,
    without reading the events themselves."""

    def describe(ids: list[int]) -> list[dict]:
        found = {
            event_id: (name, kind)
            for event_id, name, kind in store.db.execute(
                """SELECT e.id, p.name, p.kind FROM json_each(?) j
                   JOIN events e ON e.id = j.value JOIN places p ON p.id = e.place_id""",
                [json.dumps([int(i) for i in ids])],
            )
        }
        return [
            {"id": i, "place": found[i][0], "place_kind": found[i][1]} for i in ids if i in found
        ]

    return describe
