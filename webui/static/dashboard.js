/*
 * The city dashboard's charts. Each <div class="chart" data-chart="…" data-values="JSON">
 * gets an ECharts chart (echarts.min.js from static/build, copied from npm by `make assets`).
 * The figures are also in tables on the page, so the charts add a picture, not information.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';
  var BLUES = ["#1f4e8c", "#4f7cba", "#86a8d6", "#f0a500", "#b3261e", "#1e7b34", "#7a5200", "#5b6573"];

  function yuan(fen) {
    return (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function budget(values) {
    return {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return window.diagflowText("yuan", "{amount} 元", { amount: yuan(v) }); } },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return window.diagflowText("ten_thousand", "{amount} 万", { amount: (v / 1000000).toLocaleString("zh-CN") }); } } },
      yAxis: { type: "category", data: [window.diagflowText("paid", "已拨付"), window.diagflowText("planned", "已列入计划"), window.diagflowText("budget", "年度预算")] },
      series: [{ type: "bar", data: [values.paid_fen, values.planned_fen, values.budget_fen], barWidth: "50%",
        itemStyle: { color: function (p) { return BLUES[p.dataIndex]; } } }]
    };
  }

  /* Category labels take at most 40% of the chart, so bars stay readable at phone width. */
  function labelWidth(element) {
    return Math.min(220, Math.round(element.clientWidth * 0.4));
  }

  function stageDays(values, element) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: values.map(function (s) { return s.stage; }),
        axisLabel: { width: labelWidth(element), overflow: "truncate" } },
      series: [{ type: "bar", data: values.map(function (s) { return s.average_days; }), itemStyle: { color: BLUES[1] } }]
    };
  }

  function pipeline(values, element) {
    return {
      color: BLUES,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: values.stages, axisLabel: { width: labelWidth(element), overflow: "truncate" } },
      series: values.series.map(function (s) {
        return { name: s.district, type: "bar", stack: "total", data: s.counts };
      })
    };
  }

  var BUILDERS = { budget: budget, stage_days: stageDays, pipeline: pipeline };

  function init() {
    if (!window.echarts) {
      return;
    }
    var charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (element) {
      var build = BUILDERS[element.dataset.chart];
      if (!build) {
        return;
      }
      var chart = window.echarts.init(element);
      var option = build(JSON.parse(element.dataset.values), element);
      option.textStyle = { fontFamily: FONT };
      option.animation = false;
      chart.setOption(option);
      element.classList.add("chart-ready");
      charts.push({ chart: chart, element: element });
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (entry) {
        entry.chart.setOption({ yAxis: { axisLabel: { width: labelWidth(entry.element) } } });
        entry.chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
