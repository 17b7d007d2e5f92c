/*
 * Event Atlas map page: which names the map prints, and where. Pure functions over plain
 * numbers (no DOM, no Leaflet), so node's test runner checks them (tests/js); event_draw.js
 * measures the text, calls placeLabels and draws what it returns. Exposes
 * window.EventAtlasLabels.
 *
 * The offline basemap has no names of its own, so the page labels the places that have
 * events in the window and, zoomed out, the countries. Placement is greedy by importance:
 * the busiest place first, then the place of the larger kind, then country names; a label
 * that would overlap a label already placed, cover a marker or leave the map is dropped.
 */
(function () {
  "use strict";

  /* How much a kind of place counts when two places are equally busy: larger first. */
  const KIND_RANK = { country: 6, region: 5, city: 4, town: 3, village: 2, landmark: 1 };
  const GAP = 3;  // pixels between a marker's edge and its label
  const BADGE_CLEARANCE = 5; // how far a label moves down to clear a count badge

  function kindRank(kind) {
    return KIND_RANK[kind] || 0;
  }

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  /*
   * The order labels are placed in: place labels before country names, busier first, the
   * larger kind first (countries: the larger country first), then by text and position so
   * that equal inputs give equal maps. A candidate's `rank`, where both have one, is its
   * text's place in the order of all texts (equal texts, equal ranks): a sort of tens of
   * thousands of names then compares numbers, not strings.
   */
  function compareLabels(a, b) {
    return (a.country ? 1 : 0) - (b.country ? 1 : 0)
      || b.count - a.count
      || kindRank(b.kind) - kindRank(a.kind)
      || (b.area || 0) - (a.area || 0)
      || (a.rank !== undefined && b.rank !== undefined ? a.rank - b.rank
        : a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
      || a.x - b.x || a.y - b.y;
  }

  /*
   * Where a label of size w x h may go around its anchor (x, y) with a mark of radius r:
   * right, right a little lower (clear of a count badge at the upper right), left, above,
   * below (a country name: centred on its point only). How many spots candidate `c` has,
   * and the top-left corner of its spot k: numbers, not objects (a frame tries tens of
   * thousands).
   */
  function spots(c) {
    return c.country ? 1 : 5;
  }

  function spotX(c, k) {
    if (c.country || k >= 3) return c.x - c.w / 2;
    return k === 2 ? c.x - (c.r || 0) - GAP - c.w : c.x + (c.r || 0) + GAP;
  }

  function spotY(c, k) {
    const r = c.r || 0;
    if (c.country || k === 0 || k === 2) return c.y - c.h / 2;
    if (k === 1) return c.y - c.h / 2 + BADGE_CLEARANCE;
    return k === 3 ? c.y - r - GAP - c.h : c.y + r + GAP;
  }

  /*
   * Boxes in a grid of square cells, so a box is tested only against the boxes in the
   * cells it covers: with tens of thousands of markers on the map, testing each label
   * against every one of them would cost seconds a frame.
   */
  const CELL = 64;

  // The markers' grid: cells about a marker's size, so that a label's spot meets a few.
  const MARKER_CELL = 24;

  class BoxGrid {
    constructor(view, cell = CELL) {
      this.size = cell;
      this.cols = Math.max(1, Math.ceil(view.w / cell));
      this.rows = Math.max(1, Math.ceil(view.h / cell));
      this.cells = new Array(this.cols * this.rows);
    }

    /* The column or row of cell holding coordinate v, clamped to the grid's n: a box off
     * the view is kept in the cells at its edge. */
    static _cell(v, n, size = CELL) {
      return Math.min(n - 1, Math.max(0, Math.floor(v / size)));
    }

    add(b) {
      const s = this.size;
      const c0 = BoxGrid._cell(b.x, this.cols, s), c1 = BoxGrid._cell(b.x + b.w, this.cols, s);
      const r0 = BoxGrid._cell(b.y, this.rows, s), r1 = BoxGrid._cell(b.y + b.h, this.rows, s);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const k = r * this.cols + c;
          (this.cells[k] || (this.cells[k] = [])).push(b);
        }
      }
    }

    /* Whether a box of the grid overlaps `b`, other than those whose key is `own`. */
    hits(b, own) {
      const s = this.size;
      const c0 = BoxGrid._cell(b.x, this.cols, s), c1 = BoxGrid._cell(b.x + b.w, this.cols, s);
      const r0 = BoxGrid._cell(b.y, this.rows, s), r1 = BoxGrid._cell(b.y + b.h, this.rows, s);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const cell = this.cells[r * this.cols + c];
          if (cell === undefined) continue;
          for (let k = 0; k < cell.length; k++) {
            const o = cell[k];
            if (o.key !== own && overlaps(o, b)) return true;
          }
        }
      }
      return false;
    }
  }

  function insideView(b, view) {
    return b.x >= 0 && b.y >= 0 && b.x + b.w <= view.w && b.y + b.h <= view.h;
  }

  /*
   * Greedy placement of `sorted` (in placement order) into the grid `taken` of labels
   * already placed, clear of the grid `blockers`; appends each label placed to `placed`.
   */
  function placeInOrder(sorted, view, taken, blockers, placed) {
    // A placed label's key is never NaN: nothing is exempt from the labels placed.
    const none = NaN;
    const box = { x: 0, y: 0, w: 0, h: 0 };  // each spot tried in turn: one box, reused
    for (const c of sorted) {
      for (let k = 0; k < spots(c); k++) {
        box.x = spotX(c, k); box.y = spotY(c, k); box.w = c.w; box.h = c.h;
        if (!insideView(box, view)) continue;
        if (taken.hits(box, none)) continue;
        if (blockers.hits(box, c.key)) continue;
        const label = {
          text: c.text, x: box.x, y: box.y, w: box.w, h: box.h, country: !!c.country, key: c.key,
          id: c.id, ax: c.x, ay: c.y,
        };
        placed.push(label);
        taken.add(label);
        break;
      }
    }
    return placed;
  }

  /* Which cells of a BoxGrid's layout some boxes reach (x0, y0, x1, y1): a cheap first filter. */
  class CellMask {
    constructor(view) {
      this.cols = Math.max(1, Math.ceil(view.w / CELL));
      this.rows = Math.max(1, Math.ceil(view.h / CELL));
      this.cells = new Uint8Array(this.cols * this.rows);
    }

    mark(x0, y0, x1, y1) {
      const c0 = BoxGrid._cell(x0, this.cols), c1 = BoxGrid._cell(x1, this.cols);
      const r0 = BoxGrid._cell(y0, this.rows), r1 = BoxGrid._cell(y1, this.rows);
      for (let r = r0; r <= r1; r++) this.cells.fill(1, r * this.cols + c0, r * this.cols + c1 + 1);
    }

    any(x0, y0, x1, y1) {
      const c0 = BoxGrid._cell(x0, this.cols), c1 = BoxGrid._cell(x1, this.cols);
      const r0 = BoxGrid._cell(y0, this.rows), r1 = BoxGrid._cell(y1, this.rows);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) if (this.cells[r * this.cols + c]) return true;
      }
      return false;
    }
  }

  /*
   * Place `candidates` ({text, x, y, w, h, r, count, kind, country, key, id, rank}) on a view of
   * view.w x view.h pixels, keeping clear of `obstacles` (boxes {x, y, w, h}: the markers).
   * A candidate's own marker (its `key` matches the obstacle's) does not block it; its
   * `id` names its place from one frame to the next (placeLabelsAfterPan).
   * Returns the labels placed, in placement order, each {text, x, y, w, h, country, key,
   * id, ax, ay} with (x, y) its box's top-left corner and (ax, ay) its anchor.
   */
  function placeLabels(candidates, view, obstacles) {
    const taken = new BoxGrid(view), blockers = new BoxGrid(view, MARKER_CELL);
    for (const o of obstacles || []) blockers.add(o);
    return placeInOrder(candidates.slice().sort(compareLabels), view, taken, blockers, []);
  }

  /*
   * The labels of the frame after a pan: `previous` (placeLabels' or this function's
   * answer for the last frame) moved by (dx, dy) pixels with the map, and new labels only
   * where the pan changed what may go there. A label stays while its anchor moved with
   * the map and its box is still wholly on the view and clear of `fixed` (the boxes that
   * do not move with the map: the controls); the candidates tested again are only those
   * with a spot the last view did not hold (at the edges the pan uncovered), where a
   * label went (it left the view) or where `fixedBefore` (`fixed` in the last frame, by
   * default the same) lay on the map, in placement order, around the labels kept. So a pan costs in proportion to its edges, not to the labels
   * in view, and the names the eye follows keep their places while the map moves. Same
   * arguments and answer as placeLabels otherwise (the labels kept come first).
   */
  function placeLabelsAfterPan(previous, dx, dy, candidates, view, obstacles, fixed, fixedBefore = fixed) {
    const before = new Map();
    for (const b of previous) before.set(b.id, b);
    // Candidates whose label of the last frame is taken off: that label kept them from
    // their other spots then, so each spot is tried again, old or new.
    const unlabelled = new Set();
    const kept = [], freed = [], keptIds = new Set(), taken = new BoxGrid(view), fixedGrid = new BoxGrid(view);
    for (const f of fixed || []) fixedGrid.add(f);
    const none = NaN;
    for (const c of candidates) {
      const b = before.get(c.id);
      if (b === undefined) continue;
      before.delete(c.id);
      const box = { x: b.x + dx, y: b.y + dy, w: b.w, h: b.h };
      // An anchor that did not move with the map is a different label (its group changed).
      const moved = Math.abs(c.x - b.ax - dx) < 0.01 && Math.abs(c.y - b.ay - dy) < 0.01;
      if (!moved || c.w !== b.w || !insideView(box, view) || fixedGrid.hits(box, none)) {
        freed.push(box);
        unlabelled.add(c.id);
        continue;
      }
      const label = { text: c.text, x: box.x, y: box.y, w: box.w, h: box.h, country: !!c.country, key: c.key, id: c.id, ax: c.x, ay: c.y };
      kept.push(label);
      keptIds.add(c.id);
      taken.add(label);
    }
    // Labels whose place is gone free their spot too, and so does what `fixed` covered
    // (on the map, it moved the other way, and it may have changed its size).
    for (const b of before.values()) freed.push({ x: b.x + dx, y: b.y + dy, w: b.w, h: b.h });
    for (const f of fixedBefore || []) freed.push({ x: f.x + dx, y: f.y + dy, w: f.w, h: f.h });
    // Where the last view was, in this view's pixels: a spot wholly inside it was tried then.
    const inLast = (b) => b.x >= dx && b.y >= dy && b.x + b.w <= dx + view.w && b.y + b.h <= dy + view.h;
    const freedGrid = new BoxGrid(view), changed = new CellMask(view);
    for (const f of freed) { freedGrid.add(f); changed.mark(f.x, f.y, f.x + f.w, f.y + f.h); }
    // The strips the pan uncovered.
    if (dx > 0) changed.mark(0, 0, dx, view.h);
    if (dx < 0) changed.mark(view.w + dx, 0, view.w, view.h);
    if (dy > 0) changed.mark(0, 0, view.w, dy);
    if (dy < 0) changed.mark(0, view.h + dy, view.w, view.h);
    const again = [], near = new CellMask(view);
    for (const c of candidates) {
      const reach = c.w + (c.r || 0) + GAP;
      // Far from every change, its spots are as they were: it stays as placed or not.
      if (!changed.any(c.x - reach, c.y - reach, c.x + reach, c.y + reach) || keptIds.has(c.id)) continue;
      for (let k = 0; k < spots(c); k++) {
        const box = { x: spotX(c, k), y: spotY(c, k), w: c.w, h: c.h };
        if (!insideView(box, view)) continue;
        if (inLast(box) && !freedGrid.hits(box, none) && !unlabelled.has(c.id)) continue;
        again.push(c);
        near.mark(c.x - reach, c.y - reach, c.x + reach, c.y + reach);
        break;
      }
    }
    if (!again.length) return kept;
    // Only the obstacles a candidate tried again could meet.
    const blockers = new BoxGrid(view, MARKER_CELL);
    for (const f of fixed || []) blockers.add(f);
    for (const o of obstacles || []) if (near.any(o.x, o.y, o.x + o.w, o.y + o.h)) blockers.add(o);
    return placeInOrder(again.sort(compareLabels), view, taken, blockers, kept);
  }

  /*
   * Where a pan from the frame of `previous` by (dx, dy) changes what labels may go: the
   * strips it uncovered, the boxes of the labels it takes off (past the view's edge or
   * under `fixed`) and the part of the map `fixedBefore` covered (see placeLabelsAfterPan).
   * Returns {ids, near}: the ids of `previous`, and near(x, y),
   * whether something within `reach` pixels of (x, y) may have changed (to the cell). A
   * frame can leave out the candidates (and markers) far from every change before
   * placeLabelsAfterPan: they would keep their labels or their lack of one.
   */
  function panChanges(previous, dx, dy, view, fixed, reach, fixedBefore = fixed) {
    const changed = new CellMask(view), fixedGrid = new BoxGrid(view);
    for (const f of fixed || []) fixedGrid.add(f);
    if (dx > 0) changed.mark(0, 0, dx, view.h);
    if (dx < 0) changed.mark(view.w + dx, 0, view.w, view.h);
    if (dy > 0) changed.mark(0, 0, view.w, dy);
    if (dy < 0) changed.mark(0, view.h + dy, view.w, view.h);
    // What `fixed` covered of the map (it moved the other way on it).
    for (const f of fixedBefore || []) changed.mark(f.x + dx, f.y + dy, f.x + dx + f.w, f.y + dy + f.h);
    const ids = new Set();
    for (const b of previous) {
      ids.add(b.id);
      const box = { x: b.x + dx, y: b.y + dy, w: b.w, h: b.h };
      if (!insideView(box, view) || fixedGrid.hits(box, NaN)) changed.mark(box.x, box.y, box.x + box.w, box.y + box.h);
    }
    // Each changed cell spread by `reach`: then a point asks one cell.
    const spread = new CellMask(view), by = Math.ceil(reach / CELL);
    for (let r = 0; r < changed.rows; r++) {
      for (let c = 0; c < changed.cols; c++) {
        if (!changed.cells[r * changed.cols + c]) continue;
        spread.mark((c - by) * CELL, (r - by) * CELL, (c + by) * CELL, (r + by) * CELL);
      }
    }
    const cells = spread.cells, cols = spread.cols, rows = spread.rows;
    return { ids, near: (x, y) => cells[BoxGrid._cell(y, rows) * cols + BoxGrid._cell(x, cols)] === 1 };
  }

  /*
   * The left edge of the current event's title, w pixels wide, beside a mark at x on a map
   * viewW wide: to the right of the mark (dx away) where it fits, else to its left, else
   * as far right as the map allows, so that a long title near the edge is read whole.
   */
  function titleLeft(x, w, viewW, dx) {
    if (x + dx + w <= viewW) return x + dx;
    if (x - dx - w >= 0) return x - dx - w;
    return Math.max(0, viewW - w);
  }

  /*
   * Area, centroid and east-west extent (all in degrees) of one ring of [lon, lat]
   * points: the shoelace formula.
   */
  function ringCentroid(ring) {
    let area = 0, cx = 0, cy = 0, west = Infinity, east = -Infinity;
    for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
      const [x0, y0] = ring[j], [x1, y1] = ring[k];
      const cross = x0 * y1 - x1 * y0;
      area += cross; cx += (x0 + x1) * cross; cy += (y0 + y1) * cross;
      west = Math.min(west, x1); east = Math.max(east, x1);
    }
    area /= 2;
    const span = east - west;
    if (Math.abs(area) < 1e-12) return { area: 0, lon: ring[0][0], lat: ring[0][1], span };
    return { area: Math.abs(area), lon: cx / (6 * area), lat: cy / (6 * area), span };
  }

  /*
   * A label point per country of a GeoJSON FeatureCollection: the centroid of the outer
   * ring of its largest polygon (France's name belongs in France, not between it and
   * French Guiana). Returns [{name, lat, lon, area, span}]: area in square degrees, span
   * the polygon's width in degrees of longitude (a name wider than its land is left out).
   */
  function countryLabelPoints(geojson) {
    const out = [];
    for (const feature of geojson.features || []) {
      const name = feature.properties && feature.properties.name;
      const geometry = feature.geometry;
      if (!name || !geometry) continue;
      const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
        : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
      let best = null;
      for (const polygon of polygons) {
        const c = ringCentroid(polygon[0]);
        if (!best || c.area > best.area) best = c;
      }
      if (best) out.push({ name: String(name), lat: best.lat, lon: best.lon, area: best.area, span: best.span });
    }
    return out;
  }

  window.EventAtlasLabels = {
    placeLabels, placeLabelsAfterPan, panChanges, countryLabelPoints, kindRank, overlaps, titleLeft,
  };
})();
