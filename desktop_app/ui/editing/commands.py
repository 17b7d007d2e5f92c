"""Undoable changes of the store: each a QUndoCommand over one :class:`Change`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from desktop_app.store.event_store import Change, EventStore
from desktop_app.store.rows import EventRows


class StoreChange(QUndoCommand):
    """A change already written to the store, which undo and redo write back.

    The change is made before the command is pushed (so that a refused one never
    reaches the stack); the push's first ``redo`` only shows it. Undo and redo each
    write one transaction and one history row per event ("undo edit", "redo edit"),
    unless :meth:`mark_written` says the next one was written already (in the
    background, by the edit actions).

    Parameters
    ----------
    text
        What the Edit menu says after "Undo" and "Redo" ("edit of ‘Talks’").
    change
        The change, as :meth:`EventStore.update_event` and its kin return it.
    store
        The store now open (the window's).
    shown
        Shows the store's new state; receives the ids to select afterwards.
    """

    def __init__(
        self,
        text: str,
        change: Change,
        store: Callable[[], EventStore],
        shown: Callable[[list[int]], None],
    ) -> None:
        super().__init__(text)
        self.change = change
        self._store = store
        self._shown = shown
        self._written = True

    def mark_written(self) -> None:
        """The next undo or redo is in the store already: it only shows it."""
        self._written = True

    def redo(self) -> None:
        if not self._written:
            self._store().restore_events(self.change.after, f"redo {self.change.kind}")
        self._written = False
        self._shown(self._present(self.change.after))

    def undo(self) -> None:
        if not self._written:
            self._store().restore_events(self.change.before, f"undo {self.change.kind}")
        self._written = False
        self._shown(self._present(self.change.before))

    @staticmethod
    def _present(saved: EventRows) -> list[int]:
        present = [event_id for event_id, row in saved.events.items() if row is not None]
        return [*present, *saved.grades]
