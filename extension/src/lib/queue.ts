/**
 * The direct-mode queue: the sessions the extension records itself when no
 * companion answers, kept in chrome.storage.local and pushed to the worker
 * with the daemon's sync protocol (POST /api/sync/push, last writer wins on
 * updated_at). See docs/extension.md, "Direct mode".
 *
 * Everything here is pure: the caller loads the queue, applies a function
 * with the time it read, and stores the result. Contracts:
 *  - One entry per session id. A command for an id that is ended already
 *    changes nothing, so a command applied twice never counts twice.
 *  - Only ended sessions are pushed; an entry is synced only when the server
 *    accepted exactly the version that was sent (its updatedAt).
 *  - A failed push changes no entry and only delays the next one
 *    (exponential backoff); a rejected entry keeps the server's reason and is
 *    not sent again.
 */

import type { Command } from "./tracker.js";
import type { ImportedSession } from "../../../internal/api/api.gen.js";

/** One session of the companion's sessions.import (docs/native-messaging.md), the companion's own type. */
export type { ImportedSession };

/** The worker's limit of sessions per push (worker/src/schemas.ts MAX_PUSH_SESSIONS). */
export const MAX_PUSH_BATCH = 500;
/** An ended session waits this long for others to share its push. */
export const PUSH_DELAY_MS = 15 * 60_000;
export const PUSH_BACKOFF_INITIAL_MS = 60_000;
export const PUSH_BACKOFF_MAX_MS = 60 * 60_000;
/** Synced sessions are kept this long for today's total while offline. */
export const KEEP_SYNCED_MS = 36 * 3600_000;

export type SessionStatus = "active" | "completed" | "abandoned";

export interface QueuedSession {
  id: string;
  repoOwner: string;
  repoName: string;
  prNumber: number;
  /** ms since the epoch, whole seconds (the server stores seconds) */
  startedAt: number;
  /** ms; the last start or heartbeat */
  lastSeenAt: number;
  /** ms, whole seconds; null while active */
  endedAt: number | null;
  status: SessionStatus;
  /** ms; the version last-writer-wins compares */
  updatedAt: number;
  /** the server accepted this entry at exactly this updatedAt */
  synced: boolean;
  /** the server's reason when it rejected the entry; not sent again */
  rejected?: string;
}

export interface Queue {
  sessions: QueuedSession[];
  /** failed pushes in a row */
  failures: number;
  /** ms; no push before this (backoff) */
  nextPushAt: number;
}

/** One session as POST /api/sync/push takes it (worker/README.md, "A Session"). */
export interface PushSession {
  id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: string;
  end_time: string;
  duration_seconds: number;
  status: "completed" | "abandoned";
  updated_at: string;
}

export interface PushReply {
  accepted: string[];
  rejected: { id: string; error: string }[];
}

export function emptyQueue(): Queue {
  return { sessions: [], failures: 0, nextPushAt: 0 };
}

const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** applyCommand records one tracker command in the queue. */
export function applyCommand(q: Queue, c: Command): Queue {
  const i = q.sessions.findIndex((s) => s.id === c.sessionId);
  if (c.type === "session.start") {
    if (i >= 0) return q;
    const at = wholeSeconds(c.at);
    const s: QueuedSession = {
      id: c.sessionId,
      repoOwner: c.pr.repoOwner,
      repoName: c.pr.repoName,
      prNumber: c.pr.prNumber,
      startedAt: at,
      lastSeenAt: c.at,
      endedAt: null,
      status: "active",
      updatedAt: c.at,
      synced: false,
    };
    return { ...q, sessions: [...q.sessions, s] };
  }
  if (i < 0 || q.sessions[i]!.status !== "active") return q;
  const cur = q.sessions[i]!;
  const at = Math.max(c.at, cur.startedAt);
  const next: QueuedSession =
    c.type === "session.heartbeat"
      ? { ...cur, lastSeenAt: Math.max(cur.lastSeenAt, at) }
      : { ...cur, status: "completed", endedAt: wholeSeconds(at), lastSeenAt: at, updatedAt: Math.max(at, cur.updatedAt + 1) };
  const sessions = q.sessions.slice();
  sessions[i] = next;
  return { ...q, sessions };
}

