"""MapView: the folium/Leaflet map in a QWebEngineView, a view of the shared ViewState."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.filter import Filter, FilterError
from desktop_app.core.index import EventArrays, RowsById
from desktop_app.core.window import TimeWindow
from desktop_app.geo.mbtiles import MBTiles
from desktop_app.mapgen.addresses import PAGE_PATH, SCHEME
from desktop_app.mapgen.page import (
    DEFAULT_CENTER,
    MARK_STYLES,
    MapLook,
    MBTilesLayer,
    PageSpec,
    build_page,
)
from desktop_app.mapgen.payload import buffer_column, decode_events
from desktop_app.ui.map.page_api import PageApi
from desktop_app.ui.map.web_profile import atlas_profile
from desktop_app.ui.view_state import ViewState

log = logging.getLogger(__name__)

_site_numbers = itertools.count(1)
_tile_revisions = itertools.count(1)

#: The share of far-off events a fitted view leaves out (they are still drawn), so one
#: distant event does not shrink the rest to a dot.
FIT_TRIM = 0.1
#: A renderer that dies again this soon (seconds) after the page was restarted for it is
#: not restarted again: a page that kills its renderer would otherwise reload forever.
RESTART_PERIOD_S = 60.0
#: The page learns the names of this many places at most, the busiest first: naming every
#: place of a store with a million scattered ones would cost seconds at each page load,
#: and a label only shows where it has room, which the busiest places take first.
MAX_NAMED_PLACES = 20_000


class MapBridge(QObject):
    """The one object the page talks to. Only ids and JSON text cross it."""

    ready = Signal()
    failed = Signal(str)
    clicked = Signal(list)
    viewMoved = Signal(dict)
    paintDone = Signal(int)
    tilesFailed = Signal()
    categoryToggled = Signal(str, bool)
    areaChosen = Signal(tuple)
    polygonChosen = Signal(tuple)
    polygonDropped = Signal()
    pointChosen = Signal(float, float)
    reloaded = Signal(int)

    def __init__(self, describe: Callable[[list[int]], list[dict]], parent: QObject | None = None):
        super().__init__(parent)
        self._describe = describe
        self._closed = False

    def close(self) -> None:
        """Hear nothing more from the page: its store is closing, and calls still queued
        in the channel would otherwise reach it."""
        self._closed = True
        self.blockSignals(True)

    @Slot()
    def pageReady(self) -> None:
        self.ready.emit()

    @Slot(str)
    def pageFailed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot(str)
    def eventsClicked(self, ids_json: str) -> None:
        ids = json.loads(ids_json)
        self.clicked.emit([int(i) for i in ids if isinstance(i, int | float)])

    @Slot(str)
    def viewChanged(self, view_json: str) -> None:
        view = json.loads(view_json)
        if isinstance(view, dict):
            self.viewMoved.emit(view)

    @Slot(int)
    def painted(self, seq: int) -> None:
        """The page has drawn its event layer for the ``seq``-th time and shown it."""
        self.paintDone.emit(seq)

    @Slot()
    def tilesUnavailable(self) -> None:
        self.tilesFailed.emit()

    @Slot(str, bool)
    def legendToggled(self, key: str, shown: bool) -> None:
        """A tick of the legend: show (or hide) the category ``key``."""
        self.categoryToggled.emit(str(key), bool(shown))

    @Slot(str)
    def areaDragged(self, area_json: str) -> None:
        """A rectangle dragged on the map: ``[west, south, east, north]``."""
        area = json.loads(area_json)
        if isinstance(area, list) and len(area) == 4:
            self.areaChosen.emit(tuple(float(v) for v in area))

    @Slot(str)
    def polygonDrawn(self, corners_json: str) -> None:
        """A polygon drawn on the map: ``[[lon, lat], ...]`` (checked by the filter)."""
        corners = json.loads(corners_json)
        if isinstance(corners, list) and all(
            isinstance(c, list) and len(c) == 2 and all(isinstance(v, int | float) for v in c)
            for c in corners
        ):
            self.polygonChosen.emit(tuple((float(lon), float(lat)) for lon, lat in corners))

    @Slot()
    def polygonCancelled(self) -> None:
        """Esc ended the polygon being drawn: nothing was chosen."""
        self.polygonDropped.emit()

    @Slot(str)
    def pointPicked(self, point_json: str) -> None:
        point = json.loads(point_json)
        if isinstance(point, dict):
            lat, lon = point.get("lat"), point.get("lon")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                self.pointChosen.emit(float(lat), float(lon))

    @Slot(int)
    def eventsReloaded(self, revision: int) -> None:
        self.reloaded.emit(revision)

    @Slot(str, result=str)
    def describe(self, ids_json: str) -> str:
        if self._closed:
            return "[]"
        ids = [int(i) for i in json.loads(ids_json)][:20]
        return json.dumps(self._describe(ids), ensure_ascii=False)


class AtlasPage(QWebEnginePage):
    """A page that never navigates away: links open in the system browser instead."""

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:
        if url.scheme() == SCHEME:
            return nav_type != QWebEnginePage.NavigationType.NavigationTypeLinkClicked
        if nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked and url.scheme() in (
            "http",
            "https",
        ):
            QDesktopServices.openUrl(url)
        return False

    def createWindow(self, _type) -> QWebEnginePage | None:
        return None

    def javaScriptConsoleMessage(self, level, message, line, source) -> None:
        self.console.append((int(level.value), message, line, source))

    console: list


class MapView(QWebEngineView):
    """The map: loads the page once, then only tells it the window and the selection.

    Parameters
    ----------
    state
        The shared view state; the map follows its window and selection, and sets the
        selection when the user clicks a marker.
    events
        Returns the event buffer for the page (called when the page loads), or None while
        the events are still being read: the page then loads and its request for them
        waits until :meth:`reload_events`.
    describe
        Returns ``{"title", "date"}`` for event ids (hover tooltips, the selection label),
        and ``"place"`` and ``"place_kind"`` where the map should print place names.
    mbtiles
        A local MBTiles file to show as the base layer; the view owns it from now on and
        closes it when another replaces it.
    matching
        Returns the ids (ascending) of the events a filter lets through, over all time
        (``EventStore.matching_ids``), or None while they are still being found (the
        owner then calls :meth:`matches_found`); without it, the map filters categories
        only.
    names_later
        The owner finds the place names off the GUI thread and hands them over with
        :meth:`set_place_names`; until then the page starts without them. Otherwise the
        view finds them itself (with ``describe``) when the page asks.
    categories
        The categories of the buffer's codes: the palette, then a dataset's own.
    """

    pageReady = Signal()
    pageFailed = Signal(str)
    viewMoved = Signal(dict)
    tilesUnavailable = Signal()
    #: The page's renderer process died; the page was loaded again and is ready, showing
    #: the same window, view, base layer, fading and selection.
    pageRestarted = Signal()
    #: Whether a plain drag chooses an area; it ends by itself once one is chosen.
    areaModeChanged = Signal(bool)
    #: Whether clicks on the map draw a polygon; it ends once one is drawn or Esc pressed.
    polygonModeChanged = Signal(bool)
    #: The page draws the events :meth:`refresh_events` sent it.
    eventsRefreshed = Signal()
    #: The user clicked this point (lat, lon) after :meth:`choose_point`.
    pointPicked = Signal(float, float)

    def __init__(
        self,
        state: ViewState,
        events: Callable[[], bytes | None],
        describe: Callable[[list[int]], list[dict]],
        *,
        center: tuple[float, float] = DEFAULT_CENTER,
        zoom: int = 5,
        online_layer: str | None = None,
        mbtiles: MBTiles | None = None,
        fit_when_ready: bool = False,
        matching: Callable[[Filter], np.ndarray] | None = None,
        names_later: bool = False,
        categories: tuple[Category, ...] = CATEGORIES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._events = events
        self._matching = matching
        self._rows: RowLookup | None = None
        #: The buffer taken from ``events`` before the page asked for it (see _take).
        self._pending: bytes | None = None
        #: The event ids of the buffer taken last, in its row order (None: none taken).
        self._buffer_ids: np.ndarray | None = None
        #: The events of the buffer taken last, kept only by a view that names its places
        #: itself (not ``names_later``).
        self._named_from: EventArrays | None = None
        #: The filter, less its categories, whose row mask the page holds (None: none sent).
        self._rows_sent: Filter | None = None
        #: The keys of the categories the buffer holds (None: not counted yet).
        self._present: frozenset[str] | None = None
        self._area_mode = False
        self._polygon_mode = False
        #: The polygon the page outlines (the filter's), as last sent.
        self._polygon_shown: tuple[tuple[float, float], ...] = ()
        self._describe = describe
        self._names_later = names_later
        #: The place names of the current events as JSON text, once known.
        self._names: str | None = None
        #: The loading page asked for place names before they were known.
        self._names_owed = False
        #: The loading page has been given the events (not just asked for them).
        self._served = False
        self._ready = False
        self._restarting = False
        self._last_restart: float | None = None
        self._closing = False
        self._fit_when_ready = fit_when_ready
        self._queue: list[tuple[str, Callable | None]] = []
        self._revision = 0
        #: The page's functions; calls wait until the page says it is ready.
        self.page_api = PageApi(self._run_js)
        self._spec = PageSpec(
            window=(state.window.start, state.window.end),
            center=center,
            zoom=zoom,
            online_layer=online_layer,
            mbtiles=_page_layer(mbtiles),
            categories=tuple(categories),
            halo_note=self.tr("Shaded ring: how precisely the place is known"),
        )
        self._mbtiles = mbtiles
        profile, self._handler = atlas_profile()
        self._site = f"map{next(_site_numbers)}"
        self._handler.add_site(
            self._site, self._page_html, self._serve_events, self._tile, self._place_names
        )
        page = AtlasPage(profile, self)
        page.console = []
        settings = page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        self.setPage(page)
        self.bridge = MapBridge(describe, self)
        self._channel = QWebChannel(page)
        self._channel.registerObject("atlas", self.bridge)
        page.setWebChannel(self._channel)
        page.renderProcessTerminated.connect(self._on_renderer_gone)
        self.bridge.ready.connect(self._on_page_ready)
        self.bridge.failed.connect(self.pageFailed)
        self.bridge.clicked.connect(self._on_clicked)
        self.bridge.viewMoved.connect(self.remember_view)
        self.bridge.viewMoved.connect(self.viewMoved)
        self.bridge.tilesFailed.connect(self.tilesUnavailable)
        self.bridge.categoryToggled.connect(self._on_legend_toggled)
        self.bridge.areaChosen.connect(self._on_area_chosen)
        self.bridge.polygonChosen.connect(self._on_polygon_chosen)
        self.bridge.polygonDropped.connect(lambda: self.set_polygon_mode(False))
        self.bridge.pointChosen.connect(self.pointPicked)
        self.bridge.reloaded.connect(self._on_events_reloaded)
        state.windowChanged.connect(self._on_window_changed)
        state.selectionChanged.connect(self._on_selection_changed)
        state.currentChanged.connect(self._on_current_changed)
        state.filterChanged.connect(self._on_filter_changed)
        state.eventsChanged.connect(self.reload_events)
        self.destroyed.connect(lambda *_: self._handler.remove_site(self._site))
        self.load_page()

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def console_messages(self) -> list:
        return self.page().console

    def _page_html(self) -> str:
        return build_page(self._spec)

    def _take(self) -> bytes | None:
        """The buffer of the events from ``events``, with its ids and categories noted:
        the view keeps what it needs of the buffer, not the buffer (the page holds that),
        so ``events`` may hand it over and forget it."""
        payload = self._events()
        if payload is not None:
            self._buffer_ids = buffer_ids(payload)
            # Only the categories' column: this runs in the GUI thread as the page waits.
            codes = np.bincount(buffer_column(payload, "category"), minlength=256)
            cats = self.categories
            self._present = frozenset(cats[c].key for c in np.flatnonzero(codes) if c < len(cats))
            if not self._names_later:
                # This view names its places itself, when the page asks: it keeps the
                # events for that.
                self._named_from = decode_events(payload)
        return payload

    def _taken(self) -> None:
        """Make sure the current buffer's ids and categories are noted (before the page
        has asked for it, the buffer waits in ``_pending`` for its request)."""
        if self._buffer_ids is None and self._pending is None:
            self._pending = self._take()

    def _serve_events(self) -> bytes | None:
        payload, self._pending = self._pending, None
        if payload is None:
            payload = self._take()
        if payload is not None:
            self._served = True
        return payload

    def _place_names(self) -> bytes:
        """``[[event id, place name, place kind], ...]``: one event at each named place."""
        if self._names is None and self._names_later:
            # A help, not a need: the map draws its events now and names them later.
            self._names_owed = True
            return b"[]"
        if self._names is None:
            self._taken()
            if self._named_from is None:
                self._names_owed = True
                return b"[]"
            names = place_names(self._named_from, self._describe)
            self._names = json.dumps(names, ensure_ascii=False)
        return self._names.encode()

    @property
    def has_place_names(self) -> bool:
        """Whether the page has the place names of its events (or is about to get them
        with its data)."""
        return self._names is not None and not self._names_owed

    def set_place_names(self, rows_json: str) -> None:
        """The place names of the current events (the JSON text of :func:`place_names`),
        found off the GUI thread: the page prints them from its next draw."""
        self._names = rows_json
        if self._ready and self._names_owed:
            self._send_place_names()

    def _send_place_names(self) -> None:
        self._names_owed = False
        self.page_api.set_place_names(self._names or "[]")
        self.page_api.redraw()

    def detach(self) -> None:
        """Stop serving this view's page and data (its store is about to close): requests
        still in flight get a 404 instead of reading a closed store, and the page's
        calls still queued are dropped."""
        self._handler.remove_site(self._site)
        self.bridge.close()

    def load_page(self) -> None:
        self._ready = False
        self._served = False
        self._names_owed = False
        self._forget_buffer()
        self._handler.forget_parts(self._site)
        self._rows_sent = None
        self.load(QUrl(f"{SCHEME}://{self._site}/{PAGE_PATH}"))

    def _forget_buffer(self) -> None:
        self._rows = None
        self._pending = None
        self._buffer_ids = None
        self._named_from = None
        self._present = None

    @property
    def categories(self) -> tuple[Category, ...]:
        """The categories of the buffer's codes, as the legend lists them."""
        return self._spec.categories

    def set_categories(self, categories: tuple[Category, ...]) -> None:
        """The categories of the next buffer's codes (the page learns them as it loads)."""
        self._spec = dataclasses.replace(self._spec, categories=tuple(categories))

    def reload_events(self) -> None:
        """The store changed: load the page again with the new events, keeping the view.

        A page still waiting for its events is not loaded again: its request gets the
        new ones.
        """
        self._names = None
        self._forget_buffer()
        self._spec = dataclasses.replace(
            self._spec, window=(self._state.window.start, self._state.window.end)
        )
        if self._served:
            self.load_page()
        else:
            self._handler.answer_waiting(self._site)

    def refresh_events(self, changed: Sequence[int] = ()) -> None:
        """The store's events changed (an edit of the events ``changed``): the page
        fetches the new events and draws them, without loading again; view, window,
        filter, selection and place names stay. :attr:`eventsRefreshed` tells when they
        are drawn."""
        self._forget_buffer()
        if not self._ready:
            # A page still loading may have fetched the old events already.
            self.reload_events()
            return
        self._revision += 1
        # Taken now, so the filter's rows below are rows of the buffer the page fetches.
        self._taken()
        mask, rows = self._filter_arguments(self._state.filter) or (None, None)
        names = [
            [row["id"], row["place"], row.get("place_kind")]
            for row in self._describe(list(changed))
            if row.get("place")
        ]
        self.page_api.reload_events(self._revision, mask, rows, names)

    def _on_events_reloaded(self, revision: int) -> None:
        if revision == self._revision:
            self._send_selection()
            self.eventsRefreshed.emit()

    def choose_point(self, on: bool = True) -> None:
        """Let the next click on the map choose a point (:attr:`pointPicked`), not a marker."""
        self.page_api.set_pick_point(on)

    @property
    def online_layer(self) -> str | None:
        """The key of the online layer shown, if any."""
        return self._spec.online_layer

    @property
    def mbtiles(self) -> MBTiles | None:
        """The local MBTiles file shown as the base layer, if any."""
        return self._mbtiles

    def set_online_layer(self, key: str | None) -> None:
        """Show the online layer ``key`` (or none); it replaces a local MBTiles layer."""
        self._replace_mbtiles(None)
        self._spec = dataclasses.replace(self._spec, online_layer=key, mbtiles=None)
        self.load_page()

    def set_mbtiles(self, tiles: MBTiles | None) -> None:
        """Show ``tiles`` as the base layer (instead of any online layer) and own it."""
        self._replace_mbtiles(tiles)
        self._spec = dataclasses.replace(
            self._spec,
            online_layer=None if tiles is not None else self._spec.online_layer,
            mbtiles=_page_layer(tiles),
        )
        self.load_page()

    def _replace_mbtiles(self, tiles: MBTiles | None) -> None:
        old, self._mbtiles = self._mbtiles, tiles
        if old is not None and old is not tiles:
            old.close()

    def _tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        tiles = self._mbtiles
        if tiles is None:
            return None
        try:
            data = tiles.tile(z, x, y)
        except sqlite3.Error:
            # The file changed or went away under us: an empty tile, not a stuck request.
            return None
        return (data, tiles.mime_type) if data is not None else None

    @property
    def fade(self) -> bool:
        """Whether older events in the window are drawn paler."""
        return self._spec.fade

    def set_fade(self, on: bool) -> None:
        """Draw older events paler (or not), now and in every later load of the page."""
        self._spec = dataclasses.replace(self._spec, fade=bool(on))
        self.page_api.set_fade(on)

    @property
    def mark_style(self) -> str:
        """How events are drawn: one of :data:`~desktop_app.mapgen.page.MARK_STYLES`."""
        return self._spec.mark_style

    def set_mark_style(self, style: str) -> None:
        """Draw events as ``style`` now and in every later load of the page."""
        if style not in MARK_STYLES:
            raise ValueError(f"unknown mark style: {style!r}")
        self._spec = dataclasses.replace(self._spec, mark_style=style)
        self.page_api.set_mark_style(style)

    @property
    def halos(self) -> bool:
        """Whether places known only roughly wear a halo of the ground they may cover."""
        return self._spec.halos

    def set_halos(self, on: bool) -> None:
        """Draw the places' halos (or not), now and in every later load of the page."""
        self._spec = dataclasses.replace(self._spec, halos=bool(on))
        self.page_api.set_halos(on)

    @property
    def look(self) -> MapLook:
        """How the page draws the events now (what an export of this view copies)."""
        return MapLook(self.fade, self.halos, self.mark_style)

    def remember_view(self, view: dict) -> None:
        """Keep the map's centre and zoom for the next load of the page."""
        self._spec = dataclasses.replace(
            self._spec, center=(float(view["lat"]), float(view["lon"])), zoom=int(view["zoom"])
        )

    def _run_js(self, code: str, callback: Callable | None = None) -> None:
        # Only PageApi writes the code: run it now, or as soon as the page says it is ready.
        if not self._ready:
            self._queue.append((code, callback))
            return
        self._run_now(code, callback)

    def _run_now(self, code: str, callback: Callable | None) -> None:
        if callback is None:
            self.page().runJavaScript(code)
        else:
            self.page().runJavaScript(code, 0, callback)

    def closeEvent(self, event) -> None:
        # A renderer that ends with its closing view is not a crash to recover from.
        self._closing = True
        super().closeEvent(event)

    def _on_renderer_gone(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, _code: int
    ) -> None:
        if (
            self._closing
            or status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus
        ):
            return
        # Calls into a dead page never return: queue them for the reloaded page instead.
        self._ready = False
        now = time.monotonic()
        if self._last_restart is not None and now - self._last_restart < RESTART_PERIOD_S:
            self._restarting = False
            self.pageFailed.emit(self.tr("its page stopped again right after a restart"))
            return
        self._last_restart = now
        self._restarting = True
        self._spec = dataclasses.replace(
            self._spec, window=(self._state.window.start, self._state.window.end)
        )
        self.load_page()

    def _on_page_ready(self) -> None:
        self._ready = True
        queued, self._queue = self._queue, []
        self._send_filter(self._state.filter)
        if self._area_mode:
            self.page_api.set_area_mode(True)
        if self._polygon_mode:
            self.page_api.set_polygon_mode(True)
        # A page loaded again outlines nothing until told.
        self._polygon_shown = ()
        self._show_polygon(self._state.filter)
        self._on_window_changed(self._state.window)
        self._on_selection_changed(self._state.selection)
        for code, callback in queued:
            self._run_now(code, callback)
        if self._names_owed and self._names is not None:
            self._send_place_names()
        if self._fit_when_ready:
            # Only the first time: afterwards the user's own view is kept.
            self._fit_when_ready = False
            self.page_api.fit_visible(FIT_TRIM)
        self.pageReady.emit()
        if self._restarting:
            self._restarting = False
            self.pageRestarted.emit()

    def _on_window_changed(self, window: TimeWindow) -> None:
        self.page_api.set_window(window.start, window.end)

    def _on_filter_changed(self, flt: Filter) -> None:
        if self._ready:
            self._send_filter(flt)
            self._show_polygon(flt)

    def _show_polygon(self, flt: Filter) -> None:
        if flt.polygon != self._polygon_shown:
            self._polygon_shown = flt.polygon
            self.page_api.show_polygon([list(c) for c in flt.polygon] or None)

    def _send_filter(self, flt: Filter) -> None:
        """Tell the page what ``flt`` shows: its categories as a bit mask, the rest of it as
        a bit per row of the page's buffer. The rows are found again only when the rest
        changed, so a tick of the legend costs the page one redraw and the store nothing."""
        mask = category_mask(flt.categories, self.categories) if flt.categories else None
        rest = dataclasses.replace(flt, categories=frozenset())
        if rest == self._rows_sent:
            self.page_api.set_categories(mask)
            return
        rows = None
        if not rest.is_empty and self._matching is not None:
            if self._rows is None:
                self._rows = self._row_lookup()
            try:
                ids = self._matching(rest)
            except FilterError as exc:
                # ViewState refuses unreadable filters; this is a store that failed under us.
                log.warning("the map could not apply the filter: %s", exc)
                return
            if ids is None:
                # Still being found: the page keeps the rows it shows until they are.
                self.page_api.set_categories(mask)
                return
            rows = self._rows.mask(ids)
        self._rows_sent = rest
        self.page_api.set_filter(mask, rows)

    def matches_found(self) -> None:
        """The events the filter lets through are known now (``matching`` said None
        before): the page shows them."""
        self._rows_sent = None
        if self._ready:
            self._send_filter(self._state.filter)

    def _filter_arguments(self, flt: Filter) -> tuple[int | None, str | None] | None:
        """What :meth:`PageApi.set_filter` says of ``flt``: its categories as a bit mask,
        the rest of it as a bit per row of the page's buffer (None: it cannot be said)."""
        mask = category_mask(flt.categories, self.categories) if flt.categories else None
        rest = dataclasses.replace(flt, categories=frozenset())
        if rest.is_empty or self._matching is None:
            return mask, None
        if self._rows is None:
            self._rows = self._row_lookup()
        try:
            ids = self._matching(rest)
        except FilterError as exc:
            # ViewState refuses unreadable filters; this is a store that failed under us.
            log.warning("the map could not apply the filter: %s", exc)
            return None
        # Still being found: matches_found sends them when they are.
        return None if ids is None else (mask, self._rows.mask(ids))

    def _on_legend_toggled(self, key: str, shown: bool) -> None:
        flt = self._state.filter
        every = self.present_categories()
        current = flt.categories or every
        chosen = current | {key} if shown else current - {key}
        # Every category ticked is no category filter; none ticked would show nothing at
        # all, so the last one cannot be unticked.
        wanted = dataclasses.replace(
            flt, categories=frozenset() if chosen >= every else (chosen or current)
        )
        if wanted == flt:
            mask = category_mask(flt.categories, self.categories) if flt.categories else None
            self.page_api.set_categories(mask)
            return
        self._state.set_filter(wanted)

    def present_categories(self) -> frozenset[str]:
        """The keys of the categories the page's events have: ticking all of them is no
        category filter, and unticking one filters by the others alone."""
        self._taken()
        return self._present or frozenset()

    def _row_lookup(self) -> RowLookup:
        self._taken()
        ids = self._buffer_ids
        return RowLookup(np.zeros(0, np.int64) if ids is None else ids)

    @property
    def area_mode(self) -> bool:
        """Whether a plain drag on the map chooses an area instead of panning."""
        return self._area_mode

    def set_area_mode(self, on: bool) -> None:
        """Let a plain drag choose an area (Shift+drag always does), until one is chosen."""
        on = bool(on)
        if on and self._polygon_mode:
            self.set_polygon_mode(False)
        if on != self._area_mode:
            self._area_mode = on
            self.page_api.set_area_mode(on)
            self.areaModeChanged.emit(on)

    @property
    def polygon_mode(self) -> bool:
        """Whether clicks on the map draw a polygon to choose an area."""
        return self._polygon_mode

    def set_polygon_mode(self, on: bool) -> None:
        """Let clicks on the map draw a polygon (see ``EventAtlas.setPolygonMode``), until
        one is drawn or given up; it and the rectangle's mode exclude each other."""
        on = bool(on)
        if on and self._area_mode:
            self.set_area_mode(False)
        if on != self._polygon_mode:
            self._polygon_mode = on
            self.page_api.set_polygon_mode(on)
            self.polygonModeChanged.emit(on)

    def _on_polygon_chosen(self, corners: tuple[tuple[float, float], ...]) -> None:
        self.set_polygon_mode(False)
        try:
            # One area at a time: the polygon replaces a rectangle chosen before.
            flt = dataclasses.replace(self._state.filter, polygon=corners, bbox=None)
        except FilterError as exc:
            log.warning("the polygon drawn cannot be a filter: %s", exc)
            return
        self._state.set_filter(flt)

    def _on_area_chosen(self, area: tuple[float, float, float, float]) -> None:
        self.set_area_mode(False)
        try:
            flt = dataclasses.replace(self._state.filter, bbox=area, polygon=())
        except FilterError as exc:
            log.warning("the map's area cannot be a filter: %s", exc)
            return
        self._state.set_filter(flt)

    def _on_selection_changed(self, _ids: tuple[int, ...]) -> None:
        self._send_selection()

    def _on_current_changed(self, event_id: int | None) -> None:
        self._send_selection()
        if event_id is not None:
            self.page_api.fly_to(event_id)

    def _send_selection(self) -> None:
        ids = list(self._state.selection)
        current = self._state.current
        ordered = ([current] if current is not None else []) + [i for i in ids if i != current]
        titles = [row["title"] for row in self._describe(ordered[:1])] if ordered else []
        self.page_api.set_selection(ordered, titles)

    def _on_clicked(self, ids: list[int]) -> None:
        self._state.select(ids)


