/*
 * Event Atlas map page: every event of the window as a dot of its category's colour,
 * written straight into the canvas's pixels. A styled canvas mark costs tens of
 * microseconds (path, fill, stroke), so grouping and marks hold only up to some
 * thousands of events a frame; pixel writes into one ImageData buffer draw a million
 * in a few milliseconds, with no GPU. Pure functions over typed arrays (no DOM, no
 * Leaflet), so node's test runner checks them (tests/js); event_draw.js calls them.
 * Exposes window.EventAtlasDots.
 */
(function () {
  "use strict";

  /*
   * Above this many events with a place in the window, the "automatic" style draws dots:
   * grouping that many costs more than a frame on a modest machine (≈ 28,000 events
   * group in 17–19 ms on two cores).
   */
  const AUTO_DOTS_ABOVE = 25000;
  const STYLES = ["auto", "groups", "dots"];

  /* Whether the page draws dots for `placedCount` events in the window, in `style`. */
  function wantsDots(style, placedCount) {
    if (style === "dots") return true;
    if (style === "groups") return false;
    return placedCount > AUTO_DOTS_ABOVE;
  }

  /*
   * Each category's colour ("#rrggbb") as the 32-bit word ImageData's Uint32Array view
   * takes on a little-endian machine (every machine a browser runs on): 0xAABBGGRR,
   * opaque. A colour that is not "#rrggbb" is drawn mid grey.
   */
  function colourWords(categories) {
    const out = new Uint32Array(categories.length);
    categories.forEach((c, k) => {
      const m = /^#([0-9a-f]{6})$/i.exec(String(c.colour || ""));
      const rgb = m ? parseInt(m[1], 16) : 0x888888;
      const r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
      out[k] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
    });
    return out;
  }

  /* The side of a dot in device pixels: two CSS pixels, so a dot stays visible on HiDPI. */
  function dotSize(ratio) {
    return Math.max(2, Math.round(2 * ratio));
  }

  /* Per-place scratch of paintDots, kept between frames (grown when places are added). */
  const scratch = {
    gen: 0, stamp: new Uint32Array(0), word: new Uint32Array(0), count: new Int32Array(0),
    touched: new Int32Array(0), nTouched: 0, placed: null, colours: null,
  };

  function placeScratch(n) {
    if (scratch.stamp.length < n) {
      scratch.stamp = new Uint32Array(n); scratch.word = new Uint32Array(n);
      scratch.count = new Int32Array(n); scratch.touched = new Int32Array(n);
      scratch.gen = 0; scratch.placed = null;
    }
    return scratch;
  }

  /*
   * The places of `placed`'s events with the colour of the latest event at each and how
   * many there are: one pass over the events, skipped when the same rows are drawn again
   * in the same colours (a pan or a zoom changes where dots go, not what they are).
   */
  function colourPlaces(s, placed, placeOf, cat, colours) {
    if (s.placed === placed && s.colours === colours) return;
    const gen = ++s.gen, stamp = s.stamp, word = s.word, count = s.count, touched = s.touched;
    const last = colours.length - 1;
    let nTouched = 0;
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i], c = cat[i];
      if (stamp[p] !== gen) { stamp[p] = gen; count[p] = 0; touched[nTouched++] = p; }
      count[p]++;
      word[p] = colours[c < last ? c : last];
    }
    s.nTouched = nTouched; s.placed = placed; s.colours = colours;
  }

  /*
   * Write a dot for each event of `ea.placed` (rows into the page's columns: placeOf,
   * placeWx, placeWy in world units, cat) into `pixels`, a Uint32Array of `width` x
   * `height` device pixels, under the map transform `view` ({scale, ox, oy} in CSS
   * pixels) at `ratio` device pixels per CSS pixel. Events at one place share its dot,
   * in the colour of the latest of them (the one drawn on top). Returns how many events
   * have their dot on the map.
   *
   * One pass over the events keeps, per place, the colour of its latest event and how
   * many it has (colourPlaces); one pass over those places writes the pixels. A million
   * events thus cost a load and two stores each when the window changes, and a frame
   * that only moves the map costs a projection per place.
   *
   * `placed` must be a new array whenever its rows change (setWindow makes one), since
   * the same array drawn again is taken to hold the same rows.
   *
   * With `where` ({corners: an Int32Array with room for every place}), the top-left
   * pixel of each dot written goes into `where.corners`, their number into
   * `where.count`, the dots' side into `where.size` and the box of device pixels they
   * cover ({x0, y0, x1, y1}, x1 and y1 past its end; null: none) into `where.box`.
   */
  function paintDots(pixels, width, height, ea, view, ratio, colours, where = null) {
    const s = placeScratch(ea.placeWx.length);
    colourPlaces(s, ea.placed, ea.placeOf, ea.cat, colours);
    const word = s.word, count = s.count, touched = s.touched, nTouched = s.nTouched;
    const size = dotSize(ratio), half = size >> 1;
    const scale = view.scale * ratio, ox = view.ox * ratio - half, oy = view.oy * ratio - half;
    const maxX = width - size, maxY = height - size, wx = ea.placeWx, wy = ea.placeWy;
    const corners = where ? where.corners : null;
    let drawn = 0, dots = 0, x0 = width, y0 = height, x1 = 0, y1 = 0;
    for (let k = 0; k < nTouched; k++) {
      const p = touched[k];
      const fx = wx[p] * scale + ox, fy = wy[p] * scale + oy;
      // A dot that would need a pixel past an edge is left out whole.
      if (!(fx >= 0 && fy >= 0 && fx <= maxX && fy <= maxY)) continue;
      const colour = word[p], x = fx | 0, y = fy | 0;
      // Plain stores: a fill() call per row of a two-pixel dot costs more than the dot.
      for (let r = 0, at = y * width + x; r < size; r++, at += width) {
        for (let c = 0; c < size; c++) pixels[at + c] = colour;
      }
      drawn += count[p];
      if (corners) {
        corners[dots++] = y * width + x;
        if (x < x0) x0 = x;
        if (y < y0) y0 = y;
        if (x > x1) x1 = x;
        if (y > y1) y1 = y;
      }
    }
    if (where) {
      where.count = dots; where.size = size;
      where.box = dots ? { x0, y0, x1: x1 + size, y1: y1 + size } : null;
    }
    return drawn;
  }

  /*
   * A frame's dots kept in one buffer of device pixels, from frame to frame: a new frame
   * rubs out only the last frame's dots (a few pixels each) rather than the whole
   * buffer, and says the box its dots lie in, so only that part of the buffer need go
   * onto the canvas. Its pixels are always what paintDots writes into an empty buffer.
   */
  class DotBuffer {
    constructor(width, height) {
      this.width = width; this.height = height;
      this.image = typeof ImageData === "function" ? new ImageData(width, height) : null;
      this.words = this.image ? new Uint32Array(this.image.data.buffer) : new Uint32Array(width * height);
      // The top-left pixel of each dot of the last frame, its dots' side and their box.
      this.where = { corners: new Int32Array(0), count: 0, size: 0, box: null };
    }

    /* This frame's dots (paintDots' arguments); how many events have their dot on the map. */
    paint(ea, view, ratio, colours) {
      const where = this.where, words = this.words, width = this.width;
      for (let k = 0, size = where.size; k < where.count; k++) {
        for (let r = 0, at = where.corners[k]; r < size; r++, at += width) {
          for (let c = 0; c < size; c++) words[at + c] = 0;
        }
      }
      const places = ea.placeWx.length;
      if (where.corners.length < places) where.corners = new Int32Array(places);
      return paintDots(words, width, this.height, ea, view, ratio, colours, where);
    }

    /* The box of device pixels the last frame's dots lie in, {x0, y0, x1, y1}, or null. */
    get box() {
      return this.where.box;
    }
  }

  /*
   * The row of the event whose dot is nearest the container point (x, y), within
   * `reach` CSS pixels, or -1: the latest of those at the same distance, as it is the
   * one drawn on top. A loop over the window's events: a click, not a frame.
   */
  function dotAt(ea, view, x, y, reach) {
    const placed = ea.placed, placeOf = ea.placeOf, wx = ea.placeWx, wy = ea.placeWy;
    let best = reach * reach, found = -1;
    for (let k = 0; k < placed.length; k++) {
      const i = placed[k], p = placeOf[i];
      const dx = wx[p] * view.scale + view.ox - x, dy = wy[p] * view.scale + view.oy - y;
      const d2 = dx * dx + dy * dy;
      if (d2 <= best) { best = d2; found = i; }
    }
    return found;
  }

  /* The rows of every event at the place of row `i` in the window (a dot may hide several). */
  function rowsAtPlaceOf(ea, i) {
    const out = [];
    if (i < 0) return out;
    const p = ea.placeOf[i];
    for (let k = 0; k < ea.placed.length; k++) if (ea.placeOf[ea.placed[k]] === p) out.push(ea.placed[k]);
    return out;
  }

  /*
   * The groups of a frame drawn as dots: none. Everything that reads the last draw's
   * groups (hit-testing, labels, a selected event's point) finds no group and goes to
   * the events themselves.
   */
  function noGroups() {
    return {
      n: 0, clustering: false, x: new Float32Array(0), y: new Float32Array(0),
      count: new Int32Array(0), last: new Int32Array(0), top: new Int32Array(0),
      markers: new Int32Array(0), places: new Int32Array(0), cats: new Int32Array(0),
      cols: 0, rows: 0, heads: new Int32Array(0), next: new Int32Array(0),
      placeIn: () => false, groupOfPlace: () => -1, isCluster: () => false,
    };
  }

  window.EventAtlasDots = {
    AUTO_DOTS_ABOVE, STYLES, wantsDots, colourWords, dotSize, paintDots, DotBuffer, dotAt,
    rowsAtPlaceOf, noGroups,
  };
})();
