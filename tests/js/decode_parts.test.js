// Decoding the event buffer fetched in parts (resources/web/event_groups.js): the parts
// the app cuts where columns start give the same columns as the whole buffer, uncopied.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const G = pageScript("event_groups.js", "EventAtlasGroups");

const WIDTHS = [8, 8, 4, 4, 4, 4, 4, 1, 1];

/* A buffer of `n` events as desktop_app/mapgen/payload.py lays it out, and where its
 * columns start. */
function buffer(n) {
  const out = new ArrayBuffer(8 + n * 38);
  const head = new DataView(out, 0, 8);
  "EVA3".split("").forEach((c, k) => head.setUint8(k, c.charCodeAt(0)));
  head.setUint32(4, n, true);
  const starts = [];
  let offset = 8;
  const types = [Float64Array, Float64Array, Uint32Array, Float32Array, Float32Array,
    Float32Array, Float32Array, Uint8Array, Uint8Array];
  types.forEach((Type, c) => {
    starts.push(offset);
    const arr = new Type(out, offset, n);
    for (let i = 0; i < n; i++) {
      if (c === 0 || c === 1) arr[i] = 20000 + i * 0.5;
      else if (c === 2) arr[i] = 7 + i;
      else if (c === 3 || c === 4) arr[i] = i % 3 === 0 ? NaN : (i % 17) + 0.25;
      else if (c === 5 || c === 6) arr[i] = NaN;
      else arr[i] = i % 5;
    }
    offset += n * WIDTHS[c];
  });
  return { out, starts };
}

/* `whole` cut at the byte offsets `cuts`, each part its own ArrayBuffer. */
function cut(whole, cuts) {
  const edges = [0, ...cuts, whole.byteLength];
  return edges.slice(1).map((end, k) => whole.slice(edges[k], end));
}

function columns(ea) {
  return [ea.t0, ea.t1, ea.ids, ea.lat, ea.lon, ea.olat, ea.olon, ea.cat, ea.placePrecision]
    .map((arr) => Array.from(arr));
}

test("parts cut where columns start decode as the whole buffer does", () => {
  const n = 1000;
  const { out, starts } = buffer(n);
  const whole = {};
  G.decode(whole, out);
  for (const cuts of [[starts[1]], [starts[1], starts[2], starts[3]], [8, starts[3], starts[7]],
    [starts[1], starts[1], starts[5]]]) {
    const ea = {};
    const parts = cut(out, cuts);
    G.decode(ea, parts);
    assert.deepEqual(columns(ea), columns(whole));
    assert.equal(ea.nPlaces, whole.nPlaces);
    assert.deepEqual(Array.from(ea.placeOf), Array.from(whole.placeOf));
    // Views into the parts, not copies.
    assert.ok(parts.includes(ea.lat.buffer) && parts.includes(ea.t1.buffer));
  }
});

test("a part cut inside a column is refused", () => {
  const { out, starts } = buffer(100);
  assert.throws(() => G.decode({}, cut(out, [starts[2] + 4])), /not an event buffer/);
  assert.throws(() => G.decode({}, cut(out, [4])), /not an event buffer/);
});

test("rows at the same point share a place, through every growth of the places' table", () => {
  // 3,000 points, so the table doubles several times, each given to rows far apart in
  // the buffer; every seventh row has no place.
  const n = 12000, points = 3000;
  const { out, starts } = buffer(n);
  const lat = new Float32Array(out, starts[3], n), lon = new Float32Array(out, starts[4], n);
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
