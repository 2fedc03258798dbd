/* Dashboard charts with ECharts served from node_modules (/static/vendor/echarts/), declared with
 * data- attributes so the content-security policy can forbid inline scripts:
 *
 *   <div data-chart="children" data-source="ID">  the children of the node ranked by the chosen
 *       metric (a bar each); a click on a bar opens that child's dashboard (drill down), keeping
 *       the period and the metric; the breadcrumb leads back up.
 *   <div data-chart="trend" data-source="ID">     the chosen metric month by month (12 months).
 *
 * ID names the <script type="application/json"> that Django's json_script wrote: the same JSON as
 * /api/v1/metrics/figures/ plus each child's url.
 */
(function () {
  "use strict";

  function metricOf(data) {
    for (var i = 0; i < data.metrics.length; i++) {
      if (data.metrics[i].key === data.rank) return data.metrics[i];
    }
    return data.metrics[0];
  }

  function shown(metric, value) {
    if (value === null || value === undefined) return null;
    return metric.percent ? Math.round(value * 1000) / 10 : value;
  }

  function axisName(metric) {
    return metric.percent ? metric.label + "（%）" : metric.label + "（" + metric.unit + "）";
  }

  function childrenChart(element, data) {
    var metric = metricOf(data);
    var rows = data.children.slice(0, 30);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: axisName(metric), nameTextStyle: { align: "left" } },
      series: [{ type: "bar", name: metric.label, data: rows.map(function (r) { return shown(metric, r.figures[metric.key]); }), cursor: "pointer" }],
    });
    chart.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
    return chart;
  }

  function trendChart(element, data) {
    var metric = metricOf(data);
    var key = data.trend.series[metric.key] ? metric.key : Object.keys(data.trend.series)[0];
    for (var i = 0; i < data.metrics.length; i++) if (data.metrics[i].key === key) metric = data.metrics[i];
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: data.trend.months },
      yAxis: { type: "value", name: axisName(metric), nameTextStyle: { align: "left" } },
      series: [{ type: "line", name: metric.label, data: data.trend.series[key].map(function (v) { return shown(metric, v); }) }],
    });
    return chart;
  }

  function start() {
    if (typeof echarts === "undefined") return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (!data.metrics.length) return;
      charts.push(element.dataset.chart === "trend" ? trendChart(element, data) : childrenChart(element, data));
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  // 指标设置: a group's "select all" box ticks or clears its metrics, and shows whether all,
  // none or some of them are ticked.
  function chooser() {
    document.querySelectorAll("[data-choice-group]").forEach(function (group) {
      var all = group.querySelector("[data-choice-all]");
      var boxes = group.querySelectorAll('input[name="metric"]');
      if (!all) return;
      function sync() {
        var ticked = 0;
        boxes.forEach(function (b) { if (b.checked) ticked++; });
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        sync();
      });
      boxes.forEach(function (b) { b.addEventListener("change", sync); });
      sync();
    });
  }

  function ready() { chooser(); start(); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
