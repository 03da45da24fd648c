/**
 * What the toolbar icon says: one badge (text, colour) and tooltip per
 * state, so that time is never lost silently. A pure function of the
 * tracker and the connection, unit-tested without a browser.
 */

import { type PullRequest, formatPullRequest, parsePullRequestURL } from "./prurl.js";

/** The states the toolbar shows, in the order they win. */
export type BadgeState =
  | "not_installed"
  | "refused"
  | "error"
  | "connecting"
  | "paused"
  | "tracking"
  | "excluded"
  | "idle"
  | "not_pr";

export interface BadgeInput {
  /** The connection's status (connection.ts). */
  connection: "connecting" | "connected" | "not_installed" | "forbidden" | "disconnected";
  /** Why the last command or connection failed; "" when nothing failed since. */
  error: string;
  paused: boolean;
  idle: string;
  /** The running session, if any (ms since the epoch). */
  tracking: { pr: PullRequest; startedAt: number } | null;
  /** The page that has the user's attention. */
  focusedUrl: string | null;
  /**
   * Why the focused pull request's repository is excluded by the user's
   * rules (the companion's words); null when it is not. Optional: absent is
   * not excluded.
   */
  excluded?: string | null;
  now: number;
}

export interface Badge {
  state: BadgeState;
  /** The toolbar icon: green ("active") only while time counts, grey otherwise. */
  icon: "active" | "inactive";
  text: string;
  /** CSS colour of the badge's background. */
  color: string;
  title: string;
}

export const BADGE_COLORS = {
  tracking: "#1a7f37",
  quiet: "#6e7781",
  problem: "#cf222e",
  error: "#bc4c00",
} as const;

/** badgeText renders a running session's length for the badge: "0m"–"59m", then "1h05", "12h". */
export function badgeText(elapsedMs: number): string {
  const min = Math.max(0, Math.floor(elapsedMs / 60_000));
  if (min < 60) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h >= 10) return `${h}h`;
  return `${h}h${String(min % 60).padStart(2, "0")}`;
}

/** ICON_PATHS are the icon files the build makes for each toolbar icon. */
export const ICON_PATHS: Record<Badge["icon"], Record<string, string>> = {
  active: { "16": "icons/icon-16.png", "32": "icons/icon-32.png", "48": "icons/icon-48.png", "128": "icons/icon-128.png" },
  inactive: {
    "16": "icons/icon-inactive-16.png",
    "32": "icons/icon-inactive-32.png",
    "48": "icons/icon-inactive-48.png",
    "128": "icons/icon-inactive-128.png",
  },
};

/** badgeFor is the toolbar badge, icon and tooltip for the extension's state. */
export function badgeFor(b: BadgeInput): Badge {
  const t = badgeOnly(b);
  return { ...t, icon: t.state === "tracking" ? "active" : "inactive" };
}

function badgeOnly(b: BadgeInput): Omit<Badge, "icon"> {
  const pr = parsePullRequestURL(b.focusedUrl);
  const onPR = pr === null ? "" : ` — ${formatPullRequest(pr)} is not being recorded`;
  if (b.connection === "not_installed") {
    return {
      state: "not_installed",
      text: "!",
      color: BADGE_COLORS.problem,
      title: `WorkTime: the worktime companion is not installed${onPR}. Click for the steps (worktimed install).`,
    };
  }
  if (b.connection === "forbidden") {
    return {
      state: "refused",
      text: "!",
      color: BADGE_COLORS.problem,
      title: `WorkTime: the companion refused this extension${onPR}. Click for how to allow it.`,
    };
  }
  if (b.tracking === null && b.error !== "") {
    return { state: "error", text: "err", color: BADGE_COLORS.error, title: `WorkTime: ${b.error}${onPR}.` };
  }
  if (b.connection !== "connected" && b.tracking === null) {
    return { state: "connecting", text: "…", color: BADGE_COLORS.quiet, title: "WorkTime: connecting to the worktime companion…" };
  }
  if (b.paused) return { state: "paused", text: "||", color: BADGE_COLORS.quiet, title: "WorkTime: tracking is paused" };
  if (b.tracking !== null) {
    const t = b.tracking;
    const elapsed = Math.max(0, b.now - t.startedAt);
    return {
      state: "tracking",
      text: badgeText(elapsed),
      color: BADGE_COLORS.tracking,
      title: `WorkTime: tracking ${formatPullRequest(t.pr)} for ${Math.floor(elapsed / 60_000)} min`,
    };
  }
  if (pr !== null && b.excluded != null) {
    return {
      state: "excluded",
      text: "off",
      color: BADGE_COLORS.quiet,
      title:
        `WorkTime: ${formatPullRequest(pr)} is excluded — nothing is recorded` +
        (b.excluded === "" ? "" : ` (${b.excluded})`) +
        ". To track it again: worktimed rules remove, or the dashboard's Settings.",
    };
  }
  if (b.idle !== "active") {
    return { state: "idle", text: "zz", color: BADGE_COLORS.quiet, title: "WorkTime: you are away; time stops while you are idle" };
  }
  return { state: "not_pr", text: "", color: BADGE_COLORS.quiet, title: "WorkTime: not on a pull request" };
}
