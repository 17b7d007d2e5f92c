"""The review of a file's place names before its import is saved: every name the import
would place by a guess, a spelling match or as the likely one of several places, with the
rows that name it, and every name it could not place, with why.

The user accepts the guess, chooses one of the other places of that name, or leaves the
name's events unplaced (on the timeline only). The names are rows of a model shown by a
table view, so a file of thousands of names opens and scrolls at once; the choice is
edited in place with a combo box made only for the row being edited.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.event import Place
from desktop_app.geo.gazetteer import Confidence
from desktop_app.geo.placing import PlaceQuestion
from desktop_app.ui.importing.dialogs import plain_tip

Index = QModelIndex | QPersistentModelIndex
#: The choices of a row, as their labels (a list of str), for the delegate's combo box.
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1
NAME, ROWS, PLACED_AT, HOW_SURE, OTHERS, CHOICE = range(6)


def place_label(place: Place) -> str:
    """``"Zaporizhzhya (city, UA)"``: a place's name, kind and country."""
    details = ", ".join(p for p in (place.kind, place.country) if p)
    return f"{place.name} ({details})" if details else place.name


class PlaceQuestionsModel(QAbstractTableModel):
    """The place names of a file to confirm, and the user's choice for each.

    Every value is plain text from the file or the gazetteer, shown as such (never as
    markup). A name to confirm starts at its guess; an unplaced name has no choice.

    Parameters
    ----------
    questions
        :func:`desktop_app.geo.placing.place_questions`' list.
    """

    def __init__(self, questions: list[PlaceQuestion], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.questions = list(questions)
        # The option chosen per row: 0 the guess, then the alternatives, then "unplaced".
        self._chosen = [0] * len(self.questions)
        self._headers = [
            self.tr("Place in the file"),
            self.tr("Rows"),
            self.tr("Placed at"),
            self.tr("How sure"),
            self.tr("Other places of that name"),
            self.tr("Your choice"),
        ]

    # -- the choices ---------------------------------------------------------------------

    def options(self, row: int) -> list[str]:
        """The labels of the choices of ``row``: the guess, the others, leave unplaced."""
        question = self.questions[row]
        if question.place is None:
            return []
        labels = [self.tr("%1 (the guess)").replace("%1", place_label(question.place))]
        labels += [entry.label for entry in question.alternatives]
        labels.append(self.tr("Leave unplaced"))
        return labels

    def chosen(self, row: int) -> int:
        return self._chosen[row]

    def choose(self, row: int, option: int) -> None:
        """Take option ``option`` of :meth:`options` for ``row``."""
        if not 0 <= option < len(self.options(row)):
            raise ValueError(f"row {row} has no option {option}")
        self._chosen[row] = option
        index = self.index(row, CHOICE)
        self.dataChanged.emit(index, index)

    def choose_all(self, option: str) -> None:
        """``guess``: every name at its guess; ``unplaced``: every name left unplaced."""
        for row, question in enumerate(self.questions):
            if question.place is not None:
                self._chosen[row] = 0 if option == "guess" else len(self.options(row)) - 1
        if self.questions:
            last = self.index(len(self.questions) - 1, CHOICE)
            self.dataChanged.emit(self.index(0, CHOICE), last)

    def choices(self) -> dict[str, Place | None]:
        """The place chosen for each name to confirm (None: leave its events unplaced)."""
        found: dict[str, Place | None] = {}
        for row, question in enumerate(self.questions):
            places = question.choices()
            if places:
                option = self._chosen[row]
                found[question.name] = places[option] if option < len(places) else None
        return found

    # -- the model -----------------------------------------------------------------------

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.questions)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == CHOICE and self.questions[index.row()].place is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        question = self.questions[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.EditRole and column == CHOICE:
            return self._chosen[row]
        if role == CHOICES_ROLE and column == CHOICE:
            return self.options(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == HOW_SURE:
                return plain_tip(question.reason)
            if column in (NAME, PLACED_AT, OTHERS):
                return plain_tip(self._text(row, column))
            if column == CHOICE and question.place is not None:
                return self.tr("Double-click to choose another place or leave it unplaced")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ROWS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            # What the view sorts by: numbers as numbers.
            return question.rows if column == ROWS else self._text(row, column).casefold()
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != CHOICE:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        try:
            self.choose(index.row(), int(value))
        except (TypeError, ValueError):
            return False
        return True

    def _text(self, row: int, column: int) -> str:
        question = self.questions[row]
        if column == NAME:
            return question.name
        if column == ROWS:
            return f"{question.rows:,}"
        if column == PLACED_AT:
            return place_label(question.place) if question.place else self.tr("(unplaced)")
        if column == HOW_SURE:
            return self._how_sure(question)
        if column == OTHERS:
            return "; ".join(entry.label for entry in question.alternatives)
        if column == CHOICE:
            options = self.options(row)
            return options[self._chosen[row]] if options else self.tr("Stays unplaced")
        return ""

    def _how_sure(self, question: PlaceQuestion) -> str:
        if question.place is None:
            return self.tr("unplaced: %1").replace("%1", question.reason)
        if question.fuzzy:
            return self.tr("guess (spelling)")
        if question.confidence is Confidence.GUESS:
            return self.tr("guess")
        return self.tr("likely (%1 places of that name)").replace(
            "%1", str(1 + len(question.alternatives))
        )


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a row's choice with a combo box of its options, made for that row only."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QComboBox(parent)
        name = index.siblingAtColumn(NAME).data() or ""
        editor.setAccessibleName(self.tr("Place for %1").replace("%1", name))
        editor.setToolTip(self.tr("Where this name's events go"))
        editor.addItems(index.data(CHOICES_ROLE) or [])
        # The choice is taken as soon as it is made, not when the editor loses focus.
        editor.activated.connect(lambda _i: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        editor.setCurrentIndex(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor: QWidget, model, index: Index) -> None:
        model.setData(index, editor.currentIndex(), Qt.ItemDataRole.EditRole)


class PlaceReviewDialog(QDialog):
    """The place names of a file to confirm before its import is saved.

    Accepting imports the file with the choices (:meth:`choices`); cancelling saves
    nothing.

    Parameters
    ----------
    name
        The file's name, for the title.
    questions
        The names to confirm and those left unplaced
        (:func:`desktop_app.geo.placing.place_questions`).
    """

    def __init__(
        self, name: str, questions: list[PlaceQuestion], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PlaceReviewDialog")
        self.setWindowTitle(self.tr("Confirm the places of %1").replace("%1", name))
        self.setAccessibleName(self.tr("Confirm the places"))
        layout = QVBoxLayout(self)
        self.model = PlaceQuestionsModel(questions, self)
        confirm = [q for q in questions if q.place is not None]
        unplaced = [q for q in questions if q.place is None]
        self.intro = QLabel(self._intro(confirm, unplaced))
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Show only names containing…"))
        self.filter.setAccessibleName(self.tr("Filter the place names"))
        self.filter.setToolTip(self.tr("Show only the place names that contain this text"))
        self.filter.setClearButtonEnabled(True)
        layout.addWidget(self.filter)

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)

        self.view = QTableView()
        self.view.setObjectName("PlaceReviewTable")
        self.view.setAccessibleName(self.tr("Place names and where they go"))
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(CHOICE, ChoiceDelegate(self.view))
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        # Fixed row heights and no sizing to contents: thousands of rows cost nothing.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((NAME, 150), (ROWS, 55), (PLACED_AT, 190), (HOW_SURE, 290),
                              (OTHERS, 230)):  # fmt: skip
            self.view.setColumnWidth(column, width)
        # The order given (most rows first, the unplaced last) until a header is clicked.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        layout.addWidget(self.view, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            self.tr("&Import with these places"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setToolTip(self.tr("Save the file's events, placed as chosen here"))
        self.import_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip(self.tr("Import nothing"))
        self.guesses_button = self.buttons.addButton(
            self.tr("Accept all &guesses"), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.guesses_button.setToolTip(self.tr("Put every name back at its guess"))
        self.guesses_button.clicked.connect(lambda: self.model.choose_all("guess"))
        self.unplace_button = self.buttons.addButton(
            self.tr("Leave all &unplaced"), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.unplace_button.setToolTip(
            self.tr("Import these names' events without a place (on the timeline only)")
        )
        self.unplace_button.clicked.connect(lambda: self.model.choose_all("unplaced"))
        for button in (self.guesses_button, self.unplace_button):
            button.setEnabled(bool(confirm))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(1200, 480)

    def _intro(self, confirm: list[PlaceQuestion], unplaced: list[PlaceQuestion]) -> str:
        parts = []
        if confirm:
            parts.append(
                self.tr(
                    "%1 place names (%2 rows) were placed by a guess or are one of several "
                    "places of that name. Each goes where “Your choice” says: its guess "
                    "unless you choose another place or leave it unplaced (double-click "
                    "the choice)."
                )
                .replace("%1", f"{len(confirm):,}")
                .replace("%2", f"{sum(q.rows for q in confirm):,}")
            )
        if unplaced:
            parts.append(
                self.tr(
                    "%1 place names (%2 rows) are not known: those rows are skipped and "
                    "listed in the report; add coordinates to import them."
                )
                .replace("%1", f"{len(unplaced):,}")
                .replace("%2", f"{sum(q.rows for q in unplaced):,}")
            )
        return "\n".join(parts)

    def row_of(self, name: str) -> int:
        """The model row of the place name ``name``."""
        for row, question in enumerate(self.model.questions):
            if question.name == name:
                return row
        raise KeyError(name)

    def choices(self) -> dict[str, Place | None]:
        """The place chosen for each name to confirm (None: leave unplaced)."""
        return self.model.choices()
