/*
 * Event Atlas map page: where each drawn event may really be. A place known only as a
 * town, a district, a region or a country is drawn with a halo whose radius is that
 * much ground (the page config's `halo_metres`, by precision code, from
 * desktop_app/core/event.py), so it grows and shrinks with the zoom like the map.
 * Pure functions over the page state and the groups of a draw (no DOM, no Leaflet), so
 * node's test runner checks them (tests/js). Exposes window.EventAtlasHalos.
 */
(function () {
  "use strict";

  // The sphere of Web Mercator (Leaflet's EPSG:3857), in metres.
  const EARTH_RADIUS_M = 6378137;

  /* How many pixels `metres` of ground at latitude `lat` span, at `scale` world pixels. */
  function metresToPixels(metres, lat, scale) {
    return metres * scale / (2 * Math.PI * EARTH_RADIUS_M * Math.cos(lat * Math.PI / 180));
  }

  /*
   * The halos of one draw: one for each place drawn as a marker (a cluster's places get
   * none: their marks are not where they are), with the widest radius among the events
   * of the window there, and one for each place of a selected event in `selectedRows`,
   * at least that event's own. Only the window's events are looked at, each once, so a
   * frame costs a pass over typed arrays and no allocation per event.
   *
   * `ea` is the page state, `g` the groups of the draw (event_groups.js; `n` 0: none),
   * `metres` the ground radius of each precision code, `view` the draw's transform. Returns
   * [{place, row, x, y, metres, px, precision}], x and y in container pixels, for halos
   * wider than `minPx` that reach into the view, widest first.
   */
  function placeHalos(ea, g, metres, view, selectedRows, minPx) {
    const found = new Map();
    const take = (p, i) => {
      const code = ea.placePrecision[i], radius = metres[code] || 0;
      if (radius <= 0) return;
      const known = found.get(p);
      if (known === undefined || radius > known.metres) found.set(p, { place: p, row: i, metres: radius, precision: code });
    };
    const placed = ea.placed, placeOf = ea.placeOf;
    // A draw without groups (dots) has a marker at no place: only the selected events'
    // places get a halo, and a million events need not be looked at on every pan.
    for (let k = 0, end = g.n === 0 ? 0 : placed.length; k < end; k++) {
      const i = placed[k], p = placeOf[i];
      if (g.placeIn(p) && !g.isCluster(g.groupOfPlace(p))) take(p, i);
    }
    for (const i of selectedRows) if (placeOf[i] >= 0) take(placeOf[i], i);
    const out = [];
    for (const h of found.values()) {
      h.x = ea.placeWx[h.place] * view.scale + view.ox;
      h.y = ea.placeWy[h.place] * view.scale + view.oy;
      h.px = metresToPixels(h.metres, ea.lat[h.row], view.scale);
      if (h.px <= minPx) continue;
      if (h.x + h.px < 0 || h.y + h.px < 0 || h.x - h.px > view.w || h.y - h.px > view.h) continue;
      out.push(h);
    }
    return out.sort((a, b) => b.px - a.px);
  }

  window.EventAtlasHalos = { metresToPixels, placeHalos, EARTH_RADIUS_M };
})();
