"""BulkWriter: many events into a store in one transaction, as fast as SQLite allows."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from desktop_app.core.dates import DateError, event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventArrays
from desktop_app.store import columns, history, rows
from desktop_app.store.errors import StoreError
from desktop_app.store.rows import AddResult


@lru_cache(maxsize=65536)
def _span(start: str, end: str | None, precision: str) -> tuple[float, float]:
    # Datasets repeat the same few thousand dates; computing each once is most of the
    # speed of a large import.
    return event_span(start, end, precision)


class BulkWriter:
    """Writes events in one transaction; made by :meth:`EventStore.bulk_writer`, and the
    one writer of events (:meth:`EventStore.add_events` uses it too).

    Why it is fast: rows go in with ``executemany``, places, sources and articles are
    looked up once per import, and the full-text index of new events is filled by one
    statement at the end instead of a trigger per row (measured 8x faster). The insert
    trigger is dropped inside the transaction, so a failure or rollback restores it
    with everything else. The columns the views read (:mod:`desktop_app.store.columns`)
    are brought up to date at the end, in the same transaction: from the ones kept
    before and the rows this writer wrote, or from every row when there were none.

    Parameters
    ----------
    conn
        The store's connection (so the writer works in the store's thread).
    path
        The store's file, for messages.
    begin
        Starts the write transaction (:meth:`EventStore.begin_write`, which waits for
        another process's import).
    """

    # The full-text index's triggers, and those raising the columns' generation on a
    # write from elsewhere: this writer does both once for the whole transaction.
    _TRIGGERS = ("events_ai", "events_au", "events_columns_ai", "events_columns_au")
    # Secondary indexes a large import drops and builds again once at the end (inside
    # the transaction, so a rollback restores them): one sort of the finished table is
    # cheaper than a b-tree insert per row. idx_events_uid stays, because every chunk
    # looks its uids up in it and it keeps them unique.
    _DEFERRED_INDEXES = (
        "idx_events_t0",
        "idx_events_t1",
        "idx_events_place_id",
        "idx_events_category",
        "idx_event_sources_source_id",
    )
    # Rebuilding an index costs a pass over the whole table: worth it only when the
    # import adds at least this many rows, and at least as many as the store held.
    DEFER_INDEXES_AFTER = 20_000
    # Page cache for the import (KiB): a chunk's pages stay in memory until commit
    # instead of spilling to the WAL one by one. Bounded, and restored afterwards.
    IMPORT_CACHE_KIB = 64 * 1024

    def __init__(self, conn: sqlite3.Connection, path: Path, begin: Callable[[], None]) -> None:
        self.conn = conn
        self.path = path
        self._begin = begin
        self.added = 0
        self.replaced = 0
        self._places: dict[tuple[str, float, float], int] = {}
        self._sources: dict[str, int] = {}
        self._source_ids: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._place_objects: dict[int, tuple[Place, int]] = {}
        self._articles: set[str] = set()
        self._actors: dict[tuple[str, ...], str] = {}
        self._triggers: list[str] = []
        self._indexes: list[str] = []
        self._max_before = 0
        self._rewritten: list[int] = []
        #: The columns as they were at the start, read before a delete (whose trigger
        #: would make them look out of date) and used at the end.
        self._columns_before: EventArrays | None = None
        self._columns_read = False
        self._open = False
        self._pragmas: dict[str, object] = {}

    def __enter__(self) -> BulkWriter:
        try:
            # In WAL mode synchronous=NORMAL keeps every commit atomic and the file
            # consistent (it skips only the fsync of each commit, not of checkpoints):
            # the all-or-nothing guarantee holds, a power cut may lose the last import.
            for name, value in (
                ("synchronous", 1),
                ("cache_size", -self.IMPORT_CACHE_KIB),
                ("temp_store", 2),
            ):
                self._pragmas[name] = self.conn.execute(f"PRAGMA {name}").fetchone()[0]
                self.conn.execute(f"PRAGMA {name} = {value}")
            self._begin()
            self._open = True
            self._max_before = rows.last_event_id(self.conn)
            marks = ",".join("?" * len(self._TRIGGERS))
            self._triggers = [
                row[0]
                for row in self.conn.execute(
                    f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
                    self._TRIGGERS,
                )
            ]
            for name in self._TRIGGERS:
                self.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        except StoreError:
            self._rollback()
            raise
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise StoreError(f"{self.path}: cannot start the import ({exc})") from None
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self._rollback()
            return
        try:
            self.conn.execute(
                """INSERT INTO events_fts (rowid, title, excerpt)
                   SELECT id, title, excerpt FROM events WHERE id > ?""",
                [self._max_before],
            )
            for sql in self._indexes:
                self.conn.execute(sql)
            self._update_columns()
            for sql in self._triggers:
                self.conn.execute(sql)
            self.conn.execute("COMMIT")
            self._open = False
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise StoreError(f"{self.path}: nothing was saved ({exc})") from None
        finally:
            self._restore_pragmas()

    def _update_columns(self) -> None:
        if not (self.added or self._rewritten):
            return
        # Valid as of the start of the transaction (the triggers that would have raised
        # the generation since are this writer's to drop), so the rows changed since
        # are exactly those this writer wrote.
        before = self._columns_before if self._columns_read else columns.kept(self.conn)
        if before is None:
            arrays = columns.from_rows(self.conn)
        else:
            arrays = columns.updated(self.conn, before, self._max_before, self._rewritten)
        columns.store(self.conn, arrays, columns.generation(self.conn) + 1)

    def _rollback(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute("ROLLBACK")
        self._restore_pragmas()

    def _restore_pragmas(self) -> None:
        for name, value in self._pragmas.items():
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute(f"PRAGMA {name} = {value}")
        self._pragmas = {}

    def _defer_indexes(self) -> None:
        marks = ",".join("?" * len(self._DEFERRED_INDEXES))
        self._indexes = [
            row[0]
            for row in self.conn.execute(
                f"SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                self._DEFERRED_INDEXES,
            )
        ]
        for name in self._DEFERRED_INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")

    @property
    def result(self) -> AddResult:
        return AddResult(self.added, self.replaced)

    def add(self, events: Sequence[Event]) -> None:
        """Write a chunk of events (any size; a few thousand is a good chunk)."""
        try:
            self._add(events)
        except (sqlite3.DatabaseError, DateError) as exc:
            raise StoreError(f"{self.path}: nothing was saved ({exc})") from None

    def _add(self, events: Sequence[Event]) -> None:
        conn = self.conn
        # The last copy of a uid wins, as if the events were added one by one.
        by_uid = {event.uid: event for event in events}
        existing = dict(
            conn.execute(
                "SELECT e.uid, e.id FROM json_each(?) j JOIN events e ON e.uid = j.value",
                [json.dumps(list(by_uid), ensure_ascii=False)],
            )
        )
        fresh = [e for uid, e in by_uid.items() if uid not in existing]
        new_rows = [(e.uid, *self._values(e)) for e in fresh]
        if not self._indexes and self.added + len(new_rows) >= max(
            self.DEFER_INDEXES_AFTER, self._max_before
        ):
            self._defer_indexes()
        first_id = rows.last_event_id(conn) + 1
        rows.insert_events(conn, new_rows)
        self.added += len(new_rows)
        # Without AUTOINCREMENT SQLite gives max(id) + 1 to each new row, and this
        # transaction holds the write lock, so the new ids are consecutive.
        ids = {e.uid: first_id + i for i, e in enumerate(fresh)}
        if new_rows and rows.last_event_id(conn) != first_id + len(new_rows) - 1:
            ids = dict(
                conn.execute(
                    "SELECT e.uid, e.id FROM json_each(?) j JOIN events e ON e.uid = j.value",
                    [json.dumps([e.uid for e in fresh], ensure_ascii=False)],
                )
            )
        for uid, event_id in existing.items():
            self._replace(event_id, by_uid[uid])
            ids[uid] = event_id
        links = []
        source_ids = self._source_ids
        for uid, event in by_uid.items():
            if event.sources:
                found = source_ids.get(event.sources)
                if found is None:
                    found = tuple(self._source_id(name) for name in dict.fromkeys(event.sources))
                    source_ids[event.sources] = found
                event_id = ids[uid]
                links.extend([(event_id, source_id) for source_id in found])
        if links:
            rows.link_sources(conn, links)

    def _values(self, event: Event) -> tuple:
        precision = str(event.precision)
        t0, t1 = _span(event.start, event.end, precision)
        place_id = self._cached_place_id(event.place)
        article = event.article
        if article is not None and article.uid not in self._articles:
            rows.write_article(self.conn, article)
            self._articles.add(article.uid)
        return (
            event.title,
            event.start,
            event.end,
            precision,
            event.display_date,
            t0,
            t1,
            event.category,
            self._actors_json(event.actors),
            place_id,
            event.excerpt,
            article.uid if article is not None else None,
            self._cached_place_id(event.origin),
            rows.attributes_json(event.attributes),
            *rows.grade_values(event.grade),
        )

    def _cached_place_id(self, place: Place | None) -> int | None:
        if place is None:
            return None
        # Readers hand out one Place object per distinct place: recognising the object
        # is cheaper than hashing its fields (the entry keeps it alive, so its id stays).
        seen = self._place_objects.get(id(place))
        if seen is not None and seen[0] is place:
            return seen[1]
        place_id = self._places.get((place.name, place.lat, place.lon))
        if place_id is None:
            place_id = rows.place_id(self.conn, place)
            self._places[(place.name, place.lat, place.lon)] = place_id
        if len(self._place_objects) > 200_000:
            self._place_objects.clear()
        self._place_objects[id(place)] = (place, place_id)
        return place_id

    def _actors_json(self, actors: tuple[str, ...]) -> str:
        # Datasets repeat the same actors on many rows: encode each tuple once.
        found = self._actors.get(actors)
        if found is None:
            found = json.dumps(list(actors), ensure_ascii=False)
            if len(self._actors) > 50_000:
                self._actors.clear()
            self._actors[actors] = found
        return found

    def _replace(self, event_id: int, event: Event) -> None:
        conn = self.conn
        indexed = event_id <= self._max_before
        if indexed:
            # The row is in the full-text index with its old text: take that out first.
            conn.execute(
                """INSERT INTO events_fts (events_fts, rowid, title, excerpt)
                   SELECT 'delete', id, title, excerpt FROM events WHERE id = ?""",
                [event_id],
            )
            self.replaced += 1
        rows.update_event(conn, event_id, self._values(event))
        self._rewritten.append(event_id)
        if indexed:
            conn.execute(
                """INSERT INTO events_fts (rowid, title, excerpt)
                   SELECT id, title, excerpt FROM events WHERE id = ?""",
                [event_id],
            )

    def delete(self, event_ids: Sequence[int]) -> None:
        """Delete stored events (their places, articles and outlets stay)."""
        self._keep_columns()
        try:
            rows.delete_events(self.conn, event_ids)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: nothing was saved ({exc})") from None
        self._rewritten.extend(event_ids)

    def restore(self, saved: rows.EventRows) -> None:
        """Write back rows saved before (see :func:`desktop_app.store.rows.restore_rows`)."""
        self._keep_columns()
        present = [i for i, row in saved.events.items() if row is not None]
        try:
            rows.restore_rows(self.conn, saved)
            # Rows above the first id are indexed once at the end, with the new ones.
            self.conn.execute(
                """INSERT INTO events_fts (rowid, title, excerpt)
                   SELECT id, title, excerpt FROM events
                   WHERE id IN (SELECT value FROM json_each(?)) AND id <= ?""",
                [json.dumps(present), self._max_before],
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: nothing was saved ({exc})") from None
        self._rewritten.extend(saved.events)

    def record_import(self, path: Path) -> None:
        """Tell the store's history that this transaction imports the file ``path``."""
        history.record(
            self.conn,
            history.IMPORT,
            after={"added": self.added, "replaced": self.replaced},
            file=Path(path),
        )

    def _keep_columns(self) -> None:
        if not self._columns_read:
            self._columns_before = columns.kept(self.conn)
            self._columns_read = True

    def _source_id(self, name: str) -> int:
        found = self._sources.get(name)
        if found is None:
            found = rows.source_id(self.conn, name)
            self._sources[name] = found
        return found
