"""File > Export snapshot…, Export again and Copy map to clipboard.

:class:`ExportActions` builds the three actions for any window that is an
:class:`~desktop_app.ui.export.dialog.ExportTarget`; the main window adds them to its File
menu. The dialog and the export modules load when an action is first used: a start
needs none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop_app.files import ExportError
from desktop_app.lazy import on_first_use
from desktop_app.ui.export import render

if TYPE_CHECKING:
    from desktop_app.ui.export import animation, dialog
else:
    animation = on_first_use("desktop_app.ui.export.animation")
    dialog = on_first_use("desktop_app.ui.export.dialog")


class ExportActions(QObject):
    """Export snapshot… (Ctrl+E), Export again (Ctrl+Shift+E) and Copy map to clipboard
    (Ctrl+Shift+C) for a window, with the last settings and the warm page they share.

    Parameters
    ----------
    target
        The window whose map, time window and store are exported.
    """

    def __init__(self, target: dialog.ExportTarget) -> None:
        parent = target if isinstance(target, QObject) else None
        super().__init__(parent)
        self.target = target
        self.last: dialog.ExportSettings | None = None
        self._warm: dialog.WarmPage | None = None
        widget = target if isinstance(target, QWidget) else None
        self.export = QAction(self.tr("&Export snapshot…"), parent)
        self.export.setShortcut(QKeySequence(self.tr("Ctrl+E")))
        self.export.setStatusTip(self.tr("Save the map as a picture, page, animation or data"))
        self.export.triggered.connect(lambda: self.open_dialog(widget))
        self.again = QAction(self.tr("Export &again"), parent)
        self.again.setShortcut(QKeySequence(self.tr("Ctrl+Shift+E")))
        self.again.setStatusTip(self.tr("Repeat the last export with the same settings"))
        self.again.setEnabled(False)
        self.again.triggered.connect(lambda: self.run(self.last, widget))
        self.copy = QAction(self.tr("&Copy map to clipboard"), parent)
        self.copy.setShortcut(QKeySequence(self.tr("Ctrl+Shift+C")))
        self.copy.setStatusTip(self.tr("Copy the current view, with caption and legend"))
        self.copy.triggered.connect(lambda: self.copy_to_clipboard(widget))

    @property
    def warm(self) -> dialog.WarmPage:
        """The offscreen page the exports share, made for the first one."""
        if self._warm is None:
            self._warm = dialog.WarmPage()
        return self._warm

    def open_dialog(self, parent: QWidget | None) -> None:
        """Ask what to export (the export dialog) and export it."""
        export_dialog = dialog.ExportDialog(self.target, self.last, parent)
        if export_dialog.exec() == QDialog.DialogCode.Accepted:
            self.run(export_dialog.settings(), parent)

    def run(self, settings: dialog.ExportSettings | None, parent: QWidget | None) -> bool:
        """Export as ``settings`` say (None: nothing); whether a file was written. A
        failure is said in a message box over ``parent``."""
        if settings is None:
            return False
        try:
            message = dialog.perform_export(self.target, settings, self.warm, parent)
        except animation.ExportCancelled:
            return False
        except (ExportError, render.SnapshotError, ValueError) as exc:
            QMessageBox.warning(parent, self.tr("Export failed"), str(exc))
            return False
        self.last = settings
        dialog.remember_export_folder(settings.path, settings.fmt)
        self.again.setEnabled(True)
        # Where the file went is worth keeping in view, not only a passing remark.
        self.target.notify(message, settings.path)
        return True

    def close_pages(self) -> None:
        """Let go of the warm export page (the window is closing)."""
        if self._warm is not None:
            self._warm.close()

    def copy_to_clipboard(self, parent: QWidget | None) -> bool:
        """Put a picture of the map as shown on the clipboard; whether it was put."""
        try:
            image = dialog.snapshot_image(self.target, self.warm)
        except (ExportError, render.SnapshotError) as exc:
            QMessageBox.warning(parent, self.tr("Copy failed"), str(exc))
            return False
        QGuiApplication.clipboard().setImage(image)
        return True

    def actions(self) -> list[QAction]:
        """The three actions, in the order of the File menu."""
        return [self.export, self.again, self.copy]
