/**
 * The background service worker: it watches the focused tab and window and
 * the idle state, feeds them to the tracker state machine and sends the
 * resulting session commands to the companion over one native port.
 */

import { NativeConnection } from "./connection.js";
import { DirectSync } from "./direct.js";
import { KEYS, type Mode, hasAccount, readMode } from "./lib/account.js";
import type { PageRequest, PopupState } from "./messages.js";
import { type RuleReply, type RuleScope, type StatsSummary, RemoteError, commandRequest, rulesRequest } from "./lib/protocol.js";
import { type Badge, ICON_PATHS, badgeFor } from "./lib/badge.js";
import { attentionUrl } from "./lib/focus.js";
import { type PullRequest, parsePullRequestURL } from "./lib/prurl.js";
import { readSettings } from "./lib/settings.js";
import {
  type Command,
  FOCUS_LOSS_GRACE_MS,
  type IdleState,
  type TrackerEvent,
  type TrackerState,
  excludedReason,
  initialState,
  step,
} from "./lib/tracker.js";
import { newSessionId } from "./lib/uuid.js";

const TICK_MS = 15_000;

let state: TrackerState = initialState();
// Every event goes through this chain so that the async focus queries and the
// tracker steps happen one at a time, in order.
let chain: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void> | void): Promise<void> {
  const next = chain.then(task).catch((e: unknown) => console.error("worktime:", e));
  chain = next;
  return next;
}

function dispatch(ev: TrackerEvent): Promise<void> {
  return enqueue(() => apply(ev));
}

// Shifted only through the debug hook below, so that a test can let a minute
// pass without waiting for it.
let clockOffsetMs = 0;
const now = (): number => Date.now() + clockOffsetMs;

function apply(ev: TrackerEvent): void {
  const r = step(state, ev, now(), newSessionId);
  state = r.state;
  for (const c of r.commands) send(c);
  for (const pr of r.checks) void checkRules(pr).catch((e: unknown) => console.warn("worktime: rules.check:", e));
  updateBadge();
}

/**
 * checkRules asks the companion what the rules decide for pr's repository
 * (read from config.toml on this computer; nothing is recorded or sent)
 * and tells the tracker.
 */
async function checkRules(pr: PullRequest): Promise<RuleReply> {
  const r = (await connection.request(rulesRequest(pr))) as unknown as RuleReply;
  await dispatch({ type: "rules", pr, tracked: r.tracked, reason: r.reason });
  return r;
}

/** addRule is the popup's "don't track": a rule for the focused pull request's repository or organisation. */
async function addRule(scope: RuleScope): Promise<RuleReply> {
  await chain;
  const pr = parsePullRequestURL(state.focusedUrl);
  if (pr === null) throw new Error("not on a pull request");
  const r = (await connection.request(rulesRequest(pr, { action: "dont_track", scope }))) as unknown as RuleReply;
  await dispatch({ type: "rules", pr, tracked: r.tracked, reason: r.reason });
  return r;
}

// Why the companion refused the last command; cleared by the next one it accepts.
let commandError = "";

function send(c: Command): void {
  if (sink === "direct") {
    direct.record(c).catch((e: unknown) => console.error(`worktime: queue ${c.type} ${c.sessionId}:`, e));
    return;
  }
  connection.request(commandRequest(c)).then(
    () => {
      if (commandError === "") return;
      commandError = "";
      updateBadge();
    },
    (err: unknown) => {
      console.warn(`worktime: ${c.type} ${c.sessionId}:`, err);
      if (err instanceof RemoteError && err.code === "excluded" && c.type === "session.start") {
        // The rules keep this repository out: nothing was recorded, and
        // the badge and popup say so instead of an error.
        void dispatch({ type: "rejected", sessionId: c.sessionId, command: c.type, code: err.code, message: err.remoteMessage });
        // Once per refusal (never retried): the rule's own words for the badge and popup.
        void checkRules(c.pr).catch((e: unknown) => console.warn("worktime: rules.check:", e));
      } else if (err instanceof RemoteError) {
        commandError = `the companion refused to record: ${err.message}`;
        if (c.type !== "session.end") void dispatch({ type: "rejected", sessionId: c.sessionId, command: c.type });
        else updateBadge();
      }
    },
  );
}