def place_names(
    arrays: EventArrays,
    describe: Callable[[list[int]], list[dict]],
    limit: int = MAX_NAMED_PLACES,
) -> list[list]:
    """One ``[event id, place name, place kind]`` per place of the events ``arrays``
    (places are coordinates, as the page groups them), the busiest ``limit`` places first."""
    placed = ~(np.isnan(arrays.lat) | np.isnan(arrays.lon))
    if not placed.any():
        return []
    # One integer per place from the float32 bits, as the page tells places apart: a
    # unique over one column is many times faster than over rows of two.
    lat = np.ascontiguousarray(arrays.lat[placed], np.float32).view(np.uint32).astype(np.uint64)
    lon = np.ascontiguousarray(arrays.lon[placed], np.float32).view(np.uint32).astype(np.uint64)
    _, first, counts = np.unique((lat << 32) | lon, return_index=True, return_counts=True)
    busiest = first[np.argsort(-counts, kind="stable")][:limit]
    ids = [int(i) for i in arrays.ids[placed][busiest]]
    return [
        [row["id"], row["place"], row.get("place_kind")]
        for row in describe(ids)
        if row.get("place")
    ]


def category_mask(keys: frozenset[str], categories: tuple[Category, ...] = CATEGORIES) -> int:
    """The page's bit mask of the categories ``keys`` (bit ``c`` for ``categories[c]``)."""
    codes = {c.key: k for k, c in enumerate(categories)}
    mask = 0
    for key in keys:
        # An unknown key is drawn as "Other" by the page, but a filter for it is not one
        # for "Other": it matches nothing, as in the store.
        if key in codes:
            mask |= 1 << codes[key]
    return mask


