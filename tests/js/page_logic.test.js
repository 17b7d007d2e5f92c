// The map page's pure logic (resources/web/event_groups.js) under node's test runner:
// the time window's binary search, grouping what would overlap, and fading by age.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const G = pageScript("event_groups.js", "EventAtlasGroups");
const { eventBuffer } = require("./event_buffer.js");

const CATEGORIES = [{ key: "strike" }, { key: "diplomacy" }, { key: "other" }];

/* A page state holding `events` (t1 defaults to t0), as EventAtlas.decode leaves it. */
function page(events) {
  const ea = { config: { categories: CATEGORIES }, fade: true, window: [0, 0] };
  G.decode(ea, eventBuffer(events).buffer);
  return ea;
}

function ids(ea, rows) {
  return Array.from(rows, (i) => ea.ids[i]);
}

/* The state after EventAtlas.setWindow: the placed rows of the window. */
function showWindow(ea, w0, w1) {
  ea.window = [w0, w1];
  ea.placed = G.rowsIn(ea, w0, w1).filter((i) => ea.placeOf[i] >= 0);
  return ea;
}

/* A view of the whole world, 256 * 2^zoom pixels wide, from its top-left corner. */
function worldView(zoom, w = 1024, h = 768, maxZoom = 18) {
  return { scale: 256 * 2 ** zoom, ox: 0, oy: 0, w, h, zoom, maxZoom };
}

test("lowerBound finds the first value not below the one sought", () => {
  const arr = Float64Array.from([1, 2, 2, 2, 5, 8]);
  assert.equal(G.lowerBound(arr, 2, 0, arr.length), 1);
  assert.equal(G.lowerBound(arr, 3, 0, arr.length), 4);
  assert.equal(G.lowerBound(arr, 0, 0, arr.length), 0);
  assert.equal(G.lowerBound(arr, 9, 0, arr.length), 6);
  assert.equal(G.lowerBound(arr, 2, 3, arr.length), 3);
});

test("rowsIn is [w0, w1) over starts, with events still running at w0", () => {
  const ea = page([
    { id: 1, t0: 10 },
    { id: 2, t0: 11, t1: 11.5 },
    { id: 3, t0: 12 },
    { id: 4, t0: 13 },
    { id: 5, t0: 9.5, t1: 10.5 },  // started before the window and runs into it
  ].sort((a, b) => a.t0 - b.t0));
  assert.deepEqual(ids(ea, G.rowsIn(ea, 11, 13)), [2, 3]);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 10, 11)), [5, 1]);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 10.5, 10.6)), []);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 14, 20)), []);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 0, 100)), [5, 1, 2, 3, 4]);
});

test("rowsIn finds long events that cover the window, in start order", () => {
  const ea = page([
    { id: 7, t0: 0, t1: 365 },     // a year-long event
    { id: 8, t0: 100 },
    { id: 9, t0: 150, t1: 400 },
    { id: 6, t0: 200 },
  ]);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 180, 210)), [7, 9, 6]);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 370, 380)), [9]);
  assert.deepEqual(ids(ea, G.rowsIn(ea, 500, 600)), []);
});

for (const longShare of [0.05, 0]) {
  test(`rowsIn agrees with a plain scan over many events (${longShare * 100}% long)`, () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const events = Array.from({ length: 3000 }, (_, k) => {
      const t0 = Math.floor(random() * 1000 * 4) / 4;
      const long = random() < longShare;
      return { id: k + 1, t0, t1: t0 + (long ? random() * 90 : random() * 1.5) };
    }).sort((a, b) => a.t0 - b.t0);
    const ea = page(events);
    for (const [w0, w1] of [[0, 1], [100, 130.5], [499.25, 500], [990, 2000], [-5, 0]]) {
      const expected = events
        .filter((e) => e.t0 < w1 && (e.t1 > w0 || e.t0 >= w0))
        .map((e) => e.id);
      assert.deepEqual(ids(ea, G.rowsIn(ea, w0, w1)), expected, `[${w0}, ${w1})`);
    }
  });
}

test("rowOf finds the row of an id, and -1 for an unknown one", () => {
  const ea = page([{ id: 40, t0: 1 }, { id: 3, t0: 2 }, { id: 17, t0: 3 }]);
  assert.equal(G.rowOf(ea, 3), 1);
  assert.equal(G.rowOf(ea, 17), 2);
  assert.equal(G.rowOf(ea, 40), 0);
  assert.equal(G.rowOf(ea, 4), -1);
  assert.equal(G.rowOf(ea, -1), -1);
  assert.equal(G.rowOf(ea, 2.5), -1);
});

