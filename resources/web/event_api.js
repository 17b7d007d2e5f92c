/*
 * Event Atlas map page: the page's state and its API (window.EventAtlas).
 *
 * Events arrive once as columns in one binary buffer, sorted by start time. A change of
 * the time window is a binary search over the start times plus one canvas redraw; no
 * Leaflet object is ever made per event, so a million events cost typed arrays only.
 *
 * Every function the application calls is a named function here (desktop_app/ui/map/
 * page_api.py calls them, with JSON arguments only). Decoding, the time index, grouping
 * and hit-testing are in event_groups.js (loaded first); drawing is in event_draw.js and
 * the controls and the start of the page are in event_layer.js (loaded after this).
 */
(function () {
  "use strict";

  const G = window.EventAtlasGroups;
  const { scratch } = G;
  const Dots = window.EventAtlasDots;

  const EA = {
    map: null,
    config: null,
    bridge: null,
    ready: false,
    n: 0,
    t0: null, t1: null, ids: null, lat: null, lon: null, cat: null,
    // The rows with an origin (ascending) and where each was launched from.
    originRows: null, originLat: null, originLon: null,
    placeOf: null,                // the place (index) of each row, -1 without a place
    placeWx: null, placeWy: null, // Web Mercator position of each place in [0, 1]
    nPlaces: 0,
    placeName: null, placeKind: null, // the name and kind of each place, where known
    countryPoints: [],            // where each country's name goes (event_labels.js)
    drawn: { labels: [], marks: [], selected: [] }, // what the last draw printed, and how
    shortRows: null, shortT0: null, longRows: null,
    window: [0, 0],
    visible: new Int32Array(0),   // rows shown in the window, by start time
    placed: new Int32Array(0),    // the visible rows that have a place
    categoryCounts: [],           // placed events of the window per category, any category
    filterCategories: -1,         // bit c set: category c passes the filter (-1: all)
    filterRows: null,             // bit i set: row i passes the filter (null: all)
    groups: null,                 // what the last draw drew (see groupEvents, event_groups.js)
    selection: new Set(),
    selectionTitles: [],
    fade: true,
    markStyle: "auto",            // groups, dots, or dots for a dense window (event_dots.js)
    drawingDots: false,           // whether the last draw drew dots
    dotsDrawn: 0,                 // how many dots it put on the map
    paintSeq: 0,
    lastDrawMs: 0,
    lastScrubMs: 0,
    layer: null,                  // the event canvas (event_draw.js), once the page started
    legend: null,                 // the legend control (event_layer.js)
  };
  window.EventAtlas = EA;

  /* Decoding, the row of an id, the rows of a window: see event_groups.js. */
  EA.decode = function (buffer) { G.decode(EA, buffer); };

  /*
   * The event buffer's `parts` fetched side by side (each request has a pipe of its own
   * from the app, and one pipe is several times slower than four), as the list of
   * ArrayBuffers EA.decode takes.
   */
  EA.fetchEvents = function (url, parts) {
    const count = Math.max(1, parts | 0);
    const fetches = [];
    for (let k = 0; k < count; k++) {
      fetches.push(fetch(url + "?part=" + k + "&of=" + count).then((r) => {
        if (!r.ok) throw new Error("the events could not be fetched (" + r.status + ")");
        return r.arrayBuffer();
      }));
    }
    return Promise.all(fetches);
  };
  EA.rowOf = function (id) { return G.rowOf(EA, id); };
  EA.rowsIn = function (w0, w1) { return G.rowsIn(EA, w0, w1); };

  /*
   * The names of the places: [event id, place name, place kind] for one event at each
   * named place (desktop_app/ui/map/view.py sends them with the page's data).
   */
  EA.setPlaceNames = function (rows) {
    EA.placeName = new Array(EA.nPlaces);
    EA.placeKind = new Array(EA.nPlaces);
    return EA.nameEvents(rows);
  };

  /* Name the places of some events, keeping the names of the others. */
  EA.nameEvents = function (rows) {
    // The names' edition: what the map drew from the names it had is out of date.
    EA.namesEdition = (EA.namesEdition || 0) + 1;
    let named = 0;
    for (const [id, name, kind] of rows) {
      const i = EA.rowOf(id);
      const p = i >= 0 ? EA.placeOf[i] : -1;
      if (p < 0 || typeof name !== "string" || !name) continue;
      EA.placeName[p] = name; EA.placeKind[p] = kind || null;
      named++;
    }
    return named;
  };

  EA.setWindow = function (w0, w1) {
    const started = performance.now();
    EA.window = [w0, w1];
    const inWindow = EA.rowsIn(w0, w1);
    const cats = EA.filterCategories, bits = EA.filterRows, cat = EA.cat;
    // The legend counts every category the rest of the filter lets through, so that a
    // category switched off still shows how many events it would bring back.
    const counts = new Array((EA.config ? EA.config.categories.length : 0) + 256).fill(0);
    const rows = new Int32Array(inWindow.length);
    const all = cats === -1 && bits === null;
    const visible = all ? inWindow : new Int32Array(inWindow.length);
    let placed = 0, shown = 0;
    for (let k = 0; k < inWindow.length; k++) {
      const i = inWindow[k];
      // The filter: two bit tests per row of the window.
      if (bits !== null && ((bits[i >> 3] >> (i & 7)) & 1) === 0) continue;
      const here = EA.placeOf[i] >= 0;
      if (here) counts[cat[i]]++;
      if (((cats >>> cat[i]) & 1) === 0) continue;
      if (!all) visible[shown++] = i;
      if (here) rows[placed++] = i;
    }
    EA.visible = all ? visible : visible.subarray(0, shown);
    // In row order, as rowsIn gives them: mergeArcs pairs them with the origins' rows.
    EA.placed = rows.subarray(0, placed);
    EA.categoryCounts = counts;
    if (EA.legend) EA.legend.update(counts, cats);
    if (EA.layer) EA.layer.redraw();
    EA.lastScrubMs = performance.now() - started;
    return EA.placed.length;
  };

  /*
   * Show only what the filter lets through (desktop_app/ui/map/page_api.py set_filter):
   * `categories`, a bit mask of category indexes (null: all), and `rowsBase64`, a bit
   * mask over the rows (null: all). The window is drawn again; nothing is reloaded.
   */
  EA.setFilter = function (categories, rowsBase64) {
    EA.filterRows = rowsBase64 === null ? null : G.bitsFromBase64(rowsBase64, EA.n);
    return EA.setCategories(categories);
  };

  /* Change only the categories of the filter (a bit mask, null: all); the rows stay. */
  EA.setCategories = function (categories) {
    EA.filterCategories = categories === null ? -1 : categories | 0;
    return EA.setWindow(EA.window[0], EA.window[1]);
  };

  /* The legend's counts: placed events of the window per category key, before the
   * categories of the filter (the others apply). */
  EA.legendCounts = function () {
    const out = {};
    EA.config.categories.forEach((c, k) => { if (EA.categoryCounts[k]) out[c.key] = EA.categoryCounts[k]; });
    return out;
  };

  /*
   * The names of the named places by their coordinates (their float bits, as places are
   * told apart), to name the same points again in another buffer.
   */
  function namesByPoint() {
    const found = new Map();
    if (!EA.placeName) return found;
    const done = new Uint8Array(EA.nPlaces);
    for (let i = 0; i < EA.n; i++) {
      const p = EA.placeOf[i];
      if (p < 0 || done[p] || !EA.placeName[p]) continue;
      done[p] = 1;
      found.set(EA.lat[i] + "," + EA.lon[i], [EA.placeName[p], EA.placeKind[p]]);
    }
    return found;
  }

  /*
   * The store's events changed (an edit, an undo): fetch the buffer again and draw it,
   * keeping the view, the window and the selection. The filter comes along, since its
   * row mask is over the new buffer's rows. Places keep their names (found again by
   * their coordinates); `namesJson` names the places of the changed events, as
   * [[event id, place name, place kind], ...]. The page itself stays; the bridge hears
   * `eventsReloaded(revision)` once the new events are drawn.
   */
  EA.reloadEvents = function (revision, categories, rowsBase64, namesJson) {
    const query = "?r=" + encodeURIComponent(revision);
    fetch(EA.config.events_url + query).then((r) => r.arrayBuffer()).then((buffer) => {
      const named = namesByPoint();
      EA.decode(buffer);
      EA.placeName = new Array(EA.nPlaces);
      EA.placeKind = new Array(EA.nPlaces);
      for (let i = 0; i < EA.n; i++) {
        const p = EA.placeOf[i];
        if (p < 0 || EA.placeName[p] !== undefined) continue;
        const name = named.get(EA.lat[i] + "," + EA.lon[i]);
        EA.placeName[p] = name ? name[0] : null;
        EA.placeKind[p] = name ? name[1] : null;
      }
      EA.nameEvents(JSON.parse(namesJson));
      EA.setFilter(categories, rowsBase64);
      if (EA.bridge) EA.bridge.eventsReloaded(revision);
    }).catch((err) => {
      EA.error = String(err);
      if (EA.bridge) EA.bridge.pageFailed(String(err));
    });
    return revision;
  };

  /*
   * While on, the next click on the map is not a click on a marker: it tells the bridge
   * the point (`pointPicked`, JSON {lat, lon}), for an event to be added there.
   */
  EA.pickingPoint = false;
  EA.setPickPoint = function (on) {
    EA.pickingPoint = !!on;
    if (EA.map) EA.map.getContainer().classList.toggle("ea-picking", EA.pickingPoint);
    return EA.pickingPoint;
  };

  EA.visibleCount = () => EA.placed.length;
  EA.visibleIds = () => Array.from(EA.placed, (i) => EA.ids[i]);

  EA.setSelection = function (payloadJson) {
    const payload = JSON.parse(payloadJson);
    EA.selection = new Set(payload.ids);
    EA.selectionTitles = payload.titles || [];
    if (EA.layer) EA.layer.redraw();
    return EA.selection.size;
  };

  EA.setFade = function (on) {
    EA.fade = !!on;
    if (EA.layer) EA.layer.redraw();
    return EA.fade;
  };

  /*
   * How events are drawn: "groups" (marks, stacked and clustered), "dots" (every event
   * its own dot) or "auto" (dots when the window holds more events than marks can draw
   * in a frame). Anything else is taken as "auto".
   */
  EA.setMarkStyle = function (style) {
    EA.markStyle = Dots.STYLES.includes(style) ? style : "auto";
    if (EA.layer) EA.layer.redraw();
    return EA.markStyle;
  };

  /* Draw the event layer again; the bridge hears when the frame is shown. */
  EA.redraw = function () {
    EA.layer.redraw();
    return EA.paintSeq;
  };

  /*
   * The map's current transform from world [0, 1] to container pixels: the container
   * point of the world's top-left corner (projected point 0, 0) is the offset.
   */
  EA.currentView = function (map) {
    const scale = 256 * Math.pow(2, map.getZoom());
    const corner = map.layerPointToContainerPoint(map.getPixelOrigin().multiplyBy(-1));
    const size = map.getSize();
    return {
      scale, ox: corner.x, oy: corner.y, w: size.x, h: size.y,
      zoom: map.getZoom(), maxZoom: map.getMaxZoom(),
    };
  };

  /* The transform the map would have at `zoom`, centred on world point (wx, wy). */
  function viewAt(map, zoom, wx, wy) {
    const scale = 256 * Math.pow(2, zoom);
    const size = map.getSize();
    return {
      scale, ox: size.x / 2 - wx * scale, oy: size.y / 2 - wy * scale, w: size.x, h: size.y,
      zoom, maxZoom: map.getMaxZoom(),
    };
  }

  /*
   * Fly to an event: pan to it if it is off screen, and when it is hidden in a cluster,
   * zoom in just far enough that it stands on its own.
   */
  EA.flyTo = function (id) {
    const map = EA.map;
    const i = EA.rowOf(id);
    if (i < 0 || EA.placeOf[i] < 0) return false;
    const p = EA.placeOf[i];
    const ll = [EA.lat[i], EA.lon[i]];
    let zoom = map.getZoom();
    const inView = map.getBounds().pad(-0.1).contains(ll);
    const clustered = (view) => {
      const g = G.groupEvents(EA, view, { probe: true });
      return g.placeIn(p) && g.isCluster(g.groupOfPlace(p));
    };
    const wx = EA.placeWx[p], wy = EA.placeWy[p];
    if (clustered(inView ? EA.currentView(map) : viewAt(map, zoom, wx, wy))) {
      while (zoom < map.getMaxZoom() && clustered(viewAt(map, zoom, wx, wy))) zoom++;
      map.setView(ll, zoom, { animate: false });
    } else if (!inView) {
      map.panTo(ll, { animate: false });
    }
    // The probes above reused the layer's scratch space: draw again from the real view.
    if (EA.layer) EA.layer.redraw();
    return true;
  };

  /*
   * Fit the map to the visible events. With `trim` (0..0.5) the farthest share of them
   * from their median is left out of the fit (still drawn), so one far-off event does
   * not shrink everything else to a dot.
   */
  EA.fitVisible = function (trim) {
    if (!EA.placed.length) return false;
    let rows = Array.from(EA.placed);
    if (trim > 0 && rows.length >= 10) {
      // A sample is as good as all for a median and a share, and keeps this fast at 1M.
      if (rows.length > 20000) {
        const step = rows.length / 20000;
        rows = Array.from({ length: 20000 }, (_, k) => rows[Math.floor(k * step)]);
      }
      const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
      const mlat = median(rows.map((i) => EA.lat[i]));
      const mlon = median(rows.map((i) => EA.lon[i]));
      const distance = (i) => (EA.lat[i] - mlat) ** 2 + (EA.lon[i] - mlon) ** 2;
      rows.sort((a, b) => distance(a) - distance(b));
      rows = rows.slice(0, Math.ceil(rows.length * (1 - trim)));
    }
    let s = 90, w = 180, nth = -90, e = -180;
    for (const i of rows) {
      s = Math.min(s, EA.lat[i]); nth = Math.max(nth, EA.lat[i]);
      w = Math.min(w, EA.lon[i]); e = Math.max(e, EA.lon[i]);
    }
    EA.map.fitBounds([[s, w], [nth, e]], { padding: [40, 40], maxZoom: 9, animate: false });
    return true;
  };

  /* Centre on (lat, lon) at `zoom`; zoom out until `bounds` [s, w, n, e] fit, if given. */
  EA.showExtent = function (lat, lon, zoom, bounds) {
    const map = EA.map;
    map.setView([lat, lon], zoom, { animate: false });
    if (bounds) {
      const box = L.latLngBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]);
      if (!map.getBounds().pad(0.02).contains(box)) map.fitBounds(box, { animate: false });
    }
    return map.getZoom();
  };

  /* The view was resized: Leaflet must measure it before it frames anything. */
  EA.invalidateSize = function () {
    EA.map.invalidateSize({ animate: false });
    return true;
  };

  /* Zoom buttons and the legend belong on screen, not in a picture of the map. */
  EA.setControls = function (shown) {
    EA.map.getContainer().classList.toggle("ea-no-controls", !shown);
    return shown;
  };

  /* The scale bar and attribution: an export hides them and draws its own, larger. */
  EA.setScaleAndAttribution = function (shown) {
    const marks = EA.map.getContainer().querySelectorAll(
      ".leaflet-control-scale, .leaflet-control-attribution");
    for (const el of marks) el.style.display = shown ? "" : "none";
    return shown;
  };

  /* Pixel position (map container coordinates) of a row, for hit-testing and tests. */
  EA.containerPoint = function (i) {
    const v = EA.currentView(EA.map);
    const p = EA.placeOf[i];
    return [EA.placeWx[p] * v.scale + v.ox, EA.placeWy[p] * v.scale + v.oy];
  };

  /*
   * Where event `id` is drawn (container pixels): the centre of the marker or cluster it
   * is drawn in, which is where a click reaches it; its own position when off screen.
   */
  EA.pixelOf = function (id) {
    const i = EA.rowOf(id);
    if (i < 0 || EA.placeOf[i] < 0) return null;
    const g = EA.groups, p = EA.placeOf[i];
    if (g && g.placeIn(p)) return [g.x[scratch.group[p]], g.y[scratch.group[p]]];
    return EA.containerPoint(i);
  };

  /* How far from a dot (CSS pixels) a click or a hover still finds it. */
  const DOT_REACH = 4;

  /* Hit-testing the groups of the last draw: see event_groups.js. */
  EA.groupAt = function (x, y) { return G.groupAt(EA.groups, x, y); };
  EA.groupIds = function (k) { return G.groupIds(EA, EA.groups, k); };

  /* The events drawn under a container point: every event of the marker there. */
  EA.hitTest = function (x, y) {
    if (EA.drawingDots) {
      const rows = Dots.rowsAtPlaceOf(EA, Dots.dotAt(EA, EA.currentView(EA.map), x, y, DOT_REACH));
      return rows.map((i) => EA.ids[i]);
    }
    return EA.groupIds(EA.groupAt(x, y));
  };

  /* What the last draw shows, for tests and tools: one entry per marker or cluster. */
  EA.drawnGroups = function () {
    const g = EA.groups, out = [];
    if (!g) return out;
    for (let k = 0; k < g.n; k++) {
      out.push({ x: g.x[k], y: g.y[k], count: g.count[k], places: g.places[k], cluster: g.markers[k] > 1 });
    }
    return out;
  };

  /*
   * The names the last draw printed, each with its box (container pixels, top-left x, y
   * and size) and whether it names a country; for tests and tools.
   */
  EA.drawnLabels = function () {
    return EA.drawn.labels.map((b) => ({ text: b.text, x: b.x, y: b.y, w: b.w, h: b.h, country: b.country }));
  };

  /*
   * How the last draw drew each marker that is not a cluster: its centre and its
   * segments as [category key, event count] (one segment: a plain shape).
   */
  EA.drawnMarks = function () {
    const g = EA.groups;
    return EA.drawn.marks.map((m) => ({
      x: g.x[m.group], y: g.y[m.group], count: g.count[m.group],
      ids: EA.groupIds(m.group), segments: m.segments,
    }));
  };

  /* The selected events the last draw ringed, and whether it showed the current one's label. */
  EA.drawnSelection = function () {
    const label = EA.layer ? EA.layer._label : null;
    return { ringed: EA.drawn.selected.slice(), label: !!label && label.style.display !== "none" };
  };

  /* Zoom onto a cluster's events (its places' bounds), at least one level. */
  EA.zoomToGroup = function (k) {
    const g = EA.groups, s = scratch, map = EA.map;
    let south = 90, west = 180, north = -90, east = -180;
    for (let j = 0; j < EA.placed.length; j++) {
      const i = EA.placed[j], p = EA.placeOf[i];
      if (!g.placeIn(p) || s.group[p] !== k) continue;
      south = Math.min(south, EA.lat[i]); north = Math.max(north, EA.lat[i]);
      west = Math.min(west, EA.lon[i]); east = Math.max(east, EA.lon[i]);
    }
    const before = map.getZoom();
    const target = Math.min(map.getMaxZoom(), Math.max(before + 1,
      map.getBoundsZoom([[south, west], [north, east]], false, L.point(80, 80))));
    map.setView([(south + north) / 2, (west + east) / 2], target, { animate: false });
    return map.getZoom();
  };

  /*
   * Choosing an area by polygon. In polygon mode (the window's "Select an area by
   * polygon" toggle) each click on the map adds a corner; a double-click, or a click on
   * the first corner, closes the polygon and tells the application
   * (bridge.polygonDrawn, JSON [[lon, lat], ...]); Esc gives up. The map neither pans
   * nor zooms nor selects on those clicks. The outline is one Leaflet polyline, drawn
   * while the corners are chosen; the filter's own polygon is shown by showPolygon.
   */
  const CLOSE_PX = 8; // a click this near the first corner closes the polygon
  let drawing = null; // { points: [container points], line: L.Polyline } while drawing
  let shownPolygon = null;

  function drawingLatLngs(pointer) {
    const points = pointer ? drawing.points.concat([pointer]) : drawing.points;
    return points.map((p) => EA.map.containerPointToLatLng(p));
  }

  function redrawDrawing(pointer) {
    if (!drawing) return;
    drawing.line.setLatLngs(drawingLatLngs(pointer));
  }

  /* The corners as [lon, lat], a click's double (a double-click's two presses) dropped,
   * moved by whole turns so that a polygon drawn on a copy of the world east or west
   * reads as the same place. */
  function polygonLonLats(points) {
    const kept = [];
    for (const p of points) {
      const last = kept[kept.length - 1];
      if (!last || Math.abs(last.x - p.x) > 2 || Math.abs(last.y - p.y) > 2) kept.push(p);
    }
    const lls = kept.map((p) => EA.map.containerPointToLatLng(p));
    const mean = lls.reduce((sum, ll) => sum + ll.lng, 0) / Math.max(1, lls.length);
    const turn = Math.round(mean / 360) * 360;
    const clamp = (v, m) => Math.max(-m, Math.min(m, v));
    return lls.map((ll) => [clamp(ll.lng - turn, 180), clamp(ll.lat, 90)]);
  }

  function stopDrawing() {
    if (drawing) drawing.line.remove();
    drawing = null;
  }

  /* Close the polygon being drawn and tell the application; fewer than three corners
   * choose nothing. Returns the corners told, or null. */
  EA.closePolygon = function () {
    if (!drawing) return null;
    const corners = polygonLonLats(drawing.points);
    stopDrawing();
    EA.setPolygonMode(false);
    if (corners.length < 3) {
      // Fewer than three corners choose nothing: as if given up.
      if (EA.bridge) EA.bridge.polygonCancelled();
      return null;
    }
    EA.lastPolygon = corners;
    if (EA.bridge) EA.bridge.polygonDrawn(JSON.stringify(corners));
    return corners;
  };

  /* Give up the polygon being drawn and leave polygon mode (Esc). */
  EA.cancelPolygon = function () {
    const was = EA.polygonMode;
    stopDrawing();
    EA.setPolygonMode(false);
    if (was && EA.bridge) EA.bridge.polygonCancelled();
    return was;
  };

  function watchPolygonClicks(map) {
    const container = map.getContainer();
    const onMap = (e) => e.button === 0 && EA.polygonMode
      && !(e.target.closest && e.target.closest(".leaflet-control"));
    container.addEventListener("mousedown", (e) => {
      if (!onMap(e)) return;
      // Leaflet never hears this press: the map does not pan under the pointer.
      e.preventDefault(); e.stopImmediatePropagation();
      const p = map.mouseEventToContainerPoint(e);
      if (!drawing) {
        drawing = { points: [], line: L.polyline([], {
          color: "#1f4e8c", weight: 2, dashArray: "6 4", interactive: false }).addTo(map) };
      }
      const first = drawing.points[0];
      if (first && drawing.points.length >= 3 && first.distanceTo(p) <= CLOSE_PX) {
        EA.closePolygon();
        return;
      }
      drawing.points.push(p);
      redrawDrawing(null);
    }, true);
    for (const kind of ["click", "mouseup"]) {
      container.addEventListener(kind, (e) => {
        if (onMap(e)) e.stopImmediatePropagation();
      }, true);
    }
    container.addEventListener("dblclick", (e) => {
      if (!EA.polygonMode) return;
      e.preventDefault(); e.stopImmediatePropagation();
      EA.closePolygon();
    }, true);
    container.addEventListener("mousemove", (e) => {
      if (drawing) redrawDrawing(map.mouseEventToContainerPoint(e));
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && EA.polygonMode) EA.cancelPolygon();
    });
  }

  /* Whether clicks on the map draw a polygon (the window's toggle) or do what they do. */
  EA.setPolygonMode = function (on) {
    const map = EA.map;
    if (!EA.polygonWatched) { watchPolygonClicks(map); EA.polygonWatched = true; }
    EA.polygonMode = !!on;
    if (!EA.polygonMode) stopDrawing();
    map.getContainer().style.cursor = EA.polygonMode ? "crosshair" : "";
    // A double-click closes the polygon: it must not zoom the map too.
    if (map.doubleClickZoom) map.doubleClickZoom[EA.polygonMode ? "disable" : "enable"]();
    return EA.polygonMode;
  };

  /* Outline the filter's polygon ([[lon, lat], ...]) on the map; null: none. */
  EA.showPolygon = function (corners) {
    if (shownPolygon) { shownPolygon.remove(); shownPolygon = null; }
    EA.outlinedPolygon = null;
    if (Array.isArray(corners) && corners.length >= 3) {
      EA.outlinedPolygon = corners;
      shownPolygon = L.polygon(corners.map(([lon, lat]) => [lat, lon]), {
        color: "#1f4e8c", weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.05,
        interactive: false,
      }).addTo(EA.map);
    }
    return shownPolygon !== null;
  };

  /* What the map shows now, for exports (scale bar, legend, caption). */
  EA.viewInfo = function () {
    const map = EA.map, c = map.getCenter(), b = map.getBounds(), size = map.getSize();
    const counts = {};
    for (const i of EA.placed) {
      const [x, y] = EA.containerPoint(i);
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      counts[EA.cat[i]] = (counts[EA.cat[i]] || 0) + 1;
    }
    const attribution = map.attributionControl ? map.attributionControl.getContainer().textContent : "";
    return {
      zoom: map.getZoom(), lat: c.lat, lon: c.lng,
      bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()],
      size: [size.x, size.y], ratio: window.devicePixelRatio || 1,
      categories: counts, attribution: attribution,
    };
  };
})();
