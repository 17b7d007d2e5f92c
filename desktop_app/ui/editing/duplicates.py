"""DuplicatesDialog: the pairs of events that are probably one, to merge or tell apart."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.duplicates import ProbableDuplicate
from desktop_app.core.event import Event
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui.tasks import Task, TaskControl, background_runner
from desktop_app.ui.words import plain_tooltip


def find_pairs(path: Path, control: TaskControl) -> tuple[list[ProbableDuplicate], int]:
    """The work of a task: the store's best probable duplicates (see
    :data:`LISTED_PAIRS`) and how many there are, on a connection of its own."""
    with EventStore(path, read_only=True) as store:
        control.check()
        return store.best_duplicates(LISTED_PAIRS)


#: The most pairs the review lists, best first: a dense dataset (templated reports of
#: one front line) can pair millions, and the best are what a review gets through.
LISTED_PAIRS = 1000


class DuplicatesDialog(QDialog):
    """Lists the probable duplicates of the store, best first, and shows the two events
    of the chosen pair side by side; the user merges them (into either one, undoably,
    through the Edit menu's merge) or marks them as two events, which the finder then
    leaves out.

    Parameters
    ----------
    store
        Returns the store open now.
    merge
        Merges the second id into the first, undoably.
    show
        Selects the events of a pair in the window.
    busy
        Why the store takes no change now (one line), or None when it does: the window's
        :meth:`~desktop_app.ui.main_window.MainWindow.why_busy`.
    """

    #: The pairs were found (their number), or could not be (-1).
    searched = Signal(int)

    def __init__(
        self,
        store: Callable[[], EventStore],
        merge: Callable[[int, int], None],
        show: Callable[[list[int]], None],
        busy: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DuplicatesDialog")
        self.setWindowTitle(self.tr("Probable duplicates"))
        self.resize(900, 560)
        self._store = store
        self._merge = merge
        self._show = show
        self._busy = busy
        self.pairs: list[ProbableDuplicate] = []
        #: How many pairs there are (the list holds the best of them).
        self.total = 0
        self._task: Task | None = None
        self.status = QLabel(self.tr("Looking for events told twice…"))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Probable duplicates"))
        self.list.currentRowChanged.connect(self._on_pair_chosen)
        self.sides = [QTextBrowser(), QTextBrowser()]
        for side in self.sides:
            side.setOpenLinks(False)
        sides = QHBoxLayout()
        for side in self.sides:
            sides.addWidget(side)
        self.keep_first = QPushButton(self.tr("Merge into the &left one"))
        self.keep_second = QPushButton(self.tr("Merge into the &right one"))
        self.distinct = QPushButton(self.tr("&Not the same event"))
        self.show_pair = QPushButton(self.tr("&Show on the map"))
        for button, tip in (
            (self.keep_first, self.tr("Keep the left event, with the other's outlets and "
                                      "excerpt added; Edit ▸ Undo takes it back")),
            (self.keep_second, self.tr("Keep the right event, with the other's outlets and "
                                       "excerpt added; Edit ▸ Undo takes it back")),
            (self.distinct, self.tr("Two different events: the pair is not offered again")),
            (self.show_pair, self.tr("Select both events in the window")),
        ):  # fmt: skip
            button.setToolTip(tip)
        self.keep_first.clicked.connect(partial(self._merge_chosen, first=True))
        self.keep_second.clicked.connect(partial(self._merge_chosen, first=False))
        self.distinct.clicked.connect(self._mark_distinct)
        self.show_pair.clicked.connect(self._show_chosen)
        actions = QHBoxLayout()
        for button in (self.keep_first, self.keep_second, self.distinct, self.show_pair):
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addLayout(sides, 2)
        layout.addLayout(actions)
        layout.addWidget(close)
        self._enable(False)

    def search(self) -> None:
        """Look for the pairs again, in a worker (a large store takes seconds)."""
        if self._task is not None:
            self._task.cancel()
        self.status.setText(self.tr("Looking for events told twice…"))
        task = Task(partial(find_pairs, self._store().path), expected=(StoreError,))
        task.succeeded.connect(self._on_found)
        task.failed.connect(self._on_failed)
        self._task = task
        background_runner().start(task)

    def _on_found(self, found: tuple[list[ProbableDuplicate], int]) -> None:
        self._task = None
        pairs, total = found
        self.pairs = pairs
        self.total = total
        self.list.clear()
        events = {e.id: e for e in self._store().events(
            sorted({i for p in pairs for i in (p.first, p.second)}))}  # fmt: skip
        for pair in pairs:
            one, other = events.get(pair.first), events.get(pair.second)
            if one is None or other is None:
                continue
            text = f"{pair.score:.0f}  {one.start}  {one.title}  ⟷  {other.title}"
            item = QListWidgetItem(text)
            item.setToolTip(plain_tooltip(f"{one.title}\n{other.title}"))
            item.setData(Qt.ItemDataRole.UserRole, (pair.first, pair.second))
            self.list.addItem(item)
        if total > len(pairs):
            self.status.setText(
                self.tr("%1 pairs of events are probably one: the best %2 are listed.")
                .replace("%1", f"{total:,}")
                .replace("%2", f"{len(pairs):,}")
            )
            self.list.setCurrentRow(0)
        elif pairs:
            # Without a translation Qt leaves plurals alone: English needs the singular apart.
            self.status.setText(
                self.tr("1 pair of events is probably one.")
                if len(pairs) == 1
                else self.tr("%n pairs of events are probably one, best first.", "", len(pairs))
            )
            self.list.setCurrentRow(0)
        else:
            self.status.setText(self.tr("No events look told twice."))
            for side in self.sides:
                side.clear()
            self._enable(False)
        self.searched.emit(total)

    def _on_failed(self, exc: Exception) -> None:
        self._task = None
        self.status.setText(str(exc))
        self.searched.emit(-1)

    def _enable(self, on: bool) -> None:
        writable = not self._store().read_only
        for button in (self.keep_first, self.keep_second, self.distinct):
            button.setEnabled(on and writable)
        self.show_pair.setEnabled(on)

    def chosen(self) -> tuple[int, int] | None:
        """The ids of the pair chosen in the list."""
        item = self.list.currentItem()
        return None if item is None else tuple(item.data(Qt.ItemDataRole.UserRole))

    def _on_pair_chosen(self, _row: int) -> None:
        pair = self.chosen()
        if pair is None:
            self._enable(False)
            return
        events = {e.id: e for e in self._store().events(list(pair))}
        for side, event_id in zip(self.sides, pair, strict=True):
            side.setHtml(self._event_html(events[event_id]))
        self._enable(True)

    def _event_html(self, event: Event) -> str:
        # Text from files and the web: every piece escaped.
        tr = self.tr
        where = event.place.name if event.place else tr("no place")
        parts = [
            f"<h4>{escape(event.title)}</h4>",
            f"<p>#{event.id} · {escape(event.display_date or event.start)} · {escape(where)}</p>",
        ]
        if event.excerpt:
            parts.append(f"<p><i>{escape(event.excerpt)}</i></p>")
        if event.sources:
            outlets = ", ".join(event.sources)
            parts.append(f"<p>{escape(tr('Cited outlets'))}: {escape(outlets)}</p>")
        if event.article:
            parts.append(f"<p>{escape(tr('Article'))}: {escape(event.article.title)}</p>")
        return "".join(parts)

    def _refused(self) -> bool:
        """The store takes no change now: the dialog says why (the window's status bar
        is out of sight behind it) instead of waiting for the store's write lock."""
        why = self._busy()
        if why is not None:
            self.status.setText(why)
        return why is not None

    def _merge_chosen(self, first: bool) -> None:
        pair = self.chosen()
        if pair is None or self._refused():
            return
        keep, other = pair if first else (pair[1], pair[0])
        self._merge(keep, other)
        self.search()

    def _mark_distinct(self) -> None:
        pair = self.chosen()
        if pair is None or self._refused():
            return
        try:
            self._store().mark_distinct(*pair)
        except StoreError as exc:
            self.status.setText(str(exc))
            return
        self.search()

    def _show_chosen(self) -> None:
        pair = self.chosen()
        if pair is not None:
            self._show(list(pair))

    def done(self, result: int) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().done(result)
