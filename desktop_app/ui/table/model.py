"""EventTableModel: the events of the window and the filter as table rows, for a million.

The model never holds an event per row. What it shows is one numpy array of event ids in
the order of the table (taken from :class:`~desktop_app.core.index.EventIndex`: the
window's rows by binary search, the filter's as a mask over them); the events themselves
are read from the store a page of rows at a time, when the view asks for a row's data,
and only the pages seen last are kept.

Ordering by date or category needs only the index's columns. Ordering by title or place
puts every index row in that order once, in a background task (see
:mod:`desktop_app.ui.table.ranks`: the places are ranked, a few thousand, and each row
takes its place's; the titles are sorted by SQLite, the progress told) and keeps it with
each row's rank: any window is then ordered by numpy.

Which events the filter lets through is either handed over by whoever finds them for
the map already (the main window, :meth:`EventTableModel.show_filter_rows`), so one
query serves both, or found by the model itself in the background, on a connection of
its own. Rows of an older filter or index are never shown.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from desktop_app.core.categories import CATEGORIES, category
from desktop_app.core.event import Event
from desktop_app.core.filter import Filter, text_terms
from desktop_app.core.index import EventIndex
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui.table.ranks import place_order, title_order
from desktop_app.ui.tasks import Task, TaskRunner, background_runner
from desktop_app.ui.view_state import ViewState
from desktop_app.ui.words import plain_tooltip

#: Rows read from the store at a time, and how many such pages are kept.
PAGE_ROWS = 128
KEPT_PAGES = 48

#: Characters shown as U+FFFD in a cell: C0 and C1 controls, and the explicit bidi
#: embeddings, overrides and isolates, which could make a title read backwards. Letters of
#: right-to-left scripts are shown as they are.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n\r]+")
REPLACEMENT = "\ufffd"


def cell_text(text: str) -> str:
    """``text`` for one line of a cell: line breaks and tabs as spaces, control and bidi
    formatting characters as U+FFFD."""
    return _HIDDEN.sub(REPLACEMENT, _BREAKS.sub(" ", text))


@dataclass(frozen=True)
class Column:
    """One column of the table: its key and whether it can be sorted by."""

    key: str
    sortable: bool


COLUMNS = (
    Column("date", True),
    Column("title", True),
    Column("place", True),
    Column("category", True),
    Column("sources", False),
    Column("precision", False),
)
COLUMN_KEYS = [c.key for c in COLUMNS]
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)

# Category codes (the index's column) ranked by their labels, for ordering by category.
_LABEL_RANK = np.argsort(np.argsort([c.label.casefold() for c in CATEGORIES], kind="stable"))


def date_text(event: Event) -> str:
    """The event's date as the source gave it, at its precision (ISO; a span with " – ")."""
    return event.start + (f" – {event.end}" if event.end else "")


