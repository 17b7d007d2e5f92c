/*
 * Event Atlas map page: drawing. One canvas over the map draws the groups of the window's
 * events (event_groups.js finds them), the arcs from where strikes were launched
 * (event_arcs.js lays them out), the selection rings, the halos of places known only
 * roughly (event_halos.js finds them), the names of places and countries
 * (event_labels.js places them) and the current event's label. A plain mark is a sprite
 * (event_sprites.js): its look is drawn once as a path, and each frame copies those
 * pixels into one buffer, put on the canvas once.
 * Text from the data is only ever set with textContent or drawn as canvas text, never
 * parsed as HTML. Exposes window.EventAtlasDraw.
 */
(function () {
  "use strict";

  const EA = window.EventAtlas;
  const G = window.EventAtlasGroups;
  const { mercatorY, scratch, clusterRadius } = G;
  const Labels = window.EventAtlasLabels;
  const Dots = window.EventAtlasDots;
  const Halos = window.EventAtlasHalos;
  const Sprites = window.EventAtlasSprites;
  const Arcs = window.EventAtlasArcs;
  // Plain marks as sprites (false: a path each, as before them; the map benchmark
  // compares the two).
  if (EA.spriteMarks === undefined) EA.spriteMarks = true;

  const RADIUS = 7;
  const BADGE_DX = RADIUS + 5, BADGE_DY = -RADIUS - 4; // a count badge's centre, off its mark
  const COUNTRY_MAX_ZOOM = 5; // country names up to this zoom; closer in, places only
  const COUNTRY_MIN_FILL = 0.7; // a country's name shows where the land is this much as wide
  const PLACE_FONT = "600 12px system-ui, sans-serif";
  const COUNTRY_FONT = "500 11px system-ui, sans-serif";
  const LABEL_HEIGHT = 15;
  // The current event's title box (.ea-label in atlas.css): its offset and widest size.
  const TITLE_DX = RADIUS + 8, TITLE_DY = -10, TITLE_MAX_WIDTH = 320;

  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    if (shape === "triangle") {
      ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r, y + r * 0.75); ctx.lineTo(x - r, y + r * 0.75);
      ctx.closePath();
    } else if (shape === "square") {
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
    } else if (shape === "diamond") {
      ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r * 1.2, y); ctx.lineTo(x, y + r * 1.2); ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
    } else if (shape === "cross") {
      const a = r * 0.4;
      ctx.moveTo(x - a, y - r); ctx.lineTo(x + a, y - r); ctx.lineTo(x + a, y - a); ctx.lineTo(x + r, y - a);
      ctx.lineTo(x + r, y + a); ctx.lineTo(x + a, y + a); ctx.lineTo(x + a, y + r); ctx.lineTo(x - a, y + r);
      ctx.lineTo(x - a, y + a); ctx.lineTo(x - r, y + a); ctx.lineTo(x - r, y - a); ctx.lineTo(x - a, y - a);
      ctx.closePath();
    } else if (shape === "star") {
      for (let k = 0; k < 10; k++) {
        const angle = -Math.PI / 2 + k * Math.PI / 5, reach = r * (k % 2 ? 0.55 : 1.3);
        ctx.lineTo(x + reach * Math.cos(angle), y + reach * Math.sin(angle));
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
  }

  function categoryOf(i) {
    const cats = EA.config.categories;
    return cats[EA.cat[i]] || cats[cats.length - 1];
  }

  /* The index of row i's category in the page's list (a category past its end: the last). */
  function categoryIndex(i) {
    const last = EA.config.categories.length - 1;
    return EA.cat[i] < last ? EA.cat[i] : last;
  }

  /*
   * A plain mark's look rendered once, as the event layer used to draw each mark: the
   * category's shape in its colour with a white outline at opacity `alpha` (a selected
   * event's: larger, a bolder outline), at `ratio` device pixels per CSS pixel. The
   * shape's centre is the corner between the four middle pixels, so a mark lands on the
   * device pixel grid. Returns the sprite's pixels for event_sprites.js and its canvas.
   */
  function renderMark(category, alpha, selected, ratio) {
    const r = selected ? RADIUS + 2 : RADIUS, width = selected ? 2 : 1.5;
    // The star reaches 1.3 r and a mitred outline's sharp points some widths beyond.
    const half = Math.ceil((1.3 * r + 3 * width + 1) * ratio), size = 2 * half;
    const canvas = document.createElement("canvas");
    canvas.width = size; canvas.height = size;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.globalAlpha = alpha;
    ctx.fillStyle = category.colour;
    ctx.lineWidth = width;
    ctx.strokeStyle = selected ? "#fff" : "rgba(255,255,255,0.95)";
    shapePath(ctx, category.shape, half / ratio, half / ratio, r);
    ctx.fill(); ctx.stroke();
    const pixels = ctx.getImageData(0, 0, size, size);
    return { words: new Int32Array(pixels.data.buffer), width: size, height: size, cx: half, cy: half, source: canvas };
  }

  /*
   * The arcs from origin to target of the window's events that know both
   * (event_arcs.js merges and lays them out): each batch of one look is one path.
   * Returns how many arcs were drawn.
   */
  function drawArcs(ctx, view, g) {
    const arcs = Arcs.mergeArcs(EA, g);
    if (!arcs.length) return 0;
    const laid = Arcs.layArcs(EA, g, view, arcs, categoryIndex, RADIUS, clusterRadius);
    const cats = EA.config.categories;
    ctx.lineCap = "round";
    for (const line of laid.curves) {
      const pts = line.points;
      ctx.globalAlpha = line.alpha;
      ctx.strokeStyle = cats[line.category].colour; ctx.lineWidth = line.width;
      ctx.beginPath();
      for (let k = 0; k < pts.length; k += 6) {
        ctx.moveTo(pts[k], pts[k + 1]);
        ctx.quadraticCurveTo(pts[k + 2], pts[k + 3], pts[k + 4], pts[k + 5]);
      }
      ctx.stroke();
    }
    // Over the curves: a small ring on each origin, an arrowhead at each end.
    ctx.lineWidth = 1.5;
    for (const end of laid.ends) {
      const rings = end.rings, heads = end.heads;
      ctx.globalAlpha = end.alpha;
      ctx.strokeStyle = ctx.fillStyle = cats[end.category].colour;
      ctx.beginPath();
      for (let k = 0; k < rings.length; k += 2) {
        ctx.moveTo(rings[k] + Arcs.RING, rings[k + 1]);
        ctx.arc(rings[k], rings[k + 1], Arcs.RING, 0, Math.PI * 2);
      }
      ctx.stroke();
      ctx.beginPath();
      for (let k = 0; k < heads.length; k += 6) {
        ctx.moveTo(heads[k], heads[k + 1]);
        ctx.lineTo(heads[k + 2], heads[k + 3]);
        ctx.lineTo(heads[k + 4], heads[k + 5]);
        ctx.closePath();
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    ctx.lineCap = "butt";
    return laid.drawn;
  }

  function drawCluster(ctx, g, k, x, y, nc, cats) {
    const r = clusterRadius(g.count[k]);
    // A ring split by category share: what the cluster holds, before it is opened.
    ctx.globalAlpha = EA.fade ? 0.55 + 0.45 * G.ageWeight(EA, g.last[k]) : 0.95;
    ctx.fillStyle = "rgba(255,255,255,0.92)";
    ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.fill();
    let angle = -Math.PI / 2;
    ctx.lineWidth = 5;
    for (let c = 0; c < nc; c++) {
      const share = g.cats[k * nc + c] / g.count[k];
      if (!share) continue;
      ctx.strokeStyle = cats[c].colour;
      ctx.beginPath(); ctx.arc(x, y, r - 2.5, angle, angle + share * Math.PI * 2); ctx.stroke();
      angle += share * Math.PI * 2;
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1; ctx.strokeStyle = "rgba(40,40,40,0.6)";
    ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.stroke();
    ctx.fillStyle = "#1b1b1b";
    ctx.font = "bold 11px sans-serif";
    ctx.fillText(countText(g.count[k]), x, y + 0.5);
  }

  /*
   * A stack that holds more than one category: a pie split by category share, like a
   * cluster's ring, so a place of talks and aid does not read as talks alone. Returns the
   * segments drawn, as [category key, count].
   */
  function drawMix(ctx, g, k, x, y, nc, cats) {
    const r = RADIUS + 2;
    const segments = [];
    let angle = -Math.PI / 2;
    for (let c = 0; c < nc; c++) {
      const count = g.cats[k * nc + c];
      if (!count) continue;
      const sweep = count / g.count[k] * Math.PI * 2;
      ctx.fillStyle = cats[c].colour;
      ctx.beginPath(); ctx.moveTo(x, y); ctx.arc(x, y, r, angle, angle + sweep); ctx.closePath();
      ctx.fill();
      segments.push([cats[c].key, count]);
      angle += sweep;
    }
    ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.stroke();
    return segments;
  }

  const widths = new Map();
  function textWidth(ctx, font, text) {
    const key = font + "|" + text;
    let w = widths.get(key);
    if (w === undefined) {
      ctx.font = font;
      w = Math.ceil(ctx.measureText(text).width) + 4;
      // Room for the names of every place the page knows (MAX_NAMED_PLACES in view.py).
      if (widths.size > 50000) widths.clear();
      widths.set(key, w);
    }
    return w;
  }

  /*
   * The width of place p's name, measured once per name: with tens of thousands of
   * places in view, even looking each up by its text costs milliseconds a frame.
   */
  const placeWidths = { names: null, text: [], width: new Float64Array(0), widest: 0 };
  function placeNameWidth(ctx, p, name) {
    const c = placeWidths;
    if (c.names !== EA.placeName) {
      c.names = EA.placeName;
      c.text = new Array(EA.nPlaces);
      c.width = new Float64Array(EA.nPlaces);
      c.widest = 0;
    }
    if (c.text[p] !== name) {
      c.text[p] = name; c.width[p] = textWidth(ctx, PLACE_FONT, name);
      // The widest name measured: how far from a change a pan looks (chooseLabels).
      c.widest = Math.max(c.widest, c.width[p]);
    }
    return c.width[p];
  }

  /*
   * Each place's rank in the order of the names (compareLabels' `rank`), made once per
   * edition of the names: a frame's sort then compares numbers.
   */
  const nameRanks = { names: null, edition: -1, rank: new Int32Array(0) };
  function placeRanks() {
    const c = nameRanks, names = EA.placeName;
    if (c.names === names && c.edition === EA.namesEdition) return c.rank;
    const order = [];
    for (let p = 0; p < EA.nPlaces; p++) if (names[p]) order.push(p);
    order.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    const rank = new Int32Array(EA.nPlaces);
    for (let k = 1; k < order.length; k++) {
      rank[order[k]] = rank[order[k - 1]] + (names[order[k]] === names[order[k - 1]] ? 0 : 1);
    }
    c.names = names; c.edition = EA.namesEdition; c.rank = rank;
    return rank;
  }

  /*
   * The names of the last frame and what they were chosen for: a frame of the same events,
   * names, zoom, size and selection is a pan, and keeps them (placeLabelsAfterPan).
   */
  const labelMemo = { labels: null, basis: null, ox: 0, oy: 0, controls: [] };
  // The candidates and markers' boxes of chooseLabels, reused from frame to frame (tens of
  // thousands of them: made anew each frame, they would cost more than choosing).
  const labelPool = { boxes: [], places: [] };

  function sameBasis(a, b) {
    if (!a || !b) return false;
    for (const k of Object.keys(a)) if (a[k] !== b[k]) return false;
    return true;
  }

  /*
   * The names to print: the busiest place of each drawn marker or cluster, then (zoomed
   * out) the countries, kept clear of every marker but their own (event_labels.js). On a
   * pan the names of the last frame move with the map and only the edges are chosen again.
   */
  function chooseLabels(ctx, view, g, drawnKeys, map) {
    const m = labelMemo;
    if (!drawnKeys.length && (view.zoom > COUNTRY_MAX_ZOOM || !(EA.countryPoints || []).length)) {
      // Nothing to name (a frame of dots, or no marker in view): no names, and no need
      // to measure the controls, which would lay the page out in the middle of a draw.
      m.labels = []; m.basis = null; m.controls = [];
      return m.labels;
    }
    const controls = controlBoxes(map), title = titleBox(ctx, view);
    const obstacles = controls.concat(title), candidates = [];
    const pool = labelPool;
    let used = 0, named = 0;
    // The group of the current event wears a selection ring: its name stands clear of it.
    const first = EA.selection.values().next().value;
    const row = first === undefined ? -1 : EA.rowOf(first);
    const place = row >= 0 ? EA.placeOf[row] : -1;
    const ringed = place >= 0 && g.placeIn(place) ? scratch.group[place] : -1;
    const basis = {
      placed: EA.placed, names: EA.placeName, edition: EA.namesEdition, countries: EA.countryPoints,
      categories: EA.config.categories, zoom: view.zoom, maxZoom: view.maxZoom, w: view.w, h: view.h,
      ringed: place,
      title: title.map((b) => [b.x - view.ox, b.y - view.oy, b.w].join()).join(),
    };
    const pan = sameBasis(basis, m.basis);
    const dx = view.ox - m.ox, dy = view.oy - m.oy;
    // A pan: only the markers near what it changed take part (the rest keep their names).
    const reach = 2 * (placeWidths.widest + RADIUS + 8 + LABEL_HEIGHT);
    // The controls do not move with the map (and the scale bar's width changes as it
    // moves): on a pan, names are tried again where they lay then and now.
    const changes = pan ? Labels.panChanges(m.labels, dx, dy, view, controls, reach, m.controls) : null;
    const ranks = EA.placeName ? placeRanks() : null;
    for (const k of drawnKeys) {
      if (changes && !changes.near(g.x[k], g.y[k]) && !changes.ids.has(g.top[k])) continue;
      const r = g.markers[k] > 1 ? clusterRadius(g.count[k]) : RADIUS + 2;
      const box = pool.boxes[used] || (pool.boxes[used] = { x: 0, y: 0, w: 0, h: 0, key: 0 });
      used++;
      box.x = g.x[k] - r; box.y = g.y[k] - r; box.w = 2 * r; box.h = 2 * r; box.key = k;
      obstacles.push(box);
      if (g.markers[k] === 1 && g.count[k] > 1) {
        // The count badge at the marker's upper right: not even its own label may cover it.
        const w = Math.max(14, textWidth(ctx, "bold 10px sans-serif", countText(g.count[k])) + 2);
        obstacles.push({ x: g.x[k] + BADGE_DX - w / 2, y: g.y[k] + BADGE_DY - 7, w, h: 14, key: "badge" });
      }
      const p = g.top[k];
      const name = p >= 0 && EA.placeName ? EA.placeName[p] : undefined;
      if (!name) continue;
      const c = pool.places[named] || (pool.places[named] = {
        text: "", x: 0, y: 0, w: 0, h: LABEL_HEIGHT, r: 0, count: 0, kind: "", key: 0, id: 0, rank: 0,
      });
      named++;
      c.text = name; c.x = g.x[k]; c.y = g.y[k]; c.w = placeNameWidth(ctx, p, name);
      c.r = g.markers[k] > 1 ? clusterRadius(g.count[k]) : k === ringed ? RADIUS + 8 : RADIUS + 3;
      c.count = g.count[k]; c.kind = EA.placeKind[p]; c.key = k; c.id = p; c.rank = ranks[p];
      candidates.push(c);
    }
    if (view.zoom <= COUNTRY_MAX_ZOOM) {
      for (const c of EA.countryPoints || []) {
        const x = (c.lon + 180) / 360 * view.scale + view.ox, y = mercatorY(c.lat) * view.scale + view.oy;
        if (x < 0 || y < 0 || x > view.w || y > view.h) continue;
        const text = c.name.toUpperCase();
        const w = textWidth(ctx, COUNTRY_FONT, text);
        // A name much wider than its country would seem to name its neighbours.
        if (c.span / 360 * view.scale < COUNTRY_MIN_FILL * w) continue;
        candidates.push({
          text, x, y, w, h: LABEL_HEIGHT - 2,
          count: 0, country: true, area: c.area, key: "country:" + c.name, id: "country:" + c.name,
        });
      }
    }
    m.labels = pan
      ? Labels.placeLabelsAfterPan(m.labels, dx, dy, candidates, view, obstacles, controls, m.controls)
      : Labels.placeLabels(candidates, view, obstacles);
    m.basis = basis; m.ox = view.ox; m.oy = view.oy; m.controls = controls;
    return m.labels;
  }

  /*
   * Where the current event's title will be (see _placeLabel), as a list of at most one
   * box: the place names keep clear of it.
   */
  function titleBox(ctx, view) {
    const first = EA.selection.values().next().value;
    const i = first === undefined ? -1 : EA.rowOf(first);
    if (i < 0 || EA.placeOf[i] < 0 || !EA.selectionTitles.length) return [];
    const [w0, w1] = EA.window;
    if (!(EA.t0[i] < w1 && (EA.t1[i] > w0 || EA.t0[i] >= w0))) return [];
    const p = EA.placeOf[i];
    const x = EA.placeWx[p] * view.scale + view.ox, y = EA.placeWy[p] * view.scale + view.oy;
    const w = Math.min(TITLE_MAX_WIDTH, textWidth(ctx, PLACE_FONT, EA.selectionTitles[0]) + 16);
    return [{ x: Labels.titleLeft(x, w, view.w, TITLE_DX), y: y + TITLE_DY, w, h: 22, key: "title" }];
  }

  /* The boxes of the map's controls on show (legend, zoom, scale): a name under one is lost. */
  function controlBoxes(map) {
    const container = map.getContainer(), origin = container.getBoundingClientRect();
    const boxes = [];
    for (const el of container.querySelectorAll(".leaflet-control")) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;  // hidden (an export hides them all)
      boxes.push({ x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height, key: "control" });
    }
    return boxes;
  }

  /* Canvas text with a halo, legible over outlines, arcs and markers alike. */
  function drawLabels(ctx, labels, country) {
    ctx.save();
    ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.font = country ? COUNTRY_FONT : PLACE_FONT;
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    ctx.fillStyle = country ? "#6e6a62" : "#1a1a1a";
    for (const b of labels) {
      if (b.country !== country) continue;
      ctx.strokeText(b.text, b.x + 2, b.y + b.h / 2 + 0.5);
      ctx.fillText(b.text, b.x + 2, b.y + b.h / 2 + 0.5);
    }
    ctx.restore();
  }

  /*
   * The halos, under everything else: each precision's circles as one path, filled once,
   * so that halos that overlap read as one area where the events may be rather than
   * darkening where they cross; wider precisions first, so a town's halo shows inside a
   * region's. The dashed edge says "about here", not a border.
   */
  function drawHalos(ctx, halos) {
    ctx.save();
    ctx.fillStyle = "rgba(52, 92, 160, 0.10)";
    ctx.strokeStyle = "rgba(52, 92, 160, 0.55)";
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    let k = 0;
    while (k < halos.length) {
      const code = halos[k].precision;
      ctx.beginPath();
      for (; k < halos.length && halos[k].precision === code; k++) {
        const h = halos[k];
        ctx.moveTo(h.x + h.px, h.y);
        ctx.arc(h.x, h.y, h.px, 0, Math.PI * 2);
      }
      ctx.fill(); ctx.stroke();
    }
    ctx.restore();
  }

  function countText(count) {
    if (count < 1000) return String(count);
    if (count < 10000) return (count / 1000).toFixed(1).replace(/\.0$/, "") + "k";
    if (count < 1000000) return Math.round(count / 1000) + "k";
    return (count / 1000000).toFixed(1) + "M";
  }

  /*
   * A stopwatch over a draw's phases: each lap(name) adds the milliseconds since the last
   * lap (or `started`) to phases[name]. The map benchmark reports them.
   */
  function phaseClock(phases, started) {
    let last = started;
    return (name) => {
      const now = performance.now();
      phases[name] = (phases[name] || 0) + now - last;
      last = now;
    };
  }

  /*
   * A plain mark of the last draw, for drawnMarks: its group and its one segment, made
   * only when asked for (a frame of tens of thousands of marks need not build them).
   */
  class PlainMark {
    constructor(group, key, count) {
      this.group = group; this.key = key; this.count = count;
    }

    get segments() {
      return [[this.key, this.count]];
    }
  }

  /*
   * The stacks of places at this zoom and the next ones in and out, found while the page
   * is idle (a frame of dots needs none, but the next frame may draw markers): the frame
   * that first groups at a zoom then only counts its events into them.
   */
  let stacksWanted = null;  // the view of the last frame, while an idle callback is due
  // Longer than an idle period lasts (50 ms): such stacks are left to the frame needing them.
  const IDLE_STACKING_MS = 40;
  const nearScales = (view) => [view.scale, view.scale * 2, view.scale / 2]
    .filter((s) => s >= 256 && s <= 256 * 2 ** view.maxZoom && G.stacksMissing(EA, s));
  function prepareStacks(view) {
    if (!window.requestIdleCallback || EA.stackingMs > IDLE_STACKING_MS || !nearScales(view).length) return;
    const due = stacksWanted !== null;
    stacksWanted = view;
    if (due) return;
    requestIdleCallback(function find(idle) {
      for (const scale of nearScales(stacksWanted)) {
        if (EA.stackingMs > IDLE_STACKING_MS) break;
        // Each takes about as long as the last did: one that would not fit waits.
        if (idle.timeRemaining() < EA.stackingMs + 1) { requestIdleCallback(find); return; }
        G.stacksAt(EA, scale);
      }
      stacksWanted = null;
    });
  }

  const EventCanvas = L.Layer.extend({
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "ea-events leaflet-zoom-hide");
      this._label = L.DomUtil.create("div", "ea-label");
      this._label.style.display = "none";
      map.getPane("overlayPane").appendChild(this._canvas);
      map.getPane("popupPane").appendChild(this._label);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      L.DomUtil.remove(this._label);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
    },
    redraw: function () {
      const started = performance.now();
      const map = this._map;
      const view = EA.currentView(map);
      const ratio = window.devicePixelRatio || 1;
      const canvas = this._canvas;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      if (canvas.width !== view.w * ratio || canvas.height !== view.h * ratio) {
        canvas.width = view.w * ratio; canvas.height = view.h * ratio;
        canvas.style.width = view.w + "px"; canvas.style.height = view.h + "px";
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, view.w, view.h);
      const cats = EA.config.categories, nc = cats.length;

      // A dense window is drawn as dots, one per event: no groups, arcs or place names.
      EA.drawingDots = Dots.wantsDots(EA.markStyle, EA.placed.length);
      const g = EA.drawingDots ? Dots.noGroups() : G.groupEvents(EA, view);
      EA.groups = g;
      const phases = EA.drawPhases = {}, lap = phaseClock(phases, started);
      lap("group");
      // Dots go into the pixels first: writing pixels replaces what is under them.
      EA.dotsDrawn = EA.drawingDots ? this._drawDots(ctx, view, ratio) : 0;
      lap("dots");
      const inView = (x, y, r) => x >= -r && y >= -r && x <= view.w + r && y <= view.h + r;
      const selected = [];
      if (EA.selection.size) {
        for (let k = 0; k < EA.placed.length; k++) {
          const i = EA.placed[k];
          if (!EA.selection.has(EA.ids[i])) continue;
          const p = EA.placeOf[i];
          const x = EA.placeWx[p] * view.scale + view.ox, y = EA.placeWy[p] * view.scale + view.oy;
          if (inView(x, y, RADIUS + 8)) selected.push([x, y, i]);
        }
        // The current event (first in the selection) is drawn last, on top.
        const first = EA.selection.values().next().value;
        selected.sort((a, b) => (EA.ids[a[2]] === first) - (EA.ids[b[2]] === first));
      }
      // Selected events wear their halo even inside a cluster; a halo no wider than its
      // mark would be hidden under it.
      EA.halosDrawn = EA.halos && EA.config.halo_metres
        ? Halos.placeHalos(EA, g, EA.config.halo_metres, view, selected.map((s) => s[2]), RADIUS + 1)
        : [];
      drawHalos(ctx, EA.halosDrawn);
      if (EA.legend) EA.legend.showHaloNote(EA.halosDrawn.length > 0);
      lap("halos");
      EA.arcsDrawn = EA.drawingDots ? 0 : drawArcs(ctx, view, g);
      const drawnKeys = [];
      for (let k = 0; k < g.n; k++) if (inView(g.x[k], g.y[k], 32)) drawnKeys.push(k);
      lap("arcs");
      const labels = chooseLabels(ctx, view, g, drawnKeys, map);
      lap("labels");
      // Country names lie under the markers; place names go over them (clear of them).
      drawLabels(ctx, labels, true);
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      const badges = [], marks = [];
      // Whether anything lies under the plain marks: their buffer then goes over it.
      let under = EA.halosDrawn.length > 0 || EA.arcsDrawn > 0 || labels.some((b) => b.country);
      const sprites = EA.spriteMarks !== false ? this._startMarks(ratio) : null;
      for (const k of drawnKeys) {
        const x = g.x[k], y = g.y[k];
        if (g.markers[k] > 1) {
          drawCluster(ctx, g, k, x, y, nc, cats);
          ctx.lineWidth = 1.5; ctx.strokeStyle = "rgba(255,255,255,0.95)";
          under = true;
          continue;
        }
        const i = g.last[k];
        const alpha = EA.fade ? 0.3 + 0.7 * G.ageWeight(EA, i) : 0.9;
        let kinds = 0;
        for (let c = 0; c < nc; c++) if (g.cats[k * nc + c]) kinds++;
        if (kinds > 1) {
          ctx.globalAlpha = alpha;
          marks.push({ group: k, segments: drawMix(ctx, g, k, x, y, nc, cats) });
          under = true;
        } else if (sprites) {
          const c = categoryIndex(i);
          sprites.add(this._sprite(c, Sprites.alphaStep(alpha), false, ratio), Math.round(x * ratio), Math.round(y * ratio));
          marks.push(new PlainMark(k, cats[c].key, g.count[k]));
        } else {
          ctx.globalAlpha = alpha;
          ctx.fillStyle = categoryOf(i).colour;
          shapePath(ctx, categoryOf(i).shape, x, y, RADIUS);
          ctx.fill(); ctx.stroke();
          marks.push({ group: k, segments: [[categoryOf(i).key, g.count[k]]] });
        }
        if (g.count[k] > 1) badges.push(k);
      }
      ctx.globalAlpha = 1;
      lap("marks");
      // Clusters and pies lie under the plain marks; badges, names and the selection go
      // over them.
      if (sprites) this._putMarks(ctx, sprites, under, view);
      lap("composite");
      ctx.font = "bold 10px sans-serif";
      for (const k of badges) {
        // Up and to the right, clear of most of the mark: its colours are what it says.
        const x = g.x[k] + BADGE_DX, y = g.y[k] + BADGE_DY;
        const label = countText(g.count[k]);
        const w = Math.max(14, ctx.measureText(label).width + 6);
        ctx.fillStyle = "rgba(33,33,33,0.85)";
        ctx.strokeStyle = "rgba(255,255,255,0.95)"; ctx.lineWidth = 1;
        ctx.beginPath(); ctx.roundRect(x - w / 2, y - 7, w, 14, 7); ctx.fill(); ctx.stroke();
        ctx.fillStyle = "#fff"; ctx.fillText(label, x, y + 0.5);
      }
      drawLabels(ctx, labels, false);
      EA.drawn = { labels, marks };
      for (const [x, y, i] of selected) {
        const c = categoryOf(i);
        ctx.lineWidth = 3; ctx.strokeStyle = "#111";
        ctx.beginPath(); ctx.arc(x, y, RADIUS + 6, 0, Math.PI * 2); ctx.stroke();
        if (sprites) {
          // A few marks over the names: each its sprite's canvas, in device pixels.
          const sprite = this._sprite(categoryIndex(i), Sprites.ALPHA_STEPS, true, ratio);
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          ctx.drawImage(sprite.source, Math.round(x * ratio) - sprite.cx, Math.round(y * ratio) - sprite.cy);
          ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
          continue;
        }
        ctx.lineWidth = 2; ctx.strokeStyle = "#fff";
        ctx.fillStyle = c.colour;
        shapePath(ctx, c.shape, x, y, RADIUS + 2);
        ctx.fill(); ctx.stroke();
      }
      EA.drawn.selected = selected.map(([, , i]) => EA.ids[i]);
      this._placeLabel(selected, map);
      lap("rest");
      EA.lastDrawMs = performance.now() - started;
      prepareStacks(view);
      const seq = ++EA.paintSeq;
      if (EA.bridge) requestAnimationFrame(() => EA.bridge.painted(seq));
    },
    /* Every event of the window as a dot, into the canvas's pixels; how many fell on it. */
    _drawDots: function (ctx, view, ratio) {
      const canvas = this._canvas;
      if (!this._dots || this._dots.width !== canvas.width || this._dots.height !== canvas.height) {
        this._dots = new Dots.DotBuffer(canvas.width, canvas.height);
      }
      if (this._dotCategories !== EA.config.categories) {
        this._dotCategories = EA.config.categories;
        this._dotColours = Dots.colourWords(EA.config.categories);
      }
      const dots = this._dots, drawn = dots.paint(EA, view, ratio, this._dotColours), box = dots.box;
      // Device pixels, whatever the transform; only the dots' box: the canvas was cleared,
      // and the buffer is empty around it.
      if (box) ctx.putImageData(dots.image, 0, 0, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
      return drawn;
    },
    /*
     * The sprite of a plain mark of category index `c` at opacity step `step`, selected
     * or not, at `ratio`: rendered on first use, kept while the categories are the same.
     */
    _sprite: function (c, step, selected, ratio) {
      if (!this._sprites || this._spriteCategories !== EA.config.categories || this._spriteRatio !== ratio) {
        const cats = this._spriteCategories = EA.config.categories;
        this._spriteRatio = ratio;
        this._sprites = new Sprites.SpriteBook((key) => {
          const look = Sprites.lookOf(key);
          return renderMark(cats[look.category], Sprites.stepAlpha(look.step), look.selected, ratio);
        });
        // The looks found so far by key, in an array: a frame asks tens of thousands of times.
        this._spriteByKey = [];
      }
      const key = Sprites.lookKey(c, step, selected);
      return this._spriteByKey[key] || (this._spriteByKey[key] = this._sprites.get(key));
    },
    /*
     * The list of the frame's plain marks, empty, at `ratio` device pixels per CSS pixel.
     * Two lists take turns: the other holds the last frame's, which a pan compares with.
     */
    _startMarks: function (ratio) {
      if (!this._markLists) this._markLists = [new Sprites.MarkList(), new Sprites.MarkList()];
      this._markLists.reverse();
      const list = this._markLists[0];
      list.clear();
      list.ratio = ratio;
      return list;
    },
    /*
     * The frame's plain marks into their buffer (device pixels of the whole canvas,
     * emptied where the last frame's marks were), and the part of it they cover onto
     * the canvas: put straight in when nothing is drawn under them (a put replaces
     * pixels), else through a canvas of their own drawn over what is there. After a
     * pan (the same zoom and pixels) the buffer's pixels move with the map and only the
     * strips it uncovered are composited again (compositeAfterPan).
     */
    _putMarks: function (ctx, list, under, view) {
      if (!list.count && (!this._marks || !this._marks.box)) return;
      const canvas = this._canvas, width = canvas.width, height = canvas.height;
      let marks = this._marks, box;
      const ratio = list.ratio, before = this._markLists[1];
      const panned = marks && marks.image.width === width && marks.image.height === height
        && marks.scale === view.scale && marks.ratio === ratio;
      if (!marks || marks.image.width !== width || marks.image.height !== height) {
        const image = new ImageData(width, height);
        marks = this._marks = { image, words: new Int32Array(image.data.buffer), box: null };
      }
      if (panned) {
        const sx = Math.round((view.ox - marks.ox) * ratio), sy = Math.round((view.oy - marks.oy) * ratio);
        box = Sprites.compositeAfterPan(marks.words, width, height, list, before, sx, sy);
      } else {
        if (marks.box) marks.words.fill(0, marks.box.y0 * width, marks.box.y1 * width);
        box = Sprites.compositeMarks(marks.words, width, height, list);
      }
      marks.box = box;
      marks.scale = view.scale; marks.ratio = ratio; marks.ox = view.ox; marks.oy = view.oy;
      const image = marks.image;
      if (!box) return;
      const { x0, y0 } = box, w = box.x1 - x0, h = box.y1 - y0;
      if (!under) {
        ctx.putImageData(image, 0, 0, x0, y0, w, h);
        return;
      }
      if (!this._over) this._over = document.createElement("canvas");
      const over = this._over;
      if (over.width !== width || over.height !== height) {
        over.width = width; over.height = height;
      }
      over.getContext("2d").putImageData(image, 0, 0, x0, y0, w, h);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(over, x0, y0, w, h, x0, y0, w, h);
      ctx.restore();
    },
    _placeLabel: function (selected, map) {
      // The title is the current event's (the first of the selection): it goes beside that
      // event or nowhere, never beside another selected event still in the window.
      const label = this._label;
      const first = EA.selection.values().next().value;
      const current = selected.find(([, , i]) => EA.ids[i] === first);
      if (!current || !EA.selectionTitles.length) { label.style.display = "none"; return; }
      const [x, y] = current;
      label.textContent = EA.selectionTitles[0];
      label.style.display = "block";
      const left = Labels.titleLeft(x, label.offsetWidth, map.getSize().x, TITLE_DX);
      L.DomUtil.setPosition(label, map.containerPointToLayerPoint([left, y + TITLE_DY]));
    },
  });

  /* Draw the halos of places known only roughly (on) or not; replies with the setting. */
  EA.setHalos = function (on) {
    EA.halos = !!on;
    if (EA.layer) EA.layer.redraw();
    return EA.halos;
  };

  /*
   * The halos the last draw drew, for tests and tools: the place's centre (container
   * pixels), its radius in metres on the ground and in pixels, the precision's name and
   * the ids of the window's events there.
   */
  EA.drawnHalos = function () {
    const names = EA.config.place_precisions || [];
    const halos = EA.halosDrawn || [], ids = new Map(halos.map((h) => [h.place, []]));
    for (const i of EA.placed) {
      const here = ids.get(EA.placeOf[i]);
      if (here) here.push(EA.ids[i]);
    }
    return halos.map((h) => ({
      x: h.x, y: h.y, metres: h.metres, px: h.px, precision: names[h.precision] || null,
      ids: ids.get(h.place),
    }));
  };

  window.EventAtlasDraw = { EventCanvas, shapePath, countText, RADIUS };
})();
