// Shared helpers of the worker tests: sign-in, requests, session builders.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { ZoneCalendar } from "../src/days";
import type { WireSession as StoredWireSession } from "../src/session-writes";

export const BASE = "http://worker.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

export function jsonInit(method: string, body: unknown, token?: string, extra: Record<string, string> = {}): RequestInit {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  return { method, headers, body: JSON.stringify(body) };
}

export function authed(token: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` } };
}

let loginCounter = 0;

/** Signs a fresh user in through the development login; returns the JWT. */
export async function signIn(login?: string, timeZone?: string): Promise<{ jwt: string; user: { id: number; login: string; time_zone: string } }> {
  const name = login ?? `user-${Date.now().toString(36)}-${++loginCounter}`;
  const res = await call("/auth/dev/login", jsonInit("POST", timeZone ? { login: name, time_zone: timeZone } : { login: name }));
  expect(res.status).toBe(200);
  return res.json();
}

export async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message).not.toMatch(/SQL|sqlite|at .*\.ts|stack/i);
  return body.error.message;
}

let uuidCounter = 0;
/** A UUIDv7-shaped id, unique within the test run. */
export function newId(): string {
  const n = (++uuidCounter).toString(16).padStart(12, "0");
  const r = crypto.randomUUID();
  return `${r.slice(0, 8)}-${r.slice(9, 13)}-7${r.slice(15, 18)}-8${r.slice(20, 23)}-${n}`;
}

/** A session as pushed (device_id is the push's) or as pulled. */
export type WireSession = Omit<StoredWireSession, "device_id"> & { device_id?: string; prev_start_time?: string };

/** An ended session [start, start+seconds) with updated_at = end + ms. */
export function ended(start: string, seconds: number, over: Partial<WireSession> = {}): WireSession {
  const s = Date.parse(start);
  const end = new Date(s + seconds * 1000).toISOString().replace(".000Z", "Z");
  return {
    id: newId(),
    repo_owner: "acme",
    repo_name: "web",
    pr_number: 7,
    start_time: start,
    end_time: end,
    duration_seconds: seconds,
    status: "completed",
    updated_at: new Date(s + seconds * 1000 + 123).toISOString(),
    ...over,
  };
}

export async function push(token: string, sessions: unknown[], extra: Record<string, unknown> = {}) {
  const res = await call("/api/sync/push", jsonInit("POST", { device_id: "dev-1", sessions, ...extra }, token));
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: string[]; rejected: { id: string; error: string }[]; cursor: string; changed: boolean };
}

export async function pullAll(token: string, since?: string, limit = 1000) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (since) q.set("since", since);
  const res = await call(`/api/sync/pull?${q}`, authed(token));
  expect(res.status).toBe(200);
  return (await res.json()) as { sessions: WireSession[]; cursor: string; more: boolean };
}

/**
 * The stats endpoints must equal the aggregate recomputed here from every
 * session the user has (pulled), split with ZoneCalendar in the user's zone.
 * Returns the number of (repo, date) keys.
 */
export async function expectStatsMatchSessions(jwt: string) {
  const me = (await (await call("/api/me", authed(jwt))).json()) as { user: { time_zone: string } };
  const cal = new ZoneCalendar(me.user.time_zone);
  const want = new Map<string, Map<string, { seconds: number; sessions: number }>>();
  const byDate = new Map<string, { seconds: number; sessions: number }>();
  const pulled = (await pullAll(jwt)).sessions;
  expect(new Set(pulled.map((s) => s.id)).size, "one row per session id").toBe(pulled.length);
  for (const s of pulled) {
    if (s.status === "active") continue;
    const repo = `${s.repo_owner}/${s.repo_name}`;
    if (!want.has(repo)) want.set(repo, new Map());
    for (const p of cal.split(Date.parse(s.start_time) / 1000, Date.parse(s.end_time!) / 1000)) {
      for (const m of [want.get(repo)!, byDate]) {
        const v = m.get(p.date) ?? { seconds: 0, sessions: 0 };
        v.seconds += p.seconds;
        v.sessions += p.counted;
        m.set(p.date, v);
      }
    }
  }
  const daily = (await (await call("/api/stats/daily?days=366", authed(jwt))).json()) as { days: { date: string; seconds: number; sessions: number }[] };
  const gotDays = new Map(daily.days.filter((d) => d.seconds > 0 || d.sessions > 0).map((d) => [d.date, { seconds: d.seconds, sessions: d.sessions }]));
  expect(gotDays).toEqual(byDate);
  let keys = 0;
  for (const [repo, days] of want) {
    const got = (await (await call(`/api/stats/repo/${repo}?days=366`, authed(jwt))).json()) as { days: { date: string; seconds: number; sessions: number; avg_session_seconds: number }[] };
    expect(new Map(got.days.map((d) => [d.date, { seconds: d.seconds, sessions: d.sessions }])), repo).toEqual(days);
    for (const d of got.days) expect(d.avg_session_seconds).toBe(Math.floor(d.seconds / Math.max(d.sessions, 1)));
    keys += days.size;
  }
  return keys;
}

export { env };