test("rowOf finds the rows of sparse ids too", () => {
  const ea = page([{ id: 4e9, t0: 1 }, { id: 7, t0: 2 }, { id: 123456789, t0: 3 }]);
  assert.equal(G.rowOf(ea, 7), 1);
  assert.equal(G.rowOf(ea, 123456789), 2);
  assert.equal(G.rowOf(ea, 4e9), 0);
  assert.equal(G.rowOf(ea, 8), -1);
  assert.equal(G.rowOf(ea, -7), -1);
});

test("events at one spot share a place; events without one have none", () => {
  const ea = page([
    { id: 1, t0: 1, lat: 50.0, lon: 36.2 },
    { id: 2, t0: 2 },
    { id: 3, t0: 3, lat: 50.0, lon: 36.2 },
    { id: 4, t0: 4, lat: 46.5, lon: 30.7 },
  ]);
  assert.equal(ea.nPlaces, 2);
  assert.deepEqual(Array.from(ea.placeOf), [0, -1, 0, 1]);
  assert.ok(Math.abs(ea.placeWx[1] - (30.7 + 180) / 360) < 1e-6);
  assert.equal(G.mercatorY(0), 0.5);
});

test("thousands of places each get one place number, in order of first sight", () => {
  const spots = 5000;
  const events = [];
  for (let k = 0; k < 3 * spots; k++) {
    const spot = (k * 7919) % spots;
    events.push({ id: k + 1, t0: k, lat: 40 + spot * 0.001, lon: 20 + (spot % 97) * 0.01 });
  }
  const ea = page(events);
  assert.equal(ea.nPlaces, spots);
  const first = new Map();
  events.forEach((e, i) => {
    const key = `${Math.fround(e.lat)},${Math.fround(e.lon)}`;
    if (!first.has(key)) first.set(key, first.size);
    assert.equal(ea.placeOf[i], first.get(key));
  });
});

test("groupEvents stacks close places and keeps distant ones apart", () => {
  const ea = showWindow(page([
    { id: 1, t0: 1, lat: 50.0, lon: 36.2, cat: 0 },
    { id: 2, t0: 2, lat: 50.0, lon: 36.2, cat: 1 },
    { id: 3, t0: 3, lat: 50.01, lon: 36.21, cat: 0 },  // a pixel away at zoom 6
    { id: 4, t0: 4, lat: 46.5, lon: 30.7, cat: 2 },    // Odesa: far off
  ]), 0, 10);
  const g = G.groupEvents(ea, worldView(6, 1e5, 1e5));
  assert.equal(g.n, 2);
  assert.equal(g.clustering, false);
  const counts = Array.from(g.count).sort();
  assert.deepEqual(counts, [1, 3]);
  const stack = Array.from(g.count).indexOf(3);
  assert.deepEqual(Array.from(g.cats.slice(stack * 3, stack * 3 + 3)), [2, 1, 0]);
  assert.equal(ea.ids[g.last[stack]], 3);  // the most recent event of the stack
  assert.deepEqual(G.groupIds(ea, g, stack), [1, 2, 3]);
  assert.deepEqual(G.groupIds(ea, g, 1 - stack), [4]);
  // A click on a group's centre hits it; far from every group hits nothing.
  assert.equal(G.groupAt(g, g.x[stack], g.y[stack]), stack);
  assert.equal(G.groupAt(g, g.x[stack] + 500, g.y[stack] + 500), -1);
});

test("groupEvents leaves out places outside the view", () => {
  const ea = showWindow(page([
    { id: 1, t0: 1, lat: 50.0, lon: 36.2 },
    { id: 2, t0: 2, lat: -33.9, lon: 151.2 },  // Sydney
  ]), 0, 10);
  const view = worldView(5);
  const x = ea.placeWx[0] * view.scale, y = ea.placeWy[0] * view.scale;
  const g = G.groupEvents(ea, { ...view, ox: view.w / 2 - x, oy: view.h / 2 - y });
  assert.equal(g.n, 1);
  assert.deepEqual(G.groupIds(ea, g, 0), [1]);
  assert.equal(g.placeIn(ea.placeOf[1]), false);
});

test("groupEvents clusters a crowded view, and never at the last zoom", () => {
  const events = [];
  for (let k = 0; k < 900; k++) {
    events.push({ id: k + 1, t0: k, lat: 45 + (k % 30) * 0.3, lon: 25 + Math.floor(k / 30) * 0.4 });
  }
  const ea = showWindow(page(events), 0, 1000);
  const g = G.groupEvents(ea, worldView(6, 1e5, 1e5));
  assert.equal(g.clustering, true);
  assert.ok(g.n < 900 && g.n > 1, `${g.n} groups`);
  assert.equal(Array.from(g.count).reduce((a, b) => a + b, 0), 900);
  assert.ok(Array.from(g.markers).some((m) => m > 1));
  const last = G.groupEvents(ea, worldView(6, 1e5, 1e5, 6));
  assert.equal(last.clustering, false);
  assert.equal(last.n, 900);
});

