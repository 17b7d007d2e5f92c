// The arcs from origin to target on the map page (resources/web/event_arcs.js) under
// node's test runner: which events make one arc, how thick, and how arcs of one look
// are laid out as one batch.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const G = pageScript("event_groups.js", "EventAtlasGroups");
const A = pageScript("event_arcs.js", "EventAtlasArcs");

const VIEW = { scale: 256 * 2 ** 6, ox: -9500, oy: -5400, w: 1280, h: 800 };
const BELGOROD = [50.5997, 36.5983], KURSK = [51.7373, 36.1874];
const PLACES = [[49.9935, 36.2304], [50.9077, 34.7981], [48.4647, 35.0462]]; // Kharkiv, Sumy, Dnipro

/*
 * A page state of `rows` ([place, origin or null, category, day]), and the groups of a
 * draw: each place its own group (at its screen point) unless `groupOf` joins them,
 * places in `outside` out of the drawn groups.
 */
function scene(rows, { groupOf = (p) => p, outside = [], clusters = [] } = {}) {
  const n = rows.length;
  const origins = rows.flatMap((r, i) => (r[1] ? [i] : []));
  const ea = {
    n,
    nPlaces: PLACES.length,
    placed: Int32Array.from(rows.keys()),
    placeOf: Int32Array.from(rows, (r) => r[0]),
    originRows: Uint32Array.from(origins),
    originLat: Float32Array.from(origins, (i) => rows[i][1][0]),
    originLon: Float32Array.from(origins, (i) => rows[i][1][1]),
    cat: Uint8Array.from(rows, (r) => r[2]),
    t0: Float64Array.from(rows, (r) => r[3]),
    t1: Float64Array.from(rows, (r) => r[3]),
    placeWx: Float64Array.from(PLACES, ([, lon]) => (lon + 180) / 360),
    placeWy: Float64Array.from(PLACES, ([lat]) => G.mercatorY(lat)),
    fade: false,
    window: [0, 30],
  };
  const groups = Math.max(...PLACES.map((_, p) => groupOf(p))) + 1;
  const g = {
    n: groups,
    x: new Float32Array(groups), y: new Float32Array(groups),
    count: new Int32Array(groups), markers: new Int32Array(groups).fill(1),
    placeIn: (p) => !outside.includes(p),
    groupOfPlace: groupOf,
  };
  PLACES.forEach((_, p) => {
    const k = groupOf(p);
    g.x[k] = ea.placeWx[p] * VIEW.scale + VIEW.ox;
    g.y[k] = ea.placeWy[p] * VIEW.scale + VIEW.oy;
    g.count[k]++;
  });
  for (const k of clusters) g.markers[k] = 3;
  return { ea, g };
}

test("events from one origin to one drawn group are one arc with their count and the latest row", () => {
  const { ea, g } = scene([
    [0, BELGOROD, 1, 3], [0, BELGOROD, 1, 5], [1, BELGOROD, 1, 4], [0, KURSK, 1, 6], [2, null, 1, 2],
  ]);
  const arcs = A.mergeArcs(ea, g);
  assert.equal(arcs.length, 3);
  const first = arcs[0];
  assert.equal(first.count, 2);
  assert.equal(first.last, 1);
  assert.equal(first.target, 0);
  assert.deepEqual(arcs.map((a) => [a.target, a.count]), [[0, 2], [1, 1], [0, 1]]);
});

test("places joined in one cluster share its arc; a place outside the groups is its own target", () => {
  const joined = scene([[0, BELGOROD, 1, 1], [1, BELGOROD, 1, 2], [2, BELGOROD, 1, 3]], {
    groupOf: (p) => (p === 2 ? 1 : 0), outside: [2],
  });
  const arcs = A.mergeArcs(joined.ea, joined.g);
  assert.deepEqual(arcs.map((a) => [a.target, a.count]), [[0, 2], [-3, 1]]);
});

test("an arc grows thicker with its count, by half pixels, to at most six", () => {
  assert.equal(A.arcWidth(1), 1);
  assert.equal(A.arcWidth(2), 2);
  assert.ok(A.arcWidth(8) > A.arcWidth(4));
  assert.equal(A.arcWidth(1e6), 6);
  for (const count of [3, 5, 7, 100]) assert.equal(A.arcWidth(count) * 2 % 1, 0);
});

