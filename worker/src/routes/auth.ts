// Sign-in and sign-out: the GitHub web flow (login redirect + callback with
// state), the desktop flow (a GitHub token obtained with the device flow),
// the development-only login and logout.
import { Hono, type Context } from "hono";
import { allowedRedirectUri, githubOAuthBase, jwtTtlSeconds, type AppEnv } from "../env";
import { ApiError, errorResponse } from "../errors";
import { checkAppToken, exchangeCode, fetchUser, type GitHubUser } from "../github";
import { issueToken } from "../jwt";
import { limitBody, rateLimitPerAddress, verifiedClaims } from "../middleware";
import { authUser, consumeOAuthState, readOAuthState, revokeToken, saveOAuthState, upsertUser, type UserRow } from "../queries";
import { shardDB, userShard } from "../shards";
import { callbackBody, devLoginBody, loginQuery, MAX_BODY_BYTES, relayQuery, tokenBody, validate } from "../schemas";

const STATE_TTL_SECONDS = 600;

function randomState(): string {
  const b = new Uint8Array(24);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function userJSON(u: UserRow) {
  return { id: u.id, login: u.login, email: u.email, avatar_url: u.avatar_url, time_zone: u.time_zone };
}

async function signedIn(c: Context<AppEnv>, { user, shard }: { user: UserRow; shard: number }) {
  const now = Math.floor(Date.now() / 1000);
  const { jwt, claims } = await issueToken(c.env.JWT_SECRET, { ...user, shard }, now, jwtTtlSeconds(c.env));
  c.header("Cache-Control", "no-store");
  return c.json({ jwt, expires_at: new Date(claims.exp * 1000).toISOString(), user: userJSON(user) });
}

/**
 * Creates or refreshes the user on their shard (src/shards.ts: the directory
 * is read, and written for a new user, only when there is more than one).
 */
async function upsertOnShard(
  c: Context<AppEnv>,
  u: { githubUserId: string; login: string; email: string | null; avatarUrl: string | null; timeZone?: string },
): Promise<{ user: UserRow; shard: number }> {
  const shard = await userShard(c.env, u.githubUserId);
  c.set("shard", shard);
  return { user: await upsertUser(shardDB(c.env, shard), u), shard };
}

function upsertGitHubUser(c: Context<AppEnv>, gh: GitHubUser) {
  return upsertOnShard(c, { githubUserId: String(gh.id), login: gh.login, email: gh.email, avatarUrl: gh.avatar_url });
}

export const auth = new Hono<AppEnv>();

auth.use("*", rateLimitPerAddress, limitBody(MAX_BODY_BYTES));

// The web flow, in three steps, with the worker as GitHub's one callback URL:
// whatever browser or extension signs in, the OAuth app registers
// <worker>/auth/github/callback, and the worker relays GitHub's answer to
// the redirect URI the sign-in started with (docs/sync.md, "Web sign-in").
// GitHub allows a single callback host per OAuth app
// (https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#redirect-urls),
// and Chromium (https://<id>.chromiumapp.org/) and Firefox
// (https://<hash>.extensions.allizom.org/) listen on different ones.

/** callbackUrl is the URL GitHub sends the browser back to: this worker's relay. */
function callbackUrl(c: Context<AppEnv>): string {
  return new URL("/auth/github/callback", c.req.url).toString();
}

// Step 1: remember a fresh state with the extension's redirect URI (a D1
// row, 10 minutes) and send the browser to GitHub. Only an allowed
// extension's redirect URI (or a configured one) is accepted.
auth.get("/github/login", validate("query", loginQuery), async (c) => {
  if (!c.env.GITHUB_CLIENT_ID) throw new ApiError(500, "internal", "GitHub sign-in is not configured");
  const { redirect_uri } = c.req.valid("query");
  if (!allowedRedirectUri(c.env, redirect_uri)) {
    return errorResponse(c, 400, "bad_request", "redirect_uri is not an allowed extension's (https://<id>.chromiumapp.org/...) or a configured one");
  }
  const state = randomState();
  const now = Math.floor(Date.now() / 1000);
  await saveOAuthState(c.env.DB, state, redirect_uri, now + STATE_TTL_SECONDS, now);
  const url = new URL(`${githubOAuthBase(c.env)}/login/oauth/authorize`);
  url.searchParams.set("client_id", c.env.GITHUB_CLIENT_ID);
  url.searchParams.set("scope", "read:user user:email");
  url.searchParams.set("state", state);
  url.searchParams.set("redirect_uri", callbackUrl(c));
  c.header("Cache-Control", "no-store");
  return c.redirect(url.toString(), 302);
});

// Step 2: GitHub sends the browser here with code and state (or error,
// error_description and state when the user cancelled); the browser goes on
// to the redirect URI the state was issued for, with the same parameters.
// The state is read, not consumed: step 3 consumes it.
auth.get("/github/callback", validate("query", relayQuery), async (c) => {
  const q = c.req.valid("query");
  const saved = await readOAuthState(c.env.DB, q.state, Math.floor(Date.now() / 1000));
  if (saved === null) return errorResponse(c, 400, "bad_request", "unknown, used or expired state: start the sign-in again");
  const to = new URL(saved.redirect_uri);
  if (q.code !== undefined) {
    to.searchParams.set("code", q.code);
  } else {
    to.searchParams.set("error", q.error ?? "");
    if (q.error_description !== undefined) to.searchParams.set("error_description", q.error_description);
  }
  to.searchParams.set("state", q.state);
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.redirect(to.toString(), 302);
});

// Step 3: the extension posts code and state. The state must be one we
// issued, consumed atomically (of two callbacks racing with it, one wins),
// then the code is exchanged and the user upserted.
auth.post("/github/callback", validate("json", callbackBody), async (c) => {
  const { code, state } = c.req.valid("json");
  if (!(await consumeOAuthState(c.env.DB, state, Math.floor(Date.now() / 1000)))) {
    return errorResponse(c, 400, "bad_request", "unknown, used or expired state");
  }
  const token = await exchangeCode(c.env, code, callbackUrl(c));
  const gh = await fetchUser(c.env, token);
  return signedIn(c, await upsertGitHubUser(c, gh));
});

// Desktop flow: the daemon signs in with the device flow and trades the token.
// The token must have been issued to this OAuth app (GitHub's token check):
// a token of another app or a personal access token could otherwise sign in
// as its owner. The check comes first, so such a token never reaches /user.
auth.post("/github/token", validate("json", tokenBody), async (c) => {
  const { access_token } = c.req.valid("json");
  const appUserId = await checkAppToken(c.env, access_token);
  const gh = await fetchUser(c.env, access_token);
  if (gh.id !== appUserId) throw new ApiError(502, "bad_gateway", "GitHub's token check and /user disagree about the user");
  return signedIn(c, await upsertGitHubUser(c, gh));
});

// Development only: a JWT for any login, without GitHub. 404 unless DEV_LOGIN=1.
auth.post(
  "/dev/login",
  async (c, next) => {
    if (c.env.DEV_LOGIN !== "1") return errorResponse(c, 404, "not_found", "not found");
    await next();
  },
  validate("json", devLoginBody),
  async (c) => {
    const { login, time_zone } = c.req.valid("json");
    return signedIn(
      c,
      await upsertOnShard(c, { githubUserId: `dev:${login.toLowerCase()}`, login, email: null, avatarUrl: null, timeZone: time_zone }),
    );
  },
);

// Logout: the token's jti is refused until the token would have expired (a
// D1 row, read with the user on every request; consistent at once). A token
// that is already dead (revoked, or of a deleted user) is read, not written:
// 204 again, since what the caller asked for holds.
auth.post("/logout", async (c) => {
  const claims = await verifiedClaims(c);
  c.set("shard", claims.shard);
  const db = shardDB(c.env, claims.shard);
  const user = await authUser(db, Number(claims.sub), claims.jti);
  if (user && !user.revoked) {
    await revokeToken(db, Number(claims.sub), claims.jti, claims.exp, Math.floor(Date.now() / 1000));
  }
  return c.body(null, 204);
});
