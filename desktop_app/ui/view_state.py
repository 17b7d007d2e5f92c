"""ViewState: what the user is looking at, shared by every view.

Views never call each other. The timeline changes the window, the map changes the
selection; each view listens here and redraws from what it hears.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_app.core.filter import Filter, text_terms
from desktop_app.core.window import TimeWindow


class ViewState(QObject):
    """The time window, the filter, the selected events and the one event being read.

    ``selection`` is every event under the last click (several at one place);
    ``current`` is the one among them the excerpt panel shows. ``filter`` says which
    events every view shows, besides the window (the empty filter: all of them).
    """

    windowChanged = Signal(object)  # TimeWindow
    selectionChanged = Signal(object)  # tuple[int, ...]
    currentChanged = Signal(object)  # int | None
    eventsChanged = Signal()  # the store's events were replaced or added to
    windowRevealRequested = Signal()  # show the whole window (it moved far, or anew)
    filterChanged = Signal(object)  # Filter

    def __init__(self, window: TimeWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._selection: tuple[int, ...] = ()
        self._current: int | None = None
        self._filter = Filter()

    @property
    def window(self) -> TimeWindow:
        return self._window

    @property
    def selection(self) -> tuple[int, ...]:
        return self._selection

    @property
    def current(self) -> int | None:
        return self._current

    @property
    def filter(self) -> Filter:
        return self._filter

    def set_filter(self, flt: Filter) -> None:
        """Show only the events ``flt`` lets through, in every view.

        A text query that cannot be read raises
        :class:`~desktop_app.core.filter.FilterError` and changes nothing, so no view
        ever holds a filter it cannot apply.
        """
        text_terms(flt.text)
        if flt != self._filter:
            self._filter = flt
            self.filterChanged.emit(flt)

    def set_window(self, window: TimeWindow) -> None:
        if window != self._window:
            self._window = window
            self.windowChanged.emit(window)

    def reveal_window(self) -> None:
        """Ask every view that shows time to bring the whole window into view."""
        self.windowRevealRequested.emit()

    def select(self, ids: tuple[int, ...] | list[int]) -> None:
        """Select the events under a click; the first becomes the one being read."""
        ids = tuple(dict.fromkeys(int(i) for i in ids))
        if ids != self._selection:
            self._selection = ids
            self.selectionChanged.emit(ids)
        self.set_current(ids[0] if ids else None)

    def set_current(self, event_id: int | None) -> None:
        if event_id is not None and event_id not in self._selection:
            self._selection = (event_id,)
            self.selectionChanged.emit(self._selection)
        if event_id != self._current:
            self._current = event_id
            self.currentChanged.emit(event_id)
