/**
 * The tracker is the heart of the extension: a pure state machine that turns
 * what the browser reports (focus, idle, pause, the companion's connection,
 * the passing of time) into the session commands sent to the companion.
 *
 * It holds no timers and reads no clock: the caller passes `now` (ms since
 * the epoch) and a session id minter with every event, so every rule below is
 * unit-tested without a browser.
 *
 * Rules:
 *  - A session runs exactly while a pull request page is the active tab of
 *    the focused window, the user is not idle, tracking is not paused and
 *    the companion is connected.
 *  - Moving to another pull request ends the running session and starts a
 *    new one; moving between pages of the same pull request changes nothing.
 *  - The browser losing focus (no browser window focused) while a session
 *    runs starts a grace period: opening the extensions menu or a pin
 *    dialog takes focus for a moment. Focus coming back to the same pull
 *    request within FOCUS_LOSS_GRACE_MS keeps the session as if nothing
 *    happened; anything else (the grace running out at a tick, another
 *    page, idle, pause) ends it when the focus left. No heartbeat is sent
 *    during the grace, so the companion never holds a later time.
 *  - Going idle ends the session when the user stopped, that is the idle
 *    threshold before the idle report (never before its last heartbeat).
 *    Locking the screen ends it at the lock: chrome.idle reports "locked"
 *    at once, not a threshold after the last input.
 *  - While a session runs, a heartbeat is due every heartbeat interval.
 *  - When the connection drops, the companion ends the session itself (at its
 *    last heartbeat), so the tracker forgets it; on reconnect a new one starts.
 *  - A heartbeat the companion refused (it ended the session) forgets the
 *    session and starts a new one at once. A refused start is tried again at
 *    the first tick after the retry delay, or at once when focus moves.
 *  - A repository the user's rules keep out of tracking ("excluded": the
 *    companion refused a start with that code, or rules.check or rules.add
 *    said so) is never started: no start is retried on it, at a tick or
 *    otherwise, and a session running on it ends at once. Focus moving onto
 *    one of its pull requests asks the companion again (rules.check, read
 *    locally, nothing recorded), so undoing the rule takes effect there.
 */

import { type PullRequest, parsePullRequestURL, samePullRequest } from "./prurl.js";

/** repoKey names a pull request's repository the way the rules compare it (without regard to case). */
export function repoKey(pr: Pick<PullRequest, "repoOwner" | "repoName">): string {
  return `${pr.repoOwner}/${pr.repoName}`.toLowerCase();
}

/** chrome.idle's states. */
export type IdleState = "active" | "idle" | "locked";

/** The running session, as the tracker knows it. */
export interface Tracking {
  sessionId: string;
  pr: PullRequest;
  /** ms since the epoch */
  startedAt: number;
  /** ms since the epoch; the start counts as the first heartbeat */
  lastHeartbeatAt: number;
}

export interface TrackerState {
  /** URL of the active tab of the focused window; null when no browser window has focus. */
  focusedUrl: string | null;
  idle: IdleState;
  paused: boolean;
  connected: boolean;
  idleThresholdSeconds: number;
  tracking: Tracking | null;
  /** No new start before this time (ms) after the companion refused one. */
  retryAfter: number;
  /**
   * When (ms) no browser window had focus any more while a session ran; null
   * when focus is where it was. While set, focusedUrl keeps the page that
   * had it, and the session runs on for the grace period.
   */
  blurredAt: number | null;
  /** The repositories (repoKey) the companion said are excluded, with why. */
  excluded: Record<string, string>;
}

export type TrackerEvent =
  | { type: "focus"; url: string | null }
  | { type: "idle"; state: IdleState }
  | { type: "paused"; paused: boolean }
  | { type: "idleThreshold"; seconds: number }
  | { type: "connected" }
  | { type: "disconnected" }
  | {
      type: "rejected";
      sessionId: string;
      command: "session.start" | "session.heartbeat";
      /** The companion's error code ("excluded": the rules keep the repository out). */
      code?: string;
      message?: string;
    }
  /** What the rules decide for a repository (rules.check or rules.add replied). */
  | { type: "rules"; pr: Pick<PullRequest, "repoOwner" | "repoName">; tracked: boolean; reason: string }
  | { type: "tick" };

