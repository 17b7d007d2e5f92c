/*
 * Event Atlas map page: the event layer and the bridge to the application.
 *
 * Events arrive once as columns in one binary buffer, sorted by start time. A change of
 * the time window is a binary search over the start times plus one canvas redraw; no
 * Leaflet object is ever made per event. Text from the data is only ever set with
 * textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  const LONG_EVENT_DAYS = 2.0;
  const RADIUS = 7;
  const HIT_RADIUS = 10;

  const EA = {
    map: null,
    config: null,
    bridge: null,
    ready: false,
    n: 0,
    t0: null, t1: null, ids: null, lat: null, lon: null, cat: null,
    wx: null, wy: null,           // Web Mercator position in [0, 1], NaN without a place
    shortRows: null, shortT0: null, longRows: null,
    rowOfId: new Map(),
    window: [0, 0],
    visible: new Int32Array(0),   // rows shown in the window, by start time
    placed: new Int32Array(0),    // the visible rows that have a place
    selection: new Set(),
    selectionTitles: [],
    fade: true,
    paintSeq: 0,
    lastDrawMs: 0,
  };
  window.EventAtlas = EA;

  function lowerBound(arr, value, lo, hi) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  EA.decode = function (buffer) {
    const head = new DataView(buffer, 0, 8);
    const magic = String.fromCharCode(head.getUint8(0), head.getUint8(1), head.getUint8(2), head.getUint8(3));
    if (magic !== "EVA1") throw new Error("not an event buffer");
    const n = head.getUint32(4, true);
    let offset = 8;
    const take = (Type, count) => {
      const arr = new Type(buffer, offset, count);
      offset += count * Type.BYTES_PER_ELEMENT;
      return arr;
    };
    EA.n = n;
    EA.t0 = take(Float64Array, n);
    EA.t1 = take(Float64Array, n);
    EA.ids = take(Uint32Array, n);
    EA.lat = take(Float32Array, n);
    EA.lon = take(Float32Array, n);
    EA.cat = take(Uint8Array, n);
    EA.wx = new Float64Array(n);
    EA.wy = new Float64Array(n);
    const shortRows = [], longRows = [];
    EA.rowOfId = new Map();
    for (let i = 0; i < n; i++) {
      const lat = EA.lat[i], lon = EA.lon[i];
      if (Number.isNaN(lat)) {
        EA.wx[i] = NaN; EA.wy[i] = NaN;
      } else {
        const s = Math.sin(Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI / 180);
        EA.wx[i] = (lon + 180) / 360;
        EA.wy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
      if (EA.t1[i] - EA.t0[i] > LONG_EVENT_DAYS) longRows.push(i); else shortRows.push(i);
      EA.rowOfId.set(EA.ids[i], i);
    }
    EA.shortRows = Int32Array.from(shortRows);
    EA.shortT0 = new Float64Array(EA.shortRows.length);
    for (let k = 0; k < EA.shortRows.length; k++) EA.shortT0[k] = EA.t0[EA.shortRows[k]];
    EA.longRows = Int32Array.from(longRows);
  };

  /* Rows that show in [w0, w1): short events by binary search, long ones one by one. */
  EA.rowsIn = function (w0, w1) {
    const out = [];
    const lo = lowerBound(EA.shortT0, w0 - LONG_EVENT_DAYS, 0, EA.shortT0.length);
    const hi = lowerBound(EA.shortT0, w1, lo, EA.shortT0.length);
    for (let k = lo; k < hi; k++) {
      const i = EA.shortRows[k];
      if (EA.t1[i] > w0 || EA.t0[i] >= w0) out.push(i);
    }
    for (let k = 0; k < EA.longRows.length; k++) {
      const i = EA.longRows[k];
      if (EA.t0[i] < w1 && EA.t1[i] > w0) out.push(i);
    }
    if (EA.longRows.length) out.sort((a, b) => a - b);
    return Int32Array.from(out);
  };

  EA.setWindow = function (w0, w1) {
    EA.window = [w0, w1];
    EA.visible = EA.rowsIn(w0, w1);
    let placed = 0;
    const rows = new Int32Array(EA.visible.length);
    for (let k = 0; k < EA.visible.length; k++) {
      const i = EA.visible[k];
      if (!Number.isNaN(EA.wx[i])) rows[placed++] = i;
    }
    EA.placed = rows.subarray(0, placed);
    EA.layer && EA.layer.redraw();
    return EA.placed.length;
  };

  EA.visibleCount = () => EA.placed.length;
  EA.visibleIds = () => Array.from(EA.placed, (i) => EA.ids[i]);

  EA.setSelection = function (payloadJson) {
    const payload = JSON.parse(payloadJson);
    EA.selection = new Set(payload.ids);
    EA.selectionTitles = payload.titles || [];
    EA.layer && EA.layer.redraw();
    return EA.selection.size;
  };

  EA.setFade = function (on) { EA.fade = !!on; EA.layer && EA.layer.redraw(); };

  EA.flyTo = function (id) {
    const i = EA.rowOfId.get(id);
    if (i === undefined || Number.isNaN(EA.wx[i])) return false;
    const ll = [EA.lat[i], EA.lon[i]];
    if (!EA.map.getBounds().pad(-0.1).contains(ll)) EA.map.panTo(ll, { animate: false });
    return true;
  };

  /*
   * Fit the map to the visible events. With `trim` (0..0.5) the farthest share of them
   * from their median is left out of the fit (still drawn), so one far-off event does
   * not shrink everything else to a dot.
   */
  EA.fitVisible = function (trim) {
    if (!EA.placed.length) return false;
    let rows = Array.from(EA.placed);
    if (trim > 0 && rows.length >= 10) {
      const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
      const mlat = median(rows.map((i) => EA.lat[i]));
      const mlon = median(rows.map((i) => EA.lon[i]));
      const distance = (i) => (EA.lat[i] - mlat) ** 2 + (EA.lon[i] - mlon) ** 2;
      rows.sort((a, b) => distance(a) - distance(b));
      rows = rows.slice(0, Math.ceil(rows.length * (1 - trim)));
    }
    let s = 90, w = 180, nth = -90, e = -180;
    for (const i of rows) {
      s = Math.min(s, EA.lat[i]); nth = Math.max(nth, EA.lat[i]);
      w = Math.min(w, EA.lon[i]); e = Math.max(e, EA.lon[i]);
    }
    EA.map.fitBounds([[s, w], [nth, e]], { padding: [40, 40], maxZoom: 9, animate: false });
    return true;
  };

  /* Zoom buttons belong on screen, not in a picture of the map. */
  EA.setControls = function (shown) {
    EA.map.getContainer().classList.toggle("ea-no-controls", !shown);
    return shown;
  };

  /* Pixel position (map container coordinates) of a row, for hit-testing and tests. */
  EA.containerPoint = function (i) {
    const scale = 256 * Math.pow(2, EA.map.getZoom());
    const origin = EA.map.getPixelOrigin();
    const pane = EA.map._getMapPanePos();
    return [EA.wx[i] * scale - origin.x + pane.x, EA.wy[i] * scale - origin.y + pane.y];
  };

  EA.pixelOf = function (id) {
    const i = EA.rowOfId.get(id);
    return i === undefined || Number.isNaN(EA.wx[i]) ? null : EA.containerPoint(i);
  };

  /* Visible events within HIT_RADIUS pixels of a container point, nearest first. */
  EA.hitTest = function (x, y) {
    const scale = 256 * Math.pow(2, EA.map.getZoom());
    const origin = EA.map.getPixelOrigin();
    const pane = EA.map._getMapPanePos();
    const ox = pane.x - origin.x, oy = pane.y - origin.y;
    let best = Infinity;
    const hits = [];
    for (const i of EA.placed) {
      const dx = EA.wx[i] * scale + ox - x, dy = EA.wy[i] * scale + oy - y;
      const d2 = dx * dx + dy * dy;
      if (d2 <= HIT_RADIUS * HIT_RADIUS) { hits.push([d2, i]); best = Math.min(best, d2); }
    }
    // Everything drawn at the nearest spot (same place) is one hit.
    return hits.filter((h) => h[0] - best < 4).sort((a, b) => a[0] - b[0]).map((h) => EA.ids[h[1]]);
  };

  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    if (shape === "triangle") {
      ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r, y + r * 0.75); ctx.lineTo(x - r, y + r * 0.75);
      ctx.closePath();
    } else if (shape === "square") {
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
    } else if (shape === "diamond") {
      ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r * 1.2, y); ctx.lineTo(x, y + r * 1.2); ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
    } else if (shape === "cross") {
      const a = r * 0.4;
      ctx.moveTo(x - a, y - r); ctx.lineTo(x + a, y - r); ctx.lineTo(x + a, y - a); ctx.lineTo(x + r, y - a);
      ctx.lineTo(x + r, y + a); ctx.lineTo(x + a, y + a); ctx.lineTo(x + a, y + r); ctx.lineTo(x - a, y + r);
      ctx.lineTo(x - a, y + a); ctx.lineTo(x - r, y + a); ctx.lineTo(x - r, y - a); ctx.lineTo(x - a, y - a);
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
  }

  const EventCanvas = L.Layer.extend({
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "ea-events leaflet-zoom-hide");
      this._label = L.DomUtil.create("div", "ea-label");
      this._label.style.display = "none";
      map.getPane("overlayPane").appendChild(this._canvas);
      map.getPane("popupPane").appendChild(this._label);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      L.DomUtil.remove(this._label);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
    },
    redraw: function () {
      const started = performance.now();
      const map = this._map;
      const size = map.getSize();
      const ratio = window.devicePixelRatio || 1;
      const canvas = this._canvas;
      const topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      if (canvas.width !== size.x * ratio || canvas.height !== size.y * ratio) {
        canvas.width = size.x * ratio; canvas.height = size.y * ratio;
        canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);

      const scale = 256 * Math.pow(2, map.getZoom());
      const origin = map.getPixelOrigin();
      const pane = map._getMapPanePos();
      const ox = pane.x - origin.x, oy = pane.y - origin.y;
      const [w0, w1] = EA.window;
      const span = Math.max(w1 - w0, 1e-9);
      const cats = EA.config.categories;
      const stacks = new Map();
      const selected = [];
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      for (const i of EA.placed) {
        const x = EA.wx[i] * scale + ox, y = EA.wy[i] * scale + oy;
        if (x < -RADIUS || y < -RADIUS || x > size.x + RADIUS || y > size.y + RADIUS) continue;
        const key = Math.round(x) * 65536 + Math.round(y);
        stacks.set(key, (stacks.get(key) || 0) + 1);
        if (EA.selection.has(EA.ids[i])) { selected.push([x, y, i]); continue; }
        const c = cats[EA.cat[i]] || cats[cats.length - 1];
        const age = EA.fade ? Math.min(1, Math.max(0, (Math.max(EA.t0[i], w0) - w0) / span)) : 1;
        ctx.globalAlpha = EA.fade ? 0.3 + 0.7 * age : 0.9;
        ctx.fillStyle = c.colour;
        shapePath(ctx, c.shape, x, y, RADIUS);
        ctx.fill(); ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.font = "bold 10px sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      for (const [key, count] of stacks) {
        if (count < 2) continue;
        const x = Math.floor(key / 65536) + RADIUS, y = (key % 65536) - RADIUS;
        const label = count > 999 ? "999+" : String(count);
        const w = Math.max(14, ctx.measureText(label).width + 6);
        ctx.fillStyle = "rgba(33,33,33,0.85)";
        ctx.beginPath(); ctx.roundRect(x - w / 2, y - 7, w, 14, 7); ctx.fill();
        ctx.fillStyle = "#fff"; ctx.fillText(label, x, y + 0.5);
      }
      for (const [x, y, i] of selected) {
        const c = cats[EA.cat[i]] || cats[cats.length - 1];
        ctx.lineWidth = 3; ctx.strokeStyle = "#111";
        ctx.beginPath(); ctx.arc(x, y, RADIUS + 6, 0, Math.PI * 2); ctx.stroke();
        ctx.lineWidth = 2; ctx.strokeStyle = "#fff";
        ctx.fillStyle = c.colour;
        shapePath(ctx, c.shape, x, y, RADIUS + 2);
        ctx.fill(); ctx.stroke();
      }
      this._placeLabel(selected, map);
      EA.lastDrawMs = performance.now() - started;
      const seq = ++EA.paintSeq;
      if (EA.bridge) requestAnimationFrame(() => EA.bridge.painted(seq));
    },
    _placeLabel: function (selected, map) {
      const label = this._label;
      if (!selected.length || !EA.selectionTitles.length) { label.style.display = "none"; return; }
      const [x, y] = selected[0];
      label.textContent = EA.selectionTitles[0];
      label.style.display = "block";
      L.DomUtil.setPosition(label, map.containerPointToLayerPoint([x + RADIUS + 8, y - 10]));
    },
  });

  function showTooltip(ids, x, y) {
    const tip = EA.tooltip;
    if (!ids.length || !EA.bridge) { tip.style.display = "none"; return; }
    EA.bridge.describe(JSON.stringify(ids.slice(0, 5)), function (text) {
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
        more.textContent = "+" + (ids.length - rows.length);
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
      if (!(layer instanceof L.TileLayer)) return;
      layer.on("tileerror", () => {
        if (reported || !EA.bridge) return;
        reported = true;
        EA.bridge.tilesUnavailable();
      });
    });
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
    Promise.all([channel, events, loadBasemap(map, config.basemap_url)]).then(([bridge, buffer]) => {
      EA.bridge = bridge;
      EA.decode(buffer);
      EA.layer = new EventCanvas().addTo(map);
      watchTiles(map);
      EA.setWindow(config.window[0], config.window[1]);
      map.on("click", (e) => {
        const ids = EA.hitTest(e.containerPoint.x, e.containerPoint.y);
        if (EA.bridge) EA.bridge.eventsClicked(JSON.stringify(ids));
      });
      let pending = null;
      map.on("mousemove", (e) => {
        if (pending) return;
        pending = requestAnimationFrame(() => {
          pending = null;
          showTooltip(EA.hitTest(e.containerPoint.x, e.containerPoint.y), e.containerPoint.x, e.containerPoint.y);
        });
      });
      map.on("mouseout movestart", () => { EA.tooltip.style.display = "none"; });
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

/* Read-only helpers for exports: what the map shows now (scale bar, legend, caption). */
(function () {
  "use strict";
  const EA = window.EventAtlas;
  EA.viewInfo = function () {
    const map = EA.map, c = map.getCenter(), b = map.getBounds(), size = map.getSize();
    const counts = {};
    for (const i of EA.placed) {
      const [x, y] = EA.containerPoint(i);
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      counts[EA.cat[i]] = (counts[EA.cat[i]] || 0) + 1;
    }
    const attribution = map.attributionControl ? map.attributionControl.getContainer().textContent : "";
    return {
      zoom: map.getZoom(), lat: c.lat, lon: c.lng,
      bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()],
      size: [size.x, size.y], ratio: window.devicePixelRatio || 1,
      categories: counts, attribution: attribution,
    };
  };
})();
