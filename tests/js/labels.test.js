// Label placement on the map page (resources/web/event_labels.js) under node's test runner:
// no two labels overlap, busier places win, the result does not depend on input order.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const L = pageScript("event_labels.js", "EventAtlasLabels");

const VIEW = { w: 400, h: 300 };

function place(text, x, y, count, kind = "city") {
  return { text, x, y, w: 8 * text.length, h: 14, r: 7, count, kind, key: text };
}

function random(seed) {
  return () => (seed = (seed * 16807) % 2147483647) / 2147483647;
}

function assertNoOverlap(labels) {
  for (let a = 0; a < labels.length; a++) {
    for (let b = a + 1; b < labels.length; b++) {
      assert.ok(!L.overlaps(labels[a], labels[b]), `${labels[a].text} overlaps ${labels[b].text}`);
    }
  }
}

test("labels never overlap, stay on the map, and some of a crowd are dropped", () => {
  const rnd = random(11);
  const crowd = Array.from({ length: 300 }, (_, k) =>
    place("Place" + k, rnd() * VIEW.w, rnd() * VIEW.h, 1 + Math.floor(rnd() * 50)));
  const labels = L.placeLabels(crowd, VIEW, []);
  assert.ok(labels.length > 10 && labels.length < crowd.length);
  assertNoOverlap(labels);
  for (const b of labels) {
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= VIEW.w && b.y + b.h <= VIEW.h, b.text);
  }
});

test("the busier place keeps its label; a tie goes to the larger kind", () => {
  // A strip with room for one label only, to the right of its marker.
  const strip = { w: 100, h: 20 };
  const busy = place("Kharkiv", 10, 10, 9), quiet = place("Chuhuv", 12, 10, 2);
  assert.deepEqual(L.placeLabels([quiet, busy], strip, []).map((b) => b.text), ["Kharkiv"]);
  assert.deepEqual(L.placeLabels([busy, quiet], strip, []).map((b) => b.text), ["Kharkiv"]);
  const region = place("Sumy obl", 10, 10, 3, "region"), village = place("Sumy vil", 12, 10, 3, "village");
  assert.deepEqual(L.placeLabels([village, region], strip, []).map((b) => b.text), ["Sumy obl"]);
});

test("place names come before country names", () => {
  const country = { text: "UKRAINE", x: 110, y: 100, w: 60, h: 12, count: 0, country: true, area: 80, key: "c" };
  const labels = L.placeLabels([country, place("Dnipro", 100, 100, 1)], VIEW, []);
  assert.equal(labels[0].text, "Dnipro");
  assert.ok(!labels.some((b) => b.text === "UKRAINE"), "the country name would overlap the place's");
});

test("a label that would leave the map moves to the other side, or is dropped", () => {
  const edge = place("Lviv", 390, 150, 5);
  const [label] = L.placeLabels([edge], VIEW, []);
  assert.ok(label.x + label.w <= 390, "placed to the left of its marker");
  const corner = { ...place("Nowhere-in-particular", 2, 2, 5), w: 500 };
  assert.deepEqual(L.placeLabels([corner], VIEW, []), []);
});

test("labels keep clear of other markers but not of their own", () => {
  const own = { x: 93, y: 93, w: 14, h: 14, key: "Odesa" };
  const other = { x: 110, y: 92, w: 16, h: 16, key: "Other" };
  const [label] = L.placeLabels([place("Odesa", 100, 100, 4)], VIEW, [own, other]);
  assert.ok(label, "a free side exists");
  assert.ok(!L.overlaps(label, other));
});

test("placement is deterministic: the order of the input does not matter", () => {
  const rnd = random(5);
  const crowd = Array.from({ length: 120 }, (_, k) =>
    place("P" + k, rnd() * VIEW.w, rnd() * VIEW.h, 1 + Math.floor(rnd() * 4)));
  const first = L.placeLabels(crowd, VIEW, []);
  const shuffled = crowd.slice().reverse();
  assert.deepEqual(L.placeLabels(shuffled, VIEW, []), first);
});

