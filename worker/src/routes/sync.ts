// Batch sync of the desktop daemon: push (upsert by id, last writer wins) and
// pull (every change after a cursor).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { limitBody } from "../middleware";
import { sessionsChangedSince, type SessionDeletion, type SessionWrite } from "../queries";
import { describeIssues, MAX_PUSH_BYTES, MAX_PUSH_SESSIONS, parseUTC, pullQuery, pushBody, pushDeletion, pushSession, validate } from "../schemas";
import { toWire, writeSessions } from "../session-writes";

/** Cursors are opaque to clients: "c1." + the user's sequence in base 36. */
export function encodeCursor(seq: number): string {
  return `c1.${seq.toString(36)}`;
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === "") return 0;
  const m = /^c1\.([0-9a-z]{1,11})$/.exec(cursor);
  if (!m) return null;
  const n = parseInt(m[1]!, 36);
  return Number.isSafeInteger(n) ? n : null;
}

export const sync = new Hono<AppEnv>();

sync.post("/push", limitBody(MAX_PUSH_BYTES), async (c) => {
  const user = c.var.user;
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return errorResponse(c, 400, "bad_request", "body is not valid JSON");
  }
  const list = (raw as { sessions?: unknown } | null)?.sessions;
  const dels = (raw as { deleted?: unknown } | null)?.deleted;
  const count = (Array.isArray(list) ? list.length : 0) + (Array.isArray(dels) ? dels.length : 0);
  if (count > MAX_PUSH_SESSIONS) {
    return errorResponse(c, 413, "too_large", `at most ${MAX_PUSH_SESSIONS} sessions per push`);
  }
  const parsedBody = pushBody.safeParse(raw);
  if (!parsedBody.success) return errorResponse(c, 400, "bad_request", describeIssues(parsedBody.error));
  const body = parsedBody.data;

  const rejected: { id: string; error: string }[] = [];
  const writes: SessionWrite[] = [];
  for (const raw of body.sessions) {
    const parsed = pushSession.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown } | null)?.id === "string" ? (raw as { id: string }).id.slice(0, 64) : "";
      rejected.push({ id, error: describeIssues(parsed.error) });
      continue;
    }
    const s = parsed.data;
    const start = Math.floor(parseUTC(s.start_time)! / 1000);
    const end = s.end_time == null ? null : Math.floor(parseUTC(s.end_time)! / 1000);
    writes.push({
      id: s.id.toLowerCase(),
      repo_owner: s.repo_owner,
      repo_name: s.repo_name,
      pr_number: s.pr_number,
      start_time: start,
      end_time: end,
      status: s.status,
      updated_at: parseUTC(s.updated_at)!,
      ...(s.prev_start_time === undefined ? {} : { prev_start_time: Math.floor(parseUTC(s.prev_start_time)! / 1000) }),
    });
  }

  const deletions: SessionDeletion[] = [];
  for (const raw of body.deleted ?? []) {
    const parsed = pushDeletion.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown } | null)?.id === "string" ? (raw as { id: string }).id.slice(0, 64) : "";
      rejected.push({ id, error: describeIssues(parsed.error) });
      continue;
    }
    const d = parsed.data;
    deletions.push({
      id: d.id.toLowerCase(),
      start_time: Math.floor(parseUTC(d.start_time)! / 1000),
      ...(d.prev_start_time === undefined ? {} : { prev_start_time: Math.floor(parseUTC(d.prev_start_time)! / 1000) }),
      updated_at: parseUTC(d.updated_at)!,
    });
  }

  // The zone is written only when it differs from the stored one (one row).
  const timeZone = body.time_zone !== undefined && body.time_zone !== user.timeZone ? body.time_zone : undefined;
  const { before, seq } = await writeSessions(c.env.DB, user.id, body.device_id, writes, timeZone, deletions);
  const accepted = [...new Set([...writes.map((w) => w.id), ...deletions.map((d) => d.id)])];
  // changed is false exactly when nothing but this push wrote since the
  // device's cursor: the device may then take `cursor` without pulling.
  const since = body.since === undefined ? null : decodeCursor(body.since);
  return c.json({ accepted, rejected, cursor: encodeCursor(seq), changed: since === null || since !== before });
});

sync.get("/pull", validate("query", pullQuery), async (c) => {
  const { since, limit } = c.req.valid("query");
  const from = decodeCursor(since);
  if (from === null) return errorResponse(c, 400, "bad_request", "since: not a cursor returned by this server");
  const rows = await sessionsChangedSince(c.env.DB, c.var.user.id, from, limit);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const cursor = page.length ? encodeCursor(page[page.length - 1]!.seq) : encodeCursor(from);
  // Deletions come apart from the sessions, with their id and version
  // only, and only when there are some.
  const deleted = page.filter((r) => r.deleted).map((r) => ({ id: r.id, updated_at: new Date(r.updated_at).toISOString() }));
  const sessions = page.filter((r) => !r.deleted).map(toWire);
  return c.json(deleted.length ? { sessions, deleted, cursor, more } : { sessions, cursor, more });
});
