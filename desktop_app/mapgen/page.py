"""The map page: a folium scaffold that loads only local assets, plus our event layer.

folium renders the page once (map, scale bar, optional online tiles). Events never go
into the HTML: the page fetches them as one buffer and filters them itself, so the page
does not change when the user scrubs. Every script the page may run is either served
from the app's own URL scheme or an inline script folium wrote, allowed by its hash.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser

import folium
import xyzservices.providers as xyz
from branca.element import MacroElement
from jinja2 import Template

from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.event import PLACE_PRECISIONS, UNCERTAINTY_METRES
from desktop_app.mapgen.embed import (
    ContentPolicy,
    data_block,
    insert_in_head,
    read_data_js,
    tile_host_source,
)

SCHEME = "atlas"
# Paths relative to the page, so that each map view can be served from its own host.
PAGE_PATH = "map.html"
EVENTS_PATH = "data/events.bin"
#: The names of the events' places, as JSON ``[[event id, place name, place kind], ...]``.
PLACES_PATH = "data/places.json"
BASEMAP_PATH = "data/basemap.geojson"
QWEBCHANNEL_PATH = "qwebchannel.js"
#: Where the page asks for the tiles of a local MBTiles file: ``tiles/mbtiles/{z}/{x}/{y}``.
MBTILES_PATH = "tiles/mbtiles"
#: The data blocks of the page: its settings, and the credit line of a local tile file.
CONFIG_ID = "atlas-config"
ATTRIBUTION_ID = "atlas-attribution"

#: Online base layers the user may put above the offline outlines: only those that work
#: without an account or key (CARTO's now ask for one).
ONLINE_LAYERS = {
    "osm": xyz.OpenStreetMap.Mapnik,
    "imagery": xyz.Esri.WorldImagery,
}


class AtlasMap(folium.Map):
    """A ``folium.Map`` whose Leaflet comes from the app's scheme, never from a CDN.

    The asset lists are this class's own, so other folium maps in the process are
    untouched.
    """

    default_js = [("leaflet", "vendor/leaflet/leaflet.js")]
    default_css = [
        ("leaflet_css", "vendor/leaflet/leaflet.css"),
        ("atlas_css", "web/atlas.css"),
    ]


class EventLayer(MacroElement):
    """Starts the event layer of ``resources/web/event_layer.js`` on its parent map.

    ``event_groups.js`` (decoding and grouping) loads before it: the layer uses it. The
    layer's settings are not part of this element: :func:`build_page` puts them in the
    page as a data block after folium has rendered it, and the script reads them there,
    so no value ever passes through a template.

    Examples
    --------
    >>> m = AtlasMap(tiles=None)
    >>> EventLayer().add_to(m)  # doctest: +SKIP
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            EventAtlas.start({{ this._parent.get_name() }}, """
        + read_data_js(CONFIG_ID)
        + """);
        {% endmacro %}
        """
    )

    default_js = [
        ("qwebchannel", QWEBCHANNEL_PATH),
        ("event_groups", "web/event_groups.js"),
        ("event_labels", "web/event_labels.js"),
        ("event_dots", "web/event_dots.js"),
        ("event_api", "web/event_api.js"),
        ("event_halos", "web/event_halos.js"),
        ("event_sprites", "web/event_sprites.js"),
        ("event_draw", "web/event_draw.js"),
        ("event_layer", "web/event_layer.js"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._name = "EventLayer"

    def render(self, **kwargs) -> None:
        if not isinstance(self._parent, folium.Map):
            raise ValueError("EventLayer can only be added to a folium Map")
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        super().render(**kwargs)


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


class LocalAttribution(MacroElement):
    """Credits a local tile file on its parent map, with text read from a data block.

    The credit comes from a file someone else made; it is escaped to plain text before
    it goes into the block, since Leaflet's attribution control sets it as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution("""
        + read_data_js(ATTRIBUTION_ID)
        + """);
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LocalAttribution"


def add_mbtiles_layer(fmap: folium.Map, layer: MBTilesLayer) -> folium.TileLayer:
    """Put ``layer`` on ``fmap`` as a tile layer fetched from the app's scheme.

    Only numbers reach folium; the file's name and credit line stay out of its templates.
    """
    options: dict = {}
    if layer.bounds is not None:
        west, south, east, north = (float(v) for v in layer.bounds)
        options["bounds"] = [[south, west], [north, east]]
    tiles = folium.TileLayer(
        tiles=f"{MBTILES_PATH}/{{z}}/{{x}}/{{y}}?v={int(layer.revision)}",
        attr=" ",
        name="MBTiles",
        min_zoom=int(layer.min_zoom),
        max_zoom=19,
        # A missing tile is the file's business, not a network failure to report.
        atlas_local=True,
        **options,
    )
    # folium insists on a credit; the real one is added from the data block.
    tiles.options.pop("attribution", None)
    # Set after construction: folium reads a max_native_zoom of 0 as "not given".
    tiles.options["max_native_zoom"] = int(layer.max_zoom)
    tiles.options["min_zoom"] = int(layer.min_zoom)
    tiles.add_to(fmap)
    LocalAttribution().add_to(fmap)
    return tiles


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


def build_page(spec: PageSpec) -> str:
    """The HTML of the map page, with its data blocks and Content-Security-Policy."""
    fmap = AtlasMap(
        location=list(spec.center),
        zoom_start=spec.zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        world_copy_jump=False,
        min_zoom=2,
    )
    fmap._id = "atlas"
    provider = ONLINE_LAYERS.get(spec.online_layer or "")
    if provider is not None:
        folium.TileLayer(tiles=provider, name=provider.name, max_zoom=19).add_to(fmap)
    blocks = []
    if spec.mbtiles is not None:
        add_mbtiles_layer(fmap, spec.mbtiles)
        credit = plain_text(spec.mbtiles.attribution or spec.mbtiles.name or "MBTiles")
        blocks.append(data_block(ATTRIBUTION_ID, html.escape(credit)))
    config = {
        "events_url": EVENTS_PATH,
        "places_url": PLACES_PATH,
        "basemap_url": BASEMAP_PATH,
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
    EventLayer().add_to(fmap)
    page = fmap.get_root().render()
    return page_policy(spec).apply(insert_in_head(page, blocks))


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
