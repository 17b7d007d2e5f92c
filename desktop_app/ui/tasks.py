"""Work off the GUI thread: a :class:`Task` run by a :class:`TaskRunner`, its outcome told
in the GUI thread.

The work runs in a thread of a ``QThreadPool``; everything it says (progress, its result,
its exception, that it was cancelled) is posted to the :class:`Task`, a ``QObject`` living
in the thread that made it (the GUI thread), which emits its signals there. The work never
touches widgets: it gets plain values gathered beforehand and a :class:`TaskControl`.

Whether a task is running is GUI-thread state: true from :meth:`TaskRunner.start` until
the GUI thread handles its outcome, never read from a thread's state. A task's outcome
and its end arrive together, so whoever reacts to the outcome (by starting the next task,
say) already sees it ended.

Two shared runners: :func:`background_runner` for reading and computing (several threads),
and :func:`write_runner`, one thread, so writes to the store happen one after another.
:class:`SynchronousRunner` runs the work in the calling thread, for tests of code built on
tasks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

#: How long :meth:`TaskRunner.wait` and :meth:`Task.wait` wait by default (milliseconds).
WAIT_MS = 30_000


class TaskCancelled(Exception):
    """Raised by a task's work when it sees :meth:`TaskControl.cancelled`: the task ends
    as cancelled rather than failed."""


class TaskControl:
    """What a task's work may use from its thread: report progress, see a cancel.

    Both methods are safe to call from any thread.
    """

    def __init__(self, task: Task) -> None:
        self._task = task

    def cancelled(self) -> bool:
        """The user asked the task to stop; the work should stop soon, saving nothing."""
        return self._task.is_cancelled()

    def check(self) -> None:
        """Raise :class:`TaskCancelled` if the task was asked to stop."""
        if self._task.is_cancelled():
            raise TaskCancelled()

    def progress(self, value: object) -> None:
        """Tell the GUI thread how far the work is; it gets every value, in order."""
        try:
            self._task._relay_progress.emit(value)
        except RuntimeError:
            # Deleted with its owner: no one wants the rest of the work.
            raise TaskCancelled() from None


Work = Callable[[TaskControl], object]

_SUCCEEDED, _FAILED, _CANCELLED = "succeeded", "failed", "cancelled"


class Task(QObject):
    """One piece of work and what came of it, told in the thread that made the task.

    Exactly one of ``succeeded`` (with the work's result), ``failed`` (with the exception
    it raised) or ``cancelled`` is emitted, then ``finished``; ``progressed`` comes before
    them, once per :meth:`TaskControl.progress`.

    Parameters
    ----------
    work
        What to run, given a :class:`TaskControl`.
    expected
        Exceptions that are the user's business (a bad file), reported through ``failed``
        without a traceback in the log; any other exception is logged with its traceback
        as well, since it is a bug.
    parent
        The task's parent object.
    """

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    # Emitted from the work's thread; connected to slots of this object, which lives in
    # the GUI thread, so Qt queues the calls there, in the order they were made.
    _relay_progress = Signal(object)
    _relay_end = Signal(str, object)

    def __init__(
        self,
        work: Work,
        expected: tuple[type[BaseException], ...] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._expected = expected
        self._cancel = threading.Event()
        # Set while no work is under way, so waiting for a task never started returns.
        self._done = threading.Event()
        self._done.set()
        self._running = False
        # Called with this task once its outcome is handled: the runner lets go of it.
        self._on_end: Callable[[Task], None] | None = None
        #: The ident of the thread the work ran in (None until it started).
        self.ran_in: int | None = None
        self._relay_progress.connect(self._on_relay_progress)
        self._relay_end.connect(self._on_relay_end)

    def cancel(self) -> None:
        """Ask the work to stop (from any thread); a task not started yet never runs."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        """Started, and its outcome not yet handled in this task's thread."""
        return self._running

    def wait(self, ms: int = WAIT_MS) -> bool:
        """Block until the work has returned (its outcome may still be on its way to the
        GUI thread); False when ``ms`` passed first."""
        return self._done.wait(ms / 1000)

    def _mark_started(self, on_end: Callable[[Task], None]) -> None:
        if self._running:
            raise RuntimeError("the task is already running")
        self._running = True
        self._on_end = on_end
        self._done.clear()

    def _execute(self) -> None:
        """Run the work in the calling thread and post its outcome."""
        self.ran_in = threading.get_ident()
        try:
            if self._cancel.is_set():
                raise TaskCancelled()
            result = self._work(TaskControl(self))
        except TaskCancelled:
            self._post(_CANCELLED, None)
        except Exception as exc:  # reported to the GUI thread, never raised in the pool
            if not isinstance(exc, self._expected):
                log.error("background task failed", exc_info=exc)
            self._post(_FAILED, exc)
        else:
            self._post(_SUCCEEDED, result)
        finally:
            self._done.set()

    def _post(self, outcome: str, value: object) -> None:
        try:
            self._relay_end.emit(outcome, value)
        except RuntimeError:
            # The task was deleted with its owner (a window closed while the work ran):
            # nobody is left to tell.
            log.debug("a background task ended after its owner was deleted")

    @Slot(object)
    def _on_relay_progress(self, value: object) -> None:
        self.progressed.emit(value)

    @Slot(str, object)
    def _on_relay_end(self, outcome: str, value: object) -> None:
        self._running = False
        if outcome == _SUCCEEDED:
            self.succeeded.emit(value)
        elif outcome == _FAILED:
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end(self)