def buffer_ids(payload: bytes) -> np.ndarray:
    """The event ids of the page's buffer, in its row order (see mapgen/payload.py)."""
    return buffer_column(payload, "ids").copy()


class RowLookup:
    """The page's row of each event id, to turn matching ids into the page's row mask.

    Parameters
    ----------
    row_ids
        The event ids in the page's row order (:func:`buffer_ids`).
    """

    def __init__(self, row_ids: np.ndarray) -> None:
        self.row_ids = row_ids
        self._rows = RowsById(row_ids)

    def mask(self, ids: np.ndarray) -> str:
        """Base64 of one bit per row (row ``i`` in bit ``i % 8`` of byte ``i // 8``), set
        where the row's id is among ``ids``."""
        passes = np.zeros(len(self.row_ids), bool)
        passes[self._rows.rows_of(ids)] = True
        return _packed(passes)


def _packed(passes: np.ndarray) -> str:
    return base64.b64encode(np.packbits(passes, bitorder="little").tobytes()).decode("ascii")


def _page_layer(tiles: MBTiles | None) -> MBTilesLayer | None:
    """What the page may know of ``tiles``: names and zooms, never the file's path."""
    if tiles is None:
        return None
    return MBTilesLayer(
        name=tiles.name,
        attribution=tiles.attribution,
        min_zoom=tiles.min_zoom,
        max_zoom=tiles.max_zoom,
        bounds=tiles.bounds,
        revision=next(_tile_revisions),
    )