/**
 * recoverActive ends the sessions left active by a service worker that
 * stopped (a crash, the browser quitting) at their last heartbeat, as the
 * companion does; keep is the id the tracker still runs, if any.
 */
export function recoverActive(q: Queue, keep: string | null, now: number): Queue {
  let changed = false;
  const sessions = q.sessions.map((s) => {
    if (s.status !== "active" || s.id === keep) return s;
    changed = true;
    const end = wholeSeconds(Math.max(s.lastSeenAt, s.startedAt));
    return { ...s, status: "abandoned" as const, endedAt: end, updatedAt: Math.max(now, s.updatedAt + 1) };
  });
  return changed ? { ...q, sessions } : q;
}

/** pending lists the ended sessions the server has not accepted yet, oldest first. */
export function pending(q: Queue): QueuedSession[] {
  return q.sessions
    .filter((s) => s.status !== "active" && !s.synced && s.rejected === undefined)
    .sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
}

/**
 * pushDue tells whether a push should be made now: not during a backoff,
 * and only once the oldest pending session has waited PUSH_DELAY_MS or a
 * full batch is waiting (force skips the wait, not the backoff).
 */
export function pushDue(q: Queue, now: number, force = false): boolean {
  if (now < q.nextPushAt) return false;
  const p = pending(q);
  if (p.length === 0) return false;
  if (force || p.length >= MAX_PUSH_BATCH) return true;
  return Math.min(...p.map((s) => s.endedAt!)) + PUSH_DELAY_MS <= now;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoSeconds = (ms: number): string => iso(ms).replace(/\.\d{3}Z$/, "Z");

export function toPushSession(s: QueuedSession): PushSession {
  if (s.status === "active" || s.endedAt === null) throw new Error(`queue: session ${s.id} is still active`);
  return {
    id: s.id,
    repo_owner: s.repoOwner,
    repo_name: s.repoName,
    pr_number: s.prNumber,
    start_time: isoSeconds(s.startedAt),
    end_time: isoSeconds(s.endedAt),
    duration_seconds: (s.endedAt - s.startedAt) / 1000,
    status: s.status,
    updated_at: iso(s.updatedAt),
  };
}

/** nextBatch is the next push's sessions: at most MAX_PUSH_BATCH pending ones, oldest first. */
export function nextBatch(q: Queue): PushSession[] {
  return pending(q).slice(0, MAX_PUSH_BATCH).map(toPushSession);
}

/**
 * markPushed applies the server's reply to the batch that was sent: an
 * entry is synced only when its id was accepted and it still has the
 * version that was sent (a newer local version is pushed again).
 */
export function markPushed(q: Queue, sent: PushSession[], reply: PushReply): Queue {
  const accepted = new Set(reply.accepted.map((id) => id.toLowerCase()));
  const rejected = new Map(reply.rejected.map((r) => [r.id.toLowerCase(), r.error]));
  const sentVersion = new Map(sent.map((s) => [s.id.toLowerCase(), Date.parse(s.updated_at)]));
  const sessions = q.sessions.map((s) => {
    const id = s.id.toLowerCase();
    const v = sentVersion.get(id);
    if (v === undefined || v !== s.updatedAt) return s;
    if (accepted.has(id)) return { ...s, synced: true };
    const why = rejected.get(id);
    if (why !== undefined) return { ...s, rejected: why };
    return s;
  });
  return { sessions, failures: 0, nextPushAt: 0 };
}

/** pushBackoff is the wait after `failures` failed pushes in a row (1 = the first). */
export function pushBackoff(failures: number): number {
  const n = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(PUSH_BACKOFF_MAX_MS, PUSH_BACKOFF_INITIAL_MS * 2 ** n);
}

/** markFailed records a push that got no usable reply: the entries stay, the next push waits. */
export function markFailed(q: Queue, now: number): Queue {
  const failures = q.failures + 1;
  return { ...q, failures, nextPushAt: now + pushBackoff(failures) };
}

/** prune drops synced sessions that ended more than KEEP_SYNCED_MS ago. */
export function prune(q: Queue, now: number): Queue {
  const sessions = q.sessions.filter((s) => !(s.synced && s.endedAt !== null && s.endedAt + KEEP_SYNCED_MS < now));
  return sessions.length === q.sessions.length ? q : { ...q, sessions };
}

/**
 * forHandover lists the sessions to hand to the companion: every ended one
 * the server has not accepted (synced ones reach it by its own pull).
 */
export function forHandover(q: Queue): QueuedSession[] {
  return q.sessions.filter((s) => s.status !== "active" && !s.synced);
}


/** handoverBatches splits forHandover's sessions into sessions.import messages of at most MAX_PUSH_BATCH. */
export function handoverBatches(q: Queue): ImportedSession[][] {
  const all = forHandover(q).map((s) => {
    const p = toPushSession(s);
    return { id: p.id, repo_owner: p.repo_owner, repo_name: p.repo_name, pr_number: p.pr_number, start_time: p.start_time, end_time: p.end_time };
  });
  const out: ImportedSession[][] = [];
  for (let i = 0; i < all.length; i += MAX_PUSH_BATCH) out.push(all.slice(i, i + MAX_PUSH_BATCH));
  return out;
}

/** remove drops the given ids (the companion accepted them). */
export function remove(q: Queue, ids: Iterable<string>): Queue {
  const gone = new Set([...ids].map((id) => id.toLowerCase()));
  return { ...q, sessions: q.sessions.filter((s) => !gone.has(s.id.toLowerCase())) };
}

/**
 * secondsSince sums the queue's time from dayStart (ms, the local midnight)
 * to now: ended sessions by their length inside the day, the active one up
 * to now. It is today's total while the server cannot be asked.
 */
export function secondsSince(q: Queue, dayStart: number, now: number): number {
  let ms = 0;
  for (const s of q.sessions) {
    const end = s.endedAt ?? now;
    const from = Math.max(s.startedAt, dayStart);
    if (end > from) ms += end - from;
  }
  return Math.floor(ms / 1000);
}

const str = (v: unknown): v is string => typeof v === "string";
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * readQueue takes what chrome.storage.local holds and returns a valid queue;
 * an entry that is not a session (a bad write, an older format) is dropped
 * rather than pushed.
 */
export function readQueue(stored: unknown): Queue {
  if (typeof stored !== "object" || stored === null) return emptyQueue();
  const o = stored as Record<string, unknown>;
  const list = Array.isArray(o.sessions) ? o.sessions : [];
  const sessions: QueuedSession[] = [];
  for (const e of list as Record<string, unknown>[]) {
    if (typeof e !== "object" || e === null) continue;
    const okStatus = e.status === "active" || e.status === "completed" || e.status === "abandoned";
    if (!str(e.id) || !str(e.repoOwner) || !str(e.repoName) || !num(e.prNumber) || !okStatus) continue;
    if (!num(e.startedAt) || !num(e.lastSeenAt) || !num(e.updatedAt) || typeof e.synced !== "boolean") continue;
    if (e.status === "active" ? e.endedAt !== null : !num(e.endedAt) || (e.endedAt as number) < e.startedAt) continue;
    sessions.push({
      id: e.id,
      repoOwner: e.repoOwner,
      repoName: e.repoName,
      prNumber: e.prNumber,
      startedAt: e.startedAt,
      lastSeenAt: e.lastSeenAt,
      endedAt: e.endedAt as number | null,
      status: e.status as SessionStatus,
      updatedAt: e.updatedAt,
      synced: e.synced,
      ...(str(e.rejected) ? { rejected: e.rejected } : {}),
    });
  }
  return {
    sessions,
    failures: num(o.failures) && o.failures >= 0 ? o.failures : 0,
    nextPushAt: num(o.nextPushAt) ? o.nextPushAt : 0,
  };
}