let badge: Badge | null = null;

/** focusedExcluded is why the focused pull request's repository is excluded, or null. */
function focusedExcluded(): string | null {
  const pr = parsePullRequestURL(state.focusedUrl);
  return pr === null ? null : excludedReason(state, pr);
}

/** updateBadge shows the state on the toolbar icon (docs/extension.md lists them). */
function updateBadge(): void {
  const c = connection.state;
  // In direct mode the companion's absence is not an error: the extension records itself.
  const viaDirect = sink === "direct";
  const next = badgeFor({
    connection: viaDirect ? "connected" : c.status,
    // A failed connection stays an error while it is retried, until a hello succeeds.
    error: viaDirect ? "" : commandError || (c.status === "disconnected" || c.status === "connecting" ? c.lastError : ""),
    paused: state.paused,
    idle: state.idle,
    tracking: state.tracking,
    focusedUrl: state.focusedUrl,
    excluded: focusedExcluded(),
    now: now(),
  });
  const prev = badge;
  badge = next;
  if (prev?.text !== next.text) void chrome.action.setBadgeText({ text: next.text });
  if (prev?.color !== next.color) {
    void chrome.action.setBadgeBackgroundColor({ color: next.color });
    void chrome.action.setBadgeTextColor({ color: "#ffffff" });
  }
  if (prev?.title !== next.title) void chrome.action.setTitle({ title: next.title });
  if (prev?.icon !== next.icon) {
    chrome.action.setIcon({ path: ICON_PATHS[next.icon] }).catch((e: unknown) => console.error("worktime: setIcon:", e));
  }
}

const connection = new NativeConnection(
  {
    onConnected: () => void reroute(),
    onDisconnected: () => {
      // The companion ended the port's session; a reconnect must start a new one.
      void enqueue(() => {
        if (sink !== "companion") return;
        apply({ type: "disconnected" });
        sink = "none";
      });
      void reroute();
    },
  },
  chrome.runtime.getManifest().version,
);

// Direct mode (docs/extension.md): the commands go to the queue and the
// worker instead of the companion.
const direct = new DirectSync({ storage: chrome.storage.local, fetch: (input, init) => fetch(input, init), now });
let mode: Mode = "auto";
let signedIn = false;
/** Where the tracker's commands go now. */
let sink: "companion" | "direct" | "none" = "none";

/** handOver gives the companion what direct mode recorded and the server has not accepted. */
async function handOver(): Promise<void> {
  try {
    const n = await direct.handover(async (sessions) => {
      const r = await connection.request({ type: "sessions.import", sessions });
      const accepted = Array.isArray(r.accepted) ? r.accepted.filter((x): x is string => typeof x === "string") : [];
      return { accepted };
    });
    if (n > 0) console.info(`worktime: handed ${n} direct-mode sessions to the companion`);
  } catch (e) {
    // Kept in the queue: tried again at the next connection, and pushed meanwhile while signed in.
    console.warn("worktime: handover:", e);
  }
}

function wantedSink(): typeof sink {
  const c = connection.state.status;
  if (signedIn && (mode === "direct" || c === "not_installed" || c === "forbidden")) return "direct";
  return mode !== "direct" && c === "connected" ? "companion" : "none";
}

/**
 * reroute moves the tracker to where its commands must go now. A session
 * running on one side ends there (the companion ends its own when the port
 * closes; a direct one is ended in the queue) and the next starts on the other.
 */
function reroute(): Promise<void> {
  return enqueue(() => {
    const want = wantedSink();
    if (want === sink) return;
    const t = state.tracking;
    // Ended where it ran: in the queue, or on the companion's port when it
    // stays open (direct mode chosen in Settings).
    if (sink !== "none" && t !== null) send({ type: "session.end", sessionId: t.sessionId, at: now() });
    if (sink !== "none") apply({ type: "disconnected" });
    sink = want;
    if (want !== "none") apply({ type: "connected" });
    else updateBadge();
    if (want === "companion") void handOver();
  });
}

