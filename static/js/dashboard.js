/* The dashboards' charts, drawn with the vendored Apache ECharts (static/vendor/echarts).
   Each chart's figures come from its element's data-chart attribute (households/dashboard.py,
   Chart.as_json); the same figures are in the table beside it, which stays for print and
   screen readers. Without JavaScript or ECharts the tables are what the page shows. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;

  var COLORS = ["#0f4c97", "#c0262d", "#b85c00", "#1f7a3d", "#6b4fa0", "#2a8fbd", "#8a6d3b", "#5f6b7a"];
  var FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  function options(spec, narrow) {
    var base = {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", confine: true },
      legend: { top: 0, type: "scroll" },
      animation: false
    };
    if (spec.kind === "pie") {
      base.series = [{
        type: "pie",
        radius: narrow ? ["30%", "58%"] : ["35%", "65%"],
        center: ["50%", "58%"],
        label: { formatter: "{b}\n{c}户" },
        data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    base.grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
    if (spec.horizontal) {
      category.inverse = true;
      base.xAxis = value;
      base.yAxis = category;
    } else {
      base.xAxis = category;
      base.yAxis = value;
    }
    base.series = spec.series.map(function (s) {
      var series = { name: s.name, type: spec.kind, data: s.data, barMaxWidth: 28 };
      if (s.stack) series.stack = s.stack;
      return series;
    });
    return base;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(options(spec, el.clientWidth < 480));
    charts.push(chart);
    // The chart is drawn: its table steps back behind a button (screen readers still read it).
    var panel = el.closest(".panel");
    if (!panel) return;
    panel.classList.add("has-chart");
    var button = panel.querySelector("[data-table-toggle]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = panel.classList.toggle("shows-table");
      button.textContent = shown ? "隐藏数据表" : "显示数据表";
      button.setAttribute("aria-expanded", shown ? "true" : "false");
    });
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