export type Command =
  | { type: "session.start"; sessionId: string; pr: PullRequest; at: number }
  | { type: "session.heartbeat"; sessionId: string; at: number }
  | { type: "session.end"; sessionId: string; at: number };

export interface StepResult {
  state: TrackerState;
  commands: Command[];
  /**
   * Pull requests of excluded repositories to ask the companion about
   * (rules.check, answered by a "rules" event); nothing is recorded.
   */
  checks: PullRequest[];
}

/** Heartbeat interval of protocol v1. */
export const HEARTBEAT_INTERVAL_MS = 60_000;
/**
 * How long the browser may lose focus without ending the session: long
 * enough for the extensions menu, the pin button or a permission bubble,
 * short enough that time in another program is not counted.
 */
export const FOCUS_LOSS_GRACE_MS = 15_000;
/** Delay before starting again after the companion refused a start. */
export const RETRY_DELAY_MS = 15_000;
/** Default idle threshold: two minutes. */
export const DEFAULT_IDLE_THRESHOLD_SECONDS = 120;
/** chrome.idle.setDetectionInterval accepts 15 s at least. */
export const MIN_IDLE_THRESHOLD_SECONDS = 15;
export const MAX_IDLE_THRESHOLD_SECONDS = 4 * 60 * 60;

export function initialState(idleThresholdSeconds = DEFAULT_IDLE_THRESHOLD_SECONDS): TrackerState {
  return {
    focusedUrl: null,
    idle: "active",
    paused: false,
    connected: false,
    idleThresholdSeconds: clampIdleThreshold(idleThresholdSeconds),
    tracking: null,
    retryAfter: 0,
    blurredAt: null,
    excluded: {},
  };
}

/** clampIdleThreshold keeps a threshold in the range chrome.idle accepts. */
export function clampIdleThreshold(seconds: number): number {
  if (!Number.isFinite(seconds)) return DEFAULT_IDLE_THRESHOLD_SECONDS;
  return Math.min(MAX_IDLE_THRESHOLD_SECONDS, Math.max(MIN_IDLE_THRESHOLD_SECONDS, Math.round(seconds)));
}

/** desiredPullRequest is the pull request that should be tracked right now, if any. */
export function desiredPullRequest(s: TrackerState): PullRequest | null {
  if (!s.connected || s.paused || s.idle !== "active") return null;
  const pr = parsePullRequestURL(s.focusedUrl);
  if (pr !== null && excludedReason(s, pr) !== null) return null;
  return pr;
}

/** excludedReason is why pr's repository is excluded, or null when it is not known to be. */
export function excludedReason(s: TrackerState, pr: Pick<PullRequest, "repoOwner" | "repoName">): string | null {
  return Object.hasOwn(s.excluded, repoKey(pr)) ? (s.excluded[repoKey(pr)] ?? "") : null;
}

/**
 * step applies one event at time `now` and returns the new state and the
 * commands to send, in order. It never mutates its input.
 */
