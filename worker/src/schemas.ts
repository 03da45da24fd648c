// zod schemas of every body, query and param, and the validator that turns a
// failure into {error:{code:"bad_request", message}}.
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { ValidationTargets } from "hono";
import { canonicalTimeZone } from "./days";
import { errorBody } from "./errors";

export const MAX_PUSH_SESSIONS = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;
export const MAX_BODY_BYTES = 16 * 1024;
/**
 * Deepest page of GET /api/sessions by offset: such a listing reads offset +
 * limit rows. Paging with `before` (the previous page's `next`) reads only
 * its page, at any depth.
 */
export const MAX_LIST_OFFSET = 10_000;
/** A listing cursor: "k1." + start_time in base 36 + "." + the id's 32 hex digits. */
const LIST_CURSOR = /^k1\.([0-9a-z]{1,11})\.([0-9a-f]{32})$/;

/** The position a listing cursor names, or null if it is not one. */
export function parseListCursor(s: string): { start_time: number; id: string } | null {
  const m = LIST_CURSOR.exec(s);
  if (!m) return null;
  return { start_time: parseInt(m[1]!, 36), id: m[2]! };
}

/** The cursor of a listed session: the next page starts after it. */
export function listCursor(start_time: number, idHex: string): string {
  return `k1.${start_time.toString(36)}.${idHex}`;
}
/** Longest accepted session: bounds the per-day parts a push can produce. */
export const MAX_SESSION_SECONDS = 31 * 86400;

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses an RFC 3339 UTC time to unix milliseconds, or returns null. */
export function parseUTC(s: string): number | null {
  const m = RFC3339_UTC.exec(s);
  if (!m) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  // Date.parse accepts 2026-02-31; require the fields to round-trip.
  const d = new Date(ms);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() + 1 !== Number(m[2]) || d.getUTCDate() !== Number(m[3])) return null;
  if (d.getUTCHours() !== Number(m[4]) || d.getUTCMinutes() !== Number(m[5]) || d.getUTCSeconds() !== Number(m[6])) return null;
  return ms;
}

// 2000-01-01 .. 2200-01-01: anything outside is a client bug.
const MIN_TIME = 946684800;
const MAX_TIME = 7258118400;

export const utcTime = z.string().refine((s) => {
  const ms = parseUTC(s);
  return ms !== null && ms / 1000 >= MIN_TIME && ms / 1000 < MAX_TIME;
}, "must be an RFC 3339 UTC time like 2026-11-25T10:00:00Z");

export const uuid = z.string().regex(UUID, "must be a UUID");
export const repoOwner = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organization name");
export const repoName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository name")
  .refine((s) => s !== "." && s !== "..", "must be a GitHub repository name");
export const prNumber = z.number().int().min(1).max(2147483647);
export const deviceId = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");
/** An IANA zone, canonicalised ("europe/berlin" becomes "Europe/Berlin"). */
export const timeZone = z.string().transform((tz, ctx) => {
  const canonical = canonicalTimeZone(tz);
  if (canonical === null) {
    ctx.addIssue({ code: "custom", message: "must be an IANA time zone name like Europe/Berlin" });
    return z.NEVER;
  }
  return canonical;
});
export const status = z.enum(["active", "completed", "abandoned"]);

/** One session of a push, validated on its own so that a bad one is only rejected. */
export const pushSession = z
  .object({
    id: uuid,
    repo_owner: repoOwner,
    repo_name: repoName,
    pr_number: prNumber,
    start_time: utcTime,
    end_time: utcTime.nullable().optional(),
    duration_seconds: z.number().int().min(0).nullable().optional(),
    status,
    updated_at: utcTime,
    // The start_time the session had when the writer last saw it, sent when
    // it moved the session to another start (see "Moving a session").
    prev_start_time: utcTime.optional(),
  })
  .superRefine((s, ctx) => {
    const start = Math.floor(parseUTC(s.start_time)! / 1000);
    if (s.status === "active") {
      if (s.end_time != null) ctx.addIssue({ code: "custom", message: "an active session has no end_time", path: ["end_time"] });
      if (s.duration_seconds) ctx.addIssue({ code: "custom", message: "an active session has duration_seconds 0", path: ["duration_seconds"] });
      return;
    }
    if (s.end_time == null) {
      ctx.addIssue({ code: "custom", message: `a ${s.status} session needs end_time`, path: ["end_time"] });
      return;
    }
    const end = Math.floor(parseUTC(s.end_time)! / 1000);
    if (end < start) {
      ctx.addIssue({ code: "custom", message: "end_time is before start_time", path: ["end_time"] });
      return;
    }
    if (end - start > MAX_SESSION_SECONDS) {
      ctx.addIssue({ code: "custom", message: "session is longer than 31 days", path: ["end_time"] });
    }
    if (s.duration_seconds != null && s.duration_seconds !== end - start) {
      ctx.addIssue({ code: "custom", message: "duration_seconds must equal end_time - start_time", path: ["duration_seconds"] });
    }
  });
