/* The dashboard's charts, drawn by Chart.js (static/vendor/chartjs) from the figures the page embeds
   as JSON (#dashboard-data, Django's json_script): nothing is fetched, nothing is evaluated. Each chart's
   figures are also in the table under it, for screen readers and for copying. */
(function () {
  "use strict";

  const palette = ["#417690", "#e08e0b", "#5b9b4a", "#b0413e", "#7b5ea7", "#2aa198", "#8c6d31"];
  const statusColors = { succeeded: "#5b9b4a", failed: "#b0413e", canceled: "#9e9e9e" };

  function colour(n) {
    return palette[n % palette.length];
  }

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") {
      return;
    }
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
    };
    config.options = Object.assign(options, config.options || {});
    new Chart(canvas, config);
  }

  function start() {
    const source = document.getElementById("dashboard-data");
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const orders = data.orders;

    // Order counts of different currencies can stand side by side (stacked); their money never adds.
    draw("chart-orders", {
      type: "bar",
      data: {
        labels: orders.days,
        datasets: orders.currencies.map((currency, n) => ({
          label: `Orders ${currency || "(no currency)"}`,
          data: orders.series[currency].orders,
          backgroundColor: colour(n),
          stack: "orders",
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });

    draw("chart-revenue", {
      type: "line",
      data: {
        labels: orders.days,
        datasets: orders.currencies.map((currency, n) => ({
          label: `Revenue ${currency || "(no currency)"}`,
          data: orders.series[currency].revenue,
          borderColor: colour(n),
          backgroundColor: colour(n),
          tension: 0.2,
          pointRadius: orders.days.length > 60 ? 0 : 2,
        })),
      },
      options: { scales: { y: { beginAtZero: true } } },
    });

    const customers = data.customers;
    draw("chart-customers", {
      type: "bar",
      data: {
        labels: customers.weeks,
        datasets: [
          { label: "Registered", data: customers.registered, backgroundColor: colour(0) },
          { label: "Guests", data: customers.guests, backgroundColor: colour(1) },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });

    const carts = data.carts;
    draw("chart-carts", {
      type: "bar",
      data: {
        labels: carts.statuses,
        datasets: carts.currencies.map((currency, n) => ({
          label: `Value ${currency || "(no currency)"}`,
          data: carts.series[currency].value,
          backgroundColor: colour(n),
        })),
      },
      options: { scales: { y: { beginAtZero: true } } },
    });

    const sync = data.sync;
    draw("chart-sync", {
      type: "bar",
      data: {
        labels: sync.days,
        datasets: [
          ...sync.statuses.map((status) => ({
            label: `${status.label} runs`,
            data: sync.runs[status.key],
            backgroundColor: statusColors[status.key] || colour(0),
            stack: "runs",
            yAxisID: "y",
          })),
          {
            type: "line",
            label: "Records quarantined",
            data: sync.quarantined,
            borderColor: "#e08e0b",
            backgroundColor: "#e08e0b",
            yAxisID: "quarantined",
            pointRadius: sync.days.length > 60 ? 0 : 2,
          },
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "runs" } },
          quarantined: {
            position: "right",
            beginAtZero: true,
            ticks: { precision: 0 },
            grid: { drawOnChartArea: false },
            title: { display: true, text: "records quarantined" },
          },
        },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
