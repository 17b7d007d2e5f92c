"""File > Import…, File > Paste article… and Tools > Preferences… of the main window.

:class:`ImportCommands` builds the three actions for a window with ``.store``,
``.state``, ``.settings`` and ``reload_events()``. A dataset import asks its set-up
first (columns, day order, encoding, and what to do with bad rows: asked *before* the
import because the import is one transaction, and pausing a half-written transaction
on a modal question would hold the store's write lock while the user thinks). When rows
are placed by their place names, the file is then read once without writing, in the
write runner's thread, and the names placed by a guess (or as one of several places) are
put to the user to confirm; then the import runs in that thread behind a progress
dialog, with the user's places, then reloads the window and moves its time window to
the new events. An article file is read, and an article's events found,
in a :class:`~desktop_app.ui.tasks.Task` of the background runner (finding them loads the
gazetteer and can take seconds, which would freeze the window); the review dialog then
opens in the GUI thread, and the kept events are saved in one transaction from it: a few
dozen rows.

Whether the commands are busy is decided in the GUI thread only: from the moment a task
starts until its outcome is handled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget
from shiboken6 import isValid

from desktop_app.core.event import Event
from desktop_app.core.index import EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.lazy import on_first_use
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Settings
from desktop_app.ui.tasks import Task, TaskControl, TaskRunner, background_runner, write_runner
from desktop_app.ui.view_state import ViewState

if TYPE_CHECKING:
    from desktop_app.geo.placing import PlaceQuestion
    from desktop_app.ingest import article, pipeline, source
    from desktop_app.ingest.article import ArticleDraft
    from desktop_app.ingest.pipeline import ImportReport, Progress
    from desktop_app.ui.importing import article_review, dialogs, place_review, worker
    from desktop_app.ui.importing.article_review import ArticleTextInBackground
    from desktop_app.ui.importing.dialogs import ImportProgressDialog, ImportSetupDialog
    from desktop_app.ui.importing.worker import ImportJob, ImportOutcome, StoreNote
else:
    # The dialogs and the import machinery load when a command is first used.
    article = on_first_use("desktop_app.ingest.article")
    pipeline = on_first_use("desktop_app.ingest.pipeline")
    source = on_first_use("desktop_app.ingest.source")
    article_review = on_first_use("desktop_app.ui.importing.article_review")
    dialogs = on_first_use("desktop_app.ui.importing.dialogs")
    place_review = on_first_use("desktop_app.ui.importing.place_review")
    worker = on_first_use("desktop_app.ui.importing.worker")

#: How long what an import or a save of reviewed events came to stays in the status bar
#: (ms): longer than a passing remark, since the user may have looked away while it ran.
OUTCOME_MS = 15000

FILE_FILTERS = (
    "Event data and articles (*.csv *.tsv *.tab *.geojson *.json *.kml *.kmz *.txt *.md "
    "*.html *.htm);;CSV/TSV (*.csv *.tsv *.tab);;GeoJSON (*.geojson *.json);;"
    "KML/KMZ (*.kml *.kmz);;Articles (*.txt *.md *.html *.htm);;All files (*)"
)


class ImportTarget(Protocol):
    """What the import commands need of a window: the store to write to and its index,
    the view state and settings, a reload after an import, and ways to tell the user."""

    store: EventStore
    index: EventIndex
    state: ViewState
    settings: Settings
    #: The store is busy (its indexes are being made, or a big change is being saved):
    #: imports are refused meanwhile.
    busy: bool

    def why_busy(self) -> str | None: ...

    def reload_events(self) -> None: ...

    def notify(self, message: str, path: Path | None = None) -> None: ...

    def statusBar(self) -> QStatusBar: ...

    def isVisible(self) -> bool: ...


class ImportCommands(QObject):
    """The import actions of one main window and the state of its running import.

    Parameters
    ----------
    window
        The main window: its ``store`` path is where imports write, and it is reloaded
        after each one.
    writes, background
        Where imports, and reading and extracting articles, run; the app's shared
        runners by default.
    """

    def __init__(
        self,
        window: ImportTarget,
        writes: TaskRunner | None = None,
        background: TaskRunner | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.writes = writes or write_runner()
        self.background = background or background_runner()
        # The last import, and the last article read or extraction (kept after they end:
        # tests look at them).
        self.run: Task | None = None
        self.task: Task | None = None
        self.progress_dialog: ImportProgressDialog | None = None
        self.last_progress: Progress | None = None
        # The last dialog opened without blocking: tests (and the quit check) find it here.
        self.dialog: QWidget | None = None
        self.import_action = self._action(
            self.tr("&Import…"),
            self.choose_file,
            QKeySequence("Ctrl+I"),
            self.tr("Import events from a CSV, ACLED, GeoJSON, KML, TimelineJS file or article"),
        )
        self.paste_action = self._action(
            self.tr("&Paste article…"),
            self.paste_article,
            None,
            self.tr("Find events in the text of an article and review them"),
        )
        self.preferences_action = self._action(
            self.tr("&Preferences…"),
            self.show_preferences,
            QKeySequence.StandardKey.Preferences,
            self.tr("Online geocoding and other preferences"),
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        # A running import must end before the window closes its store.
        window.installEventFilter(self)

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
        return False

    def stop(self) -> None:
        """Cancel a running import and wait for its work to end (nothing is saved); wait
        for an article being read or extracted (a second or two at most)."""
        if self.run is not None and self.run.is_running():
            self.run.cancel()
            self.run.wait()
        if self.task is not None and self.task.is_running():
            self.task.wait()

    @property
    def busy(self) -> bool:
        """An import, or an article's reading or extraction, is running: started, and
        its outcome not yet handled."""
        return any(task is not None and task.is_running() for task in (self.run, self.task))

    def update_actions(self) -> None:
        """Enable importing unless an import runs or the store is being indexed."""
        for action in (self.import_action, self.paste_action):
            # While the store is indexed an import would wait for its write lock.
            action.setEnabled(not self.busy and not self.window.busy)

    # -- datasets ----------------------------------------------------------------------

    def choose_file(self) -> None:
        settings = self.window.settings
        folder = settings.get(opt.IMPORT_FOLDER) or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(
            self.window, self.tr("Import events"), folder, self.tr(FILE_FILTERS)
        )
        if path:
            settings.set(opt.IMPORT_FOLDER, str(Path(path).parent))
            self.import_path(Path(path))

    def import_path(self, path: Path, fmt: str = "auto") -> QWidget | None:
        """Ask how to import ``path``; returns the dialog. An article is read in a worker
        first: None is returned and its dialog opens (in :attr:`dialog`) once read."""
        try:
            kind = pipeline.detect_format(path) if fmt == "auto" else fmt
            if kind == "article":
                self.open_article(path)
                return None
            preview = dialogs.preview_table(path) if kind in ("csv", "acled") else None
        except (ImportFailed, OSError, ValueError) as exc:
            return self._warn(self.tr("Cannot import"), str(exc))
        on_error = self.window.settings.get(opt.IMPORT_ON_ERROR)
        dialog = dialogs.ImportSetupDialog(path, kind, preview, on_error, self.window)
        dialog.accepted.connect(
            lambda: self.begin(self.job_from(dialog), confirm_places=dialog.places_to_confirm())
        )
        return self._open(dialog)

    def job_from(self, dialog: ImportSetupDialog) -> ImportJob:
        """The import the set-up dialog describes, with the user's preferences."""
        settings = self.window.settings
        settings.set(opt.IMPORT_ON_ERROR, dialog.on_error())
        return worker.ImportJob(
            path=dialog.path,
            store_path=self.window.store.path,
            fmt=dialog.fmt,
            columns=dialog.mapping(),
            dayfirst=dialog.dayfirst(),
            encoding=dialog.encoding(),
            on_error=dialog.on_error(),
            repeats=dialog.repeats(),
            online_geocoding=settings.get(opt.ONLINE_GEOCODING),
            user_agent=dialogs.user_agent(settings.get(opt.GEOCODER_CONTACT)),
        )

    def begin(self, job: ImportJob, *, confirm_places: bool) -> Task:
        """Import ``job``; with ``confirm_places``, first read its place names and let the
        user confirm the guesses (the import starts when they have)."""
        return self.read_places(job) if confirm_places else self.start(job)

    def read_places(self, job: ImportJob) -> Task:
        """Read ``job``'s place names in the write runner's thread behind a progress
        dialog; then ask the user to confirm the guesses, or import when there are none."""
        return self._run(
            worker.survey_task(job),
            job,
            lambda questions: self._on_places_read(job, questions),
            reading_places=True,
        )

    def start(self, job: ImportJob) -> Task:
        """Run ``job`` in the write runner's thread behind a progress dialog."""
        return self._run(worker.import_task(job), job, self._on_succeeded)

    def _run(
        self,
        run: Task,
        job: ImportJob,
        succeeded: Callable[[object], None],
        *,
        reading_places: bool = False,
    ) -> Task:
        """Start ``run``, a task of ``job``, behind a progress dialog with Cancel; its
        result goes to ``succeeded``."""
        if self.busy:
            raise RuntimeError("an import is already running")
        progress = dialogs.ImportProgressDialog(
            job.path.name, self.window, reading_places=reading_places
        )
        progress.cancelRequested.connect(run.cancel)
        run.progressed.connect(self._on_progress)
        # The dialog of this task closes before the next task (started from the
        # outcome) opens its own.
        run.succeeded.connect(lambda _outcome: self._close_progress(progress))
        run.succeeded.connect(succeeded)
        run.cancelled.connect(self._on_cancelled)
        run.failed.connect(lambda error: self._on_import_failed(job, error))
        run.finished.connect(lambda: self._on_finished(progress))
        self.run, self.progress_dialog, self.last_progress = run, progress, None
        progress.show()
        self.writes.start(run)
        self.update_actions()
        return run

    def _on_places_read(self, job: ImportJob, questions: list[PlaceQuestion]) -> None:
        if not questions:
            self.start(job)
            return
        if not self.window.isVisible():  # closed while the names were read
            return
        dialog = place_review.PlaceReviewDialog(job.path.name, questions, self.window)
        dialog.accepted.connect(lambda: self.start(replace(job, place_choices=dialog.choices())))
        dialog.rejected.connect(self._on_cancelled)
        self._open(dialog)

    def _on_progress(self, progress: Progress | StoreNote) -> None:
        if isinstance(progress, worker.StoreNote):
            if self.progress_dialog is not None:
                self.progress_dialog.show_note(progress.text)
            return
        self.last_progress = progress
        if self.progress_dialog is not None:
            self.progress_dialog.show_progress(progress)

    def _close_progress(self, progress: ImportProgressDialog) -> None:
        if self.progress_dialog is progress:
            self.progress_dialog = None
            progress.finish()
            progress.deleteLater()

    def _on_finished(self, progress: ImportProgressDialog) -> None:
        self._close_progress(progress)
        self.update_actions()

    def _on_succeeded(self, outcome: ImportOutcome) -> None:
        report = outcome.report
        self.window.reload_events()
        moved = worker.window_for_new_events(
            self.window.index.arrays, outcome.first_new_id, outcome.new_span
        )
        if moved is not None:
            self._move_to(moved)
        summary = self.summary(report)
        # What came in is worth keeping in view, not only a passing remark.
        self.window.notify(summary)
        if report.skipped or report.warnings or report.repeats:
            self._open(dialogs.ImportReportDialog(summary, report, report.problems, self.window))

    def _on_import_failed(self, job: ImportJob, error: BaseException) -> None:
        if isinstance(error, pipeline.ImportAborted):
            self._on_aborted(error.problem)
        else:
            self._on_failed(worker.import_failure(job, error))

    def _on_aborted(self, problem: BadRecord) -> None:
        summary = self.tr("The import stopped at the first bad row, as asked; nothing was saved.")
        self._open(dialogs.ImportReportDialog(summary, None, [problem], self.window))

    def _on_cancelled(self) -> None:
        self.window.statusBar().showMessage(
            self.tr("Import cancelled; nothing was saved."), OUTCOME_MS
        )

    def _on_failed(self, message: str) -> None:
        self._warn(self.tr("Import failed"), message + "\n\n" + self.tr("Nothing was saved."))

    def summary(self, report: ImportReport) -> str:
        text = (
            self.tr("Imported %1 events from %2 (%3 new, %4 replaced); skipped %5 bad rows.")
            .replace("%1", f"{report.imported:,}")
            .replace("%2", Path(report.path).name)
            .replace("%3", f"{report.added:,}")
            .replace("%4", f"{report.replaced:,}")
            .replace("%5", f"{report.skipped:,}")
        )
        return text

    # -- articles ------------------------------------------------------------------------

    def paste_article(self) -> QWidget:
        return self._open(self._article_dialog("", "txt"))

    def open_article(self, path: Path) -> Task:
        """Read an article file in a worker, then show its text with its options (and
        review its events); a file that cannot be read is reported instead."""

        def read(_control: TaskControl) -> str:
            opened = source.Source(path)
            try:
                return opened.read_text()
            finally:
                opened.close()

        def show(text: object) -> None:
            if not self.window.isVisible():  # closed while the file was read
                return
            dialog = self._article_dialog(str(text), article.article_kind(path.suffix))
            dialog.setWindowTitle(self.tr("Article: %1").replace("%1", path.name))
            self._open(dialog)

        return self._start_task(
            read, show, lambda error: self._warn(self.tr("Cannot import"), str(error))
        )

    def _article_dialog(self, text: str, kind: str) -> ArticleTextInBackground:
        dialog = article_review.ArticleTextInBackground(text, kind, self.window)
        dialog.findRequested.connect(lambda work: self._find_events(dialog, work))
        dialog.accepted.connect(lambda: self.review(dialog.draft))
        return dialog

    def _find_events(
        self, dialog: ArticleTextInBackground, extraction: Callable[[], ArticleDraft]
    ) -> None:
        def waiting() -> bool:
            # The user may have cancelled (and so deleted) the dialog meanwhile: the
            # result then goes nowhere.
            return isValid(dialog) and dialog.isVisible()

        self._start_task(
            lambda _control: extraction(),
            lambda draft: dialog.finish(draft) if waiting() else None,
            lambda error: dialog.fail(str(error)) if waiting() else None,
        )

    def _start_task(
        self,
        work: Callable[[TaskControl], object],
        succeeded: Callable[[object], object],
        failed: Callable[[BaseException], object],
    ) -> Task:
        """Run ``work`` in the background runner, its result to ``succeeded`` and its
        exception to ``failed``, in the GUI thread."""
        if self.busy:
            raise RuntimeError("an import or an article is already being read")
        task = Task(work, expected=(ImportFailed, OSError, ValueError))
        task.succeeded.connect(succeeded)
        task.failed.connect(failed)
        task.finished.connect(self.update_actions)
        self.task = task
        self.background.start(task)
        self.update_actions()
        return task

    def review(self, draft) -> QWidget:
        if not draft.candidates:
            return self._warn(
                self.tr("No events found"),
                self.tr("No sentence of this article names both a place and a time."),
            )
        dialog = article_review.ArticleReviewDialog(
            draft, parent=self.window, busy=self.window.why_busy
        )
        dialog.accepted.connect(lambda: self.save_events(dialog.events()))
        return self._open(dialog)

    def save_events(self, events: list[Event]) -> bool:
        """Save reviewed events in one transaction, reload, and show them; refused (and
        told why) while the store is busy, whose write lock the save would wait for."""
        why = self.window.why_busy()
        if why is not None:
            self.window.notify(why)
            return False
        try:
            result = self.window.store.add_events(events)
        except StoreError as exc:
            self._warn(self.tr("Not saved"), str(exc))
            return False
        self.window.reload_events()
        spans = [event.span for event in events]
        if spans:
            start = min(s[0] for s in spans)
            end = max(max(s) for s in spans)
            self._move_to(TimeWindow(float(int(start) - 1), float(int(end) + 2)))
        self.window.notify(
            self.tr("Saved %1 events from the article (%2 new, %3 replaced).")
            .replace("%1", str(len(events)))
            .replace("%2", str(result.added))
            .replace("%3", str(result.replaced))
        )
        return True

    # -- preferences ---------------------------------------------------------------------

    def show_preferences(self) -> QWidget:
        return self._open(dialogs.PreferencesDialog(self.window.settings, self.window))

    # -- helpers -------------------------------------------------------------------------

    def _move_to(self, window: TimeWindow) -> None:
        self.window.state.set_window(window)
        # The timeline zooms to the new window instead of leaving it off-screen.
        self.window.state.reveal_window()

    def _open(self, dialog: QWidget) -> QWidget:
        # open(), not exec(): the event loop (and a running import) keeps going.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _warn(self, title: str, text: str) -> QWidget:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(title)
        return self._open(box)