test("a country's label point is in its largest polygon", () => {
  const square = (x, y, s) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]];
  const geo = {
    features: [
      { properties: { name: "Bigland" }, geometry: { type: "MultiPolygon", coordinates: [square(50, 0, 1), square(0, 0, 10)] } },
      { properties: { name: "Isle" }, geometry: { type: "Polygon", coordinates: square(20, 20, 2) } },
      { properties: {}, geometry: { type: "Polygon", coordinates: square(0, 0, 1) } },
    ],
  };
  const points = L.countryLabelPoints(geo);
  assert.deepEqual(points.map((p) => p.name), ["Bigland", "Isle"]);
  assert.ok(Math.abs(points[0].lon - 5) < 1e-9 && Math.abs(points[0].lat - 5) < 1e-9);
  assert.ok(Math.abs(points[1].lon - 21) < 1e-9 && points[1].area === 4);
  assert.equal(points[0].span, 10);
});

test("the current event's title goes right of its mark, left near the map's edge, and never off it", () => {
  const dx = 15;
  assert.equal(L.titleLeft(100, 200, VIEW.w, dx), 115);
  // Near the right edge: mirrored to the left of the mark, whole.
  assert.equal(L.titleLeft(350, 200, VIEW.w, dx), 135);
  // Too long for either side: as far right as the map allows, its start still on the map.
  assert.equal(L.titleLeft(150, 380, VIEW.w, dx), 20);
  assert.equal(L.titleLeft(150, 500, VIEW.w, dx), 0);
  for (let x = 0; x <= VIEW.w; x += 25) {
    const left = L.titleLeft(x, 180, VIEW.w, dx);
    assert.ok(left >= 0 && left + 180 <= VIEW.w, `title at ${left} leaves the map for a mark at ${x}`);
  }
});

test("a crowd of two thousand markers: each label tested as against every box, none missed", () => {
  // The rule, box against box: nothing placed overlaps a placed label, and nothing covers
  // a marker but its own; and each candidate dropped had no free spot (the first spot
  // free of both, in its order, is the one it takes).
  const rnd = random(5);
  const view = { w: 1600, h: 1000 };
  const markers = Array.from({ length: 2000 }, (_, k) => {
    const x = rnd() * (view.w + 60) - 30, y = rnd() * (view.h + 60) - 30;
    return { x: x - 9, y: y - 9, w: 18, h: 18, key: k, cx: x, cy: y };
  });
  const candidates = markers.filter((_, k) => k % 3 === 0).map((m) => ({
    text: "Place" + m.key, x: m.cx, y: m.cy, w: 30 + (m.key % 7) * 9, h: 15, r: 9,
    count: 1 + (m.key % 13), kind: "town", key: m.key,
  }));
  const labels = L.placeLabels(candidates, view, markers);
  assert.ok(labels.length > 20 && labels.length < candidates.length, String(labels.length));
  assertNoOverlap(labels);
  const free = (box, key, before) => box.x >= 0 && box.y >= 0 && box.x + box.w <= view.w &&
    box.y + box.h <= view.h && !before.some((p) => L.overlaps(p, box)) &&
    !markers.some((m) => m.key !== key && L.overlaps(m, box));
  const byKey = new Map(labels.map((b) => [b.key, b]));
  // Candidates in the order they are placed: busier first, then by text (kinds are equal).
  const order = candidates.slice().sort((a, b) => b.count - a.count || (a.text < b.text ? -1 : 1));
  const before = [];
  for (const c of order) {
    const spots = [
      [c.x + c.r + 3, c.y - c.h / 2], [c.x + c.r + 3, c.y - c.h / 2 + 5], [c.x - c.r - 3 - c.w, c.y - c.h / 2],
      [c.x - c.w / 2, c.y - c.r - 3 - c.h], [c.x - c.w / 2, c.y + c.r + 3],
    ].map(([x, y]) => ({ x, y, w: c.w, h: c.h }));
    const first = spots.find((box) => free(box, c.key, before));
    const got = byKey.get(c.key);
    assert.deepEqual(got ? [got.x, got.y] : null, first ? [first.x, first.y] : null, c.text);
    if (got) before.push(got);
  }
});

