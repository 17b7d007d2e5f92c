/*
 * Event Atlas map page: the event data and its grouping, computed over typed arrays.
 * No DOM and no Leaflet here: event_draw.js draws what this finds, and event_api.js keeps
 * the page API (window.EventAtlas). Every function takes the page state `ea` it reads and
 * fills, so node's test runner can check them all without a browser (tests/js).
 *
 * Drawing groups what would overlap: events at one place (identical coordinates, found
 * once when the buffer is decoded) are counted together; places closer than STACK_PX on
 * screen become one marker with a count badge (stacks: found once per zoom, so a frame
 * only counts them, up to KEPT_STACKS_MAX_PLACES places); and when more than
 * MAX_MARKERS markers would crowd the view, markers merge into clusters of CLUSTER_PX
 * with a count. The groups of the last draw, kept in a screen grid, answer hit-testing
 * and hover.
 */
(function () {
  "use strict";

  const LONG_EVENT_DAYS = 2.0;
  const HEADER_BYTES = 16;  // the buffer's header: magic, events, origins, flags
  const T1_WHOLE = 1;       // the flag of a buffer carrying every end whole
  const HIT_RADIUS = 10;
  const STACK_PX = 16;      // markers closer than this would overlap: one marker, a count
  const CLUSTER_PX = 56;    // the reach of a cluster when markers crowd the view
  const MAX_MARKERS = 400;  // more separate markers in view than this: cluster them
  const MAX_UNCLUSTERED = 1500; // more events in view than this: cluster them too

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

  /* A hash of two 32-bit words, for the open-addressing tables of places and cells. */
  function pairHash(a, b) {
    const h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 16), 0x85ebca77)) >>> 0;
    return h ^ (h >>> 15);
  }

  /*
   * The event buffer's columns as typed arrays over it, uncopied (desktop_app/mapgen/
   * payload.py lays it out). `buffer` is one ArrayBuffer, or the buffer's parts in order
   * (fetched side by side), each cut where a column starts: every column is viewed
   * inside the part that holds it. Only the ends are made: from the starts and their
   * spans, unless the buffer carries them whole.
   */
  function decode(ea, buffer) {
    const parts = Array.isArray(buffer) ? buffer.filter((p) => p.byteLength > 0) : [buffer];
    if (!parts.length || parts[0].byteLength < HEADER_BYTES) throw new Error("not an event buffer");
    const head = new DataView(parts[0], 0, HEADER_BYTES);
    const magic = String.fromCharCode(head.getUint8(0), head.getUint8(1), head.getUint8(2), head.getUint8(3));
    if (magic !== "EVA4") throw new Error("not an event buffer");
    const n = head.getUint32(4, true), m = head.getUint32(8, true), flags = head.getUint32(12, true);
    if (m > n || (flags & ~T1_WHOLE) !== 0) throw new Error("not an event buffer");
    let offset = HEADER_BYTES, part = 0, partStart = 0;
    const take = (Type, count) => {
      const bytes = count * Type.BYTES_PER_ELEMENT;
      while (part < parts.length && offset >= partStart + parts[part].byteLength && bytes > 0) {
        partStart += parts[part].byteLength;
        part++;
      }
      const into = parts[Math.min(part, parts.length - 1)];
      if (offset - partStart + bytes > into.byteLength) throw new Error("not an event buffer");
      const arr = new Type(into, offset - partStart, count);
      offset += bytes;
      return arr;
    };
    const whole = (flags & T1_WHOLE) !== 0;
    ea.n = n;
    ea.t0 = take(Float64Array, n);
    const t1 = whole ? take(Float64Array, n) : null;
    ea.ids = take(Uint32Array, n);
    ea.lat = take(Float32Array, n);
    ea.lon = take(Float32Array, n);
    const span = whole ? null : take(Float32Array, n);
    // The rows with an origin (ascending) and where each was launched from.
    ea.originRows = take(Uint32Array, m);
    ea.originLat = take(Float32Array, m);
    ea.originLon = take(Float32Array, m);
    ea.cat = take(Uint8Array, n);
    ea.placePrecision = take(Uint8Array, n);  // how precisely each place is known (a code)
    if (whole) ea.t1 = t1;
    else {
      ea.t1 = new Float64Array(n);
      for (let i = 0; i < n; i++) ea.t1[i] = ea.t0[i] + span[i];
    }
    findPlaces(ea);
    indexIds(ea);
    let longCount = 0;
    for (let i = 0; i < n; i++) if (ea.t1[i] - ea.t0[i] > LONG_EVENT_DAYS) longCount++;
    ea.longRows = new Int32Array(longCount);
    if (longCount === 0) {
      // Every event is short (most datasets): the starts themselves, not a copy of them
      // (12 MB for a million events), and short row k is row k.
      ea.shortRows = null;
      ea.shortT0 = ea.t0;
      return;
    }
    ea.shortRows = new Int32Array(n - longCount);
    ea.shortT0 = new Float64Array(n - longCount);
    for (let i = 0, s = 0, l = 0; i < n; i++) {
      if (ea.t1[i] - ea.t0[i] > LONG_EVENT_DAYS) ea.longRows[l++] = i;
      else { ea.shortRows[s] = i; ea.shortT0[s++] = ea.t0[i]; }
    }
  }

  /*
   * Rows with identical coordinates share a place: datasets repeat a few thousand
   * places across a million events, and grouping by place first makes every draw cost
   * O(places in the window) rather than O(events). An open-addressing hash over the
   * float bits, because a Map with a million keys costs seconds and hundreds of MB.
   */
  function findPlaces(ea) {
    const n = ea.n;
    const latBits = new Uint32Array(ea.lat.buffer, ea.lat.byteOffset, n);
    const lonBits = new Uint32Array(ea.lon.buffer, ea.lon.byteOffset, n);
    // Sized for the places, not the events, and doubled as they come: a table for a
    // million rows would be 12 MB of garbage left to the collector for 20,000 places.
    // Each place's bits are kept beside it: comparing with them, not with its first
    // row's, keeps the lookups inside a few hundred kB instead of the 8 MB of columns.
    let size = 1024;
    let table = new Int32Array(size).fill(-1);
    let firstRow = new Int32Array(size / 2);
    let placeLat = new Uint32Array(size / 2), placeLon = new Uint32Array(size / 2);
    const placeOf = new Int32Array(n);
    let places = 0;
    for (let i = 0; i < n; i++) {
      const a = latBits[i], b = lonBits[i];
      // NaN (no place): all exponent bits set and some fraction bit.
      if ((a & 0x7fffffff) > 0x7f800000 || (b & 0x7fffffff) > 0x7f800000) { placeOf[i] = -1; continue; }
      let h = pairHash(a, b) & (size - 1);
      for (;;) {
        const p = table[h];
        if (p < 0) {
          if (places === firstRow.length) {
            // Half full: twice the room, every place in its new slot.
            size *= 2;
            table = new Int32Array(size).fill(-1);
            const rows = new Int32Array(size / 2), lats = new Uint32Array(size / 2), lons = new Uint32Array(size / 2);
            rows.set(firstRow); lats.set(placeLat); lons.set(placeLon);
            firstRow = rows; placeLat = lats; placeLon = lons;
            for (let q = 0; q < places; q++) {
              let g = pairHash(placeLat[q], placeLon[q]) & (size - 1);
              while (table[g] >= 0) g = (g + 1) & (size - 1);
              table[g] = q;
            }
            h = pairHash(a, b) & (size - 1);
            continue;
          }
          table[h] = places; firstRow[places] = i; placeLat[places] = a; placeLon[places] = b;
          placeOf[i] = places++;
          break;
        }
        if (placeLat[p] === a && placeLon[p] === b) { placeOf[i] = p; break; }
        h = (h + 1) & (size - 1);
      }
    }
    ea.placeOf = placeOf;
    ea.nPlaces = places;
    ea.placeWx = new Float64Array(places);
    ea.placeWy = new Float64Array(places);
    for (let p = 0; p < places; p++) {
      const r = firstRow[p];
      ea.placeWx[p] = (ea.lon[r] + 180) / 360;
      ea.placeWy[p] = mercatorY(ea.lat[r]);
    }
    rankPlaces(ea);
    scratch.grow(places);
  }

  /*
   * Each place's rank among all places by its events in the whole buffer (0: the
   * busiest; ties in order of first sight), and the places in that order. Stacks form
   * around the busiest places first, whatever the window shows.
   */
  function rankPlaces(ea) {
    const places = ea.nPlaces, events = new Int32Array(places);
    for (let i = 0; i < ea.n; i++) if (ea.placeOf[i] >= 0) events[ea.placeOf[i]]++;
    const all = new Int32Array(places);
    for (let p = 0; p < places; p++) all[p] = p;
    ea.placeOrder = countingSortDescending(all, places, events);
    ea.placeRank = new Int32Array(places);
    for (let k = 0; k < places; k++) ea.placeRank[ea.placeOrder[k]] = k;
    ea.stackCache = new Map();
    ea.stackingMs = 0;
  }

  const STACK_ZOOMS_KEPT = 8;
  // More places than this (a dataset whose every event has its own point): stacking them
  // all costs hundreds of ms a zoom, so each frame stacks only the places it shows.
  const KEPT_STACKS_MAX_PLACES = 200000;

  /*
   * Stack the places `list[0..count)`, in that order, at world scale `scale`: each joins
   * the nearest stack within STACK_PX of the stack's first place, else starts one. Each
   * place's stack goes into `of`; returns how many stacks there are. The stacks' first
   * places go into a hashed grid of cells twice the reach: a place looks in four cells.
   */
  function stackPlaces(ea, list, count, scale, of) {
    const r = STACK_PX, r2 = r * r, side = 2 * r;
    const hx = new Float64Array(count), hy = new Float64Array(count), next = new Int32Array(count);
    let size = 16;
    while (size < 2 * count) size *= 2;
    const mask = size - 1;
    const cellX = new Int32Array(size), cellY = new Int32Array(size), heads = new Int32Array(size).fill(-1);
    const slot = (cx, cy) => {
      let h = pairHash(cx, cy) & mask;
      while (heads[h] >= 0 && (cellX[h] !== cx || cellY[h] !== cy)) h = (h + 1) & mask;
      return h;
    };
    let stacks = 0;
    for (let k = 0; k < count; k++) {
      const p = list[k], x = ea.placeWx[p] * scale, y = ea.placeWy[p] * scale;
      if (!Number.isFinite(x) || !Number.isFinite(y)) { of[p] = stacks++; continue; }  // off the world
      const x0 = Math.floor((x - r) / side), x1 = Math.floor((x + r) / side);
      const y0 = Math.floor((y - r) / side), y1 = Math.floor((y + r) / side);
      let found = -1, best = Infinity;
      for (let cy = y0; cy <= y1; cy++) {
        for (let cx = x0; cx <= x1; cx++) {
          for (let s = heads[slot(cx, cy)]; s >= 0; s = next[s]) {
            const ex = hx[s] - x, ey = hy[s] - y, d2 = ex * ex + ey * ey;
            if (d2 <= r2 && d2 < best) { best = d2; found = s; }
          }
        }
      }
      if (found < 0) {
        found = stacks++;
        hx[found] = x; hy[found] = y;
        const cx = Math.floor(x / side), cy = Math.floor(y / side), h = slot(cx, cy);
        cellX[h] = cx; cellY[h] = cy;
        next[found] = heads[h]; heads[h] = found;
      }
      of[p] = found;
    }
    return stacks;
  }

  /*
   * The stacks of all places at world scale `scale` (256 * 2^zoom), busiest places first:
   * found once per zoom and kept for the last STACK_ZOOMS_KEPT zooms. Which places share
   * a marker then depends only on the zoom: markers stay put while the window moves and
   * the map pans.
   */
  function stacksAt(ea, scale) {
    const kept = ea.stackCache.get(scale);
    if (kept) {
      ea.stackCache.delete(scale);
      ea.stackCache.set(scale, kept);
      return kept;
    }
    const started = performance.now();
    const of = new Int32Array(ea.nPlaces);
    const made = { of, count: stackPlaces(ea, ea.placeOrder, ea.nPlaces, scale, of) };
    ea.stackingMs = performance.now() - started;  // what the next zoom's stacks may cost
    ea.stackCache.set(scale, made);
    if (ea.stackCache.size > STACK_ZOOMS_KEPT) ea.stackCache.delete(ea.stackCache.keys().next().value);
    return made;
  }

  /*
   * Whether the stacks at `scale` are still to be found: false when they are kept, or
   * when the frames stack only the places they show (past KEPT_STACKS_MAX_PLACES).
   */
  function stacksMissing(ea, scale) {
    return ea.nPlaces <= KEPT_STACKS_MAX_PLACES && !ea.stackCache.has(scale);
  }

  /*
   * The stack of each of the `count` places in `s.order` for this frame: the kept stacks
   * of the zoom (found now if `keep`), or, past KEPT_STACKS_MAX_PLACES places or for a
   * probe of a zoom not kept, those places stacked now (busiest first, as the kept ones
   * are).
   */
  function frameStacks(ea, s, count, scale, keep) {
    if (ea.stackCache.has(scale) || (keep && ea.nPlaces <= KEPT_STACKS_MAX_PLACES)) return stacksAt(ea, scale).of;
    const ranks = s.viewRanks.subarray(0, count);
    for (let k = 0; k < count; k++) ranks[k] = ea.placeRank[s.order[k]];
    ranks.sort();
    for (let k = 0; k < count; k++) ranks[k] = ea.placeOrder[ranks[k]];
    stackPlaces(ea, ranks, count, scale, s.viewStack);
    return s.viewStack;
  }

  /*
   * Row of an event id. Store ids are dense (1 to about the number of events): a table
   * indexed by id costs 4 bytes an id. Sparse ids: binary search over (id * n + row),
   * sorted once (8 bytes an event); no Map.
   */
  function indexIds(ea) {
    const n = ea.n;
    let maxId = 0;
    for (let i = 0; i < n; i++) if (ea.ids[i] > maxId) maxId = ea.ids[i];
    ea._rowOfId = null;
    ea._idKeys = null;
    ea._idMap = null;
    if (n && maxId <= 4 * n + 1024) {
      ea._rowOfId = new Int32Array(maxId + 1).fill(-1);
      for (let i = 0; i < n; i++) ea._rowOfId[ea.ids[i]] = i;
    } else if ((maxId + 1) * n < 2 ** 53) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = ea.ids[i] * n + i;
      keys.sort();
      ea._idKeys = keys;
    } else {
      ea._idMap = new Map();
      for (let i = 0; i < n; i++) ea._idMap.set(ea.ids[i], i);
    }
  }

  /* The row of event `id`, or -1. */
  function rowOf(ea, id) {
    const n = ea.n;
    if (ea._rowOfId) {
      return Number.isInteger(id) && id >= 0 && id < ea._rowOfId.length ? ea._rowOfId[id] : -1;
    }
    if (ea._idMap) { const r = ea._idMap.get(id); return r === undefined ? -1 : r; }
    if (!ea._idKeys || !Number.isInteger(id) || id < 0) return -1;
    const base = id * n;
    const k = lowerBound(ea._idKeys, base, 0, n);
    return k < n && ea._idKeys[k] < base + n ? ea._idKeys[k] - base : -1;
  }

  /* Rows that show in [w0, w1): short events by binary search, long ones one by one. */
  function rowsIn(ea, w0, w1) {
    const lo = lowerBound(ea.shortT0, w0 - LONG_EVENT_DAYS, 0, ea.shortT0.length);
    const hi = lowerBound(ea.shortT0, w1, lo, ea.shortT0.length);
    const out = new Int32Array(hi - lo + ea.longRows.length);
    let count = 0;
    for (let k = lo; k < hi; k++) {
      const i = ea.shortRows === null ? k : ea.shortRows[k];
      if (ea.t1[i] > w0 || ea.t0[i] >= w0) out[count++] = i;
    }
    const shortCount = count;
    for (let k = 0; k < ea.longRows.length; k++) {
      const i = ea.longRows[k];
      if (ea.t0[i] < w1 && ea.t1[i] > w0) out[count++] = i;
    }
    const rows = out.subarray(0, count);
    if (count > shortCount) rows.sort();
    return rows;
  }

  /*
   * How recent row i is within the window: 0 when it ended at the window's first moment,
   * 1 when it still runs at its last (or with fading off). An event's end counts, not its
   * start, so a month-long event that covers the window is as strong as today's news.
   */
  function ageWeight(ea, i) {
    if (!ea.fade) return 1;
    const [w0, w1] = ea.window;
    const last = Math.min(Math.max(ea.t1[i], ea.t0[i]), w1);
    return Math.min(1, Math.max(0, (last - w0) / Math.max(w1 - w0, 1e-9)));
  }

  /*
   * Work arrays for grouping, one slot per place (or stack, or group), reused by every
   * draw: a frame allocates only its groups' arrays.
   */
  const scratch = {
    stamp: new Int32Array(0), count: new Int32Array(0), last: new Int32Array(0),
    group: new Int32Array(0), x: new Float32Array(0), y: new Float32Array(0),
    order: new Int32Array(0), inside: new Uint8Array(0), gen: 0,
    stackStamp: new Int32Array(0), stackSeen: new Int32Array(0), seenCount: new Int32Array(0),
    seenTop: new Int32Array(0), seenRank: new Int32Array(0), seenOrder: new Int32Array(0),
    viewRanks: new Int32Array(0), viewStack: new Int32Array(0),
    grow(places) {
      if (this.stamp.length >= places) return;
      this.stamp = new Int32Array(places); this.count = new Int32Array(places);
      this.last = new Int32Array(places); this.group = new Int32Array(places);
      this.x = new Float32Array(places); this.y = new Float32Array(places);
      this.order = new Int32Array(places); this.inside = new Uint8Array(places);
      this.stackStamp = new Int32Array(places); this.stackSeen = new Int32Array(places);
      this.seenCount = new Int32Array(places); this.seenTop = new Int32Array(places);
      this.seenRank = new Int32Array(places); this.seenOrder = new Int32Array(places);
      this.viewRanks = new Int32Array(places); this.viewStack = new Int32Array(places);
      this.gen = 0;
    },
  };

  /*
   * Greedy grouping of screen points within `radius` pixels through a grid of
   * radius-sized cells: each item joins the nearest group whose centre (its first item)
   * is within reach in its 3x3 cells, else it starts a group at its own position. Items
   * come busiest first, so groups centre on their busiest item. Returns how many groups
   * there are and their centres; the group of each item goes into `out`.
   */
  function greedyGroups(count, xs, ys, radius, view, out) {
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

  /* Whether place `p` is busier in the frame than place `q` (its stack's busiest). */
  function busier(ea, s, p, q) {
    return s.count[p] > s.count[q] || (s.count[p] === s.count[q] && ea.placeRank[p] < ea.placeRank[q]);
  }

  /*
   * Group the placed visible events for drawing in `view` (see the header). Only places
   * inside the view plus a margin take part. Returns typed arrays per group (markers in
   * the order of their busiest stack, clusters in the order of their busiest marker):
   * centre, count, most recent row, busiest place (for a marker, the place it stands
   * on), how many markers it merges (more than one: a cluster), and counts per category.
   * A probe (going to an event tries zooms) stacks only the places it shows unless the
   * zoom's stacks are kept.
   */
  function groupEvents(ea, view, { probe = false } = {}) {
    const s = scratch;
    const gen = ++s.gen;
    const placed = ea.placed, placeOf = ea.placeOf;
    const margin = STACK_PX;
    let nTouched = 0, inView = 0;
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i];
      if (s.stamp[p] !== gen) {
        s.stamp[p] = gen;
        const x = ea.placeWx[p] * view.scale + view.ox, y = ea.placeWy[p] * view.scale + view.oy;
        const inside = x >= -margin && y >= -margin && x <= view.w + margin && y <= view.h + margin;
        s.inside[p] = inside ? 1 : 0;
        if (inside) { s.x[p] = x; s.y[p] = y; s.count[p] = 0; s.order[nTouched++] = p; }
      }
      if (s.inside[p]) { s.count[p]++; s.last[p] = i; inView++; }
    }
    // The stacks the frame shows (seen), each with its events and its busiest place.
    const stackOf = frameStacks(ea, s, nTouched, view.scale, !probe);
    let nSeen = 0;
    for (let k = 0; k < nTouched; k++) {
      const p = s.order[k], stack = stackOf[p];
      if (s.stackStamp[stack] !== gen) {
        s.stackStamp[stack] = gen;
        s.stackSeen[stack] = nSeen;
        s.seenCount[nSeen] = 0; s.seenTop[nSeen] = p; s.seenOrder[nSeen] = nSeen;
        nSeen++;
      }
      const seen = s.stackSeen[stack];
      s.seenCount[seen] += s.count[p];
      if (busier(ea, s, p, s.seenTop[seen])) s.seenTop[seen] = p;
    }
    // Busiest stacks first: they become the centres of markers and clusters. A counting
    // sort (its table as long as the busiest stack's count: a window's events at most).
    const byCount = countingSortDescending(s.seenOrder, nSeen, s.seenCount);
    for (let k = 0; k < nSeen; k++) s.seenRank[byCount[k]] = k;
    // Each stack stands on its busiest place of the frame, which may lie up to STACK_PX
    // from its first place: stacks standing closer than that share one marker.
    const sx = new Float32Array(nSeen), sy = new Float32Array(nSeen);
    for (let k = 0; k < nSeen; k++) { const top = s.seenTop[byCount[k]]; sx[k] = s.x[top]; sy[k] = s.y[top]; }
    const markerOfStack = new Int32Array(nSeen);
    const markers = greedyGroups(nSeen, sx, sy, STACK_PX, view, markerOfStack);
    const nMarkers = markers.groups;
    // Where each marker stands: the busiest place of its first (busiest) stack.
    const markerTop = new Int32Array(nMarkers);
    for (let k = 0, made = 0; k < nSeen; k++) {
      if (markerOfStack[k] === made) markerTop[made++] = s.seenTop[byCount[k]];
    }
    const crowded = nMarkers > MAX_MARKERS || inView > MAX_UNCLUSTERED;
    const clustering = crowded && nMarkers > 1 && view.zoom < view.maxZoom;
    let groupOfMarker = null, nGroups = nMarkers;
    if (clustering) {
      groupOfMarker = new Int32Array(nMarkers);
      nGroups = greedyGroups(nMarkers, markers.gx, markers.gy, CLUSTER_PX, view, groupOfMarker).groups;
    }
    const nc = ea.config.categories.length;
    const g = {
      n: nGroups, gen, clustering,
      x: new Float32Array(nGroups), y: new Float32Array(nGroups),
      count: new Int32Array(nGroups), last: new Int32Array(nGroups).fill(-1),
      top: new Int32Array(nGroups).fill(-1),  // busiest place (a marker: the one it stands on)
      markers: new Int32Array(nGroups), places: new Int32Array(nGroups),
      cats: new Int32Array(nGroups * nc),
      sx: new Float64Array(nGroups), sy: new Float64Array(nGroups),
      placeIn: (p) => s.stamp[p] === gen && s.inside[p] === 1,
      groupOfPlace: (p) => s.group[p],
      isCluster: (k) => g.markers[k] > 1,
    };
    for (let k = 0; k < nTouched; k++) {
      const p = s.order[k];
      const marker = markerOfStack[s.seenRank[s.stackSeen[stackOf[p]]]];
      const group = clustering ? groupOfMarker[marker] : marker;
      s.group[p] = group;
      if (g.top[group] < 0 || busier(ea, s, p, g.top[group])) g.top[group] = p;
      g.count[group] += s.count[p];
      g.places[group]++;
      g.sx[group] += s.x[p] * s.count[p]; g.sy[group] += s.y[p] * s.count[p];
      if (s.last[p] > g.last[group]) g.last[group] = s.last[p];
    }
    if (clustering) for (let k = 0; k < nMarkers; k++) g.markers[groupOfMarker[k]]++;
    else g.markers.fill(1);
    for (let m = 0; m < nMarkers; m++) {
      // A plain marker is named after the place it stands on.
      const group = clustering ? groupOfMarker[m] : m;
      if (g.markers[group] === 1) g.top[group] = markerTop[m];
    }
    for (let k = 0; k < nGroups; k++) {
      // A marker stands on its first stack's busiest place; a cluster on the weighted
      // centre of its events.
      if (g.markers[k] > 1) { g.x[k] = g.sx[k] / g.count[k]; g.y[k] = g.sy[k] / g.count[k]; }
      else { g.x[k] = s.x[g.top[k]]; g.y[k] = s.y[g.top[k]]; }
    }
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i];
      if (s.inside[p]) g.cats[s.group[p] * nc + Math.min(ea.cat[i], nc - 1)]++;
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
  function groupAt(g, x, y) {
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
  }

  /* The ids of the events drawn as group `k`, by start time. */
  function groupIds(ea, g, k) {
    const s = scratch, out = [];
    if (!g || k < 0) return out;
    for (let j = 0; j < ea.placed.length; j++) {
      const i = ea.placed[j], p = ea.placeOf[i];
      if (g.placeIn(p) && s.group[p] === k) out.push(ea.ids[i]);
    }
    return out;
  }

  /*
   * A bit mask over `n` rows from base64 (row i in bit i % 8 of byte i >> 3); a mask too
   * short for the rows is refused rather than read as "hide the rest".
   */
  function bitsFromBase64(text, n) {
    const raw = atob(text);
    if (raw.length < Math.ceil(n / 8)) throw new Error("the filter's mask does not cover the events");
    const bits = new Uint8Array(raw.length);
    for (let k = 0; k < raw.length; k++) bits[k] = raw.charCodeAt(k);
    return bits;
  }

  /*
   * The area between two corners of a dragged rectangle, [west, south, east, north] in
   * degrees, from their longitudes and latitudes as the map gives them (longitudes run on
   * past ±180 when the map is panned round the world). A rectangle wider than the world
   * is all of it; one across the antimeridian keeps west > east, as the filter reads it.
   */
  function dragArea(lat0, lon0, lat1, lon1) {
    const clampLat = (v) => Math.max(-90, Math.min(90, v));
    const wrap = (v) => ((((v + 180) % 360) + 360) % 360) - 180;
    const south = clampLat(Math.min(lat0, lat1)), north = clampLat(Math.max(lat0, lat1));
    const left = Math.min(lon0, lon1), right = Math.max(lon0, lon1);
    if (right - left >= 360) return [-180, south, 180, north];
    const west = wrap(left);
    let east = wrap(right);
    if (east === -180 && right > left) east = 180;
    return [west, south, east, north];
  }

  window.EventAtlasGroups = {
    dragArea, bitsFromBase64, lowerBound, mercatorY, decode, rowOf, rowsIn, ageWeight, scratch, stacksAt, stacksMissing, groupEvents, clusterRadius,
    groupAt, groupIds,
  };
})();
