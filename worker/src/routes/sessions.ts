// The extension's online session API: start, end (idempotent), list.
//
// Sessions are keyed by start time, so a session is found by id alone among
// the user's active sessions (an index holds only those) or, for the
// idempotent repeats of start and end, among the ended sessions that started
// in the last FIND_ENDED_SECONDS (a bounded range read).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { limitBody } from "../middleware";
import { getActiveSession, getEndedSessionSince, listSessions, uuidHex, type SessionRow } from "../queries";
import { describeIssues, endBody, listCursor, listQuery, MAX_BODY_BYTES, MAX_SESSION_SECONDS, parseUTC, sessionParam, startBody, validate } from "../schemas";
import { toWire, writeSessions } from "../session-writes";

export const sessions = new Hono<AppEnv>();

const API_DEVICE = "api";
/** How far back an ended session is looked up by id: the longest session and a day. */
const FIND_ENDED_SECONDS = MAX_SESSION_SECONDS + 86400;

async function findSession(db: D1Database, userId: number, id: string, around: number): Promise<SessionRow | null> {
  return (await getActiveSession(db, userId, id)) ?? (await getEndedSessionSince(db, userId, id, around - FIND_ENDED_SECONDS));
}

sessions.post("/start", limitBody(MAX_BODY_BYTES), validate("json", startBody), async (c) => {
  const user = c.var.user;
  const body = c.req.valid("json");
  const id = (body.session_id ?? crypto.randomUUID()).toLowerCase();
  const nowMs = Date.now();
  const start = body.start_time ? Math.floor(parseUTC(body.start_time)! / 1000) : Math.floor(nowMs / 1000);
  if (body.session_id) {
    const existing = await findSession(c.env.DB, user.id, id, start);
    if (existing) return c.json({ session: toWire(existing) }, 200);
  }
  await writeSessions(c.env.DB, user.id, body.device_id ?? API_DEVICE, [
    {
      id,
      repo_owner: body.repo_owner,
      repo_name: body.repo_name,
      pr_number: body.pr_number,
      start_time: start,
      end_time: null,
      status: "active",
      updated_at: nowMs,
    },
  ]);
  const row = await getActiveSession(c.env.DB, user.id, id);
  if (!row) throw new Error("session vanished after start");
  return c.json({ session: toWire(row) }, 201);
});

// The body is optional ({} or none means "end now, completed"), so it is read
// here rather than by the json validator, which requires a body.
sessions.patch("/:id/end", limitBody(MAX_BODY_BYTES), validate("param", sessionParam), async (c) => {
  const user = c.var.user;
  const id = c.req.valid("param").id.toLowerCase();
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, "bad_request", "body is not valid JSON");
    }
  }
  const parsed = endBody.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, "bad_request", describeIssues(parsed.error));
  const body = parsed.data;

  const nowMs = Date.now();
  const row = await findSession(c.env.DB, user.id, id, Math.floor(nowMs / 1000));
  if (!row) throw new ApiError(404, "not_found", "no such session");
  if (row.status !== "active") return c.json({ session: toWire(row) });
  const end = body.end_time ? Math.floor(parseUTC(body.end_time)! / 1000) : Math.floor(nowMs / 1000);
  if (end < row.start_time) throw new ApiError(400, "bad_request", "end_time: before the session's start_time");
  if (end - row.start_time > MAX_SESSION_SECONDS) throw new ApiError(400, "bad_request", "end_time: session would be longer than 31 days");
  const ended: SessionRow = { ...row, end_time: end, status: body.status ?? "completed", updated_at: Math.max(nowMs, row.updated_at + 1) };
  const { seq } = await writeSessions(c.env.DB, user.id, row.device_id, [ended]);
  return c.json({ session: toWire({ ...ended, seq }) });
});

// Newest start first. `next` is the cursor of the page's last session (null
// after the last page): `before=next` continues from there reading only the
// next page, where `offset` reads every row before it too.
sessions.get("/", validate("query", listQuery), async (c) => {
  const { limit, offset, before } = c.req.valid("query");
  const rows = await listSessions(c.env.DB, c.var.user.id, limit + 1, offset, before);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next = rows.length > limit && last ? listCursor(last.start_time, uuidHex(last.id)) : null;
  return c.json({ sessions: page.map(toWire), limit, offset, next });
});
