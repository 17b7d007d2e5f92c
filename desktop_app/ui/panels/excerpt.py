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
from desktop_app.core.originals import excerpt_span
from desktop_app.core.outlets import corroboration
from desktop_app.geo.placing import INFERRED_KIND
from desktop_app.ui.panels.article_reader import ArticleReader
from desktop_app.ui.panels.filters import highlighted
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


#: The most selected events the panel lists (the heading counts every one).
LISTED_EVENTS = 200

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
    article_text
        Returns an article's kept text by its uid (None when none is kept): the panel
        then checks the excerpt against it and offers to read it.
    """

    #: The user asked to edit the event shown ("Edit…", or a double-click in the list).
    editRequested = Signal(int)

    #: The link that opens the kept text of the article (not a web address).
    READ_ARTICLE = "atlas-article:read"

    def __init__(
        self,
        state: ViewState,
        lookup: Callable[[Sequence[int]], list[Event]],
        parent: QWidget | None = None,
        history: Callable[[int], list[str]] | None = None,
        article_text: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ExcerptPanel")
        self._state = state
        self._lookup = lookup
        self._article_text = article_text
        self._shown: Event | None = None
        #: The article reader last opened (kept so that it stays open).
        self.reader: ArticleReader | None = None
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
        # The text filter's matches are marked: a new filter marks others.
        state.filterChanged.connect(lambda _flt: self._on_current_changed(state.current))
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
        # An area or a whole filter may select tens of thousands: the list shows the
        # first ones, read at once; the heading counts them all.
        events = self._lookup(list(ids[:LISTED_EVENTS])) if ids else []
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
            places = {e.place.name if e.place else "" for e in events}
            # Only reached with two or more events, so the English plural is always right;
            # translations get %n for their own plural forms.
            if len(ids) > len(events):
                text = self.tr("%n events selected; the first %1 are listed", "", len(ids))
                text = text.replace("%1", f"{len(events):,}")
            elif len(places) == 1 and "" not in places:
                text = self.tr("%n events at %1", "", len(events)).replace("%1", places.pop())
            else:
                text = self.tr("%n events selected", "", len(events))
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
        self._shown = found[0] if found else None
        self.edit_button.setEnabled(bool(found))
        self._show_history(event_id if found else None)
        if found:
            self.details.setHtml(self.event_html(found[0]))
        else:
            hint = escape(self.tr("Click a marker on the map to read the article behind it."))
            self.details.setHtml(f"<p style='color: gray'>{hint}</p>")

    def _on_link_activated(self, url: QUrl) -> None:
        if url.toString() == self.READ_ARTICLE:
            self.read_article()
            return
        original = self._links.get(url.toString())
        if original is not None:
            QDesktopServices.openUrl(QUrl(original))

    def _on_choice_changed(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None:
            self._state.set_current(int(item.data(Qt.ItemDataRole.UserRole)))

    def _kept_text(self, event: Event) -> str | None:
        if event.article is None or self._article_text is None:
            return None
        return self._article_text(event.article.uid)

    def read_article(self) -> None:
        """Open the kept text of the shown event's article, its excerpt marked."""
        event = self._shown
        text = self._kept_text(event) if event is not None else None
        if event is None or text is None:
            return
        self.reader = ArticleReader(event.article, text, event.excerpt, self)
        self.reader.show()

    def _grade_html(self, event: Event) -> str:
        """The grade, why, and how many independent outlets the claim cites."""
        tr = self.tr
        grade = event.grade
        if grade.is_judged:
            words = tr("%1 – %2, %3").replace("%1", grade.code)
            words = words.replace("%2", tr(grade.reliability.label))
            words = words.replace("%3", tr(grade.credibility.label).lower())
        else:
            words = tr("%1 – not graded").replace("%1", grade.code)
        text = f"<br><b>{escape(tr('Grade'))}:</b> {escape(words)}"
        if grade.from_outlet:
            note = tr("the grade of %1, which it cites").replace("%1", grade.from_outlet)
            text += f" <span style='color:gray'>({escape(note)})</span>"
        if grade.reason:
            text += f"<br><span style='color:gray'>{escape(grade.reason)}</span>"
        count = corroboration(event.sources)
        # Without a translation Qt leaves plurals alone: English needs the singular apart.
        outlets = (
            tr("1 independent outlet")
            if count == 1
            else tr("%n independent outlets", "", count)
        )
        text += f"<br><b>{escape(tr('Corroboration'))}:</b> {escape(outlets)}"
        return text

    def event_html(self, event: Event) -> str:
        """The event as escaped rich text."""
        tr = self.tr
        cat = category(event.category)
        marked = self._state.filter
        parts = [f"<h3>{highlighted(event.title, marked)}</h3>"]
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
            if event.place.kind == INFERRED_KIND:
                # No coordinates in the source: the import read the place from its text.
                note = escape(tr("place inferred from the text"))
                where += f" <span style='color:#9a6700'>· {note}</span>"
            parts.append(f"<b>{escape(tr('Where'))}:</b> {where}<br>")
        else:
            parts.append(f"<b>{escape(tr('Where'))}:</b> <i>{escape(tr('no place given'))}</i><br>")
        parts.append(
            f"<b>{escape(tr('Category'))}:</b> "
            f"<span style='color:{cat.colour}'>&#9632;</span> {escape(tr(cat.label))}"
        )
        if event.actors:
            parts.append(f"<br><b>{escape(tr('Actors'))}:</b> {escape(', '.join(event.actors))}")
        parts.append(self._grade_html(event))
        parts.append("</p>")
        if event.excerpt and is_headline(event):
            # All the source gives is the article's headline and standfirst (a listing):
            # say so, rather than quote it as if it were the article's own sentence.
            headline, _, standfirst = event.excerpt.partition("\n")
            parts.append(
                f"<p><b>{escape(tr('From the headline'))}:</b></p>"
                f"<p style='margin-left:8px'><b>{highlighted(headline, marked)}</b>"
                + (f"<br><i>{highlighted(standfirst, marked)}</i>" if standfirst else "")
                + "</p>"
            )
        elif event.excerpt:
            lines = "<br>".join(highlighted(line, marked) for line in event.excerpt.split("\n"))
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
            kept = self._kept_text(event)
            if kept is not None:
                parts.append(
                    f"<br><a href='{self.READ_ARTICLE}'>{escape(tr('Read the kept text'))}</a>"
                )
                if event.excerpt and excerpt_span(event.excerpt, kept) is None:
                    warning = escape(
                        tr("The excerpt is not in the kept article text word for word.")
                    )
                    parts.append(f"<br><span style='color:#b00020'>&#9888; {warning}</span>")
            if article.sha256:
                sha = tr("SHA-256 %1").replace("%1", article.sha256[:16] + "…")
                parts.append(f"<br><span style='color:gray'>{escape(sha)}</span>")
            parts.append("</p>")
        if event.sources:
            items = "".join(f"<li>{escape(s)}</li>" for s in event.sources)
            parts.append(f"<p><b>{escape(tr('Cited outlets'))}:</b></p><ul>{items}</ul>")
        else:
            parts.append(
                f"<p><b>{escape(tr('Cited outlets'))}:</b> "
                f"<i>{escape(tr('none named for this claim'))}</i></p>"
            )
        if event.attributes:
            # The source's own fields that the event has no place for, as the file named
            # them: what a reader checks against the original dataset.
            rows = "".join(
                f"<tr><td style='color:gray; padding-right:8px'>{escape(name)}</td>"
                f"<td>{escape(value)}</td></tr>"
                for name, value in event.attributes
            )
            parts.append(f"<p><b>{escape(tr('More fields'))}:</b></p><table>{rows}</table>")
        return "".join(parts)