test("arcs of one look are one batch; another colour or width is another", () => {
  const { ea, g } = scene([
    [0, BELGOROD, 1, 1], [1, BELGOROD, 1, 1], [2, KURSK, 2, 1], [2, BELGOROD, 1, 1], [2, BELGOROD, 1, 1],
  ]);
  const arcs = A.mergeArcs(ea, g);
  const laid = A.layArcs(ea, g, VIEW, arcs, (i) => ea.cat[i], 7, (count) => 13 + count);
  assert.equal(laid.drawn, 4);
  // Belgorod to Kharkiv and to Sumy (one event each) share a look; Kursk's arc is
  // another colour, Belgorod's two strikes on Dnipro another width.
  const looks = laid.curves.map((c) => [c.category, c.width, c.points.length / 6]).sort();
  assert.deepEqual(looks, [[1, 1, 2], [1, 2, 1], [2, 1, 1]]);
  // The rings and heads: one batch per colour and opacity, whatever the width.
  assert.deepEqual(laid.ends.map((e) => [e.category, e.rings.length / 2, e.heads.length / 6]).sort(),
    [[1, 3, 3], [2, 1, 1]]);
  const kharkiv = laid.curves.find((c) => c.category === 1 && c.width === 1).points;
  // The curve leaves Belgorod's screen point and ends on Kharkiv's group.
  assert.ok(Math.abs(kharkiv[0] - ((BELGOROD[1] + 180) / 360 * VIEW.scale + VIEW.ox)) < 1e-3);
  assert.equal(kharkiv[4], g.x[0]);
  assert.equal(kharkiv[5], g.y[0]);
});

test("an arrowhead stops at the edge of the mark it points at, further off for a cluster", () => {
  const tip = (clusters) => {
    const { ea, g } = scene([[0, BELGOROD, 1, 1]], { clusters });
    const laid = A.layArcs(ea, g, VIEW, A.mergeArcs(ea, g), () => 0, 7, () => 25);
    const head = laid.ends[0].heads;
    return Math.hypot(head[0] - g.x[0], head[1] - g.y[0]);
  };
  assert.ok(Math.abs(tip([]) - 9) < 1e-3);
  assert.ok(Math.abs(tip([0]) - 26) < 1e-3);
});

test("arcs off the view or too short to see are left out", () => {
  // Kharkiv outside the drawn groups: the arc runs between the two places' points.
  const { ea, g } = scene([[0, BELGOROD, 1, 1]], { outside: [0] });
  const arcs = A.mergeArcs(ea, g);
  assert.equal(A.layArcs(ea, g, VIEW, arcs, () => 0, 7, () => 20).drawn, 1);
  const far = { ...VIEW, ox: VIEW.ox + 5000 };
  assert.equal(A.layArcs(ea, g, far, arcs, () => 0, 7, () => 20).drawn, 0);
  const here = scene([[0, PLACES[0], 1, 1]]);
  const none = A.layArcs(here.ea, here.g, VIEW, A.mergeArcs(here.ea, here.g), () => 0, 7, () => 20);
  assert.equal(none.drawn, 0);
  assert.deepEqual(none.curves, []);
});

test("with fading on, an older arc is fainter, in a few steps of opacity", () => {
  const { ea, g } = scene([[0, BELGOROD, 1, 2], [1, BELGOROD, 1, 29]]);
  ea.fade = true;
  const laid = A.layArcs(ea, g, VIEW, A.mergeArcs(ea, g), () => 0, 7, () => 20);
  const alphas = laid.ends.map((e) => e.alpha).sort();
  assert.equal(alphas.length, 2);
  assert.ok(alphas[0] < alphas[1]);
  for (const a of alphas) assert.equal(Math.round(a * A.ALPHA_STEPS) / A.ALPHA_STEPS, a);
});

test("only the placed rows' origins count: rows the window or the filter left out make no arc", () => {
  const { ea, g } = scene([
    [0, BELGOROD, 1, 1], [1, KURSK, 1, 2], [0, BELGOROD, 1, 3], [2, KURSK, 1, 4], [1, null, 1, 5],
  ]);
  ea.placed = Int32Array.from([1, 2, 4]);
  const arcs = A.mergeArcs(ea, g);
  assert.deepEqual(arcs.map((a) => [a.last, a.target, a.count]), [[1, 1, 1], [2, 0, 1]]);
  ea.placed = Int32Array.from([]);
  assert.deepEqual(A.mergeArcs(ea, g), []);
});