export function step(prev: TrackerState, ev: TrackerEvent, now: number, mintId: () => string): StepResult {
  const s: TrackerState = { ...prev };
  const commands: Command[] = [];
  const checks: PullRequest[] = [];
  // The time a session ends when it ends now for a reason other than idle.
  let endAt = now;
  // Set when the session must end even if the same pull request stays desired.
  let restart = false;

  const end = (at: number): void => {
    const t = s.tracking;
    if (t === null) return;
    // A session that ends during a focus-loss grace ended when the focus left.
    if (s.blurredAt !== null) at = Math.min(at, s.blurredAt);
    const bounded = Math.max(t.startedAt, Math.min(now, Math.max(at, t.lastHeartbeatAt)));
    commands.push({ type: "session.end", sessionId: t.sessionId, at: bounded });
    s.tracking = null;
  };

  switch (ev.type) {
    case "focus":
      if (ev.url === null && s.tracking !== null) {
        // Keep the page: focus may come back to it within the grace.
        s.blurredAt ??= now;
      } else {
        if (s.blurredAt !== null) {
          // Back after the grace (before a tick noticed): the session ended at the loss.
          restart = now - s.blurredAt >= FOCUS_LOSS_GRACE_MS;
          if (restart || !samePullRequest(parsePullRequestURL(ev.url), parsePullRequestURL(s.focusedUrl))) endAt = s.blurredAt;
        }
        s.blurredAt = null;
        s.focusedUrl = ev.url;
      }
      break;
    case "idle":
      if (ev.state === "idle" && s.idle === "active") {
        // chrome.idle reports idle once the threshold has passed without input.
        endAt = now - s.idleThresholdSeconds * 1000;
      }
      s.idle = ev.state;
      break;
    case "paused":
      s.paused = ev.paused;
      break;
    case "idleThreshold":
      s.idleThresholdSeconds = clampIdleThreshold(ev.seconds);
      break;
    case "connected":
      s.connected = true;
      s.retryAfter = 0;
      break;
    case "disconnected":
      // The companion ends the port's session when the port closes; nothing
      // can be sent now anyway.
      s.connected = false;
      s.tracking = null;
      break;
    case "rejected":
      if (s.tracking !== null && s.tracking.sessionId === ev.sessionId) {
        if (ev.code === "excluded") {
          // Nothing was recorded; never start on this repository again
          // until the rules say otherwise.
          s.excluded = { ...s.excluded, [repoKey(s.tracking.pr)]: ev.message ?? "" };
          s.tracking = null;
          break;
        }
        s.tracking = null;
        // A refused heartbeat means the companion ended the session (for
        // example abandoned it while the computer slept): start afresh now.
        // A refused start is retried later, so a refusing companion is not
        // asked again and again.
        s.retryAfter = ev.command === "session.start" ? now + RETRY_DELAY_MS : 0;
      }
      break;
    case "rules": {
      const { [repoKey(ev.pr)]: _, ...rest } = s.excluded;
      s.excluded = ev.tracked ? rest : { ...rest, [repoKey(ev.pr)]: ev.reason };
      break;
    }
    case "tick":
      if (s.blurredAt !== null && now - s.blurredAt >= FOCUS_LOSS_GRACE_MS) {
        // The focus did not come back: the session ended when it left.
        s.focusedUrl = null;
      }
      break;
  }

  let desired = desiredPullRequest(s);
  if (s.tracking !== null && (restart || !samePullRequest(desired, s.tracking.pr))) {
    end(endAt);
  }
  if (s.tracking === null && s.blurredAt !== null) {
    // Whatever ended the session during the grace, the browser still has no
    // focus: nothing starts until a window gets it back.
    s.blurredAt = null;
    s.focusedUrl = null;
    desired = null;
  }
  if (s.tracking === null && desired === null && ev.type === "focus" && s.connected && !s.paused && s.idle === "active") {
    // Onto an excluded repository's pull request: ask whether it still is.
    const pr = parsePullRequestURL(s.focusedUrl);
    if (pr !== null && excludedReason(s, pr) !== null && !samePullRequest(pr, parsePullRequestURL(prev.focusedUrl))) {
      checks.push(pr);
    }
  }
  if (s.tracking === null && desired !== null) {
    // Focus moving is the user acting: start at once. Otherwise respect the
    // retry delay after a refusal. The rules allowing a repository again
    // is the user acting too.
    const userMoved = ev.type === "focus" || ev.type === "idle" || ev.type === "paused" || ev.type === "rules";
    if (userMoved || now >= s.retryAfter) {
      const sessionId = mintId();
      s.tracking = { sessionId, pr: desired, startedAt: now, lastHeartbeatAt: now };
      s.retryAfter = 0;
      commands.push({ type: "session.start", sessionId, pr: desired, at: now });
    }
  } else if (s.tracking !== null && s.blurredAt === null && ev.type === "tick") {
    if (now - s.tracking.lastHeartbeatAt >= HEARTBEAT_INTERVAL_MS) {
      s.tracking = { ...s.tracking, lastHeartbeatAt: now };
      commands.push({ type: "session.heartbeat", sessionId: s.tracking.sessionId, at: now });
    }
  }
  return { state: s, commands, checks };
}
