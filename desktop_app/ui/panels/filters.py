"""The filter's two views: the chip row over the map and the filter panel (a dock).

Both only listen to :class:`~desktop_app.ui.view_state.ViewState` and set its filter; the
map, timeline, status bar and exports follow from there. The panel's questions to the
store (how many events match, the best matches of a text query, the actors and outlets
there are) run in a background thread on a connection of their own, so typing never
waits for a million-event store.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.categories import CATEGORIES, category, category_label, dataset_categories
from desktop_app.core.dates import DatePrecision
from desktop_app.core.filter import Chip, Filter, FilterError, Placement, matched_spans
from desktop_app.core.grading import Credibility, Reliability
from desktop_app.store import queries
from desktop_app.ui.tasks import Task, TaskControl, TaskRunner, background_runner
from desktop_app.ui.view_state import ViewState

#: How long typing must pause before the filter follows it (ms): one query per pause,
#: not one per key.
TYPING_PAUSE_MS = 300
#: How many of the best matches of a text query the panel lists.
BEST_MATCHES = 10
#: How many actors, outlets and countries the panel offers, the most frequent first.
MAX_CHOICES = 500
#: Up to this many category chips each have their own; more are one chip together.
MAX_CATEGORY_CHIPS = 3
#: How a match of the text filter is marked in rich text.
MARK_STYLE = "background-color:#ffe27a; color:#000"


def highlighted(text: str, flt: Filter) -> str:
    """``text`` as escaped rich text, the matches of ``flt``'s text query marked."""
    out, at = [], 0
    for start, end in matched_spans(text, flt.text) if flt.text else ():
        out.append(escape(text[at:start]))
        out.append(f"<span style='{MARK_STYLE}'>{escape(text[start:end])}</span>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _tr(text: str) -> str:
    return QCoreApplication.translate("FilterChips", text)


def chip_text(chip: Chip) -> str:
    """What a chip of :meth:`Filter.describe` says, in the user's language ("Category:
    Strike"); every word goes through the translations of the context ``FilterChips``."""
    part, value = chip.part, chip.value
    if part == "categories":
        return _tr("Category: %1").replace("%1", _tr(category_label(str(value))))
    if part == "text":
        return _tr("Text: %1").replace("%1", str(value))
    if part == "place":
        return _tr("Place: %1").replace("%1", str(value))
    if part == "precisions":
        return _tr("Dated to: %1").replace("%1", _tr(DatePrecision(value).value))
    if part == "placement":
        if value is Placement.PLACED:
            return _tr("Only: has a place")
        return _tr("Only: timeline only")
    if part == "bbox":
        box = ", ".join(f"{v:g}" for v in value)  # type: ignore[union-attr]
        return _tr("Area: %1").replace("%1", box)
    if part == "polygon":
        return _tr("Area: polygon of %1 points").replace("%1", str(len(value)))  # type: ignore[arg-type]
    if part == "actors":
        return _tr("Actor: %1").replace("%1", str(value))
    if part == "sources":
        return _tr("Source: %1").replace("%1", str(value))
    if part == "min_reliability":
        return _tr("Reliability: %1 or better").replace("%1", str(value))
    if part == "min_credibility":
        return _tr("Credibility: %1 or better").replace("%1", str(value))
    if part == "min_corroboration":
        return _tr("Outlets: at least %1").replace("%1", str(value))
    if part == "exact_place":
        return _tr("Only: exact places")
    if part == "attributes":
        name, kept = value  # type: ignore[misc]
        return _tr("%1: %2").replace("%1", name).replace("%2", kept)
    raise ValueError(f"no wording for the filter part {part!r}")


class FilterChips(QWidget):
    """One chip per part of the filter ("Category: Strike ×") and a "Clear all" button;
    while nothing is filtered, a line that says so.

    The row keeps its height whatever the filter: the map below it does not jump, nor
    draw itself again at a new size, when the first part of a filter is set or the last
    one cleared.

    Parameters
    ----------
    state
        The shared view state; a chip's × clears its part of the filter.
    """

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilterChips")
        self._state = state
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 3, 6, 3)
        outer.setSpacing(4)
        outer.addWidget(QLabel(self.tr("Filter:")))
        # The chips scroll sideways rather than widen the window when there are many.
        self._strip = QWidget()
        self._row = QHBoxLayout(self._strip)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(4)
        self._row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(self._strip)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        outer.addWidget(scroll, 1)
        self._scroll = scroll
        self.unfiltered = QLabel(
            self.tr("none — every event is shown (View ▸ Filters, or untick a legend category)")
        )
        self.unfiltered.setEnabled(False)
        outer.addWidget(self.unfiltered, 1)
        self.clear_all = QPushButton(self.tr("Clear all"))
        self.clear_all.setToolTip(self.tr("Show every event again"))
        self.clear_all.clicked.connect(lambda: state.set_filter(Filter()))
        outer.addWidget(self.clear_all)
        self._chips: list[QToolButton] = []
        # As tall with a line as with chips: the height of the tallest of a chip and the
        # "Clear all" button, whatever the filter.
        probe = QToolButton()
        probe.setText("Xg  ×")
        margins = outer.contentsMargins()
        self.setFixedHeight(
            max(probe.sizeHint().height(), self.clear_all.sizeHint().height())
            + margins.top()
            + margins.bottom()
        )
        state.filterChanged.connect(self._on_filter_changed)
        self._on_filter_changed(state.filter)

    @property
    def chips(self) -> list[QToolButton]:
        """The chip buttons shown, in the filter's order."""
        return list(self._chips)

    def _on_filter_changed(self, flt: Filter) -> None:
        for button in self._chips:
            self._row.removeWidget(button)
            button.deleteLater()
        self._chips = []
        chips = flt.describe()
        kinds = [c for c in chips if c.part == "categories"]
        parts: list[tuple[str, Callable[[], Filter]]] = []
        if len(kinds) > MAX_CATEGORY_CHIPS:
            # Most categories ticked (one left out in the legend, say): one chip for them.
            names = ", ".join(_tr(category_label(str(c.value))) for c in kinds[:2])
            text = (
                self.tr("Category: %1 and %2 more")
                .replace("%1", names)
                .replace("%2", str(len(kinds) - 2))
            )
            parts.append((text, lambda: dataclasses.replace(flt, categories=frozenset())))
            chips = [c for c in chips if c.part != "categories"]
        parts += [(chip_text(c), lambda c=c: flt.without(c)) for c in chips]
        for k, (text, cleared) in enumerate(parts):
            button = QToolButton()
            button.setText(self.tr("%1  ×").replace("%1", text))
            button.setToolTip(self.tr("Clear this part of the filter"))
            button.clicked.connect(lambda _=False, f=cleared: self._state.set_filter(f()))
            self._row.insertWidget(k, button)
            self._chips.append(button)
        # From the chips themselves: the strip's own hint lags behind a second change in
        # the same turn of the event loop (and was 0 then, hiding every chip).
        self._scroll.setFixedHeight(max((b.sizeHint().height() for b in self._chips), default=0))
        self._scroll.setVisible(bool(self._chips))
        self.clear_all.setVisible(bool(self._chips))
        self.unfiltered.setVisible(not self._chips)


