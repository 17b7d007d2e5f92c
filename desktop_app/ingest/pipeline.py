"""One import: a file read by the right reader, its events written to the store in ONE
transaction, its bad records reported (skipped, or aborting the whole import).

An aborted, cancelled or failed import leaves the store as it was: the writer rolls back.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from desktop_app.core.event import Event, Place
from desktop_app.geo.placing import LEFT_UNPLACED, Placer, PlaceTally
from desktop_app.ingest.article import read_article
from desktop_app.ingest.columnar import ColumnarReader, NotColumnar, columnar_reader
from desktop_app.ingest.delimited import read_delimited
from desktop_app.ingest.formats import IMPORT_FORMATS
from desktop_app.ingest.geojson import read_geojson_records
from desktop_app.ingest.kml import read_kml
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReaderFunction, ReadOptions, Record
from desktop_app.ingest.source import Source
from desktop_app.ingest.timelinejs import read_timelinejs
from desktop_app.ingest.timemap import read_timemap
from desktop_app.store.bulk_writer import StagedWriter
from desktop_app.store.event_store import EventStore, StoreError

#: Every format an import reads, by the name the user chooses it by (in the order of
#: :data:`~desktop_app.ingest.formats.READER_NAMES`), and its reader.
READERS: dict[str, ReaderFunction] = {
    "csv": read_delimited,
    "acled": read_delimited,  # an ACLED export is a CSV file told by its header
    "geojson": read_geojson_records,
    "kml": read_kml,
    "timelinejs": read_timelinejs,
    "timemap": read_timemap,
    "article": read_article,
}
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
# Problems kept in a report to show; the count covers all of them.
MAX_PROBLEMS_KEPT = 1000
CHUNK = 5000


class ImportAborted(ImportFailed):
    """A bad record stopped an import the user asked to abort on errors; nothing was saved."""


class ImportCancelled(Exception):
    """The user cancelled the import; nothing was saved."""


@dataclass(frozen=True)
class Progress:
    """How far an import has come."""

    records: int
    bytes_read: int
    total_bytes: int
    elapsed: float

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_read / self.total_bytes) if self.total_bytes else 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        if self.fraction <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed * (1 - self.fraction) / self.fraction


#: What an import does with a row that repeats an earlier row of the file exactly.
REPEATS = ("drop", "keep")
UNPLACED = "no place or coordinates in the record: on the timeline only"
# Line numbers of repeated rows kept to show; the count covers all of them.
MAX_REPEAT_LINES = 1000
# Places of skipped rows kept per reason, and shown per reason in the summary.
MAX_SKIPPED_WHERE = 20
# What differs between rows skipped for one reason: the values quoted in it, numbers
# (outside parentheses, which say what the rule is: "(years 1-9999)").
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
_NUMBERS = re.compile(r"[+-]?\d[\d.,:]*")
_ASIDE = re.compile(r"(\([^()]*\))")


def skip_reason(reason: str) -> str:
    """What a bad record's reason says without its values, so that rows skipped for the
    same reason count together: ``"latitude 95.0 is out of range"`` -> ``"latitude is
    out of range"``, ``"not a date: '31/31/25'"`` -> ``"not a date"``."""
    parts = _ASIDE.split(_QUOTED.sub(" ", reason))
    text = "".join(p if p.startswith("(") else _NUMBERS.sub(" ", p) for p in parts)
    text = re.sub(r"\(\s*[,;:]?\s*\)", " ", text)
    text = re.sub(r"\s+([,;:)])", r"\1", " ".join(text.split()))
    text = re.sub(r":\s*\(", " (", text).strip(" :,;")
    # "'abc' is not a date" without its value: "not a date".
    return text.removeprefix("is ") or reason


@dataclass
class SkippedRows:
    """The records an import skipped for one reason.

    Parameters
    ----------
    count
        How many.
    where
        Where the first of them are ("line 4", "feature 2").
    reason, alike
        The reason of the first, as its reader gave it, and whether all gave that same
        one (it is shown whole then; else only what their reasons share).
    """

    count: int = 0
    where: list[str] = field(default_factory=list)
    reason: str | None = None
    alike: bool = True

    def add(self, problem: BadRecord) -> None:
        self.count += 1
        if len(self.where) < MAX_SKIPPED_WHERE and problem.where:
            self.where.append(problem.where)
        if self.reason is None:
            self.reason = problem.reason
        elif problem.reason != self.reason:
            self.alike = False


