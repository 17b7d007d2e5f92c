"""A standalone HTML map of one window's events: one file that opens with no network.

The app's own page fetches its events from the ``atlas:`` scheme, which a file on disk
cannot do, so this is a separate folium map with one marker per event. folium renders
only the scaffold (the map and its scale bar). After it has rendered, Leaflet (and the
marker-cluster plugin) from the installed xstatic packages, the offline country
outlines, the events as a JSON data block and our script ``resources/web/standalone.js``
are put into the page; no event text ever passes through a template. A
Content-Security-Policy lets only those exact inline scripts run, and images load only
from the page itself unless the user chose online tiles.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cache
from html import escape as html_escape
from pathlib import Path

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

from desktop_app.core.categories import CATEGORIES, category_code
from desktop_app.core.event import UNCERTAINTY_METRES, Event
from desktop_app.mapgen.embed import (
    ContentPolicy,
    data_block,
    inline_script,
    insert_at_end,
    insert_in_head,
    tile_host_source,
)
from desktop_app.mapgen.page import DEFAULT_CENTER
from desktop_app.paths import data_dir, resources_dir

#: Above this many events the markers are clustered (one DOM node per event is slow).
CLUSTER_AT = 2000
#: At most this many events go into one file; the rest are left out, and the page says so.
MAX_EVENTS = 50_000
#: The deepest zoom the page offers (the marker-cluster plugin needs the map to have one).
MAX_ZOOM = 18
DATA_ID = "atlas-standalone"


@dataclass(frozen=True)
class OnlineTiles:
    """Online tiles drawn over the outlines: a URL template and its credit (plain text)."""

    url: str
    attribution: str


@dataclass(frozen=True)
class PageTexts:
    """The page's own words, given by the caller in the user's language."""

    sources: str = "Sources:"
    article: str = "Article:"
    outlines: str = "Natural Earth"
    more_events: str = "%1 more events are not shown (file size)."
    halo: str = "Shaded ring: how precisely the place is known"


def _read(folder: str | Path, name: str) -> str:
    return (Path(folder) / name).read_text(encoding="utf-8")


def _inline_css(css: str, folder: Path) -> str:
    """CSS with its ``url(images/...)`` replaced by data URIs, so nothing is fetched."""

    def data_uri(match: re.Match) -> str:
        target = folder / match.group(1)
        if not target.is_file():
            return match.group(0)
        kind = "svg+xml" if target.suffix == ".svg" else target.suffix.lstrip(".")
        return f"url(data:image/{kind};base64,{base64.b64encode(target.read_bytes()).decode()})"

    return re.sub(r"url\(['\"]?(images/[^'\")]+)['\"]?\)", data_uri, css)


@cache
def standalone_map_class() -> type:
    """The folium map with no CDN links (every asset is inlined by :func:`build_html`),
    made on first use: folium is imported only when a page is exported, not at start."""
    import folium

    class StandaloneMap(folium.Map):
        """A folium map with no CDN links: every asset is inlined by :func:`build_html`."""

        default_js: list = []
        default_css: list = []

    return StandaloneMap


SHAPE_SVG = {
    "circle": '<circle cx="9" cy="9" r="6.5"/>',
    "triangle": '<path d="M9 1.5 L16 14.5 L2 14.5 Z"/>',
    "square": '<rect x="3" y="3" width="12" height="12"/>',
    "diamond": '<path d="M9 1 L17 9 L9 17 L1 9 Z"/>',
    "cross": '<path d="M6.5 2h5v4.5H16v5h-4.5V16h-5v-4.5H2v-5h4.5z"/>',
    "star": (
        '<path d="M9.0 1.4 L11.1 6.7 L16.8 7.1 L12.4 10.7 L13.8 16.2 L9.0 13.2 L4.2 16.2'
        ' L5.6 10.7 L1.2 7.1 L6.9 6.7 Z"/>'
    ),
}
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def shape_svg(shape: str, colour: str, size: int = 18) -> str:
    """A category's marker as inline SVG (the same shapes the map page draws)."""
    if not _COLOUR.fullmatch(colour):
        raise ValueError(f"not a colour: {colour!r}")
    body = SHAPE_SVG.get(shape, SHAPE_SVG["circle"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(size)}" height="{int(size)}" '
        f'viewBox="0 0 18 18"><g fill="{colour}" stroke="#fff" stroke-width="1.5">'
        f"{body}</g></svg>"
    )


