"""The ``atlas:`` URL scheme: how the map page gets Leaflet, our scripts and its data.

Nothing the page loads comes from the network: Leaflet from the installed
``xstatic-leaflet`` package, the page's own scripts from ``resources/web``, the event
buffer, the names of its places, the basemap and the tiles of a local MBTiles file from
the app. The scheme must be registered before the QApplication exists (:func:`register_scheme`).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import xstatic.pkg.leaflet
from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from shiboken6 import isValid

from desktop_app.mapgen.addresses import (
    BASEMAP_PATH,
    EVENT_PARTS,
    EVENTS_PATH,
    MBTILES_PATH,
    PAGE_PATH,
    PLACES_PATH,
    QWEBCHANNEL_PATH,
    SCHEME,
)
from desktop_app.mapgen.payload import part_bounds
from desktop_app.paths import data_dir, resources_dir

_registered = False

#: Gives a tile and its mime type for XYZ ``(z, x, y)``, or None where there is none.
TileSource = Callable[[int, int, int], "tuple[bytes, str] | None"]

_log = logging.getLogger(__name__)


class _Site(NamedTuple):
    page_html: Callable[[], str]
    # None while the events are still being read: the page's request waits for them.
    events: Callable[[], bytes | None]
    tiles: TileSource | None = None
    places: Callable[[], bytes] | None = None


def register_scheme() -> None:
    """Declare the ``atlas:`` scheme to QtWebEngine (once, before the QApplication)."""
    global _registered
    if _registered:
        return
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered = True


def _qt_resource(name: str) -> bytes:
    file = QFile(name)
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(name)
    try:
        return bytes(file.readAll().data())
    finally:
        file.close()


def _tile_address(path: str) -> tuple[int, int, int] | None:
    """``(z, x, y)`` from ``tiles/mbtiles/{z}/{x}/{y}``, or None for any other path."""
    parts = path.removeprefix(MBTILES_PATH + "/").split("/")
    if not path.startswith(MBTILES_PATH + "/") or len(parts) != 3:
        return None
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    z, x, y = (int(part) for part in parts)
    return z, x, y


def _event_part(query: str) -> tuple[int, int] | None:
    """``(K, N)`` of ``part=K&of=N`` (part K of N of the event buffer), or None for the
    whole buffer."""
    fields = dict(item.partition("=")[::2] for item in query.split("&") if item)
    part, count = fields.get("part", ""), fields.get("of", "")
    if not (part.isascii() and part.isdigit() and count.isascii() and count.isdigit()):
        return None
    k, n = int(part), int(count)
    return (k, n) if 0 <= k < n <= EVENT_PARTS else None


class _Parts(NamedTuple):
    """An event buffer being served in parts, and the parts not asked for yet."""

    payload: bytes
    left: set[int]


def _inside(base: Path, relative: str) -> Path | None:
    """``base / relative`` if it stays inside ``base`` (no ``..`` escapes)."""
    target = (base / relative).resolve()
    return target if target.is_relative_to(base.resolve()) and target.is_file() else None


class AtlasSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``atlas://<site>/...`` requests from files we ship and data the app provides.

    Each map view registers a site (a host name) with the functions that give its page,
    its event buffer and, optionally, its local tiles, so several views can share one web
    profile. A site whose events are still being read answers None for them: the page's
    request then waits until :meth:`answer_waiting` (the page loads meanwhile).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sites: dict[str, _Site] = {}
        #: The event buffer of each site whose page is fetching it in parts: kept until
        #: every part was asked for (the view hands it over once).
        self._parts: dict[str, _Parts] = {}
        #: Requests for events not read yet, by site, answered by answer_waiting.
        self._waiting: dict[str, list[QWebEngineUrlRequestJob]] = {}
        self._folders = {
            "vendor/leaflet/": Path(xstatic.pkg.leaflet.BASE_DIR),
            "web/": resources_dir() / "web",
        }

    def add_site(
        self,
        host: str,
        page_html: Callable[[], str],
        events: Callable[[], bytes | None],
        tiles: TileSource | None = None,
        places: Callable[[], bytes] | None = None,
    ) -> None:
        self._sites[host] = _Site(page_html, events, tiles, places)

    def remove_site(self, host: str) -> None:
        self._sites.pop(host, None)
        self._parts.pop(host, None)
        for job in self._waiting.pop(host, []):
            if isValid(job):
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def forget_parts(self, host: str) -> None:
        """Forget the buffer whose parts ``host``'s page was fetching: the page loads
        again, and its parts must come from the buffer it is given then."""
        self._parts.pop(host, None)

    def answer_waiting(self, host: str) -> None:
        """Answer the requests of ``host`` that wait for its events (they are read now)."""
        for job in self._waiting.pop(host, []):
            # A page that went away (reloaded, closed) took its request with it.
            if isValid(job):
                try:
                    self.requestStarted(job)
                except RuntimeError:
                    _log.debug("atlas: a waiting request went away", exc_info=True)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        site = self._sites.get(url.host())
        path = url.path().lstrip("/")
        try:
            if site is not None and path == EVENTS_PATH:
                found = self._events(url.host(), site, _event_part(url.query()))
            else:
                found = self._content(site, path) if site else None
            if site is not None and path == EVENTS_PATH and found is not None and found[0] is None:
                # Asked once: the view may hand its buffer over as it answers.
                self._waiting.setdefault(url.host(), []).append(job)
                return
        except Exception:
            # A request that outlives its data (the window closing, its store closed) or
            # a file that went away: the page gets a 404, the log says why.
            _log.debug("atlas: cannot serve %s", url.toString(), exc_info=True)
            found = None
        if found is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        body, mime = found
        buffer = QBuffer(job)
        buffer.setData(QByteArray(body))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime.encode(), buffer)

    def _events(
        self, host: str, site: _Site, part: tuple[int, int] | None
    ) -> tuple[bytes | None, str]:
        """The event buffer of ``site``, or its ``part`` ``(K, N)``; None for the body
        while the events are still being read."""
        mime = "application/octet-stream"
        if part is None:
            return site.events(), mime
        k, n = part
        kept = self._parts.get(host)
        if kept is None or k not in kept.left or len(kept.left) > n:
            # The first part asked for (or one asked again: a page loading anew).
            payload = site.events()
            if payload is None:
                return None, mime
            kept = self._parts[host] = _Parts(payload, set(range(n)))
        kept.left.discard(k)
        if not kept.left:
            del self._parts[host]
        start, end = part_bounds(kept.payload, n)[k]
        return kept.payload[start:end], mime

    def _content(self, site: _Site, path: str) -> tuple[bytes | None, str] | None:
        page_html, _events, tiles, places = site
        if path.startswith(MBTILES_PATH + "/"):
            # A tile the file does not have is a 404, which Leaflet leaves empty.
            address = _tile_address(path)
            return tiles(*address) if tiles is not None and address is not None else None
        if path == PAGE_PATH:
            return page_html().encode("utf-8"), "text/html;charset=utf-8"
        if path == PLACES_PATH:
            return (places() if places is not None else b"[]"), "application/json"
        if path == BASEMAP_PATH:
            return (data_dir() / "basemap" / "countries.geojson").read_bytes(), "application/json"
        if path == QWEBCHANNEL_PATH:
            return _qt_resource(":/qtwebchannel/qwebchannel.js"), "text/javascript"
        for prefix, folder in self._folders.items():
            if path.startswith(prefix):
                target = _inside(folder, path.removeprefix(prefix))
                if target is None:
                    return None
                mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if mime == "application/javascript":
                    mime = "text/javascript"
                return target.read_bytes(), mime
        return None