/*
 * The candidates and markers' boxes of a view whose corner is at world pixel (ox, oy):
 * `world` holds [text, x, y, count] in world pixels; ids are the places' indexes.
 */
function viewOf(world, ox, oy, view) {
  const candidates = [], obstacles = [];
  world.forEach(([text, wx, wy, count], k) => {
    const x = wx - ox, y = wy - oy;
    if (x < -32 || y < -32 || x > view.w + 32 || y > view.h + 32) return;
    candidates.push({ text, x, y, w: 7 * text.length, h: 14, r: 7, count, kind: "town", key: k, id: k });
    obstacles.push({ x: x - 9, y: y - 9, w: 18, h: 18, key: k });
  });
  return { candidates, obstacles };
}

test("after pans, the names move with the map, new ones fill the edges, and the rules hold", () => {
  const rnd = random(23), view = { w: 600, h: 400 };
  const world = Array.from({ length: 900 }, (_, k) =>
    ["Place" + k, Math.floor(rnd() * 1600), Math.floor(rnd() * 1200), 1 + Math.floor(rnd() * 5)]);
  const legend = { x: 480, y: 10, w: 110, h: 90, key: "control" };
  let ox = 400, oy = 300;
  let frame = viewOf(world, ox, oy, view);
  let labels = L.placeLabels(frame.candidates, view, frame.obstacles.concat(legend));
  for (const [dx, dy] of [[40, 0], [40, 0], [0, -40], [-120, 25], [300, 0], [0, 0]]) {
    ox -= dx; oy -= dy;
    frame = viewOf(world, ox, oy, view);
    const next = L.placeLabelsAfterPan(labels, dx, dy, frame.candidates, view, frame.obstacles.concat(legend), [legend]);
    assertNoOverlap(next.concat(legend));
    for (const b of next) {
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= view.w && b.y + b.h <= view.h, b.text);
      for (const o of frame.obstacles) assert.ok(o.key === b.key || !L.overlaps(o, b), `${b.text} covers a marker`);
    }
    // A name whose box is still on the view, clear of the legend, keeps its place on the map.
    const now = new Map(next.map((b) => [b.id, b]));
    let kept = 0;
    for (const a of labels) {
      const box = { x: a.x + dx, y: a.y + dy, w: a.w, h: a.h };
      if (box.x < 0 || box.y < 0 || box.x + box.w > view.w || box.y + box.h > view.h || L.overlaps(box, legend)) continue;
      kept++;
      assert.ok(now.has(a.id), a.text);
      assert.deepEqual([now.get(a.id).x, now.get(a.id).y], [box.x, box.y], a.text);
    }
    const was = new Map(labels.map((b) => [b.id, b]));
    if (dx || dy) assert.ok(kept > 0 && kept < next.length, `pan ${dx}, ${dy}: ${kept} of ${next.length} kept`);
    else assert.deepEqual(next.map((b) => [b.id, b.x, b.y]).sort(), labels.map((b) => [b.id, b.x, b.y]).sort());
    // Where the pan uncovered the map, names are chosen: the strip is not left bare.
    if (dx > 0) assert.ok(next.some((b) => b.x < dx && !was.has(b.id)), `pan ${dx}: no new name at the left edge`);
    labels = next;
  }
});

test("after a pan a name whose marker moved otherwise than the map, or left, is chosen again", () => {
  const view = { w: 400, h: 100 };
  const a = place("Avdiivka", 50, 50, 3), b = place("Bakhmut", 250, 50, 2);
  for (const [c, id] of [[a, 1], [b, 2]]) c.id = id;
  const first = L.placeLabels([a, b], view, []);
  assert.equal(first.length, 2);
  // The map moved 10 pixels right, but Bakhmut's marker moved 30: its stack changed.
  const a2 = { ...a, x: 60 }, b2 = { ...b, x: 280 };
  const next = L.placeLabelsAfterPan(first, 10, 0, [a2, b2], view, [], []);
  const byText = new Map(next.map((l) => [l.text, l]));
  assert.equal(byText.get("Avdiivka").x, first[0].x + 10);
  assert.equal(byText.get("Bakhmut").ax, 280);
  // Gone from the candidates (out of the window): its name goes with it.
  assert.deepEqual(L.placeLabelsAfterPan(next, 0, 0, [a2], view, [], []).map((l) => l.text), ["Avdiivka"]);
});

