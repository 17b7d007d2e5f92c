"""The web profile every map view shares: our URL scheme and a disk cache for online tiles."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWebEngineCore import QWebEngineProfile

from desktop_app.mapgen.page import SCHEME
from desktop_app.paths import user_cache_dir
from desktop_app.ui.map.scheme import AtlasSchemeHandler

_profile: QWebEngineProfile | None = None
_handler: AtlasSchemeHandler | None = None


def atlas_profile() -> tuple[QWebEngineProfile, AtlasSchemeHandler]:
    """The app's persistent profile (created on first use) and its scheme handler.

    A named profile keeps QtWebEngine's HTTP cache on disk, so online tiles seen once
    still draw when the network is gone.
    """
    global _profile, _handler
    if _profile is None:
        app = QCoreApplication.instance()
        profile = QWebEngineProfile("event-atlas", app)
        cache = user_cache_dir() / "web"
        profile.setCachePath(str(cache / "cache"))
        profile.setPersistentStoragePath(str(cache / "storage"))
        profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.DiskHttpCache)
        profile.setHttpCacheMaximumSize(512 * 1024 * 1024)
        profile.setHttpUserAgent(f"{profile.httpUserAgent()} EventAtlas")
        handler = AtlasSchemeHandler(app)
        profile.installUrlSchemeHandler(SCHEME.encode(), handler)
        _profile, _handler = profile, handler
    return _profile, _handler
