// History: the bar chart of a range (the last 7/30/90 days, this week,
// last month, a custom range), per-repository, per-PR and per-weekday
// breakdowns with drill-down, and export.

import type { Chart } from "chart.js";
import { drawBarChart } from "../chart";
import { h } from "../dom";
import { formatDuration, formatShare, localDate, parseDate, prLabel } from "../format";
import { resolveRange, weekdayBreakdown, type RangeSpec } from "../ranges";
import { chartSeries, prBreakdown, rangeTotal, RANGES, repoBreakdown } from "../stats";
import type { Ctx } from "../state";

const PRESETS: { spec: RangeSpec; label: string; testid: string }[] = [
  ...RANGES.map((d) => ({ spec: { kind: "days", days: d } as RangeSpec, label: `${d} days`, testid: `range-${d}` })),
  { spec: { kind: "week" }, label: "This week", testid: "range-week" },
  { spec: { kind: "last-month" }, label: "Last month", testid: "range-last-month" },
];

function sameRange(a: RangeSpec, b: RangeSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function renderHistory(ctx: Ctx, previous: { chart?: Chart }): HTMLElement {
  const { state } = ctx;
  const tz = state.settings?.time_zone;
  const today = localDate(state.now, tz);
  const win = state.window ?? resolveRange(state.range, today);
  const series = chartSeries(state.stats?.days, win.days, win.last);

  const custom = state.range.kind === "custom";
  const ranges = h(
    "div",
    { class: "segmented", role: "group", "aria-label": "Range" },
    ...PRESETS.map((p) =>
      h(
        "button",
        {
          class: sameRange(p.spec, state.range) ? "on" : "",
          "aria-pressed": String(sameRange(p.spec, state.range)),
          "data-testid": p.testid,
          onclick: async () => {
            state.range = p.spec;
            await ctx.refresh();
          },
        },
        p.label,
      ),
    ),
    h("button", { class: custom ? "on" : "", "aria-pressed": String(custom), "data-testid": "range-custom", onclick: () => customRow.toggleAttribute("hidden") }, "Custom…"),
  );

  // A custom range: two days, both included; what was typed survives a refresh.
  const dayField = (label: string, testid: string, value: string, keep: (v: string) => void) => {
    const el = h("input", { type: "text", class: "day", inputmode: "numeric", size: 12, placeholder: "YYYY-MM-DD", "aria-label": label, "data-testid": testid, value });
    el.addEventListener("input", () => keep(el.value));
    return el;
  };
  const ui = state.ui;
  const firstIn = dayField("Range from", "custom-first", ui.customFirst || (custom ? win.first : ""), (v) => (ui.customFirst = v));
  const lastIn = dayField("Range until", "custom-last", ui.customLast || (custom ? win.last : ""), (v) => (ui.customLast = v));
  const customRow = h(
    "form",
    {
      class: "row",
      hidden: !custom,
      "data-testid": "custom-range",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const spec: RangeSpec = { kind: "custom", first: firstIn.value.trim(), last: lastIn.value.trim() };
        try {
          resolveRange(spec, today);
        } catch (e) {
          ctx.notify((e as Error).message, "error");
          return;
        }
        state.range = spec;
        await ctx.refresh();
      },
    },
    h("label", {}, "From ", firstIn),
    h("label", {}, "until ", lastIn),
    h("button", { type: "submit", "data-testid": "custom-apply" }, "Show"),
  );

  const crumbs = h(
    "div",
    { class: "crumbs" },
    h("button", { class: "link", disabled: state.repo === "", onclick: async () => ((state.repo = ""), await ctx.refresh()) }, "All repositories"),
    state.repo !== "" && h("span", {}, " › ", h("strong", { "data-testid": "drill-repo" }, state.repo)),
  );

  const canvas = h("canvas", { "aria-label": `Hours per day, ${win.label}`, role: "img" });
  const chartBox = h("div", { class: "chart" }, canvas);
  queueMicrotask(() => {
    previous.chart = drawBarChart(canvas, series, previous.chart);
  });

  const total = rangeTotal(series);
  const head = h(
    "section",
    { class: "card" },
    h("div", { class: "row spread" }, h("h2", {}, "History"), ranges),
    customRow,
    crumbs,
    h(
      "p",
      { class: "muted" },
      "Total: ",
      h("strong", { "data-testid": "range-total", "data-seconds": total }, formatDuration(total)),
      ` · ${win.label} (${win.first} to ${win.last})`,
    ),
    chartBox,
  );

  const repos = repoBreakdown(state.stats?.repos);
  const reposCard =
    state.repo === ""
      ? h(
          "section",
          { class: "card" },
          h("h2", {}, "Repositories"),
          repos.length === 0
            ? h("p", { class: "muted" }, "No time recorded in this range.")
            : h(
                "table",
                { "data-testid": "repos" },
                h("thead", {}, h("tr", {}, h("th", {}, "Repository"), h("th", { class: "num" }, "Time"), h("th", { class: "num" }, "Share"))),
                h(
                  "tbody",
                  {},
                  ...repos.map((r) =>
                    h(
                      "tr",
                      { "data-repo": r.item.repo, "data-seconds": r.seconds },
                      h(
                        "td",
                        {},
                        h("button", { class: "link", onclick: async () => ((state.repo = r.item.repo), await ctx.refresh()) }, r.item.repo),
                      ),
                      h("td", { class: "num" }, formatDuration(r.seconds)),
                      h("td", { class: "num" }, formatShare(r.percent)),
                    ),
                  ),
                ),
              ),
        )
      : null;

  const prs = prBreakdown(state.stats?.prs, state.stats?.repos, state.repo);
  const prsCard = h(
    "section",
    { class: "card" },
    h("h2", {}, "Pull requests"),
    prs.length === 0
      ? h("p", { class: "muted" }, "No time recorded in this range.")
      : h(
          "table",
          { "data-testid": "prs" },
          h("thead", {}, h("tr", {}, h("th", {}, "Pull request"), h("th", { class: "num" }, "Time"), h("th", { class: "num" }, "Share"))),
          h(
            "tbody",
            {},
            ...prs.map((p) =>
              h(
                "tr",
                { "data-pr": prLabel(p.item.repo, p.item.pr_number), "data-seconds": p.seconds },
                h(
                  "td",
                  {},
                  h(
                    "button",
                    {
                      class: "link",
                      title: "Show its sessions",
                      onclick: () => {
                        state.preset = { repo: p.item.repo, pr: p.item.pr_number };
                        ctx.go("sessions");
                      },
                    },
                    prLabel(p.item.repo, p.item.pr_number),
                  ),
                ),
                h("td", { class: "num" }, formatDuration(p.seconds)),
                h("td", { class: "num" }, formatShare(p.percent)),
              ),
            ),
          ),
        ),
  );

  const weekdays = weekdayBreakdown(state.stats?.days, win);
  const weekdayCard = h(
    "section",
    { class: "card" },
    h("h2", {}, "By weekday"),
    h(
      "table",
      { "data-testid": "weekdays" },
      h("thead", {}, h("tr", {}, h("th", {}, "Weekday"), h("th", { class: "num" }, "Time"), h("th", { class: "num" }, "Average per day"))),
      h(
        "tbody",
        {},
        ...weekdays.map((r) =>
          h(
            "tr",
            { "data-weekday": r.weekday, "data-seconds": r.seconds },
            h("td", {}, r.weekday),
            h("td", { class: "num" }, formatDuration(r.seconds)),
            h("td", { class: "num" }, r.days > 0 ? formatDuration(r.average) : "—"),
          ),
        ),
      ),
    ),
  );

  return h("div", { class: "view" }, head, reposCard, prsCard, weekdayCard, renderExport(ctx));
}

