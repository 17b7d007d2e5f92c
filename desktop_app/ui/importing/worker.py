"""Imports off the GUI thread: the import of one file as a
:class:`~desktop_app.ui.tasks.Task`, run by the app's write runner.

The task calls the same :func:`desktop_app.ingest.pipeline.import_file` as the CLI, so
an import in the window and on the command line do the same thing: one transaction,
bad rows skipped or aborting, everything rolled back on cancel. A SQLite connection
belongs to the thread that opened it, so the import opens its own
:class:`~desktop_app.store.event_store.EventStore` on the window's file in its thread;
the window's connection keeps reading (WAL) while the import writes.
"""

from __future__ import annotations

import ast
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject

from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.geo.geocoder import (
    USER_AGENT,
    Geocoded,
    GeocodeError,
    Geocoder,
    NominatimGeocoder,
)
from desktop_app.geo.placing import PlaceQuestion, place_questions, same_point
from desktop_app.ingest.pipeline import (
    ImportAborted,
    ImportCancelled,
    ImportReport,
    Progress,
    detect_format,
    import_file,
    reader_for,
)
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import Source
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui.tasks import Task, TaskCancelled, TaskControl

# Progress signals at most this often: a fast import reports every chunk of 5,000 rows,
# and redrawing the dialog more often than ten times a second only costs import time.
PROGRESS_INTERVAL_S = 0.1
# A window wider than this around the new events shows the busiest stretch instead.
MAX_FIT_DAYS = 120.0
# Records read between two looks at Cancel and two progress reports while the place
# names are read.
SURVEY_STEP = 2000
# The delimited reader's reason for a row whose place name no step could place: the
# name in it (as Python writes a string) tells which name the row was refused for.
_NOT_FOUND = re.compile(r"^place ('.*'|\".*\") not found in the gazetteer")


