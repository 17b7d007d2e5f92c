"""MainWindow: the map in the middle, the timeline below, the excerpt panel at the right."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.density import CategoryDensity
from desktop_app.core.filter import Filter, FilterError, text_terms
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.geo.mbtiles import MBTiles, MBTilesError
from desktop_app.lazy import on_first_use
from desktop_app.mapgen.page import DEFAULT_CENTER, MARK_STYLES, ONLINE_LAYERS
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.errors import IndexingPending
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui import settings as opt
from desktop_app.ui.editing.actions import BIG_STORE, EditActions
from desktop_app.ui.editing.history_text import history_lines
from desktop_app.ui.export.actions import ExportActions
from desktop_app.ui.heap import return_freed_memory
from desktop_app.ui.importing.commands import ImportCommands
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.view import MapView, category_mask
from desktop_app.ui.opening import (
    OpenedEvents,
    dataset_coded,
    find_place_names,
    prepare_timeline,
    read_events,
)
from desktop_app.ui.panels.excerpt import ExcerptPanel
from desktop_app.ui.panels.filters import FilterChips, FilterPanel
from desktop_app.ui.panels.notice import NoticeBar
from desktop_app.ui.panels.shortcuts import ShortcutsDialog
from desktop_app.ui.panels.table import EventTablePanel
from desktop_app.ui.settings import Settings
from desktop_app.ui.tasks import Task, TaskControl, background_runner
from desktop_app.ui.timeline.bar import TimelinePanel
from desktop_app.ui.timeline.keys import TimelineKeys
from desktop_app.ui.timeline.paint import TimelineData
from desktop_app.ui.view_state import ViewState
from desktop_app.ui.views.commands import ViewCommands
from desktop_app.ui.views.dock import ViewsPanel
from desktop_app.ui.views.goto import GoToEventDialog
from desktop_app.ui.views.recent import RecentStoresMenu, remember_store
from desktop_app.ui.words import window_in_words

if TYPE_CHECKING:
    from desktop_app.ui.editing import duplicates
else:
    duplicates = on_first_use("desktop_app.ui.editing.duplicates")

#: How long the timeline waits for the map's first frame of a store's events (ms).
MAP_DRAWN_WAIT_MS = 1500
#: How often the window looks whether the store's background indexing is done (ms).
INDEXING_CHECK_MS = 500
#: How long a passing remark stays in the status bar (ms).
STATUS_MS = 8000
#: The least zoom the map centres on an event at: close enough to tell its place.
CENTRE_ZOOM = 8
#: The event table's height when first shown (pixels).
TABLE_HEIGHT = 300

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The atlas window: three views of one store, joined only by the shared ViewState.

    The window shows at once; the store's events are read in a worker meanwhile (the
    timeline says so) and handed to the views when they arrive (``eventsRead``).

    Parameters
    ----------
    store
        The open event store; the window owns it from now on and closes it on exit.
    """

    #: The store's events were read and every view shows them.
    eventsRead = Signal()
    #: The events of the filter's parts beyond its categories were found (in the
    #: background) and the map, the counts and the timeline were told.
    filterFound = Signal()

    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = Settings()
        self.store = store
        #: Whether the store is busy in the background: its indexes are being made (a
        #: staged import's second stage) or a big change is being saved (``saving``).
        #: Meanwhile changes and imports are refused (see why_busy and _check_indexing).
        self.busy = False
        #: What the edit actions are saving in the background (None: nothing).
        self.saving: str | None = None
        self._making_indexes = False
        #: A filter that needed those indexes waits for them (see _on_matches_failed).
        self._filter_after_indexing = False
        #: The categories of the index's codes: the palette, then the dataset's own.
        self.categories: tuple[Category, ...] = CATEGORIES
        self.index = EventIndex(EventArrays.empty())
        #: Whether the events are being read (the views wait for them).
        self._reading_events = True
        #: The map page's buffer until the map takes it (see _page_buffer).
        self._payload: bytes | None = None
        #: The timeline's view of every event (the filter's is made from it).
        self._all_events = TimelineData.build(self.index)
        #: The reading of the store under way, and which one it is (a later one wins).
        self._reading: Task | None = None
        self._naming: Task | None = None
        #: Reading a big store's events again to show a change (see show_edited).
        self._showing: Task | None = None
        self._reads = 0
        # Read at once: the worker reads the store while the window and its map page
        # are made, so the page's request for the events waits less.
        self._start_reading()
        saved = self._saved_window()
        #: A window the user had is kept; otherwise the events read choose one.
        self._keep_window = saved is not None
        self.state = ViewState(saved or self.index.suggested_window())

        view = self.settings.get(opt.MAP_VIEW)
        center, zoom, remembered = DEFAULT_CENTER, 5, False
        if isinstance(view, list) and len(view) == 3:
            center, zoom, remembered = (float(view[0]), float(view[1])), int(view[2]), True
        #: The map's zoom as it last reported it, for centring on an event.
        self._map_zoom = zoom
        layer = str(self.settings.get(opt.ONLINE_LAYER) or "") or None
        mbtiles, lost_mbtiles = self._remembered_mbtiles()
        self.map_view = MapView(
            self.state,
            self._page_buffer,
            self._describe,
            center=center,
            zoom=zoom,
            online_layer=layer if layer in ONLINE_LAYERS and mbtiles is None else None,
            mbtiles=mbtiles,
            fit_when_ready=not remembered,
            # Found in the background for the window (see _find_matches): the map is
            # told when they are known.
            matching=self._found_ids,
            names_later=True,
            categories=self.categories,
        )
        self.notice = NoticeBar()
        self.chips = FilterChips(self.state)
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice)
        column.addWidget(self.chips)
        column.addWidget(self.map_view, 1)
        self.setCentralWidget(centre)

        self.timeline = TimelinePanel(
            self.state, self.index, titles=lambda ids: [d["title"] for d in self._describe(ids)]
        )
        self.state.reveal_window()
        self.timeline_dock = self._dock(
            self.timeline,
            self.tr("Timeline"),
            "TimelineDock",
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        # Through self.store, so the panel follows when another store is opened.
        self.panel = ExcerptPanel(
            self.state,
            lambda ids: self.store.events(ids),
            history=lambda event_id: history_lines(self.store.history(event_id)),
            article_text=lambda uid: self.store.article_text(uid),
        )
        self.panel_dock = self._dock(
            self.panel, self.tr("Excerpt"), "ExcerptDock", Qt.DockWidgetArea.RightDockWidgetArea
        )
        # Through self.store and self.index, so the table follows when another store opens.
        # The filter's rows are the ones found for the map (see _on_filter_changed).
        self.table = EventTablePanel(
            self.state, lambda: self.store, lambda: self.index, filter_handed=True
        )
        self.table_dock = self._dock(
            self.table,
            self.tr("Event table"),
            "EventTableDock",
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.splitDockWidget(self.timeline_dock, self.table_dock, Qt.Orientation.Vertical)
        # Shown from View ▸ Event table; the saved layout brings it back as it was.
        self.table_dock.hide()
        self._table_sized = False
        self.table_dock.visibilityChanged.connect(self._on_table_shown)
        self.table.centreRequested.connect(self.centre_map_on)
        self.table.told.connect(self.notify)
        # Through self.store, so the panel asks the store open now.
        self.filter_panel = FilterPanel(self.state, lambda: self.store.path)
        self.filter_dock = self._dock(
            self.filter_panel,
            self.tr("Filters"),
            "FilterDock",
            Qt.DockWidgetArea.LeftDockWidgetArea,
        )
        # The legend's checklist and the chips filter without it: the map keeps its room
        # until View ▸ Filters asks for the panel (the saved layout then keeps it).
        self.filter_dock.hide()
        self.views = ViewCommands(self)
        self.views_panel = ViewsPanel(self.views)
        self.views_dock = self._dock(
            self.views_panel,
            self.tr("Saved views"),
            "ViewsDock",
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        # Out of the way until asked for (Views ▸ Saved views panel); the layout then keeps it.
        self.views_dock.hide()
        self.status = QLabel()
        # No stretch: the bar's left part must stay free for its messages.
        self.statusBar().addPermanentWidget(self.status)
        self.indexing_note = QLabel(self.tr("Indexing…"))
        self.indexing_note.setObjectName("IndexingNote")
        self.indexing_note.setToolTip(
            self.tr(
                "The store's indexes are being made: text search, cited outlets and "
                "duplicates are slower until then, and changes and imports wait for them"
            )
        )
        self.indexing_note.hide()
        self.statusBar().addPermanentWidget(self.indexing_note)
        self._indexing_check = QTimer(self)
        self._indexing_check.setInterval(INDEXING_CHECK_MS)
        self._indexing_check.timeout.connect(self._check_indexing)

        self._build_menus()
        # The timeline's stepping and playing keys also work while the map has the focus.
        self._timeline_keys = TimelineKeys(self.timeline.timeline, self)
        (self.map_view.focusProxy() or self.map_view).installEventFilter(self._timeline_keys)
        #: The index rows the filter lets through (None: every row), for the counts.
        self._filter_rows: np.ndarray | None = None
        #: The timeline's density of the filter's rows (None: every event's).
        self._filter_density: CategoryDensity | None = None
        #: The filter less its categories, the ids it lets through and their index rows.
        self._rest_rows: tuple[Filter, np.ndarray, np.ndarray] | None = None
        #: The density of those rows, once made (the timeline's bars of that filter).
        self._rest_density: tuple[Filter, CategoryDensity] | None = None
        #: The searches under way for the rest of the filter: ids, then their density.
        self._matching: Task | None = None
        self._matching_rest: Filter | None = None
        self._densifying: Task | None = None
        #: Raised with every search and change of events: an older answer is dropped.
        self._searches = 0
        self.state.windowChanged.connect(self._on_window_changed)
        self.state.filterChanged.connect(self._on_filter_changed)
        self.state.eventsChanged.connect(self._on_events_changed)
        self.map_view.viewMoved.connect(self._on_map_moved)
        self.map_view.tilesUnavailable.connect(self._on_tiles_unavailable)
        self.map_view.pageFailed.connect(self._on_page_failed)
        # Handing a big buffer to the page frees as much as the reading did.
        self.map_view.pageReady.connect(return_freed_memory)
        self.map_view.pageRestarted.connect(self._on_page_restarted)
        self._on_window_changed(self.state.window)
        self._restore_layout()
        remember_store(self.settings, self.store.path)
        self._tell_if_read_only()
        self._check_indexing()
        self._say_loading(None)
        if lost_mbtiles:
            self.statusBar().showMessage(
                self.tr(
                    "The base layer file %1 is no longer available; showing the offline outlines."
                ).replace("%1", lost_mbtiles),
                STATUS_MS,
            )

    # -- set-up ------------------------------------------------------------------------------

    def _tell_if_read_only(self) -> None:
        self.setWindowTitle(self.tr("%1 – Event Atlas").replace("%1", self.store.path.name))
        if self.store.read_only:
            self.notify(
                self.tr(
                    "%1 is on a medium that cannot be written: it is open for viewing only."
                ).replace("%1", str(self.store.path))
            )

    def set_saving(self, what: str | None) -> None:
        """Say that a change is being saved in the background (``what`` tells which;
        None: it is saved): meanwhile the window is busy as while indexing."""
        self.saving = what
        self._check_indexing()

    def why_busy(self) -> str | None:
        """Why no change or import can be saved now, in one line, or None when one can:
        the store's indexes are being made, or a big change is being saved, and either
        holds the store's write lock (a write would freeze the window waiting for it)."""
        if not self.busy:
            return None
        if self.saving is not None:
            return self.tr("A change is being saved: try again when it is done.")
        return self.tr("The store is being indexed: changes can be saved when it is done.")

    def _check_indexing(self) -> None:
        """Follow a staged import's second stage, which the store runs in a thread of
        its own when it opens, and a big change being saved: while either runs, what
        writes to the store is refused (the actions are off and the status bar says why)
        instead of freezing the window on the store's write lock."""
        store = self.store
        try:
            indexing = not store.read_only and store.indexing_pending
        except StoreError:
            indexing = False
        busy = indexing or self.saving is not None
        self._making_indexes = self._making_indexes or indexing
        self.indexing_note.setText(self.saving or self.tr("Indexing…"))
        if busy == self.busy:
            if indexing and not self._indexing_check.isActive():
                self._indexing_check.start()
            return
        self.busy = busy
        self.indexing_note.setVisible(busy)
        self.duplicates_action.setEnabled(not busy)
        self.edits.update_actions()
        self.imports.update_actions()
        if busy:
            if indexing:
                self._indexing_check.start()
            return
        self._indexing_check.stop()
        if self.edits.outlets_dialog is not None:
            self.edits.outlets_dialog.reload()
        if self._filter_after_indexing:
            self._filter_after_indexing = False
            self._on_filter_changed(self.state.filter)
        if self._making_indexes:
            self._making_indexes = False
            self.statusBar().showMessage(
                self.tr("Indexing done: text search, cited outlets and duplicates are ready."),
                STATUS_MS,
            )

    def _describe(self, ids: list[int]) -> list[dict]:
        return describe_events(self.store)(ids)

    def _remembered_mbtiles(self) -> tuple[MBTiles | None, str]:
        """The MBTiles file chosen last time, or the name of one that is gone or broken."""
        saved = str(self.settings.get(opt.MBTILES_FILE) or "")
        if not saved:
            return None, ""
        try:
            return MBTiles.open(saved), ""
        except MBTilesError:
            # Forget it: the menu then says what the map shows, the offline outlines.
            self.settings.set(opt.MBTILES_FILE, "")
            return None, Path(saved).name

    def _saved_window(self) -> TimeWindow | None:
        saved = self.settings.get(opt.TIME_WINDOW)
        if isinstance(saved, list) and len(saved) == 2:
            try:
                return TimeWindow(float(saved[0]), float(saved[1]))
            except ValueError:
                pass
        return None

    def _dock(self, widget, title: str, name: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        self.open_action = self._action(
            self.tr("&Open store…"),
            self.open_store_dialog,
            QKeySequence.StandardKey.Open,
            self.tr("Open another Event Atlas store"),
        )
        file_menu.addAction(self.open_action)
        self.recent_stores = RecentStoresMenu(self.settings, self.open_store, self)
        file_menu.addMenu(self.recent_stores.menu)
        self.imports = ImportCommands(self)
        file_menu.addAction(self.imports.import_action)
        file_menu.addAction(self.imports.paste_action)
        file_menu.addSeparator()
        self._export_actions = ExportActions(self)
        for action in self._export_actions.actions():
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(
            # Spelled out: some platforms (and the offscreen one) define no standard key.
            self._action(self.tr("&Quit"), self.close, QKeySequence(self.tr("Ctrl+Q")))
        )

        edit_menu = menu.addMenu(self.tr("&Edit"))
        self.edits = EditActions(self)
        for action in self.edits.actions():
            if action is None:
                edit_menu.addSeparator()
            else:
                edit_menu.addAction(action)
        self.panel.editRequested.connect(lambda _id: self.edits.edit_current())

        view_menu = menu.addMenu(self.tr("&View"))
        view_menu.addAction(self.timeline_dock.toggleViewAction())
        view_menu.addAction(self.panel_dock.toggleViewAction())
        table_action = self.table_dock.toggleViewAction()
        table_action.setShortcut(QKeySequence(self.tr("Ctrl+T")))
        table_action.setStatusTip(self.tr("List every event of the window and the filter"))
        view_menu.addAction(table_action)
        filters = self.filter_dock.toggleViewAction()
        filters.setText(self.tr("&Filters"))
        filters.setShortcut(QKeySequence(self.tr("Ctrl+Shift+F")))
        filters.setStatusTip(self.tr("Show or hide the filter panel"))
        filters.triggered.connect(self._on_filters_shown)
        view_menu.addAction(filters)
        self.area_action = QAction(self.tr("Choose an &area on the map"), self, checkable=True)
        self.area_action.setShortcut(QKeySequence(self.tr("Ctrl+Shift+A")))
        self.area_action.setStatusTip(
            self.tr("Drag a rectangle on the map to show only its events (Shift+drag always does)")
        )
        self.area_action.toggled.connect(self.map_view.set_area_mode)
        self.map_view.areaModeChanged.connect(self.area_action.setChecked)
        self.filter_panel.area_button.setDefaultAction(self.area_action)
        view_menu.addAction(self.area_action)
        self.polygon_action = QAction(self.tr("Select an area by &polygon"), self, checkable=True)
        self.polygon_action.setShortcut(QKeySequence(self.tr("Ctrl+Shift+P")))
        self.polygon_action.setStatusTip(
            self.tr("Click the corners of an area on the map; double-click or click the first "
                    "corner to close it, Esc to give up")
        )  # fmt: skip
        self.polygon_action.toggled.connect(self.map_view.set_polygon_mode)
        self.map_view.polygonModeChanged.connect(self.polygon_action.setChecked)
        self.filter_panel.polygon_button.setDefaultAction(self.polygon_action)
        view_menu.addAction(self.polygon_action)
        view_menu.addSeparator()
        self.fit_action = self._action(
            self.tr("Fit map to &events"),
            self.fit_map_to_events,
            QKeySequence(self.tr("Ctrl+0")),
            self.tr("Show every event of the time window and the filter on the map"),
        )
        view_menu.addAction(self.fit_action)
        self.go_to_action = self._action(
            self.tr("&Go to event…"),
            self.go_to_event_dialog,
            QKeySequence(self.tr("Ctrl+G")),
            self.tr("Find an event by its id or words and show it"),
        )
        view_menu.addAction(self.go_to_action)
        view_menu.addSeparator()
        fade = QAction(self.tr("&Fade older events"), self, checkable=True)
        fade.setChecked(bool(self.settings.get(opt.FADE_BY_AGE)))
        fade.toggled.connect(self._on_fade_toggled)
        view_menu.addAction(fade)
        self._on_fade_toggled(fade.isChecked())
        self._add_mark_styles(view_menu.addMenu(self.tr("&Marks")))
        self.halos_action = QAction(self.tr("Show place &uncertainty"), self, checkable=True)
        self.halos_action.setStatusTip(
            self.tr("Draw a shaded ring of the ground each roughly known place may cover")
        )
        self.halos_action.setChecked(bool(self.settings.get(opt.PLACE_UNCERTAINTY)))
        self.halos_action.toggled.connect(self._on_halos_toggled)
        view_menu.addAction(self.halos_action)
        self._on_halos_toggled(self.halos_action.isChecked())
        layers_menu = view_menu.addMenu(self.tr("&Base layer"))
        group = QActionGroup(self)
        names = {
            "": self.tr("Offline outlines only"),
            "osm": self.tr("OpenStreetMap (online)"),
            "imagery": self.tr("Esri World Imagery (online)"),
        }
        local = self.map_view.mbtiles is not None
        self._layer_actions: dict[str, QAction] = {}
        for key, name in names.items():
            action = QAction(name, self, checkable=True)
            action.setChecked(not local and key == (self.map_view.online_layer or ""))
            action.triggered.connect(lambda _checked, k=key: self._on_layer_chosen(k))
            group.addAction(action)
            layers_menu.addAction(action)
            self._layer_actions[key] = action
        layers_menu.addSeparator()
        self.mbtiles_action = QAction(self.tr("Local &MBTiles file…"), self, checkable=True)
        self.mbtiles_action.setStatusTip(
            self.tr("Show the tiles of a local MBTiles file beneath the events")
        )
        self.mbtiles_action.setChecked(local)
        self.mbtiles_action.triggered.connect(self.choose_mbtiles_dialog)
        group.addAction(self.mbtiles_action)
        layers_menu.addAction(self.mbtiles_action)

        dock_action = self.views_dock.toggleViewAction()
        dock_action.setText(self.tr("Saved views &panel"))
        menu.addMenu(self.views.build_menu(dock_action))

        tools_menu = menu.addMenu(self.tr("&Tools"))
        self.duplicates_action = self._action(
            self.tr("Find &duplicates…"),
            self.find_duplicates,
            QKeySequence(self.tr("Ctrl+Shift+D")),
            self.tr("Events close in time and place whose words are alike, to merge"),
        )
        tools_menu.addAction(self.duplicates_action)
        tools_menu.addAction(self.edits.outlets_action)
        tools_menu.addAction(self.imports.preferences_action)

        help_menu = menu.addMenu(self.tr("&Help"))
        help_menu.addAction(
            self._action(
                self.tr("&Keyboard shortcuts"),
                self.show_shortcuts,
                QKeySequence(self.tr("F1")),
                self.tr("Every shortcut of the window and the timeline"),
            )
        )
        help_menu.addAction(self._action(self.tr("&About Event Atlas"), self.show_about))

    def _restore_layout(self) -> None:
        geometry = self.settings.get(opt.GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        dock_state = self.settings.get(opt.DOCK_STATE)
        if isinstance(dock_state, QByteArray) and not dock_state.isEmpty():
            self.restoreState(dock_state)
        else:
            self.resizeDocks(
                [self.panel_dock, self.filter_dock], [360, 290], Qt.Orientation.Horizontal
            )
            self.resizeDocks([self.timeline_dock], [190], Qt.Orientation.Vertical)
        # A saved layout holds the table's size already.
        self._table_sized = isinstance(dock_state, QByteArray) and not dock_state.isEmpty()

    def _on_table_shown(self, visible: bool) -> None:
        if visible and not self._table_sized:
            # Shown for the first time: room for a screenful of rows, not a sliver.
            self._table_sized = True
            self.resizeDocks([self.table_dock], [TABLE_HEIGHT], Qt.Orientation.Vertical)

    # -- reactions ---------------------------------------------------------------------------

    def _on_window_changed(self, window: TimeWindow) -> None:
        if self._reading_events:
            return  # the status bar says the events are being read
        rows = self.index.rows_in(window)
        if self._filter_rows is not None:
            rows = rows[self._filter_rows[rows]]
        shown = len(rows)
        placed = int(np.count_nonzero(~np.isnan(self.index.arrays.lat[rows])))
        counts = self.tr("%1 on the map").replace("%1", f"{placed:,}")
        if shown > placed:
            counts += " · " + self.tr("%1 timeline only").replace("%1", f"{shown - placed:,}")
        self.status.setText(f"{counts} · {window_in_words(window)}")
        self.status.setToolTip(
            self.tr("%1 of the store's %2 events fall in the window")
            .replace("%1", f"{shown:,}")
            .replace("%2", f"{len(self.index):,}")
        )

    def notify(self, message: str, path: Path | None = None) -> None:
        """Say ``message`` in the status bar and keep it above the map until dismissed;
        ``path`` (a file written) gets a button that shows its folder."""
        self.statusBar().showMessage(message, STATUS_MS)
        self.notice.show_notice(message, path)

    def _on_filters_shown(self, shown: bool) -> None:
        if shown:
            self.filter_panel.text.setFocus()

    def _on_filter_changed(self, flt: Filter) -> None:
        # Once per change of filter, so that a scrub step only counts a window's rows. The
        # categories come from the index's codes; the rest from the store, in the
        # background, asked again only when the rest changed (a tick of the legend asks
        # nothing): until its answer comes, every view keeps what it shows.
        rest = replace(flt, categories=frozenset())
        rows = None
        base: CategoryDensity | None = None
        if rest.is_empty and self.is_filtering:
            self._forget_search()
        if not rest.is_empty:
            if self._rest_rows is None or self._rest_rows[0] != rest:
                if self._matching_rest != rest:
                    self._find_matches(rest)
                return
            rows = self._rest_rows[2]
            if self._rest_density is not None and self._rest_density[0] == rest:
                base = self._rest_density[1]
            elif self._densifying is None:
                self._find_density(rest, rows)
        if flt.categories:
            mask = category_mask(flt.categories, self.categories)
            codes = [c for c in range(len(self.categories)) if mask >> c & 1]
            # A lookup by code: one pass over the column, not a comparison per code.
            chosen = np.zeros(256, bool)
            chosen[codes] = True
            in_categories = chosen[self.index.arrays.category]
            rows = in_categories if rows is None else rows & in_categories
            if base is None and rest.is_empty:
                base = self._all_events.density
            if base is not None:
                base = base.only(codes)
        self._filter_rows = rows
        self._filter_density = base
        self._show_filter_on_timeline()
        self._on_window_changed(self.state.window)
        # One search serves the map and the table: it takes these rows, not a query.
        self.table.model.show_filter_rows(flt, self.index, rows)

    def _show_filter_on_timeline(self) -> None:
        """The timeline's bars and marks show the filter's events; playback keeps the span
        of them all, so a filter does not change where it plays."""
        timeline = self.timeline.timeline
        if timeline.all_data.index is not self.index:
            return  # its view of these events is still being made; it shows the filter then
        if self._filter_rows is None:
            timeline.show_rows(None)
        elif self._filter_density is not None:
            timeline.show_rows(self._filter_rows, self._filter_density)
        # Otherwise the density of the rest of the filter is being made: shown when it is.

    def _found_ids(self, rest: Filter) -> np.ndarray | None:
        """The ids ``rest`` lets through, once found (None while being found)."""
        if self._rest_rows is not None and self._rest_rows[0] == rest:
            return self._rest_rows[1]
        return None

    def _find_matches(self, rest: Filter) -> None:
        """Find the events ``rest`` lets through in a worker, on a connection of its own;
        the map, the counts and the timeline follow when they are known."""
        self._forget_search()
        self._matching_rest = rest
        number, index, path = self._searches, self.index, self.store.path
        task = Task(partial(find_matches, path, rest, index), expected=(StoreError, FilterError))
        task.succeeded.connect(lambda found: self._on_matches_found(number, rest, found))
        task.failed.connect(lambda exc: self._on_matches_failed(number, exc))
        self._matching = task
        background_runner().start(task)

    def _forget_search(self) -> None:
        """Drop the searches under way: their answers, if they come, are stale."""
        self._searches += 1
        for task in (self._matching, self._densifying):
            if task is not None:
                task.cancel()
        self._matching = self._densifying = None
        self._matching_rest = None

    def _on_matches_found(self, number: int, rest: Filter, found: tuple) -> None:
        if number != self._searches:
            return  # another filter or other events since: this answer is stale
        self._matching = None
        self._matching_rest = None
        ids, rows = found
        self._rest_rows = (rest, ids, rows)
        self.map_view.matches_found()
        self._on_filter_changed(self.state.filter)
        self.filterFound.emit()

    def _on_matches_failed(self, number: int, exc: Exception) -> None:
        if number != self._searches:
            return
        self._matching = None
        self._matching_rest = None
        self.table.model.filter_failed(self.state.filter)
        if isinstance(exc, IndexingPending) and self.busy:
            # Its words or outlets need the indexes being made: asked again when done.
            self._filter_after_indexing = True
            self.statusBar().showMessage(
                self.tr("The filter applies when the indexing is done."), STATUS_MS
            )
            return
        # ViewState refuses unreadable filters; this is a store that failed under us.
        self.notify(str(exc))

    def _find_density(self, rest: Filter, rows: np.ndarray) -> None:
        """Make the timeline's density of ``rows`` (a sort of their starts and ends) in a
        worker; the timeline shows it when made."""
        number, arrays = self._searches, self.index.arrays
        task = Task(partial(filtered_density, arrays, rows))
        task.succeeded.connect(lambda density: self._on_density_made(number, rest, density))
        task.finished.connect(lambda: self._densifying is task and self._forget_density())
        self._densifying = task
        background_runner().start(task)

    def _forget_density(self) -> None:
        self._densifying = None

    def _on_density_made(self, number: int, rest: Filter, density: CategoryDensity) -> None:
        if number != self._searches:
            return
        self._densifying = None
        self._rest_density = (rest, density)
        self._on_filter_changed(self.state.filter)

    def _forget_matches(self) -> None:
        """The events changed: what the filter found is of older rows."""
        self._forget_search()
        self._rest_rows = self._rest_density = None

    def _on_events_changed(self) -> None:
        self._forget_matches()
        self._on_filter_changed(self.state.filter)

    def centre_map_on(self, event_id: int) -> None:
        """Centre the map on the event ``event_id``, at the map's zoom (or closer)."""
        row = self.index.row_of(event_id)
        if row is None:
            return
        lat, lon = self.index.arrays.lat[row], self.index.arrays.lon[row]
        if np.isnan(lat) or np.isnan(lon):
            self.statusBar().showMessage(
                self.tr("This event has no place: it is on the timeline only."), STATUS_MS
            )
            return
        self._map_zoom = max(self._map_zoom, CENTRE_ZOOM)
        self.map_view.page_api.show_extent(float(lat), float(lon), self._map_zoom)

    def _on_map_moved(self, view: dict) -> None:
        self._map_zoom = int(view["zoom"])
        self.map_view.remember_view(view)
        self.settings.set(opt.MAP_VIEW, [view["lat"], view["lon"], view["zoom"]])

    def _add_mark_styles(self, menu: QMenu) -> None:
        names = {
            "auto": (
                self.tr("&Automatic"),
                self.tr("Grouped marks, or every event a dot when the window is dense"),
            ),
            "groups": (
                self.tr("&Grouped marks"),
                self.tr("Marks in the shape and colour of each category, stacked and clustered"),
            ),
            "dots": (
                self.tr("&Dots, every event"),
                self.tr("Every event its own dot in its category's colour, never grouped"),
            ),
        }
        group = QActionGroup(self)
        chosen = str(self.settings.get(opt.MARK_STYLE))
        self.mark_style_actions: dict[str, QAction] = {}
        for style in MARK_STYLES:
            text, tip = names[style]
            action = QAction(text, self, checkable=True)
            action.setStatusTip(tip)
            action.setChecked(style == chosen)
            action.triggered.connect(lambda _on=False, style=style: self.set_mark_style(style))
            group.addAction(action)
            menu.addAction(action)
            self.mark_style_actions[style] = action
        self.map_view.set_mark_style(chosen)

    def set_mark_style(self, style: str) -> None:
        """Draw the map's events as ``style`` (see :data:`MARK_STYLES`), remembered."""
        self.settings.set(opt.MARK_STYLE, style)
        self.mark_style_actions[style].setChecked(True)
        self.map_view.set_mark_style(style)

    def _on_fade_toggled(self, on: bool) -> None:
        self.settings.set(opt.FADE_BY_AGE, on)
        self.map_view.set_fade(on)

    def _on_halos_toggled(self, on: bool) -> None:
        self.settings.set(opt.PLACE_UNCERTAINTY, on)
        self.map_view.set_halos(on)

    def show_base_layer(self, key: str, mbtiles_file: str = "") -> bool:
        """Show the online layer ``key`` ("" for the offline outlines), or with ``key``
        "mbtiles" the local file ``mbtiles_file``, and check its menu entry."""
        if key == "mbtiles":
            return self.open_mbtiles(Path(mbtiles_file))
        self._on_layer_chosen(key)
        self._check_shown_layer()
        return True

    def fit_map_to_events(self) -> None:
        """Frame the map on every placed event of the time window and the filter."""
        self.map_view.page_api.fit_visible(0.0)

    def go_to_event_dialog(self) -> GoToEventDialog:
        dialog = GoToEventDialog(self.store, self.state, self.map_view, self)
        dialog.open()
        return dialog

    def _on_layer_chosen(self, key: str) -> None:
        self.settings.set(opt.ONLINE_LAYER, key)
        self.settings.set(opt.MBTILES_FILE, "")
        self.map_view.set_online_layer(key or None)

    def _check_shown_layer(self) -> None:
        """Check the menu entry of the base layer the map really shows."""
        if self.map_view.mbtiles is not None:
            self.mbtiles_action.setChecked(True)
        else:
            self._layer_actions[self.map_view.online_layer or ""].setChecked(True)

    def _on_tiles_unavailable(self) -> None:
        self.statusBar().showMessage(
            self.tr("Online tiles are unavailable; showing the offline outlines."), STATUS_MS
        )

    def _on_page_restarted(self) -> None:
        self.statusBar().showMessage(
            self.tr("The map stopped unexpectedly and was reloaded; your view is kept."), STATUS_MS
        )

    def _on_page_failed(self, message: str) -> None:
        self.notify(self.tr("The map could not start: %1").replace("%1", message))

    # -- commands ----------------------------------------------------------------------------

    def open_store_dialog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Open store"),
            str(self.store.path.parent),
            self.tr("Event Atlas stores (*.db *.sqlite *.sqlite3);;All files (*)"),
        )
        if path:
            self.open_store(Path(path))

    def open_store(self, path: Path) -> bool:
        """Switch to the store at ``path``; a file that is not a store is refused untouched.

        The old store's events leave every view at once; the new ones are read in a
        worker and shown when they arrive (``eventsRead``).
        """
        try:
            store = EventStore(path)
        except StoreError as exc:
            QMessageBox.warning(self, self.tr("Cannot open store"), str(exc))
            return False
        self.store.close()
        self.store = store
        self.settings.set(opt.LAST_STORE, str(path))
        remember_store(self.settings, path)
        self.views.viewsChanged.emit()
        self.notice.hide()
        self._tell_if_read_only()
        self._check_indexing()
        self._keep_window = False
        self._show(OpenedEvents.of(EventArrays.empty()), waiting=True)
        self._read_events()
        return True

    def choose_mbtiles_dialog(self) -> None:
        """Ask for a local MBTiles file and show it as the base layer."""
        shown = self.map_view.mbtiles
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Local MBTiles file"),
            str(shown.path.parent) if shown is not None else str(Path.home()),
            self.tr("MBTiles files (*.mbtiles);;All files (*)"),
        )
        if not path or not self.open_mbtiles(Path(path)):
            # Cancelled or refused: the menu goes back to the layer still shown.
            self._check_shown_layer()

    def open_mbtiles(self, path: Path) -> bool:
        """Show the MBTiles file at ``path`` as the base layer; a file that is not one is
        refused untouched and the current base layer stays."""
        try:
            tiles = MBTiles.open(path)
        except MBTilesError as exc:
            QMessageBox.warning(
                self,
                self.tr("Cannot use this base layer"),
                self.tr("The base layer is unchanged: %1").replace("%1", str(exc)),
            )
            return False
        self.settings.set(opt.MBTILES_FILE, str(tiles.path.resolve()))
        self.settings.set(opt.ONLINE_LAYER, "")
        self.map_view.set_mbtiles(tiles)
        self._check_shown_layer()
        return True

    def reload_events(self) -> None:
        """Read the store again, here and now (after an import, which shows the new
        events at once), and let every view redraw."""
        # Undo writes rows back as they were: after an import or in another store, the
        # rows it would write back are no longer the ones it changed.
        self.edits.clear()
        self._stop_reading()
        arrays, categories = dataset_coded(self.store, self.store.arrays())
        self._show(OpenedEvents.of(arrays, categories=categories))
        self._name_places()

    @property
    def is_filtering(self) -> bool:
        """Whether the events of the filter's text, place or other parts (beyond its
        categories) are being found, or the timeline's bars of them made."""
        return self._matching is not None or self._densifying is not None

    @property
    def is_reading(self) -> bool:
        """Whether the store's events are being read (the views show them once read)."""
        return self._reading is not None

    def _read_events(self) -> None:
        """Read the store's events in a worker; the views say so meanwhile."""
        self._start_reading()
        self._say_loading(None)

    def _start_reading(self) -> None:
        """Start reading the store's events in a worker (what it finds reaches the views
        through the event loop, once the window is made)."""
        self._stop_reading()
        number = self._reads
        task = Task(
            partial(read_events, self.store.path, self.store.read_only), expected=(StoreError,)
        )
        task.progressed.connect(lambda count: number == self._reads and self._say_loading(count))
        task.succeeded.connect(lambda opened: self._on_events_read(number, opened))
        task.failed.connect(lambda exc: self._on_events_unreadable(number, exc))
        self._reading = task
        background_runner().start(task)

    def _stop_reading(self) -> None:
        """Forget the reading and naming under way: what they find is of older rows, or
        of another store."""
        self._reads += 1
        for task in (self._reading, self._naming, self._showing):
            if task is not None:
                task.cancel()
        self._reading = self._naming = self._showing = None

    def _say_loading(self, count: int | None) -> None:
        if count is None:
            text = self.tr("Loading events…")
        else:
            text = self.tr("Loading %1 events…").replace("%1", f"{count:,}")
        self.timeline.timeline.set_loading(text)
        self.status.setText(text)
        self.status.setToolTip("")

    def _on_events_read(self, number: int, opened: OpenedEvents) -> None:
        if number != self._reads:
            return  # another store was opened, or this one read again, since
        if not self._keep_window:
            self.state.set_window(opened.suggested)
        self._show(opened)
        # The map has its events now; the timeline's density and the map's place names
        # follow, once the page has drawn the events: made meanwhile, they would take
        # both cores from the page while it reads a million events (a third of a second
        # of work for each core).
        task = Task(partial(prepare_timeline, opened.index))
        task.succeeded.connect(lambda data: self._on_timeline_ready(number, data))
        self._reading = task
        self._when_map_drawn(number, partial(self._prepare_the_rest, task))

    def _when_map_drawn(self, number: int, then: Callable[[], None]) -> None:
        """Call ``then`` when the map has drawn a frame, or after :data:`MAP_DRAWN_WAIT_MS`
        if it does not (a page that failed, a window not shown), unless the store was
        read again meanwhile."""
        timer = QTimer(self)
        timer.setSingleShot(True)
        fired: list[bool] = []

        def go(*_args) -> None:
            if fired:
                return
            fired.append(True)
            timer.stop()
            timer.deleteLater()
            self.map_view.bridge.paintDone.disconnect(go)
            if number == self._reads:
                then()

        self.map_view.bridge.paintDone.connect(go)
        timer.timeout.connect(go)
        timer.start(MAP_DRAWN_WAIT_MS)

    def _prepare_the_rest(self, timeline: Task) -> None:
        background_runner().start(timeline)
        self._name_places()

    def _on_timeline_ready(self, number: int, data: TimelineData) -> None:
        if number != self._reads:
            return
        self._reading = None
        self.timeline.timeline.set_loading(None)
        if data.index is self.index:  # else a change shown since gave the timeline its own
            self._all_events = data
            self.timeline.playback.set_index(data.index)
            self.timeline.timeline.set_data(data)
        if self._filter_rows is not None:
            # A filter chosen meanwhile keeps the timeline to its own events.
            self._on_filter_changed(self.state.filter)
        self.state.reveal_window()
        return_freed_memory()
        self.eventsRead.emit()

    def _on_events_unreadable(self, number: int, exc: Exception) -> None:
        if number != self._reads:
            return
        self._reading = None
        # The page stops waiting: it shows no events, and the notice says why.
        self._show(OpenedEvents.of(EventArrays.empty()))
        self.notify(str(exc))
        self.eventsRead.emit()

    def _show(self, opened: OpenedEvents, *, waiting: bool = False) -> None:
        """Hand ``opened`` to every view; ``waiting``, the map's page waits for the events
        being read instead."""
        self.index = opened.index
        self.categories = opened.categories
        self.map_view.set_categories(self.categories)
        self._reading_events = waiting
        self._payload = None if waiting else opened.payload
        self._filter_rows = None
        if opened.timeline is not None:
            self._all_events = opened.timeline
            self.timeline.set_data(opened.timeline)
            if not waiting:
                self.timeline.timeline.set_loading(None)
        self.state.select([])
        self.state.eventsChanged.emit()

    def _page_buffer(self) -> bytes | None:
        """The map page's buffer of the events (None while they are being read): the one
        made with them, handed over once (the page and the map view keep what they need
        of it, and a million events' buffer is 26 MB or more), then made again if asked again
        (a page loading anew)."""
        if self._reading_events:
            return None
        kept, self._payload = self._payload, None
        return kept if kept is not None else encode_events(self.index.arrays)

    def _name_places(self) -> None:
        """Find the names of the places the map prints, in a worker: the map shows its
        events without them meanwhile."""
        if self._reading_events:
            return
        number = self._reads
        task = Task(
            partial(find_place_names, self.store.path, self.store.read_only, self.index.arrays),
            expected=(StoreError,),
        )
        task.succeeded.connect(
            lambda rows: number == self._reads and self.map_view.set_place_names(rows)
        )
        task.failed.connect(lambda exc: log.warning("no place names on the map: %s", exc))
        self._naming = task
        background_runner().start(task)

    def show_edited(self, select: list[int]) -> None:
        """Show the store after an edit or its undo: the map and the timeline get the new
        events without the page loading again, and ``select`` is selected. A big store's
        events are read again in a worker (most of a second of work at a million events),
        the views showing the old ones until then."""
        if self.store.count() < BIG_STORE:
            arrays, categories = dataset_coded(self.store, self.store.arrays())
            self._show_edited(OpenedEvents.of(arrays, categories=categories), select)
            return
        if self._reading_events:
            # The views wait for the store's first events: they get the changed ones.
            self._start_reading()
            return
        if self._showing is not None:
            self._showing.cancel()
        task = Task(
            partial(read_events, self.store.path, self.store.read_only, timeline=True),
            expected=(StoreError,),
        )
        task.succeeded.connect(lambda opened: self._on_edited_read(task, opened, select))
        task.failed.connect(lambda exc: self._on_edited_unreadable(task, exc))
        self._showing = task
        background_runner().start(task)

    @property
    def is_showing_change(self) -> bool:
        """Whether the events of a big store are being read again to show a change."""
        return self._showing is not None

    def _on_edited_read(self, task: Task, opened: OpenedEvents, select: list[int]) -> None:
        # Changed again, another store opened or the window closed since (each forgets
        # the task): what it read is not the store's now.
        if task is not self._showing:
            return
        self._showing = None
        self._show_edited(opened, select)

    def _on_edited_unreadable(self, task: Task, exc: Exception) -> None:
        if task is self._showing:  # the change is saved: the views keep what they show
            self._showing = None
            self.notify(str(exc))

    def _show_edited(self, opened: OpenedEvents | None, select: list[int]) -> None:
        """Hand the views the store after a change, and select ``select``: ``opened`` is
        its events read again, None when the change left the columns the map and the
        timeline read as they were (a grading)."""
        if opened is not None:
            self.index = opened.index
            self.categories = opened.categories
            self.map_view.set_categories(self.categories)
            self._reading_events = False
            self._payload = opened.payload
            self._all_events = opened.timeline
            self.timeline.set_data(opened.timeline)
        self._forget_matches()
        self._on_filter_changed(self.state.filter)
        if opened is not None:
            self.map_view.refresh_events(select)
        self.table.model.refresh()
        self.state.select(select)
        self.panel.refresh()

    def show_graded(self, select: list[int]) -> None:
        """Show the store after a grading or its undo. Grades are on neither the map nor
        the timeline, so their columns stay: only what reads grades (a filter by grade,
        the table, the panel) asks the store again, and ``select`` is selected."""
        self._show_edited(None, select)

    def find_duplicates(self) -> duplicates.DuplicatesDialog:
        """Open the review of the events that are probably told twice."""
        dialog = duplicates.DuplicatesDialog(
            lambda: self.store, self.edits.merge, self._select_and_read, self.why_busy, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.search()
        return dialog

    def _select_and_read(self, ids: list[int]) -> None:
        self.state.select(ids)
        if ids:
            self.state.set_current(ids[0])

    def show_shortcuts(self) -> ShortcutsDialog:
        menus = [a.menu() for a in self.menuBar().actions() if a.menu() is not None]
        dialog = ShortcutsDialog(menus, self)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About Event Atlas"), about_html(self.tr))

    def closeEvent(self, event: QCloseEvent) -> None:
        # First: a change being saved is written to the end, and nothing the edits would
        # still do reaches the store closed below or the views.
        self.edits.close()
        self._indexing_check.stop()
        window = self.state.window
        self.settings.set(opt.TIME_WINDOW, [window.start, window.end])
        self.settings.set(opt.GEOMETRY, self.saveGeometry())
        self.settings.set(opt.DOCK_STATE, self.saveState())
        self.settings.sync()
        self._stop_reading()
        # A search's answer arriving after the window is gone would reach deleted views.
        self._forget_search()
        self._export_actions.close_pages()
        self.map_view.detach()
        self.store.close()
        if self.map_view.mbtiles is not None:
            self.map_view.mbtiles.close()
        super().closeEvent(event)


def find_matches(
    path: Path, rest: Filter, index: EventIndex, control: TaskControl
) -> tuple[np.ndarray, np.ndarray]:
    """The work of a task that finds the events ``rest`` (a filter without categories)
    lets through: their ids (ascending) and a mask over the rows of ``index``.

    It opens the store at ``path`` on a connection of its own. One word or phrase alone
    is found from the text indexes (no pass over every event); with several terms that
    can cost more than the pass, so SQL decides.
    """
    by_text = replace(rest, text="").is_empty and len(text_terms(rest.text)) == 1
    with EventStore(path, read_only=True) as store:
        ids = store.text_ids(rest.text) if by_text else store.matching_ids(rest)
    control.check()
    return ids, index.mask_of(ids)


def filtered_density(
    arrays: EventArrays, rows: np.ndarray, control: TaskControl
) -> CategoryDensity:
    """The work of a task that makes the timeline's density of the events of ``rows``."""
    control.check()
    return CategoryDensity(arrays, rows=rows)


def about_html(tr) -> str:
    """Every data and software attribution the app owes."""
    credits = [
        tr("Country outlines: Made with Natural Earth (public domain), via world-atlas."),
        tr(
            "Online tiles, when chosen: © OpenStreetMap contributors; "
            "Esri, Maxar, Earthstar Geographics."
        ),
        tr(
            "A local MBTiles base layer, when chosen: the attribution its file gives, shown "
            "on the map."
        ),
        tr(
            "Map library: Leaflet (BSD-2-Clause), packaged by XStatic; page built with folium "
            "(MIT)."
        ),
        tr("Place names: GeoNames (CC BY 4.0), where the gazetteer is used."),
        tr(
            "Bundled dataset: 51 events from 21 articles of Covalent Bond. 31 are quoted "
            "verbatim from “Negotiations without illusions” (Michael K., 2 June 2025), with "
            "the outlets it cites; 20 come from the headlines and standfirsts of the later "
            "articles that page lists (July–October 2025)."
        ),
        tr("Built with Qt for Python (PySide6, LGPLv3), QtWebEngine, geopy, sqlite-utils."),
    ]
    items = "".join(f"<li>{escape(c)}</li>" for c in credits)
    return (
        f"<h3>Event Atlas {escape(__version__)}</h3>"
        f"<p>{escape(tr('News events in space and time.'))}</p><ul>{items}</ul>"
    )
