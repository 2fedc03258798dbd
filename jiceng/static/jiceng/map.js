/* Maps, with Leaflet served from node_modules (/static/vendor/leaflet/), declared with data- attributes
 * so the content-security policy can forbid inline scripts (jiceng/core/security.py):
 *
 *   <div data-map-picker data-lat-input="id_latitude" data-lng-input="id_longitude"
 *        data-tile-url="…{z}/{x}/{y}…" data-attribution="…" data-lat data-lng data-zoom>
 *       choosing a place: a click on the map or a dragged pin fills the two inputs, and typing in
 *       them moves the pin (the inputs are the source of truth: the form sends them).
 *   <div data-map-pins="ID" data-tile-url="…" …>   pins from the JSON in <script id="ID">
 *       (Django's json_script): [{number, title, status, lat, lng, url}], each with a popup linking
 *       to its request. Without a tile URL the pins are drawn on a blank canvas.
 *
 * Tiles come only from the city's tile server (the rule map.tile_url); nothing else is loaded.
 */
(function () {
  "use strict";

  var PRECISION = 6;

  function baseMap(element) {
    var tileUrl = element.dataset.tileUrl || "";
    var map = L.map(element, { attributionControl: Boolean(tileUrl), zoomSnap: 1 });
    if (tileUrl) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(tileUrl, { attribution: element.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  function startView(element) {
    var lat = Number(element.dataset.lat), lng = Number(element.dataset.lng), zoom = Number(element.dataset.zoom);
    return { centre: L.latLng(isFinite(lat) ? lat : 35, isFinite(lng) ? lng : 105), zoom: isFinite(zoom) ? zoom : 4 };
  }

  function readPoint(latInput, lngInput) {
    if (latInput.value.trim() === "" || lngInput.value.trim() === "") return null;
    var lat = Number(latInput.value), lng = Number(lngInput.value);
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
    return L.latLng(lat, lng);
  }

  function picker(element) {
    var latInput = document.getElementById(element.dataset.latInput);
    var lngInput = document.getElementById(element.dataset.lngInput);
    if (!latInput || !lngInput) return;
    var map = baseMap(element);
    var marker = null;

    function write(point) {
      latInput.value = point.lat.toFixed(PRECISION);
      lngInput.value = point.lng.toFixed(PRECISION);
      [latInput, lngInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }

    function place(point) {
      if (marker) {
        marker.setLatLng(point);
        return;
      }
      marker = L.marker(point, { draggable: true, autoPan: true, title: "选定的位置（可拖动）", alt: "选定的位置" });
      marker.on("dragend", function () {
        write(marker.getLatLng());
      });
      marker.addTo(map);
    }

    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener("input", function () {
        var point = readPoint(latInput, lngInput);
        if (point) {
          place(point);
          map.panTo(point, { animate: false });
        }
      });
    });

    var start = readPoint(latInput, lngInput);
    if (start) {
      map.setView(start, 16);
      place(start);
    } else {
      var view = startView(element);
      map.setView(view.centre, view.zoom);
    }
  }

  function popup(pin) {
    var box = document.createElement("div");
    box.className = "jc-map-popup";
    var link = document.createElement("a");
    link.href = pin.url;
    link.textContent = pin.number;
    var title = document.createElement("div");
    title.className = "jc-map-popup-title";
    title.textContent = pin.title;
    var status = document.createElement("span");
    status.className = "badge bg-blue-lt";
    status.textContent = pin.status;
    box.append(link, title, status);
    return box;
  }

  function pins(element) {
    var source = document.getElementById(element.dataset.mapPins);
    var list = source ? JSON.parse(source.textContent) : [];
    var map = baseMap(element);
    var group = L.featureGroup();
    list.forEach(function (pin) {
      L.marker([pin.lat, pin.lng], { title: pin.number + " " + pin.title, alt: pin.number })
        .bindPopup(popup(pin))
        .addTo(group);
    });
    group.addTo(map);
    if (list.length) {
      map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 16 });
    } else {
      var view = startView(element);
      map.setView(view.centre, view.zoom);
    }
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map-picker]").forEach(picker);
    document.querySelectorAll("[data-map-pins]").forEach(pins);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
