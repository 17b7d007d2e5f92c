"""Go to event… (Ctrl+G): find an event by its id or words of its text, select it and
bring it into view, moving the time window to it when it falls outside."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.event import Event
from desktop_app.core.filter import Filter, FilterError
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui.map.view import MapView
from desktop_app.ui.view_state import ViewState

#: The most matches the dialog lists.
MAX_FOUND = 50
_ID_ROLE = Qt.ItemDataRole.UserRole


def find_events(store: EventStore, text: str, limit: int = MAX_FOUND) -> list[Event]:
    """The events ``text`` names: the event of that id (``16`` or ``#16``) first, then
    the best matches of the text search (titles, excerpts, places, outlets)."""
    text = text.strip()
    found: list[Event] = []
    if text.lstrip("#").isdigit():
        event = store.event(int(text.lstrip("#")))
        if event is not None:
            found.append(event)
    if text:
        try:
            matches = store.matching_events(Filter(text=text), ranked=True)
        except (FilterError, StoreError):
            matches = []
        found += [e for e in matches if e.id not in {f.id for f in found}]
    return found[:limit]


def go_to_event(state: ViewState, map_view: MapView, event: Event) -> None:
    """Select ``event`` and centre it; a window that does not show it moves (keeping its
    length) to put the event's start in its middle."""
    window = state.window
    t0, t1 = event.span
    if not window.overlaps(t0, t1):
        state.set_window(window.moved_to(t0 - window.duration / 2))
        state.reveal_window()
    already = state.current == event.id
    state.select([event.id])
    if already:
        # The map centres an event as it becomes the current one; this one already was.
        map_view.page_api.fly_to(event.id)


class GoToEventDialog(QDialog):
    """A search line and the events it finds; Enter (or a double-click) goes to one.

    Parameters
    ----------
    store, state, map_view
        Where the events are found, and what going to one changes.
    """

    def __init__(
        self, store: EventStore, state: ViewState, map_view: MapView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Go to event"))
        self._store, self._state, self._map = store, state, map_view
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("An event's id, or words of its title or text"))
        self.search.setToolTip(self.tr("16 finds event 16; kharki* finds Kharkiv"))
        self.found = QListWidget()
        self.found.setToolTip(self.tr("Enter or double-click goes to the event"))
        self.count = QLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.go_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.go_button.setText(self.tr("&Go"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("&Find:"))
        label.setBuddy(self.search)
        layout.addWidget(label)
        layout.addWidget(self.search)
        layout.addWidget(self.found, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._on_text_changed)
        self.search.returnPressed.connect(self.accept)
        self.found.itemActivated.connect(lambda _item: self.accept())
        self.resize(480, 360)
        self._on_text_changed("")

    def _on_text_changed(self, text: str) -> None:
        self.found.clear()
        events = find_events(self._store, text) if text.strip() else []
        for event in events:
            place = f" — {event.place.name}" if event.place else ""
            item = QListWidgetItem(f"#{event.id}  {event.start}  {event.title}{place}")
            item.setData(_ID_ROLE, event.id)
            self.found.addItem(item)
        if events:
            self.found.setCurrentRow(0)
        self.go_button.setEnabled(bool(events))
        self.count.setText(
            self.tr("%1 found").replace("%1", str(len(events))) if text.strip() else ""
        )

    def chosen_id(self) -> int | None:
        item = self.found.currentItem()
        return int(item.data(_ID_ROLE)) if item is not None else None

    def accept(self) -> None:
        event_id = self.chosen_id()
        if event_id is None:
            return
        event = self._store.event(event_id)
        if event is not None:
            go_to_event(self._state, self._map, event)
        super().accept()
