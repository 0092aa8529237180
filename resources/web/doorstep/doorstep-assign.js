/* Doorstep assign map: cases as dots coloured by agent on a canvas layer, a legend, and an area
 * tool (rectangle or lasso). Popups and the legend are built from text nodes (never innerHTML from
 * data). A finished area goes to the window as JSON over the page's bridge: bridge.areaDrawn(json).
 * Our own code; loaded before doorstep-map.js, so `window.doorstep` is looked up only when used. */
(function () {
  "use strict";

  var da = {
    map: null,
    labels: {},
    layer: null,
    markers: {},
    area: null,
    mode: null,
    drawing: null,
    buttons: {},
    sent: 0
  };
  window.doorstepAssign = da;

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  /* One row: [id, lat, lon, colour, caseNo, agentName, ringed]; a legend row: [colour, text, ringed] */
  function popupFor(r) {
    var box = node("div", "ds-popup");
    box.appendChild(node("div", "ds-case-no", r[4]));
    var who = node("div", "ds-label");
    var dot = node("span", "ds-assign-dot");
    dot.style.background = r[3];
    who.appendChild(dot);
    who.appendChild(node("span", null, r[5]));
    box.appendChild(who);
    if (r[6]) { box.appendChild(node("div", "ds-meta", da.labels.pending || "")); }
    return box;
  }

  function addLegend(map, legend) {
    if (!legend || !legend.length) { return; }
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = node("div", "ds-legend");
      for (var i = 0; i < legend.length; i++) {
        var row = node("div", "ds-legend-row");
        var dot = node("span", legend[i][2] ? "ds-assign-dot ds-assign-ring" : "ds-assign-dot");
        dot.style.background = legend[i][0];
        row.appendChild(dot);
        row.appendChild(node("span", "ds-legend-text", legend[i][1]));
        box.appendChild(row);
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function addDrawControl(map) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = node("div", "ds-assign-tools leaflet-bar");
      var modes = [["rect", da.labels.rectangle || "Rectangle"], ["lasso", da.labels.lasso || "Lasso"]];
      for (var i = 0; i < modes.length; i++) {
        (function (mode, text) {
          var b = node("a", "ds-assign-tool", text);
          b.href = "#";
          b.setAttribute("role", "button");
          L.DomEvent.on(b, "click", function (e) {
            L.DomEvent.preventDefault(e);
            da.startDraw(da.mode === mode ? null : mode);
          });
          da.buttons[mode] = b;
          box.appendChild(b);
        })(modes[i][0], modes[i][1]);
      }
      var clear = node("a", "ds-assign-tool", da.labels.clear || "Clear");
      clear.href = "#";
      clear.setAttribute("role", "button");
      L.DomEvent.on(clear, "click", function (e) { L.DomEvent.preventDefault(e); da.clear(); });
      box.appendChild(clear);
      da.hint = node("div", "ds-assign-hint", da.labels.hint || "");
      da.hint.style.display = "none";
      box.appendChild(da.hint);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  da.show = function (map, rows, legend, opts) {
    da.map = map;
    da.labels = (opts && opts.labels) || {};
    var renderer = L.canvas({ padding: 0.5 });
    var layers = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var m = L.circleMarker([r[1], r[2]], {
        renderer: renderer, radius: r[6] ? 7 : 5, color: r[6] ? "#212121" : "#ffffff", weight: r[6] ? 2 : 1,
        fillColor: r[3], fillOpacity: 0.9
      });
      m._dsRow = r;
      m.on("click", function (e) {
        var row = e.target._dsRow;
        L.popup({ maxWidth: 320 }).setLatLng(e.target.getLatLng()).setContent(popupFor(row)).openOn(da.map);
        var ds = window.doorstep;
        if (ds && ds.bridge) { ds.bridge.caseClicked(row[0]); }
      });
      da.markers[r[0]] = m;
      layers.push(m);
    }
    da.layer = L.featureGroup(layers).addTo(map);
    addLegend(map, legend);
    if (opts && opts.draw) {
      addDrawControl(map);
      map.on("mousedown", onDown);
      map.on("mousemove", onMove);
      map.on("mouseup", onUp);
    }
  };

  da.startDraw = function (mode) {
    da.mode = mode === "rect" || mode === "lasso" ? mode : null;
    for (var key in da.buttons) {
      if (Object.prototype.hasOwnProperty.call(da.buttons, key)) {
        da.buttons[key].classList.toggle("ds-active", key === da.mode);
      }
    }
    if (da.hint) { da.hint.style.display = da.mode ? "block" : "none"; }
    if (!da.map) { return; }
    if (da.mode) {
      da.map.dragging.disable();
      da.map.getContainer().style.cursor = "crosshair";
    } else {
      da.map.dragging.enable();
      da.map.getContainer().style.cursor = "";
    }
  };

  function onDown(e) {
    if (!da.mode) { return; }
    da.drawing = { mode: da.mode, start: e.latlng, points: [e.latlng] };
    if (da.area) { da.map.removeLayer(da.area); da.area = null; }
  }

  function onMove(e) {
    var d = da.drawing;
    if (!d) { return; }
    if (d.mode === "rect") {
      d.points = [d.start, e.latlng];
      var b = L.latLngBounds(d.start, e.latlng);
      if (da.area) { da.area.setBounds(b); } else {
        da.area = L.rectangle(b, { color: "#1565c0", weight: 2, fillOpacity: 0.08, interactive: false }).addTo(da.map);
      }
    } else {
      var last = d.points[d.points.length - 1];
      var p1 = da.map.latLngToContainerPoint(last), p2 = da.map.latLngToContainerPoint(e.latlng);
      if (p1.distanceTo(p2) < 4) { return; }
      d.points.push(e.latlng);
      if (da.area) { da.area.setLatLngs(d.points); } else {
        da.area = L.polygon(d.points, { color: "#1565c0", weight: 2, fillOpacity: 0.08, interactive: false }).addTo(da.map);
      }
    }
  }

  function onUp() {
    var d = da.drawing;
    if (!d) { return; }
    da.drawing = null;
    var corners;
    if (d.mode === "rect") {
      if (d.points.length < 2) { return; }
      var b = L.latLngBounds(d.points[0], d.points[1]);
      corners = [[b.getSouth(), b.getWest()], [b.getSouth(), b.getEast()], [b.getNorth(), b.getEast()],
                 [b.getNorth(), b.getWest()]];
    } else {
      corners = [];
      for (var i = 0; i < d.points.length; i++) { corners.push([d.points[i].lat, d.points[i].lng]); }
    }
    da.startDraw(null);
    if (corners.length >= 3) { da.finish(corners); }
  }

  /* Send an area's corners ([[lat, lon], …], in the page's coordinates) to the window. */
  da.finish = function (corners) {
    if (da.map) {
      if (da.area) { da.map.removeLayer(da.area); }
      da.area = L.polygon(corners, { color: "#1565c0", weight: 2, fillOpacity: 0.08, interactive: false }).addTo(da.map);
    }
    da.sent += 1;
    var ds = window.doorstep;
    if (ds && ds.bridge && ds.bridge.areaDrawn) { ds.bridge.areaDrawn(JSON.stringify(corners)); }
  };

  da.clear = function () {
    if (da.area && da.map) { da.map.removeLayer(da.area); }
    da.area = null;
    da.startDraw(null);
  };
})();
