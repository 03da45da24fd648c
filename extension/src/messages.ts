/** Messages between the popup/options pages and the background service worker. */

import type { ConnectionInfo } from "./connection.js";
import type { DirectState } from "./direct.js";
import type { Mode } from "./lib/account.js";
import type { RuleScope, StatsSummary } from "./lib/protocol.js";
import type { PullRequest } from "./lib/prurl.js";

export type PageRequest = { type: "popup.state" } | { type: "reconnect" } | { type: "rules.add"; scope: RuleScope };

export interface PopupState {
  connection: ConnectionInfo;
  summary: StatsSummary | null;
  summaryError: string;
  active: { pr: PullRequest; sessionId: string; startedAt: number } | null;
  /** The pull request that has the user's attention, tracked or not. */
  focused: PullRequest | null;
  /**
   * Why the focused pull request's repository is excluded (the rules keep
   * it out) and the rule's pattern ("" when the default decided or it is
   * not known); null when it is not excluded.
   */
  excluded: { reason: string; match: string } | null;
  /** Why the companion refused the last command; "" when it accepted one since. */
  commandError: string;
  paused: boolean;
  idle: string;
  now: number;
  /** Direct mode, while the extension records directly; null otherwise. */
  direct: (DirectState & { mode: Mode; active: boolean; todaySeconds: number; todayFrom: "server" | "queue" }) | null;
}
