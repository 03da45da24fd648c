// Bindings, vars and per-request variables of the worker.

import { ExtensionIDPattern } from "../../internal/api/api.gen";

/** Bindings and vars; see wrangler.jsonc and .dev.vars.example. */
export interface Bindings {
  /** Shard 0: its users and sessions, and the shard directory (src/shards.ts). */
  DB: D1Database;
  /** Shards 1 … 63 (src/shards.ts): bound without gaps after DB. */
  [shard: `DB_${number}`]: D1Database | undefined;
  /**
   * Comma-separated shard numbers that take new users (src/shards.ts);
   * default every shard. Users already assigned never move.
   */
  NEW_USER_SHARDS?: string;
  KV: KVNamespace;
  /** 100 requests / 60 s per user on /api/* (except /api/sync/*), per address on /auth/*. */
  RATE_LIMITER: RateLimit;
  /**
   * 1,000 requests / 60 s per user on /api/sync/*. A deployment without this
   * binding limits sync with RATE_LIMITER instead.
   */
  SYNC_RATE_LIMITER?: RateLimit;
  JWT_SECRET: string;
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  GITHUB_OAUTH_BASE?: string;
  GITHUB_API_BASE?: string;
  /** Comma-separated origins allowed by CORS (the extension's). */
  ALLOWED_ORIGINS?: string;
  /**
   * Comma-separated redirect URIs the web sign-in accepts besides the
   * extensions' own (https://<id>.chromiumapp.org/..., ids from
   * ALLOWED_ORIGINS); exact matches.
   */
  ALLOWED_REDIRECT_URIS?: string;
  /** JWT lifetime in seconds; default 7 days. */
  JWT_TTL_SECONDS?: string;
  /** "1" enables POST /auth/dev/login. */
  DEV_LOGIN?: string;
  /** "1" adds the Worktime-Cost header to every response (local runs and tests only). */
  COST_HEADER?: string;
}

/** The signed-in user, set by the auth middleware. */
export interface AuthUser {
  id: number;
  login: string;
  email: string | null;
  avatarUrl: string | null;
  timeZone: string;
  /** The user's longest ended session in seconds (bounds the stats read). */
  maxSpan: number;
  jti: string;
  exp: number;
}

export interface Variables {
  user: AuthUser;
  /** The shard the request's user lives on, once known (logged per request). */
  shard: number;
  /** Shard 0's database, home of the shard directory (set with user; c.env.DB is then the user's shard). */
  directory: D1Database;
}

export type AppEnv = { Bindings: Bindings; Variables: Variables };

export const DEFAULT_JWT_TTL_SECONDS = 7 * 24 * 3600;

export function jwtTtlSeconds(env: Bindings): number {
  const raw = env.JWT_TTL_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_JWT_TTL_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) return DEFAULT_JWT_TTL_SECONDS;
  return n;
}

export function githubOAuthBase(env: Bindings): string {
  return (env.GITHUB_OAUTH_BASE || "https://github.com").replace(/\/+$/, "");
}

export function githubApiBase(env: Bindings): string {
  return (env.GITHUB_API_BASE || "https://api.github.com").replace(/\/+$/, "");
}

function commaList(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "" && s !== "*");
}

export function allowedOrigins(env: Bindings): string[] {
  return commaList(env.ALLOWED_ORIGINS);
}

const EXTENSION_ORIGIN = new RegExp(`^chrome-extension://(${ExtensionIDPattern})$`);

/**
 * Whether the web sign-in may send GitHub's code to uri: an https URL on the
 * chromiumapp.org host of an allowed extension (what chrome.identity's
 * launchWebAuthFlow listens on; no port, no user info), or one of
 * ALLOWED_REDIRECT_URIS exactly. Anything else (javascript:, another
 * extension's host, a look-alike host) is refused.
 */
export function allowedRedirectUri(env: Bindings, uri: string): boolean {
  if (commaList(env.ALLOWED_REDIRECT_URIS).includes(uri)) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" || url.port !== "" || url.username !== "" || url.password !== "") return false;
  return allowedOrigins(env).some((origin) => {
    const m = EXTENSION_ORIGIN.exec(origin);
    return m !== null && url.hostname === `${m[1]}.chromiumapp.org`;
  });
}
