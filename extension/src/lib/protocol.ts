/**
 * Native messaging protocol v1 between the extension and the worktimed
 * companion (host name com.worktime.host); see docs/native-messaging.md.
 */

import type { Command } from "./tracker.js";

export const HOST_NAME = "com.worktime.host";
export const PROTOCOL_VERSION = 1;

export interface ProtocolError {
  code: string;
  message: string;
}

// The replies' shapes are generated from the companion's Go types
// (internal/api, `go generate ./internal/api`).
export type { HelloReply, RuleReply, Session, SessionReply, StatsSummary } from "../../../internal/api/api.gen.js";
import type { RuleReply } from "../../../internal/api/api.gen.js";

/** The scopes of rules.add: the repository, or its whole organisation. */
export type RuleScope = "repo" | "org";

/** rulesRequest is a rules.check (no action) or rules.add body for pr's repository. */
export function rulesRequest(
  pr: { repoOwner: string; repoName: string },
  add?: { action: "track" | "dont_sync" | "dont_track"; scope: RuleScope },
): Record<string, unknown> {
  const repo = { repo_owner: pr.repoOwner, repo_name: pr.repoName };
  return add === undefined ? { type: "rules.check", ...repo } : { type: "rules.add", ...repo, action: add.action, scope: add.scope };
}

export type Reply = { id: string | number | null; ok: true; [k: string]: unknown } | {
  id: string | number | null;
  ok: false;
  error: ProtocolError;
};

/** RemoteError is a reply with ok:false. */
export class RemoteError extends Error {
  readonly code: string;
  /** The companion's message alone, for people. */
  readonly remoteMessage: string;
  constructor(err: ProtocolError) {
    super(`${err.code}: ${err.message}`);
    this.name = "RemoteError";
    this.code = err.code;
    this.remoteMessage = err.message;
  }
}

/** rfc3339 renders ms since the epoch as whole-second RFC 3339 UTC, rounding down. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** commandRequest turns a tracker command into a request body (without its id). */
export function commandRequest(c: Command): Record<string, unknown> {
  switch (c.type) {
    case "session.start":
      return {
        type: c.type,
        session_id: c.sessionId,
        repo_owner: c.pr.repoOwner,
        repo_name: c.pr.repoName,
        pr_number: c.pr.prNumber,
        at: rfc3339(c.at),
      };
    case "session.heartbeat":
    case "session.end":
      return { type: c.type, session_id: c.sessionId, at: rfc3339(c.at) };
  }
}

/**
 * parseReply validates a message from the host. It returns null for anything
 * that is not a protocol v1 reply.
 */
export function parseReply(msg: unknown): Reply | null {
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return null;
  const m = msg as Record<string, unknown>;
  const id = m.id;
  if (!(typeof id === "string" || typeof id === "number" || id === null)) return null;
  if (m.ok === true) return m as Reply;
  if (m.ok === false) {
    const e = m.error as Record<string, unknown> | undefined;
    if (typeof e !== "object" || e === null || typeof e.code !== "string") return null;
    return { id, ok: false, error: { code: e.code, message: typeof e.message === "string" ? e.message : "" } };
  }
  return null;
}

/** The reasons a connectNative port closes, as the extension tells the user. */
export type DisconnectReason = "not_installed" | "forbidden" | "exited" | "other";

/**
 * classifyDisconnect maps the message a closed port gives (Chromium's
 * runtime.lastError, Firefox's port.error). A missing host is Chromium's
 * "Specified native messaging host not found." and Firefox's "No such
 * native application <name>" (NativeMessaging.sys.mjs), which Firefox also
 * says when the host manifest does not allow the add-on.
 */
export function classifyDisconnect(message: string | undefined): DisconnectReason {
  const m = (message ?? "").toLowerCase();
  if (m.includes("not found") || m.includes("no such native application")) return "not_installed";
  if (m.includes("forbidden")) return "forbidden";
  if (m.includes("exited")) return "exited";
  return "other";
}
