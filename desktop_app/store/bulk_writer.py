"""BulkWriter: many events into a store in one transaction, as fast as SQLite allows."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from desktop_app.core.dates import PRECISION_CODES, DateError, DatePrecision, event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventArrays
from desktop_app.core.sorted_runs import SortedRuns
from desktop_app.store import columns, history, rows
from desktop_app.store.errors import StoreError
from desktop_app.store.migrations import migrations
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
        self._text_index = True
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
            # Before a staged import's second stage the text index is empty, made whole
            # by that stage from the rows as they are then: it is left alone till then.
            self._text_index = not staged_pending(self.conn)
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
            if self._text_index:
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
        if indexed and self._text_index:
            # The row is in the full-text index with its old text: take that out first.
            conn.execute(
                """INSERT INTO events_fts (events_fts, rowid, title, excerpt)
                   SELECT 'delete', id, title, excerpt FROM events WHERE id = ?""",
                [event_id],
            )
            self.replaced += 1
        rows.update_event(conn, event_id, self._values(event))
        self._rewritten.append(event_id)
        if indexed and self._text_index:
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
            if not self._text_index:
                self._rewritten.extend(saved.events)
                return
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


@dataclass
class EventColumns:
    """A block of new events as columns: what :meth:`StagedWriter.add` writes.

    The values that repeat across events (dates, places, actors, cited outlets, kept
    fields) are given once each, in a table, with each event's position in it. Blocks
    of one ``generation`` share their tables, which only grow (new entries at the end):
    a writer makes each entry once for all of them.

    Parameters
    ----------
    uids, titles, display_dates, excerpts
        Each event's own values.
    categories, category_index
        Each distinct category.
    dates, date_index
        ``(start, end, precision)`` of each distinct date.
    places, place_index
        Each distinct place (None: no place).
    actors, actor_index
        Each distinct list of actors.
    sources, source_index
        Each distinct list of cited outlets.
    attributes, attribute_index
        Each distinct set of kept fields, as ``(name, value)`` pairs.
    again
        True for an event whose uid an earlier event of the same import had: it
        replaces that one (keeping its id), as :class:`BulkWriter` does.
    generation
        Which tables these are: a block of another generation brings tables of its own.
    """

    uids: list[str]
    titles: list[str]
    display_dates: list[str]
    excerpts: list[str]
    categories: list[str]
    category_index: np.ndarray
    dates: list[tuple[str, str | None, str]]
    date_index: np.ndarray
    places: list[Place | None]
    place_index: np.ndarray
    actors: list[tuple[str, ...]]
    actor_index: np.ndarray
    sources: list[tuple[str, ...]]
    source_index: np.ndarray
    attributes: list[tuple[tuple[str, str], ...]]
    attribute_index: np.ndarray
    again: np.ndarray
    generation: int = 0


#: The key in ``meta`` that says a staged import's second stage is still to run.
STAGED_KEY = "staged_import"
# The secondary indexes and triggers the first stage leaves for the second.
_STAGED_INDEXES = ("idx_events_uid", *BulkWriter._DEFERRED_INDEXES)
_FTS_TRIGGERS = ("events_ai", "events_ad", "events_au")
_COLUMN_TRIGGERS = ("events_columns_ai", "events_columns_au")


class StagedWriter:
    """Writes a large import into a NEW store in two stages, all or nothing.

    Stage one (this writer) writes the events, their places and outlets and the columns
    the map and the timeline open from into a file beside ``target``, with no journal
    and no secondary index, then syncs it to disk and renames it onto ``target`` in one
    step: a crash leaves either no new store (the file beside it is left over, and the
    next import removes it) or the usable one. Stage two (:func:`finish_staged`, run
    when the import goes on, or in the background when the store is next opened) makes
    the indexes, links each event to its cited outlets and fills the full-text index,
    in one transaction; until then ``meta.staged_import`` says so.

    Only for a store that does not exist yet (or holds nothing): into a store with
    events an import goes through :class:`BulkWriter`, one transaction, so that a crash
    can never leave the store's earlier events half-indexed.

    Parameters
    ----------
    target
        The store to make.
    row_chunk
        The events the row-by-row import writes at a time: which copies of a uid it
        writes, and so which places and outlets it stores, depend on it.
    """

    #: Page cache of the first stage (KiB).
    CACHE_KIB = 16 * 1024
    #: The new store's page size.
    PAGE_BYTES = 16384
    def __init__(self, target: Path, row_chunk: int) -> None:
        self.target = Path(target)
        self.row_chunk = row_chunk
        self.staging = self.target.with_name(self.target.name + ".importing")
        self.added = 0
        self.conn: sqlite3.Connection | None = None
        self._place_ids: dict[tuple[str, float, float], int] = {}
        self._place_objects: dict[int, tuple[Place, int, int]] = {}
        #: Each place written as it was met: (id, kind, country), by its number.
        self._variants: dict[tuple[int, str | None, str | None], int] = {}
        #: The kind and country each place was stored with.
        self._written: dict[int, tuple[str | None, str | None]] = {}
        self._source_ids: dict[str, int] = {}
        self._sets: dict[tuple[int, ...], int] = {}
        self._uid_hashes = SortedRuns()
        self._columns: list[tuple[np.ndarray, ...]] = []
        #: Each new event's place as met (a number of ``_variants``), block by block.
        self._event_variants: list[np.ndarray] = []
        self._changes: list[tuple[int, float, float, int, int, int, int]] = []
        #: Each event replacing an earlier one: (its position among the events given,
        #: the id it rewrites, its outlets' set, its place's number of ``_variants``).
        self._replacements: list[tuple[int, int, int, int]] = []
        self._given = 0
        self._saved: dict[str, str] = {}
        #: What this writer made of the entries of its blocks' tables, and of which
        #: generation of tables.
        self._made: _Made | None = None
        self._generation = -1

    def __enter__(self) -> StagedWriter:
        with contextlib.suppress(FileNotFoundError):
            self.staging.unlink()
        conn = sqlite3.connect(self.staging, isolation_level=None)
        self.conn = conn
        try:
            # Nothing in this file counts until it is renamed onto the target: no
            # journal and no syncing until then (the rename waits for one sync).
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            # Before the first table: a million rows of about 600 bytes fill a quarter
            # as many pages, written (and later scanned by the second stage) faster.
            conn.execute(f"PRAGMA page_size = {self.PAGE_BYTES}")
            # Rows are only appended: a small page cache does (the memory is the
            # parser's).
            conn.execute(f"PRAGMA cache_size = {-self.CACHE_KIB}")
            migrations.apply(Database(conn))
            names = (*_STAGED_INDEXES, *_FTS_TRIGGERS, *_COLUMN_TRIGGERS)
            marks = ",".join("?" * len(names))
            self._saved = dict(
                conn.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE name IN ({marks})", names
                ).fetchall()
            )
            for name in _STAGED_INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
            for name in (*_FTS_TRIGGERS, *_COLUMN_TRIGGERS):
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute("BEGIN")
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.conn is not None:
            self._discard()

    def _discard(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.close()
            self.conn = None
        with contextlib.suppress(FileNotFoundError):
            self.staging.unlink()

    def add(self, block: EventColumns) -> None:
        """Write a block of events (new ones, and ``again`` those replacing earlier ones)."""
        try:
            self._add(block)
        except (sqlite3.DatabaseError, DateError) as exc:
            raise StoreError(f"{self.target}: nothing was saved ({exc})") from None

    def _add(self, block: EventColumns) -> None:
        conn = self.conn
        if block.generation != self._generation or self._made is None:
            self._generation, self._made = block.generation, _Made()
        made = self._made
        made.extend(block)
        di, pi, ci = block.date_index, block.place_index, block.category_index
        # Only the dates the block's events use: the others are of rows left out.
        used = np.unique(di)
        todo = used[~made.spanned[used]].tolist()
        if todo:
            dates = block.dates
            spans = np.array([_span(*dates[at]) for at in todo], np.float64)
            made.t0[todo], made.t1[todo] = spans[:, 0], spans[:, 1]
            made.spanned[todo] = True
        # Places and outlets get their ids in the order the events first use them, as
        # when the events are written one by one.
        used = _first_use(pi)
        for at in used[~made.placed[used]].tolist():
            place = block.places[at]
            if place is not None:
                made.place_ids[at], made.variants[at] = self._place_id(place)
                made.place_values[at] = int(made.place_ids[at])
            made.placed[at] = True
        used = _first_use(block.source_index)
        for at in used[~made.linked[used]].tolist():
            made.set_ids[at] = self._set_id(block.sources[at])
            made.linked[at] = True
        # Each event's row: its own values and its value of each table of distinct ones,
        # taken by numpy (a C loop over the events' positions, not a Python one), laid
        # one row after another in one list (no tuple a row for the collector to visit).
        width = len(rows.STAGED_VALUES) + 1
        values: list = [None] * (len(block.uids) * width)
        for column, value in enumerate(
            (
                block.uids,
                block.titles,
                made.starts[di].tolist(),
                made.ends[di].tolist(),
                made.precisions[di].tolist(),
                block.display_dates,
                # Python's floats: SQLite binds numpy's only after asking each how to
                # adapt it (a look-up that fails, twice a row).
                made.t0[di].tolist(),
                made.t1[di].tolist(),
                made.categories[ci].tolist(),
                made.actors[block.actor_index].tolist(),
                made.place_values[pi].tolist(),
                block.excerpts,
                made.attributes[block.attribute_index].tolist(),
            )
        ):
            values[column::width] = value
        row_columns = (
            made.t0[di],
            made.t1[di],
            made.place_ids[pi],
            made.category_codes[ci],
            made.precision_codes[di],
            made.set_ids[block.source_index],
        )
        variants = made.variants[pi]
        given, self._given = self._given, self._given + len(block.uids)
        again = block.again
        if not again.any():
            rows.insert_staged_events(conn, values)
            self._keep(block.uids, row_columns, variants)
            return
        # Rare: an event replaces one of the import's own earlier ones. New events go in
        # first, in order; each replacement then rewrites the row it replaces.
        first_at: dict[str, int] = {}
        for at, uid in enumerate(block.uids):
            first_at.setdefault(uid, at)
        fresh = np.flatnonzero(~again).tolist()
        replacing = []
        for i in np.flatnonzero(again).tolist():
            uid = block.uids[i]
            found = _IN_BLOCK if first_at[uid] < i else self._id_in_store(uid)
            if found is None:
                fresh.append(i)  # another uid of the same hash: a new event after all
            else:
                replacing.append((i, found))
        fresh = np.sort(np.asarray(fresh, np.int64))
        rows.insert_staged_events(
            conn, [v for i in fresh.tolist() for v in values[i * width : (i + 1) * width]]
        )
        self._keep(
            [block.uids[i] for i in fresh.tolist()],
            tuple(c[fresh] for c in row_columns),
            variants[fresh],
        )
        for i, event_id in replacing:
            if event_id is _IN_BLOCK:
                event_id = self._id_in_store(block.uids[i])
            rows.update_event(conn, event_id, _all_values(values[i * width : (i + 1) * width]))
            self._changes.append((event_id, *(c[i].item() for c in row_columns)))
            self._replacements.append(
                (given + i, event_id, row_columns[5][i].item(), variants[i].item())
            )

    def _id_in_store(self, uid: str) -> int | None:
        """The id of the written event whose uid is ``uid`` (None: none is)."""
        for event_id in self._uid_hashes.values_of(hash(uid)):
            row = self.conn.execute("SELECT uid FROM events WHERE id = ?", [event_id]).fetchone()
            if row is not None and row[0] == uid:
                return event_id
        return None

    def _keep(
        self, uids: list[str], row_columns: tuple[np.ndarray, ...], variants: np.ndarray
    ) -> None:
        self._uid_hashes.add(np.fromiter(map(hash, uids), np.int64, len(uids)), self.added + 1)
        self._columns.append(row_columns)
        self._event_variants.append(variants)
        self.added += len(uids)

    def _place_id(self, place: Place) -> tuple[int, int]:
        """The id of ``place`` and the number of its kind and country among those met."""
        # Readers hand out one Place object per distinct place: recognising the object
        # is cheaper than hashing its fields (the entry keeps it alive, so its id stays).
        seen = self._place_objects.get(id(place))
        if seen is not None and seen[0] is place:
            return seen[1], seen[2]
        key = (place.name, place.lat, place.lon)
        found = self._place_ids.get(key)
        if found is None:
            found = self._place_ids[key] = rows.place_id(self.conn, place)
            self._written[found] = (place.kind, place.country)
        variant = self._variants.setdefault((found, place.kind, place.country), len(self._variants))
        if len(self._place_objects) > 200_000:
            self._place_objects.clear()
        self._place_objects[id(place)] = (place, found, variant)
        return found, variant

    def _set_id(self, names: tuple[str, ...]) -> int:
        ids = []
        for name in dict.fromkeys(names):
            found = self._source_ids.get(name)
            if found is None:
                found = self._source_ids[name] = rows.source_id(self.conn, name)
            ids.append(found)
        return self._sets.setdefault(tuple(ids), len(self._sets))

    def _settle_replacements(self, source_sets: list[list[int]]) -> np.ndarray | None:
        """Make the places and outlets those the row-by-row import leaves, when events
        replaced earlier ones (rare: the common path never comes here).

        The row-by-row import writes ``row_chunk`` events at a time, and of the
        copies of one uid in a chunk only the last, at the first one's position, after
        the chunk's new events when it replaces an event of an earlier chunk. A place
        is stored with the kind and country of the first event written that uses it;
        a place or outlet only a copy left unwritten used is not stored at all. This
        replays that order over each event's place and outlets (numpy, no loop per
        event), then corrects the places and outlets this writer stored otherwise, and
        numbers them in the order that import gives them their ids. Returns each place
        id's new one (None: all kept), for the events' places kept in memory; the
        outlets' new ids are written into ``source_sets``."""
        fresh_sets = np.concatenate([c[5] for c in self._columns]).astype(np.int64)
        fresh_variants = np.concatenate(self._event_variants).astype(np.int64)
        at, ids, sets, variants = (
            np.array(c, np.int64) for c in zip(*self._replacements, strict=True)
        )
        count = self._given
        is_fresh = np.ones(count, bool)
        is_fresh[at] = False
        fresh_at = np.flatnonzero(is_fresh)
        event_ids = np.zeros(count, np.int64)
        event_ids[fresh_at] = np.arange(1, len(fresh_at) + 1)
        event_ids[at] = ids
        set_of, variant_of = np.zeros(count, np.int64), np.zeros(count, np.int64)
        set_of[fresh_at], set_of[at] = fresh_sets, sets
        variant_of[fresh_at], variant_of[at] = fresh_variants, variants
        chunk = np.arange(count) // self.row_chunk
        copies = chunk * (len(fresh_at) + 1) + event_ids
        _, first = np.unique(copies, return_index=True)
        _, last = np.unique(copies[::-1], return_index=True)
        last = count - 1 - last
        # Events of earlier chunks are rewritten after the chunk's new ones.
        replacing = fresh_at[event_ids[first] - 1] < chunk[first] * self.row_chunk
        order = np.lexsort((first, replacing, chunk[first]))
        written = variant_of[last[order]]
        written = written[written >= 0]
        met = sorted(self._variants, key=self._variants.__getitem__)
        place_of = np.array([v[0] for v in met] or [0], np.int64)
        places, at_first = np.unique(place_of[written], return_index=True)
        conn = self.conn
        corrected = []
        for place_id, variant in zip(places.tolist(), written[at_first].tolist(), strict=True):
            kind_country = met[variant][1:]
            if self._written[place_id] != kind_country:
                corrected.append((*kind_country, place_id))
        rows.set_place_kinds(conn, corrected)
        rows.delete_unused(conn, "places", sorted(set(self._written) - set(places.tolist())))
        place_order = places[np.argsort(at_first, kind="stable")]
        renumbered = np.zeros(max(self._written, default=0) + 1, np.int64)
        renumbered[place_order] = np.arange(1, len(place_order) + 1)
        moved = np.flatnonzero(renumbered[place_order] != place_order)
        if not len(moved):
            renumbered = None
        else:
            pairs = [(int(i), int(renumbered[i])) for i in place_order[moved].tolist()]
            rows.renumber(conn, "places", pairs)
        self._settle_outlets(source_sets, chunk[first], first, set_of[last])
        return renumbered

    def _settle_outlets(
        self, source_sets: list[list[int]], chunks: np.ndarray, first: np.ndarray, sets: np.ndarray
    ) -> None:
        """Keep the outlets of the events the row-by-row import writes (``sets``, each
        event's written copy, with its chunk and its first copy's position), numbered as
        it numbers them: in the order it links each chunk's events, its first copies'."""
        in_order = sets[np.lexsort((first, chunks))]
        distinct, at = np.unique(in_order, return_index=True)
        kept = dict.fromkeys(
            s for number in distinct[np.argsort(at)].tolist() for s in source_sets[number]
        )
        conn = self.conn
        rows.delete_unused(conn, "sources", sorted(set(self._source_ids.values()) - set(kept)))
        new_of = {old: new for new, old in enumerate(kept, 1)}
        # A set no written event has keeps only the outlets that stay (no event uses it).
        source_sets[:] = [[new_of[i] for i in ids if i in new_of] for ids in source_sets]
        rows.renumber(conn, "sources", [(old, new) for old, new in new_of.items() if new != old])

    def commit(self, path: Path, digest: str | None = None) -> None:
        """Record the import of the file ``path`` (``digest``: its SHA-256, when the
        reader made it as it read), keep the columns, and make the file the store
        (synced to disk, then renamed onto the target in one step)."""
        conn = self.conn
        try:
            with open(self.staging, "rb+") as handle:
                # The rows written so far go to the disk while the columns are made:
                # the sync after the commit then has only the last pages to write.
                early = threading.Thread(
                    target=os.fdatasync, args=(handle.fileno(),), name="import-sync"
                )
                early.start()
                try:
                    self._finish_rows(path, digest)
                    conn.execute("COMMIT")
                finally:
                    early.join()
                conn.close()
                self.conn = None
                os.fsync(handle.fileno())
            os.replace(self.staging, self.target)
            folder = os.open(self.target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except sqlite3.DatabaseError as exc:
            self._discard()
            raise StoreError(f"{self.target}: nothing was saved ({exc})") from None

    def _finish_rows(self, path: Path, digest: str | None) -> None:
        conn = self.conn
        # The memory of this stage peaks here: what is no longer needed goes first (the
        # uids' hashes only found the events replaced by later ones), and each column's
        # blocks as soon as they are joined.
        self._uid_hashes = SortedRuns()
        # Each set of outlets by its number: the ids of its outlets, in its order.
        source_sets = [list(ids) for ids in sorted(self._sets, key=self._sets.__getitem__)]
        renumbered = self._settle_replacements(source_sets) if self._replacements else None
        self._event_variants = []
        parts = list(zip(*self._columns, strict=True)) if self._columns else [()] * 6
        self._columns = []
        joined = []
        while parts:
            part = parts.pop(0)
            joined.append(np.concatenate(part) if part else np.empty(0))
            del part
        t0, t1, places, categories, precisions, sets = joined
        del joined
        for event_id, *changed in self._changes:
            at = event_id - 1
            t0[at], t1[at], places[at], categories[at], precisions[at], sets[at] = changed
        if renumbered is not None:
            places = renumbered[places]
        arrays = columns.from_values(conn, t0, t1, places, categories, precisions)
        del t0, t1, places, categories, precisions
        columns.store(conn, arrays, columns.generation(conn) + 1)
        del arrays
        for name in _COLUMN_TRIGGERS:
            if name in self._saved:
                conn.execute(self._saved[name])
        history.record(
            conn,
            history.IMPORT,
            after={"added": self.added, "replaced": 0},
            file=Path(path),
            file_digest=digest,
        )
        pending = {
            "statements": json.dumps(
                [self._saved[n] for n in (*_STAGED_INDEXES, *_FTS_TRIGGERS) if n in self._saved]
            ),
            "source_sets": json.dumps(source_sets),
            "event_sets": np.asarray(sets, "<i4").tobytes(),
            "generation": str(columns.generation(conn)),
        }
        conn.executemany("INSERT INTO staged_import (name, data) VALUES (?, ?)", pending.items())
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [STAGED_KEY, str(self.added)],
        )


