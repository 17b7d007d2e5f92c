"""Help ▸ Keyboard shortcuts: every shortcut of the window's actions, and the timeline's keys."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.timeline.input import TIMELINE_KEYS


def menu_shortcuts(menus: Iterable[QMenu]) -> list[tuple[str, str]]:
    """(shortcut, "Menu ▸ Action") for every action with a shortcut, menus in order."""
    found: list[tuple[str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            name = action.text().replace("&", "").rstrip("…").strip()
            if action.menu() is not None:
                walk(action.menu(), f"{path} ▸ {name}")
            elif not action.isSeparator():
                keys = [
                    k.toString(QKeySequence.SequenceFormat.NativeText)
                    for k in action.shortcuts()
                ]
                if keys:
                    found.append((", ".join(keys), f"{path} ▸ {name}"))

    for menu in menus:
        walk(menu, menu.title().replace("&", ""))
    return found


def timeline_keys() -> list[tuple[str, str]]:
    return [
        (keys, QCoreApplication.translate("TimelineWidget", what)) for keys, what in TIMELINE_KEYS
    ]


class ShortcutsDialog(QDialog):
    """A table of every shortcut: generated from the menus, so it is never out of date."""

    def __init__(self, menus: Iterable[QMenu], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = menu_shortcuts(menus) + [
            (keys, self.tr("Timeline ▸ %1").replace("%1", what)) for keys, what in timeline_keys()
        ]
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Does")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        self.table.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def rows(self) -> list[tuple[str, str]]:
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
        ]


