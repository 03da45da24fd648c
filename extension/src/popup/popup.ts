/** The toolbar popup: today's total, the running pull request with a live timer, the companion's state. */

import type { PageRequest, PopupState } from "../messages.js";
import { elapsedSeconds, formatDuration, formatLocalTime, todayTotal } from "../lib/format.js";
import { formatPullRequest } from "../lib/prurl.js";
import { goalLines } from "../lib/goal.js";
import { dontTrackLabel, excludedNote } from "../lib/excluded.js";
import type { RuleScope } from "../lib/protocol.js";

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`popup: #${id} is missing`);
  return el;
};

let current: PopupState | null = null;
// Offset between the worker's clock and this page's, so the timer matches the worker.
let clockOffset = 0;

function ask<T>(req: PageRequest): Promise<T> {
  return chrome.runtime.sendMessage(req) as Promise<T>;
}

function render(): void {
  const s = current;
  if (s === null) return;
  const now = Date.now() + clockOffset;
  const c = s.connection;
  // Recording directly, the companion's absence is no news: the extension records itself.
  const direct = s.direct?.active ? s.direct : null;
  const badge = $("companion");
  badge.dataset.status = c.status;
  badge.textContent =
    c.status === "connected"
      ? `companion ${c.hello?.version ?? ""}`.trim()
      : c.status === "not_installed"
        ? "not installed"
        : c.status === "forbidden"
          ? "refused"
          : "connecting…";
  if (direct !== null) {
    badge.dataset.status = "direct";
    badge.textContent = "direct";
  }
  $("not-installed").hidden = c.status !== "not_installed" || direct !== null;
  $("forbidden").hidden = c.status !== "forbidden" || direct !== null;
  const daemonDown = c.status === "connected" && c.hello?.daemon_running === false;
  $("daemon-down").hidden = !daemonDown;
  $("ext-id").textContent = chrome.runtime.id;

  const today = $("today");
  if (direct !== null) {
    // The state's total counts the running session up to s.now.
    const total = direct.todaySeconds + (s.active !== null ? Math.max(0, Math.floor((now - s.now) / 1000)) : 0);
    today.dataset.seconds = String(total);
    today.dataset.from = direct.todayFrom;
    today.textContent = formatDuration(total) + (direct.todayFrom === "queue" ? " (offline)" : "");
  } else if (s.summary !== null) {
    const total = todayTotal(s.summary.today_seconds, s.active?.startedAt ?? null, now);
    today.dataset.seconds = String(total);
    today.textContent = formatDuration(total);
  } else {
    today.dataset.seconds = "";
    today.textContent = "–";
  }

  const active = $("active");
  const timer = $("active-timer");
  if (s.active !== null) {
    active.dataset.pr = formatPullRequest(s.active.pr);
    active.textContent = formatPullRequest(s.active.pr);
    const secs = elapsedSeconds(s.active.startedAt, now);
    timer.dataset.seconds = String(secs);
    timer.textContent = formatDuration(secs);
  } else {
    // On a pull request that is not being recorded, say why.
    const why =
      direct !== null
        ? s.paused
          ? "paused"
          : s.idle !== "active"
            ? "idle"
            : ""
        : c.status === "not_installed"
        ? "not recorded: the companion is not installed"
        : c.status === "forbidden"
          ? "not recorded: the companion refused this extension"
          : s.paused
            ? "paused"
            : s.excluded !== null
              ? "not recorded: excluded by your rules"
              : s.idle !== "active"
                ? "idle"
                : s.commandError !== ""
                  ? "not recorded: the companion refused it"
                  : c.status !== "connected"
                    ? "not recorded yet: connecting to the companion"
                    : "";
    active.dataset.pr = "";
    active.dataset.focused = s.focused === null ? "" : formatPullRequest(s.focused);
    active.textContent =
      s.focused !== null
        ? `${formatPullRequest(s.focused)} — ${why || "starting…"}`
        : s.paused
          ? "paused"
          : s.idle !== "active"
            ? "idle"
            : "not on a pull request";
    timer.dataset.seconds = "";
    timer.textContent = "";
  }
  $("paused-note").hidden = !s.paused;
  renderGoals(s, now);
  renderExcluded(s);
  $("pause").textContent = s.paused ? "Resume tracking" : "Pause tracking";

  const hello = c.hello;
  // Without the daemon the companion cannot know the sign-in, and sync waits for the daemon.
  $("signed-in").textContent =
    hello === null
      ? "–"
      : daemonDown
        ? "known once worktimed runs"
        : hello.signed_in
          ? `signed in as ${hello.user?.login ?? "?"}`
          : "not signed in (worktimed login)";
  let sync = "–";
  if (hello !== null && daemonDown) {
    sync = `waits for worktimed · ${hello.sync.pending} pending`;
  } else if (hello !== null) {
    const parts = [hello.sync.state ? hello.sync.state.replace(/_/g, " ") : "", `${hello.sync.pending} pending`].filter(Boolean);
    if (hello.sync.last_success_at) parts.push(`last sync ${formatLocalTime(hello.sync.last_success_at)}`);
    if (hello.sync.last_error) parts.push(`error: ${hello.sync.last_error}`);
    sync = parts.join(" · ");
  }
  if (direct !== null) {
    $("signed-in").textContent = direct.account === null ? "not signed in" : `${direct.account.login} on ${direct.account.server}`;
    sync = [`${direct.pending} pending`, direct.lastError ? `error: ${direct.lastError}` : ""].filter(Boolean).join(" · ");
  }
  $("sync").textContent = sync;
  $("sync").dataset.pending = direct === null ? "" : String(direct.pending);

  const err = $("error");
  const msg =
    direct !== null
      ? ""
      : s.summaryError ||
    (s.commandError !== "" ? s.commandError : "") ||
    ((c.status === "disconnected" || c.status === "connecting") && c.lastError ? `companion: ${c.lastError}` : "");
  err.hidden = msg === "";
  err.textContent = msg;
}

