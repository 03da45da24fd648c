// GitHub's OAuth token exchange and /user, at the configured base URLs.
import { githubApiBase, githubOAuthBase, type Bindings } from "./env";
import { ApiError } from "./errors";

export interface GitHubUser {
  id: number;
  login: string;
  email: string | null;
  avatar_url: string | null;
}

const USER_AGENT = "worktime-worker";

/** Exchanges a web-flow code for an access token (JSON in, JSON out). */
export async function exchangeCode(env: Bindings, code: string, redirectUri: string | null): Promise<string> {
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) {
    throw new ApiError(500, "internal", "GitHub sign-in is not configured");
  }
  const body: Record<string, string> = {
    client_id: env.GITHUB_CLIENT_ID,
    client_secret: env.GITHUB_CLIENT_SECRET,
    code,
  };
  if (redirectUri) body.redirect_uri = redirectUri;
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

/** Fetches the token's user; a 401 from GitHub is a 401 here. */
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
