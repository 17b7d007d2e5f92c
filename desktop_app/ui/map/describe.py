"""What the map page shows of events on hover and selection: title and date, and the
name and kind of each event's place (the map prints place names)."""

from __future__ import annotations

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
