"""ViewsPanel: the saved views as a list to recall (double-click or Enter), rename (F2),
delete (Del) and reorder (drag, or the up and down buttons)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.panels.filters import chip_text
from desktop_app.ui.views.commands import ViewCommands
from desktop_app.ui.words import plain_tooltip, window_in_words

#: Where an item keeps the name its view has in the store (its text may be mid-edit).
NAME_ROLE = Qt.ItemDataRole.UserRole


class ViewsPanel(QWidget):
    """The list of the store's saved views; it only listens to :class:`ViewCommands`.

    Parameters
    ----------
    commands
        The window's views: what the list shows and what its keys and buttons do.
    """

    def __init__(self, commands: ViewCommands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.commands = commands
        self.list = QListWidget()
        self.list.setToolTip(
            self.tr("Double-click to show a view; F2 renames, Del deletes, drag to reorder")
        )
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.list.itemActivated.connect(self._on_activated)
        self.list.itemChanged.connect(self._on_item_changed)
        # After the drop is done: the model moves the row in steps.
        self.list.model().rowsMoved.connect(lambda *_: QTimer.singleShot(0, self._on_moved))
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)

        self.up_button = QPushButton(self.tr("&Up"))
        self.up_button.setToolTip(self.tr("Move the view up the list"))
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton(self.tr("Do&wn"))
        self.down_button.setToolTip(self.tr("Move the view down the list"))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.show_button = QPushButton(self.tr("&Show"))
        self.show_button.setToolTip(self.tr("Show the chosen view"))
        self.show_button.clicked.connect(self.recall_selected)
        self.save_button = QPushButton(self.tr("Save &current…"))
        self.save_button.setToolTip(self.tr("Save what the window shows now as a view"))
        self.save_button.clicked.connect(commands.save_dialog)
        buttons = QHBoxLayout()
        for button in (self.show_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._filling = False
        commands.viewsChanged.connect(self.refresh)
        self.refresh()

    def names(self) -> list[str]:
        """The names in the list, top to bottom."""
        return [self.list.item(r).data(NAME_ROLE) for r in range(self.list.count())]

    def refresh(self) -> None:
        """Show the store's views again, keeping the chosen one chosen."""
        chosen = self._chosen_name()
        self._filling = True
        try:
            self.list.clear()
            for view in self.commands.saved():
                name = view.name
                item = QListWidgetItem(name)
                item.setData(NAME_ROLE, name)
                # What the view shows, so views of similar names can be told apart.
                chips = [chip_text(c) for c in view.filter.describe()]
                parts = [window_in_words(view.window), *chips]
                item.setToolTip(plain_tooltip(" · ".join(parts)))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if name == chosen:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False
        has_views = self.list.count() > 0
        for button in (self.show_button, self.up_button, self.down_button):
            button.setEnabled(has_views)

    def _chosen_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(NAME_ROLE) if item is not None else None

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.commands.recall(item.data(NAME_ROLE))

    def recall_selected(self) -> None:
        name = self._chosen_name()
        if name is not None:
            self.commands.recall(name)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        old, new = item.data(NAME_ROLE), " ".join(item.text().split())
        # Later: the list is filled again, and the item must outlive its own signal.
        if new and new != old:
            QTimer.singleShot(0, lambda: self.commands.rename(old, new))
        elif new != item.text():
            # Spaces only, or a name left empty: back to the stored name.
            QTimer.singleShot(0, self.refresh)

    def rename_selected(self) -> None:
        """Edit the chosen view's name in place (F2 does the same)."""
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def delete_selected(self) -> None:
        """Delete the chosen view, after asking."""
        name = self._chosen_name()
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete view"),
            self.tr("Delete the saved view “%1”?").replace("%1", name),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.commands.delete(name)

    def move_selected(self, step: int) -> None:
        """Move the chosen view ``step`` places down the list (up when negative)."""
        name = self._chosen_name()
        if name is None:
            return
        names = self.names()
        at = names.index(name)
        to = max(0, min(len(names) - 1, at + step))
        if to != at:
            names.insert(to, names.pop(at))
            self.commands.reorder(names)

    def _on_moved(self) -> None:
        if self.names() != self.commands.names():
            self.commands.reorder(self.names())
