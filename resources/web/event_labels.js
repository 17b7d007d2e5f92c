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
   * larger kind first (countries: the larger country first), then by text and position so that equal inputs give equal maps.
   */
  function compareLabels(a, b) {
    return (a.country ? 1 : 0) - (b.country ? 1 : 0)
      || b.count - a.count
      || kindRank(b.kind) - kindRank(a.kind)
      || (b.area || 0) - (a.area || 0)
      || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
      || a.x - b.x || a.y - b.y;
  }

  /*
   * Where a label of size w x h may go around its anchor (x, y) with a mark of radius r:
   * right, right a little lower (clear of a count badge at the upper right), left, above,
   * below (a country name: centred on its point only).
   */
  function positions(c) {
    const { x, y, w, h } = c;
    if (c.country) return [{ x: x - w / 2, y: y - h / 2 }];
    const r = c.r || 0;
    return [
      { x: x + r + GAP, y: y - h / 2 },
      { x: x + r + GAP, y: y - h / 2 + BADGE_CLEARANCE },
      { x: x - r - GAP - w, y: y - h / 2 },
      { x: x - w / 2, y: y - r - GAP - h },
      { x: x - w / 2, y: y + r + GAP },
    ];
  }

  /*
   * Boxes in a grid of square cells, so a box is tested only against the boxes in the
   * cells it covers: with tens of thousands of markers on the map, testing each label
   * against every one of them would cost seconds a frame.
   */
  const CELL = 64;

  class BoxGrid {
    constructor(view) {
      this.cols = Math.max(1, Math.ceil(view.w / CELL));
      this.rows = Math.max(1, Math.ceil(view.h / CELL));
      this.cells = new Array(this.cols * this.rows);
    }

    /* The column or row of cell holding coordinate v, clamped to the grid's n: a box off
     * the view is kept in the cells at its edge. */
    static _cell(v, n) {
      return Math.min(n - 1, Math.max(0, Math.floor(v / CELL)));
    }

    add(b) {
      const c0 = BoxGrid._cell(b.x, this.cols), c1 = BoxGrid._cell(b.x + b.w, this.cols);
      const r0 = BoxGrid._cell(b.y, this.rows), r1 = BoxGrid._cell(b.y + b.h, this.rows);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const k = r * this.cols + c;
          (this.cells[k] || (this.cells[k] = [])).push(b);
        }
      }
    }

    /* Whether a box of the grid overlaps `b`, other than those whose key is `own`. */
    hits(b, own) {
      const c0 = BoxGrid._cell(b.x, this.cols), c1 = BoxGrid._cell(b.x + b.w, this.cols);
      const r0 = BoxGrid._cell(b.y, this.rows), r1 = BoxGrid._cell(b.y + b.h, this.rows);
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

  /*
   * Place `candidates` ({text, x, y, w, h, r, count, kind, country, key}) on a view of
   * view.w x view.h pixels, keeping clear of `obstacles` (boxes {x, y, w, h}: the markers).
   * A candidate's own marker (its `key` matches the obstacle's) does not block it.
   * Returns the labels placed, in placement order, each {text, x, y, w, h, country, key}
   * with (x, y) its box's top-left corner.
   */
  function placeLabels(candidates, view, obstacles) {
    const sorted = candidates.slice().sort(compareLabels);
    const placed = [], taken = new BoxGrid(view), blockers = new BoxGrid(view);
    for (const o of obstacles || []) blockers.add(o);
    // A placed label's key is never NaN: nothing is exempt from the labels placed.
    const none = NaN;
    for (const c of sorted) {
      for (const spot of positions(c)) {
        const box = { x: spot.x, y: spot.y, w: c.w, h: c.h };
        if (box.x < 0 || box.y < 0 || box.x + box.w > view.w || box.y + box.h > view.h) continue;
        if (taken.hits(box, none)) continue;
        if (blockers.hits(box, c.key)) continue;
        const label = { text: c.text, x: box.x, y: box.y, w: box.w, h: box.h, country: !!c.country, key: c.key };
        placed.push(label);
        taken.add(label);
        break;
      }
    }
    return placed;
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

  window.EventAtlasLabels = { placeLabels, countryLabelPoints, kindRank, overlaps, titleLeft };
})();