def _all_values(staged: Sequence) -> tuple:
    """A staged row (``uid`` first, then :data:`rows.STAGED_VALUES`) as the values of
    :data:`rows.EVENT_VALUES` (without the uid), NULL for the columns it leaves out."""
    given = dict(zip(rows.STAGED_VALUES, staged[1:], strict=True))
    return tuple(given.get(column) for column in rows.EVENT_VALUES)


# Events whose links to cited outlets the second stage writes at a time.
_LINK_CHUNK = 100_000
# An ``again`` event's earlier copy is in the same block (written just before it).
_IN_BLOCK = object()


class _Made:
    """What the staged writer made of each entry of the tables of distinct values its
    blocks share (see :class:`EventColumns`): each entry made once for the import, when
    a block first brings it (its dates' times, places' and outlets' ids when an event
    written first uses them), as arrays the blocks' rows take their values from."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(("dates", "places", "sources", "categories", "actors",
                                     "attributes"), 0)  # fmt: skip
        self.starts = self.ends = self.precisions = np.empty(0, object)
        self.precision_codes = np.zeros(0, np.uint8)
        self.t0, self.t1 = np.zeros(0, np.float64), np.zeros(0, np.float64)
        self.spanned = np.zeros(0, bool)
        self.place_ids = np.zeros(0, np.int64)
        self.place_values = np.empty(0, object)
        self.variants = np.zeros(0, np.int32)
        self.placed = np.zeros(0, bool)
        self.set_ids = np.zeros(0, np.int32)
        self.linked = np.zeros(0, bool)
        self.categories = np.empty(0, object)
        self.category_codes = np.zeros(0, np.uint8)
        self.actors = self.attributes = np.empty(0, object)

    def extend(self, block: EventColumns) -> None:
        """Make room for the entries ``block``'s tables have that the blocks before had
        not, and make those that need no store."""
        new = self._new(block.dates, "dates")
        if new:
            approximate = PRECISION_CODES[DatePrecision.APPROXIMATE]
            self.starts = _joined(self.starts, [d[0] for d in new])
            self.ends = _joined(self.ends, [d[1] for d in new])
            self.precisions = _joined(self.precisions, [d[2] for d in new])
            codes = [columns.PRECISION_CODE_OF.get(d[2], approximate) for d in new]
            self.precision_codes = np.concatenate(
                (self.precision_codes, np.array(codes, np.uint8))
            )
            self.t0 = np.concatenate((self.t0, np.zeros(len(new))))
            self.t1 = np.concatenate((self.t1, np.zeros(len(new))))
            self.spanned = np.concatenate((self.spanned, np.zeros(len(new), bool)))
        new = self._new(block.places, "places")
        if new:
            self.place_ids = np.concatenate((self.place_ids, np.zeros(len(new), np.int64)))
            self.place_values = _joined(self.place_values, [None] * len(new))
            self.variants = np.concatenate((self.variants, np.full(len(new), -1, np.int32)))
            self.placed = np.concatenate((self.placed, np.zeros(len(new), bool)))
        new = self._new(block.sources, "sources")
        if new:
            self.set_ids = np.concatenate((self.set_ids, np.zeros(len(new), np.int32)))
            self.linked = np.concatenate((self.linked, np.zeros(len(new), bool)))
        new = self._new(block.categories, "categories")
        if new:
            self.categories = _joined(self.categories, new)
            codes = [columns.CATEGORY_CODES.get(c, columns.OTHER_CATEGORY_CODE) for c in new]
            self.category_codes = np.concatenate(
                (self.category_codes, np.array(codes, np.uint8))
            )
        new = self._new(block.actors, "actors")
        if new:
            self.actors = _joined(
                self.actors, [json.dumps(list(a), ensure_ascii=False) for a in new]
            )
        new = self._new(block.attributes, "attributes")
        if new:
            self.attributes = _joined(self.attributes, [rows.attributes_json(a) for a in new])

    def _new(self, table: list, name: str) -> list:
        begin = self.counts[name]
        self.counts[name] = len(table)
        return table[begin:]


def _joined(values: np.ndarray, more: list) -> np.ndarray:
    """The array of objects ``values`` followed by ``more``."""
    added = np.empty(len(more), object)
    added[:] = more
    return np.concatenate((values, added))


def _first_use(index: np.ndarray) -> np.ndarray:
    """The values of ``index`` in the order of their first appearance."""
    if not len(index):
        return np.zeros(0, np.int64)
    values, first = np.unique(index, return_index=True)
    return values[np.argsort(first, kind="stable")]


def staged_pending(conn: sqlite3.Connection) -> bool:
    """Whether a staged import's second stage is still to run on this store."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [STAGED_KEY]).fetchone()
    return row is not None


