"""The Edit menu: undo and redo, edit, add at a map click, delete, merge and grade events;
and grading the cited outlets (Tools ▸ Grade outlets).

Every change is made in the store first (one transaction, with its history row) and then
pushed on the window's :class:`QUndoStack` as a :class:`StoreChange`; the views are then
shown the store's new state without loading the map page again.

A change of :data:`BIG_CHANGE` events or more (and its undo and redo) is written on the
window's write runner, on a connection of its own, so that the window never freezes:
meanwhile the window is busy as while indexing (other changes and imports are refused and
say why, an open edit form keeps what was typed until it can be saved, the status bar says
what is being saved), and the change reaches the undo stack only once it is saved. A window
closed meanwhile waits until the change is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QStatusBar,
    QWidget,
)

from desktop_app.core.event import Event
from desktop_app.core.grading import Grade
from desktop_app.core.index import EventIndex
from desktop_app.geo.gazetteer import default_gazetteer
from desktop_app.store.event_store import Change, EventStore, StoreError
from desktop_app.ui.editing.commands import StoreChange
from desktop_app.ui.editing.form import EventForm
from desktop_app.ui.editing.grading import GradeEventsDialog, OutletsDialog
from desktop_app.ui.map.view import MapView
from desktop_app.ui.tasks import Task, TaskControl, TaskRunner, write_runner
from desktop_app.ui.view_state import ViewState

#: How long a remark about an edit stays in the status bar (ms).
STATUS_MS = 8000
#: Titles longer than this are cut in the Edit menu's "Undo …" text.
TITLE_IN_MENU = 40
#: A change of this many events or more is written in the background. Measured on a
#: million-event store on a loaded machine (two cores shared by four test runs): grading
#: 400 events took 30 ms, 1,000 about 120 ms; deleting costs ~0.5 ms an event beyond what
#: the store's size costs (below), so a change under this takes about 100 ms at most.
BIG_CHANGE = 250
#: A change that rewrites the map's columns (any but a grading) of a store of this many
#: events or more is written in the background whatever its size: the columns are
#: rewritten whole, ~1 s for a million events (deleting 100 of them took 1.1 s). The window
#: reads such a store's columns again in a worker too, to show the change.
BIG_STORE = 100_000


class EditTarget(Protocol):
    """What the edit commands need of a window."""

    store: EventStore
    state: ViewState
    map_view: MapView
    #: The events the map and the timeline show (how many the store holds).
    index: EventIndex
    #: The store is busy: its indexes are being made (a staged import's second stage) or
    #: a big change is being saved. Changes are refused meanwhile.
    busy: bool
    #: What is being saved in the background (None: nothing).
    saving: str | None

    def set_saving(self, what: str | None) -> None: ...

    def why_busy(self) -> str | None: ...

    def show_edited(self, select: list[int]) -> None: ...

    def show_graded(self, select: list[int]) -> None: ...

    def notify(self, message: str) -> None: ...

    def statusBar(self) -> QStatusBar: ...


def quoted(title: str) -> str:
    """A title for the Edit menu: in quotes, cut to a length that fits."""
    title = " ".join(title.split())
    if len(title) > TITLE_IN_MENU:
        title = title[: TITLE_IN_MENU - 1] + "…"
    return f"‘{title}’"


class MergeDialog(QDialog):
    """Two of the selected events: which one stays, and which one is merged into it."""

    def __init__(self, events: list[Event], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Merge events"))
        self.keep = QComboBox()
        self.other = QComboBox()
        for box in (self.keep, self.other):
            for event in events:
                box.addItem(f"{event.display_date or event.start} — {event.title}", event.id)
        self.other.setCurrentIndex(1)
        note = QLabel(
            self.tr(
                "The kept event gets the cited outlets, actors and excerpt of both; the "
                "other is deleted. Undo brings it back."
            )
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(self.tr("&Keep"), self.keep)
        layout.addRow(self.tr("&Merge into it"), self.other)
        layout.addRow(note)
        layout.addRow(buttons)

    def chosen(self) -> tuple[int, int]:
        return int(self.keep.currentData()), int(self.other.currentData())

    def accept(self) -> None:
        keep, other = self.chosen()
        if keep != other:
            super().accept()


class EditActions(QObject):
    """The edit actions of one window, and its undo stack.

    Parameters
    ----------
    window
        The main window: its store is changed, its views shown the change.
    writes
        Where big changes are written; the app's write runner by default.
    """

    def __init__(self, window: EditTarget, writes: TaskRunner | None = None) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self.writes = writes or write_runner()
        #: The last change written in the background (kept after it ends, and after Qt
        #: deleted it: its is_running still answers, and tests look).
        self.task: Task | None = None
        #: The window closed its store: nothing is written or shown any more.
        self.closed = False
        self.stack = QUndoStack(self)
        self.form: EventForm | None = None
        # Not the stack's own actions: a big undo is written before the stack moves.
        self.undo_action = self._action(
            self.tr("&Undo"), self.undo, QKeySequence(self.tr("Ctrl+Z"))
        )
        self.redo_action = self._action(
            self.tr("&Redo"), self.redo, QKeySequence(self.tr("Ctrl+Shift+Z"))
        )
        self.stack.undoTextChanged.connect(self._name_steps)
        self.stack.redoTextChanged.connect(self._name_steps)
        self.stack.canUndoChanged.connect(self.update_actions)
        self.stack.canRedoChanged.connect(self.update_actions)
        self.edit_action = self._action(
            self.tr("&Edit event…"),
            self.edit_current,
            # F2, the desktop's key for editing the item at hand: Ctrl+E is Export snapshot.
            QKeySequence(self.tr("F2")),
            self.tr("Change the fields of the event being read"),
        )
        self.add_action = self._action(
            self.tr("&Add event"),
            self.choose_point,
            QKeySequence(self.tr("Ctrl+Shift+N")),
            self.tr("Click the map where the new event happened"),
        )
        self.delete_action = self._action(
            self.tr("&Delete"),
            self.delete_selected,
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.tr("Delete the selected events (Undo brings them back)"),
        )
        self.merge_action = self._action(
            self.tr("&Merge events…"),
            self.merge_selected,
            tip=self.tr("Make one event of two selected ones"),
        )
        self.grade_action = self._action(
            self.tr("&Grade selected events…"),
            self.grade_selected,
            QKeySequence(self.tr("Ctrl+Shift+G")),
            self.tr("Give every selected event one grade (Undo gives each its own back)"),
        )
        self.outlets_action = self._action(
            self.tr("Grade &outlets…"),
            self.grade_outlets,
            tip=self.tr("The outlets the events cite, and the grade their events take"),
        )
        self.outlets_dialog: OutletsDialog | None = None
        self.stack.indexChanged.connect(self._on_stack_moved)
        window.map_view.pointPicked.connect(self._on_point_picked)
        window.state.selectionChanged.connect(self.update_actions)
        window.state.currentChanged.connect(self.update_actions)
        self._picking_for: EventForm | None = None
        self._name_steps()
        self.update_actions()

    def close(self) -> None:
        """Before the window closes its store: wait for a change being saved in the
        background to be written, however long it takes (the status bar says so; cut off,
        it would be lost), then write and show nothing more. What the write would still
        tell the window is dropped: its store and its views are going."""
        task = self.task
        running = task is not None and task.is_running()
        if running:
            bar = self._window.statusBar()
            bar.showMessage(
                self.tr("%1 The window closes once it is saved.").replace(
                    "%1", self._window.saving or ""
                )
            )
            # Painted now: the wait below holds the event loop.
            bar.repaint()
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                # Task.wait gives up after a while: each time, the write is still going.
                while not task.wait():
                    pass
            finally:
                QApplication.restoreOverrideCursor()
        self.closed = True
        if running:
            # Its outcome is queued for the GUI thread: it must reach no one.
            for signal in (task.succeeded, task.failed, task.finished):
                signal.disconnect()
            task.finished.connect(task.deleteLater)
        if self.form is not None:
            self.form.close()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def actions(self) -> list[QAction | None]:
        """The Edit menu, None where a separator goes."""
        return [
            self.undo_action,
            self.redo_action,
            None,
            self.edit_action,
            self.add_action,
            self.delete_action,
            self.merge_action,
            self.grade_action,
        ]

    def update_actions(self, *_args) -> None:
        """Enable the commands the store, the selection and any indexing allow now; an
        open edit form waits to be saved while the store is busy."""
        if self.closed:
            return
        if self.form is not None:
            self.form.set_busy(self._window.why_busy())
        writable = not self._window.store.read_only and not self._window.busy
        state = self._window.state
        self.undo_action.setEnabled(writable and self.stack.canUndo())
        self.redo_action.setEnabled(writable and self.stack.canRedo())
        self.edit_action.setEnabled(writable and state.current is not None)
        self.add_action.setEnabled(writable)
        self.delete_action.setEnabled(writable and bool(state.selection))
        self.merge_action.setEnabled(writable and len(state.selection) >= 2)
        self.grade_action.setEnabled(writable and bool(state.selection))
        # The outlets are counted from the links the indexing makes.
        self.outlets_action.setEnabled(not self._window.busy)

    def _name_steps(self, *_args) -> None:
        # Whole sentences for the translators, who may put the change before the verb.
        undo, redo = self.stack.undoText(), self.stack.redoText()
        self.undo_action.setText(
            self.tr("&Undo %1").replace("%1", undo) if undo else self.tr("&Undo")
        )
        self.redo_action.setText(
            self.tr("&Redo %1").replace("%1", redo) if redo else self.tr("&Redo")
        )

    def clear(self) -> None:
        """Forget every change (another store is open, or an import rewrote this one)."""
        self.stack.clear()
        self.update_actions()
        if self.outlets_dialog is not None:
            self.outlets_dialog.reload()

    # -- the commands ----------------------------------------------------------------------

    def edit_current(self) -> EventForm | None:
        """Open the form on the event being read."""
        current = self._window.state.current
        event = self._window.store.event(current) if current is not None else None
        if event is None:
            return None
        return self._open_form(event, None)

    def choose_point(self) -> None:
        """Let the next click on the map place a new event there."""
        self._picking_for = None
        self._window.map_view.choose_point(True)
        self._window.statusBar().showMessage(
            self.tr("Click the map where the event happened."), STATUS_MS
        )

    def _on_point_picked(self, lat: float, lon: float) -> None:
        form, self._picking_for = self._picking_for, None
        if form is not None:
            form.set_point(lat, lon)
            form.show()
            form.raise_()
            return
        self._open_form(None, (lat, lon))

    def _open_form(self, event: Event | None, point: tuple[float, float] | None) -> EventForm:
        if self.form is not None:
            self.form.close()
        form = EventForm(event, default_gazetteer(), self._window, point=point)  # type: ignore[arg-type]
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.accepted.connect(lambda: self._on_form_accepted(form, event))
        form.chooseOnMap.connect(lambda: self._pick_for(form))
        form.destroyed.connect(lambda *_: self._forget_form(form))
        form.set_busy(self._window.why_busy())
        self.form = form
        # Not modal: the map stays clickable, to choose the place on it.
        form.show()
        return form

    def _forget_form(self, form: EventForm) -> None:
        if self.form is form:
            self.form = None

    def _pick_for(self, form: EventForm) -> None:
        self._picking_for = form
        form.hide()
        self._window.map_view.choose_point(True)
        self._window.statusBar().showMessage(
            self.tr("Click the map where the event happened."), STATUS_MS
        )

    def _on_form_accepted(self, form: EventForm, original: Event | None) -> None:
        event = form.edited_event()
        if original is None:
            self._apply(lambda s: s.add_event(event), self.tr("addition of %1"), event.title)
        elif event != original:
            self._apply(lambda s: s.update_event(event), self.tr("edit of %1"), original.title)

    def delete_selected(self) -> None:
        ids = list(self._window.state.selection)
        first = self._first_stored(ids)
        if first is None:
            return
        if len(ids) == 1:
            text = self.tr("deletion of %1")
        else:
            text = self.tr("deletion of %n events", "", len(ids))
        self._apply(lambda s: s.delete_events(ids), text, first.title, size=len(ids))

    def _first_stored(self, ids: list[int]) -> Event | None:
        """The first of the selected events ``ids`` still in the store, whose title names
        the change; when none is, the status bar says so (nothing to change)."""
        first = self._window.store.first_stored(ids)
        if first is None and ids:
            self._window.statusBar().showMessage(
                self.tr("The selected events are no longer in the store."), STATUS_MS
            )
        return first

    def merge_selected(self) -> MergeDialog | None:
        events = self._window.store.events(list(self._window.state.selection))
        if len(events) < 2:
            return None
        dialog = MergeDialog(events, self._window)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.merge(*dialog.chosen()))
        dialog.open()
        return dialog

    def merge(self, keep: int, other: int) -> None:
        """Merge the event ``other`` into ``keep``, undoably."""
        title = self._window.store.event(keep).title
        self._apply(lambda s: s.merge_events(keep, other), self.tr("merge into %1"), title)

    def grade_selected(self) -> GradeEventsDialog | None:
        """Ask for one grade for every selected event."""
        ids = list(self._window.state.selection)
        if not ids:
            return None
        if self._refused_read_only():
            return None
        # The boxes start at the grade the events share (an outlet's is not an event's
        # own), not at A1: OK pressed by mistake must not make them look trustworthy.
        start = self._window.store.shared_grade(ids)
        dialog = GradeEventsDialog(len(ids), start, self._window)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.grade(ids, dialog.grade()))
        dialog.open()
        return dialog

    def grade(self, ids: list[int], grade: Grade) -> None:
        """Give the events ``ids`` the grade ``grade``, as one undoable change."""
        first = self._first_stored(ids)
        if first is None:
            return
        if len(ids) == 1:
            text = self.tr("grading of %1 as %2")
        else:
            text = self.tr("grading of %n events as %2", "", len(ids))

        def made(change: Change) -> None:
            if not change.event_ids:
                self._window.statusBar().showMessage(
                    self.tr("The selected events are graded %1 already.").replace("%1", grade.code),
                    STATUS_MS,
                )

        self._apply(
            lambda s: s.grade_events(ids, grade),
            text.replace("%2", grade.code),
            first.title,
            size=len(ids),
            columns=False,
            then=made,
        )

    def grade_outlets(self) -> OutletsDialog:
        """Open the list of cited outlets, to grade them."""
        if self.outlets_dialog is None:
            dialog = OutletsDialog(lambda: self._window.store, self.grade_outlet, self._window)  # type: ignore[arg-type]
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_: setattr(self, "outlets_dialog", None))
            self.outlets_dialog = dialog
        else:
            self.outlets_dialog.reload()
        self.outlets_dialog.show()
        self.outlets_dialog.raise_()
        return self.outlets_dialog

    def grade_outlet(self, outlet: str, grade: Grade | None) -> None:
        """Grade the cited outlet ``outlet`` (None: remove its grade), undoably."""
        if self._refused_read_only():
            return
        if grade is None:
            text = self.tr("removal of the grade of %1")
        else:
            text = self.tr("grading of %1 as %2").replace("%2", grade.code)
        self._apply(
            lambda s: s.grade_outlet(outlet, grade),
            text,
            outlet,
            # No event is added or removed: the selection stays what it was.
            columns=False,
            keep_selection=True,
        )

    def _on_stack_moved(self, _index: int) -> None:
        # An undo or redo may change any outlet's grade: the open list shows the store's.
        if self.outlets_dialog is not None:
            self.outlets_dialog.reload()

    def _refused_read_only(self) -> bool:
        store = self._window.store
        if not store.read_only:
            return False
        self._window.notify(
            self.tr(
                "%1 is on a medium that cannot be written: it is open for viewing only."
            ).replace("%1", str(store.path))
        )
        return True

    def undo(self) -> None:
        """Undo the last change: written first (in the background when it is big), and
        the stack moves back only once it is saved."""
        self._step(self.stack.index() - 1, back=True)

    def redo(self) -> None:
        """Redo the last change undone, as :meth:`undo` undoes."""
        self._step(self.stack.index(), back=False)

    def _step(self, index: int, *, back: bool) -> None:
        command = self.stack.command(index)
        if not isinstance(command, StoreChange):
            return
        change = command.change
        side, word = (change.before, "undo") if back else (change.after, "redo")

        def moved(_result: object) -> None:
            command.mark_written()
            if back:
                self.stack.undo()
            else:
                self.stack.redo()

        self._write(
            lambda s: s.restore_events(side, f"{word} {change.kind}"),
            self.tr("Saving: %1…").replace(
                "%1", (self.undo_action if back else self.redo_action).text().replace("&", "")
            ),
            # Only a change of events' rows rewrites the map's columns (not a grading).
            self._big(len(change.event_ids), bool(change.before.events or change.after.events)),
            moved,
        )

    def _apply(
        self,
        change: Callable[[EventStore], Change],
        text: str,
        title: str,
        *,
        size: int = 1,
        columns: bool = True,
        keep_selection: bool = False,
        then: Callable[[Change], None] | None = None,
    ) -> None:
        """Make ``change`` of the window's store (of ``size`` events; ``columns``: it
        rewrites the map's columns) undoably, as the Edit menu's ``text`` about
        ``title``; ``then`` is given it once it is saved."""
        text = text.replace("%1", quoted(title))

        def push(made: Change) -> None:
            if made.event_ids or made.before.outlet_grades != made.after.outlet_grades:
                # A change that leaves the map's columns as they are needs them not read again.
                show = self._window.show_edited if columns else self._window.show_graded
                shown = show
                if keep_selection:
                    window = self._window

                    def shown(_ids: list[int]) -> None:
                        show(list(window.state.selection))

                self.stack.push(StoreChange(text, made, lambda: self._window.store, shown))
            # else nothing changed: nothing to undo
            if then is not None:
                then(made)

        saying = self.tr("Saving the %1…").replace("%1", text)
        self._write(change, saying, self._big(size, columns), push)

    def _big(self, size: int, columns: bool) -> bool:
        """Whether a change of ``size`` events (``columns``: that rewrites the map's
        columns) is written in the background."""
        # The store's count, not the window's index: that is empty while the store loads.
        return size >= BIG_CHANGE or (columns and self._window.store.count() >= BIG_STORE)

    def _write(
        self,
        write: Callable[[EventStore], object],
        saying: str,
        big: bool,
        then: Callable[[object], None],
    ) -> None:
        """Run ``write`` on a store (``saying`` tells what it saves) and give ``then`` its
        result in the GUI thread. A ``big`` write runs on the write runner with a store of
        its own, the window busy meanwhile; a failed one says why in one line and leaves
        the store as it was."""
        window = self._window
        if self.closed:
            return
        # The indexing holds the store's write lock, and so does a change being saved:
        # a change would freeze the window waiting for it.
        busy = window.why_busy()
        if busy is not None:
            window.notify(busy)
            return
        if not big:
            try:
                result = write(window.store)
            except StoreError as exc:
                self._not_saved(exc)
                return
            then(result)
            return
        path = window.store.path

        def run(_control: TaskControl) -> object:
            with EventStore(path, resume_indexing=False) as store:
                return write(store)

        def saved(result: object) -> None:
            # Another store opened meanwhile has its own stack: this change is not its.
            if not self.closed and window.store.path == path:
                then(result)

        def ended() -> None:
            if not self.closed:
                window.set_saving(None)

        task = Task(run, expected=(StoreError,), parent=self)
        task.succeeded.connect(saved)
        task.failed.connect(self._not_saved)
        task.finished.connect(ended)
        task.finished.connect(task.deleteLater)
        self.task = task
        window.set_saving(saying)
        self.writes.start(task)

    def _not_saved(self, exc: BaseException) -> None:
        """Tell why a change was not saved, in one line, whether it was written at once or
        in the background."""
        if not self.closed:
            self._window.notify(self.tr("Not saved: %1").replace("%1", str(exc)))
