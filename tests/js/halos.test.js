// The halos of places known only roughly (resources/web/event_halos.js) under node's test
// runner: a radius of ground in pixels, which places get one, and how wide.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const H = pageScript("event_halos.js", "EventAtlasHalos");

// Ground radius by precision code: exact, settlement, district, region, country, unknown.
const METRES = [0, 5000, 25000, 100000, 400000, 0];
const VIEW = { scale: 256 * 2 ** 9, ox: 0, oy: 0, w: 1e9, h: 1e9 };

/*
 * A page state of `rows` ([place, precision code]) at places `at` ([lat, lon]), and the
 * groups of a draw where `clustered` places are in a cluster and `offscreen` ones out.
 */
function scene(at, rows, { clustered = [], offscreen = [] } = {}) {
  const ea = {
    placed: Int32Array.from(rows.map((_, i) => i)),
    placeOf: Int32Array.from(rows.map(([p]) => p)),
    placePrecision: Uint8Array.from(rows.map(([, code]) => code)),
    lat: Float32Array.from(rows.map(([p]) => at[p][0])),
    placeWx: Float64Array.from(at.map(([, lon]) => (lon + 180) / 360)),
    placeWy: Float64Array.from(at.map(() => 0)),
  };
  const g = {
    placeIn: (p) => !offscreen.includes(p),
    groupOfPlace: (p) => p,
    isCluster: (k) => clustered.includes(k),
  };
  return { ea, g };
}

test("a radius of ground spans fewer pixels at the equator than up north, twice as many a zoom in", () => {
  const scale = 256 * 2 ** 8;
  const atEquator = H.metresToPixels(5000, 0, scale);
  // 5 km of the equator: 5000 / 40,075,017 m of the world's 65,536 pixels.
  assert.ok(Math.abs(atEquator - 5000 / (2 * Math.PI * H.EARTH_RADIUS_M) * scale) < 1e-9);
  assert.ok(Math.abs(H.metresToPixels(5000, 60, scale) - 2 * atEquator) < 1e-9);
  assert.ok(Math.abs(H.metresToPixels(5000, 0, scale * 2) - 2 * atEquator) < 1e-9);
});

test("exact and unknown places get no halo; the others their precision's ground", () => {
  const at = [[50, 30], [50, 31], [50, 32], [50, 33], [50, 34], [50, 35]];
  const { ea, g } = scene(at, [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
  const halos = H.placeHalos(ea, g, METRES, VIEW, [], 0);
  assert.deepEqual(halos.map((h) => h.place), [4, 3, 2, 1]);  // widest first
  assert.deepEqual(halos.map((h) => h.metres), [400000, 100000, 25000, 5000]);
  assert.ok(Math.abs(halos[3].px - H.metresToPixels(5000, 50, VIEW.scale)) < 1e-3);
});

test("a place's halo is the widest of its events in the window", () => {
  const { ea, g } = scene([[50, 30]], [[0, 1], [0, 3], [0, 0]]);
  const [halo, ...rest] = H.placeHalos(ea, g, METRES, VIEW, [], 0);
  assert.equal(rest.length, 0);
  assert.equal(halo.metres, 100000);
  assert.equal(halo.row, 1);
});

test("a cluster's places have none, unless an event there is selected", () => {
  const { ea, g } = scene([[50, 30], [50, 31]], [[0, 3], [1, 3]], { clustered: [1] });
  assert.deepEqual(H.placeHalos(ea, g, METRES, VIEW, [], 0).map((h) => h.place), [0]);
  assert.deepEqual(H.placeHalos(ea, g, METRES, VIEW, [1], 0).map((h) => h.place).sort(), [0, 1]);
});

test("halos no wider than the mark or wholly off screen are left out", () => {
  const { ea, g } = scene([[50, 30], [50, 31]], [[0, 1], [1, 3]]);
  const small = H.metresToPixels(5000, 50, VIEW.scale);
  assert.deepEqual(H.placeHalos(ea, g, METRES, VIEW, [], small).map((h) => h.metres), [100000]);
  // A 10 px view 300 px left of the region's centre: its 509 px halo reaches in; the
  // town 64 px left of the view, with 25 px of halo, does not.
  const narrow = { ...VIEW, ox: -ea.placeWx[1] * VIEW.scale + 300, w: 10, h: 10 };
  assert.ok(H.metresToPixels(100000, 50, VIEW.scale) > 300);
  assert.deepEqual(H.placeHalos(ea, g, METRES, narrow, [], 0).map((h) => h.metres), [100000]);
});

test("a draw of dots (no groups) looks only at the selected events' places", () => {
  const { ea } = scene([[50, 30], [50, 31]], [[0, 3], [1, 2]]);
  let asked = 0;
  const none = { n: 0, placeIn: () => { asked++; return false; }, groupOfPlace: () => -1, isCluster: () => false };
  assert.deepEqual(H.placeHalos(ea, none, METRES, VIEW, [], 0), []);
  assert.deepEqual(H.placeHalos(ea, none, METRES, VIEW, [1], 0).map((h) => [h.place, h.metres]), [[1, 25000]]);
  assert.equal(asked, 0);
});
