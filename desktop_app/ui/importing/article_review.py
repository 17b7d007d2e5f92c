"""An article becomes events: its text (pasted, or read from a file) and the review of
the candidate events the extractor found, before anything is saved.

Above the list, the article's date, which its relative dates ("yesterday", "two days
before") are counted from, and where it was found (the user's word, the page's metadata,
a line of the article, or today's date when the article gives none); the user changes it
or confirms it, and an article dated from today is saved only once the user has. The
review lists each candidate with its place, date, precision, category, excerpt and
cited sources. The user keeps or rejects each one and may correct it: the place from the
gazetteer's other readings of the name (or another name looked up in the gazetteer), the
date, the precision and the category. Saving writes exactly the kept events; their
``uid`` comes from the article and the sentence, so importing the same article again
replaces them instead of adding copies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.event import Event
from desktop_app.geo.gazetteer import Gazetteer, GazetteerEntry, default_gazetteer
from desktop_app.ingest.article import ArticleDraft, Candidate, extract_article
from desktop_app.ui.words import plain_tooltip

KINDS = (("txt", "Plain text"), ("md", "Markdown"), ("html", "HTML"))
PRECISIONS = (
    (DatePrecision.DAY, "Day"),
    (DatePrecision.MONTH, "Month"),
    (DatePrecision.YEAR, "Year"),
    (DatePrecision.APPROXIMATE, "Approximate"),
)
_BAD = QColor("#fde0e0")


class ArticleTextDialog(QDialog):
    """The text of an article to read events from: pasted, or loaded from a file.

    Parameters
    ----------
    text
        The text to start with (a file's content), or empty for pasting.
    kind
        ``txt``, ``md`` or ``html``.
    """

    def __init__(self, text: str = "", kind: str = "txt", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ArticleTextDialog")
        self.setWindowTitle(self.tr("Article"))
        self.setAccessibleName(self.tr("Article text"))
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "Paste an article: its events are found and shown for review before "
                "anything is saved."
            )
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(self.tr("Article text"))
        self.text.setPlaceholderText(self.tr("Paste the article here…"))
        self.text.setPlainText(text)
        layout.addWidget(self.text, 1)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind of text"))
        self.kind.setToolTip(self.tr("Plain text, Markdown or a web page's HTML"))
        for key, label in KINDS:
            self.kind.addItem(self.tr(label), key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        form.addRow(self.tr("&Text is:"), self.kind)
        self.published = QLineEdit()
        self.published.setAccessibleName(self.tr("Publication date"))
        self.published.setToolTip(self.tr("Dates like \"yesterday\" are counted from it"))
        self.published.setPlaceholderText(self.tr("YYYY-MM-DD (read from the text when empty)"))
        form.addRow(self.tr("&Published:"), self.published)
        self.url = QLineEdit()
        self.url.setAccessibleName(self.tr("Address of the article"))
        self.url.setToolTip(self.tr("Kept with the events, so the article can be opened"))
        self.url.setPlaceholderText(self.tr("optional"))
        form.addRow(self.tr("Web &address:"), self.url)
        self.dayfirst = QCheckBox(self.tr("Dates like 2/6/2025 mean &day/month"))
        self.dayfirst.setToolTip(self.tr("Unticked, 2/6/2025 is read as 6 February"))
        form.addRow("", self.dayfirst)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.find_button = buttons.addButton(
            self.tr("&Find events"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.draft: ArticleDraft | None = None
        self.resize(720, 560)

    def extraction(self) -> Callable[[], ArticleDraft]:
        """The extraction the widgets describe, as plain values a worker thread may use.

        Raises ValueError for bad input (an empty text, an unreadable date).
        """
        text = self.text.toPlainText()
        if not text.strip():
            raise ValueError(self.tr("The article is empty."))
        published = self.published.text().strip() or None
        if published is not None:
            try:
                event_span(published[:10], None, DatePrecision.DAY)
            except DateError:
                raise ValueError(
                    self.tr("The publication date must look like 2025-06-02.")
                ) from None
        return partial(
            extract_article,
            text,
            kind=self.kind.currentData(),
            published=published,
            url=self.url.text().strip() or None,
            dayfirst=self.dayfirst.isChecked(),
        )

    def read(self) -> ArticleDraft:
        """The article and its candidate events (raises ValueError for bad input)."""
        return self.extraction()()

    def accept(self) -> None:
        try:
            self.draft = self.read()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()


def date_text(event: Event) -> str:
    """The ISO date of an event as the review shows it: ``start`` or ``start/end``."""
    return f"{event.start}/{event.end}" if event.end else event.start


def parse_date_text(text: str, precision: DatePrecision) -> tuple[str, str | None]:
    """``"2025-06-02"`` or ``"2025-06-20/2025-06-30"`` -> (start, end); DateError if bad."""
    start, _sep, end = (part.strip() for part in text.strip().partition("/"))
    event_span(start, end or None, precision)  # raises DateError for what it cannot read
    return start, end or None


class ArticleReviewDialog(QDialog):
    """The candidate events of an article, to keep, correct or reject before saving.

    Parameters
    ----------
    draft
        The article and its candidates (:func:`desktop_app.ingest.article.extract_article`).
    gazetteer
        Where "Other place…" looks names up (the shipped gazetteer when None).
    busy
        Why the store takes no events now (one line), or None when it does: Save then
        says why and the review stays open.
    """

    COLUMNS = ("Save", "Place", "Date", "Precision", "Category", "Excerpt", "Sources")

    def __init__(
        self,
        draft: ArticleDraft,
        gazetteer: Gazetteer | None = None,
        parent: QWidget | None = None,
        busy: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._busy = busy
        self.draft = draft
        self._gazetteer = gazetteer
        self.candidates: list[Candidate] = list(draft.candidates)
        self.setObjectName("ArticleReviewDialog")
        self.setWindowTitle(self.tr("Review events"))
        self.setAccessibleName(self.tr("Review the events found in the article"))
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        layout.addLayout(self._date_row())

        self.table = QTableWidget(len(self.candidates), len(self.COLUMNS))
        self.table.setAccessibleName(self.tr("Candidate events"))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.hide()
        # Four lines of excerpt per row: enough to judge a claim, and every row the same
        # height so the editors line up (the full sentence is in the tooltip).
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() * 4 + 10)
        head = self.table.horizontalHeader()
        for column in (0, 1, 3, 4):
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # Wide enough for a range: a cell widget does not size its column to its text.
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(
            2, self.fontMetrics().horizontalAdvance("2025-06-20/2025-06-30") + 24
        )
        head.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(6, QHeaderView.ResizeMode.ResizeToContents)
        self._keep: list[QCheckBox] = []
        self._places: list[QComboBox] = []
        self._dates: list[QLineEdit] = []
        self._precisions: list[QComboBox] = []
        self._categories: list[QComboBox] = []
        self._fill_table()
        layout.addWidget(self.table, 1)

        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        row_buttons = QHBoxLayout()
        for text, keep in ((self.tr("Keep &all"), True), (self.tr("&Reject all"), False)):
            button = QPushButton(text)
            button.setToolTip(self.tr("Tick or untick every event found"))
            button.clicked.connect(lambda _c=False, k=keep: self.set_all(k))
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        row_buttons.addWidget(buttons)
        self.save_button = buttons.addButton(
            self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addLayout(row_buttons)
        self._show_header()
        self._refresh()
        self.resize(1100, 640)

    def _date_row(self) -> QHBoxLayout:
        """The article's date, where it was found, and the means to change it."""
        dated = self.draft.dated
        row = QHBoxLayout()
        label = QLabel(self.tr("Article's &date:"))
        self.published = QLineEdit(self.draft.article.published or "")
        self.published.setAccessibleName(self.tr("Article's date"))
        self.published.setToolTip(
            self.tr("Dates like “yesterday” or “on Monday” are counted from it")
        )
        self.published.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + 40)
        self.published.returnPressed.connect(self.confirm_date)
        label.setBuddy(self.published)
        self.use_date = QPushButton(self.tr("&Use this date"))
        self.use_date.setToolTip(self.tr("Read the article's dates again from this day"))
        self.use_date.clicked.connect(self.confirm_date)
        self.date_origin = QLabel()
        self.date_origin.setTextFormat(Qt.TextFormat.PlainText)
        self.date_origin.setWordWrap(True)
        # An article that gives no date is dated from today only until the user says so.
        self.date_confirmed = dated is None or dated.origin != "today"
        can_redate = bool(self.draft.body)
        self.published.setEnabled(can_redate)
        self.use_date.setEnabled(can_redate)
        for widget in (label, self.published, self.use_date):
            row.addWidget(widget)
        row.addWidget(self.date_origin, 1)
        self._show_date_origin()
        return row

    def _show_date_origin(self) -> None:
        dated = self.draft.dated
        if dated is None:
            text = self.tr("Check it: the article's other dates are counted from it.")
        elif dated.origin == "today":
            text = (
                self.tr("Today's date, used because the article gives none: change it to the "
                        "article's date, or use it.")
                if not self.date_confirmed
                else self.tr("Today's date, as you confirmed.")
            )
        elif dated.origin == "given":
            text = self.tr("As you gave it. The article's other dates are counted from it.")
        elif dated.origin == "page":
            text = self.tr("From the page's metadata. Check it: the article's other dates are "
                           "counted from it.")
        else:
            text = (
                self.tr("From the line “%1” (when it was updated: the article gives no "
                        "publication date). Check it: the other dates are counted from it.")
                if dated.origin == "updated"
                else self.tr("From the line “%1”. Check it: the article's other dates are "
                             "counted from it.")
            ).replace("%1", dated.line)
        self.date_origin.setText(text)
        warn = not self.date_confirmed
        self.date_origin.setStyleSheet("color: #8a4b00; font-weight: bold" if warn else "")

    def _show_header(self) -> None:
        article = self.draft.article
        facts = [escape(x) for x in (article.outlet, article.author, article.published) if x]
        self.header.setText(
            f"<b>{escape(article.title)}</b><br>{' · '.join(facts)}<br>"
            + escape(
                self.tr(
                    "%1 possible events found. Untick what is wrong; correct the rest."
                ).replace("%1", str(len(self.candidates)))
            )
        )

    def _fill_table(self) -> None:
        for widgets in (self._keep, self._places, self._dates, self._precisions,
                        self._categories):  # fmt: skip
            widgets.clear()
        self.table.clearContents()
        self.table.setRowCount(len(self.candidates))
        for row, candidate in enumerate(self.candidates):
            self._add_row(row, candidate)

    def confirm_date(self) -> bool:
        """Take the date in the article's date box: the candidates are read again from
        it (their keys stay, so a saved event is replaced, not copied). False, with the
        reason shown, when the box holds no date."""
        text = self.published.text().strip()
        if text == (self.draft.article.published or "") and self.draft.dated is not None:
            self.date_confirmed = True
            self._show_date_origin()
            self._refresh()
            return True
        try:
            draft = self.draft.redated(text)
        except ValueError:
            self.status.setText(self.tr("The article's date must look like 2025-06-02."))
            self.published.setStyleSheet(f"background: {_BAD.name()}")
            return False
        kept = [box.isChecked() for box in self._keep]
        self.draft = draft
        self.candidates = list(draft.candidates)
        self._fill_table()
        if len(kept) == len(self._keep):
            for box, keep in zip(self._keep, kept, strict=True):
                box.setChecked(keep)
        self.published.setStyleSheet("")
        self.date_confirmed = True
        self._show_header()
        self._show_date_origin()
        self._refresh()
        return True

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    # -- building ----------------------------------------------------------------------

    def _add_row(self, row: int, candidate: Candidate) -> None:
        event = candidate.event
        keep = QCheckBox()
        keep.setChecked(candidate.accepted)
        keep.setAccessibleName(self.tr("Save event %1").replace("%1", str(row + 1)))
        keep.setToolTip(self.tr("Save this event"))
        keep.toggled.connect(self._refresh)
        self.table.setCellWidget(row, 0, _centred(keep))
        self._keep.append(keep)

        places = QComboBox()
        places.setAccessibleName(self.tr("Place of event %1").replace("%1", str(row + 1)))
        places.setToolTip(self.tr("Where it happened: the gazetteer's guesses, or none"))
        self._fill_places(places, candidate)
        places.activated.connect(lambda _i, r=row: self._on_place_activated(r))
        self.table.setCellWidget(row, 1, _centred(places, fill=True))
        self._places.append(places)

        when = QLineEdit(date_text(event))
        when.setAccessibleName(self.tr("Date of event %1").replace("%1", str(row + 1)))
        when.setToolTip(
            plain_tooltip(
                self.tr("In the article: %1\nYYYY-MM-DD, or start/end").replace(
                    "%1", event.display_date
                )
            )
        )
        when.textChanged.connect(self._refresh)
        self.table.setCellWidget(row, 2, _centred(when, fill=True))
        self._dates.append(when)

        precision = QComboBox()
        precision.setAccessibleName(self.tr("Precision of event %1").replace("%1", str(row + 1)))
        precision.setToolTip(self.tr("How exactly the article dates it"))
        for key, label in PRECISIONS:
            precision.addItem(self.tr(label), key)
        precision.setCurrentIndex(max(0, precision.findData(event.precision)))
        precision.currentIndexChanged.connect(self._refresh)
        self.table.setCellWidget(row, 3, _centred(precision, fill=True))
        self._precisions.append(precision)

        category = QComboBox()
        category.setAccessibleName(self.tr("Category of event %1").replace("%1", str(row + 1)))
        category.setToolTip(self.tr("What kind of event it is"))
        for cat in CATEGORIES:
            category.addItem(self.tr(cat.label), cat.key)
        category.setCurrentIndex(max(0, category.findData(event.category)))
        self.table.setCellWidget(row, 4, _centred(category, fill=True))
        self._categories.append(category)

        excerpt = QTableWidgetItem(event.excerpt)
        excerpt.setToolTip(plain_tooltip(event.excerpt))
        self.table.setItem(row, 5, excerpt)
        sources = QTableWidgetItem(", ".join(event.sources))
        self.table.setItem(row, 6, sources)

    def _fill_places(self, combo: QComboBox, candidate: Candidate) -> None:
        combo.clear()
        place = candidate.event.place
        if place is not None:
            where = ", ".join(x for x in (place.kind, place.country) if x)
            combo.addItem(f"{place.name} ({where})" if where else place.name, None)
        no_place = self.tr("(no place: timeline only)")
        if place is None:
            combo.addItem(no_place, None)
        for entry in candidate.alternatives:
            combo.addItem(entry.label, entry)
        if place is not None:
            combo.addItem(no_place, "none")
        combo.addItem(self.tr("Other place…"), "other")
        combo.setCurrentIndex(0)

    # -- editing -----------------------------------------------------------------------

    def _on_place_activated(self, row: int) -> None:
        data = self._places[row].currentData()
        if data == "other":
            name, ok = QInputDialog.getText(
                self, self.tr("Other place"), self.tr("Place name (from the gazetteer):")
            )
            if not ok or not self.set_place_by_name(row, name):
                self._places[row].setCurrentIndex(0)
            return
        self._choose(row, data)

    def _choose(self, row: int, data: GazetteerEntry | str | None) -> None:
        candidate = self.candidates[row]
        if isinstance(data, GazetteerEntry):
            self.set_place(row, data)
        elif data == "none":
            event = dataclasses.replace(candidate.event, place=None)
            others = (_entry_of(candidate.event.place), *candidate.alternatives)
            self.candidates[row] = dataclasses.replace(candidate, event=event, alternatives=others)
            self._fill_places(self._places[row], self.candidates[row])

    def set_place(self, row: int, entry: GazetteerEntry) -> None:
        """Move candidate ``row`` to ``entry``; the old place becomes an alternative."""
        from desktop_app.ingest.article import with_place

        candidate = self.candidates[row]
        others = [e for e in candidate.alternatives if e != entry]
        current = candidate.event.place
        moved = with_place(candidate, entry)
        if current is not None:
            others.insert(0, _entry_of(current))
        self.candidates[row] = dataclasses.replace(moved, alternatives=tuple(others))
        self._fill_places(self._places[row], self.candidates[row])

    def set_place_by_name(self, row: int, name: str) -> bool:
        """Look ``name`` up in the gazetteer and offer its readings; False if unknown."""
        found = self.gazetteer.lookup(name.strip()) if name.strip() else []
        if not found:
            self.status.setText(self.tr("“%1” is not in the gazetteer.").replace("%1", name))
            return False
        candidate = self.candidates[row]
        rest = [e for e in found[1:] if e not in candidate.alternatives]
        self.candidates[row] = dataclasses.replace(
            candidate, alternatives=(*rest, *candidate.alternatives)
        )
        self.set_place(row, found[0])
        return True

    def choose_alternative(self, row: int, index: int) -> None:
        """Pick the ``index``-th alternative place of candidate ``row``."""
        self.set_place(row, self.candidates[row].alternatives[index])

    def set_kept(self, row: int, keep: bool) -> None:
        self._keep[row].setChecked(keep)

    def set_all(self, keep: bool) -> None:
        for box in self._keep:
            box.setChecked(keep)

    def set_date(self, row: int, text: str, precision: DatePrecision | None = None) -> None:
        if precision is not None:
            combo = self._precisions[row]
            combo.setCurrentIndex(combo.findData(precision))
        self._dates[row].setText(text)

    def set_category(self, row: int, key: str) -> None:
        combo = self._categories[row]
        combo.setCurrentIndex(combo.findData(key))

    # -- the result ------------------------------------------------------------------------

    def _edited(self, row: int) -> Event:
        """Candidate ``row`` with the edits of its row; DateError for a bad date."""
        event = self.candidates[row].event
        precision = DatePrecision(self._precisions[row].currentData())
        text = self._dates[row].text()
        start, end = parse_date_text(text, precision)
        changed = text.strip() != date_text(event) or precision != event.precision
        return dataclasses.replace(
            event,
            start=start,
            end=end,
            precision=precision,
            display_date=text.strip() if changed else event.display_date,
            category=self._categories[row].currentData(),
        )

    def bad_dates(self) -> list[int]:
        """The kept rows whose date cannot be read."""
        bad = []
        for row in range(len(self.candidates)):
            try:
                self._edited(row)
            except DateError:
                bad.append(row)
        return [row for row in bad if self._keep[row].isChecked()]

    def events(self) -> list[Event]:
        """The events to save: the kept candidates, as edited."""
        return [self._edited(r) for r in range(len(self.candidates)) if self._keep[r].isChecked()]

    def _refresh(self) -> None:
        bad = set(self.bad_dates())
        for row, edit in enumerate(self._dates):
            edit.setStyleSheet(f"background: {_BAD.name()}" if row in bad else "")
        kept = sum(box.isChecked() for box in self._keep)
        self.save_button.setText(self.tr("&Save %1 events").replace("%1", str(kept)))
        self.save_button.setEnabled(kept > 0 and not bad and self.date_confirmed)
        if bad:
            self.status.setText(
                self.tr("Dates must look like 2025-06-02, 2025-06 or 2025-06-20/2025-06-30.")
            )
        elif not self.date_confirmed:
            self.status.setText(self.tr("Give the article's date, or use today's, to save."))
        else:
            self.status.setText("")

    def accept(self) -> None:
        if self.bad_dates() or not self.date_confirmed:
            return
        why = self._busy()
        if why is not None:
            self.status.setText(why)
            return
        super().accept()


