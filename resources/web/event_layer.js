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

  /*
   * The legend: a checklist of the categories in the window, each with its colour, shape
   * and count (before the filter's categories, so one switched off shows what it would
   * bring back). A tick tells the application, which owns the filter; a page without it
   * (a saved page) filters by itself. DOM text only.
   */
  const Legend = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      const box = L.DomUtil.create("div", "ea-legend leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this._rows = EA.config.categories.map((c, k) => {
        const row = L.DomUtil.create("label", "ea-legend-row", box);
        const tick = L.DomUtil.create("input", "ea-legend-tick", row);
        tick.type = "checkbox";
        tick.checked = true;
        tick.addEventListener("change", () => this._toggled(k, tick));
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
        const count = L.DomUtil.create("span", "ea-legend-count", row);
        row.dataset.category = c.key;
        return { row, tick, text, count };
      });
      // What a halo means, shown while the map draws any (see showHaloNote).
      this._halo = L.DomUtil.create("div", "ea-legend-halo", box);
      this._halo.style.display = "none";
      L.DomUtil.create("span", "ea-legend-halo-swatch", this._halo);
      L.DomUtil.create("span", "ea-legend-label", this._halo).textContent = EA.config.halo_note || "";
      this._box = box;
      return box;
    },
    _toggled: function (k, tick) {
      const mask = EA.filterCategories === -1 ? ~0 : EA.filterCategories;
      const next = tick.checked ? mask | (1 << k) : mask & ~(1 << k);
      if (EA.bridge) {
        EA.bridge.legendToggled(EA.config.categories[k].key, tick.checked);
      } else {
        const all = (1 << EA.config.categories.length) - 1;
        EA.setCategories((next & all) === all ? null : next);
      }
    },
    update: function (counts, mask) {
      let any = false;
      this._rows.forEach(({ row, tick, count }, c) => {
        const on = ((mask >>> c) & 1) === 1;
        // A category switched off stays listed, with its count, so it can be ticked again.
        const shown = counts[c] > 0;
        any = any || shown;
        row.style.display = shown ? "" : "none";
        tick.checked = on;
        row.classList.toggle("ea-off", !on);
        count.textContent = counts[c].toLocaleString("en");
      });
      this._box.style.display = any ? "" : "none";
    },
    /* Say what a halo means while the map draws any. */
    showHaloNote: function (shown) {
      this._halo.style.display = shown ? "" : "none";
    },
    /* The labels of the categories listed and ticked. */
    shown: function () {
      return this._rows.filter(({ row, tick }) => row.style.display !== "none" && tick.checked)
        .map(({ text }) => text.textContent);
    },
    /* Every category listed: {key, label, count, ticked}. */
    entries: function () {
      return this._rows.filter(({ row }) => row.style.display !== "none").map(({ row, tick, text, count }) => ({
        key: row.dataset.category, label: text.textContent, count: Number(count.textContent.replace(/,/g, "")),
        ticked: tick.checked,
      }));
    },
  });

  /*
   * Choosing an area: Shift+drag (or any drag while the application has area mode on)
   * draws a rectangle; letting go tells the application its [west, south, east, north].
   * Leaflet's own Shift+drag zoom is off: the rectangle means "only here" instead.
   */
  function watchAreaDrag(map) {
    if (map.boxZoom) map.boxZoom.disable();
    const container = map.getContainer();
    let start = null, box = null, dragged = false;
    // The click that ends a drag is not a click on the markers under it.
    container.addEventListener("click", (e) => {
      if (dragged) { dragged = false; e.stopPropagation(); }
    }, true);
    container.addEventListener("mousedown", (e) => {
      if (e.button !== 0 || !(e.shiftKey || EA.areaMode)) return;
      if (e.target.closest && e.target.closest(".leaflet-control")) return;
      // Leaflet never hears this press, so the map does not pan under the rectangle.
      e.preventDefault(); e.stopImmediatePropagation();
      start = map.mouseEventToContainerPoint(e);
      box = L.DomUtil.create("div", "ea-area", container);
      L.DomUtil.setPosition(box, start);
    }, true);
    document.addEventListener("mousemove", (e) => {
      if (!start) return;
      const p = map.mouseEventToContainerPoint(e);
      L.DomUtil.setPosition(box, L.point(Math.min(p.x, start.x), Math.min(p.y, start.y)));
      box.style.width = Math.abs(p.x - start.x) + "px";
      box.style.height = Math.abs(p.y - start.y) + "px";
    });
    document.addEventListener("mouseup", (e) => {
      if (!start) return;
      const end = map.mouseEventToContainerPoint(e);
      const from = start;
      start = null;
      dragged = true;
      setTimeout(() => { dragged = false; }, 0);
      L.DomUtil.remove(box);
      // A click is not an area: a few pixels of wobble do not filter the map away.
      if (Math.abs(end.x - from.x) < 4 || Math.abs(end.y - from.y) < 4) return;
      EA.chooseArea(from.x, from.y, end.x, end.y);
    });
  }

  /* The area between two container points, told to the application (or, alone, kept). */
  EA.chooseArea = function (x0, y0, x1, y1) {
    const a = EA.map.containerPointToLatLng([x0, y0]), b = EA.map.containerPointToLatLng([x1, y1]);
    const area = window.EventAtlasGroups.dragArea(a.lat, a.lng, b.lat, b.lng);
    EA.lastArea = area;
    if (EA.bridge) EA.bridge.areaDragged(JSON.stringify(area));
    return area;
  };

  /* Whether a plain drag chooses an area (the window's toolbar toggle) or pans. */
  EA.setAreaMode = function (on) {
    EA.areaMode = !!on;
    EA.map.getContainer().classList.toggle("ea-area-mode", EA.areaMode);
    return EA.areaMode;
  };

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
    if (EA.drawingDots) {
      if (EA.bridge) EA.bridge.eventsClicked(JSON.stringify(EA.hitTest(e.containerPoint.x, e.containerPoint.y)));
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

  /*
   * The ids of the events on the map now: the placed events of the window and the
   * filter inside the map's bounds, as viewInfo counts them (an export's graded legend
   * counts their grades).
   */
  EA.shownIds = function () {
    const size = EA.map.getSize(), out = [];
    for (const i of EA.placed) {
      const [x, y] = EA.containerPoint(i);
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      out.push(EA.ids[i]);
    }
    return out;
  };

  EA.start = function (map, config) {
    EA.map = map;
    EA.config = config;
    EA.fade = config.fade;
    EA.markStyle = window.EventAtlasDots.STYLES.includes(config.mark_style) ? config.mark_style : "auto";
    EA.halos = config.halos !== false;
    map.getContainer().style.background = "#c9dbe6";
    map.attributionControl.setPrefix("Leaflet");
    EA.tooltip = L.DomUtil.create("div", "ea-tooltip", map.getContainer());
    EA.tooltip.style.display = "none";
    const channel = new Promise((resolve) => {
      if (typeof qt === "undefined" || !qt.webChannelTransport) { resolve(null); return; }
      new QWebChannel(qt.webChannelTransport, (ch) => resolve(ch.objects.atlas));
    });
    const events = EA.fetchEvents(config.events_url, config.events_parts);
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
      watchAreaDrag(map);
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
