// The extension's online session API: start, end (idempotent), list.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { limitBody } from "../middleware";
import { getSession, listSessions } from "../queries";
import { describeIssues, endBody, listQuery, MAX_BODY_BYTES, MAX_SESSION_SECONDS, parseUTC, sessionParam, startBody, validate } from "../schemas";
import { toWire, writeSessions } from "../session-writes";

export const sessions = new Hono<AppEnv>();

const API_DEVICE = "api";

sessions.post("/start", limitBody(MAX_BODY_BYTES), validate("json", startBody), async (c) => {
  const user = c.var.user;
  const body = c.req.valid("json");
  const id = (body.session_id ?? crypto.randomUUID()).toLowerCase();
  if (body.session_id) {
    const existing = await getSession(c.env.DB, user.id, id);
    if (existing) return c.json({ session: toWire(existing) }, 200);
  }
  const nowMs = Date.now();
  const start = body.start_time ? Math.floor(parseUTC(body.start_time)! / 1000) : Math.floor(nowMs / 1000);
  const { foreign } = await writeSessions(c.env.DB, user.id, user.timeZone, body.device_id ?? API_DEVICE, [
    {
      id,
      repo_owner: body.repo_owner,
      repo_name: body.repo_name,
      pr_number: body.pr_number,
      start_time: start,
      end_time: null,
      duration_seconds: 0,
      status: "active",
      updated_at: nowMs,
    },
  ]);
  if (foreign.has(id)) throw new ApiError(409, "conflict", "session_id is already used");
  const row = await getSession(c.env.DB, user.id, id);
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

  const row = await getSession(c.env.DB, user.id, id);
  if (!row) throw new ApiError(404, "not_found", "no such session");
  if (row.status !== "active") return c.json({ session: toWire(row) });
  const nowMs = Date.now();
  const end = body.end_time ? Math.floor(parseUTC(body.end_time)! / 1000) : Math.floor(nowMs / 1000);
  if (end < row.start_time) throw new ApiError(400, "bad_request", "end_time: before the session's start_time");
  if (end - row.start_time > MAX_SESSION_SECONDS) throw new ApiError(400, "bad_request", "end_time: session would be longer than 31 days");
  await writeSessions(c.env.DB, user.id, user.timeZone, row.device_id, [
    {
      id: row.uuid,
      repo_owner: row.repo_owner,
      repo_name: row.repo_name,
      pr_number: row.pr_number,
      start_time: row.start_time,
      end_time: end,
      duration_seconds: end - row.start_time,
      status: body.status ?? "completed",
      updated_at: Math.max(nowMs, row.updated_at + 1),
    },
  ]);
  const fresh = await getSession(c.env.DB, user.id, id);
  if (!fresh) throw new Error("session vanished after end");
  return c.json({ session: toWire(fresh) });
});

sessions.get("/", validate("query", listQuery), async (c) => {
  const { limit, offset } = c.req.valid("query");
  const rows = await listSessions(c.env.DB, c.var.user.id, limit, offset);
  return c.json({ sessions: rows.map(toWire), limit, offset });
});