class EventTableModel(QAbstractTableModel):
    """The events of the view state's window and filter, one row each, in a chosen order.

    Parameters
    ----------
    state
        The shared view state: the window and filter say which rows there are.
    store, index
        The open store and its index (called each time: another store may be opened).
    runner
        Where the filter's query and the orderings by title and place run.
    filter_handed
        True: the filter's rows are handed over through :meth:`show_filter_rows` (by the
        main window, which finds them for the map) and the model asks the store nothing
        for the filter; False: it finds them itself.
    """

    #: The rows for the current window, filter and order are in place.
    filled = Signal()
    #: The rows being made changed from ready to waiting (True) or back (False).
    busyChanged = Signal(bool)
    #: An ordering being made (its column key) is this far (0 to 1).
    sortProgressed = Signal(str, float)

    def __init__(
        self,
        state: ViewState,
        store: Callable[[], EventStore],
        index: Callable[[], EventIndex],
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
        *,
        filter_handed: bool = False,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._handed = filter_handed
        #: Handed over: the filter's rows for the current filter are still to come.
        self._waiting = False
        self._store = store
        self._index = index
        self._runner = runner or background_runner()
        #: Index rows of the events shown, in the table's order.
        self._rows = np.empty(0, np.int64)
        self._ids = np.empty(0, np.int64)
        self._pages: OrderedDict[int, dict[int, tuple[Event, tuple[str, ...]]]] = OrderedDict()
        self._last_page = -1
        self._last_rows: dict[int, tuple[Event, tuple[str, ...]]] = {}
        self._sort = ("date", Qt.SortOrder.AscendingOrder)
        #: Which events the filter lets through, as a mask over index rows (None: all).
        self._mask: np.ndarray | None = None
        self._mask_filter: Filter | None = Filter()
        #: The index the mask is of (None: any, the mask being None).
        self._mask_index: EventIndex | None = None
        #: Per column key: each index row's rank in that order, and the rows in it.
        self._ranks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._tasks: dict[str, Task] = {}
        # Raised whenever the store or its index is replaced: older answers are dropped.
        self._generation = 0
        self._active = True
        self._stale = False
        self._by_id: np.ndarray | None = None
        #: The index the id lookup below was made for, and the lookup (see _id_lookup).
        self._lookup: tuple[EventIndex, tuple[np.ndarray, np.ndarray]] | None = None
        state.windowChanged.connect(self._on_window_changed)
        state.filterChanged.connect(self._on_filter_changed)
        state.eventsChanged.connect(self._on_events_changed)
        self._on_filter_changed(state.filter)

    # -- what the view asks ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headings()[section]
        return None

    def headings(self) -> list[str]:
        """The columns' headings, in the user's language."""
        return [
            self.tr("Date"),
            self.tr("Title"),
            self.tr("Place"),
            self.tr("Category"),
            self.tr("Sources"),
            self.tr("Precision"),
        ]

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        # Called some seven times per cell and paint (once per role the delegate asks):
        # the roles the table answers are told apart first, as plain numbers.
        if role != _DISPLAY and role != _FOREGROUND and role != _TOOLTIP:
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        found = self._row(row)
        if found is None:
            return None
        event, cells = found
        column = index.column()
        if role == _DISPLAY:
            return cells[column]
        key = COLUMN_KEYS[column]
        if role == _FOREGROUND:
            if key == "place" and not self._placed(event):
                return Qt.GlobalColor.gray
            return None
        full = event.display_date or event.start if key == "date" else cells[column]
        return plain_tooltip(cell_text(full)) if full else None

    def cell(self, event: Event, key: str) -> str:
        """The text of ``event``'s cell in column ``key``, safe for one line."""
        if key == "date":
            return cell_text(date_text(event))
        if key == "title":
            return cell_text(event.title)
        if key == "place":
            if not self._placed(event):
                name = event.place.name if event.place is not None else ""
                none = self.tr("timeline only")
                return cell_text(f"{name} ({none})" if name else none)
            country = f", {event.place.country}" if event.place.country else ""
            return cell_text(event.place.name + country)
        if key == "category":
            return cell_text(category(event.category).label)
        if key == "sources":
            return cell_text("; ".join(event.sources))
        return cell_text(str(event.precision))

    @staticmethod
    def _placed(event: Event) -> bool:
        place = event.place
        return place is not None and place.lat is not None and place.lon is not None

    def event_at(self, row: int) -> Event | None:
        """The event of ``row``, read with the rest of its page when not kept."""
        found = self._row(row)
        return None if found is None else found[0]

    def _row(self, row: int) -> tuple[Event, tuple[str, ...]] | None:
        """The event of ``row`` and its cells' texts, made once per page of rows: a paint
        asks for each cell several times."""
        page = row // PAGE_ROWS
        if page == self._last_page:
            # The common case in a paint: the same page as the cell before.
            return self._last_rows.get(int(self._ids[row]))
        found = self._pages.get(page)
        if found is None:
            ids = self._ids[page * PAGE_ROWS : (page + 1) * PAGE_ROWS].tolist()
            found = {
                e.id: (e, tuple(self.cell(e, key) for key in COLUMN_KEYS))
                for e in self._store().events(ids)
            }
            self._pages[page] = found
            if len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        self._last_page, self._last_rows = page, found
        return found.get(int(self._ids[row]))

    @property
    def ids(self) -> np.ndarray:
        """The ids of the events shown, in the table's order (read-only)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    def rows_of(self, ids) -> np.ndarray:
        """The table rows of the events ``ids`` (in their order; those not shown left out)."""
        wanted = np.asarray(list(ids), np.int64)
        if not len(wanted) or not len(self._ids):
            return np.empty(0, np.int64)
        if self._by_id is None:
            self._by_id = np.argsort(self._ids, kind="stable")
        ordered = self._ids[self._by_id]
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        found = ordered[at] == wanted
        return self._by_id[at[found]]

    @property
    def sort_order(self) -> tuple[str, Qt.SortOrder]:
        """The column key the rows are ordered by, and which way."""
        return self._sort

    @property
    def busy(self) -> bool:
        """True while the filter's events or an ordering are still being found."""
        return bool(self._tasks) or self._waiting

    @property
    def sorting(self) -> str | None:
        """The column key of the ordering being made, if any (the rows keep their
        order meanwhile)."""
        key, _order = self._sort
        return key if key in self._tasks else None

    # -- what changes the rows ---------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].key
        if not COLUMNS[column].sortable:
            return
        self._sort = (key, order)
        if key in ("title", "place") and key not in self._ranks:
            # Unless already being found (a second click, for the other direction):
            # the answer, when it comes, is ordered the way asked last.
            if key not in self._tasks:
                self._find_rank(key)
            return
        self._refill()

    def set_active(self, active: bool) -> None:
        """Follow the view state only while shown (``active``); catch up when shown again."""
        self._active = active
        if active and self._mask_filter != self._state.filter:
            # The filter changed while hidden: its events are found now.
            self._on_filter_changed(self._state.filter)
        elif active and self._stale:
            self._refill()

    def _on_window_changed(self, _window) -> None:
        self._refill()

    def _on_filter_changed(self, flt: Filter) -> None:
        if self._handed:
            # The rows come through show_filter_rows (at once for categories alone).
            known = self._mask_filter == flt and self._mask_index is self._index()
            self._set_waiting(not known and not flt.is_empty)
            if flt.is_empty:
                self._mask, self._mask_filter, self._mask_index = None, flt, self._index()
            self._refill()
            return
        if not self._active:
            # Hidden: no query for a table nobody sees (set_active catches up).
            self._drop_task("filter")
            self._stale = True
            return
        if flt.is_empty:
            self._drop_task("filter")
            self._mask, self._mask_filter = None, flt
            self._refill()
            return
        index = self._index()
        path = self._store().path
        sorted_ids, id_order = self._id_lookup(index)
        # One word or phrase alone is found from the text indexes (no pass over every
        # event); with several terms that can cost more than the pass, so SQL decides.
        by_text = replace(flt, text="").is_empty and len(text_terms(flt.text)) == 1

        def work(control) -> np.ndarray:
            with EventStore(path, read_only=True) as store:
                ids = store.text_ids(flt.text) if by_text else store.matching_ids(flt)
            control.check()
            return _mask_of(ids, sorted_ids, id_order, len(index))

        self._start("filter", work, lambda mask: self._set_mask(flt, index, mask))

    def show_filter_rows(self, flt: Filter, index: EventIndex, rows: np.ndarray | None) -> None:
        """Show the rows of ``index`` that ``flt`` lets through: ``rows`` is a mask over
        them (None: every row), found by the one who hands it over. An answer for
        another filter than the view state's, or another index than the model's, is
        stale and dropped."""
        if flt != self._state.filter or index is not self._index():
            return
        same = (
            not self._waiting
            and self._mask_filter == flt
            and self._mask_index is index
            and (rows is self._mask or (rows is not None and self._mask is not None
                                        and np.array_equal(rows, self._mask)))
        )  # fmt: skip
        if same:
            return
        self._mask, self._mask_filter, self._mask_index = rows, flt, index
        self._set_waiting(False)
        self._refill()

    def filter_failed(self, flt: Filter) -> None:
        """The rows of ``flt`` could not be found (the store failed under its finder):
        stop waiting for them and keep the rows shown."""
        if flt == self._state.filter:
            self._set_waiting(False)

    def _set_waiting(self, waiting: bool) -> None:
        was_busy = self.busy
        self._waiting = waiting
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)

    def refresh(self) -> None:
        """The store's events changed in place (an edit or its undo): read them again."""
        self._on_events_changed()

    def _on_events_changed(self) -> None:
        self._generation += 1
        for key in list(self._tasks):
            self._drop_task(key)
        self._ranks.clear()
        if not (self._handed and self._mask_index is self._index()):
            # Rows handed over for these very events (before this call) still hold.
            self._mask, self._mask_filter, self._mask_index = None, None, None
        key, _order = self._sort
        if key in ("title", "place"):
            self._find_rank(key)
        self._on_filter_changed(self._state.filter)

    def _set_mask(self, flt: Filter, index: EventIndex, mask: np.ndarray) -> None:
        self._mask, self._mask_filter, self._mask_index = mask, flt, index
        self._refill()

    def _find_rank(self, key: str) -> None:
        arrays = self._index().arrays
        path = self._store().path

        def work(control) -> tuple[np.ndarray, np.ndarray]:
            with EventStore(path, read_only=True) as store:
                if key == "place":
                    order = place_order(store, arrays.place_id)
                else:
                    order = title_order(store, arrays.ids, control.progress, control.check)
            rank = np.empty(len(order), np.int64)
            rank[order] = np.arange(len(order))
            return rank, order

        def done(rank_and_order: tuple[np.ndarray, np.ndarray]) -> None:
            self._ranks[key] = rank_and_order
            self._refill()

        self._start(key, work, done, lambda share: self.sortProgressed.emit(key, float(share)))

    def _id_lookup(self, index: EventIndex) -> tuple[np.ndarray, np.ndarray]:
        """The index's ids sorted, and the index row of each (for binary search by id):
        made once per index, since sorting a million ids takes a while."""
        if self._lookup is None or self._lookup[0] is not index:
            order = np.argsort(index.arrays.ids, kind="stable")
            self._lookup = (index, (index.arrays.ids[order], order))
        return self._lookup[1]

    def _start(
        self,
        name: str,
        work,
        done: Callable[[object], None],
        progressed: Callable[[float], None] | None = None,
    ) -> None:
        self._drop_task(name)
        generation = self._generation
        was_busy = self.busy
        task = Task(work, expected=(StoreError,), parent=self)
        self._tasks[name] = task

        def finished() -> None:
            # Failed or cancelled: no answer came, but the task is over all the same.
            if self._tasks.get(name) is task:
                del self._tasks[name]
                if not self.busy:
                    self.busyChanged.emit(False)

        def succeeded(result: np.ndarray) -> None:
            if self._tasks.get(name) is not task or generation != self._generation:
                return
            del self._tasks[name]
            done(result)
            if not self.busy:
                self.busyChanged.emit(False)

        if progressed is not None:
            task.progressed.connect(
                lambda share: self._tasks.get(name) is task
                and generation == self._generation
                and progressed(share)
            )
        task.succeeded.connect(succeeded)
        task.finished.connect(finished)
        task.failed.connect(lambda exc: self._on_failed(name, exc))
        if not was_busy:
            self.busyChanged.emit(True)
        self._runner.start(task)

    def _on_failed(self, name: str, exc: BaseException) -> None:
        # The store is ours and was readable a moment ago: keep what is shown.
        if name == "filter":
            self._mask = None
        self._refill()

    def _drop_task(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()
            if not self.busy:
                self.busyChanged.emit(False)

    def _refill(self) -> None:
        if not self._active:
            self._stale = True
            return
        self._stale = False
        if "filter" in self._tasks or self._waiting:
            # The rows come when the filter's events are known: never a flash of all.
            return
        key, order = self._sort
        if key in self._tasks:
            return
        index = self._index()
        rows = index.rows_in(self._state.window)
        if self._mask is not None and self._mask_index is index:
            rows = rows[self._mask[rows]]
        rows = self._ordered(index, rows, key, order)
        self.beginResetModel()
        self._rows = rows
        self._ids = index.arrays.ids[rows]
        self._pages.clear()
        self._last_page, self._last_rows = -1, {}
        self._by_id = None
        self.endResetModel()
        self.filled.emit()

    def _ordered(
        self, index: EventIndex, rows: np.ndarray, key: str, order: Qt.SortOrder
    ) -> np.ndarray:
        descending = order == Qt.SortOrder.DescendingOrder
        if key == "date":
            # The index's rows are in order of start already.
            return rows[::-1].copy() if descending else rows
        if key == "category":
            # Codes are palette indexes (unknown keys are "Other"), ranked by label here.
            ranks = _LABEL_RANK[index.arrays.category[rows]]
            # Stable, so each category keeps its events in order of start.
            return rows[np.argsort(-ranks if descending else ranks, kind="stable")]
        rank, order = self._ranks[key]
        if len(rows) * 8 >= len(order):
            # Most rows (a long window): a pass over the order beats sorting them.
            keep = np.zeros(len(order), bool)
            keep[rows] = True
            ordered = order[keep[order]]
        else:
            ordered = rows[np.argsort(rank[rows])]
        return ordered[::-1].copy() if descending else ordered


def _rows_of(ids: np.ndarray, sorted_ids: np.ndarray, id_order: np.ndarray) -> np.ndarray:
    """The index rows of ``ids`` (in their order), leaving out ids the index lacks."""
    if not len(sorted_ids):
        return np.empty(0, np.int64)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return id_order[at[sorted_ids[at] == ids]]


def _mask_of(ids: np.ndarray, sorted_ids: np.ndarray, id_order: np.ndarray, n: int) -> np.ndarray:
    mask = np.zeros(n, bool)
    mask[_rows_of(ids, sorted_ids, id_order)] = True
    return mask
