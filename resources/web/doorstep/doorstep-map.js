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
    var content = marker._ds ? popupFor(marker._ds) : (marker._dsPopup ? marker._dsPopup() : null);
    if (!content) { return; }
    if (!ds.popup) { ds.popup = L.popup({ maxWidth: 320, autoPanPadding: [20, 20] }); }
    ds.popup.setLatLng(marker.getLatLng()).setContent(content).openOn(ds.map);
  };

  function onClick(e) {
    var id = e.target._dsId;
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
        swatch.appendChild(node("span", "ds-dot"));
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
  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 100 ? 34 : (n < 1000 ? 40 : 48);
    var box = node("div", "ds-cluster-inner", n);
    return L.divIcon({ html: box.outerHTML, className: "ds-cluster", iconSize: [size, size] });
  }

  ds.showCases = function (map, rows, opts) {
    var layers = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var m = L.marker([r[1], r[2]], { icon: caseIcon(r[3], r[4], false), keyboard: false });
      m._ds = r;
      m._dsId = r[0];
      m.on("click", onClick);
      ds.markers[r[0]] = m;
      layers[i] = m;
    }
    if (rows.length > opts.clusterAbove) {
      ds.cluster = L.markerClusterGroup({
        iconCreateFunction: clusterIcon,
        showCoverageOnHover: false, maxClusterRadius: 60, disableClusteringAtZoom: 17,
        spiderfyOnMaxZoom: true, removeOutsideVisibleBounds: true
      });
      // On the map first, then one bulk add: markercluster clusters every zoom level in one pass.
      map.addLayer(ds.cluster);
      ds.cluster.addLayers(layers);
    } else {
      ds.group = L.featureGroup(layers).addTo(map);
    }
  };

  /* Route stops are folium markers; the page registers each one here so clicks and highlight work. */
  ds.registerStop = function (id, marker) {
    marker._dsId = id;
    ds.markers[id] = marker;
    marker.on("click", function (e) {
      ds.lastClicked = id;
      if (ds.bridge) { ds.bridge.caseClicked(id); }
    });
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
    var m = ds.markers[id];
    if (!m || !ds.map) { return false; }
    ds.highlightedId = id;
    if (ds.cluster && ds.cluster.hasLayer(m)) {
      ds.cluster.zoomToShowLayer(m, function () { emphasise(m); ds.openPopup(m); });
    } else {
      ds.map.setView(m.getLatLng(), Math.max(ds.map.getZoom(), 15), { animate: false });
      emphasise(m);
      ds.openPopup(m);
    }
    return true;
  };

  /* For tests and keyboard use: act as if the marker were clicked. */
  ds.clickCase = function (id) {
    var m = ds.markers[id];
    if (!m) { return false; }
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