@dataclasses.dataclass(frozen=True)
class Matches:
    """What the store says of one filter: how many events it lets through, and its best
    matches (``(id, title)``, best first; only for a text query)."""

    flt: Filter
    count: int
    best: tuple[tuple[int, str], ...]


@dataclasses.dataclass(frozen=True)
class Choices:
    """What the parts of a filter can be set to, with how many events each: categories
    (keys), actors, outlets, countries and the names of kept fields, the most frequent
    first."""

    categories: tuple[tuple[str, int], ...]
    actors: tuple[tuple[str, int], ...]
    sources: tuple[tuple[str, int], ...]
    countries: tuple[tuple[str, int], ...]
    attributes: tuple[tuple[str, int], ...] = ()


def _connect(path: Path) -> sqlite3.Connection:
    # A thread's own connection, read-only: the window's belongs to the GUI thread.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout = 5000")
    queries.add_functions(conn)
    return conn


def find_matches(path: Path, flt: Filter) -> Matches:
    """How many events of the store at ``path`` ``flt`` lets through, and the best
    matches of its text query."""
    conn = _connect(path)
    try:
        count = queries.count_matching(conn, flt)
        best: list[tuple[int, str]] = []
        if flt.text:
            ids = [int(i) for i in queries.ranked_ids(conn, flt, limit=BEST_MATCHES)]
            if ids:
                marks = ",".join("?" * len(ids))
                sql = f"SELECT id, title FROM events WHERE id IN ({marks})"
                titles = dict(conn.execute(sql, ids))
                best = [(i, str(titles.get(i) or "")) for i in ids]
        return Matches(flt, count, tuple(best))
    finally:
        conn.close()