STYLE = """
.ea-marker { background: none; border: none; }
.ea-legend { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 4px;
  font: 13px/1.45 system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 320px; }
.ea-legend svg { vertical-align: -4px; }
.ea-title { font-weight: 700; font-size: 15px; }
.ea-note { color: #8a4b00; }
.ea-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #ccc; }
.ea-date, .ea-place, .ea-article { color: #555; }
"""


def _record(event: Event) -> dict:
    article = event.article
    return {
        "lat": float(event.place.lat),
        "lon": float(event.place.lon),
        "cat": category_code(event.category),
        "title": event.title,
        "date": event.display_date or event.start,
        "place": event.place.name,
        # The ground its place may cover (metres, 0 for none): drawn as a halo.
        "halo": UNCERTAINTY_METRES[event.place.precision],
        "excerpt": event.excerpt,
        "sources": list(event.sources),
        "article": ", ".join(p for p in (article.title, article.outlet) if p) if article else "",
    }


def build_html(
    events: list[Event],
    title: str,
    subtitle: str,
    *,
    tiles: OnlineTiles | None = None,
    texts: PageTexts | None = None,
) -> tuple[str, int]:
    """The page for ``events`` (those with a place), and how many markers it has."""
    texts = texts or PageTexts()
    placed = [e for e in events if e.place is not None]
    note = ""
    if len(placed) > MAX_EVENTS:
        note = texts.more_events.replace("%1", f"{len(placed) - MAX_EVENTS:,}")
        placed = placed[:MAX_EVENTS]
    # Clusters also keep events at one place apart (spiderfied on click), which plain
    # markers would stack into a single dot.
    spots = {(e.place.lat, e.place.lon) for e in placed}
    cluster = len(placed) > CLUSTER_AT or len(spots) < len(placed)
    fmap = standalone_map_class()(
        location=list(DEFAULT_CENTER), zoom_start=4, tiles=None, control_scale=True
    )
    fmap._id = "atlas"
    # With no tile layer folium gives the map no zoom limit, and clustering needs one.
    fmap.options["max_zoom"] = MAX_ZOOM
    counts = [0] * len(CATEGORIES)
    for e in placed:
        counts[category_code(e.category)] += 1
    basemap = json.loads((data_dir() / "basemap" / "countries.geojson").read_text("utf-8"))
    config = {
        "map": fmap.get_name(),
        "events": [_record(e) for e in placed],
        "categories": [
            {"label": c.label, "svg": shape_svg(c.shape, c.colour), "count": counts[i]}
            for i, c in enumerate(CATEGORIES)
        ],
        "cluster": cluster,
        "basemap": basemap,
        "tiles": {"url": tiles.url, "attribution": html_escape(tiles.attribution)}
        if tiles
        else None,
        "title": title,
        "subtitle": subtitle,
        "note": note,
        "texts": {
            "sources": texts.sources, "article": texts.article, "outlines": texts.outlines,
            "halo": texts.halo,
        },
    }
    page = fmap.get_root().render()

    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR)
    head = [
        f"<title>{html_escape(title)}</title>",
        f"<style>{_inline_css(_read(leaflet, 'leaflet.css'), leaflet)}{STYLE}</style>",
        inline_script(_read(leaflet, "leaflet.js")),
    ]
    if cluster:
        mc = Path(xstatic.pkg.leaflet_markercluster.BASE_DIR)
        css = _read(mc, "MarkerCluster.css") + _read(mc, "MarkerCluster.Default.css")
        head += [f"<style>{css}</style>", inline_script(_read(mc, "leaflet.markercluster.js"))]
    head.append(data_block(DATA_ID, config))
    page = insert_in_head(page, head)
    page = insert_at_end(page, [inline_script(_read(resources_dir() / "web", "standalone.js"))])
    images: tuple[str, ...] = ("data:",)
    if tiles is not None:
        images += (tile_host_source(tiles.url),)
    return ContentPolicy(image_sources=images).apply(page), len(placed)
