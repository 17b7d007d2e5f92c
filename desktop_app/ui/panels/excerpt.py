"""ExcerptPanel: the article behind the event the user is reading."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import category
from desktop_app.core.event import Event
from desktop_app.ui.view_state import ViewState
from desktop_app.ui.words import plain_tooltip


def _safe_link(url: str | None) -> str | None:
    """Only web links become clickable; anything else (javascript:, file:) stays text."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def is_headline(event: Event) -> bool:
    """Whether the excerpt is the article's headline (and standfirst), not its text."""
    article = event.article
    if article is None or not event.excerpt or not article.title:
        return False
    first = event.excerpt.partition("\n")[0].strip()
    return first == article.title.strip()


class ExcerptPanel(QWidget):
    """Shows the current event: what, when, where, the verbatim excerpt, the article and
    the outlets it cites. With several events under one click it lists them to pick from.

    Every piece of text comes from data files or the web, so all of it is escaped before
    it reaches Qt's rich-text renderer.

    Parameters
    ----------
    state
        The shared view state; the panel follows ``selection`` and ``current`` and sets
        ``current`` when the user picks from the list.
    lookup
        Returns the stored events for ids, in the order given.
    history
        Returns an event's history as plain lines (shown under "History"); None: no
        history and no "Edit…" button.
    """

    #: The user asked to edit the event shown ("Edit…", or a double-click in the list).
    editRequested = Signal(int)

    def __init__(
        self,
        state: ViewState,
        lookup: Callable[[Sequence[int]], list[Event]],
        parent: QWidget | None = None,
        history: Callable[[int], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ExcerptPanel")
        self._state = state
        self._lookup = lookup
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.choices = QListWidget()
        self.choices.setAccessibleName(self.tr("Events at this place"))
        self.choices.setMaximumHeight(140)
        self.details = QTextBrowser()
        # Qt hands back an href as written in the rich text, entities and all: the panel
        # opens links itself, from the URL it escaped (see _on_link_activated).
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_link_activated)
        self._links: dict[str, str] = {}
        self.details.setAccessibleName(self.tr("Event details"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.choices)
        layout.addWidget(self.details, 1)
        self._history = history
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setToolTip(self.tr("Change this event's fields (F2)"))
        self.edit_button.clicked.connect(self._ask_edit)
        self.choices.itemDoubleClicked.connect(lambda _item: self._ask_edit())
        self.history_toggle = QToolButton()
        self.history_toggle.setText(self.tr("History"))
        self.history_toggle.setCheckable(True)
        self.history_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.history_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.history_toggle.setToolTip(self.tr("Every change of this event, newest first"))
        self.history_toggle.toggled.connect(self._on_history_toggled)
        # Plain text: the history repeats the data's own words.
        self.history_text = QPlainTextEdit()
        self.history_text.setReadOnly(True)
        self.history_text.setAccessibleName(self.tr("History of the event"))
        self.history_text.setMaximumHeight(160)
        self.history_text.hide()
        bar = QHBoxLayout()
        bar.addWidget(self.history_toggle)
        bar.addStretch(1)
        bar.addWidget(self.edit_button)
        layout.addLayout(bar)
        layout.addWidget(self.history_text)
        for widget in (self.edit_button, self.history_toggle):
            widget.setVisible(history is not None)
        self.choices.currentItemChanged.connect(self._on_choice_changed)
        state.selectionChanged.connect(self._on_selection_changed)
        state.currentChanged.connect(self._on_current_changed)
        state.eventsChanged.connect(self._on_events_changed)
        self._on_selection_changed(state.selection)

    def _on_events_changed(self) -> None:
        self._on_selection_changed(self._state.selection)

    def refresh(self) -> None:
        """Read the shown events again (they were edited)."""
        self._on_events_changed()

    def _ask_edit(self) -> None:
        if self._state.current is not None:
            self.editRequested.emit(self._state.current)

    def _on_history_toggled(self, shown: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        self.history_toggle.setArrowType(arrow)
        self.history_text.setVisible(shown)
        self._show_history(self._state.current)

    def _show_history(self, event_id: int | None) -> None:
        if self._history is None or not self.history_toggle.isChecked():
            return
        lines = self._history(event_id) if event_id is not None else []
        self.history_text.setPlainText(
            "\n".join(lines) if lines else self.tr("No changes since it was imported.")
        )

    def _on_selection_changed(self, ids: tuple[int, ...]) -> None:
        events = self._lookup(list(ids)) if ids else []
        self.choices.blockSignals(True)
        self.choices.clear()
        for event in events:
            item = QListWidgetItem(f"{event.display_date or event.start} — {event.title}")
            item.setData(Qt.ItemDataRole.UserRole, event.id)
            item.setToolTip(plain_tooltip(event.title))
            self.choices.addItem(item)
        self.choices.blockSignals(False)
        several = len(events) > 1
        self.choices.setVisible(several)
        self.heading.setVisible(several)
        if several:
            place = events[0].place.name if events[0].place else ""
            # Only reached with two or more events, so the English plural is always right;
            # translations get %n for their own plural forms.
            text = self.tr("%n events at %1", "", len(events)).replace("%1", place)
            self.heading.setText(text)
        self._on_current_changed(self._state.current)

    def _on_current_changed(self, event_id: int | None) -> None:
        for row in range(self.choices.count()):
            item = self.choices.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == event_id:
                self.choices.blockSignals(True)
                self.choices.setCurrentItem(item)
                self.choices.blockSignals(False)
        found = self._lookup([event_id]) if event_id is not None else []
        self._links.clear()
        self.edit_button.setEnabled(bool(found))
        self._show_history(event_id if found else None)
        if found:
            self.details.setHtml(self.event_html(found[0]))
        else:
            hint = escape(self.tr("Click a marker on the map to read the article behind it."))
            self.details.setHtml(f"<p style='color: gray'>{hint}</p>")

    def _on_link_activated(self, url: QUrl) -> None:
        original = self._links.get(url.toString())
        if original is not None:
            QDesktopServices.openUrl(QUrl(original))

    def _on_choice_changed(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None:
            self._state.set_current(int(item.data(Qt.ItemDataRole.UserRole)))

    def event_html(self, event: Event) -> str:
        """The event as escaped rich text."""
        tr = self.tr
        cat = category(event.category)
        parts = [f"<h3>{escape(event.title)}</h3>"]
        when = escape(event.display_date or event.start)
        iso = escape(event.start + (f" – {event.end}" if event.end else ""))
        parts.append(
            f"<p><b>{escape(tr('When'))}:</b> {when} "
            f"<span style='color:gray'>({iso}, {escape(tr(str(event.precision)))})</span><br>"
        )
        if event.place:
            where = escape(event.place.name)
            if event.place.country:
                where += f" <span style='color:gray'>({escape(event.place.country)})</span>"
            parts.append(f"<b>{escape(tr('Where'))}:</b> {where}<br>")
        else:
            parts.append(f"<b>{escape(tr('Where'))}:</b> <i>{escape(tr('no place given'))}</i><br>")
        parts.append(
            f"<b>{escape(tr('Category'))}:</b> "
            f"<span style='color:{cat.colour}'>&#9632;</span> {escape(tr(cat.label))}"
        )
        if event.actors:
            parts.append(f"<br><b>{escape(tr('Actors'))}:</b> {escape(', '.join(event.actors))}")
        parts.append("</p>")
        if event.excerpt and is_headline(event):
            # All the source gives is the article's headline and standfirst (a listing):
            # say so, rather than quote it as if it were the article's own sentence.
            headline, _, standfirst = event.excerpt.partition("\n")
            parts.append(
                f"<p><b>{escape(tr('From the headline'))}:</b></p>"
                f"<p style='margin-left:8px'><b>{escape(headline)}</b>"
                + (f"<br><i>{escape(standfirst)}</i>" if standfirst else "")
                + "</p>"
            )
        elif event.excerpt:
            lines = "<br>".join(escape(line) for line in event.excerpt.split("\n"))
            parts.append(
                "<blockquote style='margin-left:8px; padding-left:8px; font-style:italic'>"
                f"“{lines}”</blockquote>"
            )
        if event.article:
            article = event.article
            title = escape(article.title)
            link = _safe_link(article.url)
            if link:
                href = escape(link, quote=True)
                self._links[QUrl(href).toString()] = link
                title = f"<a href='{href}'>{title}</a>"
            byline = [escape(x) for x in (article.author, article.outlet, article.published) if x]
            parts.append(f"<p><b>{escape(tr('Article'))}:</b> {title}")
            if byline:
                parts.append(f"<br>{' · '.join(byline)}")
            parts.append("</p>")
        if event.sources:
            items = "".join(f"<li>{escape(s)}</li>" for s in event.sources)
            parts.append(f"<p><b>{escape(tr('Cited outlets'))}:</b></p><ul>{items}</ul>")
        else:
            parts.append(
                f"<p><b>{escape(tr('Cited outlets'))}:</b> "
                f"<i>{escape(tr('none named for this claim'))}</i></p>"
            )
        return "".join(parts)
