// GitHub's OAuth token exchange, the app's token check and /user, at the
// configured base URLs.
import { githubApiBase, githubOAuthBase, type Bindings } from "./env";
import { ApiError } from "./errors";

export interface GitHubUser {
  id: number;
  login: string;
  email: string | null;
  avatar_url: string | null;
}

const USER_AGENT = "worktime-worker";

/**
 * Exchanges a web-flow code for an access token (JSON in, JSON out);
 * redirectUri is the one the authorize request carried, as GitHub requires.
 */
export async function exchangeCode(env: Bindings, code: string, redirectUri: string): Promise<string> {
  const { clientId, clientSecret } = requireAppCredentials(env);
  const body: Record<string, string> = {
    client_id: clientId,
    client_secret: clientSecret,
    code,
    redirect_uri: redirectUri,
  };
  let res: Response;
  try {
    res = await fetch(`${githubOAuthBase(env)}/login/oauth/access_token`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "User-Agent": USER_AGENT },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(502, "bad_gateway", "GitHub could not be reached");
  }
  const data = (await res.json().catch(() => null)) as { access_token?: unknown; error?: unknown } | null;
  if (!res.ok || !data) throw new ApiError(502, "bad_gateway", `GitHub token exchange failed (HTTP ${res.status})`);
  if (typeof data.error === "string") {
    // GitHub answers 200 with {"error":"bad_verification_code",...}.
    throw new ApiError(401, "unauthorized", `GitHub refused the code: ${data.error.replace(/[^a-z_]/g, "")}`);
  }
  if (typeof data.access_token !== "string" || data.access_token === "") {
    throw new ApiError(502, "bad_gateway", "GitHub returned no access token");
  }
  return data.access_token;
}

function requireAppCredentials(env: Bindings): { clientId: string; clientSecret: string } {
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) {
    throw new ApiError(500, "internal", "GitHub sign-in is not configured");
  }
  return { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET };
}

/**
 * Whether a 403 or 429 from GitHub's REST API is a rate limit rather than a
 * refusal of the credentials: the primary limit answers with
 * x-ratelimit-remaining 0, a secondary limit with retry-after or a message
 * naming it ("You have exceeded a secondary rate limit").
 */
export async function isRateLimited(res: Response): Promise<boolean> {
  if (res.status === 429) return true;
  if (res.status !== 403) return false;
  if (res.headers.get("x-ratelimit-remaining") === "0" || res.headers.has("retry-after")) return true;
  const body = (await res.clone().json().catch(() => null)) as { message?: unknown } | null;
  return typeof body?.message === "string" && /rate limit/i.test(body.message);
}

/**
 * The error for a GitHub reply that is a rate limit: GitHub is unavailable to
 * us for a while (502, as when it is unreachable), the token is not at fault.
 */
function rateLimitedError(): ApiError {
  return new ApiError(502, "bad_gateway", "GitHub's API rate limit is exhausted; try again in a few minutes");
}

/**
 * Checks that accessToken was issued to this OAuth app (GitHub's "Check a
 * token", POST /applications/{client_id}/token with the app's client id and
 * secret as basic auth; https://docs.github.com/rest/apps/oauth-applications#check-a-token).
 * A token of another app, a personal access token or a revoked token is a
 * 404 there (422 for a malformed one), and a 401 here. Returns the token's
 * GitHub user id.
 */
export async function checkAppToken(env: Bindings, accessToken: string): Promise<number> {
  const { clientId, clientSecret } = requireAppCredentials(env);
  let res: Response;
  try {
    res = await fetch(`${githubApiBase(env)}/applications/${encodeURIComponent(clientId)}/token`, {
      method: "POST",
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Api-Version": "2022-11-28",
      },
      body: JSON.stringify({ access_token: accessToken }),
    });
  } catch {
    throw new ApiError(502, "bad_gateway", "GitHub could not be reached");
  }
  if (await isRateLimited(res)) throw rateLimitedError();
  if (res.status === 404 || res.status === 422) {
    throw new ApiError(401, "unauthorized", "GitHub rejected the access token: it was not issued to this app's OAuth app");
  }
  if (res.status === 401 || res.status === 403) {
    // Our own client id or secret is wrong: nothing the user can fix.
    throw new ApiError(502, "bad_gateway", `GitHub refused the app's credentials (HTTP ${res.status}); check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET`);
  }
  if (!res.ok) throw new ApiError(502, "bad_gateway", `GitHub's token check failed (HTTP ${res.status})`);
  const body = (await res.json().catch(() => null)) as { user?: { id?: unknown } | null } | null;
  if (!body || typeof body.user?.id !== "number") {
    throw new ApiError(502, "bad_gateway", "GitHub's token check returned an unexpected body");
  }
  return body.user.id;
}

/** Fetches the token's user; a 401 (or a 403 that is not a rate limit) from GitHub is a 401 here. */
export async function fetchUser(env: Bindings, accessToken: string): Promise<GitHubUser> {
  let res: Response;
  try {
    res = await fetch(`${githubApiBase(env)}/user`, {
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${accessToken}`,
        "User-Agent": USER_AGENT,
        "X-GitHub-Api-Version": "2022-11-28",
      },
    });
  } catch {
    throw new ApiError(502, "bad_gateway", "GitHub could not be reached");
  }
  if (await isRateLimited(res)) throw rateLimitedError();
  if (res.status === 401 || res.status === 403) {
    throw new ApiError(401, "unauthorized", "GitHub rejected the access token");
  }
  if (!res.ok) throw new ApiError(502, "bad_gateway", `GitHub /user failed (HTTP ${res.status})`);
  const u = (await res.json().catch(() => null)) as Partial<GitHubUser> | null;
  if (!u || typeof u.id !== "number" || typeof u.login !== "string") {
    throw new ApiError(502, "bad_gateway", "GitHub /user returned an unexpected body");
  }
  return {
    id: u.id,
    login: u.login,
    email: typeof u.email === "string" ? u.email : null,
    avatar_url: typeof u.avatar_url === "string" ? u.avatar_url : null,
  };
}