@dataclass(frozen=True)
class ImportJob:
    """One file to import and everything the user chose for it.

    Parameters
    ----------
    path
        The file.
    store_path
        The store the window shows; the worker opens its own connection to it.
    fmt
        ``auto`` or a format of :data:`desktop_app.ingest.formats.IMPORT_FORMATS`.
    columns
        CSV column mapping, role -> header (an empty header: no column has the role).
    on_error
        ``skip`` or ``abort``.
    repeats
        ``drop`` or ``keep`` rows that repeat an earlier row exactly.
    online_geocoding
        Let rows with only a place name be looked up on Nominatim when the offline
        gazetteer does not know the name.
    user_agent
        What the app tells Nominatim it is.
    place_choices
        The user's place for each place name they confirmed (None: leave unplaced), by
        the name as the file writes it.
    """

    path: Path
    store_path: Path
    fmt: str = "auto"
    columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    dayfirst: bool | None = None
    encoding: str | None = None
    on_error: str = "skip"
    repeats: str = "drop"
    online_geocoding: bool = False
    user_agent: str = USER_AGENT
    place_choices: dict[str, Place | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportOutcome:
    """A finished import: the pipeline's report and where the new events lie in time."""

    report: ImportReport
    first_new_id: int
    new_span: tuple[float, float] | None


@dataclass(frozen=True)
class StoreNote:
    """Something the store said during the import, for the user: that it waits for
    another import to finish, say. Sent along with the :class:`Progress` values."""

    text: str


class _StoreNotes(logging.Handler):
    """Passes the store's warnings logged in one thread (the import's) on as notes."""

    def __init__(self, control: TaskControl) -> None:
        super().__init__(logging.WARNING)
        self._control = control
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:
            self._control.progress(StoreNote(record.getMessage()))


@contextmanager
def _store_notes(control: TaskControl) -> Iterator[None]:
    """While the block runs, what the store logs in this thread reaches ``control``
    too (the store is Qt-free and only logs; the command line prints it on stderr)."""
    logger = logging.getLogger("desktop_app.store")
    handler = _StoreNotes(control)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


class _CancellableOnline:
    """The online geocoder, checking Cancel before every request: at one request per
    second a chunk of rows with unknown places can take minutes, far longer than the
    pipeline's own check between chunks."""

    def __init__(self, online: NominatimGeocoder, control: TaskControl) -> None:
        self._online = online
        self._control = control
        self.provider = online.provider

    def __call__(self, name: str):
        if self._control.cancelled():
            raise ImportCancelled("import cancelled; nothing was saved")
        return self._online(name)


class _ThrottledProgress:
    """Passes the pipeline's progress on at most every :data:`PROGRESS_INTERVAL_S`, and
    always the last."""

    def __init__(self, control: TaskControl) -> None:
        self._control = control
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.perf_counter()
        final = progress.bytes_read >= progress.total_bytes
        if final or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self._control.progress(progress)


def _read_options(job: ImportJob, store: EventStore, control: TaskControl) -> ReadOptions:
    online = None
    if job.online_geocoding:
        online = _CancellableOnline(NominatimGeocoder(user_agent=job.user_agent), control)
    return ReadOptions(
        columns=dict(job.columns),
        dayfirst=job.dayfirst,
        encoding=job.encoding,
        # The cache is this thread's store: online answers are written in the
        # import's transaction, so a cancelled import leaves no trace at all.
        geocoder=Geocoder(cache=store, online=online),
    )


def survey_places(job: ImportJob, control: TaskControl) -> list[PlaceQuestion]:
    """Read ``job``'s file as its import will, writing nothing, and list the place names
    the user should confirm (guesses, spelling matches, likely places among others of the
    same name) and those left unplaced, each with its rows.

    The file is read in the same order with the same options as by the import, so the
    import resolves every name as here. Progress is reported as :class:`Progress`
    values; raises :class:`~desktop_app.ui.tasks.TaskCancelled` when cancelled,
    :class:`ImportAborted` at the first bad row when the import is to abort there, and what
    the reader raises (:class:`ImportFailed`, :class:`StoreError`, :class:`GeocodeError`).
    """
    with _store_notes(control), EventStore(job.store_path) as store:
        options = _read_options(job, store, control)
        geocoder = options.geocoder
        placed: Counter[str] = Counter()
        refused: Counter[str] = Counter()
        fmt = detect_format(job.path) if job.fmt == "auto" else job.fmt
        source = Source(job.path, options.encoding)
        started = time.perf_counter()
        report = _ThrottledProgress(control)
        count = 0
        try:
            for record in reader_for(fmt)(source, options):
                count += 1
                if count % SURVEY_STEP == 0:
                    control.check()
                    elapsed = time.perf_counter() - started
                    report(Progress(count, source.bytes_read, source.size, elapsed))
                if isinstance(record, BadRecord):
                    if job.on_error == "abort":
                        # The import would stop here: nothing to confirm first.
                        raise ImportAborted(record)
                    found = _NOT_FOUND.match(record.reason)
                    if found:
                        refused[ast.literal_eval(found.group(1))] += 1
                elif _geocoded(record, geocoder):
                    placed[record.place.name] += 1
        except ImportCancelled:
            raise TaskCancelled() from None
        finally:
            source.close()
        report(Progress(count, source.size, source.size, time.perf_counter() - started))
        return place_questions(geocoder.answers, placed, refused)


def _geocoded(event: Event, geocoder: Geocoder) -> bool:
    """True when ``event`` was placed by looking up its place name (not by coordinates)."""
    if event.place is None:
        return False
    answer = geocoder.answers.get(event.place.name)
    return isinstance(answer, Geocoded) and same_point(event.place, answer.place)


def survey_task(job: ImportJob, parent: QObject | None = None) -> Task:
    """The :class:`~desktop_app.ui.tasks.Task` of :func:`survey_places`: its result is a
    list of :class:`PlaceQuestion`, its progress :class:`Progress` values and
    :class:`StoreNote` s, its error one of :data:`IMPORT_ERRORS` (or a bug's exception)."""
    return Task(partial(survey_places, job), expected=IMPORT_ERRORS, parent=parent)


def run_import(job: ImportJob, control: TaskControl) -> ImportOutcome:
    """Import ``job`` in the calling thread, through a store connection of its own.

    Raises :class:`~desktop_app.ui.tasks.TaskCancelled` when cancelled, and what the
    pipeline raises otherwise (:class:`ImportAborted` at the first bad row when asked,
    :class:`ImportFailed`, :class:`StoreError`, :class:`GeocodeError`); nothing is saved
    then.
    """
    with _store_notes(control), EventStore(job.store_path) as store:
        options = _read_options(job, store, control)
        before = store.last_event_id()
        try:
            report = import_file(
                job.path,
                store,
                fmt=job.fmt,
                options=options,
                on_error=job.on_error,
                repeats=job.repeats,
                progress=_ThrottledProgress(control),
                cancelled=control.cancelled,
                place_choices=job.place_choices,
            )
        except ImportCancelled:
            raise TaskCancelled() from None
        span = store.time_bounds(after_id=before)
    return ImportOutcome(report, before + 1, span)


#: What an import may fail with that is about the file or the store, not a bug.
IMPORT_ERRORS = (ImportAborted, ImportFailed, StoreError, GeocodeError)


def import_task(job: ImportJob, parent: QObject | None = None) -> Task:
    """The :class:`~desktop_app.ui.tasks.Task` importing ``job``: its result is an
    :class:`ImportOutcome`, its progress :class:`Progress` values and :class:`StoreNote`
    s, its error one of :data:`IMPORT_ERRORS` (or a bug's exception)."""
    return Task(partial(run_import, job), expected=IMPORT_ERRORS, parent=parent)


def import_failure(job: ImportJob, error: BaseException) -> str:
    """One line for the user about an import that failed with ``error``."""
    if isinstance(error, IMPORT_ERRORS):
        return str(error)
    return f"{job.path}: unexpected error ({error!r}); nothing was saved"


def window_for_new_events(
    arrays: EventArrays, first_new_id: int, span: tuple[float, float] | None
) -> TimeWindow | None:
    """Where the timeline should go to show an import's new events.

    The whole span of the new events when it is short (with a day of margin), else the
    busiest stretch among them; None when the import added nothing new (all replaced).
    """
    if span is None:
        return None
    start, end = np.floor(span[0]), np.ceil(max(span[1], span[0] + 1))
    if end - start <= MAX_FIT_DAYS:
        return TimeWindow(float(start - 1), float(end + 1))
    mask = arrays.ids >= first_new_id
    if not mask.any():
        return None
    # Only the start times matter for the busiest stretch.
    new = EventArrays(*(column[mask] for column in arrays.columns()))
    return EventIndex(new).suggested_window()
