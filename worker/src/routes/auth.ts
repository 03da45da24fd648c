// Sign-in and sign-out: the GitHub web flow (login redirect + callback with
// state), the desktop flow (a GitHub token obtained with the device flow),
// the development-only login and logout.
import { Hono, type Context } from "hono";
import { githubOAuthBase, jwtTtlSeconds, type AppEnv } from "../env";
import { ApiError, errorResponse } from "../errors";
import { exchangeCode, fetchUser, type GitHubUser } from "../github";
import { issueToken, verifyToken } from "../jwt";
import { bearerToken, limitBody, rateLimitPerAddress } from "../middleware";
import { revokeToken, upsertUser, type UserRow } from "../queries";
import { callbackBody, devLoginBody, loginQuery, MAX_BODY_BYTES, tokenBody, validate } from "../schemas";

const STATE_TTL_SECONDS = 600;

function stateKey(state: string) {
  return `oauth-state:${state}`;
}

function randomState(): string {
  const b = new Uint8Array(24);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function userJSON(u: UserRow) {
  return { id: u.id, login: u.login, email: u.email, avatar_url: u.avatar_url, time_zone: u.time_zone };
}

async function signedIn(c: Context<AppEnv>, user: UserRow) {
  const now = Math.floor(Date.now() / 1000);
  const { jwt, claims } = await issueToken(c.env.JWT_SECRET, user, now, jwtTtlSeconds(c.env));
  c.header("Cache-Control", "no-store");
  return c.json({ jwt, expires_at: new Date(claims.exp * 1000).toISOString(), user: userJSON(user) });
}

function upsertGitHubUser(c: Context<AppEnv>, gh: GitHubUser) {
  return upsertUser(c.env.DB, { githubUserId: String(gh.id), login: gh.login, email: gh.email, avatarUrl: gh.avatar_url });
}

export const auth = new Hono<AppEnv>();

auth.use("*", rateLimitPerAddress, limitBody(MAX_BODY_BYTES));

// Web flow, step 1: remember a fresh state and send the browser to GitHub.
auth.get("/github/login", validate("query", loginQuery), async (c) => {
  if (!c.env.GITHUB_CLIENT_ID) throw new ApiError(500, "internal", "GitHub sign-in is not configured");
  const { redirect_uri } = c.req.valid("query");
  const state = randomState();
  await c.env.KV.put(stateKey(state), JSON.stringify({ redirect_uri: redirect_uri ?? null }), {
    expirationTtl: STATE_TTL_SECONDS,
  });
  const url = new URL(`${githubOAuthBase(c.env)}/login/oauth/authorize`);
  url.searchParams.set("client_id", c.env.GITHUB_CLIENT_ID);
  url.searchParams.set("scope", "read:user user:email");
  url.searchParams.set("state", state);
  if (redirect_uri) url.searchParams.set("redirect_uri", redirect_uri);
  c.header("Cache-Control", "no-store");
  return c.redirect(url.toString(), 302);
});

// Web flow, step 2: the state must be one we issued (used once), then the code
// is exchanged and the user upserted.
auth.post("/github/callback", validate("json", callbackBody), async (c) => {
  const { code, state } = c.req.valid("json");
  const saved = await c.env.KV.get(stateKey(state));
  if (saved === null) return errorResponse(c, 400, "bad_request", "unknown or expired state");
  await c.env.KV.delete(stateKey(state));
  let redirectUri: string | null = null;
  try {
    redirectUri = (JSON.parse(saved) as { redirect_uri?: string | null }).redirect_uri ?? null;
  } catch {
    redirectUri = null;
  }
  const token = await exchangeCode(c.env, code, redirectUri);
  const gh = await fetchUser(c.env, token);
  return signedIn(c, await upsertGitHubUser(c, gh));
});

// Desktop flow: the daemon signs in with the device flow and trades the token.
auth.post("/github/token", validate("json", tokenBody), async (c) => {
  const { access_token } = c.req.valid("json");
  const gh = await fetchUser(c.env, access_token);
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
    const user = await upsertUser(c.env.DB, {
      githubUserId: `dev:${login.toLowerCase()}`,
      login,
      email: null,
      avatarUrl: null,
      timeZone: time_zone,
    });
    return signedIn(c, user);
  },
);

// Logout: the token's jti is refused until the token would have expired (a
// D1 row, read with the user on every request; consistent at once).
auth.post("/logout", async (c) => {
  const claims = await verifyToken(c.env.JWT_SECRET, bearerToken(c.req.header("Authorization")));
  await revokeToken(c.env.DB, Number(claims.sub), claims.jti, claims.exp, Math.floor(Date.now() / 1000));
  return c.body(null, 204);
});
