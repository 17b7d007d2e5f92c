// Dots on the map page (resources/web/event_dots.js) under node's test runner: each event
// a dot of its category's colour at its place, in device pixels, the latest on top.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const D = pageScript("event_dots.js", "EventAtlasDots");

const RED = 0xff0000ff, BLUE = 0xffff0000; // 0xAABBGGRR
const COLOURS = D.colourWords([{ colour: "#ff0000" }, { colour: "#0000ff" }, { colour: "bad" }]);

/* Page columns for events at world points [[wx, wy, category], ...], one place each. */
function page(points) {
  const n = points.length;
  return {
    placed: Int32Array.from(points.keys()),
    placeOf: Int32Array.from(points.keys()),
    placeWx: Float64Array.from(points, (p) => p[0]),
    placeWy: Float64Array.from(points, (p) => p[1]),
    cat: Uint8Array.from(points, (p) => p[2]),
    ids: Uint32Array.from({ length: n }, (_, k) => 100 + k),
  };
}

const VIEW = { scale: 100, ox: 0, oy: 0 }; // world [0, 1] over 100 CSS pixels

test("colours are opaque words in ImageData's byte order; a bad colour is grey", () => {
  assert.equal(COLOURS[0], RED);
  assert.equal(COLOURS[1], BLUE);
  assert.equal(COLOURS[2], 0xff888888);
});

test("a dot is a square of its colour centred on its place, two CSS pixels wide", () => {
  const pixels = new Uint32Array(100 * 100);
  const drawn = D.paintDots(pixels, 100, 100, page([[0.5, 0.25, 0]]), VIEW, 1, COLOURS);
  assert.equal(drawn, 1);
  const set = [];
  pixels.forEach((v, k) => { if (v) set.push([k % 100, Math.floor(k / 100), v]); });
  assert.deepEqual(set, [[49, 24, RED], [50, 24, RED], [49, 25, RED], [50, 25, RED]]);
});

test("at pixel ratio 2 a dot covers 4 x 4 device pixels at twice the coordinates", () => {
  const pixels = new Uint32Array(200 * 200);
  D.paintDots(pixels, 200, 200, page([[0.5, 0.5, 1]]), VIEW, 2, COLOURS);
  const set = [];
  pixels.forEach((v, k) => { if (v) set.push([k % 200, Math.floor(k / 200)]); });
  assert.equal(set.length, 16);
  assert.deepEqual(set[0], [98, 98]);
  assert.deepEqual(set[15], [101, 101]);
  assert.ok(pixels.every((v) => v === 0 || v === BLUE));
});

test("dots off the map are left out and counted out; the later event is drawn on top", () => {
  const pixels = new Uint32Array(100 * 100);
  const ea = page([[0.3, 0.3, 0], [0.3, 0.3, 1], [-0.2, 0.5, 0], [0.5, 1.5, 0], [0.999, 0.5, 0]]);
  const drawn = D.paintDots(pixels, 100, 100, ea, VIEW, 1, COLOURS);
  // The one at x = 99.9 would need a column past the edge: it is dropped whole.
  assert.equal(drawn, 2);
  assert.equal(pixels[30 * 100 + 30], BLUE);
  assert.equal(pixels.filter((v) => v !== 0).length, 4);
});

test("a million dots are written, one per event in view", () => {
  const n = 1000000, pixels = new Uint32Array(800 * 600);
  const ea = {
    placed: new Int32Array(n), placeOf: new Int32Array(n),
    placeWx: new Float64Array(n), placeWy: new Float64Array(n), cat: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    ea.placed[i] = i; ea.placeOf[i] = i;
    ea.placeWx[i] = ((i * 7919) % 1000) / 1000; ea.placeWy[i] = ((i * 104729) % 997) / 1000;
    ea.cat[i] = i % 2;
  }
  const view = { scale: 700, ox: 50, oy: 10 };
  const drawn = D.paintDots(pixels, 800, 600, ea, view, 1, COLOURS);
  let expected = 0;
  for (let i = 0; i < n; i++) {
    const x = ea.placeWx[i] * 700 + 50 - 1, y = ea.placeWy[i] * 700 + 10 - 1;
    if (x >= 0 && y >= 0 && x <= 798 && y <= 598) expected++;
  }
  assert.equal(drawn, expected);
  assert.ok(drawn > 500000);
});

