/*
 * Event Atlas map page: marks as sprites. A styled canvas mark (path, fill, stroke)
 * costs tens of microseconds, so a frame holds some hundreds of them; the pixels of each
 * look a mark can have (its category's shape and colour, its outline, its opacity,
 * selected or not, the device pixel ratio) are rendered once by the canvas itself
 * (event_draw.js), so they are the very pixels a path would give, anti-aliased, and
 * each frame copies them into one pixel buffer: tens of thousands of marks a frame.
 * Pure functions over typed arrays (no DOM, no Leaflet), so node's test runner checks
 * them (tests/js). Exposes window.EventAtlasSprites.
 *
 * Pixels are ImageData's, one 32-bit word each as its Uint32Array view reads them on a
 * little-endian machine (every machine a browser runs on): 0xAABBGGRR, colour not
 * premultiplied by alpha. The words are read through an Int32Array: V8 keeps 32-bit
 * signed integers unboxed, where a word above 2^31 read as unsigned would be a double.
 */
(function () {
  "use strict";

  /*
   * A mark's opacity is drawn at one of this many steps between 0 and 1 (its sprite is
   * rendered at that opacity, as the path was): 1/80 is finer than the eye tells apart
   * on a mark, and 0.9 (an unfaded mark) is a step.
   */
  const ALPHA_STEPS = 80;

  /* The opacity step of `alpha` (0..1), and the opacity that step draws. */
  function alphaStep(alpha) {
    return Math.round(Math.min(1, Math.max(0, alpha)) * ALPHA_STEPS);
  }

  function stepAlpha(step) {
    return step / ALPHA_STEPS;
  }

  /*
   * One number for a look: category index `category`, opacity step `step`, `selected`
   * or not (a Map keyed by small integers finds it faster than by a string made each
   * time); lookOf reads it back.
   */
  function lookKey(category, step, selected) {
    return (category * (ALPHA_STEPS + 1) + step) * 2 + (selected ? 1 : 0);
  }

  function lookOf(key) {
    const look = key >> 1;
    return { category: Math.floor(look / (ALPHA_STEPS + 1)), step: look % (ALPHA_STEPS + 1), selected: (key & 1) === 1 };
  }

  /*
   * A sprite from the pixels of a rendered mark: `words` (an Int32Array view of an
   * ImageData of `width` x `height`) and the pixel (cx, cy) where the mark's centre is.
   * Keeps, per row, the first and last pixel that is not transparent, so a copy skips
   * the empty corners of its box.
   */
  function makeSprite(words, width, height, cx, cy) {
    const first = new Int32Array(height), last = new Int32Array(height);
    let top = height, bottom = -1;
    for (let r = 0; r < height; r++) {
      first[r] = width; last[r] = -1;
      for (let q = 0; q < width; q++) {
        if (words[r * width + q] === 0) continue;
        if (first[r] === width) first[r] = q;
        last[r] = q;
      }
      if (last[r] >= 0) { if (top === height) top = r; bottom = r; }
    }
    return { words, width, height, cx, cy, first, last, top, bottom };
  }

  /*
   * Source word `s` over destination word `d` (Porter-Duff "over"): the colours are
   * weighted by their alphas (premultiplied) and added, the destination's by what the
   * source lets through, and the sum divided by the new alpha again, as ImageData keeps
   * colour unpremultiplied. Rounded to the nearest value.
   */
  function over(s, d) {
    const sa = s >>> 24, da = d >>> 24;
    const dw = da * (255 - sa), total = sa * 255 + dw;  // both alphas x 255
    if (total === 0) return 0;
    const half = total >> 1;
    const r = (((s & 255) * sa * 255 + (d & 255) * dw + half) / total) | 0;
    const g = ((((s >>> 8) & 255) * sa * 255 + ((d >>> 8) & 255) * dw + half) / total) | 0;
    const b = ((((s >>> 16) & 255) * sa * 255 + ((d >>> 16) & 255) * dw + half) / total) | 0;
    return (((total + 127) / 255) | 0) << 24 | b << 16 | g << 8 | r;
  }

  /*
   * Composite `sprite` into `pixels` (an Int32Array of rows `width` words long) with its
   * centre at device pixel (x, y) (integers), inside the clip rectangle [x0, x1) x
   * [y0, y1) (at most the buffer: negative or past the edge is fine, what falls outside
   * is left out). A pixel lands as it is where the buffer is still empty, and blends
   * "over" where an earlier mark lies: edges blend, the rest copies.
   */
  function blit(pixels, width, sprite, x, y, x0, y0, x1, y1) {
    const left = x - sprite.cx, top = y - sprite.cy;
    const src = sprite.words, w = sprite.width, first = sprite.first, last = sprite.last;
    const r0 = Math.max(sprite.top, y0 - top), r1 = Math.min(sprite.bottom, y1 - 1 - top);
    for (let r = r0; r <= r1; r++) {
      const q0 = Math.max(first[r], x0 - left), q1 = Math.min(last[r], x1 - 1 - left);
      const at = (top + r) * width + left, from = r * w;
      for (let q = q0; q <= q1; q++) {
        const s = src[from + q];
        if (s === 0) continue;
        const d = pixels[at + q];
        pixels[at + q] = d === 0 || s >>> 24 === 255 ? s : over(s, d);
      }
    }
  }

  /*
   * The marks of a frame in drawing order (the later on top): a sprite and the device
   * pixel of its centre each. Kept between frames, so a frame allocates nothing.
   */
  class MarkList {
    constructor() {
      this.sprites = [];
      this.x = new Int32Array(1024);
      this.y = new Int32Array(1024);
      this.count = 0;
    }

    add(sprite, x, y) {
      if (this.count === this.x.length) {
        const x2 = new Int32Array(this.count * 2), y2 = new Int32Array(this.count * 2);
        x2.set(this.x); y2.set(this.y);
        this.x = x2; this.y = y2;
      }
      this.sprites[this.count] = sprite;
      this.x[this.count] = x;
      this.y[this.count++] = y;
    }

    /* Empty again; the slots stay (the sprites they name live in their book anyway). */
    clear() {
      this.count = 0;
    }
  }

  /*
   * The bands compositeMarks works through one at a time, in pixels: short, so that the
   * rows of one (each in a page of memory of its own on a wide canvas) stay within the
   * processor's address cache as well as its data cache.
   */
  const TILE_W = 256, TILE_H = 32;

  /*
   * Composite every mark of `list` into `pixels` (an Int32Array of `width` x `height`
   * words), as blit does one after the other, and return the box they cover
   * {x0, y0, x1, y1} (device pixels, ends excluded) or null when none falls inside.
   * With `clip` ({x0, y0, x1, y1}) only the pixels inside it are written, and the box is
   * that of the marks' parts inside it.
   *
   * Marks come in drawing order, which is no order on the map: one after the other they
   * would each touch a few dozen rows of a buffer of tens of megabytes, a cache miss per
   * row (measured: three to four times slower than the same marks in rows). So the
   * buffer is worked through in bands of TILE_W x TILE_H pixels, each with the parts of
   * the marks that reach into it, in their drawing order: where marks overlap, the later
   * is still on top, and a band's rows stay in the processor's caches while it is filled.
   */
  function compositeMarks(pixels, width, height, list, clip) {
    const n = list.count, sprites = list.sprites, xs = list.x, ys = list.y;
    const cols = Math.ceil(width / TILE_W), rows = Math.ceil(height / TILE_H);
    const start = new Int32Array(cols * rows + 1);
    const cx0 = clip ? Math.max(0, clip.x0) : 0, cy0 = clip ? Math.max(0, clip.y0) : 0;
    const cx1 = clip ? Math.min(width, clip.x1) : width, cy1 = clip ? Math.min(height, clip.y1) : height;
    let bx0 = width, by0 = height, bx1 = 0, by1 = 0;
    // Each mark's squares (-1 for a mark wholly outside), counted, then listed in order.
    const span = new Int32Array(n * 4);
    for (let k = 0; k < n; k++) {
      const s = sprites[k], left = xs[k] - s.cx, top = ys[k] - s.cy;
      const x0 = Math.max(cx0, left), y0 = Math.max(cy0, top + s.top);
      const x1 = Math.min(cx1, left + s.width), y1 = Math.min(cy1, top + s.bottom + 1);
      if (x0 >= x1 || y0 >= y1) { span[k * 4] = -1; continue; }
      bx0 = Math.min(bx0, x0); by0 = Math.min(by0, y0); bx1 = Math.max(bx1, x1); by1 = Math.max(by1, y1);
      const c0 = (x0 / TILE_W) | 0, c1 = ((x1 - 1) / TILE_W) | 0;
      const t0 = (y0 / TILE_H) | 0, t1 = ((y1 - 1) / TILE_H) | 0;
      span[k * 4] = c0; span[k * 4 + 1] = c1; span[k * 4 + 2] = t0; span[k * 4 + 3] = t1;
      for (let t = t0; t <= t1; t++) for (let c = c0; c <= c1; c++) start[t * cols + c + 1]++;
    }
    if (bx0 >= bx1) return null;
    for (let t = 1; t <= cols * rows; t++) start[t] += start[t - 1];
    const fill = start.slice(0, cols * rows), order = new Int32Array(start[cols * rows]);
    for (let k = 0; k < n; k++) {
      if (span[k * 4] < 0) continue;
      for (let t = span[k * 4 + 2]; t <= span[k * 4 + 3]; t++) {
        for (let c = span[k * 4]; c <= span[k * 4 + 1]; c++) order[fill[t * cols + c]++] = k;
      }
    }
    for (let t = 0; t < rows; t++) {
      const y0 = Math.max(cy0, t * TILE_H), y1 = Math.min(cy1, t * TILE_H + TILE_H);
      for (let c = 0; c < cols; c++) {
        const x0 = Math.max(cx0, c * TILE_W), x1 = Math.min(cx1, c * TILE_W + TILE_W), cell = t * cols + c;
        for (let j = start[cell]; j < start[cell + 1]; j++) {
          const k = order[j];
          blit(pixels, width, sprites[k], xs[k], ys[k], x0, y0, x1, y1);
        }
      }
    }
    return { x0: bx0, y0: by0, x1: bx1, y1: by1 };
  }

  /*
   * Whether the marks of `list` that reach into the rectangle [x0, x1) x [y0, y1) are
   * those of `before` that reach into it moved by (sx, sy) device pixels: the same
   * sprites, in the same order. Then every pixel there is what it was (moved), whatever
   * the marks elsewhere.
   */
  function sameMarksIn(list, before, sx, sy, x0, y0, x1, y1) {
    const reaches = (s, x, y) => {
      const left = x - s.cx, top = y - s.cy;
      return left < x1 && left + s.width > x0 && top + s.top < y1 && top + s.bottom + 1 > y0;
    };
    let j = 0;
    for (let k = 0; k < list.count; k++) {
      const s = list.sprites[k];
      if (!reaches(s, list.x[k], list.y[k])) continue;
      while (j < before.count && !reaches(before.sprites[j], before.x[j] + sx, before.y[j] + sy)) j++;
      if (j === before.count || before.sprites[j] !== s || before.x[j] + sx !== list.x[k] || before.y[j] + sy !== list.y[k]) {
        return false;
      }
      j++;
    }
    while (j < before.count && !reaches(before.sprites[j], before.x[j] + sx, before.y[j] + sy)) j++;
    return j === before.count;
  }

  /*
   * After a pan: the buffer `pixels` (`width` x `height` words) holds the marks of `before`
   * composited (compositeMarks); make it hold those of `list`, the map having moved by
   * (sx, sy) device pixels. Where the same marks reach the part of the buffer the last
   * frame covered (sameMarksIn), its pixels move and only the strips the pan uncovered
   * are composited: work in proportion to the strips, not to the marks. Otherwise, or
   * for a move as large as the buffer, it is emptied and composited whole. Returns
   * {x0, y0, x1, y1} as compositeMarks does (here the part of the buffer written: the
   * whole width or height in a pan), or null when the buffer is empty.
   */
  function compositeAfterPan(pixels, width, height, list, before, sx, sy) {
    const x0 = Math.max(0, sx), y0 = Math.max(0, sy), x1 = Math.min(width, width + sx), y1 = Math.min(height, height + sy);
    if (x0 >= x1 || y0 >= y1 || !sameMarksIn(list, before, sx, sy, x0, y0, x1, y1)) {
      pixels.fill(0);
      return compositeMarks(pixels, width, height, list);
    }
    // One move of the whole buffer: what crosses a row's end lands in the strips, emptied next.
    const offset = sy * width + sx;
    if (offset > 0) pixels.copyWithin(offset, 0, width * height - offset);
    else if (offset < 0) pixels.copyWithin(0, -offset);
    if (y0 > 0) pixels.fill(0, 0, y0 * width);
    if (y1 < height) pixels.fill(0, y1 * width);
    if (x0 > 0 || x1 < width) {
      for (let r = y0; r < y1; r++) {
        if (x0 > 0) pixels.fill(0, r * width, r * width + x0);
        if (x1 < width) pixels.fill(0, r * width + x1, (r + 1) * width);
      }
    }
    if (y0 > 0) compositeMarks(pixels, width, height, list, { x0: 0, y0: 0, x1: width, y1: y0 });
    if (y1 < height) compositeMarks(pixels, width, height, list, { x0: 0, y0: y1, x1: width, y1: height });
    if (x0 > 0) compositeMarks(pixels, width, height, list, { x0: 0, y0, x1: x0, y1 });
    if (x1 < width) compositeMarks(pixels, width, height, list, { x0: x1, y0, x1: width, y1 });
    return list.count ? { x0: 0, y0: 0, x1: width, y1: height } : null;
  }

  /*
   * The sprites of a page by look (lookKey), each made when first asked for by
   * `render(key)`, which returns {words, width, height, cx, cy, source}, and kept. A
   * change of what the looks are (the categories, the device pixel ratio) is a new book.
   */
  class SpriteBook {
    constructor(render) {
      this._render = render;
      this._sprites = new Map();
    }

    get(key) {
      let sprite = this._sprites.get(key);
      if (sprite === undefined) {
        const p = this._render(key);
        sprite = makeSprite(p.words, p.width, p.height, p.cx, p.cy);
        sprite.source = p.source;
        this._sprites.set(key, sprite);
      }
      return sprite;
    }

    get size() {
      return this._sprites.size;
    }
  }

  window.EventAtlasSprites = {
    ALPHA_STEPS, TILE_W, TILE_H, alphaStep, stepAlpha, lookKey, lookOf, makeSprite, over, blit, MarkList,
    compositeMarks, sameMarksIn, compositeAfterPan, SpriteBook,
  };
})();
