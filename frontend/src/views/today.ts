// Today: the total, the running pull request with a live timer, start/stop.

import { openURL } from "../backend";
import { h } from "../dom";
import { formatClock, formatDateTime, formatDuration, prLabel } from "../format";
import { parsePRRef, prURL } from "../filters";
import { activeElapsed, todayTotal } from "../stats";
import type { Ctx } from "../state";

export function renderToday(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const active = state.status?.active ?? null;
  const tz = state.settings?.time_zone;
  const total = state.overall ? todayTotal(state.overall, active, state.now, tz) : 0;

  const totalEl = h("div", { class: "big", "data-testid": "today-total", "data-seconds": total }, formatDuration(total));
  const card = h("section", { class: "card today" }, h("h2", {}, "Today"), totalEl);

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
    input.addEventListener("input", () => {
      state.ui.startDraft = input.value;
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
    h("h2", {}, `Top pull requests, last ${state.range} days`),
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
  return h("div", { class: "view single" }, card, recent);
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
