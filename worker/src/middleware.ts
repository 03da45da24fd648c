// Middleware shared by the routes: CORS, authentication, rate limiting,
// body limits and caching headers. Each is built per request from c.env.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { allowedOrigins, type AppEnv } from "./env";
import { ApiError, errorResponse } from "./errors";
import { verifyToken, type TokenClaims } from "./jwt";
import { authUser } from "./queries";
import { shardDB } from "./shards";

/** CORS for the configured extension origins only; other origins get no CORS headers. */
export const corsForExtensions: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: allowedOrigins(c.env),
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  })(c, next);

/** The KV key under which earlier versions kept a logged-out token. */
export function revokedKey(jti: string): string {
  return `revoked:${jti}`;
}

/** Extracts the bearer token or throws 401. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new ApiError(401, "unauthorized", "missing Authorization header");
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header);
  if (!m) throw new ApiError(401, "unauthorized", "Authorization must be 'Bearer <jwt>'");
  return m[1]!;
}

/** The client's address as Cloudflare reports it ("local" in local runs). */
function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "local";
}

/**
 * Counts a failed authentication against the client address's budget
 * (RATE_LIMITER, key authfail:<address>, 100 a minute) and returns what to
 * answer: err, or 429 once the address has failed too often. Valid tokens
 * never touch this budget, so a shared address is not throttled by it.
 */
async function failedAuth(c: Context<AppEnv>, err: ApiError): Promise<ApiError> {
  const { success } = await c.env.RATE_LIMITER.limit({ key: `authfail:${clientAddress(c)}` });
  return success ? err : new ApiError(429, "rate_limited", "too many failed authentications, slow down");
}

/**
 * The claims of the request's bearer token, verified (signature, expiry,
 * shape; no D1). A missing, malformed or bad token counts as a failed
 * authentication of the client's address.
 */
export async function verifiedClaims(c: Context<AppEnv>): Promise<TokenClaims> {
  try {
    return await verifyToken(c.env.JWT_SECRET, bearerToken(c.req.header("Authorization")));
  } catch (err) {
    if (err instanceof ApiError) throw await failedAuth(c, err);
    throw err;
  }
}

/**
 * The per-user limiter of a request: bulk sync (/api/sync/*) has its own
 * budget (SYNC_RATE_LIMITER, 1,000 requests a minute), every other /api route
 * shares RATE_LIMITER (100 a minute).
 */
export function userRateLimit(env: AppEnv["Bindings"], path: string, claims: Pick<TokenClaims, "sub" | "shard">): Promise<RateLimitOutcome> {
  // User ids are unique within a shard: the key of a user past shard 0 names the shard.
  const user = claims.shard === 0 ? claims.sub : `${claims.shard}.${claims.sub}`;
  if (path === "/api/sync" || path.startsWith("/api/sync/")) {
    return (env.SYNC_RATE_LIMITER ?? env.RATE_LIMITER).limit({ key: `sync:${user}` });
  }
  return env.RATE_LIMITER.limit({ key: `user:${user}` });
}

/**
 * Requires a valid, unexpired, non-revoked JWT of an existing user, sets
 * c.var.user and applies the user's rate limit (userRateLimit). From here on
 * c.env.DB is the user's shard (the token names it; src/shards.ts), so every
 * route reads and writes that shard only. Built per
 * request: the secret comes from c.env. The user and the token's revocation
 * are one D1 query, run concurrently with the limiter; nothing is written.
 * KV is read only for a token issued before the upgrade that moved
 * revocations into D1 (kv_revoked_before), which earlier versions may have
 * revoked there: such tokens expire within JWT_TTL_SECONDS of the upgrade.
 * Every failed authentication counts against the client address (failedAuth):
 * a token that fails verification costs no D1 query, and once an address has
 * failed 100 times in a minute it is answered 429.
 */
export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const claims = await verifiedClaims(c);
  c.set("directory", c.env.DB);
  c.set("shard", claims.shard);
  c.env = { ...c.env, DB: shardDB(c.env, claims.shard) };
  const [user, limit] = await Promise.all([
    authUser(c.env.DB, Number(claims.sub), claims.jti),
    userRateLimit(c.env, c.req.path, claims),
  ]);
  if (!user) throw await failedAuth(c, new ApiError(401, "unauthorized", "user no longer exists"));
  if (user.revoked) throw await failedAuth(c, new ApiError(401, "unauthorized", "token revoked"));
  if (claims.iat < user.kv_revoked_before && (await c.env.KV.get(revokedKey(claims.jti))) !== null) {
    throw await failedAuth(c, new ApiError(401, "unauthorized", "token revoked"));
  }
  if (!limit.success) return errorResponse(c, 429, "rate_limited", "too many requests, slow down");
  c.set("user", {
    id: user.id,
    login: user.login,
    email: user.email,
    avatarUrl: user.avatar_url,
    timeZone: user.time_zone,
    maxSpan: user.max_span,
    jti: claims.jti,
    exp: claims.exp,
  });
  await next();
};

/** The sign-in routes are limited per client address, before any other work. */
export const rateLimitPerAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { success } = await c.env.RATE_LIMITER.limit({ key: `ip:${clientAddress(c)}` });
  if (!success) return errorResponse(c, 429, "rate_limited", "too many requests, slow down");
  await next();
};

/** Per-user responses must never be stored by a shared cache. */
export const privateNoStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("Cache-Control", "private, no-store");
  c.header("Vary", "Authorization", { append: true });
};

/** Refuses bodies above maxSize before they are parsed (Content-Length or streamed count). */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: (c) => errorResponse(c, 413, "too_large", `request body is larger than ${maxSize} bytes`),
  });
}
