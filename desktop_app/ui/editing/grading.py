"""Grading in the window: many selected events at once, and the cited outlets.

The grades' words are :mod:`desktop_app.core.grading`'s own; the changes are the store's
(:meth:`EventStore.grade_events`, :meth:`EventStore.grade_outlet`), made undoable by
:class:`~desktop_app.ui.editing.actions.EditActions`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.grading import Credibility, Grade, Reliability
from desktop_app.store.event_store import CitedOutlet, EventStore


class GradeBoxes(QObject):
    """A reliability box, a credibility box and a reason line: a grade to choose, in the
    words of :mod:`desktop_app.core.grading` (the event form uses them too).

    Parameters
    ----------
    parent
        Owns the boxes until they are added to a form (:meth:`add_rows`).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The Admiralty grading: who says it (A-F), how well it is confirmed (1-6).
        self.reliability = QComboBox()
        for letter in Reliability:
            self.reliability.addItem(f"{letter} – {self.tr(letter.label)}", str(letter))
        self.credibility = QComboBox()
        for digit in Credibility:
            self.credibility.addItem(f"{digit} – {self.tr(digit.label)}", str(digit))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("why this grade (shown with it)"))

    def add_rows(self, form: QFormLayout) -> None:
        """Add the three boxes to ``form``, a row each."""
        form.addRow(self.tr("&Reliability"), self.reliability)
        form.addRow(self.tr("Cre&dibility"), self.credibility)
        form.addRow(self.tr("Grade r&eason"), self.reason)

    def grade(self) -> Grade:
        """The grade the boxes say."""
        return Grade(
            Reliability(self.reliability.currentData()),
            Credibility(self.credibility.currentData()),
            self.reason.text().strip(),
        )

    def set_enabled(self, enabled: bool) -> None:
        for box in (self.reliability, self.credibility, self.reason):
            box.setEnabled(enabled)

    def set_grade(self, grade: Grade) -> None:
        self.reliability.setCurrentIndex(self.reliability.findData(str(grade.reliability)))
        self.credibility.setCurrentIndex(self.credibility.findData(str(grade.credibility)))
        self.reason.setText(grade.reason)


class GradeEventsDialog(QDialog):
    """One grade for every selected event.

    Parameters
    ----------
    count
        How many events are selected (the dialog says so).
    grade
        The grade the boxes start with: the events' own when they share one (F6
        otherwise), so that OK alone changes nothing.
    """

    def __init__(self, count: int, grade: Grade, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Grade selected events"))
        form = QFormLayout(self)
        intro = QLabel(self.tr("Give the %n selected events one grade:", "", count))
        intro.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(intro)
        self.boxes = GradeBoxes(self)
        self.boxes.add_rows(form)
        self.boxes.set_grade(grade)
        note = QLabel(
            self.tr(
                "F6 with no reason removes their own grades: they show their outlets' "
                "grades again. Undo gives each event back its grade."
            )
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.boxes.reliability.setFocus()

    def grade(self) -> Grade:
        return self.boxes.grade()


class OutletsModel(QAbstractTableModel):
    """The cited outlets as rows: name, events citing it, its grade.

    Parameters
    ----------
    store
        The store now open (the window's).
    """

    NAME, EVENTS, GRADE, REASON = range(4)
    #: The role a column sorts by: the number of events as a number, not as text.
    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, store: Callable[[], EventStore], parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self.outlets: list[CitedOutlet] = []
        self._headers = [self.tr("Outlet"), self.tr("Events"), self.tr("Grade"), self.tr("Why")]
        self.reload()

    def reload(self) -> None:
        """Read the outlets and their grades from the store again."""
        self.beginResetModel()
        self.outlets = self._store().outlets()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.outlets)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):
        outlet = self.outlets[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return outlet.name
            if column == self.EVENTS:
                return f"{outlet.events:,}"
            if column == self.GRADE:
                return outlet.grade.describe() if outlet.grade else self.tr("not graded")
            return outlet.grade.reason if outlet.grade else ""
        if role == self.SORT_ROLE:
            if column == self.EVENTS:
                return outlet.events
            if column == self.GRADE:
                # Ungraded outlets after F6: the best graded first.
                return outlet.grade.code if outlet.grade else "Z"
            return self.data(index, Qt.ItemDataRole.DisplayRole).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.EVENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class OutletsDialog(QDialog):
    """Tools ▸ Grade outlets: every cited outlet, searchable and sortable, and its grade.

    An outlet's grade is what the events citing it show until they are graded
    themselves. Setting or removing one is an undoable change of the store.

    Parameters
    ----------
    store
        The store now open (the window's).
    grade_outlet
        Grades an outlet (None: removes its grade), undoably.
    """

    #: The outlets were read again (after a change, an undo or a redo).
    reloaded = Signal()

    def __init__(
        self,
        store: Callable[[], EventStore],
        grade_outlet: Callable[[str, Grade | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Grade outlets"))
        self._store = store
        self._grade_outlet = grade_outlet
        self.model = OutletsModel(store, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(OutletsModel.SORT_ROLE)
        self.proxy.setFilterKeyColumn(OutletsModel.NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search outlets"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(OutletsModel.EVENTS, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # One line a row, of one height: the view lays out only the rows it shows.
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(OutletsModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OutletsModel.EVENTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(OutletsModel.GRADE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_outlet_chosen)
        form = QFormLayout()
        self.boxes = GradeBoxes(self)
        self.boxes.add_rows(form)
        self.set_button = QPushButton(self.tr("&Set grade"))
        self.set_button.clicked.connect(self.set_grade)
        self.remove_button = QPushButton(self.tr("Re&move grade"))
        self.remove_button.clicked.connect(self.remove_grade)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        search_label = QLabel(self.tr("Searc&h:"))
        search_label.setBuddy(self.search)
        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.search)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(
            QLabel(
                self.tr("Events citing an outlet show its grade until they are graded themselves.")
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.resize(640, 480)
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def chosen(self) -> CitedOutlet | None:
        """The outlet of the table's current row."""
        current = self.proxy.mapToSource(self.table.currentIndex())
        return self.model.outlets[current.row()] if current.isValid() else None

    def choose(self, name: str) -> None:
        """Make the outlet ``name`` the current row (when the search shows it)."""
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.outlets[source.row()].name == name:
                self.table.selectRow(row)
                return

    def set_grade(self) -> None:
        outlet = self.chosen()
        if outlet is not None:
            self._grade_outlet(outlet.name, self.boxes.grade())

    def remove_grade(self) -> None:
        outlet = self.chosen()
        if outlet is not None and outlet.grade is not None:
            self._grade_outlet(outlet.name, None)

    def reload(self) -> None:
        """Read the outlets again, keeping the current one."""
        current = self.chosen()
        self.model.reload()
        if current is not None:
            self.choose(current.name)
        self._update_buttons()
        self.reloaded.emit()

    def _on_outlet_chosen(self, *_args) -> None:
        outlet = self.chosen()
        if outlet is not None:
            self.boxes.set_grade(outlet.grade or Grade())
        self._update_buttons()

    def _update_buttons(self) -> None:
        outlet = self.chosen()
        writable = not self._store().read_only
        self.set_button.setEnabled(writable and outlet is not None)
        self.remove_button.setEnabled(writable and outlet is not None and outlet.grade is not None)
        self.boxes.set_enabled(writable)
        if not writable:
            self.note.setText(self.tr("This store is open for viewing only."))
        elif outlet is None:
            self.note.setText("")
        else:
            self.note.setText(
                self.tr("%n events cite %1.", "", outlet.events).replace("%1", outlet.name)
            )
