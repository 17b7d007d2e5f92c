"""The task runner: results, errors, cancel and progress told in the GUI thread, the work
run in a pool thread; the one-thread runner for writes; the synchronous runner."""

from __future__ import annotations

import logging
import threading

import pytest

from desktop_app.ui.tasks import (
    SynchronousRunner,
    Task,
    TaskCancelled,
    TaskRunner,
    write_runner,
)

WAIT_MS = 30_000


@pytest.fixture
def runner():
    runner = TaskRunner(name="test")
    yield runner
    assert runner.wait(WAIT_MS)


class Outcomes:
    """Everything a task emitted, in order, with the thread each signal arrived in."""

    def __init__(self, task: Task) -> None:
        self.seen: list[tuple[str, object]] = []
        self.threads: set[int] = set()
        self.running_at_outcome: list[bool] = []
        task.progressed.connect(lambda value: self._add("progressed", value))
        task.succeeded.connect(lambda value: self._outcome(task, "succeeded", value))
        task.failed.connect(lambda error: self._outcome(task, "failed", error))
        task.cancelled.connect(lambda: self._outcome(task, "cancelled", None))
        task.finished.connect(lambda: self._add("finished", None))

    def _add(self, name: str, value: object) -> None:
        self.seen.append((name, value))
        self.threads.add(threading.get_ident())

    def _outcome(self, task: Task, name: str, value: object) -> None:
        self.running_at_outcome.append(task.is_running())
        self._add(name, value)

    @property
    def names(self) -> list[str]:
        return [name for name, _value in self.seen]


def run_to_end(qtbot, runner: TaskRunner, task: Task) -> Outcomes:
    outcomes = Outcomes(task)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        runner.start(task)
    return outcomes


def test_the_result_arrives_in_the_gui_thread_and_the_work_ran_off_it(qtbot, runner):
    gui = threading.get_ident()
    worked_in = []

    def work(_control):
        worked_in.append(threading.get_ident())
        return {"answer": 42}

    task = Task(work)
    outcomes = run_to_end(qtbot, runner, task)
    assert outcomes.seen == [("succeeded", {"answer": 42}), ("finished", None)]
    assert worked_in == [task.ran_in] and task.ran_in != gui
    assert outcomes.threads == {gui}
    # The outcome and the end come together: a handler of the outcome may start the next.
    assert outcomes.running_at_outcome == [False]
    assert not task.is_running()


def test_running_is_gui_state_true_until_the_outcome_is_handled(qtbot, runner):
    release = threading.Event()
    task = Task(lambda _control: release.wait(WAIT_MS / 1000))
    runner.start(task)
    assert task.is_running()
    with pytest.raises(RuntimeError):
        runner.start(task)
    release.set()
    assert task.wait(WAIT_MS)
    # The work has returned, but the GUI thread has not handled its outcome yet.
    assert task.is_running()
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)


def test_an_exception_in_the_work_is_reported_not_raised(qtbot, runner, caplog):
    def broken(_control):
        raise KeyError("no such column")

    task = Task(broken)
    with caplog.at_level(logging.ERROR, logger="desktop_app.ui.tasks"):
        outcomes = run_to_end(qtbot, runner, task)
    assert outcomes.names == ["failed", "finished"]
    error = outcomes.seen[0][1]
    assert isinstance(error, KeyError) and error.args == ("no such column",)
    # A bug: logged with its traceback.
    assert [r.exc_info[0] for r in caplog.records] == [KeyError]

    # The pool is not hurt: the next task runs.
    after = run_to_end(qtbot, runner, Task(lambda _control: "still working"))
    assert after.seen[0] == ("succeeded", "still working")


def test_an_expected_error_is_reported_without_a_traceback(qtbot, runner, caplog):
    def bad_file(_control):
        raise ValueError("talks.txt: line 3: not a date")

    task = Task(bad_file, expected=(ValueError,))
    with caplog.at_level(logging.ERROR, logger="desktop_app.ui.tasks"):
        outcomes = run_to_end(qtbot, runner, task)
    assert outcomes.names == ["failed", "finished"]
    assert str(outcomes.seen[0][1]) == "talks.txt: line 3: not a date"
    assert caplog.records == []


