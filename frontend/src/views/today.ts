// Today: the total, the goals' progress, the running pull request with a
// live timer, start/stop, the weekly summary and the top pull requests.

import { openURL } from "../backend";
import { h } from "../dom";
import { formatClock, formatDateTime, formatDuration, prLabel } from "../format";
import { parsePRRef, prURL } from "../filters";
import { goalProgress, weeklySummary } from "../ranges";
import { activeElapsed, todayTotal } from "../stats";
import type { Ctx } from "../state";

export function renderToday(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const active = state.status?.active ?? null;
  const tz = state.settings?.time_zone;
  const total = state.overall ? todayTotal(state.overall, active, state.now, tz) : 0;

  const totalEl = h("div", { class: "big", "data-testid": "today-total", "data-seconds": total }, formatDuration(total));
  const card = h("section", { class: "card today" }, h("h2", {}, "Today"), totalEl, renderGoals(ctx, total));

  if (active) {
    const label = prLabel(`${active.repo_owner}/${active.repo_name}`, active.pr_number);
    card.append(
      h(
        "div",
        { class: "active" },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { "data-testid": "active-pr" }, label),
        h("span", { class: "timer", "data-testid": "active-timer", "data-start": active.start_time }, formatClock(activeElapsed(active, state.now))),
      ),
      h("div", { class: "muted" }, `since ${formatDateTime(active.start_time, tz)}`),
      h(
        "button",
        {
          class: "danger",
          "data-testid": "stop",
          onclick: async (ev: Event) => {
            (ev.currentTarget as HTMLButtonElement).disabled = true;
            try {
              const s = await ctx.backend.stopTracking();
              ctx.notify(`Stopped ${prLabel(`${s.repo_owner}/${s.repo_name}`, s.pr_number)} after ${formatDuration(s.duration_seconds)}`);
            } catch (e) {
              ctx.fail(e);
            }
            await ctx.refresh();
          },
        },
        "Stop tracking",
      ),
    );
  } else {
    // Offers the pull requests of the latest sessions, the last one first
    // (as the tray does); what the user typed survives a refresh.
    const input = h("input", {
      type: "text",
      id: "start-pr",
      "data-testid": "start-pr",
      placeholder: "owner/repo#123 or a pull request URL",
      "aria-label": "Pull request to track",
      list: "recent-prs",
      autocomplete: "off",
      value: state.ui.startDraft ?? state.recent[0] ?? "",
    });
    // An emptied field is untouched again: the next redraw offers the last pull request.
    input.addEventListener("input", () => {
      state.ui.startDraft = input.value === "" ? null : input.value;
    });
    const recentList = h("datalist", { id: "recent-prs", "data-testid": "recent-prs" }, ...state.recent.map((p) => h("option", { value: p })));
    const form = h(
      "form",
      {
        class: "row",
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          let ref;
          try {
            ref = parsePRRef(input.value);
          } catch (e) {
            ctx.notify((e as Error).message, "error");
            return;
          }
          try {
            await ctx.backend.startTracking(ref.repo_owner, ref.repo_name, ref.pr_number);
            state.ui.startDraft = null;
          } catch (e) {
            ctx.fail(e);
          }
          await ctx.refresh();
        },
      },
      input,
      recentList,
      h("button", { type: "submit", class: "primary", "data-testid": "start" }, "Start tracking"),
    );
    card.append(h("div", { class: "muted", "data-testid": "no-active" }, "Not tracking anything right now."), form);
  }

  const top = (state.overall?.prs ?? []).slice().sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  const recent = h(
    "section",
    { class: "card" },
    h("h2", {}, `Top pull requests, ${state.window?.label ?? "this range"}`),
    top.length === 0
      ? h("p", { class: "muted" }, "No time recorded yet.")
      : h(
          "table",
          {},
          h(
            "tbody",
            {},
            ...top.map((p) =>
              h(
                "tr",
                { "data-pr": prLabel(p.repo, p.pr_number) },
                h(
                  "td",
                  {},
                  h(
                    "a",
                    {
                      href: prURL(p.repo, p.pr_number),
                      title: "Open the pull request on GitHub",
                      onclick: (ev: Event) => {
                        ev.preventDefault();
                        openURL(prURL(p.repo, p.pr_number));
                      },
                    },
                    prLabel(p.repo, p.pr_number),
                  ),
                ),
                h("td", { class: "num" }, formatDuration(p.seconds)),
              ),
            ),
          ),
        ),
  );
  return h("div", { class: "view single" }, card, renderWeek(ctx), recent);
}

// renderGoals shows the progress towards the goals set in Settings.
function renderGoals(ctx: Ctx, today: number): HTMLElement | null {
  const s = ctx.state.settings;
  const week = ctx.state.overall ? ctx.state.overall.week_seconds + (today - ctx.state.overall.today_seconds) : 0;
  const rows = [
    ["today", goalProgress(today, s?.daily_goal_seconds)],
    ["this week", goalProgress(week, s?.weekly_goal_seconds)],
  ] as const;
  const shown = rows.filter(([, g]) => g !== null);
  if (shown.length === 0) return null;
  return h(
    "div",
    { class: "goals", "data-testid": "goals" },
    ...shown.map(([when, g]) =>
      h(
        "div",
        { class: "goal", "data-testid": `goal-${when === "today" ? "day" : "week"}`, "data-percent": g!.percent.toFixed(1) },
        h("span", {}, `Goal ${when}: ${g!.text}`),
        h("progress", { max: 100, value: Math.min(100, g!.percent), "aria-label": `Goal ${when}` }),
      ),
    ),
  );
}

// renderWeek is the weekly summary: this week so far against last week.
function renderWeek(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const w = state.week;
  const running = state.overall ? todayTotal(state.overall, state.status?.active, state.now, state.settings?.time_zone) - state.overall.today_seconds : 0;
  const summary = weeklySummary(w?.thisWeek ?? null, w?.lastWeek ?? null, running);
  return h(
    "section",
    { class: "card", "data-testid": "week-summary", "data-seconds": summary.total },
    h("h2", {}, `This week${w ? ` (from ${w.thisWeek.week_start})` : ""}`),
    h("ul", { class: "plain" }, ...summary.text.map((t) => h("li", {}, t))),
  );
}

/** Updates the live parts of the Today view in place, once a second. */
export function tickToday(root: HTMLElement, ctx: Ctx): void {
  const timer = root.querySelector<HTMLElement>("[data-testid=active-timer]");
  const active = ctx.state.status?.active;
  if (timer && active) timer.textContent = formatClock(activeElapsed(active, ctx.state.now));
  const total = root.querySelector<HTMLElement>("[data-testid=today-total]");
  if (total && ctx.state.overall) {
    const secs = todayTotal(ctx.state.overall, active, ctx.state.now, ctx.state.settings?.time_zone);
    total.dataset.seconds = String(secs);
    total.textContent = formatDuration(secs);
  }
}
