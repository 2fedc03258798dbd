/* 大屏 (kiosk): draws the figures, the map or treemap, the ranking and the trend from the JSON the
 * page carries (<script id="kiosk-data" type="application/json">), then fetches the same JSON from
 * <body data-url> every data-refresh seconds and redraws, updating "数据更新于 HH:MM:SS".
 * ECharts with the canvas renderer; no inline script or style (CSP). */
(function () {
  "use strict";
  var charts = {};

  function text(el, value) { if (el) el.textContent = value; }

  function metricOf(data) {
    for (var i = 0; i < data.metrics.length; i++) if (data.metrics[i].key === data.rank) return data.metrics[i];
    return data.metrics[0];
  }

  // A count below the metric's min_cell arrives as the text "<3" (masked by the server): it is
  // printed as such and drawn as no value (no bar length, no point) that could tell the number.
  function masked(value) { return typeof value === "string"; }

  function shown(metric, value) {
    if (value === null || value === undefined || masked(value)) return null;
    return metric && metric.percent ? Math.round(value * 1000) / 10 : value;
  }

  function formatted(metric, value) {
    if (masked(value)) return value;
    var v = shown(metric, value);
    if (v === null) return "—";
    return metric.percent ? v.toFixed(1) + "%" : v.toLocaleString("zh-CN");
  }

  function drawFigures(data) {
    var box = document.querySelector("[data-kiosk-figures]");
    if (!box) return;
    box.textContent = "";
    data.figures.forEach(function (f) {
      var card = document.createElement("div"); card.className = "kiosk-card";
      var label = document.createElement("div"); label.className = "kiosk-label"; label.textContent = f.label;
      var value = document.createElement("div"); value.className = "kiosk-value"; value.dataset.metric = f.key; value.textContent = f.text;
      var unit = document.createElement("small"); unit.textContent = f.unit; value.appendChild(unit);
      card.appendChild(label); card.appendChild(value); box.appendChild(card);
    });
  }

  function drawRanking(data) {
    var list = document.querySelector("[data-kiosk-ranking]");
    var metric = metricOf(data);
    if (!list || !metric) return;
    text(document.querySelector("[data-kiosk-rank-label]"), "：" + metric.label);
    list.textContent = "";
    var top = 0;
    data.ranking.forEach(function (r) { if (!masked(r.value) && r.value > top) top = r.value; });
    data.ranking.forEach(function (r) {
      var li = document.createElement("li");
      var name = document.createElement("span"); name.className = "kiosk-rank-name"; name.textContent = r.name;
      var value = document.createElement("span"); value.className = "kiosk-rank-value"; value.textContent = formatted(metric, r.value);
      var bar = document.createElement("span"); bar.className = "kiosk-bar";
      bar.setAttribute("aria-hidden", "true");
      li.appendChild(name); li.appendChild(value); li.appendChild(bar);
      list.appendChild(li);
      // The bar's length is a CSS width set through the CSSOM (allowed by the CSP, unlike style="").
      bar.style.width = (top && !masked(r.value) ? Math.max(2, (r.value || 0) / top * 100) : 0) + "%";
    });
  }

  function drawToday(data) {
    if (!data.today) return;
    text(document.querySelector('[data-kiosk-today="received"]'), data.today.received.toLocaleString("zh-CN"));
    text(document.querySelector('[data-kiosk-today="closed"]'), data.today.closed.toLocaleString("zh-CN"));
  }

  function chart(name) {
    var el = document.querySelector('[data-kiosk-chart="' + name + '"]');
    if (!el) return null;
    if (!charts[name]) charts[name] = echarts.init(el, null, { renderer: "canvas" });
    return charts[name];
  }

  var AXIS = { axisLabel: { color: "#9fb8d9", fontSize: 14 }, axisLine: { lineStyle: { color: "#3a6db5" } }, splitLine: { lineStyle: { color: "#16417a" } } };

  function drawMap(data) {
    var c = chart("map");
    var metric = metricOf(data);
    if (!c) return;
    if (data.map.kind === "geo") {
      echarts.registerMap("kiosk-" + data.node.code, data.map.geojson);
      var values = {};
      data.children.forEach(function (r) { values[r.code] = r.figures[data.rank]; });
      var rows = data.map.geojson.features.map(function (f) {
        return { name: f.properties.name, value: shown(metric, values[f.properties.code]) };
      });
      var top = Math.max.apply(null, rows.map(function (r) { return r.value || 0; }).concat([1]));
      c.setOption({
        tooltip: { trigger: "item", renderMode: "richText" },
        visualMap: { min: 0, max: top, left: 8, bottom: 8, text: ["高", "低"], textStyle: { color: "#e6f0ff" }, inRange: { color: ["#123f7a", "#f5c542", "#c62828"] }, calculable: true },
        series: [{ type: "map", map: "kiosk-" + data.node.code, name: metric ? metric.label : "", data: rows, roam: false,
          label: { show: true, color: "#fff", fontSize: 14 }, itemStyle: { borderColor: "#7fd3ff", areaColor: "#123f7a" },
          emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#f5c542" } } }]
      }, true);
    } else {
      c.setOption({
        tooltip: { renderMode: "richText" },
        series: [{ type: "treemap", name: data.node.name, data: data.treemap, roam: false, nodeClick: false, breadcrumb: { show: false },
          leafDepth: 2, levels: [
            { itemStyle: { borderColor: "#061a3a", borderWidth: 4, gapWidth: 4 }, upperLabel: { show: false } },
            { colorSaturation: [0.35, 0.6], itemStyle: { borderColorSaturation: 0.7, gapWidth: 1, borderWidth: 1 } }
          ],
          label: { show: true, fontSize: 15, color: "#fff" }, upperLabel: { show: true, height: 26, color: "#fff", fontSize: 15 },
          color: ["#1e5aa8", "#b71c1c", "#00838f", "#6a1b9a", "#ef6c00", "#2e7d32", "#ad1457", "#283593"] }]
      }, true);
    }
  }

  function drawTrend(data) {
    var c = chart("trend");
    var metric = metricOf(data);
    if (!c || !metric) return;
    var key = data.trend.series[metric.key] ? metric.key : Object.keys(data.trend.series)[0];
    if (!key) return;
    for (var i = 0; i < data.metrics.length; i++) if (data.metrics[i].key === key) metric = data.metrics[i];
    c.setOption({
      grid: { left: 16, right: 24, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [metric.label], top: 0, right: 16, textStyle: { color: "#e6f0ff", fontSize: 14 } },
      xAxis: Object.assign({ type: "category", data: data.trend.months }, AXIS),
      yAxis: Object.assign({ type: "value" }, AXIS),
      series: [{ type: "line", name: metric.label, symbolSize: 8, lineStyle: { width: 3, color: "#4dd0e1" }, itemStyle: { color: "#4dd0e1" },
        areaStyle: { color: "rgba(77, 208, 225, 0.15)" }, data: data.trend.series[key].map(function (v) { return shown(metric, v); }) }]
    }, true);
  }

  function draw(data) {
    text(document.querySelector("[data-kiosk-node]"), data.node.name);
    text(document.querySelector("[data-kiosk-period]"), data.period.label);
    var stamp = document.querySelector("[data-kiosk-updated]");
    if (stamp) { stamp.textContent = data.updated_at; stamp.setAttribute("datetime", data.updated_iso); }
    drawFigures(data); drawRanking(data); drawToday(data);
    if (typeof echarts !== "undefined" && data.metrics.length) { drawMap(data); drawTrend(data); }
    document.body.dataset.kioskDrawn = data.updated_iso;
  }

  function refresh(url) {
    var error = document.querySelector("[data-kiosk-error]");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) throw new Error(result.body.detail || "数据暂时无法更新");
        if (error) error.hidden = true;
        draw(result.body);
      })
      .catch(function (err) {
        if (error) { error.textContent = "（" + (err && err.message ? err.message : "数据暂时无法更新") + "，显示的是上次的数据）"; error.hidden = false; }
      });
  }

  // A wall screen is not scrolled by hand: when the chosen figures do not fit their panel, the
  // panel scrolls down slowly, rests at the bottom, and starts again from the top.
  function autoScroll(panel) {
    if (!panel || (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches)) return;
    var rest = 0;
    setInterval(function () {
      if (panel.scrollHeight <= panel.clientHeight + 1) return;
      if (rest > 0) { rest -= 1; return; }
      if (panel.scrollTop + panel.clientHeight >= panel.scrollHeight - 1) {
        panel.scrollTop = 0;
        rest = 60;  // three seconds at the top
        return;
      }
      panel.scrollTop += 1;
      if (panel.scrollTop + panel.clientHeight >= panel.scrollHeight - 1) rest = 60;
    }, 50);
    panel.dataset.autoScroll = "1";
  }

  function start() {
    var source = document.getElementById("kiosk-data");
    if (!source) return;
    draw(JSON.parse(source.textContent));
    var body = document.body;
    var seconds = parseInt(body.dataset.refresh, 10) || 60;
    setInterval(function () { refresh(body.dataset.url); }, seconds * 1000);
    autoScroll(document.querySelector(".kiosk-figures"));
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
