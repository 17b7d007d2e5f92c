"""What the map page shows of events on hover and selection: title and date, and the
name and kind of each event's place (the map prints place names)."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.store.event_store import EventStore


def describe_events(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """A describer for :class:`~desktop_app.ui.map.view.MapView`: ids to titles and dates."""

    def describe(ids: list[int]) -> list[dict]:
        return [
            {"id": event_id, "title": title, "date": date, "place": place, "place_kind": kind}
            for event_id, title, date, place, kind in store.headlines(ids)
        ]

    return describe


def describe_places(store: EventStore) -> Callable[[list[int]], list[dict]]:
    """A describer of the places of events only (``{"id", "place", "place_kind"}``), for
    :func:`~desktop_app.ui.map.view.place_names`: one query for thousands of events,
    without reading the events themselves."""

    def describe(ids: list[int]) -> list[dict]:
        found = store.places_of(ids)
        return [
            {"id": i, "place": found[i][0], "place_kind": found[i][1]} for i in ids if i in found
        ]

    return describe
