// Marks as sprites on the map page (resources/web/event_sprites.js) under node's test
// runner: a sprite's pixels composited "over" what is in the buffer, clipped at its edges,
// and many marks at once exactly as one after the other.
"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");

const { pageScript } = require("./page_script.js");

const S = pageScript("event_sprites.js", "EventAtlasSprites");

/* A word as ImageData's Int32Array view reads it (0xAABBGGRR), from straight r, g, b, a. */
function word(r, g, b, a) {
  return (a << 24) | (b << 16) | (g << 8) | r;
}

function rgba(w) {
  return [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24];
}

/* "Over" in floating point, on straight colours 0..255: what the integer version rounds. */
function overExact(s, d) {
  const [sr, sg, sb, sa] = rgba(s).map((v) => v / 255), [dr, dg, db, da] = rgba(d).map((v) => v / 255);
  const a = sa + da * (1 - sa);
  const mix = (sc, dc) => (a === 0 ? 0 : (sc * sa + dc * da * (1 - sa)) / a);
  return [mix(sr, dr), mix(sg, dg), mix(sb, db), a].map((v) => v * 255);
}

/* A sprite of `width` x `height` from rows of words; its centre at (cx, cy). */
function sprite(rows, cx, cy) {
  const height = rows.length, width = rows[0].length;
  return S.makeSprite(Int32Array.from(rows.flat()), width, height, cx, cy);
}

function random(seed) {
  return () => (seed = (seed * 16807) % 2147483647) / 2147483647;
}

const RED = word(255, 0, 0, 255), BLUE = word(0, 0, 255, 255);
const HALF_RED = word(255, 0, 0, 128);

test("over: an opaque source replaces, a transparent one keeps, half of one mixes", () => {
  assert.equal(S.over(RED, BLUE), RED);
  assert.equal(S.over(0, BLUE), BLUE);
  assert.equal(S.over(0, 0), 0);
  // Half-opaque red over opaque blue: half of each, opaque.
  assert.deepEqual(rgba(S.over(HALF_RED, BLUE)), [128, 0, 127, 255]);
  // Over nothing, a partial source stays what it was: colour and alpha.
  assert.deepEqual(rgba(S.over(HALF_RED, 0)), [255, 0, 0, 128]);
});

test("over matches the exact formula within rounding, partial alpha over partial alpha", () => {
  const rnd = random(7);
  for (let k = 0; k < 2000; k++) {
    const pick = () => Math.floor(rnd() * 256);
    const s = word(pick(), pick(), pick(), pick()), d = word(pick(), pick(), pick(), pick());
    const got = rgba(S.over(s, d)), want = overExact(s, d);
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(got[c] - want[c]) <= 1, `${got} vs ${want}`);
  }
});

test("a sprite keeps its rows' first and last pixels, and knows its empty rows", () => {
  const s = sprite([
    [0, 0, 0, 0],
    [0, RED, RED, 0],
    [RED, 0, 0, RED],
    [0, 0, 0, 0],
  ], 2, 2);
  assert.equal(s.top, 1);
  assert.equal(s.bottom, 2);
  assert.deepEqual([s.first[1], s.last[1], s.first[2], s.last[2]], [1, 2, 0, 3]);
});

test("a blit lands centred on its pixel, blends its partial edge over what is there", () => {
  const W = 6, H = 5, pixels = new Int32Array(W * H).fill(BLUE);
  const s = sprite([
    [HALF_RED, RED, HALF_RED],
    [RED, RED, RED],
  ], 1, 1);
  S.blit(pixels, W, s, 3, 2, 0, 0, W, H);
  assert.equal(pixels[1 * W + 3], RED);            // the interior copies
  assert.equal(pixels[2 * W + 2], RED);
  assert.deepEqual(rgba(pixels[1 * W + 2]), [128, 0, 127, 255]); // the edge blends
  assert.equal(pixels[0 * W + 3], BLUE);           // outside the sprite: untouched
  assert.equal(pixels[3 * W + 3], BLUE);
  assert.equal(pixels.filter((w) => w !== BLUE).length, 6);
});

test("a blit past the canvas's edges or at negative coordinates writes only what is inside", () => {
  const W = 5, H = 4;
  const full = sprite([
    [RED, RED, RED],
    [RED, RED, RED],
    [RED, RED, RED],
  ], 1, 1);
  for (const [x, y] of [[0, 0], [-1, 1], [4, 3], [5, 1], [2, -1], [-2, -2], [6, 5], [2, 4]]) {
    const pixels = new Int32Array(W * H);
    S.blit(pixels, W, full, x, y, 0, 0, W, H);
    // Exactly the pixels of the 3x3 box around (x, y) that are on the canvas, no wrap to
    // the row before or after.
    for (let py = 0; py < H; py++) {
      for (let px = 0; px < W; px++) {
        const inside = Math.abs(px - x) <= 1 && Math.abs(py - y) <= 1;
        assert.equal(pixels[py * W + px], inside ? RED : 0, `mark at ${x},${y}: pixel ${px},${py}`);
      }
    }
  }
});