def find_choices(path: Path) -> Choices:
    """What the filter parts can be set to in the store at ``path``."""
    conn = _connect(path)
    try:
        own = [c.key for c in dataset_categories(queries.dataset_keys(conn))]
        used: dict[str, int] = {}
        for key, count in conn.execute("SELECT category, count(*) FROM events GROUP BY category"):
            # Other unknown categories are drawn and filtered as "Other": so they count.
            shown = key if key in own else category(key).key
            used[shown] = used.get(shown, 0) + int(count)
        order = [c.key for c in CATEGORIES] + own
        return Choices(
            tuple((k, used[k]) for k in order if k in used),
            tuple(queries.named_counts(conn, "actors", MAX_CHOICES)),
            tuple(queries.named_counts(conn, "sources", MAX_CHOICES)),
            tuple(queries.named_counts(conn, "countries", MAX_CHOICES)),
            tuple(queries.named_counts(conn, "attributes", MAX_CHOICES)),
        )
    finally:
        conn.close()


class _CheckList(QListWidget):
    """Checkable names with counts; ``picked`` is the set of checked names."""

    changed = Signal()

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setMaximumHeight(130)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def fill(
        self,
        rows: tuple[tuple[str, int], ...],
        label: Callable[[str], str],
        counted: bool = True,
    ) -> None:
        picked = self.picked
        self.blockSignals(True)
        self.clear()
        for name, count in rows:
            item = QListWidgetItem(f"{label(name)} ({count:,})" if counted else label(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in picked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)

    @property
    def picked(self) -> frozenset[str]:
        return frozenset(
            self.item(k).data(Qt.ItemDataRole.UserRole)
            for k in range(self.count())
            if self.item(k).checkState() == Qt.CheckState.Checked
        )

    def pick(self, names: frozenset[str]) -> None:
        self.blockSignals(True)
        for k in range(self.count()):
            item = self.item(k)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.blockSignals(False)


def _pair_text(pair: tuple[str, str]) -> str:
    # One line per condition; the field's name cannot hold a newline's worth of meaning.
    return f"{pair[0]}\x1f{pair[1]}"


def _pair(text: str) -> tuple[str, str]:
    name, _sep, value = text.partition("\x1f")
    return name, value


class FilterPanel(QWidget):
    """Every part of the filter as a control, the number of events it lets through and,
    for a text query, its best matches.

    Parameters
    ----------
    state
        The shared view state: the panel shows its filter and sets it.
    store_path
        Returns the path of the open store (it changes when another store is opened).
    runner
        Runs the store's questions off the GUI thread (the app's background runner by
        default).
    """

    #: The store answered for the filter now shown (``Matches``).
    matchesFound = Signal(object)

    def __init__(
        self,
        state: ViewState,
        store_path: Callable[[], Path],
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FilterPanel")
        self._state = state
        self._store_path = store_path
        self._runner = runner or background_runner()
        self._asked: Filter | None = None
        #: The count under way or waiting its turn (one at a time is enough: only the
        #: last filter's answer is shown).
        self._counting: Task | None = None
        self._syncing = False
        self.matches: Matches | None = None
        self._choices = Choices((), (), (), ())

        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr('Words, kharki* or "second round"'))
        self.text.setToolTip(
            self.tr(
                "Titles, excerpts, places and outlets with all these words; "
                "a * finds a word's beginning, quotes find words side by side"
            )
        )
        self.text.setClearButtonEnabled(True)
        self.problem = QLabel()
        self.problem.setObjectName("FilterProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a01010;")
        self.problem.hide()
        self.count = QLabel()
        self.count.setObjectName("FilterCount")
        self.best = QListWidget()
        self.best.setAccessibleName(self.tr("Best matches"))
        self.best.setToolTip(self.tr("The best matches of the words, best first"))
        self.best.setMaximumHeight(150)
        self.best.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.best.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.best.itemActivated.connect(self._on_best_activated)
        self.best.itemClicked.connect(self._on_best_activated)
        self.categories = _CheckList(self.tr("Categories"))
        self.categories.setToolTip(self.tr("Only events of the checked categories"))
        self.actors = _CheckList(self.tr("Actors"))
        self.actors.setToolTip(self.tr("Only events naming one of the checked actors"))
        self.sources = _CheckList(self.tr("Sources"))
        self.sources.setToolTip(
            self.tr("Only events citing one of the checked outlets, or read from one")
        )
        self.place = QLineEdit()
        self.place.setPlaceholderText(self.tr("A place or country"))
        self.place.setToolTip(self.tr("Only events at a place (or in a country) of that name"))
        self.place.setClearButtonEnabled(True)
        self._countries = QStringListModel(self)
        completer = QCompleter(self._countries, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.place.setCompleter(completer)
        self.precisions: dict[DatePrecision, QCheckBox] = {}
        dated = QGridLayout()
        dated.setContentsMargins(0, 0, 0, 0)
        for k, precision in enumerate(DatePrecision):
            box = QCheckBox(self.tr(precision.value))
            box.setToolTip(self.tr("Only events dated to the %1").replace("%1", precision.value))
            box.toggled.connect(self._apply)
            dated.addWidget(box, k // 2, k % 2)
            self.precisions[precision] = box
        self.placement = QComboBox()
        self.placement.setToolTip(self.tr("Whether events must have a place on the map"))
        for value, text in (
            (Placement.ANY, self.tr("Any")),
            (Placement.PLACED, self.tr("Has a place")),
            (Placement.TIMELINE_ONLY, self.tr("Timeline only")),
        ):
            self.placement.addItem(text, value)
        self.area_button = QToolButton()
        self.area_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.polygon_button = QToolButton()
        self.polygon_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # One above the other: side by side they are wider than the dock.
        areas = QVBoxLayout()
        areas.setContentsMargins(0, 0, 0, 0)
        areas.addWidget(self.area_button)
        areas.addWidget(self.polygon_button)
        self.min_reliability = QComboBox()
        self.min_reliability.setToolTip(
            self.tr("Only events whose source is graded at least this reliable")
        )
        self.min_reliability.addItem(self.tr("Any"), "")
        for grade in Reliability:
            self.min_reliability.addItem(f"{grade.value} – {self.tr(grade.label)}", grade.value)
        self.min_credibility = QComboBox()
        self.min_credibility.setToolTip(
            self.tr("Only events whose claim is graded at least this credible")
        )
        self.min_credibility.addItem(self.tr("Any"), "")
        for grade in Credibility:
            self.min_credibility.addItem(f"{grade.value} – {self.tr(grade.label)}", grade.value)
        self.min_corroboration = QSpinBox()
        self.min_corroboration.setRange(0, 99)
        # 0 restricts nothing: it reads as "Any", not as "at least 0".
        self.min_corroboration.setSpecialValueText(self.tr("Any"))
        self.min_corroboration.setSuffix(self.tr(" independent outlets"))
        self.min_corroboration.setToolTip(
            self.tr("Only events that at least this many independent outlets report")
        )
        self.exact_place = QCheckBox(self.tr("Only exact places"))
        self.exact_place.setToolTip(
            self.tr("Only events at an exact point (a building, an air base), not a town, "
                    "region or country")
        )  # fmt: skip
        self.attribute_name = QComboBox()
        self.attribute_name.setToolTip(self.tr("A field the dataset brought, kept on its events"))
        self.attribute_value = QLineEdit()
        self.attribute_value.setPlaceholderText(self.tr("Value"))
        self.attribute_value.setToolTip(self.tr("Only events whose field has exactly this value"))
        self.attribute_add = QPushButton(self.tr("Add"))
        self.attribute_add.setToolTip(self.tr("Add this condition on a kept field"))
        self.attribute_add.clicked.connect(self._add_attribute)
        self.attribute_value.returnPressed.connect(self._add_attribute)
        self.attributes = _CheckList(self.tr("Conditions on kept fields"))
        self.attributes.setToolTip(self.tr("Untick a condition to drop it"))
        kept = QHBoxLayout()
        kept.setContentsMargins(0, 0, 0, 0)
        kept.addWidget(self.attribute_name, 1)
        kept.addWidget(self.attribute_value, 1)
        kept.addWidget(self.attribute_add)

        form = QFormLayout()
        # Labels above their controls: the dock is narrow, the lists need its width.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.tr("&Text:"), self.text)
        form.addRow(self.problem)
        form.addRow(self.count)
        form.addRow(self.tr("Best matches:"), self.best)
        form.addRow(self.tr("&Categories:"), self.categories)
        form.addRow(self.tr("&Actors:"), self.actors)
        form.addRow(self.tr("&Sources:"), self.sources)
        form.addRow(self.tr("&Place:"), self.place)
        form.addRow(self.tr("Dated to:"), dated)
        form.addRow(self.tr("&Only:"), self.placement)
        form.addRow(self.tr("Area:"), areas)
        form.addRow(self.tr("&Reliability at least:"), self.min_reliability)
        form.addRow(self.tr("C&redibility at least:"), self.min_credibility)
        form.addRow(self.tr("Reported by at &least:"), self.min_corroboration)
        form.addRow(self.exact_place)
        # A row of three controls has no buddy of its own: Alt+K goes to the field's name.
        kept_label = QLabel(self.tr("&Kept fields:"))
        kept_label.setBuddy(self.attribute_name)
        form.addRow(kept_label, kept)
        form.addRow(self.attributes)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(scroll)

        # Typing waits for a pause; a tick or a choice applies at once.
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._apply)
        self.text.textEdited.connect(self._typing.start)
        self.text.returnPressed.connect(self._apply)
        self.place.textEdited.connect(self._typing.start)
        self.place.returnPressed.connect(self._apply)
        completer.activated.connect(self._apply)
        for checklist in (self.categories, self.actors, self.sources):
            checklist.changed.connect(self._apply)
        self.placement.currentIndexChanged.connect(self._apply)
        self.min_reliability.currentIndexChanged.connect(self._apply)
        self.min_credibility.currentIndexChanged.connect(self._apply)
        self.min_corroboration.valueChanged.connect(self._apply)
        self.exact_place.toggled.connect(self._apply)
        self.attributes.changed.connect(self._apply)

        state.filterChanged.connect(self._on_filter_changed)
        state.eventsChanged.connect(self.refresh_choices)
        self.refresh_choices()
        self._on_filter_changed(state.filter)

    # -- the panel sets the filter ------------------------------------------------------------

    def wanted(self) -> Filter:
        """The filter the controls describe (the map's area, which they do not show, kept)."""
        every = frozenset(k for k, _n in self._choices.categories)
        cats = self.categories.picked
        return dataclasses.replace(
            self._state.filter,
            text=self.text.text(),
            place=self.place.text(),
            # The categories the store has, all checked, are no category filter.
            categories=frozenset() if every and cats >= every else cats,
            actors=self.actors.picked,
            sources=self.sources.picked,
            precisions=frozenset(p for p, box in self.precisions.items() if box.isChecked()),
            placement=Placement(self.placement.currentData()),
            min_reliability=self.min_reliability.currentData(),
            min_credibility=self.min_credibility.currentData(),
            min_corroboration=self.min_corroboration.value(),
            exact_place=self.exact_place.isChecked(),
            attributes=frozenset(_pair(text) for text in self.attributes.picked),
        )

    def _add_attribute(self) -> None:
        name = self.attribute_name.currentData()
        if not name:
            return
        pair = (str(name), self.attribute_value.text())
        flt = self._state.filter
        self._state.set_filter(dataclasses.replace(flt, attributes=flt.attributes | {pair}))
        self.attribute_value.clear()

    def _apply(self) -> None:
        if self._syncing:
            return
        self._typing.stop()
        try:
            flt = self.wanted()
            self._state.set_filter(flt)
        except FilterError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()

    # -- the panel follows the filter ---------------------------------------------------------

    def _on_filter_changed(self, flt: Filter) -> None:
        self._syncing = True
        try:
            # What was typed stays as typed (spaces and all) while it means the filter.
            if Filter(text=self.text.text()).text != flt.text:
                self.text.setText(flt.text)
            if Filter(place=self.place.text()).place != flt.place:
                self.place.setText(flt.place)
            every = frozenset(k for k, _n in self._choices.categories)
            self.categories.pick(flt.categories or every)
            self.actors.pick(flt.actors)
            self.sources.pick(flt.sources)
            for precision, box in self.precisions.items():
                box.setChecked(precision in flt.precisions)
            self.placement.setCurrentIndex(self.placement.findData(flt.placement))
            self.min_reliability.setCurrentIndex(
                self.min_reliability.findData(flt.min_reliability)
            )
            self.min_credibility.setCurrentIndex(
                self.min_credibility.findData(flt.min_credibility)
            )
            self.min_corroboration.setValue(flt.min_corroboration)
            self.exact_place.setChecked(flt.exact_place)
            self._show_attributes(flt)
        finally:
            self._syncing = False
        self.problem.hide()
        self._ask(flt)

    def _show_attributes(self, flt: Filter) -> None:
        # The list holds exactly the filter's conditions, ticked: unticking one drops it.
        pairs = sorted(flt.attributes)
        self.attributes.fill(
            tuple((_pair_text(p), 0) for p in pairs),
            lambda text: self.tr("%1 is %2")
            .replace("%1", _pair(text)[0])
            .replace("%2", _pair(text)[1]),
            counted=False,
        )
        self.attributes.pick(frozenset(_pair_text(p) for p in pairs))
        self.attributes.setVisible(bool(pairs))

    def _ask(self, flt: Filter) -> None:
        self._asked = flt
        self.count.setText(self.tr("Counting…"))
        path = self._store_path()
        if self._counting is not None:
            # A count not started yet never runs: ticks and pauses do not queue up.
            self._counting.cancel()
        # No parent: the runner keeps a task alive until its outcome is handled, and a
        # task that outlives the panel tells nobody.
        task = Task(lambda _control: find_matches(path, flt), expected=(FilterError,))
        task.succeeded.connect(self._on_matches)
        task.failed.connect(self._on_failed)
        self._counting = task
        self._runner.start(task)

    def _on_matches(self, matches: Matches) -> None:
        if matches.flt != self._asked:
            return  # an answer to a filter since replaced
        self.matches = matches
        n = matches.count
        self.count.setText(
            self.tr("%1 events match, at any time").replace("%1", f"{n:,}")
            if n != 1
            else self.tr("1 event matches, at any time")
        )
        self.best.clear()
        for event_id, title in matches.best:
            item = QListWidgetItem(title)
            item.setToolTip(title)
            item.setData(Qt.ItemDataRole.UserRole, event_id)
            self.best.addItem(item)
        self.best.setVisible(bool(matches.best))
        self.matchesFound.emit(matches)

    def _on_failed(self, exc: BaseException) -> None:
        if self.sender() is self._counting:
            self.count.setText(self.tr("The store could not count: %1").replace("%1", str(exc)))

    def _on_best_activated(self, item: QListWidgetItem) -> None:
        self._state.set_current(int(item.data(Qt.ItemDataRole.UserRole)))

    # -- what there is to choose --------------------------------------------------------------

    def refresh_choices(self) -> None:
        """Read again (off the GUI thread) the categories, actors, outlets and countries."""
        path = self._store_path()

        def work(_control: TaskControl) -> Choices:
            return find_choices(path)

        task = Task(work)
        task.succeeded.connect(self._on_choices)
        self._runner.start(task)

    def _on_choices(self, choices: Choices) -> None:
        self._choices = choices
        self.categories.fill(choices.categories, lambda key: self.tr(category_label(key)))
        self.actors.fill(choices.actors, str)
        self.sources.fill(choices.sources, str)
        self._countries.setStringList([name for name, _n in choices.countries])
        self.attribute_name.clear()
        for name, count in choices.attributes:
            self.attribute_name.addItem(f"{name} ({count:,})", name)
        for widget in (self.attribute_name, self.attribute_value, self.attribute_add):
            widget.setEnabled(bool(choices.attributes))
        self._syncing = True
        try:
            flt = self._state.filter
            self.categories.pick(flt.categories or frozenset(k for k, _n in choices.categories))
            self.actors.pick(flt.actors)
            self.sources.pick(flt.sources)
        finally:
            self._syncing = False