def event_sources_pending(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    """The cited outlets (source ids) of the events ``ids`` while the second stage is
    still to run: read from the staged sets, for the events that have no links yet."""
    found = dict(conn.execute("SELECT name, data FROM staged_import").fetchall())
    if "event_sets" not in found:
        return {}
    sets = json.loads(found["source_sets"])
    data = found["event_sets"]
    result = {}
    for event_id in ids:
        at = (event_id - 1) * 4
        if 0 <= at < len(data):
            result[event_id] = sets[int.from_bytes(data[at : at + 4], "little", signed=True)]
    return result


def finish_staged(conn: sqlite3.Connection) -> bool:
    """Run a staged import's second stage, in one transaction of its own: the links of
    each event to its cited outlets, the indexes and the full-text index. Returns False
    when there was nothing to do (another connection finished it first).

    ``conn`` must be in no transaction; the write lock is waited for as by any writer.
    Events edited, added or deleted since the first stage are kept as they are now.
    """
    cache, foreign_keys, threads = (
        conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("cache_size", "foreign_keys", "threads")
    )
    # Index builds and the text index sort a million rows: a page cache as an import's,
    # and SQLite's sorter may use a second core. The links written here are of events
    # and outlets read from the store in the same transaction: checking each one's
    # foreign keys would only double the cost of writing it.
    conn.execute(f"PRAGMA cache_size = {-BulkWriter.IMPORT_CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"PRAGMA threads = {_SORT_THREADS}")
    try:
        return _finish_staged(conn)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
        conn.execute(f"PRAGMA foreign_keys = {foreign_keys}")
        conn.execute(f"PRAGMA threads = {threads}")


# The worker threads SQLite's sorter may use beside the connection's own (index builds).
_SORT_THREADS = 1
# The full-text index's memory for terms before it writes them out as a segment: the
# rebuild of a million rows then writes a few large segments instead of hundreds of
# small ones merged again and again. Set back to FTS5's default (1 MiB) afterwards.
_FTS_HASH_BYTES = 32 * 1024 * 1024
_FTS_DEFAULT_HASH_BYTES = 1024 * 1024


def _finish_staged(conn: sqlite3.Connection) -> bool:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not staged_pending(conn):
            conn.execute("ROLLBACK")
            return False
        found = dict(conn.execute("SELECT name, data FROM staged_import").fetchall())
        event_sets = np.frombuffer(found["event_sets"], "<i4")
        if columns.generation(conn) == int(found.get("generation", -1)):
            # No write since the first stage (each raises the generation): the staged
            # events are all there, none linked yet.
            present = None
        else:
            # An event rewritten since has its links already (or none on purpose); a
            # deleted one has none.
            linked = [r[0] for r in conn.execute("SELECT DISTINCT event_id FROM event_sources")]
            ids = conn.execute("SELECT id FROM events WHERE id <= ?", [len(event_sets)])
            present = np.fromiter((r[0] for r in ids), np.int64)
            present = present[~np.isin(present, np.asarray(linked, np.int64))]
        _link_sources(conn, json.loads(found["source_sets"]), event_sets, present)
        for sql in json.loads(found["statements"]):
            conn.execute(sql)
        conn.execute(
            "INSERT INTO events_fts (events_fts, rank) VALUES ('hashsize', ?)", [_FTS_HASH_BYTES]
        )
        conn.execute("INSERT INTO events_fts (events_fts) VALUES ('rebuild')")
        conn.execute(
            "INSERT INTO events_fts (events_fts, rank) VALUES ('hashsize', ?)",
            [_FTS_DEFAULT_HASH_BYTES],
        )
        conn.execute("DELETE FROM staged_import")
        conn.execute("DELETE FROM meta WHERE key = ?", [STAGED_KEY])
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.DatabaseError):
            conn.execute("ROLLBACK")
        raise
    return True


def _link_sources(
    conn: sqlite3.Connection,
    sets: list[list[int]],
    event_sets: np.ndarray,
    present: np.ndarray | None,
) -> None:
    """Link the events ``present`` (None: every staged one) to the outlets of their sets,
    each event's in the order of its set, as one write per event would.

    SQLite joins each event's set to the outlets of a small table of the sets: a chunk
    of events goes in as one JSON text of numbers (made by numpy), each the event's id
    times the number of sets plus its set's, instead of a Python tuple per link."""
    conn.execute(
        """CREATE TEMP TABLE staged_sets (
            set_id INTEGER, position INTEGER, source_id INTEGER,
            PRIMARY KEY (set_id, position)
        ) WITHOUT ROWID"""
    )
    try:
        conn.executemany(
            "INSERT INTO temp.staged_sets VALUES (?, ?, ?)",
            [(k, at, source) for k, ids in enumerate(sets) for at, source in enumerate(ids)],
        )
        count = max(len(sets), 1)
        ids = np.arange(1, len(event_sets) + 1, dtype=np.int64) if present is None else present
        for begin in range(0, len(ids), _LINK_CHUNK):
            part = ids[begin : begin + _LINK_CHUNK]
            keys = part * count + event_sets[part - 1]
            conn.execute(
                """INSERT OR IGNORE INTO event_sources (event_id, source_id)
                   SELECT j.value / ?, s.source_id FROM json_each(?) j
                   JOIN temp.staged_sets s ON s.set_id = j.value % ?
                   ORDER BY j.key, s.position""",
                [count, _json_integers(keys), count],
            )
    finally:
        conn.execute("DROP TABLE temp.staged_sets")


def _json_integers(values: np.ndarray) -> str:
    """A JSON array of integers, written by numpy."""
    return "[" + ",".join(values.astype(str).tolist()) + "]"
