"""The dataset that ships with the app, and the store the app opens when told nothing."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.ingest.geojson import read_geojson
from desktop_app.paths import data_dir, default_store_path
from desktop_app.store.event_store import EventStore


def bundled_datasets() -> list[Path]:
    return sorted((data_dir() / "seed").glob("*.geojson"))


def load_bundled(store: EventStore) -> int:
    """Add the shipped datasets to ``store``; returns how many events they hold."""
    events = [event for path in bundled_datasets() for event in read_geojson(path).events]
    store.add_events(events)
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


def dataset_title(store: EventStore) -> str:
    """The caption's title when none is given: the store's, or the bundled dataset's name."""
    title = store.meta("title")
    if title:
        return title
    if store.meta("bundled_loaded") is not None or store.path.stem == "seed":
        for path in bundled_datasets():
            try:
                name = json.loads(path.read_text(encoding="utf-8")).get("name")
            except (OSError, ValueError):
                continue
            if name:
                return str(name)
    return f"Event Atlas: {store.path.stem}"
