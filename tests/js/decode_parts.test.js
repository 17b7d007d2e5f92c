// Decoding the event buffer fetched in parts (resources/web/event_groups.js): the parts
// the app cuts where columns start give the same columns as the whole buffer, uncopied.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const G = pageScript("event_groups.js", "EventAtlasGroups");
const { eventBuffer } = require("./event_buffer.js");

/* A buffer of `n` events as desktop_app/mapgen/payload.py lays it out (every tenth with
 * an origin), and where its columns start, by name. */
function buffer(n, options) {
  const events = [];
  for (let i = 0; i < n; i++) {
    const placed = i % 3 !== 0;
    events.push({
      t0: 20000 + i * 0.5, t1: 20000 + i * 0.5 + (i % 4), id: 7 + i,
      lat: placed ? (i % 17) + 0.25 : NaN, lon: placed ? (i % 17) + 0.25 : NaN,
      ...(i % 10 === 0 ? { olat: 50 + i * 0.001, olon: 36 } : {}),
      cat: i % 5, precision: i % 5,
    });
  }
  const made = eventBuffer(events, options);
  return { out: made.buffer, at: made.starts };
}

/* `whole` cut at the byte offsets `cuts`, each part its own ArrayBuffer. */
function cut(whole, cuts) {
  const edges = [0, ...cuts, whole.byteLength];
  return edges.slice(1).map((end, k) => whole.slice(edges[k], end));
}

function columns(ea) {
  return [ea.t0, ea.t1, ea.ids, ea.lat, ea.lon, ea.originRows, ea.originLat, ea.originLon, ea.cat,
    ea.placePrecision]
    .map((arr) => Array.from(arr));
}

test("parts cut where columns start decode as the whole buffer does", () => {
  const n = 1000;
  for (const wholeEnds of [false, true]) {
    const { out, at } = buffer(n, { wholeEnds });
    const whole = {};
    G.decode(whole, out);
    for (const cuts of [[at.ids], [at.ids, at.lat, at.lon], [16, at.lon, at.originLat],
      [at.ids, at.ids, at.originRows], [at.originLon, at.cat, at.precision]]) {
      const ea = {};
      const parts = cut(out, cuts);
      G.decode(ea, parts);
      assert.deepEqual(columns(ea), columns(whole));
      assert.equal(ea.nPlaces, whole.nPlaces);
      assert.deepEqual(Array.from(ea.placeOf), Array.from(whole.placeOf));
      // Views into the parts, not copies.
      assert.ok(parts.includes(ea.lat.buffer) && parts.includes(ea.originLat.buffer));
      assert.equal(parts.includes(ea.t1.buffer), wholeEnds);
    }
  }
});

test("ends come from the starts and their spans, or whole; origins only for the rows that have one", () => {
  for (const wholeEnds of [false, true]) {
    const ea = {};
    G.decode(ea, buffer(40, { wholeEnds }).out);
    assert.deepEqual(Array.from(ea.t1), Array.from({ length: 40 }, (_, i) => 20000 + i * 0.5 + (i % 4)));
    assert.deepEqual(Array.from(ea.originRows), [0, 10, 20, 30]);
    assert.deepEqual(Array.from(ea.originLon), [36, 36, 36, 36]);
    assert.ok(Math.abs(ea.originLat[2] - 50.02) < 1e-5);
  }
});

test("a part cut inside a column, or a header that does not add up, is refused", () => {
  const { out, at } = buffer(100);
  assert.throws(() => G.decode({}, cut(out, [at.lat + 4])), /not an event buffer/);
  assert.throws(() => G.decode({}, cut(out, [4])), /not an event buffer/);
  const moreOrigins = out.slice(0);
  new DataView(moreOrigins).setUint32(8, 101, true);
  assert.throws(() => G.decode({}, moreOrigins), /not an event buffer/);
  const unknownFlag = out.slice(0);
  new DataView(unknownFlag).setUint32(12, 2, true);
  assert.throws(() => G.decode({}, unknownFlag), /not an event buffer/);
});

test("rows at the same point share a place, through every growth of the places' table", () => {
  // 3,000 points, so the table doubles several times, each given to rows far apart in
  // the buffer; every seventh row has no place.
  const n = 12000, points = 3000;
  const { out, at } = buffer(n);
  const lat = new Float32Array(out, at.lat, n), lon = new Float32Array(out, at.lon, n);
  const pointOf = (i) => (i * 7919) % points;
  for (let i = 0; i < n; i++) {
    const p = pointOf(i);
    lat[i] = i % 7 === 3 ? NaN : 40 + p * 0.001;
    lon[i] = i % 7 === 3 ? NaN : 20 + (p % 97) * 0.01;
  }
  const ea = {};
  G.decode(ea, out);
  assert.equal(ea.nPlaces, points);
  const placeOfPoint = new Map();
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) { assert.equal(ea.placeOf[i], -1); continue; }
    const p = pointOf(i);
    if (!placeOfPoint.has(p)) placeOfPoint.set(p, ea.placeOf[i]);
    assert.equal(ea.placeOf[i], placeOfPoint.get(p));
    assert.ok(Math.abs(ea.placeWx[ea.placeOf[i]] - (lon[i] + 180) / 360) < 1e-12);
  }
  assert.equal(new Set(placeOfPoint.values()).size, points);
});
