"""The map page: a folium scaffold that loads only local assets, plus our event layer.

folium renders the page once (map, scale bar, optional online tiles). Events never go
into the HTML: the page fetches them as one buffer and filters them itself, so the page
does not change when the user scrubs. Every script the page may run is either served
from the app's own URL scheme or an inline script folium wrote, allowed by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import folium
import xyzservices.providers as xyz
from branca.element import MacroElement
from jinja2 import Template

from desktop_app.core.categories import CATEGORIES

SCHEME = "atlas"
# Paths relative to the page, so that each map view can be served from its own host.
PAGE_PATH = "map.html"
EVENTS_PATH = "data/events.bin"
BASEMAP_PATH = "data/basemap.geojson"
QWEBCHANNEL_PATH = "qwebchannel.js"
#: Where the page asks for the tiles of a local MBTiles file: ``tiles/mbtiles/{z}/{x}/{y}``.
MBTILES_PATH = "tiles/mbtiles"

#: Online base layers the user may put above the offline outlines.
ONLINE_LAYERS = {
    "osm": xyz.OpenStreetMap.Mapnik,
    "positron": xyz.CartoDB.Positron,
    "dark_matter": xyz.CartoDB.DarkMatter,
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

    ``event_groups.js`` (decoding and grouping) loads before it: the layer uses it.

    Parameters
    ----------
    config
        JSON-able settings for the page: where to fetch events and the basemap, the
        categories' colours and shapes, the first time window.

    Examples
    --------
    >>> m = AtlasMap(tiles=None)
    >>> EventLayer({"window": [0, 1]}).add_to(m)  # doctest: +SKIP
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            EventAtlas.start({{ this._parent.get_name() }}, {{ this.config | tojson }});
        {% endmacro %}
        """
    )

    default_js = [
        ("qwebchannel", QWEBCHANNEL_PATH),
        ("event_groups", "web/event_groups.js"),
        ("event_api", "web/event_api.js"),
        ("event_draw", "web/event_draw.js"),
        ("event_layer", "web/event_layer.js"),
    ]

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "EventLayer"
        self.config = config

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


@dataclass(frozen=True)
class PageSpec:
    """What the map page starts with."""

    window: tuple[float, float]
    center: tuple[float, float] = (48.5, 32.0)
    zoom: int = 5
    online_layer: str | None = None
    fade: bool = True
    extra: dict = field(default_factory=dict)
    mbtiles: MBTilesLayer | None = None


def add_mbtiles_layer(fmap: folium.Map, layer: MBTilesLayer) -> folium.TileLayer:
    """Put ``layer`` on ``fmap`` as a tile layer fetched from the app's scheme."""
    # The attribution comes from a file someone else made, and Leaflet's attribution
    # control sets it as HTML: escaped, it can only ever read as text.
    attribution = html.escape(plain_text(layer.attribution or layer.name or "MBTiles"))
    options: dict = {}
    if layer.bounds is not None:
        west, south, east, north = layer.bounds
        options["bounds"] = [[south, west], [north, east]]
    tiles = folium.TileLayer(
        tiles=f"{MBTILES_PATH}/{{z}}/{{x}}/{{y}}?v={int(layer.revision)}",
        attr=attribution,
        name=layer.name or "MBTiles",
        min_zoom=layer.min_zoom,
        max_zoom=19,
        # A missing tile is the file's business, not a network failure to report.
        atlas_local=True,
        **options,
    )
    # Set after construction: folium reads a max_native_zoom of 0 as "not given".
    tiles.options["max_native_zoom"] = layer.max_zoom
    tiles.options["min_zoom"] = layer.min_zoom
    return tiles.add_to(fmap)


def build_page(spec: PageSpec) -> str:
    """The HTML of the map page, with its Content-Security-Policy."""
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
    if spec.mbtiles is not None:
        add_mbtiles_layer(fmap, spec.mbtiles)
    config = {
        "events_url": EVENTS_PATH,
        "basemap_url": BASEMAP_PATH,
        "categories": [
            {"key": c.key, "label": c.label, "colour": c.colour, "shape": c.shape}
            for c in CATEGORIES
        ],
        "window": list(spec.window),
        "fade": spec.fade,
        **spec.extra,
    }
    EventLayer(config).add_to(fmap)
    return with_content_security_policy(fmap.get_root().render())


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def with_content_security_policy(html: str) -> str:
    """Add a CSP that lets only our scheme's scripts and these exact inline scripts run."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    policy = (
        "default-src 'none'; "
        f"script-src {SCHEME}: {hashes}; "
        f"style-src {SCHEME}: 'unsafe-inline'; "
        f"img-src {SCHEME}: data: https:; "
        f"connect-src {SCHEME}:; "
        f"font-src {SCHEME}:; "
        "base-uri 'none'; form-action 'none'"
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", "<head>\n    " + meta, 1)


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
