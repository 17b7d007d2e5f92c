"""MainWindow: the map in the middle, the timeline below, the excerpt panel at the right."""

from __future__ import annotations

from dataclasses import fields
from html import escape
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.filter import Filter
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.geo.mbtiles import MBTiles, MBTilesError
from desktop_app.mapgen.page import DEFAULT_CENTER, ONLINE_LAYERS
from desktop_app.mapgen.payload import encode_events
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui import settings as opt
from desktop_app.ui.editing.actions import EditActions
from desktop_app.ui.editing.history_text import history_lines
from desktop_app.ui.export.dialog import ExportActions
from desktop_app.ui.importing.commands import ImportCommands
from desktop_app.ui.map.describe import describe_events
from desktop_app.ui.map.view import MapView
from desktop_app.ui.panels.excerpt import ExcerptPanel
from desktop_app.ui.panels.notice import NoticeBar
from desktop_app.ui.panels.shortcuts import ShortcutsDialog
from desktop_app.ui.panels.table import EventTablePanel
from desktop_app.ui.settings import Settings
from desktop_app.ui.timeline.bar import TimelinePanel
from desktop_app.ui.timeline.keys import TimelineKeys
from desktop_app.ui.view_state import ViewState
from desktop_app.ui.words import window_in_words

#: How long a passing remark stays in the status bar (ms).
STATUS_MS = 8000
#: The least zoom the map centres on an event at: close enough to tell its place.
CENTRE_ZOOM = 8
#: The event table's height when first shown (pixels).
TABLE_HEIGHT = 300


class MainWindow(QMainWindow):
    """The atlas window: three views of one store, joined only by the shared ViewState.

    Parameters
    ----------
    store
        The open event store; the window owns it from now on and closes it on exit.
    """

    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = Settings()
        self.store = store
        self.index = EventIndex(store.arrays())
        self._payload = encode_events(self.index.arrays)
        self.state = ViewState(self._initial_window())

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
            lambda: self._payload,
            self._describe,
            center=center,
            zoom=zoom,
            online_layer=layer if layer in ONLINE_LAYERS and mbtiles is None else None,
            mbtiles=mbtiles,
            fit_when_ready=not remembered,
            # Through self.store, so the map follows when another store is opened.
            matching=lambda flt: self.store.matching_ids(flt),
        )
        self.notice = NoticeBar()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice)
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
        self.table = EventTablePanel(self.state, lambda: self.store, lambda: self.index)
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
        self.status = QLabel()
        # No stretch: the bar's left part must stay free for its messages.
        self.statusBar().addPermanentWidget(self.status)

        self._build_menus()
        # The timeline's stepping and playing keys also work while the map has the focus.
        self._timeline_keys = TimelineKeys(self.timeline.timeline, self)
        (self.map_view.focusProxy() or self.map_view).installEventFilter(self._timeline_keys)
        #: The index rows the filter lets through (None: every row), for the counts.
        self._filter_rows: np.ndarray | None = None
        self.state.windowChanged.connect(self._on_window_changed)
        self.state.filterChanged.connect(self._on_filter_changed)
        self.state.eventsChanged.connect(self._on_events_changed)
        self.map_view.viewMoved.connect(self._on_map_moved)
        self.map_view.tilesUnavailable.connect(self._on_tiles_unavailable)
        self.map_view.pageFailed.connect(self._on_page_failed)
        self.map_view.pageRestarted.connect(self._on_page_restarted)
        self._on_window_changed(self.state.window)
        self._restore_layout()
        self._tell_if_read_only()
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

    def _initial_window(self) -> TimeWindow:
        saved = self.settings.get(opt.TIME_WINDOW)
        if isinstance(saved, list) and len(saved) == 2:
            try:
                return TimeWindow(float(saved[0]), float(saved[1]))
            except ValueError:
                pass
        return self.index.suggested_window()

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
        view_menu.addSeparator()
        fade = QAction(self.tr("&Fade older events"), self, checkable=True)
        fade.setChecked(bool(self.settings.get(opt.FADE_BY_AGE)))
        fade.toggled.connect(self._on_fade_toggled)
        view_menu.addAction(fade)
        self._on_fade_toggled(fade.isChecked())
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

        tools_menu = menu.addMenu(self.tr("&Tools"))
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
            self.resizeDocks([self.panel_dock], [360], Qt.Orientation.Horizontal)
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

    def _on_filter_changed(self, flt: Filter) -> None:
        # Once per change of filter, so that a scrub step only counts a window's rows.
        if flt.is_empty:
            self._filter_rows = None
        else:
            ids = self.store.matching_ids(flt)
            self._filter_rows = np.isin(self.index.arrays.ids, ids, assume_unique=True)
        # The timeline's bars and density show the filter's events; playback keeps the
        # span of them all, so a filter does not change where it plays.
        shown = self.index
        if self._filter_rows is not None:
            arrays = self.index.arrays
            shown = EventIndex(
                EventArrays(*(getattr(arrays, f.name)[self._filter_rows] for f in fields(arrays)))
            )
        self.timeline.timeline.set_index(shown)
        self._on_window_changed(self.state.window)

    def _on_events_changed(self) -> None:
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

    def _on_fade_toggled(self, on: bool) -> None:
        self.settings.set(opt.FADE_BY_AGE, on)
        self.map_view.set_fade(on)

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
        """Switch to the store at ``path``; a file that is not a store is refused untouched."""
        try:
            store = EventStore(path)
        except StoreError as exc:
            QMessageBox.warning(self, self.tr("Cannot open store"), str(exc))
            return False
        self.store.close()
        self.store = store
        self.settings.set(opt.LAST_STORE, str(path))
        self.reload_events()
        self.notice.hide()
        self._tell_if_read_only()
        self.state.set_window(self.index.suggested_window())
        self.state.reveal_window()
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
        """Read the store again (after an import or a switch) and let every view redraw."""
        # Undo writes rows back as they were: after an import or in another store, the
        # rows it would write back are no longer the ones it changed.
        self.edits.clear()
        self.index = EventIndex(self.store.arrays())
        self._payload = encode_events(self.index.arrays)
        self.timeline.set_index(self.index)
        self.state.select([])
        self.state.eventsChanged.emit()

    def show_edited(self, select: list[int]) -> None:
        """Show the store after an edit or its undo: the map and the timeline get the new
        events without the page loading again, and ``select`` is selected."""
        self.index = EventIndex(self.store.arrays())
        self._payload = encode_events(self.index.arrays)
        self.timeline.set_index(self.index)
        self._on_filter_changed(self.state.filter)
        self.map_view.refresh_events(select)
        self.state.select(select)
        self.panel.refresh()

    def show_shortcuts(self) -> ShortcutsDialog:
        menus = [a.menu() for a in self.menuBar().actions() if a.menu() is not None]
        dialog = ShortcutsDialog(menus, self)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About Event Atlas"), about_html(self.tr))

    def closeEvent(self, event: QCloseEvent) -> None:
        window = self.state.window
        self.settings.set(opt.TIME_WINDOW, [window.start, window.end])
        self.settings.set(opt.GEOMETRY, self.saveGeometry())
        self.settings.set(opt.DOCK_STATE, self.saveState())
        self.settings.sync()
        self._export_actions.close_pages()
        self.map_view.detach()
        self.store.close()
        if self.map_view.mbtiles is not None:
            self.map_view.mbtiles.close()
        super().closeEvent(event)


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
