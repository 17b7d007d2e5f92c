"""The names the map page and the app share: the URL scheme, the paths the app serves
under it, and the ids of the page's data blocks."""

from __future__ import annotations

SCHEME = "atlas"
# Paths relative to the page, so that each map view can be served from its own host.
PAGE_PATH = "map.html"
EVENTS_PATH = "data/events.bin"
#: The page fetches the event buffer in this many parts side by side,
#: ``data/events.bin?part=K&of=N``: each request gets its own pipe from the app, and
#: one pipe carries a million events' 26 MB several times slower than four.
EVENT_PARTS = 4
#: The names of the events' places, as JSON ``[[event id, place name, place kind], ...]``.
PLACES_PATH = "data/places.json"
BASEMAP_PATH = "data/basemap.geojson"
QWEBCHANNEL_PATH = "qwebchannel.js"
#: Where the page asks for the tiles of a local MBTiles file: ``tiles/mbtiles/{z}/{x}/{y}``.
MBTILES_PATH = "tiles/mbtiles"
#: The data blocks of the page: its settings, and the credit line of a local tile file.
CONFIG_ID = "atlas-config"
ATTRIBUTION_ID = "atlas-attribution"
