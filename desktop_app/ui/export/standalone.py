"""A standalone HTML map of one window's events: one file that opens with no network.

The app's own page fetches its events from the ``atlas:`` scheme, which a file on disk
cannot do, so this is a separate folium map with one marker per event. Leaflet (and the
marker-cluster plugin, for big windows) is inlined from the installed xstatic packages,
and so are the offline country outlines; OpenStreetMap tiles are added on top only when
a probe tile loads. Event text reaches the page as JSON and is put in the popups with
``textContent``: an excerpt can never become markup.
"""

from __future__ import annotations

import base64
import json
import re
from html import escape as html_escape
from pathlib import Path

import folium
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from branca.element import Element, MacroElement
from jinja2 import Template

from desktop_app.core.categories import CATEGORIES, category_code
from desktop_app.core.event import Event
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.exporters import atomic_output
from desktop_app.paths import data_dir
from desktop_app.store.event_store import EventStore

#: Above this many events the markers are clustered (one DOM node per event is slow).
CLUSTER_AT = 2000
#: At most this many events go into one file; the rest are left out, and the page says so.
MAX_EVENTS = 50_000
ONLINE_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ONLINE_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _read(folder: str, name: str) -> str:
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


def _script(text: str) -> str:
    # "</script" inside a script would end it early.
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


class StandaloneMap(folium.Map):
    """A folium map with no CDN links: every asset is inlined by :func:`build_html`."""

    default_js: list = []
    default_css: list = []


SHAPE_SVG = {
    "circle": '<circle cx="9" cy="9" r="6.5"/>',
    "triangle": '<path d="M9 1.5 L16 14.5 L2 14.5 Z"/>',
    "square": '<rect x="3" y="3" width="12" height="12"/>',
    "diamond": '<path d="M9 1 L17 9 L9 17 L1 9 Z"/>',
    "cross": '<path d="M6.5 2h5v4.5H16v5h-4.5V16h-5v-4.5H2v-5h4.5z"/>',
}