export type PushSession = z.infer<typeof pushSession>;

/**
 * One deletion of a push: the session's id, the start the writer last had
 * and, when the server may hold it at another (an edit not pushed yet moved
 * it), that start too; updated_at is the deletion's version.
 */
export const pushDeletion = z.object({
  id: uuid,
  start_time: utcTime,
  prev_start_time: utcTime.optional(),
  updated_at: utcTime,
});

export const pushBody = z
  .object({
    device_id: deviceId,
    time_zone: timeZone.optional(),
    since: z.string().max(64).optional(),
    sessions: z.array(z.unknown()).max(MAX_PUSH_SESSIONS, `at most ${MAX_PUSH_SESSIONS} sessions per push`),
    deleted: z.array(z.unknown()).max(MAX_PUSH_SESSIONS, `at most ${MAX_PUSH_SESSIONS} sessions per push`).optional(),
  })
  .refine((b) => b.sessions.length + (b.deleted?.length ?? 0) <= MAX_PUSH_SESSIONS, `at most ${MAX_PUSH_SESSIONS} sessions per push`);

export const pullQuery = z.object({
  since: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const startBody = z.object({
  repo_owner: repoOwner,
  repo_name: repoName,
  pr_number: prNumber,
  session_id: uuid.optional(),
  device_id: deviceId.optional(),
  start_time: utcTime.optional(),
});

export const endBody = z
  .object({
    end_time: utcTime.optional(),
    status: z.enum(["completed", "abandoned"]).optional(),
  })
  .default({});

export const sessionParam = z.object({ id: uuid });

export const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(MAX_LIST_OFFSET).default(0),
    before: z
      .string()
      .transform((s, ctx) => {
        const c = parseListCursor(s);
        if (!c) ctx.addIssue({ code: "custom", message: "not a listing cursor (use a page's next)" });
        return c ?? z.NEVER;
      })
      .optional(),
  })
  .refine((q) => q.before === undefined || q.offset === 0, { message: "before and offset cannot be combined", path: ["before"] });

export const dailyQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const repoParam = z.object({ owner: repoOwner, name: repoName });

export const devLoginBody = z.object({
  login: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub-style login"),
  time_zone: timeZone.optional(),
});

export const callbackBody = z.object({
  code: z.string().min(1).max(512),
  state: z.string().min(16).max(128),
});

export const tokenBody = z.object({
  access_token: z.string().min(1).max(1024),
});

export const loginQuery = z.object({
  redirect_uri: z.string().url().max(512),
});

/** GitHub's redirect to the callback: code and state, or its error and state. */
export const relayQuery = z
  .object({
    code: z.string().min(1).max(512).optional(),
    state: z.string().min(16).max(128),
    error: z.string().min(1).max(128).optional(),
    error_description: z.string().max(1024).optional(),
  })
  .refine((q) => (q.code === undefined) !== (q.error === undefined), { message: "exactly one of code and error is required" });

/** Describes the first issue of a failed parse in one line. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.length ? issue.path.map(String).join(".") + ": " : "";
  return path + issue.message;
}

/** zValidator with the API's error shape. */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      return c.json(errorBody("bad_request", describeIssues(result.error)), 400);
    }
  });
}

export const meBody = z.object({ time_zone: timeZone });
