"""EventTablePanel: every event of the window and the filter as a sortable table.

A search box above the table sets the filter's text, so the table, the map and the
timeline follow it together. Selecting rows selects the events in the view state (the
map rings them, the timeline marks them); a selection made on the map or the timeline
selects their rows and scrolls to the one being read. Double-clicking a row asks for the
map to be centred on its event. Ctrl+C copies the selected rows as tab-separated text
with a header; the rows shown export as CSV or GeoJSON through the data exporters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.event import Event
from desktop_app.core.filter import FilterError
from desktop_app.core.index import EventIndex
from desktop_app.ingest.exporters import spreadsheet_text, write_data
from desktop_app.store import queries
from desktop_app.store.event_store import EventStore
from desktop_app.ui.table.model import COLUMN_KEYS, EventTableModel
from desktop_app.ui.tasks import Task, TaskRunner, background_runner
from desktop_app.ui.view_state import ViewState

#: How long the search box waits after the last key before searching (ms).
SEARCH_DELAY_MS = 400
#: Events read from the store at a time while copying or exporting rows.
READ_CHUNK = 500
#: The formats the table's rows export as, with their file suffixes.
EXPORT_FORMATS = {"csv": ".csv", "geojson": ".geojson"}


class EventTableView(QTableView):
    """The table itself; the copy key copies whole rows, not the current cell."""

    #: The user pressed the platform's copy key (Ctrl+C).
    copyRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The item view answers the copy key itself (the current cell's text only):
        # taken here first, before it does.
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copyRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class EventTablePanel(QWidget):
    """The event table with its search box, count and export button.

    Parameters
    ----------
    state
        The shared view state; the panel reads the window and filter and sets the
        filter's text and the selection.
    store, index
        The open store and its index (called each time: another store may be opened).
    runner
        Where the filter's query, the orderings and exports run (the app's background
        runner by default).
    filter_handed
        The filter's rows are handed to the model by whoever finds them for the map
        (see :meth:`EventTableModel.show_filter_rows`) instead of found by the table.
    """

    #: The user asked to centre the map on this event (a double-click on its row).
    centreRequested = Signal(int)
    #: Something to tell the user (a one-line message) and the file it is about, if any.
    told = Signal(str, object)

    def __init__(
        self,
        state: ViewState,
        store: Callable[[], EventStore],
        index: Callable[[], EventIndex],
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
        *,
        filter_handed: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EventTablePanel")
        self._state = state
        self._store = store
        self._runner = runner or background_runner()
        self._syncing = False
        #: How far the ordering being made is (0 to 1), while there is one.
        self._sort_share = 0.0
        self.model = EventTableModel(
            state, store, index, self._runner, self, filter_handed=filter_handed
        )

        self.search = QLineEdit()
        self.search.setObjectName("EventTableSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search titles, excerpts, places, outlets"))
        self.search.setToolTip(
            self.tr(
                'Every word must appear; kharki* finds words that start so, "second round" '
                "the words side by side. The map and timeline show the same events."
            )
        )
        self.count = QLabel()
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export rows"))
        self.export_button.setToolTip(self.tr("Save the rows shown as CSV or GeoJSON"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(self.tr("CSV…"), lambda: self.export_dialog("csv"))
        menu.addAction(self.tr("GeoJSON…"), lambda: self.export_dialog("geojson"))
        self.export_button.setMenu(menu)
        self.problem = QLabel()
        self.problem.setObjectName("EventTableProblem")
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        self.view = EventTableView()
        self.view.setObjectName("EventTableView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        # Fixed heights and widths: sizing to contents would read every row of the store.
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The title takes the room left: it is what a row is read by.
        header.setSectionResizeMode(COLUMN_KEYS.index("title"), QHeaderView.ResizeMode.Stretch)
        digit = self.fontMetrics().horizontalAdvance("0")
        for column, width in enumerate((26, 0, 22, 16, 20, 11)):
            if width:
                self.view.setColumnWidth(column, width * digit)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)

        self.view.copyRequested.connect(self.copy_rows)

        top = QHBoxLayout()
        top.setContentsMargins(4, 4, 4, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.export_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(self.problem)
        column.addWidget(self.view, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)
        self.view.selectionModel().selectionChanged.connect(self._on_rows_selected)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.model.filled.connect(self._on_filled)
        self.model.busyChanged.connect(lambda _busy: self._show_count())
        self.model.sortProgressed.connect(self._on_sort_progressed)
        state.selectionChanged.connect(self._on_state_selection)
        state.currentChanged.connect(self._on_state_current)
        state.filterChanged.connect(self._on_filter_changed)
        self._on_filter_changed(state.filter)
        self._show_count()
        # Until shown, the table skips the window's steps and the filter's queries.
        self.model.set_active(False)

    # -- showing ---------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        self.model.set_active(True)
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        # Hidden, the table skips every window step and catches up when shown again.
        self.model.set_active(False)
        super().hideEvent(event)

    def _show_count(self) -> None:
        n = self.model.rowCount()
        text = self.tr("%1 events").replace("%1", f"{n:,}")
        if self.model.sorting is not None:
            # The rows stay usable in their old order meanwhile.
            share = f"{round(100 * self._sort_share)}"
            text = self.tr("%1 · Sorting… %2%").replace("%1", text).replace("%2", share)
        else:
            self._sort_share = 0.0
            if self.model.busy:
                text = self.tr("%1 (finding…)").replace("%1", text)
        self.count.setText(text)

    def _on_sort_progressed(self, _key: str, share: float) -> None:
        self._sort_share = share
        self._show_count()

    def _on_filled(self) -> None:
        self._show_count()
        # The rows moved: select again those of the view state's selection.
        self._select_rows_of_state(scroll=False)

    # -- search ----------------------------------------------------------------------------

    def apply_search(self) -> None:
        """Show only the events the search box's text finds (all when empty), everywhere."""
        self._search_timer.stop()
        try:
            self._state.set_filter(replace(self._state.filter, text=self.search.text()))
        except FilterError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()

    def _on_filter_changed(self, flt) -> None:
        # Another view (the filter bar, a saved view) changed the text: say it here too,
        # unless the user is typing something else.
        if not self._search_timer.isActive() and self.search.text().strip() != flt.text:
            self.search.setText(flt.text)
        self.problem.hide()

    # -- selection, both ways --------------------------------------------------------------

    def selected_rows(self) -> np.ndarray:
        """The selected rows, top to bottom (ranges read without an index per row)."""
        parts = [
            np.arange(r.top(), r.bottom() + 1, dtype=np.int64)
            for r in self.view.selectionModel().selection()
        ]
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)

    def selected_ids(self) -> list[int]:
        """The ids of the selected rows' events, top to bottom."""
        return self.model.ids[self.selected_rows()].tolist()

    def _on_rows_selected(self, *_args) -> None:
        if self._syncing:
            return
        ids = self.selected_ids()
        current = self.view.currentIndex()
        if current.isValid() and current.row() < len(self.model.ids):
            first = int(self.model.ids[current.row()])
            if first in ids:
                ids.remove(first)
                ids.insert(0, first)
        self._syncing = True
        try:
            self._state.select(ids)
        finally:
            self._syncing = False

    def _on_state_selection(self, _ids) -> None:
        if not self._syncing:
            self._select_rows_of_state(scroll=True)

    def _on_state_current(self, _event_id) -> None:
        if not self._syncing:
            self._select_rows_of_state(scroll=True)

    def _select_rows_of_state(self, scroll: bool) -> None:
        rows = np.sort(self.model.rows_of(self._state.selection))
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        if len(rows):
            # One range per run of neighbouring rows.
            breaks = np.flatnonzero(np.diff(rows) != 1) + 1
            for run in np.split(rows, breaks):
                top = self.model.index(int(run[0]), 0)
                selection.select(top, self.model.index(int(run[-1]), last))
        flags = QItemSelectionModel.SelectionFlag
        self._syncing = True
        try:
            model = self.view.selectionModel()
            model.select(selection, flags.ClearAndSelect | flags.Rows)
            current = self._state.current
            found = self.model.rows_of([current]) if current is not None else []
            if len(found):
                at = self.model.index(int(found[0]), 0)
                model.setCurrentIndex(at, flags.NoUpdate)
                if scroll:
                    self.view.scrollTo(at, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._syncing = False

    def _on_double_clicked(self, index) -> None:
        if index.isValid():
            self.centreRequested.emit(int(self.model.ids[index.row()]))

    def _on_sort_indicator(self, section: int, _order) -> None:
        # A column that cannot be sorted by keeps the arrow on the one that orders the rows.
        key, order = self.model.sort_order
        if COLUMN_KEYS[section] != key:
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(COLUMN_KEYS.index(key), order)
            header.blockSignals(False)

    # -- copy and export -------------------------------------------------------------------

    def rows_text(self, ids: list[int]) -> str:
        """The events ``ids`` as tab-separated lines under a header, every cell one line
        that no spreadsheet runs as a formula."""
        lines = ["\t".join(self.model.headings())]
        for event in _events_in_chunks(self._store(), ids):
            cells = [self.model.cell(event, key) for key in COLUMN_KEYS]
            lines.append("\t".join(spreadsheet_text(c) for c in cells))
        return "\r\n".join(lines) + "\r\n"

    def copy_rows(self) -> str:
        """Put the selected rows on the clipboard (see :meth:`rows_text`); returns the text."""
        ids = self.selected_ids()
        if not ids:
            return ""
        text = self.rows_text(ids)
        QGuiApplication.clipboard().setText(text)
        return text

    def export_dialog(self, fmt: str) -> None:
        """Ask where to save the rows shown, in ``fmt`` (``csv`` or ``geojson``)."""
        suffix = EXPORT_FORMATS[fmt]
        path, _chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export rows"),
            str(Path.home() / f"events{suffix}"),
            self.tr("%1 files (*%2)").replace("%1", fmt.upper()).replace("%2", suffix),
        )
        if path:
            self.export_rows(fmt, Path(path))

    def export_rows(self, fmt: str, path: Path) -> Task:
        """Write the rows shown, in the table's order, to ``path`` in ``fmt``, in the
        background; the outcome is told through :attr:`told`."""
        ids = self.model.ids.tolist()
        store_path = self._store().path
        title = self.tr("Events of the table")

        def work(_control) -> int:
            with EventStore(store_path, read_only=True) as store:
                return write_data(
                    fmt,
                    path,
                    _events_in_chunks(store, ids),
                    name=title,
                    article_text=store.article_text,
                    own=queries.own_categories(store.db.conn),
                )

        task = Task(work, expected=(OSError,), parent=self)
        task.succeeded.connect(
            lambda count: self.told.emit(
                self.tr("Exported %1 rows to %2.")
                .replace("%1", f"{count:,}")
                .replace("%2", path.name),
                path,
            )
        )
        task.failed.connect(
            lambda exc: self.told.emit(
                self.tr("%1: the rows were not exported (%2)")
                .replace("%1", str(path))
                .replace("%2", getattr(exc, "strerror", None) or str(exc)),
                None,
            )
        )
        return self._runner.start(task)


def _events_in_chunks(store: EventStore, ids: list[int]) -> Iterator[Event]:
    """The events ``ids`` in their order, read a chunk at a time (never all at once)."""
    for start in range(0, len(ids), READ_CHUNK):
        yield from store.events(ids[start : start + READ_CHUNK])