async function focusedUrl(): Promise<string | null> {
  let win: chrome.windows.Window;
  try {
    win = await chrome.windows.getLastFocused({ populate: true, windowTypes: ["normal"] });
  } catch {
    return null; // no window at all
  }
  const tab = win.tabs?.find((t) => t.active);
  let popupOpen = false;
  if (!win.focused) popupOpen = await isPopupOpen();
  return attentionUrl({ windowFocused: win.focused, activeUrl: tab?.url || tab?.pendingUrl, popupOpen });
}

/** isPopupOpen tells whether the toolbar popup is open (it takes the focus from the window). */
async function isPopupOpen(): Promise<boolean> {
  if (typeof chrome.runtime.getContexts === "function") {
    const popups = await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.POPUP] });
    return popups.length > 0;
  }
  // Firefox has no getContexts; its background is a page that can list the
  // extension's open views.
  return chrome.extension.getViews({ type: "popup" }).length > 0;
}

function refreshFocus(): Promise<void> {
  return enqueue(async () => apply({ type: "focus", url: await focusedUrl() }));
}

// A focus loss starts the tracker's grace period (the extensions menu, the
// pin button, moving between two windows on Linux all report "no window
// focused" for a moment); a tick when it runs out ends the session at the
// loss unless the focus came back.
chrome.windows.onFocusChanged.addListener(() => {
  void refreshFocus();
  setTimeout(() => void dispatch({ type: "tick" }), FOCUS_LOSS_GRACE_MS + 50);
});
chrome.windows.onRemoved.addListener(() => void refreshFocus());
chrome.tabs.onActivated.addListener(() => void refreshFocus());
chrome.tabs.onRemoved.addListener(() => void refreshFocus());
chrome.tabs.onUpdated.addListener((_tabId, change, tab) => {
  if (tab.active && (change.url !== undefined || change.status === "complete")) void refreshFocus();
});

chrome.idle.onStateChanged.addListener((s) => void dispatch({ type: "idle", state: s as IdleState }));

async function applySettings(stored: Record<string, unknown>): Promise<void> {
  const s = readSettings(stored);
  chrome.idle.setDetectionInterval(s.idleThresholdSeconds);
  await dispatch({ type: "idleThreshold", seconds: s.idleThresholdSeconds });
  await dispatch({ type: "paused", paused: s.paused });
}

async function applyDirect(stored: Record<string, unknown>): Promise<void> {
  mode = readMode(stored);
  signedIn = hasAccount(stored);
  if (mode !== "direct") connection.connect();
  await reroute();
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local") return;
  const keys = Object.keys(changes);
  // The queue changes with every command; only settings and the account matter here.
  if (keys.every((k) => k === KEYS.queue || k === KEYS.deviceId)) return;
  void chrome.storage.local.get(null).then(async (stored) => {
    await applySettings(stored);
    await applyDirect(stored);
  });
});

/** popupExcluded is the popup's excluded note for the focused pull request, with the rule that decided when known. */
function popupExcluded(rule: RuleReply | null): PopupState["excluded"] {
  const reason = focusedExcluded();
  if (reason === null) return null;
  return { reason, match: rule !== null && !rule.tracked ? rule.match : "" };
}

async function popupState(): Promise<PopupState> {
  if (mode !== "direct" && connection.state.status !== "connected") connection.connect();
  let summary: StatsSummary | null = null;
  let summaryError = "";
  let rule: RuleReply | null = null;
  if (connection.state.status === "connected") {
    try {
      await connection.refreshHello();
      summary = (await connection.request({ type: "stats.summary", days: 7 })) as unknown as StatsSummary;
      const focused = parsePullRequestURL(state.focusedUrl);
      // The popup shows the rules as they are now (the user may have changed
      // them); a companion that cannot say leaves the popup as it was.
      if (focused !== null) {
        rule = await checkRules(focused).catch((e: unknown) => {
          console.warn("worktime: rules.check:", e);
          return null;
        });
      }
    } catch (e) {
      summaryError = e instanceof Error ? e.message : String(e);
    }
  }
  let directState: PopupState["direct"] = null;
  if (sink === "direct") {
    const today = await direct.todaySeconds();
    directState = { ...(await direct.state()), mode, active: sink === "direct", todaySeconds: today.seconds, todayFrom: today.from };
  }
  // Read the tracker after the reply so the popup sees the state the summary describes.
  await chain;
  const t = state.tracking;
  return {
    direct: directState,
    connection: connection.state,
    summary,
    summaryError,
    active: t === null ? null : { pr: t.pr, sessionId: t.sessionId, startedAt: t.startedAt },
    focused: parsePullRequestURL(state.focusedUrl),
    excluded: popupExcluded(rule),
    commandError,
    paused: state.paused,
    idle: state.idle,
    now: now(),
  };
}

