"""The Views menu: save the view the window shows under a name, and recall saved ones.

A view is the time window, the map's extent, the filter, the selection and the base
layer (see :mod:`desktop_app.store.views`); it is kept in the store, so it travels with
the events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QWidget

from desktop_app.core.filter import FilterError
from desktop_app.mapgen.page import ONLINE_LAYERS
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.store.views import (
    MapExtent,
    SavedView,
    check_can_save,
    delete_view,
    find_view,
    rename_view,
    reorder_views,
    save_view,
    saved_views,
    view_names,
)
from desktop_app.ui.export.render import SnapshotError, view_info
from desktop_app.ui.map.view import MapView
from desktop_app.ui.view_state import ViewState

#: Saved views reachable by Ctrl+1 … Ctrl+9.
NUMBERED = 9


class ViewsTarget(Protocol):
    """What the views need of a window: its store, view state and map, a way to change
    the base layer and to tell the user something."""

    store: EventStore
    state: ViewState
    map_view: MapView

    def notify(self, message: str, path: Path | None = None) -> None: ...

    def show_base_layer(self, key: str, mbtiles_file: str = "") -> bool: ...


class ViewCommands(QObject):
    """Save view… (Ctrl+Shift+S) and the saved views (Ctrl+1 … Ctrl+9) of one window.

    Every change of the saved views is written to the store at once and announced by
    :attr:`viewsChanged`, which the menu and the Views dock redraw from.

    Parameters
    ----------
    target
        The window whose view is saved and recalled.
    """

    viewsChanged = Signal()

    def __init__(self, target: ViewsTarget) -> None:
        parent = target if isinstance(target, QObject) else None
        super().__init__(parent)
        self.target = target
        self._widget = target if isinstance(target, QWidget) else None
        self.save_action = QAction(self.tr("&Save view…"), parent)
        self.save_action.setShortcut(QKeySequence(self.tr("Ctrl+Shift+S")))
        self.save_action.setStatusTip(
            self.tr("Name the dates, map extent, filter and selection shown now")
        )
        self.save_action.triggered.connect(self.save_dialog)
        self.menu = QMenu(self.tr("Vie&ws"), self._widget)
        self._dock_action: QAction | None = None
        self._recall_actions: list[QAction] = []
        self.viewsChanged.connect(self._rebuild_menu)

    # -- the menu ----------------------------------------------------------------------------

    def names(self) -> list[str]:
        """The saved views' names, in their order (none when the store cannot say)."""
        try:
            return view_names(self.target.store)
        except StoreError:
            return []

    def saved(self) -> list[SavedView]:
        """The saved views, in their order (none when the store cannot say)."""
        try:
            return saved_views(self.target.store)
        except StoreError:
            return []

    def build_menu(self, dock_action: QAction) -> QMenu:
        """Fill the Views menu: Save view…, the dock's toggle, then the saved views."""
        self._dock_action = dock_action
        self._rebuild_menu()
        return self.menu

    def _rebuild_menu(self) -> None:
        menu = self.menu
        if self._dock_action is None:
            return  # the menu is not built yet
        if not menu.actions():
            menu.addAction(self.save_action)
            menu.addAction(self._dock_action)
            menu.addSeparator()
        # Only the saved views' entries change: the first three stay.
        for action in self._recall_actions:
            menu.removeAction(action)
            action.deleteLater()
        self._recall_actions = []
        names = self.names()
        if not names:
            empty = QAction(self.tr("No saved views"), menu)
            empty.setEnabled(False)
            menu.addAction(empty)
            self._recall_actions.append(empty)
        for number, name in enumerate(names, 1):
            # An "&" in a name is text, not a mnemonic.
            shown = name.replace("&", "&&")
            action = QAction(f"&{number} {shown}" if number <= NUMBERED else shown, menu)
            if number <= NUMBERED:
                action.setShortcut(QKeySequence(self.tr("Ctrl+%1").replace("%1", str(number))))
            action.setStatusTip(self.tr("Show the saved view “%1”").replace("%1", name))
            action.triggered.connect(lambda _checked=False, n=name: self.recall(n))
            menu.addAction(action)
            self._recall_actions.append(action)

    def recall_actions(self) -> list[QAction]:
        """The menu's entries of the saved views, in order."""
        return [a for a in self._recall_actions if a.isEnabled()]

    # -- saving ------------------------------------------------------------------------------

    def current_view(self, name: str) -> SavedView:
        """What the window shows now, as a view called ``name``."""
        target = self.target
        extent = None
        if target.map_view.is_ready:
            try:
                info = view_info(target.map_view)
                south, west, north, east = (float(b) for b in info["bounds"])
                extent = MapExtent(
                    float(info["lat"]),
                    float(info["lon"]),
                    float(info["zoom"]),
                    (south, west, north, east),
                )
            except SnapshotError:
                extent = None
        tiles = target.map_view.mbtiles
        state = target.state
        return SavedView(
            name=name,
            window=state.window,
            extent=extent,
            filter=state.filter,
            selection=state.selection,
            current=state.current,
            base_layer="mbtiles" if tiles is not None else (target.map_view.online_layer or ""),
            mbtiles_file=str(tiles.path.resolve()) if tiles is not None else "",
        )

    def save_current(self, name: str, *, replace: bool = False) -> SavedView | None:
        """Save what the window shows as ``name``; a refusal is told, and gives None."""
        try:
            saved = save_view(self.target.store, self.current_view(name), replace=replace)
        except StoreError as exc:
            self.target.notify(self.tr("The view was not saved: %1").replace("%1", str(exc)))
            return None
        self.viewsChanged.emit()
        self.target.notify(self.tr("Saved the view “%1”.").replace("%1", saved.name))
        return saved

    def save_dialog(self) -> None:
        """Ask for a name (a taken one asks before replacing) and save the view."""
        try:
            # Said before asking for a name that could not be kept.
            check_can_save(self.target.store)
        except StoreError as exc:
            self.target.notify(self.tr("The view was not saved: %1").replace("%1", str(exc)))
            return
        name, ok = QInputDialog.getText(
            self._widget,
            self.tr("Save view"),
            self.tr("Name of the view:"),
            QLineEdit.EchoMode.Normal,
            self._suggested_name(),
        )
        name = " ".join(name.split())
        if not ok or not name:
            return
        replace = False
        if name in self.names():
            answer = QMessageBox.question(
                self._widget,
                self.tr("Save view"),
                self.tr("A view called “%1” exists. Replace it?").replace("%1", name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            replace = True
        self.save_current(name, replace=replace)

    def _suggested_name(self) -> str:
        taken = set(self.names())
        number = len(taken) + 1
        while (name := self.tr("View %1").replace("%1", str(number))) in taken:
            number += 1
        return name

    # -- recalling and arranging ------------------------------------------------------------

    def recall(self, name: str) -> bool:
        """Show the saved view ``name``: its dates, filter, selection, base layer and extent."""
        target = self.target
        try:
            view = find_view(target.store, name)
        except StoreError as exc:
            target.notify(str(exc))
            return False
        state = target.state
        try:
            state.set_filter(view.filter)
        except FilterError as exc:
            target.notify(self.tr("The view's filter was not applied: %1").replace("%1", str(exc)))
        state.set_window(view.window)
        state.reveal_window()
        selection = list(view.selection)
        if view.current is not None:
            selection = [view.current, *(i for i in selection if i != view.current)]
        state.select(selection)
        self._show_layer(view)
        if view.extent is not None:
            e = view.extent
            target.map_view.remember_view({"lat": e.lat, "lon": e.lon, "zoom": e.zoom})
            # After the selection: selecting centres its event, the saved extent wins.
            target.map_view.page_api.show_extent(e.lat, e.lon, e.zoom, e.bounds)
        return True

    def _show_layer(self, view: SavedView) -> None:
        map_view = self.target.map_view
        if view.base_layer == "mbtiles":
            shown = map_view.mbtiles
            if shown is not None and str(shown.path.resolve()) == view.mbtiles_file:
                return
            if not view.mbtiles_file or not Path(view.mbtiles_file).is_file():
                self.target.notify(
                    self.tr("The view's base layer file %1 is not available.").replace(
                        "%1", view.mbtiles_file or "?"
                    )
                )
                return
            self.target.show_base_layer("mbtiles", view.mbtiles_file)
            return
        key = view.base_layer if view.base_layer in ONLINE_LAYERS else ""
        if map_view.mbtiles is None and (map_view.online_layer or "") == key:
            return
        self.target.show_base_layer(key)

    def rename(self, name: str, new_name: str) -> bool:
        try:
            rename_view(self.target.store, name, new_name)
        except StoreError as exc:
            self.target.notify(self.tr("The view was not renamed: %1").replace("%1", str(exc)))
            self.viewsChanged.emit()
            return False
        self.viewsChanged.emit()
        return True

    def delete(self, name: str) -> bool:
        try:
            delete_view(self.target.store, name)
        except StoreError as exc:
            self.target.notify(self.tr("The view was not deleted: %1").replace("%1", str(exc)))
            return False
        self.viewsChanged.emit()
        return True

    def reorder(self, names: list[str]) -> bool:
        try:
            reorder_views(self.target.store, names)
        except StoreError as exc:
            self.target.notify(self.tr("The views were not reordered: %1").replace("%1", str(exc)))
            self.viewsChanged.emit()
            return False
        self.viewsChanged.emit()
        return True
