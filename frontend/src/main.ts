// The dashboard's shell: navigation, the refresh loop and the live clock.

import type { Chart } from "chart.js";
import "./style.css";
import { backend, onEvent, toBackendError } from "./backend";
import { clear, h } from "./dom";
import { addDays, formatDuration, localDate } from "./format";
import { resolveRange, weekStart, type Window } from "./ranges";
import { recentPRs } from "./filters";
import { initialUI, type Ctx, type State, type ViewName } from "./state";
import { todayTotal } from "./stats";
import { ChangedEvent, CodeDaemonUnavailable } from "./types";
import { renderDown } from "./views/down";
import { renderHistory } from "./views/history";
import { renderSessions } from "./views/sessions";
import { renderSettings } from "./views/settings";
import { renderSync, type LoginFlow } from "./views/sync";
import { renderToday, tickToday } from "./views/today";

const REFRESH_MS = 15_000;

const VIEWS: [ViewName, string][] = [
  ["today", "Today"],
  ["history", "History"],
  ["sessions", "Sessions"],
  ["sync", "Sync"],
  ["settings", "Settings"],
];

const root = document.getElementById("app")!;
const state: State = {
  status: null,
  stats: null,
  overall: null,
  settings: null,
  range: { kind: "days", days: 7 },
  window: null,
  repo: "",
  down: null,
  preset: null,
  now: new Date(),
  recent: [],
  week: null,
  ui: initialUI(),
};
let view: ViewName = "today";
const chartHolder: { chart?: Chart } = {};
const loginFlow: LoginFlow = {};

const nav = h("nav", { "aria-label": "Views" });
const summary = h("div", { class: "summary", "data-testid": "header-total" });
const main = h("main", {});
const toasts = h("div", { class: "toasts", role: "status" });
root.append(h("header", {}, h("div", { class: "brand" }, "worktime"), nav, summary), main, toasts);

const ctx: Ctx = {
  backend,
  state,
  refresh,
  notify(message, kind = "info") {
    const t = h("div", { class: `toast ${kind}`, "data-testid": `toast-${kind}` }, message, h("button", { class: "link", "aria-label": "Dismiss", onclick: () => t.remove() }, "×"));
    toasts.append(t);
    if (kind === "info") setTimeout(() => t.remove(), 4000);
  },
  fail(e) {
    const err = toBackendError(e);
    if (err.code === CodeDaemonUnavailable) {
      state.down = err;
      render();
      return;
    }
    ctx.notify(err.message, "error");
  },
  go(v) {
    view = v;
    render();
  },
};

async function refresh(): Promise<void> {
  await reload();
  render();
}

// What the screen was last drawn from: a background refresh that brings
// the same data redraws nothing, so nothing the user looks at moves or
// closes.
let drawn = "";
let refreshes = 0;

function fingerprint(): string {
  return JSON.stringify([view, state.down?.message ?? null, state.status, state.stats, state.overall, state.settings, state.range, state.repo, state.recent, state.week]);
}

/**
 * Reloads in the background. It redraws only when the data changed, and
 * then only the views that show nothing typed by the user; what they
 * typed, opened or were told (state.ui) is drawn again as it was.
 */
async function backgroundRefresh(): Promise<void> {
  const wasDown = state.down !== null;
  await reload();
  const el = document.activeElement;
  const typing = el !== null && main.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  const changed = fingerprint() !== drawn;
  if (wasDown !== (state.down !== null) || (changed && !typing && (view === "today" || view === "history" || view === "sync"))) render();
  else updateSummary();
  // Tests wait on this to know a background refresh has happened.
  document.body.dataset.refreshes = String(++refreshes);
}

async function reload(): Promise<void> {
  state.now = new Date();
  try {
    if (!state.settings) state.settings = await backend.settings();
    const repo = state.repo;
    const today = localDate(state.now, state.settings?.time_zone);
    let win: Window;
    try {
      win = resolveRange(state.range, today);
    } catch {
      // A custom range that no longer fits (the day changed): back to a week.
      state.range = { kind: "days", days: 7 };
      win = resolveRange(state.range, today);
    }
    const monday = weekStart(today);
    const [status, stats, overall, thisWeek, lastWeek] = await Promise.all([
      backend.status(),
      backend.statsWindow(win.first, win.last, repo),
      repo === "" ? null : backend.statsWindow(win.first, win.last, ""),
      backend.statsWindow(monday, today, ""),
      backend.statsWindow(addDays(monday, -7), addDays(monday, -1), ""),
    ]);
    state.status = status;
    state.stats = stats;
    state.overall = overall ?? stats;
    state.window = win;
    state.week = { thisWeek, lastWeek };
    state.down = null;
    state.recent = recentPRs((await backend.sessions({ repo: "", since: "", status: "", limit: 50, offset: 0, pr: 0, count: false })).sessions);
  } catch (e) {
    const err = toBackendError(e);
    if (err.code === CodeDaemonUnavailable || err.code === "no_bindings") state.down = err;
    else ctx.notify(err.message, "error");
  }
}

function render(): void {
  drawn = fingerprint();
  chartHolder.chart?.destroy();
  chartHolder.chart = undefined;
  clear(nav);
  for (const [name, label] of VIEWS) {
    nav.append(
      h(
        "button",
        {
          class: name === view ? "on" : "",
          "aria-current": name === view ? "page" : undefined,
          "data-view": name,
          title: `${label} (Alt+${VIEWS.findIndex(([n]) => n === name) + 1})`,
          onclick: () => ctx.go(name),
        },
        label,
      ),
    );
  }
  updateSummary();
  if (state.down) {
    main.replaceChildren(renderDown(ctx));
    return;
  }
  if (!state.stats) {
    main.replaceChildren(h("p", { class: "muted center" }, "Loading…"));
    return;
  }
  let el: HTMLElement;
  switch (view) {
    case "today":
      el = renderToday(ctx);
      break;
    case "history":
      el = renderHistory(ctx, chartHolder);
      break;
    case "sessions":
      el = renderSessions(ctx);
      break;
    case "sync":
      el = renderSync(ctx, loginFlow);
      break;
    case "settings":
      el = renderSettings(ctx);
      break;
  }
  main.replaceChildren(el);
}

function updateSummary(): void {
  if (state.down || !state.overall) {
    summary.textContent = "";
    return;
  }
  const total = todayTotal(state.overall, state.status?.active, state.now, state.settings?.time_zone);
  summary.textContent = `Today ${formatDuration(total)}${state.status?.active ? " · tracking" : ""}`;
}

setInterval(() => {
  state.now = new Date();
  if (view === "today" && !state.down) tickToday(main, ctx);
  updateSummary();
}, 1000);
setInterval(() => void backgroundRefresh(), REFRESH_MS);
// Alt+1 … Alt+5 open the views in the order of the navigation.
document.addEventListener("keydown", (ev) => {
  if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const i = Number(ev.key) - 1;
  if (Number.isInteger(i) && i >= 0 && i < VIEWS.length) {
    ev.preventDefault();
    ctx.go(VIEWS[i][0]);
  }
});
onEvent(ChangedEvent, () => void backgroundRefresh());
void refresh();
// On a desktop without a tray, closing the window quits: said once.
backend.trayNotice().then(
  (msg) => msg && ctx.notify(msg, "notice"),
  () => {},
);