// The popup keeps a port open while it is shown; when it closes, focus goes
// back to the page (or elsewhere), so look again.
chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== "popup" || port.sender?.id !== chrome.runtime.id) return;
  port.onDisconnect.addListener(() => void refreshFocus());
});

chrome.runtime.onMessage.addListener((msg: PageRequest, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  switch (msg?.type) {
    case "popup.state":
      popupState().then(sendResponse, (e: unknown) => sendResponse({ error: String(e) }));
      return true;
    case "rules.add":
      addRule(msg.scope).then(sendResponse, (e: unknown) => sendResponse({ error: e instanceof Error ? e.message : String(e) }));
      return true;
    case "reconnect":
      connection.connect();
      sendResponse({ ok: true });
      return false;
    default:
      return false;
  }
});

// A periodic alarm wakes the worker if it was stopped (for example while the
// companion was not installed and no port kept it alive).
chrome.alarms.onAlarm.addListener(() => {
  if (mode !== "direct") connection.connect();
  // Direct mode's push: only when a batch is due (lib/queue.ts), so most ticks send nothing.
  void direct.push();
});
void chrome.alarms.create("worktime-wake", { periodInMinutes: 1 });

setInterval(() => void dispatch({ type: "tick" }), TICK_MS);

/**
 * A hook for the end-to-end test and for debugging from the service worker
 * console: inject an idle state without waiting minutes, read the tracker.
 */
const debugHook = {
  setIdle: (s: IdleState): Promise<void> => dispatch({ type: "idle", state: s }),
  tick: (): Promise<void> => dispatch({ type: "tick" }),
  refreshFocus: (): Promise<void> => refreshFocus(),
  /** Moves the tracker's clock forward by ms. */
  advanceClock: (ms: number): void => {
    clockOffsetMs += ms;
  },
  /** Sends one raw protocol request on the extension's port (benchmarks, debugging). */
  request: (body: Record<string, unknown>): Promise<Record<string, unknown>> => connection.request(body),
  /** Resolves once the companion has answered everything sent before (replies come in order). */
  flush: async (): Promise<void> => {
    await chain;
    await connection.request({ type: "session.active" });
  },
  tracker: (): TrackerState => structuredClone(state),
  /** The state the toolbar badge shows. */
  badge: (): Badge | null => badge,
  connection: () => connection.state,
  /** Connects to the companion now instead of at the next retry (a companion just installed). */
  connect: (): void => connection.connect(),
  /** Where the commands go: "companion", "direct" or "none". */
  sink: () => sink,
  /** Pushes direct mode's ended sessions now, without the batching delay (not the backoff). */
  pushNow: (): Promise<number> => direct.push(true),
  /** Direct mode's queue, as stored. */
  directState: () => direct.state(),
};
(globalThis as unknown as { worktime: typeof debugHook }).worktime = debugHook;

async function init(): Promise<void> {
  // No session runs at start-up: one left active by a stopped worker ends at its last heartbeat.
  await direct.recover(null);
  const stored = await chrome.storage.local.get(null);
  await applySettings(stored);
  const idle = (await chrome.idle.queryState(state.idleThresholdSeconds)) as IdleState;
  await dispatch({ type: "idle", state: idle });
  await refreshFocus();
  await applyDirect(stored);
}

void init();