// Export: the sessions of the repository History is drilled into (all when
// none), between two optional days. The days are plain text fields with a
// placeholder saying what empty means: an empty date picker draws a grey
// date that reads like a value. The outcome and what was typed are kept in
// state.ui, so a refresh redraws them as they were.
function renderExport(ctx: Ctx): HTMLElement {
  const ui = ctx.state.ui;
  const repo = ctx.state.repo;
  const result = h("p", { class: "muted", "data-testid": "export-result" }, ui.exportNote?.text ?? "");
  if (ui.exportNote?.path) result.dataset.path = ui.exportNote.path;
  const field = (label: string, testid: string, placeholder: string, value: string, keep: (v: string) => void) => {
    const el = h("input", {
      type: "text",
      class: "day",
      inputmode: "numeric",
      size: 22,
      "aria-label": label,
      "data-testid": testid,
      placeholder,
      pattern: "\\d{4}-\\d{2}-\\d{2}",
      value,
    });
    el.addEventListener("input", () => keep(el.value));
    return el;
  };
  const since = field("From (YYYY-MM-DD)", "export-since", "YYYY-MM-DD · empty: first session", ui.exportSince, (v) => (ui.exportSince = v));
  const until = field("Until (YYYY-MM-DD, not included)", "export-until", "YYYY-MM-DD · empty: now", ui.exportUntil, (v) => (ui.exportUntil = v));
  const note = (text: string, path?: string) => {
    ui.exportNote = text === "" ? null : { text, path };
    result.textContent = text;
    if (path) result.dataset.path = path;
    else delete result.dataset.path;
  };
  const run = (format: string) => async () => {
    const from = since.value.trim();
    const to = until.value.trim();
    try {
      if (from !== "") parseDate(from);
      if (to !== "") parseDate(to);
    } catch (e) {
      note("");
      ctx.notify(`Export: ${(e as Error).message}`, "error");
      return;
    }
    note("Exporting…");
    try {
      const r = await ctx.backend.exportData(format, from, to, repo);
      if (r.path === "") note("Export cancelled.");
      else note(`Saved ${r.bytes} bytes to ${r.path}`, r.path);
    } catch (e) {
      note("");
      ctx.fail(e);
    }
  };
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Export"),
    h("p", { class: "muted", "data-testid": "export-scope" }, repo === "" ? "Sessions of every repository." : `Sessions of ${repo} only (History's drill-down).`),
    h(
      "div",
      { class: "row" },
      h("label", {}, "From ", since),
      h("label", {}, "until ", until),
      h("button", { "data-testid": "export-csv", onclick: run("csv") }, "Export CSV…"),
      h("button", { "data-testid": "export-json", onclick: run("json") }, "Export JSON…"),
    ),
    result,
  );
}