@dataclass
class ImportReport:
    """What an import did, accounting for every record of the file.

    ``read`` = ``added`` + ``replaced`` + ``updated_in_file`` + ``skipped`` + the
    repeats dropped (``repeats`` when ``repeats_kept`` is False; kept repeats are
    imported, so they count in ``added`` or ``replaced``).

    Parameters
    ----------
    added
        New events.
    replaced
        Events that were in the store already (same id, or the same row) and were
        written again.
    updated_in_file
        Rows that had the id of an earlier row of the same file but other values: the
        later one is the event.
    skipped
        Bad records, each in ``problems`` (up to :data:`MAX_PROBLEMS_KEPT`).
    repeats, repeat_lines, repeats_kept
        Rows that repeat an earlier row exactly, where they are, and whether they were
        imported as events of their own.
    skipped_reasons
        The skipped records by reason (:func:`skip_reason`): their count, and where the
        first :data:`MAX_SKIPPED_WHERE` are; every skipped record is counted.
    unplaced
        Events imported without a place, by reason.
    layout, columns_used, columns_kept, date_order
        How the file was read: its known layout, each field's role, the fields kept as
        attributes, the day/month order and why.
    staged
        Whether the import made a new store in two stages (:func:`import_new_store`).
    """

    path: str
    format: str
    added: int = 0
    replaced: int = 0
    skipped: int = 0
    problems: list[BadRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    places: PlaceTally = field(default_factory=PlaceTally)
    read: int = 0
    updated_in_file: int = 0
    repeats: int = 0
    repeat_lines: list[str] = field(default_factory=list)
    repeats_kept: bool = False
    skipped_reasons: dict[str, SkippedRows] = field(default_factory=dict)
    unplaced: dict[str, int] = field(default_factory=dict)
    layout: str | None = None
    columns_used: str | None = None
    columns_kept: str | None = None
    date_order: str | None = None
    staged: bool = False

    @property
    def imported(self) -> int:
        return self.added + self.replaced

    @property
    def accounted(self) -> int:
        """The records the report accounts for: equal to ``read`` for every import."""
        dropped = 0 if self.repeats_kept else self.repeats
        return self.added + self.replaced + self.updated_in_file + self.skipped + dropped

    def add_skipped(self, problem: BadRecord) -> None:
        """Count a bad record as skipped, under its reason."""
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        kind = skip_reason(problem.reason)
        self.skipped_reasons.setdefault(kind, SkippedRows()).add(problem)

    def skipped_line(self) -> str | None:
        """``"Skipped 37 rows: 30 no date (lines 4, 9, …), 7 latitude is out of range
        (lines 12, 40)"``, the most frequent reason first; None when nothing was skipped."""
        if not self.skipped:
            return None
        parts = []
        groups = sorted(self.skipped_reasons.items(), key=lambda item: -item[1].count)
        for kind, rows in groups:
            reason = rows.reason if rows.alike and rows.reason else kind
            shown = ", ".join(w.removeprefix("line ") for w in rows.where)
            if rows.count > len(rows.where):
                shown += ", …"
            at = "line" if rows.count == 1 else "lines"
            at = at if all(w.startswith("line ") for w in rows.where) else "at"
            parts.append(f"{rows.count} {reason}" + (f" ({at} {shown})" if rows.where else ""))
        noun = "row" if self.skipped == 1 else "rows"
        return f"Skipped {self.skipped} {noun}: " + ", ".join(parts)

    def summary_lines(self) -> list[str]:
        """The report beyond the bad records, one line each (the CLI prints them, the
        dialog shows them)."""
        lines = [
            f"read {self.read} rows: {self.added} new, {self.replaced} updated in the store"
            + (f", {self.updated_in_file} updated by a later row" if self.updated_in_file else "")
            + f", {self.skipped} skipped, {self.repeats} repeated"
        ]
        skipped = self.skipped_line()
        if skipped:
            lines.append(skipped)
        if self.repeats:
            shown = ", ".join(w.removeprefix("line ") for w in self.repeat_lines[:20])
            more = "" if self.repeats <= 20 else ", …"
            kind = "lines" if all(w.startswith("line ") for w in self.repeat_lines) else "at"
            what = (
                "kept as events of their own"
                if self.repeats_kept
                else "dropped; --repeats keep imports them"
            )
            lines.append(
                f"{self.repeats} rows repeat an earlier row exactly: {kind} {shown}{more} ({what})"
            )
        placed = self.imported - sum(self.unplaced.values())
        if self.unplaced:
            why = "; ".join(f"{n} {reason}" for reason, n in self.unplaced.items())
            lines.append(f"placed {placed}, unplaced {sum(self.unplaced.values())} ({why})")
        if self.layout:
            lines.append(f"layout: {self.layout}")
        if self.columns_used not in (None, "none") or self.columns_kept not in (None, "none"):
            lines.append(f"columns used: {self.columns_used}")
            lines.append(f"columns kept as attributes: {self.columns_kept}")
        if self.date_order:
            lines.append(f"dates: {self.date_order}")
        # How sure each place is, and why the unplaced are: the same lines everywhere.
        return lines + self.places.lines()


def detect_format(path: str | Path) -> str:
    """The format of a file, from its name and, for JSON, its first bytes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".tab"):
        return "csv"
    if suffix in (".kml", ".kmz"):
        return "kml"
    if suffix == ".geojson":
        return "geojson"
    if suffix in ARTICLE_SUFFIXES:
        return "article"
    if suffix == ".json":
        if path.name.startswith("export_") and path.with_name("export_events.json").exists():
            return "timemap"
        try:
            with path.open("rb") as handle:
                head = handle.read(1 << 20).decode("utf-8-sig", errors="replace")
        except OSError as exc:
            raise ImportFailed(BadRecord(str(path), None, exc.strerror or str(exc))) from None
        compact = "".join(head.split())
        if '"type":"FeatureCollection"' in compact or '"type":"Feature"' in compact:
            return "geojson"
        if compact.startswith("[") and '"associations"' in compact:
            return "timemap"
        if '"events":' in compact or compact.startswith('{"timeline"'):
            return "timelinejs"
    raise ImportFailed(
        BadRecord(str(path), None, "cannot tell the format; choose one with --format")
    )


def reader_for(fmt: str) -> ReaderFunction:
    """The reader of a format named in :data:`READERS`."""
    reader = READERS.get(fmt)
    if reader is None:
        raise ImportFailed(
            BadRecord("", None, f"unknown format {fmt!r} (one of {', '.join(IMPORT_FORMATS)})")
        )
    return reader


def read_records(
    path: str | Path, fmt: str = "auto", options: ReadOptions | None = None
) -> Iterator[Record]:
    """Every event and bad record of a file, without writing anything."""
    options = options or ReadOptions()
    fmt = detect_format(path) if fmt == "auto" else fmt
    source = Source(path, options.encoding)
    try:
        yield from reader_for(fmt)(source, options)
    finally:
        source.close()


def _checked_choices(
    path, fmt: str, options: ReadOptions | None, on_error: str, repeats: str
) -> tuple[ReadOptions, str]:
    """The read options and the format of an import (``auto`` detected from the file),
    after refusing an unknown ``on_error`` or ``repeats``."""
    if on_error not in ("skip", "abort"):
        raise ValueError(f"on_error must be 'skip' or 'abort', not {on_error!r}")
    if repeats not in REPEATS:
        raise ValueError(f"repeats must be 'drop' or 'keep', not {repeats!r}")
    return options or ReadOptions(), detect_format(path) if fmt == "auto" else fmt


def import_file(
    path: str | Path,
    store: EventStore,
    *,
    fmt: str = "auto",
    options: ReadOptions | None = None,
    on_error: str = "skip",
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    accept: Callable[[list[Event]], list[Event]] | None = None,
    repeats: str = "drop",
    place_choices: Mapping[str, Place | None] | None = None,
) -> ImportReport:
    """Read ``path`` and write its events to ``store`` in one transaction.

    Parameters
    ----------
    fmt
        One of :data:`~desktop_app.ingest.formats.IMPORT_FORMATS`; ``auto`` detects it.
    on_error
        ``skip``: bad records are reported and left out. ``abort``: the first bad record
        raises :class:`ImportAborted` and nothing is saved.
    progress
        Called after every chunk of records (in the importing thread).
    cancelled
        Polled after every chunk; when it returns True the import raises
        :class:`ImportCancelled` and nothing is saved.
    accept
        Called with all events before anything is written (for articles: the review);
        returns the events to save. When given, the events are held in memory.
    repeats
        What to do with a row that repeats an earlier row exactly: ``drop`` it (it is
        counted and its line reported) or ``keep`` it as an event of its own.
    place_choices
        The user's place for each place name they confirmed (None: leave its events
        unplaced), by the name as the file writes it; counted as "confirmed by you".

    Raises
    ------
    ImportFailed
        The file cannot be read at all, or (``ImportAborted``) a record is bad and
        ``on_error`` is ``abort``; :class:`ImportCancelled`; ``StoreError``.
    """
    options, fmt = _checked_choices(path, fmt, options, on_error, repeats)
    report = ImportReport(str(path), fmt, repeats_kept=repeats == "keep")
    source = Source(path, options.encoding)
    started = time.perf_counter()
    count = 0

    def tick() -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled(f"{path}: import cancelled; nothing was saved")
        if progress is not None:
            progress(Progress(count, source.bytes_read, source.size, time.perf_counter() - started))

    placer = Placer(options.geocoder_or_default(), choices=place_choices)
    report.places = placer.tally
    # Hashes, not the events or uids themselves: a million rows take a few tens of MB.
    seen_rows: set[int] = set()
    seen_uids: set[int] = set()

    def good_events() -> Iterator[Event]:
        nonlocal count
        notes = source.notes
        for record in reader_for(fmt)(source, options):
            count += 1
            if isinstance(record, BadRecord):
                if on_error == "abort":
                    raise ImportAborted(record)
                report.add_skipped(record)
                continue
            where, notes.where = notes.where or f"record {count}", None
            row, uid = hash(record), hash(record.uid)
            if row in seen_rows:
                # The same uid and every field alike: the source repeats a row.
                report.repeats += 1
                if len(report.repeat_lines) < MAX_REPEAT_LINES:
                    report.repeat_lines.append(where)
                if repeats == "drop":
                    continue
                record = replace(record, uid=f"{record.uid}#repeat{report.repeats}")
            elif uid in seen_uids:
                report.updated_in_file += 1
            seen_rows.add(row)
            seen_uids.add(uid)
            record = placer.place_event(record, count)
            if record.place is None:
                why = f"{LEFT_UNPLACED}: on the timeline only" if placer.left_unplaced else UNPLACED
                report.unplaced[why] = report.unplaced.get(why, 0) + 1
            yield record

    try:
        events = good_events()
        if accept is not None:
            held = list(events)
            tick()
            events = iter(accept(held))
        with store.bulk_writer() as writer:
            chunk: list[Event] = []
            for event in events:
                chunk.append(event)
                if len(chunk) >= CHUNK:
                    writer.add(chunk)
                    chunk = []
                    tick()
            if chunk:
                writer.add(chunk)
            tick()
            writer.record_import(Path(path))
        report.added, report.replaced = writer.added, writer.replaced
    finally:
        source.close()
    report.read = count
    report.warnings.extend(options.warnings)
    _describe(report, source)
    if progress is not None:
        progress(Progress(count, source.size, source.size, time.perf_counter() - started))
    return report


def _describe(report: ImportReport, source: Source) -> None:
    """Copy what the reader found out about the file into the report."""
    notes = source.notes
    report.layout = notes.layout
    report.date_order = notes.date_order
    interpretation = notes.interpretation
    if interpretation is not None:
        report.columns_used = interpretation.used_text()
        report.columns_kept = interpretation.kept_text()


def new_store_target(db_path: str | Path) -> bool:
    """Whether ``db_path`` is a store an import may make anew in two stages: no file
    yet, an empty file, or a store that holds nothing (no events, views, grades, pairs,
    history, geocoded names or values of the user's) and that no program has open (no
    journal beside it)."""
    db_path = Path(db_path)
    if not db_path.exists() or (db_path.is_file() and db_path.stat().st_size == 0):
        return True
    if any(db_path.with_name(db_path.name + s).exists() for s in ("-wal", "-shm", "-journal")):
        return False
    try:
        with EventStore(db_path, read_only=True) as store:
            for table in _KEPT_TABLES:
                if store.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                    return False
            marks = ",".join("?" * len(_SCHEMA_META))
            own = store.db.execute(
                f"SELECT 1 FROM meta WHERE key NOT IN ({marks}) LIMIT 1", _SCHEMA_META
            )
            if own.fetchone() is not None:
                return False  # a title or another value of the user's
    except (StoreError, sqlite3.DatabaseError):
        return False
    return True


# What a store holds beyond its events that a new one would lose: a store with any of it
# is not made anew.
_KEPT_TABLES = (
    "events", "saved_views", "outlet_grades", "distinct_events", "history", "geocode_cache",
)  # fmt: skip
# The values of ``meta`` every store has from its schema.
_SCHEMA_META = ("application", "events_generation", "outlet_names")


def import_new_store(
    path: str | Path,
    db_path: str | Path,
    *,
    fmt: str = "auto",
    options: ReadOptions | None = None,
    on_error: str = "skip",
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    repeats: str = "drop",
    on_usable: Callable[[ImportReport], None] | None = None,
    wait: bool = True,
    new_store: bool | None = None,
) -> ImportReport:
    """Import ``path`` into the store ``db_path``: in two stages when the store is new
    (see :func:`new_store_target`) and the file is one the fast path reads
    (:mod:`desktop_app.ingest.columnar`), else as :func:`import_file` does.

    Stage one makes the store usable (its events, places and the map's and timeline's
    columns) and renames it into place in one step; ``on_usable`` is then called with
    the report. Stage two (the indexes, the cited outlets' links, the full-text index)
    runs next when ``wait`` is True; otherwise the store finishes it in the background
    when it is next opened (:class:`EventStore` does so by itself). Either way the
    events, the report and the finished store are those :func:`import_file` gives.
    ``new_store`` is what :func:`new_store_target` said of ``db_path``, when the caller
    has just asked it (None: asked here).

    Raises what :func:`import_file` raises; nothing is saved when it raises.
    """
    options, fmt = _checked_choices(path, fmt, options, on_error, repeats)
    if new_store is None:
        new_store = new_store_target(db_path)
    reader = columnar_reader(Path(path), options, fmt) if new_store else None
    if reader is not None:
        try:
            report = _import_staged(
                reader, Path(path), Path(db_path), fmt, options, on_error, progress,
                cancelled, repeats,
            )  # fmt: skip
        except (NotColumnar, ImportFailed):
            # Read again from the start, row by row: nothing was counted or saved. A
            # file the import refuses is refused by the row reader too, which alone
            # knows every row's physical line.
            options.warnings.clear()
        else:
            if on_usable is not None:
                on_usable(report)
            if wait:
                with EventStore(db_path, resume_indexing=False) as store:
                    store.finish_indexing()
            return report
    with EventStore(db_path) as store:
        report = import_file(
            path, store, fmt=fmt, options=options, on_error=on_error, progress=progress,
            cancelled=cancelled, repeats=repeats,
        )  # fmt: skip
    if on_usable is not None:
        on_usable(report)
    return report


def _import_staged(
    reader: ColumnarReader,
    path: Path,
    db_path: Path,
    fmt: str,
    options: ReadOptions,
    on_error: str,
    progress: Callable[[Progress], None] | None,
    cancelled: Callable[[], bool] | None,
    repeats: str,
) -> ImportReport:
    report = ImportReport(str(path), fmt, repeats_kept=repeats == "keep")
    started = time.perf_counter()
    total = path.stat().st_size

    def skipped(problem: BadRecord) -> None:
        if on_error == "abort":
            raise ImportAborted(problem)
        report.add_skipped(problem)

    def repeated(where: str) -> None:
        if len(report.repeat_lines) < MAX_REPEAT_LINES:
            report.repeat_lines.append(where)

    # Which copies of a uid the row-by-row import writes (and so which places and
    # outlets it stores) depends on its chunks: the staged writer gives the same.
    with StagedWriter(db_path, CHUNK) as writer:
        for block in read_ahead(reader.blocks(skipped, repeated, repeats)):
            writer.add(block)
            # Written: its memory is free while the next block is waited for.
            del block
            if cancelled is not None and cancelled():
                raise ImportCancelled(f"{path}: import cancelled; nothing was saved")
            if progress is not None:
                done = min(total, reader.bytes_read)
                progress(Progress(reader.report.read, done, total, time.perf_counter() - started))
        writer.commit(path, reader.digest)
    counted = reader.report
    report.read, report.repeats, report.updated_in_file = (
        counted.read,
        counted.repeats,
        counted.updated_in_file,
    )
    report.added = writer.added
    report.places.given = counted.given
    report.warnings.extend(options.warnings)
    report.layout = "ACLED"
    report.date_order = reader.mapper.dates.reason
    report.staged = True
    if progress is not None:
        progress(Progress(report.read, total, total, time.perf_counter() - started))
    return report


def read_ahead(items: Iterator, size: int = 1) -> Iterator:
    """The items of ``items``, made in a thread of their own up to ``size`` ahead: the
    file is parsed and its values read while the store writes the blocks before (SQLite
    writes without holding Python's lock). What the thread raises is raised here; when
    the loop over this stops early, the thread stops at its next item."""
    done = object()
    ahead: queue.Queue = queue.Queue(size)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the reading thread, raised there
            put((done, exc))
            return
        put((done, None))

    thread = threading.Thread(target=work, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ahead.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
            del item  # not kept while the next item is waited for
    finally:
        stop.set()
        thread.join()
