"""Imports off the GUI thread: a worker with its own store connection, and the run that
owns its thread; and :class:`BackgroundTask` for shorter work that must not freeze the
window either (reading an article and finding its events).

The worker calls the same :func:`desktop_app.ingest.pipeline.import_file` as the CLI, so
an import in the window and on the command line do the same thing: one transaction,
bad rows skipped or aborting, everything rolled back on cancel. A SQLite connection
belongs to the thread that opened it, so the worker opens its own
:class:`~desktop_app.store.event_store.EventStore` on the window's file; the window's
connection keeps reading (WAL) while the import writes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.geo.geocoder import USER_AGENT, GeocodeError, Geocoder, NominatimGeocoder
from desktop_app.ingest.pipeline import (
    ImportAborted,
    ImportCancelled,
    ImportReport,
    Progress,
    import_file,
)
from desktop_app.ingest.problems import ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.store.event_store import EventStore, StoreError

log = logging.getLogger(__name__)

# Progress signals at most this often: a fast import reports every chunk of 5,000 rows,
# and redrawing the dialog more often than ten times a second only costs import time.
PROGRESS_INTERVAL_S = 0.1
# A window wider than this around the new events shows the busiest stretch instead.
MAX_FIT_DAYS = 120.0


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
        ``auto`` or a format of :data:`desktop_app.ingest.pipeline.FORMATS`.
    columns
        CSV column mapping, role -> header (an empty header: no column has the role).
    on_error
        ``skip`` or ``abort``.
    online_geocoding
        Let rows with only a place name be looked up on Nominatim when the offline
        gazetteer does not know the name.
    user_agent
        What the app tells Nominatim it is.
    """

    path: Path
    store_path: Path
    fmt: str = "auto"
    columns: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    encoding: str | None = None
    on_error: str = "skip"
    online_geocoding: bool = False
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class ImportOutcome:
    """A finished import: the pipeline's report and where the new events lie in time."""

    report: ImportReport
    first_new_id: int
    new_span: tuple[float, float] | None


class _CancellableOnline:
    """The online geocoder, checking Cancel before every request: at one request per
    second a chunk of rows with unknown places can take minutes, far longer than the
    pipeline's own check between chunks."""

    def __init__(self, online: NominatimGeocoder, cancelled: threading.Event) -> None:
        self._online = online
        self._cancelled = cancelled
        self.provider = online.provider

    def __call__(self, name: str):
        if self._cancelled.is_set():
            raise ImportCancelled("import cancelled; nothing was saved")
        return self._online(name)


class ImportWorker(QObject):
    """Runs one :class:`ImportJob` in the thread it lives in.

    Exactly one of ``succeeded``, ``aborted``, ``cancelled`` or ``failed`` is emitted,
    then ``finished``. :meth:`cancel` may be called from any thread.
    """

    progressed = Signal(object)  # Progress
    succeeded = Signal(object)  # ImportOutcome
    aborted = Signal(object)  # BadRecord: the first bad row, on_error="abort"
    cancelled = Signal()
    failed = Signal(str)  # a message for the user; nothing was saved
    finished = Signal()

    def __init__(self, job: ImportJob) -> None:
        super().__init__()
        self.job = job
        self._cancel = threading.Event()
        self._last_progress = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _on_progress(self, progress: Progress) -> None:
        now = time.perf_counter()
        final = progress.bytes_read >= progress.total_bytes
        if final or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.progressed.emit(progress)

    @Slot()
    def run(self) -> None:
        job = self.job
        store = None
        try:
            store = EventStore(job.store_path)
            online = None
            if job.online_geocoding:
                online = _CancellableOnline(
                    NominatimGeocoder(user_agent=job.user_agent), self._cancel
                )
            options = ReadOptions(
                columns=dict(job.columns),
                dayfirst=job.dayfirst,
                encoding=job.encoding,
                # The cache is this thread's store: online answers are written in the
                # import's transaction, so a cancelled import leaves no trace at all.
                geocoder=Geocoder(cache=store, online=online),
            )
            before = store.last_event_id()
            report = import_file(
                job.path,
                store,
                fmt=job.fmt,
                options=options,
                on_error=job.on_error,
                progress=self._on_progress,
                cancelled=self._cancel.is_set,
            )
            span = store.time_bounds(after_id=before)
            self.succeeded.emit(ImportOutcome(report, before + 1, span))
        except ImportCancelled:
            self.cancelled.emit()
        except ImportAborted as exc:
            self.aborted.emit(exc.problem)
        except (ImportFailed, StoreError, GeocodeError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must not kill the thread silently
            log.exception("import of %s failed", job.path)
            self.failed.emit(f"{job.path}: unexpected error ({exc!r}); nothing was saved")
        finally:
            if store is not None:
                store.close()
            self.finished.emit()


class ImportRun(QObject):
    """One import in its own thread: start it, cancel it, wait for it.

    The worker's signals arrive in the thread that made the run (the GUI thread), queued.
    """

    def __init__(self, job: ImportJob, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.thread = QThread()
        self.thread.setObjectName("ImportThread")
        self.worker = ImportWorker(job)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the thread ends (used on quit and in tests)."""
        return self.thread.wait(ms)


class _TaskWorker(QObject):
    """Calls one function in the thread it lives in and emits what came of it."""

    succeeded = Signal(object)  # what the function returned
    failed = Signal(object)  # the exception it raised
    finished = Signal()

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self._work = work
        # The thread run() ran in: what tests check to know the work left the GUI thread.
        self.ran_in: QThread | None = None

    @Slot()
    def run(self) -> None:
        self.ran_in = QThread.currentThread()
        try:
            result = self._work()
        except Exception as exc:  # handed to the GUI thread, which tells the user
            if not isinstance(exc, ImportFailed | OSError | ValueError):
                log.exception("background task failed")
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class BackgroundTask(QObject):
    """One function run in its own thread, its outcome delivered in the thread that made
    the task (the GUI thread).

    Reading an article and finding its events takes from a tenth of a second to
    several (the gazetteer's first load alone is ~0.7 s): long enough to freeze the
    window if done in the GUI thread. ``work`` must not touch widgets; it gets plain
    values gathered beforehand. Exactly one of ``succeeded`` (the result) and ``failed``
    (the exception) is emitted, then ``finished``.

    Parameters
    ----------
    work
        What to run, without arguments.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, work: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("BackgroundTask")
        self.worker = _TaskWorker(work)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # Slots of this object, which lives in the GUI thread: Qt queues the calls there.
        self.worker.succeeded.connect(self._on_succeeded)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)
        self.worker.finished.connect(self.thread.quit)

    def start(self) -> None:
        self.thread.start()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the work is done (used on quit); it cannot be interrupted."""
        return self.thread.wait(ms)

    def _on_succeeded(self, result: object) -> None:
        self.succeeded.emit(result)

    def _on_failed(self, error: object) -> None:
        self.failed.emit(error)

    def _on_finished(self) -> None:
        self.finished.emit()


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
