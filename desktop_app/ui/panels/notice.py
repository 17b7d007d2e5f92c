"""NoticeBar: a message that stays above the map until the user dismisses it.

The status bar is for passing remarks; what the user must be able to read later (an
export written, and where; a store opened read-only) goes here too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class NoticeBar(QFrame):
    """A one-line notice with an optional "Show folder" button and a close button.

    Parameters
    ----------
    parent
        The widget the bar sits in (above the map).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.text = QLabel()
        self.text.setTextFormat(self.text.textFormat().PlainText)
        self.text.setWordWrap(True)
        self.folder_button = QPushButton(self.tr("Show &folder"))
        self.folder_button.setToolTip(self.tr("Open the folder the file was written to"))
        self.folder_button.clicked.connect(self._open_folder)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss this notice"))
        close.setAccessibleName(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.folder_button)
        layout.addWidget(close)
        self._folder: Path | None = None
        self.hide()

    def show_notice(self, message: str, path: Path | None = None) -> None:
        """Show ``message`` (plain text); with ``path``, offer to show its folder."""
        self.text.setText(message)
        self._folder = None if path is None else (path if path.is_dir() else path.parent)
        self.folder_button.setVisible(self._folder is not None)
        self.show()

    @property
    def folder(self) -> Path | None:
        return self._folder

    def _open_folder(self) -> None:
        if self._folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))
