"""EventForm: every field of one event, to edit it or to write a new one."""

from __future__ import annotations

import dataclasses
import math
import uuid

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.core.grading import Grade
from desktop_app.geo.gazetteer import Gazetteer, GazetteerEntry
from desktop_app.ui.editing.grading import GradeBoxes


def _lines(text: str) -> tuple[str, ...]:
    """Each non-empty line once, in order."""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class EventForm(QDialog):
    """The fields of an event, checked before they are taken.

    The place is found by name in the offline gazetteer (suggested as the user types) or
    chosen on the map (:attr:`chooseOnMap`, then :meth:`set_point`). Every field is plain
    text: nothing typed or stored is read as markup.

    Parameters
    ----------
    event
        The stored event to edit, or None for a new one.
    gazetteer
        The place names to suggest and resolve.
    point
        For a new event, the point clicked on the map ``(lat, lon)``.
    """

    #: The user wants to choose the place on the map.
    chooseOnMap = Signal()

    def __init__(
        self,
        event: Event | None,
        gazetteer: Gazetteer,
        parent: QWidget | None = None,
        *,
        point: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EventForm")
        self._original = event
        self._gazetteer = gazetteer
        self._matches: list[GazetteerEntry] = []
        self.setWindowTitle(self.tr("Edit event") if event else self.tr("Add event"))

        self.title = QLineEdit()
        self.start = QLineEdit()
        self.start.setPlaceholderText(self.tr("2025-06-02, 2025-06 or 2025"))
        self.end = QLineEdit()
        self.end.setPlaceholderText(self.tr("empty: the same as the start"))
        self.precision = QComboBox()
        for precision in DatePrecision:
            self.precision.addItem(self.tr(str(precision)), str(precision))
        self.display_date = QLineEdit()
        self.display_date.setPlaceholderText(self.tr("the source's own words for the date"))
        self.category = QComboBox()
        for cat in CATEGORIES:
            self.category.addItem(self.tr(cat.label), cat.key)
        self.actors = QLineEdit()
        self.actors.setPlaceholderText(self.tr("separated by ;"))
        self.excerpt = QPlainTextEdit()
        self.excerpt.setPlaceholderText(self.tr("the article's own words for the claim"))
        self.excerpt.setMinimumHeight(80)
        self.sources = QPlainTextEdit()
        self.sources.setPlaceholderText(self.tr("one outlet per line"))
        self.sources.setMaximumHeight(70)

        self.grade_boxes = GradeBoxes(self)
        self.reliability = self.grade_boxes.reliability
        self.credibility = self.grade_boxes.credibility
        self.grade_reason = self.grade_boxes.reason
        self.grade_note = QLabel()
        self.grade_note.setTextFormat(Qt.TextFormat.PlainText)
        self.grade_note.setWordWrap(True)
        self._set_grade(Grade())

        self.no_place = QCheckBox(self.tr("No place (on the timeline only)"))
        self.place_name = QLineEdit()
        self.place_name.setPlaceholderText(self.tr("type a place name"))
        completer = QCompleter(QStringListModel(gazetteer.names(), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        completer.setMaxVisibleItems(12)
        self.place_name.setCompleter(completer)
        self.matches = QComboBox()
        self.matches.setAccessibleName(self.tr("Places of this name"))
        self.matches.setToolTip(self.tr("The places the gazetteer knows by this name"))
        self.lat = QDoubleSpinBox()
        self.lon = QDoubleSpinBox()
        for box, limit in ((self.lat, 90.0), (self.lon, 180.0)):
            box.setRange(-limit, limit)
            box.setDecimals(5)
        self.on_map = QPushButton(self.tr("Choose on map"))
        self.on_map.setToolTip(self.tr("Click the map where the event happened"))
        self._kind: str | None = None
        self._country: str | None = None

        self.article_title = QLineEdit()
        self.article_author = QLineEdit()
        self.article_outlet = QLineEdit()
        self.article_url = QLineEdit()
        self.article_published = QLineEdit()
        self.article_published.setPlaceholderText(self.tr("ISO date"))

        self.problems = QLabel()
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        self.problems.hide()
        #: Why the store cannot take the edit now (see :meth:`set_busy`).
        self.busy_note = QLabel()
        self.busy_note.setObjectName("BusyNote")
        self.busy_note.setTextFormat(Qt.TextFormat.PlainText)
        self.busy_note.setWordWrap(True)
        self.busy_note.hide()
        self._busy: str | None = None

        form = QFormLayout()
        form.addRow(self.tr("&Title"), self.title)
        form.addRow(self.tr("&Start"), self.start)
        form.addRow(self.tr("E&nd"), self.end)
        form.addRow(self.tr("&Precision"), self.precision)
        form.addRow(self.tr("Date in &words"), self.display_date)
        form.addRow(self.tr("&Category"), self.category)
        form.addRow(self.tr("&Actors"), self.actors)
        form.addRow(self.tr("E&xcerpt"), self.excerpt)
        form.addRow(self.tr("Cited &outlets"), self.sources)
        self.grade_boxes.add_rows(form)
        form.addRow("", self.grade_note)

        place_box = QGroupBox(self.tr("Place"))
        place_form = QFormLayout(place_box)
        place_form.addRow(self.no_place)
        place_form.addRow(self.tr("&Name"), self.place_name)
        place_form.addRow(self.tr("Matches"), self.matches)
        point_row = QHBoxLayout()
        point_row.addWidget(QLabel(self.tr("Lat")))
        point_row.addWidget(self.lat)
        point_row.addWidget(QLabel(self.tr("Lon")))
        point_row.addWidget(self.lon)
        point_row.addWidget(self.on_map)
        place_form.addRow(point_row)

        article_box = QGroupBox(self.tr("Article"))
        article_form = QFormLayout(article_box)
        article_form.addRow(self.tr("Title"), self.article_title)
        article_form.addRow(self.tr("Author"), self.article_author)
        article_form.addRow(self.tr("Outlet"), self.article_outlet)
        article_form.addRow(self.tr("Address"), self.article_url)
        article_form.addRow(self.tr("Published"), self.article_published)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(place_box)
        layout.addWidget(article_box)
        layout.addWidget(self.problems)
        layout.addWidget(self.busy_note)
        layout.addWidget(self.buttons)

        self.no_place.toggled.connect(self._on_no_place)
        self.place_name.editingFinished.connect(self._look_up_place)
        completer.activated.connect(lambda _text: self._look_up_place())
        self.matches.activated.connect(self._on_match_chosen)
        self.on_map.clicked.connect(self.chooseOnMap)
        self._fill(event, point)

    # -- filling -------------------------------------------------------------------------

    def _fill(self, event: Event | None, point: tuple[float, float] | None) -> None:
        if event is None:
            self.no_place.setChecked(point is None)
            if point is not None:
                self.set_point(*point)
            self._on_no_place(self.no_place.isChecked())
            return
        self.title.setText(event.title)
        self.start.setText(event.start)
        self.end.setText(event.end or "")
        self.precision.setCurrentIndex(self.precision.findData(str(event.precision)))
        self.display_date.setText(event.display_date)
        at = self.category.findData(event.category)
        self.category.setCurrentIndex(at if at >= 0 else self.category.count() - 1)
        self.actors.setText("; ".join(event.actors))
        self.excerpt.setPlainText(event.excerpt)
        self.sources.setPlainText("\n".join(event.sources))
        self._set_grade(event.grade)
        place = event.place
        self.no_place.setChecked(place is None)
        if place is not None:
            self.place_name.setText(place.name)
            self.lat.setValue(place.lat)
            self.lon.setValue(place.lon)
            self._kind, self._country = place.kind, place.country
        self._on_no_place(place is None)
        article = event.article
        if article is not None:
            self.article_title.setText(article.title)
            self.article_author.setText(article.author or "")
            self.article_outlet.setText(article.outlet or "")
            self.article_url.setText(article.url or "")
            self.article_published.setText(article.published or "")

    def _set_grade(self, grade: Grade) -> None:
        # A grade taken from a cited outlet is not the event's own: the boxes say
        # "cannot be judged", and the note says whose grade the event shows meanwhile.
        self.grade_boxes.set_grade(Grade() if grade.from_outlet else grade)
        note = ""
        if grade.from_outlet:
            note = self.tr("Ungraded, it shows %1's grade %2.").replace(
                "%1", grade.from_outlet
            ).replace("%2", grade.code)
        self.grade_note.setText(note)
        self.grade_note.setVisible(bool(note))

    def set_point(self, lat: float, lon: float) -> None:
        """Place the event at the point chosen on the map; a name it lacks is the point's."""
        self.no_place.setChecked(False)
        self.lat.setValue(lat)
        self.lon.setValue(lon)
        self._kind = None
        self._country = None
        if not self.place_name.text().strip():
            self.place_name.setText(f"{lat:.4f}, {lon:.4f}")

    def _on_no_place(self, off: bool) -> None:
        for widget in (self.place_name, self.matches, self.lat, self.lon, self.on_map):
            widget.setEnabled(not off)

    def _look_up_place(self) -> None:
        """Offer the gazetteer's places of the typed name and take the likeliest."""
        name = self.place_name.text().strip()
        self._matches = [e for e in self._gazetteer.lookup(name) if not math.isnan(e.lat)]
        self.matches.clear()
        for entry in self._matches:
            self.matches.addItem(entry.label)
        if self._matches:
            self._on_match_chosen(0)

    def _on_match_chosen(self, row: int) -> None:
        if 0 <= row < len(self._matches):
            entry = self._matches[row]
            self.lat.setValue(entry.lat)
            self.lon.setValue(entry.lon)
            self._kind, self._country = entry.kind, entry.country

    # -- taking ----------------------------------------------------------------------------

    def problems_found(self) -> list[str]:
        """What keeps the fields from making an event, one line each (none: they do)."""
        found = []
        if not self.title.text().strip():
            found.append(self.tr("Title: an event needs a title."))
        start, end = self.start.text().strip(), self.end.text().strip() or None
        try:
            event_span(start, end, self.precision.currentData())
        except DateError as exc:
            if "before the start" in str(exc):
                found.append(self.tr("End: the end comes before the start."))
            else:
                field = self.tr("Start") if _unreadable(start) else self.tr("End")
                found.append(
                    self.tr("%1: not a date (write 2025-06-02, 2025-06 or 2025).").replace(
                        "%1", field
                    )
                )
        if not self.no_place.isChecked() and not self.place_name.text().strip():
            found.append(self.tr("Place: give it a name, or choose “No place”."))
        published = self.article_published.text().strip()
        if published and _unreadable(published):
            found.append(self.tr("Published: not a date (write 2025-06-02)."))
        return found

    def set_busy(self, reason: str | None) -> None:
        """Say why the edit cannot be saved now (None: it can). Meanwhile OK is off and
        the form stays open with what was typed, to be saved once the store is free."""
        self._busy = reason
        self.busy_note.setText(reason or "")
        self.busy_note.setVisible(reason is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(reason is None)

    def accept(self) -> None:
        problems = self.problems_found()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        if not problems and self._busy is None:
            super().accept()

    def edited_event(self) -> Event:
        """The event the fields describe (check :meth:`problems_found` first)."""
        place = None
        if not self.no_place.isChecked():
            old = self._original.place if self._original else None
            name = self.place_name.text().strip()
            lat, lon = self.lat.value(), self.lon.value()
            # The boxes show five decimals (about a metre): a stored point they round is
            # the same point, kept exactly as stored.
            if old is not None and (name, lat, lon) == (
                old.name,
                round(old.lat, 5),
                round(old.lon, 5),
            ):
                place = old
            else:
                place = Place(name, lat, lon, self._kind, self._country)
        values = {
            "title": self.title.text().strip(),
            "start": self.start.text().strip(),
            "end": self.end.text().strip() or None,
            "precision": DatePrecision(self.precision.currentData()),
            "display_date": self.display_date.text().strip(),
            "category": self.category.currentData(),
            "actors": tuple(
                dict.fromkeys(a.strip() for a in self.actors.text().split(";") if a.strip())
            ),
            "place": place,
            "excerpt": self.excerpt.toPlainText().strip(),
            "sources": _lines(self.sources.toPlainText()),
            "article": self._article(),
            "grade": self.grade_boxes.grade(),
        }
        if self._original is not None:
            return dataclasses.replace(self._original, **values)
        return Event(uid=f"manual-{uuid.uuid4().hex[:20]}", **values)

    def _article(self) -> Article | None:
        fields = [
            w.text().strip()
            for w in (
                self.article_title,
                self.article_author,
                self.article_outlet,
                self.article_url,
                self.article_published,
            )
        ]
        title, author, outlet, url, published = fields
        if not any(fields):
            return None
        old = self._original.article if self._original else None
        uid = old.uid if old is not None else event_uid("article", title, url, outlet)
        return Article(uid, title, author or None, outlet or None, url or None, published or None)


def _unreadable(text: str) -> bool:
    try:
        event_span(text, None, DatePrecision.APPROXIMATE)
    except DateError:
        return True
    return False
