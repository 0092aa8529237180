/* Doorstep map page: case markers (clustered when many), route stops, popups built from text
 * nodes (never innerHTML from data), highlight, and the Qt WebChannel bridge.
 * Our own code, loaded from this folder like the vendored libraries. */
(function () {
  "use strict";

  var ds = {
    map: null,
    bridge: null,
    ready: false,
    markers: {},
    cluster: null,
    highlighted: null,
    highlightedId: null,
    lastClicked: null,
    popup: null,
    icons: {},
    labels: {}
  };
  window.doorstep = ds;

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function caseIcon(band, safety, highlighted) {
    var key = band + ":" + safety + ":" + (highlighted ? 1 : 0);
    if (!ds.icons[key]) {
      var cls = "ds-pin ds-band-" + band + (safety > 0 ? " ds-safety" : "") + (highlighted ? " ds-highlight" : "");
      var size = highlighted ? 26 : 16;
      ds.icons[key] = L.divIcon({
        className: cls, html: '<span class="ds-dot"></span>',
        iconSize: [size, size], iconAnchor: [size / 2, size / 2], popupAnchor: [0, -size / 2]
      });
    }
    return ds.icons[key];
  }

  /* One row: [id, lat, lon, band, safety, caseNo, label, status, priorityText] */
  function popupFor(r) {
    var box = node("div", "ds-popup");
    box.appendChild(node("div", "ds-case-no", r[5]));
    box.appendChild(node("div", "ds-label", r[6]));
    var meta = node("div", "ds-meta");
    meta.appendChild(node("span", "ds-status", r[7]));
    meta.appendChild(node("span", "ds-priority ds-band-" + r[3], r[8]));
    box.appendChild(meta);
    if (r[4] > 0) {
      box.appendChild(node("div", "ds-safety-note", ds.labels.safety || "Safety note"));
    }
    return box;
  }

  ds.openPopup = function (marker) {
    var content = marker._ds ? popupFor(marker._ds) : (marker._dsRoute ? stopTooltip(marker._dsRoute) : null);
    if (!content) { return; }
    if (!ds.popup) { ds.popup = L.popup({ maxWidth: 320, autoPanPadding: [20, 20] }); }
    ds.popup.setLatLng(marker.getLatLng()).setContent(content).openOn(ds.map);
  };

  function onClick(e) {
    var id = e.target._dsId;
    var r = e.target._ds;
    var spot = r && ds.spots ? ds.spots[r[1] + "," + r[2]] : null;
    if (spot && spot.length > 1) {  // several cases at one door: let the user pick
      if (!ds.popup) { ds.popup = L.popup({ maxWidth: 320, autoPanPadding: [20, 20] }); }
      ds.popup.setLatLng(e.target.getLatLng()).setContent(sameSpotList(spot)).openOn(ds.map);
      return;
    }
    ds.lastClicked = id;
    ds.openPopup(e.target);
    if (ds.bridge) { ds.bridge.caseClicked(id); }
  }

  function addLegend(map, legend) {
    if (!legend || !legend.length) { return; }
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = node("div", "ds-legend");
      for (var i = 0; i < legend.length; i++) {
        var row = node("div", "ds-legend-row");
        var swatch = node("span", "ds-pin ds-legend-swatch " + legend[i][0]);
        var dot = node("span", "ds-dot");
        if (legend[i][2]) { dot.style.background = legend[i][2]; }  /* a colour of its own (team map) */
        swatch.appendChild(dot);
        row.appendChild(swatch);
        row.appendChild(node("span", "ds-legend-text", legend[i][1]));
        box.appendChild(row);
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  ds.init = function (map, opts) {
    ds.map = map;
    ds.generation = opts.generation || 0;
    ds.labels = opts.labels || {};
    ds.labels.start = ds.labels.start || "Start";
    ds.labels.end = ds.labels.end || "End";
    L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
    if (opts.bounds) {
      map.fitBounds(opts.bounds, { padding: [24, 24], maxZoom: opts.fitMaxZoom || 16, animate: false });
    }
    addLegend(map, opts.legend);
    if (opts.emptyText) {
      var note = L.control({ position: "topright" });
      note.onAdd = function () { return node("div", "ds-empty", opts.emptyText); };
      note.addTo(map);
    }
  };

  /* Clusters are neutral blue-grey so their colour is never read as a priority. */
  /* The halo takes the colour of the most urgent case inside; a dark badge says a safety note is inside. */
  function clusterIcon(count, band, safety) {
    var size = count < 100 ? 34 : (count < 1000 ? 40 : 48);
    var box = node("div", "ds-cluster-inner", count);
    if (safety) { box.appendChild(node("span", "ds-cluster-safety", "!")); }
    return L.divIcon({ html: box.outerHTML, className: "ds-cluster ds-halo-" + band, iconSize: [size, size] });
  }

  function caseMarker(r) {
    var m = ds.markers[r[0]];
    if (!m) {
      m = L.marker([r[1], r[2]], { icon: caseIcon(r[3], r[4], r[0] === ds.highlightedId), keyboard: false });
      m._ds = r;
      m._dsId = r[0];
      m.on("click", onClick);
      ds.markers[r[0]] = m;
    }
    return m;
  }

  /* Points that share one spot even at the deepest cluster level (debtors in one building):
   * a list to choose from, each line selects its case. */
  function sameSpotList(rows) {
    var box = node("div", "ds-popup ds-list");
    for (var i = 0; i < rows.length && i < 50; i++) {
      var r = rows[i];
      var line = node("a", "ds-list-item ds-band-" + r[3]);
      line.href = "#";
      line.appendChild(node("span", "ds-case-no", r[5]));
      line.appendChild(node("span", "ds-label", " " + r[6]));
      line.addEventListener("click", (function (row) {
        return function (ev) { ev.preventDefault(); ds.select(row[0]); };
      })(r));
      box.appendChild(line);
    }
    return box;
  }

  /* Above a few hundred cases: a Supercluster index (KD-tree, all zoom levels at once) and only
   * what is on screen as Leaflet markers, redrawn after every move. */
  ds.redraw = function () {
    var map = ds.map;
    var b = map.getBounds().pad(0.25);
    var zoom = Math.round(map.getZoom());
    var items = ds.index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom);
    var layers = [];
    var highlightShown = false;
    for (var i = 0; i < items.length; i++) {
      var f = items[i];
      if (f.properties.cluster) {
        var c = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
          { icon: clusterIcon(f.properties.point_count, f.properties.b, f.properties.s), keyboard: false });
        c._dsCluster = f.properties.cluster_id;
        c.on("click", onClusterClick);
        layers.push(c);
      } else {
        layers.push(caseMarker(f.properties.r));
        highlightShown = highlightShown || f.properties.r[0] === ds.highlightedId;
      }
    }
    if (!highlightShown && ds.highlightedId !== null && ds.rows[ds.highlightedId]) {
      layers.push(caseMarker(ds.rows[ds.highlightedId]));  // the selected case stays visible above its cluster
    }
    ds.layer.clearLayers();
    for (var k = 0; k < layers.length; k++) { ds.layer.addLayer(layers[k]); }
  };

  function onClusterClick(e) {
    var zoom = Math.min(ds.index.getClusterExpansionZoom(e.target._dsCluster), ds.map.getMaxZoom());
    ds.map.setView(e.target.getLatLng(), zoom);
  }

  /* The case is chosen (from its marker or from a same-spot list): tell the app. */
  ds.select = function (id) {
    var m = ds.markers[id] || (ds.rows[id] ? caseMarker(ds.rows[id]) : null);
    if (!m) { return false; }
    ds.lastClicked = id;
    ds.openPopup(m);
    if (ds.bridge) { ds.bridge.caseClicked(id); }
    return true;
  };

  ds.showCases = function (map, rows, opts) {
    ds.rows = {};
    ds.spots = {};
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var key = row[1] + "," + row[2];
      ds.rows[row[0]] = row;
      if (ds.spots[key]) { ds.spots[key].push(row); } else { ds.spots[key] = [row]; }
    }
    if (rows.length > opts.clusterAbove && typeof Supercluster !== "undefined") {
      ds.clusterMaxZoom = opts.clusterMaxZoom || 16;
      var features = new Array(rows.length);
      for (var j = 0; j < rows.length; j++) {
        var r = rows[j];
        features[j] = { type: "Feature", properties: { r: r }, geometry: { type: "Point", coordinates: [r[2], r[1]] } };
      }
      ds.index = new Supercluster({
        radius: 60, maxZoom: ds.clusterMaxZoom, minZoom: map.getMinZoom(),
        map: function (p) { return { b: p.r[3], s: p.r[4] > 0 ? 1 : 0 }; },
        reduce: function (acc, p) { acc.b = Math.max(acc.b, p.b); acc.s = Math.max(acc.s, p.s); }
      }).load(features);
      ds.layer = L.layerGroup().addTo(map);
      ds.clustered = true;
      map.on("moveend", ds.redraw);
      ds.redraw();
    } else {
      var layers = new Array(rows.length);
      for (var k = 0; k < rows.length; k++) { layers[k] = caseMarker(rows[k]); }
      ds.layer = L.featureGroup(layers).addTo(map);
    }
  };

  /* A route: rows [id, lat, lon, number, label, eta, locked, safety]; start/end [lat, lon, label] or null;
   * path [[lat, lon], ...]. Tooltips are DOM nodes filled with textContent. */
  function stopIcon(text, classes) {
    var inner = node("span", "ds-num", text);
    return L.divIcon({ className: classes, html: inner.outerHTML, iconSize: [26, 26], iconAnchor: [13, 13] });
  }

  function stopTooltip(r) {
    var box = node("div", "ds-tip");
    box.appendChild(node("b", null, r[3] + ". "));
    box.appendChild(node("span", null, r[4]));
    if (r[5]) { box.appendChild(node("span", "ds-eta", " · " + r[5])); }
    return box;
  }

  ds.showRoute = function (map, rows, start, end, path) {
    if (path && path.length > 1) {
      L.polyline(path, { color: "#1565c0", weight: 4, opacity: 0.75 }).addTo(map);
    }
    var ends = [[start, "S", ds.labels.start], [end, "E", ds.labels.end]];
    for (var k = 0; k < ends.length; k++) {
      var p = ends[k][0];
      if (!p) { continue; }
      var tip = node("div", "ds-tip", ends[k][2] + (p[2] ? ": " + p[2] : ""));
      L.marker([p[0], p[1]], { icon: stopIcon(ends[k][1], "ds-stop ds-start"), keyboard: false })
        .bindTooltip(tip, { direction: "top", offset: [0, -12] }).addTo(map);
    }
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var cls = "ds-stop" + (r[6] ? " ds-locked" : "") + (r[7] > 0 ? " ds-safety" : "");
      var m = L.marker([r[1], r[2]], { icon: stopIcon(String(r[3]), cls), keyboard: false, zIndexOffset: 100 });
      m._dsId = r[0];
      m._dsRoute = r;
      m.bindTooltip(stopTooltip(r), { direction: "top", offset: [0, -12] });
      m.on("click", onClick);
      m.addTo(map);
      ds.markers[r[0]] = m;
    }
  };

  /* The team's visits of a day: rows [caseId, lat, lon, colour, caseNo, agentName, time, outcome, agentIndex],
   * a circle in the agent's colour each; popups are text nodes. */
  function teamPopup(r) {
    var box = node("div", "ds-popup");
    box.appendChild(node("div", "ds-case-no", r[4]));
    var who = node("div", "ds-label");
    var swatch = node("span", "ds-agent-dot");
    swatch.style.background = r[3];
    who.appendChild(swatch);
    who.appendChild(node("span", null, r[5]));
    box.appendChild(who);
    var meta = node("div", "ds-meta");
    meta.appendChild(node("span", null, r[6]));
    meta.appendChild(node("span", null, r[7]));
    box.appendChild(meta);
    return box;
  }

  ds.showTeam = function (map, rows) {
    ds.rows = {};
    var layers = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var m = L.circleMarker([r[1], r[2]], {
        radius: 7, color: "#ffffff", weight: 2, fillColor: r[3], fillOpacity: 0.95
      });
      m._dsId = r[0];
      m._dsAgent = r[8];
      m.bindPopup(teamPopup(r), { maxWidth: 320 });
      m.on("click", function (e) {
        ds.lastClicked = e.target._dsId;
        if (ds.bridge) { ds.bridge.caseClicked(e.target._dsId); }
      });
      ds.markers[r[0]] = m;
      layers.push(m);
    }
    ds.layer = L.featureGroup(layers).addTo(map);
  };

  /* One agent's visits stand out (the others fade) and fill the view; -1 shows everyone again. */
  ds.focusAgent = function (index) {
    if (!ds.layer || !ds.map) { return 0; }
    var points = [];
    ds.layer.eachLayer(function (m) {
      var mine = index < 0 || m._dsAgent === index;
      m.setStyle(mine ? { fillOpacity: 0.95, opacity: 1 } : { fillOpacity: 0.15, opacity: 0.3 });
      if (mine) { points.push(m.getLatLng()); if (index >= 0) { m.bringToFront(); } }
    });
    if (points.length) {
      ds.map.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 15, animate: false });
    }
    return points.length;
  };

  function emphasise(marker) {
    var prev = ds.highlighted;
    if (prev && prev !== marker) {
      if (prev._ds) { prev.setIcon(caseIcon(prev._ds[3], prev._ds[4], false)); prev.setZIndexOffset(0); }
      else if (prev.getElement()) { L.DomUtil.removeClass(prev.getElement(), "ds-highlight"); }
    }
    if (marker._ds) { marker.setIcon(caseIcon(marker._ds[3], marker._ds[4], true)); }
    else if (marker.getElement()) { L.DomUtil.addClass(marker.getElement(), "ds-highlight"); }
    marker.setZIndexOffset(10000);
    ds.highlighted = marker;
  }

  ds.highlight = function (id) {
    if (!ds.map) { return false; }
    var m = ds.markers[id];
    var r = ds.rows && ds.rows[id];
    if (!m && !r) { return false; }
    ds.highlightedId = id;
    var at = m ? m.getLatLng() : L.latLng(r[1], r[2]);
    var zoom = Math.max(ds.map.getZoom(), ds.clustered ? 17 : 13);
    ds.map.setView(at, zoom, { animate: false });  // a clustered map redraws here, creating the marker
    m = ds.markers[id];
    if (!m) { return false; }
    emphasise(m);
    ds.openPopup(m);
    return true;
  };

  /* For tests and the same-spot list: act as if the case's marker were clicked. */
  ds.clickCase = function (id) {
    var m = ds.markers[id];
    if (!m && ds.rows && ds.rows[id]) { m = caseMarker(ds.rows[id]); }
    if (!m) { return false; }
    if (!ds.map.hasLayer(m) || !m._ds) {
      return m._ds ? ds.select(id) : (m.fire("click", { latlng: m.getLatLng() }), true);
    }
    var spot = ds.spots[m._ds[1] + "," + m._ds[2]];
    if (spot && spot.length > 1) { return ds.select(id); }  // a click would open the list; choose directly
    m.fire("click", { latlng: m.getLatLng() });
    return true;
  };

  ds.connect = function () {
    var done = function () {
      ds.ready = true;
      ds.readyAt = window.performance ? performance.now() : 0;
      if (ds.bridge) { ds.bridge.pageReady(ds.generation); }
    };
    if (typeof QWebChannel === "undefined" || typeof qt === "undefined" || !qt.webChannelTransport) {
      done();
      return;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      ds.bridge = channel.objects.bridge || null;
      done();
    });
  };
})();