class _TaskRunnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._execute()


class TaskRunner:
    """Runs :class:`Task` s in a pool of threads of its own.

    Parameters
    ----------
    max_threads
        How many tasks run at once; the others wait their turn, in order.
    name
        What the pool's threads are called (seen in a debugger).
    """

    def __init__(self, max_threads: int | None = None, name: str = "tasks") -> None:
        self.pool = QThreadPool()
        self.pool.setObjectName(name)
        if max_threads is not None:
            self.pool.setMaxThreadCount(max_threads)
        # Started tasks, kept alive until their outcome is handled even if nobody else
        # holds them: a task deleted with its outcome on the way would lose it.
        self._active: set[Task] = set()

    def start(self, task: Task) -> Task:
        """Queue ``task``; returns it. Connect to its signals first: a
        :class:`SynchronousRunner` emits them all before returning."""
        task._mark_started(self._active.discard)
        self._active.add(task)
        self.pool.start(_TaskRunnable(task))
        return task

    def wait(self, ms: int = WAIT_MS) -> bool:
        """Block until every task's work has returned; False when ``ms`` passed first."""
        return self.pool.waitForDone(ms)


class SynchronousRunner(TaskRunner):
    """Runs each task's work at once in the calling thread, for tests: when :meth:`start`
    returns, the task has emitted everything it will."""

    def __init__(self) -> None:
        super().__init__(name="synchronous")

    def start(self, task: Task) -> Task:
        task._mark_started(self._active.discard)
        self._active.add(task)
        task._execute()
        return task

    def wait(self, ms: int = WAIT_MS) -> bool:
        return True


_RUNNERS: dict[str, TaskRunner] = {}


def background_runner() -> TaskRunner:
    """The app's runner for reading files, finding events and encoding animations: one
    thread per core, and at least two, since an animation's encoder holds one for the
    whole export."""
    if "background" not in _RUNNERS:
        threads = max(2, QThread.idealThreadCount())
        _RUNNERS["background"] = TaskRunner(max_threads=threads, name="background")
    return _RUNNERS["background"]


def write_runner() -> TaskRunner:
    """The app's runner for writing to the store: one thread, so a second import waits
    for the first instead of both holding a transaction open."""
    if "write" not in _RUNNERS:
        _RUNNERS["write"] = TaskRunner(max_threads=1, name="write")
    return _RUNNERS["write"]
