"""What the map page shows of events on hover and selection: title and date, and the
name and kind of each event's place (the map prints place names)."""

from __future__ import annotations

import json
from collections.abc import Callable

from desktop_app.store.event_store import EventStore


def describe_events(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """A describer for :class:`~desktop_app.ui.map.view.MapView`: ids to titles and dates."""

    def describe(ids: list[int]) -> list[dict]:
        # Only the columns shown, in one query: an edit of tens of thousands of events
        # describes them all, and reading them whole would take seconds.
        return [
            {
                "id": event_id,
                "title": title,
                "date": display_date or start,
                "place": place,
                "place_kind": kind,
            }
            for event_id, title, display_date, start, place, kind in store.db.execute(
                """SELECT e.id, e.title, e.display_date, e.start, p.name, p.kind
                   FROM json_each(?) j JOIN events e ON e.id = j.value
                   LEFT JOIN places p ON p.id = e.place_id ORDER BY j.key""",
                [json.dumps([int(i) for i in ids])],
            )
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