def test_cancel_stops_the_work_where_it_looks(qtbot, runner):
    started, release = threading.Event(), threading.Event()
    steps = []

    def work(control):
        started.set()
        release.wait(WAIT_MS / 1000)
        for step in range(1000):
            control.check()
            steps.append(step)
        return "done"

    task = Task(work)
    outcomes = Outcomes(task)
    runner.start(task)
    assert started.wait(WAIT_MS / 1000)
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: "finished" in outcomes.names, timeout=WAIT_MS)
    assert outcomes.names == ["cancelled", "finished"]
    assert steps == []
    assert task.is_cancelled()


def test_a_task_cancelled_before_its_turn_never_runs(qtbot):
    writes = TaskRunner(max_threads=1, name="test-writes")
    release = threading.Event()
    ran = []
    first = Task(lambda _control: release.wait(WAIT_MS / 1000))
    second = Task(lambda _control: ran.append("second"))
    second_outcomes = Outcomes(second)
    writes.start(first)
    writes.start(second)  # waits for the one thread
    second.cancel()
    release.set()
    qtbot.waitUntil(lambda: "finished" in second_outcomes.names, timeout=WAIT_MS)
    assert second_outcomes.names == ["cancelled", "finished"]
    assert ran == []
    assert writes.wait(WAIT_MS)


def test_progress_arrives_in_order_and_before_the_outcome(qtbot, runner):
    def work(control):
        for k in range(2000):
            control.progress(k)
        return "all"

    outcomes = run_to_end(qtbot, runner, Task(work))
    assert outcomes.names[-2:] == ["succeeded", "finished"]
    assert [value for name, value in outcomes.seen if name == "progressed"] == list(range(2000))
    assert outcomes.names[:-2] == ["progressed"] * 2000


def test_the_write_runner_runs_one_task_at_a_time(qtbot):
    writes = write_runner()
    assert writes is write_runner()
    lock = threading.Lock()
    inside, most = [0], [0]

    def write(_control):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        # Long enough for a second thread, were there one, to enter meanwhile.
        threading.Event().wait(0.01)
        with lock:
            inside[0] -= 1

    tasks = [Task(write) for _ in range(8)]
    for task in tasks:
        writes.start(task)
    assert writes.wait(WAIT_MS)
    qtbot.waitUntil(lambda: not any(task.is_running() for task in tasks), timeout=WAIT_MS)
    assert most[0] == 1


def test_the_synchronous_runner_tells_everything_before_start_returns():
    gui = threading.get_ident()

    def work(control):
        control.progress("half")
        return "whole"

    task = Task(work)
    outcomes = Outcomes(task)
    SynchronousRunner().start(task)
    assert outcomes.seen == [("progressed", "half"), ("succeeded", "whole"), ("finished", None)]
    assert task.ran_in == gui and not task.is_running()

    cancelled = Task(lambda control: control.check())
    cancelled_outcomes = Outcomes(cancelled)
    cancelled.cancel()
    SynchronousRunner().start(cancelled)
    assert cancelled_outcomes.names == ["cancelled", "finished"]

    def refuse(_control):
        raise TaskCancelled()

    refused = Task(refuse)
    refused_outcomes = Outcomes(refused)
    SynchronousRunner().start(refused)
    assert refused_outcomes.names == ["cancelled", "finished"]


@pytest.mark.parametrize("tells_progress", [False, True])
def test_a_task_deleted_with_its_owner_ends_quietly(qtbot, runner, capfd, caplog, tells_progress):
    from PySide6.QtCore import QObject
    from shiboken6 import Shiboken

    owner = QObject()
    go_on, after = threading.Event(), []

    def work(control):
        go_on.wait(WAIT_MS / 1000)
        if tells_progress:
            control.progress(1)
        after.append("ran to the end")
        return 7

    task = Task(work, parent=owner)
    runner.start(task)
    Shiboken.delete(owner)  # a window closed while the work runs: its tasks go with it
    go_on.set()
    assert runner.wait(WAIT_MS)
    qtbot.wait(20)
    # The work ends (cancelled at its next progress) and nothing is printed or logged as
    # an error: no "Signal source has been deleted" from the pool's thread.
    assert after == ([] if tells_progress else ["ran to the end"])
    assert "Traceback" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