test("after a pan a name the legend hid comes back where the legend no longer lies", () => {
  const view = { w: 400, h: 400 }, legend = { x: 300, y: 0, w: 100, h: 60, key: "control" };
  const town = { ...place("Kupiansk", 330, 40, 2), id: 7 };
  const first = L.placeLabels([town], view, [legend]);
  assert.deepEqual(first, []);
  // The map moves 100 pixels down: each spot of the town on the view was on the last
  // view too, but the legend no longer covers the one left of it.
  const moved = { ...town, y: 140 };
  const next = L.placeLabelsAfterPan(first, 0, 100, [moved], view, [legend], [legend]);
  assert.deepEqual(next.map((b) => b.text), ["Kupiansk"]);
  const changes = L.panChanges(first, 0, 100, view, [legend], 30);
  assert.ok(changes.near(moved.x, moved.y));
  assert.ok(!changes.near(20, 380));
});

test("ranks of the texts order a crowd as the texts do", () => {
  const rnd = random(31);
  const crowd = Array.from({ length: 400 }, (_, k) =>
    place(["Izium", "Balakliia", "Kupiansk", "Lyman", "Siversk"][k % 5] + (k % 7), rnd() * VIEW.w, rnd() * VIEW.h, 1 + (k % 2)));
  const texts = [...new Set(crowd.map((c) => c.text))].sort();
  const ranked = crowd.map((c) => ({ ...c, rank: texts.indexOf(c.text) }));
  const plain = L.placeLabels(crowd, VIEW, []), byRank = L.placeLabels(ranked, VIEW, []);
  assert.ok(plain.length > 10);
  assert.deepEqual(byRank.map((b) => [b.text, b.x, b.y]), plain.map((b) => [b.text, b.x, b.y]));
  // A rank that disagrees with the text wins: it is what the sort reads.
  const reversed = crowd.map((c) => ({ ...c, rank: texts.length - texts.indexOf(c.text) }));
  assert.notDeepEqual(L.placeLabels(reversed, VIEW, []).map((b) => b.text), plain.map((b) => b.text));
});

test("a control that shrinks between frames gives back the names it covered", () => {
  const view = { w: 400, h: 400 }, wide = { x: 250, y: 0, w: 150, h: 60, key: "control" };
  const narrow = { ...wide, x: 370, w: 30 };
  const town = { ...place("Lyman", 300, 30, 2), id: 3 };
  assert.deepEqual(L.placeLabels([town], view, [wide]), []);
  // No pan at all (the scale bar's width changed, say): the town is named now.
  const next = L.placeLabelsAfterPan([], 0, 0, [town], view, [narrow], [narrow], [wide]);
  assert.deepEqual(next.map((b) => b.text), ["Lyman"]);
  assert.deepEqual(L.placeLabelsAfterPan([], 0, 0, [town], view, [narrow], [narrow]), []);
});

test("after a pan a name pushed off the view beside its marker moves to the marker's other side", () => {
  const view = { w: 400, h: 100 };
  const town = { ...place("Saratov", 250, 50, 1), id: 4 };
  const first = L.placeLabels([town], view, []);
  assert.equal(first[0].x, 250 + 7 + 3);  // right of its marker
  // The map moves 120 pixels right: the name's old spot leaves the view; the spot left of
  // the marker lay on the last view, where it was free but not needed then.
  const moved = { ...town, x: 370 };
  const next = L.placeLabelsAfterPan(first, 120, 0, [moved], view, [], []);
  assert.deepEqual(next.map((b) => [b.text, b.x]), L.placeLabels([moved], view, []).map((b) => [b.text, b.x]));
  assert.equal(next[0].x, 370 - 7 - 3 - moved.w);
  assert.ok(L.panChanges(first, 120, 0, view, [], 80).near(moved.x, moved.y));
});
