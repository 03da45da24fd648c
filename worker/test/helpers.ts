// Shared helpers of the worker tests: sign-in, requests, session builders.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
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

export { env };