def shape_svg(shape: str, colour: str, size: int = 18) -> str:
    """A category's marker as inline SVG (the same shapes the map page draws)."""
    body = SHAPE_SVG.get(shape, SHAPE_SVG["circle"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 18 18"><g fill="{colour}" stroke="#fff" stroke-width="1.5">'
        f"{body}</g></svg>"
    )


class EventMarkers(MacroElement):
    """Markers with popups for the events in ``records`` (built in the page, as text)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          const map = {{ this._parent.get_name() }};
          const config = {{ this.config }};
          const outlines = L.geoJSON(config.basemap, {
            interactive: false, attribution: "Natural Earth",
            style: {color: "#8a8f98", weight: 0.8, fillColor: "#eceae4", fillOpacity: 1},
          }).addTo(map);
          map.getContainer().style.background = "#c9dbe6";
          const probe = new Image();
          probe.onload = function () {
            L.tileLayer(config.tiles, {attribution: config.tilesAttribution, maxZoom: 19,
                                        opacity: 0.85}).addTo(map);
          };
          probe.src = config.tiles.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0");
          const icons = config.categories.map((c) => L.divIcon({
            html: c.svg, className: "ea-marker", iconSize: [18, 18], iconAnchor: [9, 9],
            popupAnchor: [0, -8],
          }));
          function text(tag, value, cls) {
            const el = document.createElement(tag);
            el.textContent = value;
            if (cls) el.className = cls;
            return el;
          }
          function popup(e) {
            const box = document.createElement("div");
            box.className = "ea-popup";
            box.append(text("b", e.title), text("div", e.date, "ea-date"));
            if (e.place) box.append(text("div", e.place, "ea-place"));
            if (e.excerpt) box.append(text("blockquote", e.excerpt));
            if (e.sources.length) box.append(text("div", "Sources: " + e.sources.join("; ")));
            if (e.article) box.append(text("div", "Article: " + e.article, "ea-article"));
            return box;
          }
          const group = config.cluster ? L.markerClusterGroup() : L.layerGroup();
          const markers = [];
          for (const e of config.events) {
            const m = L.marker([e.lat, e.lon], {icon: icons[e.cat], title: e.title});
            m.bindPopup(() => popup(e), {maxWidth: 360});
            group.addLayer(m);
            markers.push(m);
          }
          group.addTo(map);
          window.eaMarkers = markers;
          if (markers.length) {
            map.fitBounds(L.latLngBounds(config.events.map((e) => [e.lat, e.lon])).pad(0.1),
                          {maxZoom: 9});
          }
          const legend = L.control({position: "bottomleft"});
          legend.onAdd = function () {
            const box = L.DomUtil.create("div", "ea-legend");
            box.append(text("div", config.title, "ea-title"), text("div", config.subtitle));
            for (const c of config.categories) {
              if (!c.count) continue;
              const row = document.createElement("div");
              row.innerHTML = c.svg;  // our own SVG constant, not data
              row.append(text("span", " " + c.label + " (" + c.count + ")"));
              box.append(row);
            }
            if (config.note) box.append(text("div", config.note, "ea-note"));
            return box;
          };
          legend.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "EventMarkers"
        # JSON is valid JavaScript; "</" is escaped so no string can end the script.
        self.config = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


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
        "lat": event.place.lat,
        "lon": event.place.lon,
        "cat": category_code(event.category),
        "title": event.title,
        "date": event.display_date or event.start,
        "place": event.place.name,
        "excerpt": event.excerpt,
        "sources": list(event.sources),
        "article": ", ".join(p for p in (article.title, article.outlet) if p) if article else "",
    }


def build_html(events: list[Event], title: str, subtitle: str) -> tuple[str, int]:
    """The page for ``events`` (those with a place), and how many markers it has."""
    placed = [e for e in events if e.place is not None]
    note = ""
    if len(placed) > MAX_EVENTS:
        note = f"{len(placed) - MAX_EVENTS:,} more events are not shown (file size)."
        placed = placed[:MAX_EVENTS]
    # Clusters also keep events at one place apart (spiderfied on click), which plain
    # markers would stack into a single dot.
    spots = {(e.place.lat, e.place.lon) for e in placed}
    cluster = len(placed) > CLUSTER_AT or len(spots) < len(placed)
    fmap = StandaloneMap(location=[48.5, 32.0], zoom_start=4, tiles=None, control_scale=True)
    fmap._id = "atlas"
    header = fmap.get_root().header
    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR)
    header.add_child(
        Element(f"<style>{_inline_css(_read(leaflet, 'leaflet.css'), leaflet)}{STYLE}</style>"),
        name="inline_css",
    )
    header.add_child(Element(_script(_read(leaflet, "leaflet.js"))), name="inline_leaflet")
    if cluster:
        mc = Path(xstatic.pkg.leaflet_markercluster.BASE_DIR)
        css = _read(mc, "MarkerCluster.css") + _read(mc, "MarkerCluster.Default.css")
        header.add_child(Element(f"<style>{css}</style>"), name="inline_cluster_css")
        header.add_child(
            Element(_script(_read(mc, "leaflet.markercluster.js"))), name="inline_cluster"
        )
    counts = [0] * len(CATEGORIES)
    for e in placed:
        counts[category_code(e.category)] += 1
    basemap = json.loads((data_dir() / "basemap" / "countries.geojson").read_text("utf-8"))
    config = {
        "events": [_record(e) for e in placed],
        "categories": [
            {"label": c.label, "svg": shape_svg(c.shape, c.colour), "count": counts[i]}
            for i, c in enumerate(CATEGORIES)
        ],
        "cluster": cluster,
        "basemap": basemap,
        "tiles": ONLINE_TILES,
        "tilesAttribution": ONLINE_ATTRIBUTION,
        "title": title,
        "subtitle": subtitle,
        "note": note,
    }
    EventMarkers(config).add_to(fmap)
    # branca puts the title into <title> as is.
    fmap.get_root().title = html_escape(title)
    return fmap.get_root().render(), len(placed)


def write_standalone_html(
    path: str | Path, store: EventStore, window: TimeWindow, *, title: str
) -> int:
    """Write the standalone page of ``window``'s events; returns how many markers."""
    from desktop_app.ui.export.compose import window_in_words

    events = store.events_between(window)
    html, count = build_html(events, title, window_in_words(window))
    with atomic_output(path) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return count
