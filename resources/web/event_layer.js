/*
 * Event Atlas map page: the event layer and the bridge to the application.
 *
 * Events arrive once as columns in one binary buffer, sorted by start time. A change of
 * the time window is a binary search over the start times plus one canvas redraw; no
 * Leaflet object is ever made per event, so a million events cost typed arrays only.
 * Text from the data is only ever set with textContent, never parsed as HTML.
 *
 * Drawing groups what would overlap: events at one place (identical coordinates, found
 * once when the buffer is decoded) are counted together; places closer than STACK_PX on
 * screen become one marker with a count badge; and when more than MAX_MARKERS markers
 * would crowd the view, markers merge into clusters of CLUSTER_PX with a count. The
 * groups of the last draw, kept in a screen grid, answer hit-testing and hover.
 */
(function () {
  "use strict";

  const LONG_EVENT_DAYS = 2.0;
  const RADIUS = 7;
  const HIT_RADIUS = 10;
  const STACK_PX = 16;      // markers closer than this would overlap: one marker, a count
  const CLUSTER_PX = 56;    // the reach of a cluster when markers crowd the view
  const MAX_MARKERS = 400;  // more separate markers in view than this: cluster them
  const ARC_BEND = 0.2;     // how far an arc bows out, as a share of its length
  const MAX_UNCLUSTERED = 1500; // more events in view than this: cluster them too

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
    groups: null,                 // what the last draw drew (see groupEvents)
    selection: new Set(),
    selectionTitles: [],
    fade: true,
    paintSeq: 0,
    lastDrawMs: 0,
    lastScrubMs: 0,
  };
  window.EventAtlas = EA;

  function lowerBound(arr, value, lo, hi) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function mercatorY(lat) {
    const s = Math.sin(Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  EA.decode = function (buffer) {
    const head = new DataView(buffer, 0, 8);
    const magic = String.fromCharCode(head.getUint8(0), head.getUint8(1), head.getUint8(2), head.getUint8(3));
    if (magic !== "EVA2") throw new Error("not an event buffer");
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
    EA.olat = take(Float32Array, n);
    EA.olon = take(Float32Array, n);
    EA.cat = take(Uint8Array, n);
    findPlaces(buffer);
    indexIds();
    let longCount = 0;
    for (let i = 0; i < n; i++) if (EA.t1[i] - EA.t0[i] > LONG_EVENT_DAYS) longCount++;
    EA.shortRows = new Int32Array(n - longCount);
    EA.shortT0 = new Float64Array(n - longCount);
    EA.longRows = new Int32Array(longCount);
    for (let i = 0, s = 0, l = 0; i < n; i++) {
      if (EA.t1[i] - EA.t0[i] > LONG_EVENT_DAYS) EA.longRows[l++] = i;
      else { EA.shortRows[s] = i; EA.shortT0[s++] = EA.t0[i]; }
    }
  };

  /*
   * Rows with identical coordinates share a place: datasets repeat a few thousand
   * places across a million events, and grouping by place first makes every draw cost
   * O(places in the window) rather than O(events). An open-addressing hash over the
   * float bits, because a Map with a million keys costs seconds and hundreds of MB.
   */
  function findPlaces(buffer) {
    const n = EA.n;
    const latBits = new Uint32Array(buffer, EA.lat.byteOffset, n);
    const lonBits = new Uint32Array(buffer, EA.lon.byteOffset, n);
    let size = 16;
    while (size < n * 2) size *= 2;
    const mask = size - 1;
    const table = new Int32Array(size).fill(-1);
    const firstRow = new Int32Array(n);
    const placeOf = new Int32Array(n);
    let places = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(EA.lat[i]) || Number.isNaN(EA.lon[i])) { placeOf[i] = -1; continue; }
      const a = latBits[i], b = lonBits[i];
      let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 16), 0x85ebca77)) >>> 0;
      h = (h ^ (h >>> 15)) & mask;
      for (;;) {
        const p = table[h];
        if (p < 0) {
          table[h] = places; firstRow[places] = i; placeOf[i] = places++;
          break;
        }
        const r = firstRow[p];
        if (latBits[r] === a && lonBits[r] === b) { placeOf[i] = p; break; }
        h = (h + 1) & mask;
      }
    }
    EA.placeOf = placeOf;
    EA.nPlaces = places;
    EA.placeWx = new Float64Array(places);
    EA.placeWy = new Float64Array(places);
    for (let p = 0; p < places; p++) {
      const r = firstRow[p];
      EA.placeWx[p] = (EA.lon[r] + 180) / 360;
      EA.placeWy[p] = mercatorY(EA.lat[r]);
    }
    scratch.grow(places);
  }

  /* Row of an event id by binary search over (id * n + row), sorted once: no Map. */
  function indexIds() {
    const n = EA.n;
    let maxId = 0;
    for (let i = 0; i < n; i++) if (EA.ids[i] > maxId) maxId = EA.ids[i];
    EA._idKeys = null;
    EA._idMap = null;
    if ((maxId + 1) * n < 2 ** 53) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = EA.ids[i] * n + i;
      keys.sort();
      EA._idKeys = keys;
    } else {
      EA._idMap = new Map();
      for (let i = 0; i < n; i++) EA._idMap.set(EA.ids[i], i);
    }
  }

  /* The row of event `id`, or -1. */
  EA.rowOf = function (id) {
    const n = EA.n;
    if (EA._idMap) { const r = EA._idMap.get(id); return r === undefined ? -1 : r; }
    if (!EA._idKeys || !Number.isInteger(id) || id < 0) return -1;
    const base = id * n;
    const k = lowerBound(EA._idKeys, base, 0, n);
    return k < n && EA._idKeys[k] < base + n ? EA._idKeys[k] - base : -1;
  };
  EA.rowOfId = { get: (id) => { const r = EA.rowOf(id); return r < 0 ? undefined : r; } };

  /* Rows that show in [w0, w1): short events by binary search, long ones one by one. */
  EA.rowsIn = function (w0, w1) {
    const lo = lowerBound(EA.shortT0, w0 - LONG_EVENT_DAYS, 0, EA.shortT0.length);
    const hi = lowerBound(EA.shortT0, w1, lo, EA.shortT0.length);
    const out = new Int32Array(hi - lo + EA.longRows.length);
    let count = 0;
    for (let k = lo; k < hi; k++) {
      const i = EA.shortRows[k];
      if (EA.t1[i] > w0 || EA.t0[i] >= w0) out[count++] = i;
    }
    const shortCount = count;
    for (let k = 0; k < EA.longRows.length; k++) {
      const i = EA.longRows[k];
      if (EA.t0[i] < w1 && EA.t1[i] > w0) out[count++] = i;
    }
    const rows = out.subarray(0, count);
    if (count > shortCount) rows.sort();
    return rows;
  };

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
      const g = groupEvents(view);
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

  /* Work arrays for grouping, one slot per place (or group), reused by every draw. */
  const scratch = {
    stamp: new Int32Array(0), count: new Int32Array(0), last: new Int32Array(0),
    group: new Int32Array(0), x: new Float32Array(0), y: new Float32Array(0),
    order: new Int32Array(0), inside: new Uint8Array(0), gen: 0,
    grow(places) {
      if (this.stamp.length >= places) return;
      this.stamp = new Int32Array(places); this.count = new Int32Array(places);
      this.last = new Int32Array(places); this.group = new Int32Array(places);
      this.x = new Float32Array(places); this.y = new Float32Array(places);
      this.order = new Int32Array(places); this.inside = new Uint8Array(places);
      this.gen = 0;
    },
  };

  /*
   * Greedy grouping within `radius` pixels through a grid of radius-sized cells: each
   * item joins the first group whose centre is within reach in its 3x3 cells, else it
   * starts a group at its own position. Items come biggest first, so groups centre on
   * their busiest place. Returns the group of each item.
   */
  function greedyGroups(count, xs, ys, weights, radius, view, out) {
    const margin = radius;
    const cols = Math.ceil((view.w + 2 * margin) / radius) + 1;
    const rows = Math.ceil((view.h + 2 * margin) / radius) + 1;
    const heads = new Int32Array(cols * rows).fill(-1);
    const next = new Int32Array(count);
    const gx = new Float32Array(count), gy = new Float32Array(count);
    const r2 = radius * radius;
    let groups = 0;
    for (let k = 0; k < count; k++) {
      const x = xs[k], y = ys[k];
      const cx = Math.floor((x + margin) / radius), cy = Math.floor((y + margin) / radius);
      let found = -1, best = Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = cy + dy;
        if (yy < 0 || yy >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = cx + dx;
          if (xx < 0 || xx >= cols) continue;
          for (let g = heads[yy * cols + xx]; g >= 0; g = next[g]) {
            const ex = gx[g] - x, ey = gy[g] - y, d2 = ex * ex + ey * ey;
            if (d2 <= r2 && d2 < best) { best = d2; found = g; }
          }
        }
      }
      if (found < 0) {
        found = groups++;
        gx[found] = x; gy[found] = y;
        const cell = Math.min(rows - 1, Math.max(0, cy)) * cols + Math.min(cols - 1, Math.max(0, cx));
        next[found] = heads[cell]; heads[cell] = found;
      }
      out[k] = found;
    }
    return { groups, gx, gy };
  }

  /* items[0..n) ordered by key[item], largest first; ties keep their order. */
  function countingSortDescending(items, n, key) {
    let max = 0;
    for (let k = 0; k < n; k++) if (key[items[k]] > max) max = key[items[k]];
    const start = new Int32Array(max + 2);
    for (let k = 0; k < n; k++) start[max - key[items[k]] + 1]++;
    for (let c = 1; c <= max + 1; c++) start[c] += start[c - 1];
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[start[max - key[items[k]]]++] = items[k];
    return out;
  }

  /*
   * Group the placed visible events for drawing in `view` (see the header). Only places
   * inside the view plus a margin take part. Returns typed arrays per group: centre,
   * count, most recent row, how many markers it merges (more than one: a cluster), and
   * counts per category.
   */
  function groupEvents(view) {
    const s = scratch;
    const gen = ++s.gen;
    const placed = EA.placed, placeOf = EA.placeOf;
    const margin = STACK_PX;
    let nTouched = 0;
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i];
      if (s.stamp[p] !== gen) {
        s.stamp[p] = gen;
        const x = EA.placeWx[p] * view.scale + view.ox, y = EA.placeWy[p] * view.scale + view.oy;
        const inside = x >= -margin && y >= -margin && x <= view.w + margin && y <= view.h + margin;
        s.inside[p] = inside ? 1 : 0;
        if (inside) { s.x[p] = x; s.y[p] = y; s.count[p] = 0; s.order[nTouched++] = p; }
      }
      if (s.inside[p]) { s.count[p]++; s.last[p] = i; }
    }
    // Busiest places first: they become the centres of their stacks and clusters. A
    // counting sort (counts are small integers): a comparison sort of ~10k places costs
    // more than all the rest of a draw.
    const order = countingSortDescending(s.order, nTouched, s.count);
    const px = new Float32Array(nTouched), py = new Float32Array(nTouched);
    for (let k = 0; k < nTouched; k++) { px[k] = s.x[order[k]]; py[k] = s.y[order[k]]; }
    const stackOf = new Int32Array(nTouched);
    const stacks = greedyGroups(nTouched, px, py, null, STACK_PX, view, stackOf);
    let groupOfStack = null, nGroups = stacks.groups, centres = stacks;
    let inView = 0;
    for (let k = 0; k < nTouched; k++) inView += s.count[order[k]];
    const crowded = stacks.groups > MAX_MARKERS || inView > MAX_UNCLUSTERED;
    const clustering = crowded && stacks.groups > 1 && view.zoom < view.maxZoom;
    if (clustering) {
      groupOfStack = new Int32Array(stacks.groups);
      centres = greedyGroups(stacks.groups, stacks.gx, stacks.gy, null, CLUSTER_PX, view, groupOfStack);
      nGroups = centres.groups;
    }
    const nc = EA.config.categories.length;
    const g = {
      n: nGroups, gen, clustering,
      x: new Float32Array(nGroups), y: new Float32Array(nGroups),
      count: new Int32Array(nGroups), last: new Int32Array(nGroups).fill(-1),
      markers: new Int32Array(nGroups), places: new Int32Array(nGroups),
      cats: new Int32Array(nGroups * nc),
      sx: new Float64Array(nGroups), sy: new Float64Array(nGroups),
      placeIn: (p) => s.stamp[p] === gen && s.inside[p] === 1,
      groupOfPlace: (p) => s.group[p],
      isCluster: (k) => g.markers[k] > 1,
    };
    for (let k = 0; k < nTouched; k++) {
      const p = order[k];
      const group = clustering ? groupOfStack[stackOf[k]] : stackOf[k];
      s.group[p] = group;
      g.count[group] += s.count[p];
      g.places[group]++;
      g.sx[group] += s.x[p] * s.count[p]; g.sy[group] += s.y[p] * s.count[p];
      if (s.last[p] > g.last[group]) g.last[group] = s.last[p];
    }
    if (clustering) for (let k = 0; k < stacks.groups; k++) g.markers[groupOfStack[k]]++;
    else g.markers.fill(1);
    for (let k = 0; k < nGroups; k++) {
      // A marker sits on its busiest place; a cluster on the weighted centre of its events.
      if (g.markers[k] > 1) { g.x[k] = g.sx[k] / g.count[k]; g.y[k] = g.sy[k] / g.count[k]; }
      else { g.x[k] = centres.gx[k]; g.y[k] = centres.gy[k]; }
    }
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i];
      if (s.inside[p]) g.cats[s.group[p] * nc + Math.min(EA.cat[i], nc - 1)]++;
    }
    // A grid of the groups for hit-testing: cells as large as the largest reach.
    const cell = CLUSTER_PX;
    g.cols = Math.ceil((view.w + 2 * cell) / cell) + 1;
    g.rows = Math.ceil((view.h + 2 * cell) / cell) + 1;
    g.heads = new Int32Array(g.cols * g.rows).fill(-1);
    g.next = new Int32Array(nGroups);
    for (let k = 0; k < nGroups; k++) {
      const cx = Math.floor((g.x[k] + cell) / cell), cy = Math.floor((g.y[k] + cell) / cell);
      if (cx < 0 || cy < 0 || cx >= g.cols || cy >= g.rows) { g.next[k] = -1; continue; }
      g.next[k] = g.heads[cy * g.cols + cx]; g.heads[cy * g.cols + cx] = k;
    }
    return g;
  }

  function clusterRadius(count) {
    return Math.min(30, 13 + 4.5 * Math.log10(count));
  }

  /* How far from a group's centre a click still hits it. */
  function reach(g, k) {
    return g.markers[k] > 1 ? clusterRadius(g.count[k]) + 2 : Math.max(HIT_RADIUS, STACK_PX / 2 + 4);
  }

  /* The drawn group at a container point (the nearest whose mark covers it), or -1. */
  EA.groupAt = function (x, y) {
    const g = EA.groups;
    if (!g) return -1;
    const cell = CLUSTER_PX;
    const cx = Math.floor((x + cell) / cell), cy = Math.floor((y + cell) / cell);
    let found = -1, best = Infinity;
    for (let yy = cy - 1; yy <= cy + 1; yy++) {
      if (yy < 0 || yy >= g.rows) continue;
      for (let xx = cx - 1; xx <= cx + 1; xx++) {
        if (xx < 0 || xx >= g.cols) continue;
        for (let k = g.heads[yy * g.cols + xx]; k >= 0; k = g.next[k]) {
          const dx = g.x[k] - x, dy = g.y[k] - y, d2 = dx * dx + dy * dy;
          const r = reach(g, k);
          if (d2 <= r * r && d2 < best) { best = d2; found = k; }
        }
      }
    }
    return found;
  };

  /* The ids of the events drawn as group `k`, by start time. */
  EA.groupIds = function (k) {
    const g = EA.groups, s = scratch, out = [];
    if (!g || k < 0) return out;
    for (let j = 0; j < EA.placed.length; j++) {
      const i = EA.placed[j], p = EA.placeOf[i];
      if (g.placeIn(p) && s.group[p] === k) out.push(EA.ids[i]);
    }
    return out;
  };

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

      const g = groupEvents(view);
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
