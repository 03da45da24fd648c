/**
 * Direct mode's account: the server URL, the sign-in through the worker's
 * GitHub web flow, the stored JWT and the checks of what the worker answers.
 * Pure functions; src/direct.ts does the fetches and the storage.
 */

import type { PushReply } from "./queue.js";

/** Where the extension's trackers' commands go: the companion when it answers, or always the server. */
export type Mode = "auto" | "direct";

export interface Account {
  server: string;
  jwt: string;
  /** RFC 3339, the token's expiry */
  expiresAt: string;
  login: string;
}

/** The chrome.storage.local keys of direct mode (docs/extension.md, "Direct mode"). */
export const KEYS = {
  mode: "direct.mode",
  server: "direct.server",
  account: "direct.account",
  deviceId: "direct.deviceId",
  queue: "direct.queue",
} as const;

export function readMode(stored: Record<string, unknown> | undefined): Mode {
  return stored?.[KEYS.mode] === "direct" ? "direct" : "auto";
}

/**
 * parseServerUrl checks the Settings page's server field: an https URL, or
 * http on the loopback address for a local worker. It returns the origin
 * (no path, no trailing slash) or an error for the user.
 */
export function parseServerUrl(input: string): { server: string } | { error: string } {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    return { error: "Enter the server's address, such as https://worktime.example.workers.dev." };
  }
  const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    return { error: "The server's address must start with https:// (http:// only for 127.0.0.1)." };
  }
  if (u.username || u.password || u.search || u.hash || (u.pathname !== "/" && u.pathname !== "")) {
    return { error: "Enter only the server's address, without a path or query." };
  }
  return { server: u.origin };
}

/** originPattern is the host permission the extension asks for to reach server. */
export function originPattern(server: string): string {
  const u = new URL(server);
  return `${u.protocol}//${u.hostname}/*`;
}

/** loginUrl is where launchWebAuthFlow starts: the worker's GitHub login, returning to redirectUri. */
export function loginUrl(server: string, redirectUri: string): string {
  const u = new URL("/auth/github/login", server);
  u.searchParams.set("redirect_uri", redirectUri);
  return u.toString();
}

/**
 * parseRedirect reads the URL GitHub sent the browser back to: code and
 * state, or GitHub's error (the user denied access) in words.
 */
export function parseRedirect(responseUrl: string, redirectUri: string): { code: string; state: string } | { error: string } {
  let u: URL;
  try {
    u = new URL(responseUrl);
  } catch {
    return { error: "the sign-in returned no address" };
  }
  if (!responseUrl.startsWith(redirectUri)) return { error: "the sign-in returned to an unexpected address" };
  const err = u.searchParams.get("error");
  if (err) return { error: `GitHub refused the sign-in: ${u.searchParams.get("error_description") || err}` };
  const code = u.searchParams.get("code");
  const state = u.searchParams.get("state");
  if (!code || !state) return { error: "the sign-in returned no code" };
  return { code, state };
}

const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** parseSignIn checks the worker's {jwt, expires_at, user} reply to a sign-in. */
export function parseSignIn(server: string, body: unknown): Account {
  if (!obj(body) || typeof body.jwt !== "string" || body.jwt === "" || typeof body.expires_at !== "string" || !obj(body.user)) {
    throw new Error("sign-in: the server's reply has no token");
  }
  const login = body.user.login;
  if (typeof login !== "string") throw new Error("sign-in: the server's reply names no user");
  if (Number.isNaN(Date.parse(body.expires_at))) throw new Error("sign-in: the server's reply has no valid expiry");
  return { server, jwt: body.jwt, expiresAt: body.expires_at, login };
}

/** readAccount returns the stored account, or null when there is none or it has expired. */
export function readAccount(stored: Record<string, unknown> | undefined, now: number): Account | null {
  const a = stored?.[KEYS.account];
  if (!obj(a)) return null;
  const { server, jwt, expiresAt, login } = a;
  if (typeof server !== "string" || typeof jwt !== "string" || typeof expiresAt !== "string" || typeof login !== "string") return null;
  const exp = Date.parse(expiresAt);
  if (Number.isNaN(exp) || exp <= now) return null;
  return { server, jwt, expiresAt, login };
}

/**
 * hasAccount tells whether the user signed in, even if the token has expired
 * since: direct mode keeps recording into the queue, and only pushing waits
 * for the next sign-in.
 */
export function hasAccount(stored: Record<string, unknown> | undefined): boolean {
  return readAccount(stored, Number.NEGATIVE_INFINITY) !== null;
}

/** parsePushReply checks POST /api/sync/push's reply before the queue trusts it. */
export function parsePushReply(body: unknown): PushReply {
  if (!obj(body) || !Array.isArray(body.accepted) || !Array.isArray(body.rejected)) {
    throw new Error("push: the server's reply has no accepted and rejected lists");
  }
  const accepted = body.accepted.filter((x): x is string => typeof x === "string");
  const rejected = body.rejected
    .filter(obj)
    .filter((r) => typeof r.id === "string")
    .map((r) => ({ id: r.id as string, error: typeof r.error === "string" ? r.error : "rejected" }));
  return { accepted, rejected };
}