/** renderGoals shows the progress towards the daily and weekly goals, when set. */
function renderGoals(s: PopupState, now: number): void {
  const lines = s.summary === null ? [] : goalLines(s.summary, s.active?.startedAt ?? null, now);
  $("goals").hidden = lines.length === 0;
  for (const period of ["today", "week"] as const) {
    const el = $(`goal-${period}`);
    const l = lines.find((x) => x.period === period);
    el.hidden = l === undefined;
    if (l === undefined) continue;
    el.dataset.seconds = String(l.done);
    el.dataset.goal = String(l.goal);
    el.dataset.reached = String(l.done >= l.goal);
    el.querySelector(".goal-text")!.textContent = l.text;
    (el.querySelector("progress") as HTMLProgressElement).value = l.fraction;
  }
}

/** renderExcluded says that the focused pull request's repository is excluded, or offers to exclude it. */
function renderExcluded(s: PopupState): void {
  const pr = s.focused;
  const ex = pr === null ? null : s.excluded;
  $("excluded").hidden = ex === null;
  if (pr !== null && ex !== null) {
    const note = excludedNote(pr, ex);
    $("excluded-title").textContent = note.title;
    $("excluded-why").textContent = note.why;
    $("excluded-undo").textContent = note.undo;
  }
  const offer = pr !== null && ex === null && s.connection.status === "connected";
  $("dont-track").hidden = !offer;
  if (offer) {
    $("dont-track-repo").textContent = dontTrackLabel(pr, "repo");
    $("dont-track-org").textContent = dontTrackLabel(pr, "org");
  }
}

async function dontTrack(scope: RuleScope): Promise<void> {
  const r = await ask<{ tracked?: boolean; error?: string }>({ type: "rules.add", scope });
  if (r.error !== undefined) throw new Error(r.error);
  await refresh();
}

for (const scope of ["repo", "org"] as const) {
  $(`dont-track-${scope}`).addEventListener("click", () => {
    dontTrack(scope).catch((e: unknown) => {
      $("error").hidden = false;
      $("error").textContent = `don't track: ${e instanceof Error ? e.message : String(e)}`;
    });
  });
}

async function refresh(): Promise<void> {
  const s = await ask<PopupState & { error?: string }>({ type: "popup.state" });
  if (s.error !== undefined) throw new Error(s.error);
  clockOffset = s.now - Date.now();
  current = s;
  render();
  document.body.dataset.ready = "true";
}

$("retry").addEventListener("click", () => {
  void ask({ type: "reconnect" }).then(() => setTimeout(() => void refresh(), 500));
});
$("pause").addEventListener("click", () => {
  const paused = !(current?.paused ?? false);
  void chrome.storage.local.set({ paused }).then(() => refresh());
});

// Tell the worker while the popup is open (it looks at focus again when it closes).
chrome.runtime.connect({ name: "popup" });

refresh().catch((e: unknown) => {
  $("error").hidden = false;
  $("error").textContent = String(e);
});
setInterval(render, 1000);
setInterval(() => void refresh().catch(() => {}), 10_000);
