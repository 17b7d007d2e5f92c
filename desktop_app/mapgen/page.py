"""The map page: a folium scaffold that loads only local assets, plus our event layer.

folium renders the page's scaffold (map, scale bar, optional online tiles:
:mod:`.folium_page`), which is kept in the user's cache and rendered again only when
something it depends on changed (:mod:`.scaffold`). Events never go into the HTML: the
page fetches them as one buffer and filters them itself, so the page does not change
when the user scrubs. Every script the page may run is either served from the app's own
URL scheme or an inline script folium wrote, allowed by its hash.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import __version__
from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.event import PLACE_PRECISIONS, UNCERTAINTY_METRES
from desktop_app.lazy import on_first_use
from desktop_app.mapgen.addresses import (
    ATTRIBUTION_ID,
    BASEMAP_PATH,
    CONFIG_ID,
    EVENT_PARTS,
    EVENTS_PATH,
    PLACES_PATH,
    SCHEME,
)
from desktop_app.mapgen.embed import ContentPolicy, data_block, insert_in_head, tile_host_source
from desktop_app.mapgen.scaffold import kept_scaffold
from desktop_app.paths import user_cache_dir

if TYPE_CHECKING:
    import xyzservices
    from xyzservices import TileProvider
else:
    # Read only for an online base layer: a start on the offline outlines goes without.
    xyzservices = on_first_use("xyzservices")


class OnlineLayers(MutableMapping):
    """The online base layers by key: xyzservices' provider of each, found in its
    catalogue (``"Esri.WorldImagery"``) when first read.

    Parameters
    ----------
    names
        The catalogue name of each key's provider.
    """

    def __init__(self, names: dict[str, str]) -> None:
        self._names = dict(names)
        self._providers: dict[str, TileProvider] = {}

    def __getitem__(self, key: str) -> TileProvider:
        if key not in self._providers:
            name = self._names[key]
            self._providers[key] = xyzservices.providers.query_name(name)
        return self._providers[key]

    def __setitem__(self, key: str, provider: TileProvider) -> None:
        self._names[key] = provider.name
        self._providers[key] = provider

    def __delitem__(self, key: str) -> None:
        del self._names[key]
        self._providers.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


#: Online base layers the user may put above the offline outlines: only those that work
#: without an account or key (CARTO's now ask for one).
ONLINE_LAYERS = OnlineLayers({"osm": "OpenStreetMap.Mapnik", "imagery": "Esri.WorldImagery"})


@dataclass(frozen=True)
class MBTilesLayer:
    """A local MBTiles base layer as the page sees it: what to say and which zooms exist.

    The page never learns where the file is: the app serves its tiles under
    :data:`MBTILES_PATH`.

    Parameters
    ----------
    name
        The tileset's name.
    attribution
        Plain text from the file's metadata; it is escaped before it reaches the page.
    min_zoom, max_zoom
        The zooms the file has tiles for; beyond ``max_zoom`` Leaflet enlarges the last.
    bounds
        ``(west, south, east, north)`` in degrees, or None for the whole world.
    revision
        Changes when another file is chosen, so the page never shows a previous file's
        tiles from its image cache.
    """

    name: str
    attribution: str = ""
    min_zoom: int = 0
    max_zoom: int = 18
    bounds: tuple[float, float, float, float] | None = None
    revision: int = 0


#: How the map draws its events (resources/web/event_dots.js): "auto" draws a dense
#: window as dots and the rest as grouped marks; "groups" and "dots" always do one.
MARK_STYLES = ("auto", "groups", "dots")


@dataclass(frozen=True)
class MapLook:
    """How the page draws the events, as View ▸ sets it on screen and an export copies
    it: older events paler (``fade``), places known roughly with a halo (``halos``), and
    the marks (``mark_style``, one of :data:`MARK_STYLES`)."""

    fade: bool = True
    halos: bool = True
    mark_style: str = "auto"

    def __post_init__(self) -> None:
        if self.mark_style not in MARK_STYLES:
            raise ValueError(f"unknown mark style: {self.mark_style!r}")

#: Where the map opens with no view of its own to restore: central Ukraine, the middle of
#: the bundled dataset's region.
DEFAULT_CENTER = (48.5, 32.0)


@dataclass(frozen=True)
class PageSpec:
    """What the map page starts with."""

    window: tuple[float, float]
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: int = 5
    online_layer: str | None = None
    fade: bool = True
    mark_style: str = "auto"
    #: Whether places known only roughly (a town, a region) wear a halo of that much ground.
    halos: bool = True
    #: The legend's line that says what a halo means (the window gives it translated).
    halo_note: str = "Shaded ring: how precisely the place is known"
    mbtiles: MBTilesLayer | None = None
    #: The categories the legend lists and the markers are drawn in, by code (the
    #: palette, then the dataset's own).
    categories: tuple[Category, ...] = CATEGORIES


def page_policy(spec: PageSpec) -> ContentPolicy:
    """What the map page may load: our scheme, and the one online tile host chosen."""
    images: tuple[str, ...] = (f"{SCHEME}:", "data:")
    provider = ONLINE_LAYERS.get(spec.online_layer or "")
    if provider is not None:
        images += (tile_host_source(provider.build_url(fill_subdomain=False)),)
    return ContentPolicy(
        script_sources=(f"{SCHEME}:",),
        image_sources=images,
        connect_sources=(f"{SCHEME}:",),
        style_sources=(f"{SCHEME}:",),
        font_sources=(f"{SCHEME}:",),
    )


#: What a scaffold's rendering reads besides the spec: these packages, and these modules
#: of ours (by their source).
SCAFFOLD_PACKAGES = ("folium", "branca", "jinja2", "xstatic-leaflet", "xyzservices")
SCAFFOLD_SOURCES = ("folium_page.py", "page.py", "embed.py")
#: Changed when a kept scaffold means something else than before.
SCAFFOLD_FORMAT = 1


@functools.cache
def _package_versions() -> dict[str, str | None]:
    # Installed packages do not change while the app runs: read once, not every page.
    found: dict[str, str | None] = {}
    for name in SCAFFOLD_PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@functools.cache
def _source_digest() -> str:
    digest = hashlib.sha256()
    for name in SCAFFOLD_SOURCES:
        try:
            digest.update((Path(__file__).parent / name).read_bytes())
        except OSError:
            # An installation without sources: the app's version stands for them.
            digest.update(name.encode())
    return digest.hexdigest()


def scaffold_key_parts(spec: PageSpec) -> dict:
    """Everything the scaffold of ``spec`` depends on: the versions of the packages that
    render it, the source of the modules that drive them, and the base layer (an online
    provider's settings, or a local tile file's numbers). Never text from a store or a
    tile file: that goes into the page's data blocks, after the scaffold."""
    provider = ONLINE_LAYERS.get(spec.online_layer or "")
    tiles = spec.mbtiles
    return {
        "format": SCAFFOLD_FORMAT,
        "app": __version__,
        "sources": _source_digest(),
        "packages": dict(_package_versions()),
        "online": dict(provider) if provider is not None else None,
        "mbtiles": None
        if tiles is None
        else {
            "bounds": None if tiles.bounds is None else [float(v) for v in tiles.bounds],
            "min_zoom": int(tiles.min_zoom),
            "max_zoom": int(tiles.max_zoom),
            "revision": int(tiles.revision),
        },
    }


