"""EventStore: the events, places, articles and cited outlets in one SQLite file."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision
from desktop_app.core.duplicates import DuplicateRules, ProbableDuplicate
from desktop_app.core.event import Article, Event, Place
from desktop_app.core.filter import Filter, FilterError
from desktop_app.core.grading import Credibility, Grade, Reliability
from desktop_app.core.index import EventArrays
from desktop_app.core.outlets import outlet_key, outlet_names
from desktop_app.core.window import TimeWindow
from desktop_app.store import columns, duplicates, history, queries, rows
from desktop_app.store.bulk_writer import (
    BulkWriter,
    event_sources_pending,
    finish_staged,
    staged_pending,
)
from desktop_app.store.errors import IndexingPending, StoreError
from desktop_app.store.history import HistoryEntry
from desktop_app.store.migrations import MIGRATION_SET, READABLE_WITHOUT, migrations
from desktop_app.store.rows import AddResult, EventRows

__all__ = [
    "AddResult",
    "Change",
    "CitedOutlet",
    "EventStore",
    "FilterError",
    "StoreError",
    "check_store_file",
]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# How long a write waits for another process's import before giving up. Imports of a
# million rows take minutes, so this is generous; the wait is announced as it starts.
WRITE_WAIT_LIMIT_S = 30 * 60
# Events handed to the writer at a time by add_events: the memory of one chunk.
ADD_CHUNK = 5000
# The files SQLite keeps beside a store in WAL mode.
_SIDECARS = ("-wal", "-shm")
# Stored precision names to their members: a dict look-up is several times faster than
# calling the enum, once per event read.
_PRECISIONS = {str(p): p for p in DatePrecision}


_EVENT_COLUMNS = """
    e.id, e.uid, e.title, e.start, e."end", e.precision, e.display_date, e.category, e.actors,
    e.excerpt, p.name, p.lat, p.lon, p.kind, p.country,
    a.uid, a.title, a.author, a.outlet, a.url, a.published,
    o.name, o.lat, o.lon, o.kind, o.country, e.attributes,
    e.reliability, e.credibility, e.grade_reason, a.sha256, a.retrieved,
    (SELECT og.reliability || og.credibility || ' ' || og.outlet FROM event_sources es
        JOIN sources s ON s.id = es.source_id JOIN outlet_grades og ON og.outlet = s.outlet
        WHERE es.event_id = e.id ORDER BY og.reliability, og.credibility LIMIT 1)
"""
_EVENT_FROM = """
    FROM events e
    LEFT JOIN places p ON p.id = e.place_id
    LEFT JOIN articles a ON a.uid = e.article_uid
    LEFT JOIN places o ON o.id = e.origin_place_id
"""


@dataclass(frozen=True)
class Change:
    """One edit of the store, as rows before and after it: what undo and redo write back.

    Parameters
    ----------
    kind
        What was done (``edit``, ``add``, ``delete``, ``merge``, ``grade``, ``grade
        outlet``), as the history says.
    before, after
        The rows of every event the change touched, and of what they use (the pairs
        marked distinct they are part of, the grades of the outlets graded), on each side.
    event_ids
        The events the change touched (an added one included; none for an outlet's grade).
    """

    kind: str
    before: EventRows
    after: EventRows
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class CitedOutlet:
    """An outlet the events cite, by its one name (see :mod:`desktop_app.core.outlets`).

    Parameters
    ----------
    name
        The outlet's one name.
    events
        How many events cite it (by any of its names).
    grade
        Its grade, which the events citing it without a grade of their own take; None
        when it has none.
    """

    name: str
    events: int
    grade: Grade | None


def _outlet_grade_rows(
    conn: sqlite3.Connection, outlets: Iterable[str]
) -> dict[str, tuple[str, str, str] | None]:
    """The ``outlet_grades`` rows ``(reliability, credibility, reason)`` of ``outlets``
    (None for an ungraded one)."""
    found: dict[str, tuple[str, str, str] | None] = {}
    for outlet in outlets:
        row = conn.execute(
            "SELECT reliability, credibility, reason FROM outlet_grades WHERE outlet = ?",
            [outlet],
        ).fetchone()
        found[outlet] = None if row is None else tuple(row)
    return found


def _write_outlet_grades(
    conn: sqlite3.Connection, grades: dict[str, tuple[str, str, str] | None]
) -> None:
    """Write back outlets' grade rows as :func:`_outlet_grade_rows` reads them."""
    for outlet, row in grades.items():
        if row is None:
            conn.execute("DELETE FROM outlet_grades WHERE outlet = ?", [outlet])
        else:
            conn.execute(
                "INSERT INTO outlet_grades (outlet, reliability, credibility, reason) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (outlet) DO UPDATE SET "
                "reliability = excluded.reliability, credibility = excluded.credibility, "
                "reason = excluded.reason",
                [outlet, *row],
            )


def check_store_file(path: Path) -> None:
    """Refuse a file that is not an Event Atlas store, without writing a byte to it.

    An absent or empty file is fine (it becomes a new store). A SQLite file is accepted
    when it is empty of tables or when it records our migrations.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not an Event Atlas store")
    present = {suffix for suffix in _SIDECARS if _sidecar(path, suffix).exists()}
    try:
        _check_contents(path)
    except StoreError:
        # A read-only look at a WAL file with a journal beside it may still create the
        # shared-memory file: a refused file is left with exactly what it had.
        for suffix in set(_SIDECARS) - present:
            with contextlib.suppress(OSError):
                _sidecar(path, suffix).unlink()
        raise


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _read_only_uri(path: Path) -> str:
    """A URI that reads ``path`` without writing or creating any file.

    Without a journal beside it, every byte of the database is in the file itself, so
    SQLite may read it as immutable: no shared-memory file, no lock, nothing created.
    With a journal (a store in use, or one left by a crash) the journal must be read.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    journals = (*_SIDECARS, "-journal")
    if not any(_sidecar(path, suffix).exists() for suffix in journals):
        uri += "&immutable=1"
    return uri


def _check_contents(path: Path) -> None:
    conn = None
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return
        if "_sqlite_migrations" not in tables or "meta" not in tables:
            raise StoreError(f"{path}: is an SQLite database but not an Event Atlas store")
        applied = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
            )
        }
        row = conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be read as an Event Atlas store ({exc})") from None
    finally:
        if conn is not None:
            conn.close()
    if row is None or row[0] != "event-atlas":
        raise StoreError(f"{path}: is an SQLite database but not an Event Atlas store")
    known = {m.name for m in migrations._migrations}
    if applied - known:
        raise StoreError(f"{path}: was written by a newer version of Event Atlas")


