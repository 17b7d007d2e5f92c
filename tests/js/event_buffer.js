// The map page's event buffer (laid out as desktop_app/mapgen/payload.py does) for the
// page's unit tests, made from plain event objects.
"use strict";

/*
 * The buffer of `events` ([{t0, t1, id, lat, lon, olat, olon, cat, precision}], sorted
 * by t0; a missing place or origin is NaN, t1 defaults to t0) and where each column
 * starts, by name. `wholeEnds` carries t1 whole (the flag) instead of spans.
 */
function eventBuffer(events, { wholeEnds = false } = {}) {
  const n = events.length;
  const origins = events.flatMap((e, i) => (e.olat === undefined ? [] : [i]));
  const m = origins.length;
  const f = (key, missing) => (e) => (e[key] === undefined ? missing : e[key]);
  const columns = [["t0", Float64Array, n, f("t0", 0)]];
  if (wholeEnds) columns.push(["t1", Float64Array, n, (e) => (e.t1 === undefined ? e.t0 : e.t1)]);
  columns.push(["ids", Uint32Array, n, f("id", 0)], ["lat", Float32Array, n, f("lat", NaN)],
    ["lon", Float32Array, n, f("lon", NaN)]);
  if (!wholeEnds) columns.push(["span", Float32Array, n, (e) => (e.t1 === undefined ? 0 : e.t1 - e.t0)]);
  columns.push(["originRows", Uint32Array, m, null], ["originLat", Float32Array, m, null],
    ["originLon", Float32Array, m, null], ["cat", Uint8Array, n, f("cat", 0)],
    ["precision", Uint8Array, n, f("precision", 0)]);
  let size = 16;
  const starts = {};
  for (const [name, Type, count] of columns) { starts[name] = size; size += count * Type.BYTES_PER_ELEMENT; }
  const out = new ArrayBuffer(size);
  const head = new DataView(out, 0, 16);
  "EVA4".split("").forEach((c, k) => head.setUint8(k, c.charCodeAt(0)));
  head.setUint32(4, n, true);
  head.setUint32(8, m, true);
  head.setUint32(12, wholeEnds ? 1 : 0, true);
  for (const [name, Type, count, value] of columns) {
    const arr = new Type(out, starts[name], count);
    if (name === "originRows") origins.forEach((i, k) => { arr[k] = i; });
    else if (name === "originLat") origins.forEach((i, k) => { arr[k] = events[i].olat; });
    else if (name === "originLon") origins.forEach((i, k) => { arr[k] = events[i].olon; });
    else events.forEach((e, i) => { arr[i] = value(e); });
  }
  return { buffer: out, starts };
}

module.exports = { eventBuffer };