test("the clip rectangle bounds a blit as the canvas's edge does", () => {
  const W = 6, H = 6, pixels = new Int32Array(W * H);
  const s = sprite(Array.from({ length: 4 }, () => [RED, RED, RED, RED]), 2, 2);
  S.blit(pixels, W, s, 3, 3, 2, 2, 4, 5);
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const inside = px >= 2 && px < 4 && py >= 2 && py < 5 && px >= 1 && py >= 1;
      assert.equal(pixels[py * W + px], inside ? RED : 0, `pixel ${px},${py}`);
    }
  }
});

test("many marks composite exactly as one after the other, the later on top", () => {
  const rnd = random(3);
  const W = 300, H = 190;   // several bands, the last ones partly on the canvas
  const looks = Array.from({ length: 5 }, (_, k) => {
    const size = 9 + 4 * k, c = size >> 1;
    const rows = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, q) => {
      const d = Math.hypot(r - c, q - c);
      if (d > c) return 0;
      const a = d > c - 1.5 ? 90 : 200 + 10 * k;  // a soft edge, a partial interior
      return word(40 * k, 255 - 40 * k, 128, a);
    }));
    return sprite(rows, c, c);
  });
  const list = new S.MarkList();
  const calls = [];
  for (let k = 0; k < 3000; k++) {   // crowded: they overlap, and cross squares' edges
    const s = looks[k % looks.length];
    const x = Math.floor(rnd() * (W + 40)) - 20, y = Math.floor(rnd() * (H + 40)) - 20;
    list.add(s, x, y);
    calls.push([s, x, y]);
  }
  assert.ok(S.TILE_W < W && S.TILE_H < H);
  const tiled = new Int32Array(W * H).fill(word(10, 20, 30, 40));
  const box = S.compositeMarks(tiled, W, H, list);
  const oneByOne = new Int32Array(W * H).fill(word(10, 20, 30, 40));
  for (const [s, x, y] of calls) S.blit(oneByOne, W, s, x, y, 0, 0, W, H);
  assert.deepEqual(tiled, oneByOne);
  assert.deepEqual(box, { x0: 0, y0: 0, x1: W, y1: H });
});

test("the box the marks cover; none inside: null and nothing written", () => {
  const W = 400, H = 300, dot = sprite([[0, RED, 0], [RED, RED, RED], [0, RED, 0]], 1, 1);
  const list = new S.MarkList();
  list.add(dot, 150, 40);
  list.add(dot, 260, 200);
  list.add(dot, -50, 10);  // wholly outside
  const pixels = new Int32Array(W * H);
  assert.deepEqual(S.compositeMarks(pixels, W, H, list), { x0: 149, y0: 39, x1: 262, y1: 202 });
  list.clear();
  list.add(dot, -5, -5);
  list.add(dot, W + 3, 10);
  const empty = new Int32Array(W * H);
  assert.equal(S.compositeMarks(empty, W, H, list), null);
  assert.ok(empty.every((w) => w === 0));
});

test("a mark list grows past its first size and keeps every mark", () => {
  const list = new S.MarkList(), dot = sprite([[RED]], 0, 0);
  for (let k = 0; k < 5000; k++) list.add(dot, k, -k);
  assert.equal(list.count, 5000);
  assert.equal(list.x[4999], 4999);
  assert.equal(list.y[4999], -4999);
});

test("opacity steps: an unfaded mark's 0.9 is a step; a look's key reads back", () => {
  assert.equal(S.stepAlpha(S.alphaStep(0.9)), 0.9);
  assert.equal(S.alphaStep(1.7), S.ALPHA_STEPS);
  assert.equal(S.alphaStep(-1), 0);
  for (const a of [0.3, 0.42, 0.77, 1]) assert.ok(Math.abs(S.stepAlpha(S.alphaStep(a)) - a) <= 0.5 / S.ALPHA_STEPS);
  const seen = new Set();
  for (let category = 0; category < 12; category++) {
    for (let step = 0; step <= S.ALPHA_STEPS; step++) {
      for (const selected of [false, true]) {
        const key = S.lookKey(category, step, selected);
        assert.deepEqual(S.lookOf(key), { category, step, selected });
        seen.add(key);
      }
    }
  }
  assert.equal(seen.size, 12 * (S.ALPHA_STEPS + 1) * 2);
});

test("a sprite book renders each look once", () => {
  let renders = 0;
  const book = new S.SpriteBook((key) => {
    renders++;
    return { words: Int32Array.of(key), width: 1, height: 1, cx: 0, cy: 0, source: "canvas " + key };
  });
  const a = book.get(7), b = book.get(7), c = book.get(9);
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal(renders, 2);
  assert.equal(book.size, 2);
  assert.equal(c.source, "canvas 9");
});

