/*
 * Event Atlas map page: the event layer and the bridge to the application.
 *
 * Events arrive once as columns in one binary buffer, sorted by start time. A change of
 * the time window is a binary search over the start times plus one canvas redraw; no
 * Leaflet object is ever made per event, so a million events cost typed arrays only.
 * Text from the data is only ever set with textContent, never parsed as HTML.
 *
 * Decoding, places, the time index, grouping and hit-testing live in event_groups.js
 * (window.EventAtlasGroups), which the page loads first; this file draws and talks.
 */
(function () {
  "use strict";

  const G = window.EventAtlasGroups;
  const { mercatorY, scratch, clusterRadius } = G;

  const RADIUS = 7;
  const ARC_BEND = 0.2;     // how far an arc bows out, as a share of its length

  const EA = {
    map: null,
    config: null,
    bridge: null,
    ready: false,
    n: 0,
    t0: null, t1: null, ids: null, lat: null, lon: null, cat: null,
    olat: null, olon: null,       // the origin of an event with one, NaN without
    placeOf: null,                // the place (index) of each row, -1 without a place
    placeWx: null, placeWy: null, // Web Mercator position of each place in [0, 1]
    nPlaces: 0,
    shortRows: null, shortT0: null, longRows: null,
    window: [0, 0],
    visible: new Int32Array(0),   // rows shown in the window, by start time
    placed: new Int32Array(0),    // the visible rows that have a place
    categoryCounts: [],           // placed visible events per category
    groups: null,                 // what the last draw drew (see groupEvents, event_groups.js)
    selection: new Set(),
    selectionTitles: [],
    fade: true,
    paintSeq: 0,
    lastDrawMs: 0,
    lastScrubMs: 0,
  };
  window.EventAtlas = EA;

  /* Decoding, the row of an id, the rows of a window: see event_groups.js. */
  EA.decode = function (buffer) { G.decode(EA, buffer); };
  EA.rowOf = function (id) { return G.rowOf(EA, id); };
  EA.rowOfId = { get: (id) => { const r = EA.rowOf(id); return r < 0 ? undefined : r; } };
  EA.rowsIn = function (w0, w1) { return G.rowsIn(EA, w0, w1); };

  EA.setWindow = function (w0, w1) {
    const started = performance.now();
    EA.window = [w0, w1];
    EA.visible = EA.rowsIn(w0, w1);
    const rows = new Int32Array(EA.visible.length);
    const counts = new Array((EA.config ? EA.config.categories.length : 0) + 256).fill(0);
    let placed = 0;
    for (let k = 0; k < EA.visible.length; k++) {
      const i = EA.visible[k];
      if (EA.placeOf[i] >= 0) { rows[placed++] = i; counts[EA.cat[i]]++; }
    }
    EA.placed = rows.subarray(0, placed);
    EA.categoryCounts = counts;
    if (EA.legend) EA.legend.update(counts);
    EA.layer && EA.layer.redraw();
    EA.lastScrubMs = performance.now() - started;
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

  /* The map's current transform from world [0, 1] to container pixels. */
  function currentView(map) {
    const scale = 256 * Math.pow(2, map.getZoom());
    const origin = map.getPixelOrigin();
    const pane = map._getMapPanePos();
    const size = map.getSize();
    return {
      scale, ox: pane.x - origin.x, oy: pane.y - origin.y, w: size.x, h: size.y,
      zoom: map.getZoom(), maxZoom: map.getMaxZoom(),
    };
  }

  /* The transform the map would have at `zoom`, centred on world point (wx, wy). */
  function viewAt(map, zoom, wx, wy) {
    const scale = 256 * Math.pow(2, zoom);
    const size = map.getSize();
    return {
      scale, ox: size.x / 2 - wx * scale, oy: size.y / 2 - wy * scale, w: size.x, h: size.y,
      zoom, maxZoom: map.getMaxZoom(),
    };
  }

  /*
   * Fly to an event: pan to it if it is off screen, and when it is hidden in a cluster,
   * zoom in just far enough that it stands on its own.
   */
  EA.flyTo = function (id) {
    const map = EA.map;
    const i = EA.rowOf(id);
    if (i < 0 || EA.placeOf[i] < 0) return false;
    const p = EA.placeOf[i];
    const ll = [EA.lat[i], EA.lon[i]];
    let zoom = map.getZoom();
    const inView = map.getBounds().pad(-0.1).contains(ll);
    const clustered = (view) => {
      const g = G.groupEvents(EA, view);
      return g.placeIn(p) && g.isCluster(g.groupOfPlace(p));
    };
    const wx = EA.placeWx[p], wy = EA.placeWy[p];
    if (clustered(inView ? currentView(map) : viewAt(map, zoom, wx, wy))) {
      while (zoom < map.getMaxZoom() && clustered(viewAt(map, zoom, wx, wy))) zoom++;
      map.setView(ll, zoom, { animate: false });
    } else if (!inView) {
      map.panTo(ll, { animate: false });
    }
    // The probes above reused the layer's scratch space: draw again from the real view.
    EA.layer && EA.layer.redraw();
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
      // A sample is as good as all for a median and a share, and keeps this fast at 1M.
      if (rows.length > 20000) {
        const step = rows.length / 20000;
        rows = Array.from({ length: 20000 }, (_, k) => rows[Math.floor(k * step)]);
      }
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

  /* Zoom buttons and the legend belong on screen, not in a picture of the map. */
  EA.setControls = function (shown) {
    EA.map.getContainer().classList.toggle("ea-no-controls", !shown);
    return shown;
  };

  /* The scale bar and attribution: an export hides them and draws its own, larger. */
  EA.setScaleAndAttribution = function (shown) {
    const marks = EA.map.getContainer().querySelectorAll(
      ".leaflet-control-scale, .leaflet-control-attribution");
    for (const el of marks) el.style.display = shown ? "" : "none";
    return shown;
  };

  /* Centre on (lat, lon) at `zoom`; zoom out until `bounds` [s, w, n, e] fit, if given. */
  EA.showExtent = function (lat, lon, zoom, bounds) {
    const map = EA.map;
    map.setView([lat, lon], zoom, { animate: false });
    if (bounds) {
      const box = L.latLngBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]);
      if (!map.getBounds().pad(0.02).contains(box)) map.fitBounds(box, { animate: false });
    }
    return map.getZoom();
  };

  /* The view was resized: Leaflet must measure it before it frames anything. */
  EA.invalidateSize = function () {
    EA.map.invalidateSize({ animate: false });
    return true;
  };

  /* Draw the event layer again; the bridge hears when the frame is shown. */
  EA.redraw = function () {
    EA.layer.redraw();
    return EA.paintSeq;
  };

  /* Pixel position (map container coordinates) of a row, for hit-testing and tests. */
  EA.containerPoint = function (i) {
    const v = currentView(EA.map);
    const p = EA.placeOf[i];
    return [EA.placeWx[p] * v.scale + v.ox, EA.placeWy[p] * v.scale + v.oy];
  };

  /*
   * Where event `id` is drawn (container pixels): the centre of the marker or cluster it
   * is drawn in, which is where a click reaches it; its own position when off screen.
   */
  EA.pixelOf = function (id) {
    const i = EA.rowOf(id);
    if (i < 0 || EA.placeOf[i] < 0) return null;
    const g = EA.groups, p = EA.placeOf[i];
    if (g && g.placeIn(p)) return [g.x[scratch.group[p]], g.y[scratch.group[p]]];
    return EA.containerPoint(i);
  };

  /* Hit-testing the groups of the last draw: see event_groups.js. */
  EA.groupAt = function (x, y) { return G.groupAt(EA.groups, x, y); };
  EA.groupIds = function (k) { return G.groupIds(EA, EA.groups, k); };

  /* The events drawn under a container point: every event of the marker there. */
  EA.hitTest = function (x, y) {
    return EA.groupIds(EA.groupAt(x, y));
  };

  /* What the last draw shows, for tests and tools: one entry per marker or cluster. */
  EA.drawnGroups = function () {
    const g = EA.groups, out = [];
    if (!g) return out;
    for (let k = 0; k < g.n; k++) {
      out.push({ x: g.x[k], y: g.y[k], count: g.count[k], places: g.places[k], cluster: g.markers[k] > 1 });
    }
    return out;
  };

  /* Zoom onto a cluster's events (its places' bounds), at least one level. */
  EA.zoomToGroup = function (k) {
    const g = EA.groups, s = scratch, map = EA.map;
    let south = 90, west = 180, north = -90, east = -180;
    for (let j = 0; j < EA.placed.length; j++) {
      const i = EA.placed[j], p = EA.placeOf[i];
      if (!g.placeIn(p) || s.group[p] !== k) continue;
      south = Math.min(south, EA.lat[i]); north = Math.max(north, EA.lat[i]);
      west = Math.min(west, EA.lon[i]); east = Math.max(east, EA.lon[i]);
    }
    const before = map.getZoom();
    const target = Math.min(map.getMaxZoom(), Math.max(before + 1,
      map.getBoundsZoom([[south, west], [north, east]], false, L.point(80, 80))));
    map.setView([(south + north) / 2, (west + east) / 2], target, { animate: false });
    return map.getZoom();
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

  function categoryOf(i) {
    const cats = EA.config.categories;
    return cats[EA.cat[i]] || cats[cats.length - 1];
  }

  /*
   * How recent row i is within the window: 0 when it ended at the window's first moment,
   * 1 when it still runs at its last (or with fading off). An event's end counts, not its
   * start, so a month-long event that covers the window is as strong as today's news.
   */
  function ageWeight(i) {
    if (!EA.fade) return 1;
    const [w0, w1] = EA.window;
    const last = Math.min(Math.max(EA.t1[i], EA.t0[i]), w1);
    return Math.min(1, Math.max(0, (last - w0) / Math.max(w1 - w0, 1e-9)));
  }

  /*
   * Arcs from origin to target for visible events that know both. Arcs that leave one
   * origin for one drawn marker or cluster are one arc, thicker with its count: a
   * thousand strikes from one airfield read as one heavy line, not a thousand.
   */
  function drawArcs(ctx, view, g) {
    const s = scratch;
    const arcs = new Map();
    for (let k = 0; k < EA.placed.length; k++) {
      const i = EA.placed[k];
      const olat = EA.olat[i], olon = EA.olon[i];
      if (Number.isNaN(olat) || Number.isNaN(olon)) continue;
      const p = EA.placeOf[i];
      const target = g.placeIn(p) ? s.group[p] : -1 - p;
      const key = olat + "," + olon + "," + target;
      const arc = arcs.get(key);
      if (arc) { arc.count++; arc.last = i; continue; }
      const x0 = (olon + 180) / 360 * view.scale + view.ox, y0 = mercatorY(olat) * view.scale + view.oy;
      const x1 = target >= 0 ? g.x[target] : EA.placeWx[p] * view.scale + view.ox;
      const y1 = target >= 0 ? g.y[target] : EA.placeWy[p] * view.scale + view.oy;
      arcs.set(key, { x0, y0, x1, y1, count: 1, last: i, target });
    }
    const pad = 40;
    let drawn = 0;
    ctx.lineCap = "round";
    for (const arc of arcs.values()) {
      const { x0, y0, x1, y1 } = arc;
      const dx = x1 - x0, dy = y1 - y0, len = Math.hypot(dx, dy);
      // Bow to the left of the direction of travel, so A->B and B->A do not overlap.
      const cx = (x0 + x1) / 2 + dy * ARC_BEND, cy = (y0 + y1) / 2 - dx * ARC_BEND;
      if (Math.max(x0, x1, cx) < -pad || Math.min(x0, x1, cx) > view.w + pad) continue;
      if (Math.max(y0, y1, cy) < -pad || Math.min(y0, y1, cy) > view.h + pad) continue;
      if (len < 4) continue;
      const colour = categoryOf(arc.last).colour;
      const width = Math.min(6, 1 + Math.log2(arc.count) * 0.9);
      ctx.globalAlpha = (EA.fade ? 0.25 + 0.45 * ageWeight(arc.last) : 0.6);
      ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.quadraticCurveTo(cx, cy, x1, y1);
      ctx.stroke();
      // The origin: a small ring; the end: an arrowhead along the curve's last tangent,
      // stopping at the edge of the marker or cluster it points at.
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(x0, y0, 3, 0, Math.PI * 2); ctx.stroke();
      const tx = x1 - cx, ty = y1 - cy, tl = Math.hypot(tx, ty) || 1;
      const ux = tx / tl, uy = ty / tl, size = 5 + width;
      const t = arc.target;
      const back = t >= 0 && g.markers[t] > 1 ? clusterRadius(g.count[t]) + 1 : RADIUS + 2;
      const bx = x1 - ux * back, by = y1 - uy * back;
      ctx.beginPath();
      ctx.moveTo(bx, by);
      ctx.lineTo(bx - ux * size - uy * size * 0.55, by - uy * size + ux * size * 0.55);
      ctx.lineTo(bx - ux * size + uy * size * 0.55, by - uy * size - ux * size * 0.55);
      ctx.closePath(); ctx.fill();
      drawn++;
    }
    ctx.globalAlpha = 1;
    ctx.lineCap = "butt";
    return drawn;
  }

  function drawCluster(ctx, g, k, x, y, nc, cats) {
    const r = clusterRadius(g.count[k]);
    // A ring split by category share: what the cluster holds, before it is opened.
    ctx.globalAlpha = EA.fade ? 0.55 + 0.45 * ageWeight(g.last[k]) : 0.95;
    ctx.fillStyle = "rgba(255,255,255,0.92)";
    ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.fill();
    let angle = -Math.PI / 2;
    ctx.lineWidth = 5;
    for (let c = 0; c < nc; c++) {
      const share = g.cats[k * nc + c] / g.count[k];
      if (!share) continue;
      ctx.strokeStyle = cats[c].colour;
      ctx.beginPath(); ctx.arc(x, y, r - 2.5, angle, angle + share * Math.PI * 2); ctx.stroke();
      angle += share * Math.PI * 2;
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1; ctx.strokeStyle = "rgba(40,40,40,0.6)";
    ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.stroke();
    ctx.fillStyle = "#1b1b1b";
    ctx.font = "bold 11px sans-serif";
    ctx.fillText(countText(g.count[k]), x, y + 0.5);
  }

  function countText(count) {
    if (count < 1000) return String(count);
    if (count < 10000) return (count / 1000).toFixed(1).replace(/\.0$/, "") + "k";
    if (count < 1000000) return Math.round(count / 1000) + "k";
    return (count / 1000000).toFixed(1) + "M";
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
      const view = currentView(map);
      const ratio = window.devicePixelRatio || 1;
      const canvas = this._canvas;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      if (canvas.width !== view.w * ratio || canvas.height !== view.h * ratio) {
        canvas.width = view.w * ratio; canvas.height = view.h * ratio;
        canvas.style.width = view.w + "px"; canvas.style.height = view.h + "px";
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, view.w, view.h);
      const cats = EA.config.categories, nc = cats.length;

      const g = G.groupEvents(EA, view);
      EA.groups = g;
      EA.arcsDrawn = drawArcs(ctx, view, g);
      const inView = (x, y, r) => x >= -r && y >= -r && x <= view.w + r && y <= view.h + r;
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      const badges = [];
      for (let k = 0; k < g.n; k++) {
        const x = g.x[k], y = g.y[k];
        if (!inView(x, y, 32)) continue;
        if (g.markers[k] > 1) {
          drawCluster(ctx, g, k, x, y, nc, cats);
          ctx.lineWidth = 1.5; ctx.strokeStyle = "rgba(255,255,255,0.95)";
          continue;
        }
        const i = g.last[k];
        ctx.globalAlpha = EA.fade ? 0.3 + 0.7 * ageWeight(i) : 0.9;
        ctx.fillStyle = categoryOf(i).colour;
        shapePath(ctx, categoryOf(i).shape, x, y, RADIUS);
        ctx.fill(); ctx.stroke();
        if (g.count[k] > 1) badges.push(k);
      }
      ctx.globalAlpha = 1;
      ctx.font = "bold 10px sans-serif";
      for (const k of badges) {
        const x = g.x[k] + RADIUS, y = g.y[k] - RADIUS;
        const label = countText(g.count[k]);
        const w = Math.max(14, ctx.measureText(label).width + 6);
        ctx.fillStyle = "rgba(33,33,33,0.85)";
        ctx.beginPath(); ctx.roundRect(x - w / 2, y - 7, w, 14, 7); ctx.fill();
        ctx.fillStyle = "#fff"; ctx.fillText(label, x, y + 0.5);
      }
      const selected = [];
      if (EA.selection.size) {
        for (let k = 0; k < EA.placed.length; k++) {
          const i = EA.placed[k];
          if (!EA.selection.has(EA.ids[i])) continue;
          const p = EA.placeOf[i];
          const x = EA.placeWx[p] * view.scale + view.ox, y = EA.placeWy[p] * view.scale + view.oy;
          if (inView(x, y, RADIUS + 8)) selected.push([x, y, i]);
        }
        // The current event (first in the selection) is drawn last, on top.
        const first = EA.selection.values().next().value;
        selected.sort((a, b) => (EA.ids[a[2]] === first) - (EA.ids[b[2]] === first));
      }
      for (const [x, y, i] of selected) {
        const c = categoryOf(i);
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
      const [x, y] = selected[selected.length - 1];
      label.textContent = EA.selectionTitles[0];
      label.style.display = "block";
      L.DomUtil.setPosition(label, map.containerPointToLayerPoint([x + RADIUS + 8, y - 10]));
    },
  });

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
        shapePath(ctx, c.shape, 8, 8.5, 5.5);
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
    Promise.all([channel, events, loadBasemap(map, config.basemap_url)]).then(([bridge, buffer]) => {
      EA.bridge = bridge;
      EA.decode(buffer);
      EA.legend = new Legend().addTo(map);
      EA.layer = new EventCanvas().addTo(map);
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
