/* Draws the dashboard's charts with the vendored ECharts (window.echarts, SVG renderer)
 * from the JSON data element #dashboard-data. Every text comes from the data (translated
 * by the server); this file holds none. Charts follow their container's size: on window
 * resize and, where the browser has it, through a ResizeObserver. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
  var charts = [];
  var COLORS = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"];

  function narrow() {
    return window.innerWidth < 600;
  }

  function base(extra) {
    var option = {
      color: COLORS,
      animationDuration: 400,
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", top: 0, left: "center" },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    };
    Object.keys(extra).forEach(function (key) {
      option[key] = extra[key];
    });
    return option;
  }

  function empty(values) {
    return !values || values.length === 0;
  }

  function noData() {
    return {
      title: {
        text: L.no_data,
        left: "center",
        top: "middle",
        textStyle: { color: "#9aa5b1", fontSize: 14, fontWeight: "normal" },
      },
    };
  }

  function stackedMonths(block, unit) {
    if (empty(block.months)) {
      return noData();
    }
    return base({
      xAxis: { type: "category", data: block.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: unit, minInterval: 1 },
      series: block.series.map(function (series) {
        return { name: series.name, type: "bar", stack: "total", data: series.data };
      }),
    });
  }

  function debtOption(debt) {
    if (empty(debt.years)) {
      return noData();
    }
    return base({
      tooltip: {
        trigger: "axis",
        confine: true,
        formatter: function (items) {
          var index = items.length ? items[0].dataIndex : 0;
          var lines = [debt.years[index] + " " + L.reported_at + debt.points[index]];
          items.forEach(function (item) {
            var value = item.value === null || item.value === undefined ? "—" : item.value;
            lines.push(item.marker + item.seriesName + " " + value);
          });
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: debt.years, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: L.hundred_million },
        { type: "value", name: L.percent, splitLine: { show: false } },
      ],
      series: [
        { name: L.limit, type: "bar", data: debt.limit },
        { name: L.balance, type: "bar", data: debt.balance },
        { name: L.debt_ratio, type: "line", yAxisIndex: 1, data: debt.debt_ratio },
        {
          name: L.debt_service_ratio,
          type: "line",
          yAxisIndex: 1,
          data: debt.debt_service_ratio,
        },
      ],
    });
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function consultationsOption(block) {
    if (empty(block.names)) {
      return noData();
    }
    var names = block.names.map(function (name, i) {
      return shorten(name, narrow() ? 10 : 18) + (block.open[i] ? L.open_now : "");
    });
    return base({
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: L.records, minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: narrow() ? 120 : 240, overflow: "truncate" } },
      series: [
        { name: L.received, type: "bar", data: block.received },
        { name: L.shown, type: "bar", data: block.shown },
      ],
    });
  }

  function scorecardsOption(block) {
    if (empty(block.departments)) {
      return noData();
    }
    return base({
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: L.records, minInterval: 1 },
      yAxis: { type: "category", data: block.departments },
      series: block.series.map(function (series) {
        return { name: series.name, type: "bar", stack: "total", data: series.data };
      }),
    });
  }

  var OPTIONS = {
    scorecards: function () {
      return scorecardsOption(data.scorecards.chart);
    },
    published: function () {
      return stackedMonths(data.published, L.records);
    },
    enforcement: function () {
      return stackedMonths(data.enforcement, L.records);
    },
    debt: function () {
      return debtOption(data.debt);
    },
    consultations: function () {
      return consultationsOption(data.consultations);
    },
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (element) {
    var build = OPTIONS[element.getAttribute("data-chart")];
    if (!build) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "svg", locale: locale });
    chart.setOption(build());
    charts.push({ chart: chart, build: build });
  });

  var wasNarrow = narrow();
  function resize() {
    var nowNarrow = narrow();
    charts.forEach(function (entry) {
      if (nowNarrow !== wasNarrow) {
        entry.chart.setOption(entry.build(), true);
      }
      entry.chart.resize();
    });
    wasNarrow = nowNarrow;
  }
  window.addEventListener("resize", resize);
  if (window.ResizeObserver) {
    var observer = new window.ResizeObserver(function () {
      charts.forEach(function (entry) {
        entry.chart.resize();
      });
    });
    charts.forEach(function (entry) {
      observer.observe(entry.chart.getDom());
    });
  }
})();