/* Events at three places 12 px apart along a parallel at `zoom` (A west, B, C east). */
function threePlaces(events, zoom = 6) {
  const step = (12 / (256 * 2 ** zoom)) * 360;
  const lon = { A: 30, B: 30 + step, C: 30 + 2 * step };
  return page(events.map(([id, t0, at]) => ({ id, t0, lat: 0, lon: lon[at] })));
}

test("which places share a marker stays the same as the window moves", () => {
  // B is the busiest place of all: A and C, 12 px either side, stack with it at zoom 6.
  const ea = threePlaces([
    [1, 1, "A"], [2, 2, "C"], [3, 3, "A"], [4, 4, "B"], [5, 5, "B"], [6, 6, "B"],
    [7, 7, "C"], [8, 8, "C"], [9, 9, "A"], [10, 10, "C"], [11, 11, "B"], [12, 12, "B"],
  ]);
  const view = worldView(6, 1e5, 1e5);
  const place = (id) => ea.placeOf[G.rowOf(ea, id)];
  for (const [w0, w1, busiest, count] of [[0, 4, place(1), 3], [6.5, 11, place(2), 4], [0, 13, place(4), 12]]) {
    const g = G.groupEvents(showWindow(ea, w0, w1), view);
    assert.equal(g.n, 1, `one marker for the window [${w0}, ${w1})`);
    assert.equal(g.count[0], count);
    // The marker stands on the busiest place with events in the window.
    assert.equal(g.top[0], busiest);
    assert.equal(g.x[0], Math.fround(ea.placeWx[busiest] * view.scale));
  }
  // B has no event in [0, 4): it takes no part, though its stack is drawn.
  const g = G.groupEvents(showWindow(ea, 0, 4), view);
  assert.equal(g.placeIn(place(4)), false);
  assert.deepEqual(G.groupIds(ea, g, 0), [1, 2, 3]);
});

test("stacks are found once per zoom and again for new events", () => {
  // Busiest first: B takes in A and C; taken in the order first seen, A would take in
  // B, and C (24 px from A) would stand alone.
  const ea = threePlaces([[1, 1, "A"], [2, 2, "B"], [3, 3, "B"], [4, 4, "C"]]);
  const scale = 256 * 2 ** 6;
  const stacks = G.stacksAt(ea, scale);
  assert.equal(G.stacksAt(ea, scale), stacks);
  assert.equal(stacks.count, 1);
  // Far enough in, every place stands alone.
  assert.equal(G.stacksAt(ea, 256 * 2 ** 9).count, 3);
  const again = threePlaces([[1, 1, "A"], [2, 2, "B"], [3, 3, "C"]]);
  assert.notEqual(G.stacksAt(again, scale), stacks);
  assert.equal(G.stacksAt(again, scale).count, 2);
});

test("stacks whose busiest places of the frame stand close share one marker", () => {
  // A and B (busy outside the window) are 17 px apart at zoom 6: two stacks. In the
  // window only P (8.4 px from A) and Q (8.4 px from B) have events, 0.2 px apart.
  const px = (x) => 30 + (x / (256 * 2 ** 6)) * 360;
  const at = { A: px(0), B: px(17), P: px(8.4), Q: px(8.6) };
  const events = [];
  for (const [where, times] of [["A", [1, 2, 3, 4, 5]], ["B", [1, 2, 3, 4]], ["P", [20]], ["Q", [21]]]) {
    for (const t0 of times) events.push({ id: events.length + 1, t0, lat: 0, lon: at[where] });
  }
  const ea = page(events.sort((a, b) => a.t0 - b.t0));
  assert.equal(G.stacksAt(ea, 256 * 2 ** 6).count, 2);
  const g = G.groupEvents(showWindow(ea, 10, 30), worldView(6, 1e5, 1e5));
  assert.equal(g.n, 1);
  assert.equal(g.count[0], 2);
  assert.equal(g.markers[0], 1);
});

test("a place off the world (an infinite longitude) stands alone and stops nothing", () => {
  const ea = page([{ id: 1, t0: 1, lat: 50, lon: 30 }, { id: 2, t0: 2, lat: 50, lon: Infinity }]);
  assert.equal(G.stacksAt(ea, 256 * 2 ** 6).count, 2);
  const g = G.groupEvents(showWindow(ea, 0, 3), worldView(6, 1e5, 1e5));
  assert.equal(g.count.reduce((a, b) => a + b, 0), 1);
});