def _entry_of(place) -> GazetteerEntry:
    return GazetteerEntry(place.name, place.kind or "city", place.lat, place.lon,
                          place.country or "")  # fmt: skip


def _centred(widget: QWidget, fill: bool = False) -> QWidget:
    """``widget`` in the middle of its cell: a table stretches cell widgets to the row's
    height, which turns a combo box into a tall slab."""
    holder = QWidget()
    box = QHBoxLayout(holder)
    box.setContentsMargins(2, 0, 2, 0)
    align = Qt.AlignmentFlag.AlignVCenter if fill else Qt.AlignmentFlag.AlignCenter
    box.addWidget(widget, 1 if fill else 0, align)
    return holder


class ArticleTextInBackground(ArticleTextDialog):
    """The article text dialog whose "Find events" runs the extraction in a worker.

    Instead of extracting in :meth:`accept` (in the GUI thread), the dialog checks its
    input, emits ``findRequested`` with the extraction to run and waits, its button
    disabled; :meth:`finish` (with the draft) or :meth:`fail` ends the wait.
    """

    findRequested = Signal(object)  # Callable[[], ArticleDraft]

    def accept(self) -> None:
        try:
            work = self.extraction()
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self.error.hide()
        self.find_button.setEnabled(False)
        self.find_button.setText(self.tr("Finding events…"))
        self.findRequested.emit(work)

    def finish(self, draft: ArticleDraft) -> None:
        """The events were found: close as accepted (the review follows)."""
        self.draft = draft
        QDialog.accept(self)

    def fail(self, message: str) -> None:
        """Say why the events could not be found; the dialog stays open to try again."""
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.find_button.setEnabled(True)
        self.find_button.setText(self.tr("&Find events"))
        self.error.setText(message)
        self.error.show()
