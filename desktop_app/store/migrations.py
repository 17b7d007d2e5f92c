"""The schema of an Event Atlas store, and the only place it is written down.

Each step is a function registered on :data:`migrations`; sqlite-utils records the
names of applied steps in ``_sqlite_migrations`` so applying them twice is the same as
applying them once. Add a new step for every change; never edit an applied one.
"""

from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from desktop_app.core.originals import text_sha256

MIGRATION_SET = "event_atlas"

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial_schema(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["articles"].create(
        {
            "uid": str,
            "title": str,
            "author": str,
            "outlet": str,
            "url": str,
            "published": str,
            "text": str,
        },
        pk="uid",
    )
    db["sources"].create({"id": int, "name": str}, pk="id")
    db["sources"].create_index(["name"], unique=True)
    db["places"].create(
        {"id": int, "name": str, "lat": float, "lon": float, "kind": str, "country": str},
        pk="id",
    )
    db["places"].create_index(["name", "lat", "lon"], unique=True)
    db["events"].create(
        {
            "id": int,
            "uid": str,
            "title": str,
            "start": str,
            "end": str,
            "precision": str,
            "display_date": str,
            "t0": float,
            "t1": float,
            "category": str,
            "actors": str,
            "place_id": int,
            "excerpt": str,
            "article_uid": str,
        },
        pk="id",
        foreign_keys=[("place_id", "places", "id"), ("article_uid", "articles", "uid")],
        not_null={"uid", "title", "start", "precision", "t0", "t1"},
    )
    db["events"].create_index(["uid"], unique=True)
    db["events"].create_index(["t0"])
    db["events"].create_index(["t1"])
    db["events"].create_index(["place_id"])
    db["events"].create_index(["category"])
    db["event_sources"].create(
        {"event_id": int, "source_id": int},
        pk=("event_id", "source_id"),
        foreign_keys=[("event_id", "events", "id"), ("source_id", "sources", "id")],
    )
    db["event_sources"].create_index(["source_id"])
    db["events"].enable_fts(["title", "excerpt"], create_triggers=True, tokenize="unicode61")
    db["meta"].insert({"key": "application", "value": "event-atlas"})


@migrations()
def m002_geocode_cache(db: Database) -> None:
    # Answers of online geocoders, so that no name is asked twice. ``found`` is 0 for a
    # name the service did not know: asking again would only repeat the same answer.
    db["geocode_cache"].create(
        {
            "provider": str,
            "query": str,
            "found": int,
            "name": str,
            "lat": float,
            "lon": float,
            "kind": str,
            "country": str,
            "created": str,
        },
        pk=("provider", "query"),
        not_null={"provider", "query", "found"},
    )


@migrations()
def m003_event_origin(db: Database) -> None:
    # Events with an origin and a target (a strike launched from one place at another)
    # keep the origin as a second place; most events have none.
    # Plain ALTER TABLE: sqlite-utils' foreign-key helper would rebuild the whole table,
    # slow on a store of a million events.
    db.execute("ALTER TABLE events ADD COLUMN origin_place_id INTEGER REFERENCES places(id)")


@migrations()
def m004_place_and_source_search(db: Database) -> None:
    # The text filter finds events by the names of their places and cited outlets too.
    # Both tables are small (places repeat across events), so their own indexes, kept by
    # triggers, cost imports little and need nothing of the event writers.
    db["places"].enable_fts(["name", "country"], create_triggers=True, tokenize="unicode61")
    db["sources"].enable_fts(["name"], create_triggers=True, tokenize="unicode61")


@migrations()
def m005_event_columns(db: Database) -> None:
    # The columns the map and the timeline read, kept as one blob each (raw little-endian
    # values, see desktop_app/store/columns.py) so that opening a large store reads a few
    # blobs instead of a row per event. They count only while their generation is the
    # store's (meta.events_generation): the bulk writer raises it once per transaction,
    # and these triggers raise it on every other write that could change a column.
    db["event_columns"].create(
        {"name": str, "data": bytes, "count": int, "generation": int},
        pk="name",
        not_null={"data", "count", "generation"},
    )
    db["meta"].insert({"key": "events_generation", "value": "0"}, replace=True)
    bump = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'events_generation'"
    for name, when in (
        ("events_columns_ai", "AFTER INSERT ON events"),
        (
            "events_columns_au",
            "AFTER UPDATE OF id, t0, t1, category, precision, place_id, origin_place_id ON events",
        ),
        ("events_columns_ad", "AFTER DELETE ON events"),
        ("places_columns_au", "AFTER UPDATE OF id, lat, lon ON places"),
        ("places_columns_ad", "AFTER DELETE ON places"),
    ):
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN {bump}; END")


@migrations()
def m006_event_attributes(db: Database) -> None:
    # A source's fields that no part of an event holds, kept as one JSON object per event
    # (NULL for none: most events of our own formats have none). Plain ALTER TABLE, as
    # for the origin: a rebuild would be slow on a large store.
    db.execute("ALTER TABLE events ADD COLUMN attributes TEXT")


@migrations()
def m007_history(db: Database) -> None:
    # Every change to the events, told as it happened: imports (with the file's name,
    # size and SHA-256), edits, merges, deletes and their undoing. ``before`` and
    # ``after`` are JSON of the values that changed; rows are only ever added.
    db["history"].create(
        {
            "id": int,
            "at": str,
            "kind": str,
            "event_id": int,
            "event_uid": str,
            "before": str,
            "after": str,
            "file_name": str,
            "file_size": int,
            "file_sha256": str,
        },
        pk="id",
        not_null={"at", "kind"},
    )
    db["history"].create_index(["event_id"])


@migrations()
def m008_saved_views(db: Database) -> None:
    # Views the user named (a time window, a map extent, a filter, a selection) live in
    # the store, so they travel with its events. ``state`` is the JSON of
    # desktop_app/store/views.py; ``position`` is the order the user gave them.
    db["saved_views"].create(
        {"id": int, "name": str, "position": int, "state": str, "created": str, "updated": str},
        pk="id",
        not_null={"name", "position", "state", "created", "updated"},
    )
    db["saved_views"].create_index(["name"], unique=True)


@migrations()
def m009_distinct_events(db: Database) -> None:
    # Pairs of events the user has looked at and called two different events: the
    # duplicate finder leaves them out. Deleting either event forgets the pair.
    db.execute(
        """CREATE TABLE distinct_events (
            first_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            second_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            marked TEXT NOT NULL,
            PRIMARY KEY (first_id, second_id),
            CHECK (first_id < second_id)
        )"""
    )


@migrations()
def m010_grades_and_originals(db: Database) -> None:
    # An event's grade (NULL: not graded, F6); an outlet's grade, which the events
    # citing it inherit until they are graded themselves; each cited name's outlet by
    # its one name (desktop_app/core/outlets.py), so that corroboration counts outlets,
    # not spellings; and each article's text hash and retrieval time, so that a kept
    # original can be shown unchanged.
    for column in ("reliability", "credibility", "grade_reason"):
        db.execute(f"ALTER TABLE events ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE sources ADD COLUMN outlet TEXT")
    db.execute("CREATE INDEX sources_outlet ON sources (outlet)")
    db.execute("ALTER TABLE articles ADD COLUMN sha256 TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN retrieved TEXT")
    db.execute(
        """CREATE TABLE outlet_grades (
            outlet TEXT PRIMARY KEY,
            reliability TEXT NOT NULL,
            credibility TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        )"""
    )
    # Each cited name's outlet is filled in on opening (event_store._rename_outlets).
    for uid, text in db.execute("SELECT uid, text FROM articles WHERE text IS NOT NULL").fetchall():
        db.execute("UPDATE articles SET sha256 = ? WHERE uid = ?", [text_sha256(text), uid])


@migrations()
def m011_staged_import(db: Database) -> None:
    # A large import into a new store is written in two stages (store/bulk_writer.py):
    # the rows and the columns first, then, in the background, what only searches and
    # the excerpt panel's outlets need (the indexes, each event's cited outlets, the
    # full-text index). Until the second stage is done this table holds what it needs,
    # by name: the statements of the indexes and triggers to make, each event's set of
    # cited outlets (one blob), the outlets of each set. An empty table: nothing pending.
    db.execute(
        """CREATE TABLE staged_import (
            name TEXT PRIMARY KEY,
            data BLOB NOT NULL
        )"""
    )


@migrations()
def m012_no_end_time_index(db: Database) -> None:
    # No query reads the events by their end (t1): a time window is found by its start's
    # index (t0), and the map and the timeline read the columns. The index only cost
    # every write, and a large import the time of building it.
    db.execute("DROP INDEX IF EXISTS idx_events_t1")
    # A staged import's second stage still to run would make it again.
    found = db.execute("SELECT data FROM staged_import WHERE name = 'statements'").fetchone()
    if found is not None:
        kept = [sql for sql in json.loads(found[0]) if '"idx_events_t1"' not in sql]
        db.execute(
            "UPDATE staged_import SET data = ? WHERE name = 'statements'", [json.dumps(kept)]
        )


#: Steps a store opened read-only can do without, because they only keep ready what can
#: be worked out from the rows, add what such a store cannot have yet (a store without
#: saved views has none to recall), record changes a read-only store never makes, or
#: drop an index no query needs: such a store is read as it is.
READABLE_WITHOUT = frozenset(
    {
        "m005_event_columns", "m007_history", "m008_saved_views", "m011_staged_import",
        "m012_no_end_time_index",
    }
)  # fmt: skip