class EventStore:
    """The events of one atlas file, and the questions the views ask of them.

    Opening checks the file first (a file that is not ours is refused untouched), then
    brings its schema up to date. All writes of one user action happen in one
    transaction. A connection belongs to the thread that opened it: a worker thread
    opens its own ``EventStore`` on the same path.

    Parameters
    ----------
    path
        The SQLite file; it is created when absent.
    read_only
        Open for viewing only. None (the default) decides from the medium: a store whose
        file or folder cannot be written (a read-only disk, a folder of someone else's)
        opens read-only instead of failing; see :attr:`read_only`. Without a journal
        beside it, such a store is read as immutable (nothing is created next to it), so
        changes another program might make later are not seen.
    """

    def __init__(
        self, path: str | Path, *, read_only: bool | None = None, resume_indexing: bool = True
    ) -> None:
        self.path = Path(path)
        self._indexing: threading.Thread | None = None
        #: False once the store is seen with no staged import to finish: it never has
        #: one again, so the questions that need the indexes stop asking.
        self._maybe_pending = True
        check_store_file(self.path)
        if read_only is None:
            read_only = _on_read_only_medium(self.path)
        self._read_only = read_only
        try:
            if read_only:
                self.db = self._open_read_only()
            else:
                try:
                    self.db = self._open_read_write()
                except sqlite3.OperationalError as exc:
                    if not (self.path.exists() and _refused_for_writing(exc)):
                        raise
                    self._read_only = True
                    self.db = self._open_read_only()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"{self.path}: cannot be opened ({exc})") from None
        if resume_indexing and not self._read_only and self.indexing_pending:
            self._indexing = threading.Thread(
                target=_finish_indexing, args=(self.path,), name="indexing", daemon=True
            )
            self._indexing.start()

    def _open_read_write(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000))
        _add_functions(db.conn)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(db)
            _rename_outlets(db)
        except BaseException:
            db.close()
            raise
        return db

    def _open_read_only(self) -> Database:
        if not self.path.exists():
            raise StoreError(f"{self.path}: does not exist (and a read-only store is not made)")
        conn = sqlite3.connect(_read_only_uri(self.path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        _add_functions(conn)
        if any(step.name not in READABLE_WITHOUT for step in migrations.pending(db)):
            db.close()
            raise StoreError(
                f"{self.path}: is read-only and needs an update from this version of Event "
                "Atlas; copy it to a folder you can write to and open the copy"
            )
        return db

    @property
    def read_only(self) -> bool:
        """True when the store is open for viewing only: every write raises StoreError."""
        return self._read_only

    def _check_writable(self) -> None:
        if self._read_only:
            raise StoreError(f"{self.path}: this store is read-only")

    def begin_write(self) -> None:
        """Start the write transaction (``BEGIN IMMEDIATE``) of one user action or import.

        When another process is writing (another import), this waits for it, saying so
        once through the ``desktop_app.store`` logger (which the command line prints on
        stderr), and gives up with a :class:`StoreError` after :data:`WRITE_WAIT_LIMIT_S`.
        """
        self._check_writable()
        waiting_since: float | None = None
        while True:
            try:
                self.db.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                # The primary code: SQLITE_BUSY_RECOVERY and kin are waits too.
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            # Each attempt has already waited the busy timeout inside SQLite.
            now = time.monotonic()
            if waiting_since is None:
                waiting_since = now - BUSY_TIMEOUT_MS / 1000
                log.warning("%s: waiting for another import to finish…", self.path)
            elif now - waiting_since >= WRITE_WAIT_LIMIT_S:
                raise StoreError(
                    f"{self.path}: another program kept writing to this store for "
                    f"{WRITE_WAIT_LIMIT_S // 60} minutes; nothing was saved"
                )

    def close(self) -> None:
        self.db.close()

    # -- a staged import's second stage (store/bulk_writer.py) ---------------------------

    @property
    def indexing_pending(self) -> bool:
        """True while a staged import's second stage (the indexes, the cited outlets'
        links, the full-text index) is still to run on this store."""
        if self._maybe_pending:
            self._maybe_pending = _has_table(self.db.conn, "staged_import") and staged_pending(
                self.db.conn
            )
        return self._maybe_pending

    def finish_indexing(self) -> None:
        """Run a staged import's second stage now, in this thread (nothing to do when it
        is done); waits for another program doing it."""
        self._check_writable()
        if self._indexing is not None:
            self._indexing.join()
            self._indexing = None
        if not self.indexing_pending:
            return
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_LIMIT_S * 1000}")
        try:
            finish_staged(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the indexes could not be made ({exc})") from None
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _indexed(self) -> None:
        """Wait for a staged import's second stage, for the questions that need it
        (text search, cited outlets, duplicates): slower then, never a wrong answer."""
        if self._indexing is None and not self.indexing_pending:
            return
        if self._read_only:
            # Only a writable opening of the store makes the indexes.
            raise IndexingPending(
                f"{self.path}: indexing… (text search, cited outlets and duplicates are "
                "ready when it is done)"
            )
        self.finish_indexing()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A value the app keeps about this store (not an event)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._check_writable()
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def add_events(self, events: Iterable[Event]) -> AddResult:
        """Add events (with their places, articles and sources) in one transaction.

        An event whose ``uid`` is already stored replaces the stored one, so importing
        the same data twice adds nothing. If anything fails, nothing is written.
        """
        with self.bulk_writer() as writer:
            pending = iter(events)
            while chunk := list(itertools.islice(pending, ADD_CHUNK)):
                writer.add(chunk)
        return writer.result

    # -- editing (every change one transaction, with its history row) -------------------

    def update_event(self, event: Event) -> Change:
        """Store new values for the stored event ``event.id`` (its uid is kept)."""
        stored = self._stored(event.id)
        edited = dataclasses.replace(event, uid=stored.uid)
        return self._change(history.EDIT, [stored.id], [edited], lambda w: w.add([edited]))

    def add_event(self, event: Event) -> Change:
        """Store a new event; its uid must not be stored yet."""
        found = self.db.execute("SELECT id FROM events WHERE uid = ?", [event.uid]).fetchone()
        if found is not None:
            raise StoreError(f"{self.path}: an event with the key {event.uid!r} is stored already")

        def write(writer: BulkWriter) -> list[int]:
            writer.add([event])
            return [
                self.db.execute("SELECT id FROM events WHERE uid = ?", [event.uid]).fetchone()[0]
            ]

        return self._change(history.ADD, [], [event], write)

    def delete_events(self, ids: Sequence[int]) -> Change:
        """Delete the stored events ``ids`` (unknown ids are left out)."""
        found = [
            row[0]
            for row in self.db.execute(
                """SELECT e.id FROM json_each(?) j JOIN events e ON e.id = j.value
                   ORDER BY j.key""",
                [json.dumps(list(dict.fromkeys(ids)))],
            )
        ]
        if not found:
            raise StoreError(f"{self.path}: no such events to delete")
        return self._change(history.DELETE, found, [], lambda w: w.delete(found))

    def merge_events(self, keep: int, other: int) -> Change:
        """Make one event of two: ``keep`` stays, with the outlets of both and both
        excerpts; ``other`` is deleted."""
        if keep == other:
            raise StoreError(f"{self.path}: an event cannot be merged with itself")
        kept, gone = self._stored(keep), self._stored(other)
        merged = dataclasses.replace(
            kept,
            sources=tuple(dict.fromkeys((*kept.sources, *gone.sources))),
            excerpt=merged_excerpt(kept.excerpt, gone.excerpt),
            actors=tuple(dict.fromkeys((*kept.actors, *gone.actors))),
        )

        def write(writer: BulkWriter) -> None:
            writer.add([merged])
            writer.delete([gone.id])

        return self._change(history.MERGE, [kept.id, gone.id], [merged], write)

    def restore_events(self, saved: EventRows, kind: str) -> None:
        """Write back the rows of one side of a :class:`Change` (undo writes ``before``,
        redo ``after``), told in the history as ``kind`` ("undo edit", "redo edit")."""
        ids = list(saved.events)
        with self.bulk_writer() as writer:
            was = {e.id: e for e in self.events(ids)}
            partners = duplicates.distinct_partners(writer.conn, ids)
            graded = _outlet_grade_rows(writer.conn, saved.outlet_grades)
            if saved.events or saved.places or saved.sources or saved.articles:
                # Not for a grading's side: restoring rows reads the map's columns whole.
                writer.restore(saved)
            duplicates.restore_distinct(writer.conn, saved.distinct)
            _write_outlet_grades(writer.conn, saved.outlet_grades)
            self._record(writer, kind, ids, was, partners)
            self._record_outlets(writer, kind, graded)
            if saved.grades:
                # A grading's side: its grade columns written back and told in the
                # history, each by one statement over a table of the changing events.
                with self._new_grades(writer.conn, kind):
                    rows.stage_grades(writer.conn, saved.grades)

    @contextlib.contextmanager
    def _new_grades(self, conn: sqlite3.Connection, kind: str) -> Iterator[None]:
        """A grading's writing, in the transaction of ``conn``: the body fills the table
        of :data:`rows.NEW_GRADES`; then each event's change is told in the history as
        ``kind`` and written, one statement each, and the table goes. A failure of any
        step says nothing was saved (the transaction is rolled back)."""
        try:
            rows.new_grades_table(conn)
            yield
            history.record_grades(conn, kind, rows.NEW_GRADES)
            rows.write_staged_grades(conn)
            rows.drop_new_grades(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: nothing was saved ({exc})") from None

    def history(self, event_id: int | None = None) -> list[HistoryEntry]:
        """The store's changes, oldest first (of one event, with ``event_id``)."""
        return history.entries(self.db.conn, event_id)

    def _stored(self, event_id: int | None) -> Event:
        found = self.event(event_id) if event_id is not None else None
        if found is None:
            raise StoreError(f"{self.path}: no event with the id {event_id}")
        return found

    def _change(
        self,
        kind: str,
        ids: list[int],
        written: list[Event],
        write: Callable[[BulkWriter], list[int] | None],
    ) -> Change:
        """Make a change undoably: the rows of the events ``ids`` (and of what the new
        events ``written`` use) before and after ``write``, and its history: one row
        per event, from the events read whole before and after."""
        conn = self.db.conn
        with self.bulk_writer() as writer:
            # What the new values will use and may create: saved as absent when new, so
            # that undo deletes them again.
            places = [p for e in written for p in (e.place, e.origin) if p is not None]
            place_ids = [
                row[0]
                for p in places
                for row in conn.execute(
                    "SELECT id FROM places WHERE name = ? AND lat = ? AND lon = ?",
                    [p.name, p.lat, p.lon],
                )
            ]
            source_ids = [
                row[0]
                for e in written
                for name in e.sources
                for row in conn.execute("SELECT id FROM sources WHERE name = ?", [name])
            ]
            article_uids = [e.article.uid for e in written if e.article is not None]
            before = rows.event_rows(conn, ids, place_ids, source_ids, article_uids)
            # Pairs marked distinct go with a deleted event: kept, to come back with it.
            before = dataclasses.replace(before, distinct=duplicates.distinct_rows(conn, ids))
            was = {e.id: e for e in self.events(ids)}
            partners = duplicates.distinct_partners(conn, ids)
            touched = list(dict.fromkeys([*ids, *(write(writer) or [])]))
            after = rows.event_rows(conn, touched, before.places, before.sources, before.articles)
            after = dataclasses.replace(after, distinct=duplicates.distinct_rows(conn, touched))
            # Every stored row the new values use was looked up above: a row missing
            # from before is one this change made.
            for mine, theirs in (
                (before.places, after.places),
                (before.sources, after.sources),
                (before.articles, after.articles),
            ):
                for key in theirs.keys() - mine.keys():
                    mine[key] = None
            for key in touched:
                before.events.setdefault(key, None)
                before.event_sources.setdefault(key, ())
            self._record(writer, kind, touched, was, partners)
        return Change(kind, before, after, tuple(touched))

    def _record(
        self,
        writer: BulkWriter,
        kind: str,
        ids: list[int],
        was: dict[int, Event],
        was_distinct: dict[int, list[int]],
    ) -> None:
        """One history row per event ``ids``: what it was (``was``, and the events it was
        marked distinct from, ``was_distinct``) and what it is now."""
        now = {e.id: e for e in self.events(ids)}
        now_distinct = duplicates.distinct_partners(writer.conn, ids)
        for event_id in ids:
            old, new = was.get(event_id), now.get(event_id)
            if old is not None and new is not None:
                before, after = history.changed_values(old, new)
            else:
                before = history.event_values(old) if old is not None else None
                after = history.event_values(new) if new is not None else None
            old_pairs, new_pairs = was_distinct.get(event_id, []), now_distinct.get(event_id, [])
            if old_pairs != new_pairs:
                if before is not None:
                    before["distinct_from"] = old_pairs
                if after is not None:
                    after["distinct_from"] = new_pairs
            uid = (new or old).uid if (new or old) is not None else None
            history.record(
                writer.conn, kind, event_id=event_id, event_uid=uid, before=before, after=after
            )

    def _record_outlets(
        self, writer: BulkWriter, kind: str, was: dict[str, tuple[str, str, str] | None]
    ) -> None:
        """One history row per outlet of ``was`` whose grade changed: what it was, what it
        is now."""
        now = _outlet_grade_rows(writer.conn, was)
        for outlet, old in was.items():
            if now[outlet] != old:
                history.record(
                    writer.conn,
                    kind,
                    before=history.outlet_values(outlet, old),
                    after=history.outlet_values(outlet, now[outlet]),
                )

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM events").fetchone()[0]

    def last_event_id(self) -> int:
        """The highest event id (0 for an empty store): events added later get higher ones."""
        return rows.last_event_id(self.db.conn)

    def time_bounds(self, after_id: int = 0) -> tuple[float, float] | None:
        """The first start and last end of the events (those with an id above
        ``after_id``: the ones added since :meth:`last_event_id` said so), or None for none.
        """
        row = self.db.execute(
            "SELECT min(t0), max(max(t1, t0)) FROM events WHERE id > ?", [after_id]
        ).fetchone()
        return None if row[0] is None else (float(row[0]), float(row[1]))

    def events_between(self, window: TimeWindow) -> list[Event]:
        """The events that show in ``window``, in order of start."""
        return self._events(
            "WHERE e.t0 < ? AND (e.t1 > ? OR e.t0 >= ?) ORDER BY e.t0, e.id",
            [window.end, window.start, window.start],
        )

    def count_between(self, window: TimeWindow) -> int:
        return self.db.execute(
            "SELECT count(*) FROM events WHERE t0 < ? AND (t1 > ? OR t0 >= ?)",
            [window.end, window.start, window.start],
        ).fetchone()[0]

    def all_events(self) -> list[Event]:
        return self._events("ORDER BY e.t0, e.id", [])

    def event(self, event_id: int) -> Event | None:
        found = self.events([event_id])
        return found[0] if found else None

    def events(self, ids: Sequence[int]) -> list[Event]:
        """The events with these ids, in the order given (unknown ids are left out)."""
        found: dict[int, Event] = {}
        # In chunks: SQLite bounds the number of values one statement takes.
        for chunk in _chunks(list(ids), 900):
            marks = ",".join("?" * len(chunk))
            found.update((e.id, e) for e in self._events(f"WHERE e.id IN ({marks})", chunk))
        return [found[i] for i in ids if i in found]

    def first_stored(self, ids: Sequence[int]) -> Event | None:
        """The first of the events ``ids``, in the order given, that is still stored
        (another window or an import may have deleted some since they were chosen)."""
        row = self.db.execute(
            """SELECT e.id FROM json_each(?) j JOIN events e ON e.id = j.value
               ORDER BY j.key LIMIT 1""",
            [json.dumps(list(ids))],
        ).fetchone()
        return self.event(row[0]) if row else None

    def headlines(self, ids: Sequence[int]) -> list[tuple[int, str, str, str | None, str | None]]:
        """What the map shows of the stored events ``ids`` on hover and selection, in the
        order given: ``(id, title, date as the source gave it, place name, place kind)``,
        in one query (an edit of tens of thousands of events describes them all, and
        reading them whole would take seconds)."""
        return self.db.execute(
            """SELECT e.id, e.title, coalesce(nullif(e.display_date, ''), e.start),
                      p.name, p.kind
               FROM json_each(?) j JOIN events e ON e.id = j.value
               LEFT JOIN places p ON p.id = e.place_id ORDER BY j.key""",
            [json.dumps([int(i) for i in ids])],
        ).fetchall()

    def places_of(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """The name and kind of the place of each of the events ``ids`` that has one, in
        one query, without reading the events themselves."""
        return {
            event_id: (name, kind)
            for event_id, name, kind in self.db.execute(
                """SELECT e.id, p.name, p.kind FROM json_each(?) j
                   JOIN events e ON e.id = j.value JOIN places p ON p.id = e.place_id""",
                [json.dumps([int(i) for i in ids])],
            )
        }

    def search(self, text: str, limit: int = 200) -> list[Event]:
        """Events whose title or excerpt match the full-text query ``text``."""
        # Every word a phrase of its own, so that the query's syntax (quotes, AND, NEAR, *)
        # is only text; NUL would end the query string early in SQLite's parser.
        words = text.replace("\x00", " ").split()
        quoted = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        if not quoted:
            return []
        self._indexed()
        return self._events(
            "WHERE e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?) "
            "ORDER BY e.t0 LIMIT ?",
            [quoted, limit],
        )

    # -- filtering (the SQL is in store/queries.py) --------------------------------------

    def matching_ids(self, flt: Filter, window: TimeWindow | None = None) -> np.ndarray:
        """The ids (ascending) of the events of ``window`` (all when None) ``flt`` lets
        through. A text query that cannot be read raises :class:`FilterError`."""
        return self._query(queries.matching_ids, flt, window)

    def count_matching(self, flt: Filter, window: TimeWindow | None = None) -> int:
        """How many events of ``window`` (all when None) ``flt`` lets through."""
        return self._query(queries.count_matching, flt, window)

    def matching_events(
        self, flt: Filter, window: TimeWindow | None = None, *, ranked: bool = False
    ) -> list[Event]:
        """The events ``flt`` lets through, by start, or best match first (``ranked``)."""
        if not ranked:
            sql, params = self._query(queries.id_query, flt, window)
            return self._query(
                lambda *_: self._events(f"WHERE e.id IN ({sql}) ORDER BY e.t0, e.id", params),
                flt,
                window,
            )
        found: list[Event] = []
        for chunk in _chunks(self._query(queries.ranked_ids, flt, window).tolist(), 900):
            found += self.events(chunk)
        return found

    def text_ids(self, text: str) -> np.ndarray:
        """The ids (ascending) of the events the text query ``text`` finds, as
        :meth:`matching_ids` with only that text would, from the text indexes alone."""
        self._indexed()
        try:
            return queries.text_ids(self.db.conn, text)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the search could not be run ({exc})") from None

    def ids_by_title(self, key: Callable[[str], str]) -> np.ndarray:
        """Every event's id in order of ``key(title)``, then of start and id; see
        ``queries.ids_by_title``."""
        try:
            return queries.ids_by_title(self.db.conn, key)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the events could not be ordered ({exc})") from None

    def place_names(self) -> list[tuple[int, str | None, str | None]]:
        """Every place's id, name and country, for ordering events by place."""
        try:
            return queries.place_names(self.db.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the events could not be ordered ({exc})") from None

    def _query(self, ask, flt: Filter, window: TimeWindow | None):
        if queries.reads_indexes(flt):
            self._indexed()
        try:
            return ask(self.db.conn, flt, window)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the filter could not be applied ({exc})") from None

    def _events(self, clause: str, params: list) -> list[Event]:
        rows = self.db.execute(f"SELECT {_EVENT_COLUMNS} {_EVENT_FROM} {clause}", params)
        rows = rows.fetchall()
        sources = self._sources_of([row[0] for row in rows])
        return [self._event_from_row(row, sources.get(row[0], ())) for row in rows]

    def _sources_of(self, ids: list[int]) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for event_id, name in self.db.execute(
                f"""SELECT es.event_id, s.name FROM event_sources es
                    JOIN sources s ON s.id = es.source_id
                    WHERE es.event_id IN ({marks}) ORDER BY es.rowid""",
                chunk,
            ):
                found.setdefault(event_id, []).append(name)
        missing = [i for i in ids if i not in found]
        if missing and (self._indexing is not None or self.indexing_pending):
            # Until the second stage links them, the staged events' outlets are read
            # from the sets it keeps.
            staged = event_sources_pending(self.db.conn, missing)
            if staged:
                names = dict(self.db.execute("SELECT id, name FROM sources").fetchall())
                for event_id, source_ids in staged.items():
                    if source_ids:
                        found[event_id] = [names[i] for i in source_ids if i in names]
        return {k: tuple(v) for k, v in found.items()}

    @staticmethod
    def _event_from_row(row: tuple, sources: tuple[str, ...]) -> Event:
        (
            event_id, uid, title, start, end, precision, display_date, category, actors,
            excerpt, place_name, lat, lon, kind, country,
            article_uid, article_title, author, outlet, url, published,
            origin_name, origin_lat, origin_lon, origin_kind, origin_country, attributes,
            reliability, credibility, grade_reason, sha256, retrieved, outlet_grade,
        ) = row  # fmt: skip
        place = Place(place_name, lat, lon, kind, country) if place_name is not None else None
        origin = (
            Place(origin_name, origin_lat, origin_lon, origin_kind, origin_country)
            if origin_name is not None
            else None
        )
        article = (
            Article(article_uid, article_title, author, outlet, url, published,
                    retrieved=retrieved, sha256=sha256)
            if article_uid is not None
            else None
        )
        return Event(
            uid=uid,
            title=title,
            start=start,
            end=end,
            precision=_PRECISIONS.get(precision) or DatePrecision(precision),
            display_date=display_date or "",
            category=category or "other",
            # Most events name no actors: no JSON to parse (the map describes thousands
            # of events at once when it opens).
            actors=() if actors in (None, "", "[]") else tuple(json.loads(actors)),
            place=place,
            excerpt=excerpt or "",
            article=article,
            sources=sources,
            id=event_id,
            origin=origin,
            attributes=rows.stored_attributes(attributes),
            grade=rows.stored_grade(reliability, credibility, grade_reason)
            if reliability is not None or outlet_grade is None
            else rows.inherited_grade(outlet_grade),
        )

    # -- bulk import --------------------------------------------------------------------

    def bulk_writer(self) -> BulkWriter:
        """A writer for large imports: use it as a context manager; everything it writes is
        one transaction, committed on a clean exit and rolled back on any exception.

        Events are replaced by ``uid``, as by :meth:`add_events` (which uses it); the new
        events' text is indexed once at the end instead of row by row.
        """
        self._check_writable()
        return BulkWriter(self.db.conn, self.path, self.begin_write)

    # -- geocode cache -----------------------------------------------------------------

    def cached_geocode(self, provider: str, query: str) -> tuple[bool, Place | None] | None:
        """What ``provider`` answered for ``query`` before: ``(found, place)``, or None
        when it was never asked."""
        row = self.db.execute(
            """SELECT found, name, lat, lon, kind, country FROM geocode_cache
               WHERE provider = ? AND query = ?""",
            [provider, query],
        ).fetchone()
        if row is None:
            return None
        found, name, lat, lon, kind, country = row
        return bool(found), (Place(name, lat, lon, kind, country) if found else None)

    def cache_geocode(self, provider: str, query: str, place: Place | None) -> None:
        """Remember what ``provider`` answered for ``query`` (None: it knew no such place)."""
        self._check_writable()
        try:
            with self.db.atomic():
                self.db.execute(
                    """INSERT OR REPLACE INTO geocode_cache
                       (provider, query, found, name, lat, lon, kind, country, created)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))""",
                    [
                        provider,
                        query,
                        int(place is not None),
                        place.name if place else None,
                        place.lat if place else None,
                        place.lon if place else None,
                        place.kind if place else None,
                        place.country if place else None,
                    ],
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the geocode cache was not saved ({exc})") from None

    def article_text(self, uid: str) -> str | None:
        row = self.db.execute("SELECT text FROM articles WHERE uid = ?", [uid]).fetchone()
        return row[0] if row else None

    def categories(self) -> list[str]:
        """The category keys in use, in the order of the app's palette."""
        used = {row[0] for row in self.db.execute("SELECT DISTINCT category FROM events")}
        return [c.key for c in CATEGORIES if c.key in used]

    def arrays(self) -> EventArrays:
        """Every event as columns sorted by start: what the map page and the timeline index.

        Read from the columns the store keeps ready (a few blobs, however many events);
        when they are missing or older than the rows (a store from an older version),
        built from the rows in one pass and, if the store is writable, kept for next time.
        """
        found = columns.kept(self.db.conn)
        if found is not None:
            return found
        conn = self.db.conn
        if not self._read_only and not conn.in_transaction and self._lock_if_free():
            try:
                arrays = columns.from_rows(conn)
                columns.store(conn, arrays, columns.generation(conn))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return arrays
        # Read-only, or another program is writing: built again each time, in one
        # snapshot of the rows.
        if conn.in_transaction:
            return columns.from_rows(conn)
        conn.execute("BEGIN")
        try:
            return columns.from_rows(conn)
        finally:
            conn.execute("COMMIT")

    # -- grades ---------------------------------------------------------------------------

    def set_grades(self, ids: Sequence[int], grade: Grade) -> None:
        """Give the events ``ids`` one grade, in one transaction (F6 with no reason
        ungrades them, so that they take their outlets' grades again); see
        :meth:`grade_events`."""
        self.grade_events(ids, grade)

    def grade_events(self, ids: Sequence[int], grade: Grade) -> Change:
        """Give the events ``ids`` one grade, undoably: one transaction, one history row
        per event whose grade changed (the change touches only those; unknown ids and
        events graded so already are left out).

        Only the grade columns change, so only they are kept for undo and told in the
        history, each by one statement over a table of the changing events: a grading of
        tens of thousands of events reads no event whole and loops over none in Python.
        """
        wanted = json.dumps(list(dict.fromkeys(ids)))
        with self.bulk_writer() as writer:
            conn = writer.conn
            with self._new_grades(conn, history.GRADE):
                rows.stage_grade(conn, wanted, grade)
                was = rows.staged_grades_before(conn)
            # A grading keeps no event's whole rows, only their grade columns.
            no_rows = rows.event_rows(conn, [])
        now = rows.grade_values(grade)
        # In the order given: undo and redo select the events in the user's order.
        was = {i: was[i] for i in dict.fromkeys(ids) if i in was}
        before = dataclasses.replace(no_rows, grades=was)
        after = dataclasses.replace(no_rows, grades=dict.fromkeys(was, now))
        return Change(history.GRADE, before, after, tuple(was))

    def shared_grade(self, ids: Sequence[int]) -> Grade:
        """The grade of their own that the stored events ``ids`` share (one taken from a
        cited outlet is none), with its reason when they share that too; ``Grade()``
        (ungraded) when their grades differ or none is stored. One aggregate query."""
        own_grade, own_reason = history.own_grade_sql("events")
        # An ungraded event's grade is F6 (no grade of its own), as stored_grade reads it.
        count, low, high, first_reason, last_reason = self.db.execute(
            f"""SELECT count(*), min(code), max(code), min(reason), max(reason) FROM (
                    SELECT coalesce({own_grade}, 'F6') AS code, {own_reason} AS reason
                    FROM events WHERE id IN (SELECT value FROM json_each(?)))""",
            [json.dumps(list(ids))],
        ).fetchone()
        if count == 0 or low != high:
            return Grade()
        reason = first_reason if first_reason == last_reason else ""
        return Grade(Reliability(low[0]), Credibility(low[1]), reason)

    def set_outlet_grade(self, outlet: str, grade: Grade | None) -> str:
        """Grade a cited outlet (by any of its names; None removes its grade): every
        event citing it that has no grade of its own takes it. Returns the outlet's one
        name; see :meth:`grade_outlet`."""
        change = self.grade_outlet(outlet, grade)
        return next(iter(change.after.outlet_grades))

    def grade_outlet(self, outlet: str, grade: Grade | None) -> Change:
        """Grade a cited outlet (by any of its names; None removes its grade), undoably:
        one transaction and one history row. Every event citing it that has no grade of
        its own takes it. The change's ``outlet_grades`` name the outlet by its one name."""
        name = outlet_names().name(outlet)
        new = {
            name: None
            if grade is None
            else (str(grade.reliability), str(grade.credibility), grade.reason)
        }
        with self.bulk_writer() as writer:
            conn = writer.conn
            old = _outlet_grade_rows(conn, new)
            before = dataclasses.replace(rows.event_rows(conn, []), outlet_grades=old)
            after = dataclasses.replace(rows.event_rows(conn, []), outlet_grades=new)
            _write_outlet_grades(conn, new)
            self._record_outlets(writer, history.GRADE_OUTLET, old)
        return Change(history.GRADE_OUTLET, before, after, ())

    def outlets(self) -> list[CitedOutlet]:
        """Every outlet the events cite, by its one name: how many events cite it and its
        grade (None when ungraded), most cited first."""
        self._indexed()
        grades = self.outlet_grades()
        return [
            CitedOutlet(outlet, count, grades.get(outlet))
            for outlet, count in self.db.execute(
                """SELECT s.outlet, count(DISTINCT es.event_id) FROM sources s
                   JOIN event_sources es ON es.source_id = s.id
                   GROUP BY s.outlet ORDER BY count(DISTINCT es.event_id) DESC, s.outlet"""
            )
        ]

    def outlet_grades(self) -> dict[str, Grade]:
        """The graded outlets by their one name."""
        return {
            outlet: Grade(Reliability(r), Credibility(c), reason)
            for outlet, r, c, reason in self.db.execute(
                "SELECT outlet, reliability, credibility, reason FROM outlet_grades "
                "ORDER BY outlet"
            )
        }

    # -- probable duplicates ------------------------------------------------------------

    def probable_duplicates(
        self, rules: DuplicateRules | None = None, among: Iterable[int] | None = None
    ) -> list[ProbableDuplicate]:
        """Pairs of events that are probably one (see :mod:`desktop_app.core.duplicates`),
        best first; ``among`` limits them to pairs with one of those events (the ones an
        import added). Pairs marked distinct are left out."""
        return self.best_duplicates(None, rules, among)[0]

    def best_duplicates(
        self,
        best: int | None,
        rules: DuplicateRules | None = None,
        among: Iterable[int] | None = None,
    ) -> tuple[list[ProbableDuplicate], int]:
        """The ``best`` first of :meth:`probable_duplicates` (all for None) and how many
        pairs there are: a dense store has millions, of which a review lists the best."""
        self._indexed()
        return duplicates.probable_duplicates(
            self.db.conn, self.arrays(), rules or DuplicateRules(), among, best
        )

    def mark_distinct(self, first: int, second: int) -> None:
        """Record, in its own transaction, that two events are not one."""
        if first == second:
            raise StoreError(f"{self.path}: an event cannot be distinct from itself")
        self.begin_write()
        try:
            found = self.db.execute(
                "SELECT count(*) FROM events WHERE id IN (?, ?)", [first, second]
            ).fetchone()[0]
            if found != 2:
                raise StoreError(f"{self.path}: no event {first} or no event {second}")
            duplicates.mark_distinct(self.db.conn, first, second)
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    def _lock_if_free(self) -> bool:
        """Begin a write transaction if no other program is writing (without waiting)."""
        conn = self.db.conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return True


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
    return found.fetchone() is not None


def _finish_indexing(path: Path) -> None:
    """A staged import's second stage on a connection of its own (a background thread
    of the store that found it pending); a failure leaves it pending for next time."""
    try:
        with EventStore(path, resume_indexing=False) as store:
            store.finish_indexing()
    except StoreError as exc:
        log.warning("%s", exc)


def _add_functions(conn: sqlite3.Connection) -> None:
    """The functions of ours that the store's queries call (see store/queries.py)."""
    conn.create_function("outlet_key", 1, outlet_key, deterministic=True)


def _rename_outlets(db: Database) -> None:
    """Name every cited outlet by the outlet table in use, when it changed since the
    store was last opened (a user edited it, or a new version ships more names)."""
    names = outlet_names()
    row = db.execute("SELECT value FROM meta WHERE key = 'outlet_names'").fetchone()
    if row is not None and row[0] == names.fingerprint:
        return
    with db.atomic():
        for source_id, name in db.execute("SELECT id, name FROM sources").fetchall():
            db.execute("UPDATE sources SET outlet = ? WHERE id = ?", [names.name(name), source_id])
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('outlet_names', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [names.fingerprint],
        )


def _on_read_only_medium(path: Path) -> bool:
    """True for an existing store that cannot be written where it is.

    SQLite writes beside the file too (its journal), so the folder counts as well as the
    file. ``os.access`` also answers False for a read-only file system, even for root.
    """
    if not path.exists():
        return False
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _refused_for_writing(exc: sqlite3.OperationalError) -> bool:
    """The file is there, but SQLite may not write it (or the journal beside it)."""
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)


def merged_excerpt(first: str, second: str) -> str:
    """Both excerpts of two merged events, each once, the kept event's first."""
    parts = [text for text in dict.fromkeys((first.strip(), second.strip())) if text]
    return "\n\n".join(parts)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