test("a click finds the nearest dot within reach, and every event at its place", () => {
  const ea = page([[0.2, 0.2, 0], [0.5, 0.5, 0], [0.52, 0.5, 1]]);
  assert.equal(D.dotAt(ea, VIEW, 50, 50, 4), 1);
  assert.equal(D.dotAt(ea, VIEW, 51, 50, 4), 2); // as near both: the later one, on top
  assert.equal(D.dotAt(ea, VIEW, 52, 50, 4), 2);
  assert.equal(D.dotAt(ea, VIEW, 80, 80, 4), -1);
  ea.placeOf = Int32Array.from([0, 1, 1]);
  // Two events at one place: the latest is the one on top, and both are listed.
  assert.equal(D.dotAt(ea, VIEW, 50, 50, 4), 2);
  assert.deepEqual(D.rowsAtPlaceOf(ea, 2), [1, 2]);
  assert.deepEqual(D.rowsAtPlaceOf(ea, -1), []);
});

test("the automatic style draws dots only for a dense window", () => {
  assert.equal(D.wantsDots("auto", D.AUTO_DOTS_ABOVE), false);
  assert.equal(D.wantsDots("auto", D.AUTO_DOTS_ABOVE + 1), true);
  assert.equal(D.wantsDots("groups", 10 * D.AUTO_DOTS_ABOVE), false);
  assert.equal(D.wantsDots("dots", 1), true);
  assert.equal(D.noGroups().placeIn(0), false);
  assert.equal(D.noGroups().n, 0);
});

test("a moved map draws the same dots elsewhere; new rows are coloured afresh", () => {
  const ea = page([[0.2, 0.2, 0], [0.6, 0.6, 1]]);
  let pixels = new Uint32Array(100 * 100);
  assert.equal(D.paintDots(pixels, 100, 100, ea, VIEW, 1, COLOURS), 2);
  pixels = new Uint32Array(100 * 100);
  // Panned 10 pixels right: the same two dots, moved.
  assert.equal(D.paintDots(pixels, 100, 100, ea, { scale: 100, ox: 10, oy: 0 }, 1, COLOURS), 2);
  assert.equal(pixels[20 * 100 + 30], RED);
  assert.equal(pixels[60 * 100 + 70], BLUE);
  // Another window: only the second event, in its own colour.
  ea.placed = Int32Array.from([1]);
  pixels = new Uint32Array(100 * 100);
  assert.equal(D.paintDots(pixels, 100, 100, ea, VIEW, 1, COLOURS), 1);
  assert.equal(pixels[20 * 100 + 20], 0);
  assert.equal(pixels[60 * 100 + 60], BLUE);
});

/* A small random generator (mulberry32), so a failing sequence can be run again. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("a kept dot buffer holds, after any windows, pans and zooms, what a fresh one would", () => {
  const W = 120, H = 90, n = 400, places = 150, next = random(7);
  const ea = {
    placeOf: Int32Array.from({ length: n }, () => Math.floor(next() * places)),
    placeWx: Float64Array.from({ length: places }, () => next()),
    placeWy: Float64Array.from({ length: places }, () => next()),
    cat: Uint8Array.from({ length: n }, () => Math.floor(next() * 3)),
    placed: null,
  };
  const kept = new D.DotBuffer(W, H);
  let view = { scale: 100, ox: 10, oy: 0 }, ratio = 1;
  for (let step = 0; step < 300; step++) {
    const move = next();
    if (move < 0.35 || !ea.placed) {
      // Another window: a run of rows, as setWindow makes them (a new array).
      const lo = Math.floor(next() * n), hi = Math.min(n, lo + Math.floor(next() * 200));
      ea.placed = Int32Array.from({ length: hi - lo }, (_, k) => lo + k);
    } else if (move < 0.75) {
      view = { ...view, ox: view.ox + Math.round((next() - 0.5) * 80), oy: view.oy + Math.round((next() - 0.5) * 60) };
    } else if (move < 0.95) {
      view = { ...view, scale: [50, 100, 200, 400][Math.floor(next() * 4)] };
    } else {
      ratio = ratio === 1 ? 2 : 1;
    }
    const drawn = kept.paint(ea, view, ratio, COLOURS);
    const fresh = new Uint32Array(W * H);
    assert.equal(drawn, D.paintDots(fresh, W, H, ea, view, ratio, COLOURS), `step ${step}`);
    assert.deepEqual(kept.words, fresh, `step ${step}`);
    // The box holds every dot's pixel, and no more than the dots reach.
    let x0 = W, y0 = H, x1 = 0, y1 = 0;
    fresh.forEach((v, k) => {
      if (!v) return;
      const x = k % W, y = Math.floor(k / W);
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
    });
    assert.deepEqual(kept.box, x0 < W ? { x0, y0, x1, y1 } : null, `step ${step}`);
  }
});