/* Soft round looks of a few sizes, as the page's marks are: partial edges that blend. */
function roundLooks() {
  return Array.from({ length: 4 }, (_, k) => {
    const size = 9 + 4 * k, c = size >> 1;
    const rows = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, q) => {
      const d = Math.hypot(r - c, q - c);
      if (d > c) return 0;
      return word(60 * k, 255 - 60 * k, 128, d > c - 1.5 ? 90 : 230);
    }));
    return sprite(rows, c, c);
  });
}

/*
 * The marks a frame lists when the map's world is `world` ([look, x, y] in world pixels,
 * in drawing order) and its corner is at world pixel (ox, oy): those near the view, in
 * the world's order, as the page's grouping gives them.
 */
function frameOf(world, ox, oy, W, H, list = new S.MarkList()) {
  list.clear();
  for (const [s, x, y] of world) {
    const cx = x - ox, cy = y - oy;
    if (cx >= -16 && cy >= -16 && cx <= W + 16 && cy <= H + 16) list.add(s, cx, cy);
  }
  return list;
}

test("after a pan the buffer holds exactly what composing the new frame afresh gives", () => {
  const rnd = random(5), looks = roundLooks();
  const W = 300, H = 190;
  const world = Array.from({ length: 4000 }, (_, k) =>
    [looks[k % looks.length], Math.floor(rnd() * 900), Math.floor(rnd() * 700)]);
  let ox = 200, oy = 200;
  let before = frameOf(world, ox, oy, W, H);
  const pixels = new Int32Array(W * H);
  S.compositeMarks(pixels, W, H, before);
  const pans = [[40, 0], [-40, 0], [0, 40], [0, -40], [17, -23], [-3, 31], [260, 0], [0, -500], [W, 0]];
  for (const [dx, dy] of pans) {
    // The map moves by (dx, dy): its corner goes the other way over the world.
    ox -= dx; oy -= dy;
    const list = frameOf(world, ox, oy, W, H);
    // Each mark that reaches what both views show was in both frames: only the strips change.
    const x0 = Math.max(0, dx), y0 = Math.max(0, dy), x1 = Math.min(W, W + dx), y1 = Math.min(H, H + dy);
    if (x0 < x1 && y0 < y1) assert.ok(S.sameMarksIn(list, before, dx, dy, x0, y0, x1, y1), `pan ${dx}, ${dy}`);
    const box = S.compositeAfterPan(pixels, W, H, list, before, dx, dy);
    const fresh = new Int32Array(W * H);
    const freshBox = S.compositeMarks(fresh, W, H, list);
    assert.deepEqual(pixels, fresh, `pan ${dx}, ${dy}`);
    if (freshBox) assert.ok(box, `pan ${dx}, ${dy}`);
    before = list;
  }
});

test("a pan moves the pixels only where the same marks reach; a changed mark composes all", () => {
  const looks = roundLooks(), W = 200, H = 120;
  const before = new S.MarkList(), list = new S.MarkList();
  for (const [x, y] of [[20, 20], [60, 30], [100, 60], [150, 90]]) before.add(looks[1], x, y);
  for (let k = 0; k < before.count; k++) list.add(before.sprites[k], before.x[k] + 30, before.y[k]);
  // The same marks moved 30 pixels right: the part the last frame covered is unchanged.
  assert.ok(S.sameMarksIn(list, before, 30, 0, 30, 0, W, H));
  // A mark of another look in the middle, or the order of two marks swapped: not the same.
  const other = new S.MarkList();
  for (let k = 0; k < list.count; k++) other.add(k === 2 ? looks[3] : list.sprites[k], list.x[k], list.y[k]);
  assert.ok(!S.sameMarksIn(other, before, 30, 0, 30, 0, W, H));
  const swapped = new S.MarkList();
  for (const k of [0, 2, 1, 3]) swapped.add(list.sprites[k], list.x[k], list.y[k]);
  assert.ok(!S.sameMarksIn(swapped, before, 30, 0, 30, 0, W, H));
  // Changed, the frame is composited whole, and right.
  const pixels = new Int32Array(W * H);
  S.compositeMarks(pixels, W, H, before);
  S.compositeAfterPan(pixels, W, H, other, before, 30, 0);
  const fresh = new Int32Array(W * H);
  S.compositeMarks(fresh, W, H, other);
  assert.deepEqual(pixels, fresh);
});

test("a clip rectangle composites only the marks' pixels inside it", () => {
  const looks = roundLooks(), W = 300, H = 100, list = new S.MarkList();
  for (let x = 0; x < W; x += 7) list.add(looks[x % 4], x, 50);
  const whole = new Int32Array(W * H), strip = new Int32Array(W * H);
  S.compositeMarks(whole, W, H, list);
  const box = S.compositeMarks(strip, W, H, list, { x0: 100, y0: 0, x1: 140, y1: H });
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      assert.equal(strip[y * W + x], x >= 100 && x < 140 ? whole[y * W + x] : 0, `${x}, ${y}`);
    }
  }
  assert.equal(box.x0, 100);
  assert.equal(box.x1, 140);
});
