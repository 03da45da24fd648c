// The bar chart of the last 7/30/90 days (Chart.js, only the parts used).

import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { formatDuration } from "./format";
import type { ChartSeries } from "./stats";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function drawBarChart(canvas: HTMLCanvasElement, series: ChartSeries, previous?: Chart): Chart {
  previous?.destroy();
  const fg = cssVar("--muted") || "#666";
  const grid = cssVar("--border") || "#ddd";
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: series.labels,
      datasets: [
        {
          label: "hours",
          data: series.hours,
          backgroundColor: cssVar("--accent") || "#2f6fde",
          borderRadius: 3,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { ticks: { color: fg, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { color: fg }, grid: { color: grid }, title: { display: true, text: "hours", color: fg } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => series.dates[items[0]?.dataIndex ?? 0] ?? "",
            label: (item) => formatDuration(series.seconds[item.dataIndex] ?? 0),
          },
        },
      },
    },
  });
}
