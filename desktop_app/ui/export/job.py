"""Writing an export to disk from the window or the command line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from desktop_app.core.window import TimeWindow
from desktop_app.ingest.exporters import atomic_output
from desktop_app.mapgen.page import ONLINE_LAYERS
from desktop_app.mapgen.standalone import OnlineTiles, PageTexts, build_html
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import window_in_words


def tr(text: str) -> str:
    return QCoreApplication.translate("StandaloneExport", text)


def online_tiles(layer: str | None) -> OnlineTiles | None:
    """The tiles of the online base layer ``layer`` (a key of ``ONLINE_LAYERS``), if any."""
    provider = ONLINE_LAYERS.get(layer or "")
    if provider is None:
        return None
    return OnlineTiles(provider.build_url(), provider.get("attribution", ""))


def write_standalone_html(
    path: str | Path,
    store: EventStore,
    window: TimeWindow,
    *,
    title: str,
    online_layer: str | None = None,
) -> int:
    """Write the standalone page of ``window``'s events; returns how many markers.

    The page asks nothing of the network unless ``online_layer`` names online tiles.
    """
    texts = PageTexts(
        sources=tr("Sources:"),
        article=tr("Article:"),
        outlines=tr("Natural Earth"),
        more_events=tr("%1 more events are not shown (file size)."),
    )
    html, count = build_html(
        store.events_between(window),
        title,
        window_in_words(window),
        tiles=online_tiles(online_layer),
        texts=texts,
    )
    with atomic_output(path) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return count