test("a probe of another zoom keeps no stacks of it", () => {
  const ea = threePlaces([[1, 1, "A"], [2, 2, "B"], [3, 3, "C"]]);
  showWindow(ea, 0, 4);
  G.groupEvents(ea, worldView(6, 1e5, 1e5));
  const probed = G.groupEvents(ea, worldView(9, 1e6, 1e6), { probe: true });
  assert.equal(probed.n, 3);
  assert.deepEqual(Array.from(ea.stackCache.keys()), [256 * 2 ** 6]);
});

test("a dataset of very many places stacks the places each frame shows", () => {
  // 200,002 places, each event its own: two of them a pixel apart over Kharkiv, the rest
  // scattered far from the view.
  const events = [{ id: 1, t0: 1, lat: 50, lon: 36.2 }, { id: 2, t0: 1, lat: 50, lon: 36.2 + 0.5 / 46 }];
  for (let k = 0; k < 200000; k++) events.push({ id: k + 3, t0: 2, lat: -40 + (k % 400) * 0.1, lon: -100 + Math.floor(k / 400) * 0.1 });
  const ea = showWindow(page(events), 0, 3);
  assert.equal(ea.nPlaces, 200002);
  const view = worldView(6);
  const x = ea.placeWx[0] * view.scale, y = ea.placeWy[0] * view.scale;
  const g = G.groupEvents(ea, { ...view, ox: view.w / 2 - x, oy: view.h / 2 - y });
  assert.equal(g.n, 1);
  assert.equal(g.count[0], 2);
  assert.deepEqual(G.groupIds(ea, g, 0), [1, 2]);
  assert.equal(ea.stackCache.size, 0, "no stacks of all places were made");
});

test("ageWeight fades by how late in the window an event last ran", () => {
  const ea = page([
    { id: 1, t0: 10 },
    { id: 2, t0: 15 },
    { id: 3, t0: 20 },
    { id: 4, t0: 5, t1: 40 },  // still running at the window's end
  ].sort((a, b) => a.t0 - b.t0));
  ea.window = [10, 20];
  const weight = (id) => G.ageWeight(ea, G.rowOf(ea, id));
  assert.equal(weight(1), 0);
  assert.equal(weight(2), 0.5);
  assert.equal(weight(3), 1);
  assert.equal(weight(4), 1);
  ea.fade = false;
  assert.equal(weight(1), 1);
  assert.equal(weight(2), 1);
});

test("each group knows its busiest place, the one its label names", () => {
  // Two places a few metres apart stack into one marker; the busier one names it.
  const ea = showWindow(page([
    { id: 1, t0: 1, lat: 50, lon: 30 },
    { id: 2, t0: 2, lat: 50.0001, lon: 30.0001 },
    { id: 3, t0: 3, lat: 50.0001, lon: 30.0001 },
    { id: 4, t0: 4, lat: 10, lon: -40 },
  ]), 0, 10);
  const g = G.groupEvents(ea, worldView(5, 8192, 8192));
  assert.equal(g.n, 2);
  const stack = g.count[0] === 3 ? 0 : 1;
  assert.equal(g.top[stack], ea.placeOf[G.rowOf(ea, 2)]);
  assert.equal(g.top[1 - stack], ea.placeOf[G.rowOf(ea, 4)]);
});

test("a filter's row mask reads one bit per row, and a short mask is refused", () => {
  // Rows 0, 3 and 9 of 10: bytes 0b00001001 and 0b00000010.
  const bits = G.bitsFromBase64(Buffer.from([0b00001001, 0b00000010]).toString("base64"), 10);
  const passes = Array.from({ length: 10 }, (_, i) => (bits[i >> 3] >> (i & 7)) & 1);
  assert.deepEqual(passes, [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  assert.throws(() => G.bitsFromBase64(Buffer.from([1]).toString("base64"), 9), /does not cover/);
});

test("a dragged rectangle is the area between its corners, either way round", () => {
  assert.deepEqual(G.dragArea(50, 26, 40, 34), [26, 40, 34, 50]);
  assert.deepEqual(G.dragArea(40, 34, 50, 26), [26, 40, 34, 50]);
});

test("a rectangle panned round the world reads as longitudes of the world", () => {
  // The map shows a second copy of the world east of 180: 370 is 10.
  assert.deepEqual(G.dragArea(10, 365, 20, 370), [5, 10, 10, 20]);
  // Across the antimeridian the west edge lies east of the east edge, as the filter reads it.
  assert.deepEqual(G.dragArea(-10, 170, 10, 190), [170, -10, -170, 10]);
  // Up to 180 exactly stays 180, not -180.
  assert.deepEqual(G.dragArea(0, 170, 5, 180), [170, 0, 180, 5]);
});

test("a rectangle wider than the world, or past the poles, is clamped to it", () => {
  assert.deepEqual(G.dragArea(-95, -200, 95, 200), [-180, -90, 180, 90]);
});
