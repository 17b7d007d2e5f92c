"""The dataset that ships with the app, and the store the app opens when told nothing."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.ingest.geojson import read_geojson
from desktop_app.paths import data_dir, default_store_path
from desktop_app.store.event_store import EventStore

BUNDLED_EVENTS = "bundled_events"


def bundled_datasets() -> list[Path]:
    return sorted((data_dir() / "seed").glob("*.geojson"))


def load_bundled(store: EventStore) -> int:
    """Add the shipped datasets to ``store``; returns how many events they hold."""
    events = [event for path in bundled_datasets() for event in read_geojson(path).events]
    store.add_events(events)
    # Remembered so that a caption names the bundled dataset only while the store holds
    # nothing else.
    store.set_meta(BUNDLED_EVENTS, str(store.count()))
    return len(events)


def open_store(path: str | Path | None = None) -> EventStore:
    """Open the store at ``path``; with no path, the user's default store, which is built
    from the bundled dataset the first time."""
    if path is not None:
        return EventStore(path)
    store = EventStore(default_store_path())
    # Seed once: a user who later deletes the bundled events does not get them back.
    if store.meta("bundled_loaded") is None:
        load_bundled(store)
        store.set_meta("bundled_loaded", "1")
    return store


def dataset_title(store: EventStore) -> str | None:
    """The title the store's data gives itself: the store's own, or the bundled dataset's
    name while the store holds only the bundled events; None when the data has none."""
    title = store.meta("title")
    if title:
        return title
    bundled = store.meta(BUNDLED_EVENTS)
    if bundled is not None and store.count() == int(bundled):
        for path in bundled_datasets():
            try:
                name = json.loads(path.read_text(encoding="utf-8")).get("name")
            except (OSError, ValueError):
                continue
            if name:
                return str(name)
    return None
