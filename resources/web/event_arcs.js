/*
 * Event Atlas map page: the arcs from where events were launched to where they landed.
 * Events that leave one origin for one drawn marker or cluster are one arc, thicker with
 * its count: a thousand strikes from one airfield read as one heavy line, not a thousand.
 * Arcs of one look (colour, opacity step, width) are laid out as one batch, stroked as one
 * path: a canvas call costs tens of microseconds whatever it draws, and a hundred arcs
 * stroked one by one (curve, ring, head: three calls each) cost more than the rest of a
 * frame. Pure functions over the page state and the groups of a draw (no DOM, no
 * Leaflet), so node's test runner checks them (tests/js); event_draw.js strokes what
 * they lay out. Exposes window.EventAtlasArcs.
 */
(function () {
  "use strict";

  const BEND = 0.2;         // how far an arc bows out, as a share of its length
  const ALPHA_STEPS = 8;    // the opacities an arc may take: arcs of one step share a path
  const WIDTH_STEP = 0.5;   // line widths are rounded to this many pixels, for the same
  const PAD = 40;           // an arc this far outside the view is not drawn
  const RING = 3;           // the radius of the ring on an arc's origin

  /*
   * The arcs of the window's placed events that know their origin: one per origin and
   * target, where the target is the group the event's place is drawn in (`g`, the groups
   * of the draw) or, for a place outside the drawn groups, the place itself (-1 - place).
   * Returns [{olat, olon, target, count, last}], `last` the latest row of the arc.
   * The placed rows and the rows with an origin both ascend (the buffer's order), so one
   * walk pairs them. Keys are numbers (an origin's index among this frame's origins, by
   * the targets' count, plus the target's index): a string made per event cost more
   * than the drawing.
   */
  function mergeArcs(ea, g) {
    const origins = new Map();   // origin latitude -> Map(origin longitude -> origin index)
    const byKey = new Map();
    const arcs = [];
    const targets = g.n + ea.nPlaces;
    const placed = ea.placed, rows = ea.originRows, m = rows.length;
    let originCount = 0;
    let j = placed.length ? window.EventAtlasGroups.lowerBound(rows, placed[0], 0, m) : m;
    for (let k = 0; k < placed.length && j < m; k++) {
      const i = placed[k];
      while (j < m && rows[j] < i) j++;
      if (j === m || rows[j] !== i) continue;
      const olat = ea.originLat[j], olon = ea.originLon[j];
      let atLat = origins.get(olat);
      if (atLat === undefined) origins.set(olat, (atLat = new Map()));
      let origin = atLat.get(olon);
      if (origin === undefined) atLat.set(olon, (origin = originCount++));
      const p = ea.placeOf[i];
      const target = g.placeIn(p) ? g.groupOfPlace(p) : -1 - p;
      const key = origin * targets + (target >= 0 ? target : g.n - 1 - target);
      const known = byKey.get(key);
      if (known !== undefined) { known.count++; known.last = i; continue; }
      const arc = { olat, olon, target, count: 1, last: i };
      byKey.set(key, arc);
      arcs.push(arc);
    }
    return arcs;
  }

  /* An arc's line width for the events it carries: thicker with the count, at most 6. */
  function arcWidth(count) {
    const width = Math.min(6, 1 + Math.log2(count) * 0.9);
    return Math.round(width / WIDTH_STEP) * WIDTH_STEP;
  }

  /* An arc's opacity step (0..ALPHA_STEPS) for how recent its latest event is (0..1). */
  function arcStep(ea, last) {
    if (!ea.fade) return Math.round(ALPHA_STEPS * 0.6);
    const age = window.EventAtlasGroups.ageWeight(ea, last);
    return Math.round(ALPHA_STEPS * (0.25 + 0.45 * age));
  }

  /*
   * The arcs of a draw laid out in `view`, in batches of one look: `curves`, each
   * {category, alpha, width, points: [x0, y0, cx, cy, x1, y1, ...]} (a quadratic curve per
   * six numbers), and `ends`, each {category, alpha, rings: [x, y, ...], heads: [x, y,
   * ...]} (a ring on each origin, a triangle per six numbers at each target, stopping at
   * the edge of the mark it points at). `categoryIndex(row)` is a row's category in the
   * page's list; `markRadius` how far a plain mark reaches, `clusterRadius(count)` a
   * cluster's. Arcs outside the view or shorter than 4 pixels are left out; `drawn` says
   * how many were laid out.
   */
  function layArcs(ea, g, view, arcs, categoryIndex, markRadius, clusterRadius) {
    const mercatorY = window.EventAtlasGroups.mercatorY;
    const curves = new Map(), ends = new Map();
    let drawn = 0;
    for (const arc of arcs) {
      const x0 = (arc.olon + 180) / 360 * view.scale + view.ox;
      const y0 = mercatorY(arc.olat) * view.scale + view.oy;
      const t = arc.target;
      const p = -1 - t;
      const x1 = t >= 0 ? g.x[t] : ea.placeWx[p] * view.scale + view.ox;
      const y1 = t >= 0 ? g.y[t] : ea.placeWy[p] * view.scale + view.oy;
      const dx = x1 - x0, dy = y1 - y0;
      // Bow to the left of the direction of travel, so A->B and B->A do not overlap.
      const cx = (x0 + x1) / 2 + dy * BEND, cy = (y0 + y1) / 2 - dx * BEND;
      if (Math.max(x0, x1, cx) < -PAD || Math.min(x0, x1, cx) > view.w + PAD) continue;
      if (Math.max(y0, y1, cy) < -PAD || Math.min(y0, y1, cy) > view.h + PAD) continue;
      if (Math.hypot(dx, dy) < 4) continue;
      const category = categoryIndex(arc.last), step = arcStep(ea, arc.last);
      const width = arcWidth(arc.count);
      const look = category * (ALPHA_STEPS + 1) + step;
      const lineKey = look * 64 + width / WIDTH_STEP;
      let line = curves.get(lineKey);
      if (line === undefined) {
        curves.set(lineKey, (line = { category, alpha: step / ALPHA_STEPS, width, points: [] }));
      }
      line.points.push(x0, y0, cx, cy, x1, y1);
      let end = ends.get(look);
      if (end === undefined) {
        ends.set(look, (end = { category, alpha: step / ALPHA_STEPS, rings: [], heads: [] }));
      }
      end.rings.push(x0, y0);
      // The head along the curve's last tangent, its tip at the edge of the mark.
      const tx = x1 - cx, ty = y1 - cy, tl = Math.hypot(tx, ty) || 1;
      const ux = tx / tl, uy = ty / tl, size = 5 + width;
      const back = t >= 0 && g.markers[t] > 1 ? clusterRadius(g.count[t]) + 1 : markRadius + 2;
      const bx = x1 - ux * back, by = y1 - uy * back;
      end.heads.push(
        bx, by,
        bx - ux * size - uy * size * 0.55, by - uy * size + ux * size * 0.55,
        bx - ux * size + uy * size * 0.55, by - uy * size - ux * size * 0.55,
      );
      drawn++;
    }
    return { curves: [...curves.values()], ends: [...ends.values()], drawn };
  }

  window.EventAtlasArcs = { mergeArcs, layArcs, arcWidth, ALPHA_STEPS, RING };
})();