def scaffold_folder() -> Path:
    """Where rendered scaffolds are kept: the user's cache folder."""
    return user_cache_dir() / "pages"


def render_scaffold(spec: PageSpec, parts: dict | None = None) -> str:
    """The scaffold of ``spec`` rendered by folium now (folium is imported here, not
    at start), from its key's parts alone (``parts``, when already made)."""
    from desktop_app.mapgen.folium_page import render_scaffold as render

    parts = parts or scaffold_key_parts(spec)
    return render(ONLINE_LAYERS.get(spec.online_layer or ""), parts["mbtiles"])


def page_scaffold(spec: PageSpec) -> str:
    """The scaffold of ``spec``: the kept one, or one folium renders (and keeps) now."""
    parts = scaffold_key_parts(spec)
    return kept_scaffold(scaffold_folder(), parts, lambda: render_scaffold(spec, parts))


def assemble_page(scaffold: str, spec: PageSpec) -> str:
    """The map page of ``spec`` from its ``scaffold``: the data blocks (settings, a local
    tile file's credit) at the start of its head, and its Content-Security-Policy."""
    blocks = []
    if spec.mbtiles is not None:
        credit = plain_text(spec.mbtiles.attribution or spec.mbtiles.name or "MBTiles")
        blocks.append(data_block(ATTRIBUTION_ID, html.escape(credit)))
    config = {
        "events_url": EVENTS_PATH,
        "events_parts": EVENT_PARTS,
        "places_url": PLACES_PATH,
        "basemap_url": BASEMAP_PATH,
        "center": [float(spec.center[0]), float(spec.center[1])],
        "zoom": int(spec.zoom),
        "categories": [
            {"key": c.key, "label": c.label, "colour": c.colour, "shape": c.shape}
            for c in spec.categories
        ],
        "window": [float(spec.window[0]), float(spec.window[1])],
        "fade": bool(spec.fade),
        "mark_style": spec.mark_style if spec.mark_style in MARK_STYLES else "auto",
        "halos": bool(spec.halos),
        "halo_note": str(spec.halo_note),
        # The ground radius of each place precision, by the code the event buffer holds.
        "halo_metres": [UNCERTAINTY_METRES[p] for p in PLACE_PRECISIONS],
        "place_precisions": list(PLACE_PRECISIONS),
    }
    blocks.insert(0, data_block(CONFIG_ID, config))
    return page_policy(spec).apply(insert_in_head(scaffold, blocks))


def build_page(spec: PageSpec) -> str:
    """The HTML of the map page, with its data blocks and Content-Security-Policy."""
    return assemble_page(page_scaffold(spec), spec)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The text of an HTML fragment, tags dropped: tile files often credit their sources
    as ``<a href=...>OpenStreetMap</a>``, which should read as "OpenStreetMap"."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())
