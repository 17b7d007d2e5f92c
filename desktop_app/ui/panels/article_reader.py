"""ArticleReader: the kept text of an article, with the event's excerpt marked."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop_app.core.event import Article
from desktop_app.core.originals import excerpt_span, text_sha256

#: The excerpt's highlight, the colour of a marker pen.
MARK_COLOUR = "#ffe58a"


class ArticleReader(QDialog):
    """Shows an article's text as the store keeps it, the excerpt highlighted, and
    whether the text is still the one imported (its SHA-256 against the kept one).

    Everything in it comes from the article: its text is set as plain text (never
    parsed as markup, whatever its size) and the excerpt marked by a character format;
    links are not followed (the text is shown, not browsed).
    """

    def __init__(
        self, article: Article, text: str, excerpt: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ArticleReader")
        self.setWindowTitle(self.tr("Article: %1").replace("%1", article.title))
        self.resize(720, 640)
        byline = " · ".join(x for x in (article.author, article.outlet, article.published) if x)
        heading = QLabel(f"<h3>{escape(article.title)}</h3>" +
                         (f"<p>{escape(byline)}</p>" if byline else ""))  # fmt: skip
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        self.check = QLabel()
        self.check.setTextFormat(Qt.TextFormat.PlainText)
        self.check.setWordWrap(True)
        self.found = excerpt_span(excerpt, text)
        self.unchanged = article.sha256 is None or text_sha256(text) == article.sha256
        notes = []
        if article.sha256:
            notes.append(
                self.tr("SHA-256 %1: the text is the one imported.").replace("%1", article.sha256)
                if self.unchanged
                else self.tr("The text no longer matches the SHA-256 kept at import (%1).")
                .replace("%1", article.sha256)
            )
        if article.retrieved:
            notes.append(self.tr("Retrieved %1.").replace("%1", article.retrieved))
        if excerpt:
            notes.append(
                self.tr("The excerpt is marked in the text.")
                if self.found
                else self.tr("The event's excerpt is not in this text word for word.")
            )
        self.check.setText(" ".join(notes))
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName(self.tr("Article text"))
        self.text.setPlainText(text)
        if self.found:
            self._mark(*self.found)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.check)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def _mark(self, start: int, end: int) -> None:
        """Highlight the characters ``start:end`` of the text, the cursor at their start."""
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        marked = QTextCharFormat()
        marked.setBackground(QColor(MARK_COLOUR))
        cursor.mergeCharFormat(marked)
        cursor.setPosition(start)
        self.text.setTextCursor(cursor)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.found:
            # From the end of the text back to the excerpt: it then opens at the top of
            # the view, its whole length below, rather than at the bottom edge.
            start = self.text.textCursor().position()
            self.text.moveCursor(QTextCursor.MoveOperation.End)
            self.text.ensureCursorVisible()
            cursor = self.text.textCursor()
            cursor.setPosition(start)
            self.text.setTextCursor(cursor)
            self.text.ensureCursorVisible()
