/*
 * The standalone HTML map: one file that opens in any browser with no network.
 *
 * Everything it shows comes from the data block "atlas-standalone" (JSON, never code)
 * and is put into the page with textContent, so no title or excerpt can become markup.
 * Only the marker shapes are SVG, and those are the page's own constants.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("atlas-standalone").textContent);
  const map = window[config.map];

  L.geoJSON(config.basemap, {
    interactive: false,
    attribution: config.texts.outlines,
    style: {color: "#8a8f98", weight: 0.8, fillColor: "#eceae4", fillOpacity: 1},
  }).addTo(map);
  map.getContainer().style.background = "#c9dbe6";
  if (config.tiles) {
    // Only when the user chose online tiles: otherwise opening the file asks nothing of
    // any server.
    L.tileLayer(config.tiles.url, {
      attribution: config.tiles.attribution, maxZoom: 19, opacity: 0.85,
    }).addTo(map);
  }

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  const icons = config.categories.map((c) => L.divIcon({
    html: c.svg, className: "ea-marker", iconSize: [18, 18], iconAnchor: [9, 9],
    popupAnchor: [0, -8],
  }));

  function popup(e) {
    const box = document.createElement("div");
    box.className = "ea-popup";
    box.append(text("b", e.title), text("div", e.date, "ea-date"));
    if (e.place) box.append(text("div", e.place, "ea-place"));
    if (e.excerpt) box.append(text("blockquote", e.excerpt));
    if (e.sources.length) {
      box.append(text("div", config.texts.sources + " " + e.sources.join("; ")));
    }
    if (e.article) box.append(text("div", config.texts.article + " " + e.article, "ea-article"));
    return box;
  }

  // Where each event may really be: a halo of its place's ground radius in metres (as
  // the app's map draws it), one per place and radius, under the markers on one canvas.
  const haloRenderer = L.canvas({ padding: 0.2 });
  const haloSpots = new Map();
  for (const e of config.events) {
    if (e.halo > 0) haloSpots.set(e.lat + "," + e.lon + "," + e.halo, e);
  }
  const halos = Array.from(haloSpots.values(), (e) => L.circle([e.lat, e.lon], {
    radius: e.halo, renderer: haloRenderer, interactive: false, weight: 1, dashArray: "4 3",
    color: "rgb(52, 92, 160)", opacity: 0.55, fillColor: "rgb(52, 92, 160)", fillOpacity: 0.10,
  }).addTo(map));
  window.eaHalos = halos;

  const group = config.cluster ? L.markerClusterGroup() : L.layerGroup();
  const markers = config.events.map((e) => {
    const marker = L.marker([e.lat, e.lon], {icon: icons[e.cat], title: e.title});
    marker.bindPopup(() => popup(e), {maxWidth: 360});
    return marker;
  });
  if (config.cluster) group.addLayers(markers);
  else markers.forEach((m) => group.addLayer(m));
  group.addTo(map);
  window.eaMarkers = markers;
  window.eaGroup = group;

  if (markers.length) {
    map.fitBounds(L.latLngBounds(config.events.map((e) => [e.lat, e.lon])).pad(0.1),
                  {maxZoom: 9});
  }

  const legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    const box = L.DomUtil.create("div", "ea-legend");
    box.append(text("div", config.title, "ea-title"), text("div", config.subtitle));
    for (const c of config.categories) {
      if (!c.count) continue;
      const row = document.createElement("div");
      row.innerHTML = c.svg;  // the page's own shape constant, never data
      row.append(text("span", " " + c.label + " (" + c.count.toLocaleString() + ")"));
      box.append(row);
    }
    if (halos.length) box.append(text("div", config.texts.halo, "ea-halo-note"));
    if (config.note) box.append(text("div", config.note, "ea-note"));
    return box;
  };
  legend.addTo(map);
})();
