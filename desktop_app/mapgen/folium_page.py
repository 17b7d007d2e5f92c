"""The folium half of the map page: the scaffold folium renders (map, scale bar, base
layers and the scripts that start our event layer), before any data goes in.

Importing folium (with branca, jinja2 and requests) costs a good part of a start, so
this module is imported only when a scaffold must be rendered: :mod:`.scaffold` keeps
the rendered one in the user's cache and :func:`~desktop_app.mapgen.page.build_page`
adds the data blocks and the Content-Security-Policy to it. What is rendered here
depends only on the parts of the scaffold's key
(:func:`~desktop_app.mapgen.page.scaffold_key_parts`).
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template
from xyzservices import TileProvider

from desktop_app.mapgen.addresses import (
    ATTRIBUTION_ID,
    CONFIG_ID,
    MBTILES_PATH,
    QWEBCHANNEL_PATH,
)
from desktop_app.mapgen.embed import read_data_js


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
    so no value ever passes through a template. The map's first centre and zoom are
    among them, so one rendered scaffold serves every view of the map.

    Examples
    --------
    >>> m = AtlasMap(tiles=None)
    >>> EventLayer().add_to(m)  # doctest: +SKIP
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (config) {
                {{ this._parent.get_name() }}.setView(config.center, config.zoom, {animate: false});
                EventAtlas.start({{ this._parent.get_name() }}, config);
            })("""
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
        ("event_arcs", "web/event_arcs.js"),
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


def add_mbtiles_layer(fmap: folium.Map, layer: dict) -> folium.TileLayer:
    """Put a local tile file on ``fmap`` as a tile layer fetched from the app's scheme;
    ``layer`` holds its numbers only (``bounds``, ``min_zoom``, ``max_zoom``,
    ``revision``): the file's name and credit line stay out of folium's templates."""
    options: dict = {}
    if layer["bounds"] is not None:
        west, south, east, north = (float(v) for v in layer["bounds"])
        options["bounds"] = [[south, west], [north, east]]
    tiles = folium.TileLayer(
        tiles=f"{MBTILES_PATH}/{{z}}/{{x}}/{{y}}?v={int(layer['revision'])}",
        attr=" ",
        name="MBTiles",
        min_zoom=int(layer["min_zoom"]),
        max_zoom=19,
        # A missing tile is the file's business, not a network failure to report.
        atlas_local=True,
        **options,
    )
    # folium insists on a credit; the real one is added from the data block.
    tiles.options.pop("attribution", None)
    # Set after construction: folium reads a max_native_zoom of 0 as "not given".
    tiles.options["max_native_zoom"] = int(layer["max_zoom"])
    tiles.options["min_zoom"] = int(layer["min_zoom"])
    # Names of our own instead of folium's random ones: the same key renders the same
    # page, byte for byte, and its scripts keep their hashes.
    tiles._id = "mbtiles"
    tiles.add_to(fmap)
    credit = LocalAttribution()
    credit._id = "credit"
    credit.add_to(fmap)
    return tiles


def render_scaffold(provider: TileProvider | None, mbtiles: dict | None) -> str:
    """The page folium renders with the online tile ``provider`` (an xyzservices
    provider) or the local tile file ``mbtiles`` (its numbers, see
    :func:`add_mbtiles_layer`) as its base layer, or neither: its scripts, no data.

    The map is made anywhere: the page's settings block says where it starts.
    """
    fmap = AtlasMap(
        location=[0.0, 0.0],
        zoom_start=2,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        world_copy_jump=False,
        min_zoom=2,
    )
    fmap._id = "atlas"
    if provider is not None:
        online = folium.TileLayer(tiles=provider, name=provider.name, max_zoom=19)
        online._id = "online"
        online.add_to(fmap)
    if mbtiles is not None:
        add_mbtiles_layer(fmap, mbtiles)
    layer = EventLayer()
    layer._id = "events"
    layer.add_to(fmap)
    return fmap.get_root().render()
