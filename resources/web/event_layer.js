/*
 * Event Atlas map page: the event layer's controls and its start. The legend, the hover
 * tooltip, clicks on markers and clusters, the offline basemap, the report of failing
 * online tiles, and EventAtlas.start, which the page scaffold calls once: it opens the
 * channel to the application, fetches the events and says when the page is ready.
 * Text from the data is only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  const EA = window.EventAtlas;
  const D = window.EventAtlasDraw;

  /* The categories shown in the window, each with its colour and shape; DOM text only. */
  const Legend = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      const box = L.DomUtil.create("div", "ea-legend leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      this._rows = EA.config.categories.map((c) => {
        const row = L.DomUtil.create("div", "ea-legend-row", box);
        const swatch = L.DomUtil.create("canvas", "ea-legend-swatch", row);
        const ratio = window.devicePixelRatio || 1;
        swatch.width = 16 * ratio; swatch.height = 16 * ratio;
        const ctx = swatch.getContext("2d");
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        ctx.fillStyle = c.colour; ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.2;
        D.shapePath(ctx, c.shape, 8, 8.5, 5.5);
        ctx.fill(); ctx.stroke();
        const text = L.DomUtil.create("span", "ea-legend-label", row);
        text.textContent = c.label;
        row.dataset.category = c.key;
        return row;
      });
      this._box = box;
      return box;
    },
    update: function (counts) {
      let any = false;
      this._rows.forEach((row, c) => {
        const shown = counts[c] > 0;
        any = any || shown;
        row.style.display = shown ? "" : "none";
      });
      this._box.style.display = any ? "" : "none";
    },
    shown: function () {
      return this._rows.filter((row) => row.style.display !== "none").map((row) => row.textContent);
    },
  });

  /*
   * Each hover asks the application for titles, and the answer comes later: a hover
   * counts only while it is the latest one and the pointer is still over the map, so an
   * answer that arrives after the pointer left never shows a tooltip nobody points at.
   */
  let hover = 0;

  function hideTooltip() {
    hover++;
    EA.tooltip.style.display = "none";
  }

  function showTooltip(ids, x, y) {
    const tip = EA.tooltip;
    const asked = ++hover;
    if (!ids.length || !EA.bridge) { tip.style.display = "none"; return; }
    EA.bridge.describe(JSON.stringify(ids.slice(0, 5)), function (text) {
      if (asked !== hover) return;
      const rows = JSON.parse(text);
      tip.replaceChildren();
      for (const row of rows) {
        const line = document.createElement("div");
        const title = document.createElement("b");
        title.textContent = row.title;
        const date = document.createElement("span");
        date.textContent = " · " + row.date;
        line.append(title, date);
        tip.append(line);
      }
      if (ids.length > rows.length) {
        const more = document.createElement("div");
        more.className = "ea-more";
        more.textContent = "+" + (ids.length - rows.length).toLocaleString();
        tip.append(more);
      }
      tip.style.left = (x + 14) + "px";
      tip.style.top = (y + 14) + "px";
      tip.style.display = "block";
    });
  }

  function loadBasemap(map, url) {
    map.createPane("basemap").style.zIndex = 150;
    return fetch(url).then((r) => r.json()).then((geo) => {
      EA.countryPoints = window.EventAtlasLabels.countryLabelPoints(geo);
      L.geoJSON(geo, {
        pane: "basemap",
        attribution: "Natural Earth",
        interactive: false,
        style: { color: "#8a8f98", weight: 0.8, fillColor: "#eceae4", fillOpacity: 1 },
      }).addTo(map);
    });
  }

  function watchTiles(map) {
    let reported = false;
    map.eachLayer((layer) => {
      // A local MBTiles layer answers 404 where the file has no tile: not a network failure.
      if (!(layer instanceof L.TileLayer) || layer.options.atlasLocal) return;
      layer.on("tileerror", () => {
        if (reported || !EA.bridge) return;
        reported = true;
        EA.bridge.tilesUnavailable();
      });
    });
  }

  function onClick(e) {
    if (EA.pickingPoint) {
      EA.setPickPoint(false);
      if (EA.bridge) EA.bridge.pointPicked(JSON.stringify({ lat: e.latlng.lat, lon: e.latlng.lng }));
      return;
    }
    const k = EA.groupAt(e.containerPoint.x, e.containerPoint.y);
    const g = EA.groups;
    // A cluster opens by zooming in; at the last zoom level it lists its events.
    if (k >= 0 && g.markers[k] > 1 && EA.map.getZoom() < EA.map.getMaxZoom()) {
      EA.zoomToGroup(k);
      return;
    }
    if (EA.bridge) EA.bridge.eventsClicked(JSON.stringify(EA.groupIds(k)));
  }

  EA.start = function (map, config) {
    EA.map = map;
    EA.config = config;
    EA.fade = config.fade;
    map.getContainer().style.background = "#c9dbe6";
    map.attributionControl.setPrefix("Leaflet");
    EA.tooltip = L.DomUtil.create("div", "ea-tooltip", map.getContainer());
    EA.tooltip.style.display = "none";
    const channel = new Promise((resolve) => {
      if (typeof qt === "undefined" || !qt.webChannelTransport) { resolve(null); return; }
      new QWebChannel(qt.webChannelTransport, (ch) => resolve(ch.objects.atlas));
    });
    const events = fetch(config.events_url).then((r) => r.arrayBuffer());
    // Place names are a help, not a need: without them the map still starts, unlabelled.
    const places = fetch(config.places_url)
      .then((r) => (r.ok ? r.json() : []))
      .catch(() => []);
    Promise.all([channel, events, places, loadBasemap(map, config.basemap_url)]).then(([bridge, buffer, names]) => {
      EA.bridge = bridge;
      EA.decode(buffer);
      EA.setPlaceNames(names);
      EA.legend = new Legend().addTo(map);
      EA.layer = new D.EventCanvas().addTo(map);
      watchTiles(map);
      EA.setWindow(config.window[0], config.window[1]);
      map.on("click", onClick);
      let pending = null;
      map.on("mousemove", (e) => {
        if (pending) return;
        pending = requestAnimationFrame(() => {
          pending = null;
          showTooltip(EA.hitTest(e.containerPoint.x, e.containerPoint.y), e.containerPoint.x, e.containerPoint.y);
        });
      });
      const leave = () => {
        if (pending) { cancelAnimationFrame(pending); pending = null; }
        hideTooltip();
      };
      // Leaflet's own mouseout also fires between the map's panes; leaving the container
      // is what the pointer leaving the map means.
      map.getContainer().addEventListener("mouseleave", leave);
      map.on("mouseout movestart", leave);
      map.on("moveend", () => {
        const c = map.getCenter();
        if (EA.bridge) EA.bridge.viewChanged(JSON.stringify({ lat: c.lat, lon: c.lng, zoom: map.getZoom() }));
      });
      EA.ready = true;
      if (EA.bridge) EA.bridge.pageReady();
    }).catch((err) => {
      EA.error = String(err);
      if (EA.bridge) EA.bridge.pageFailed(String(err));
    });
  };
})();
