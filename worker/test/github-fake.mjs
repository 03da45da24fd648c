// GitHub as the tests see it: the outbound fetch handler of the test worker.
// It answers the token exchange and /user with GitHub's documented shapes:
//   POST /login/oauth/access_token (JSON body, Content-Type and Accept JSON)
//     code "good-code"  -> {"access_token":"gho_good","token_type":"bearer","scope":"read:user"}
//     code "octo-code"  -> {"access_token":"gho_octo",...}
//     other codes       -> 200 {"error":"bad_verification_code","error_description":...,"error_uri":...}
//     a redirect_uri other than the app's callback URL (the worker's
//     http://worker.test/auth/github/callback, or a path below it)
//                       -> 200 {"error":"redirect_uri_mismatch",...}
//   GET /user with "Bearer gho_good" / "Bearer gho_octo" -> the user; otherwise 401
//     {"message":"Bad credentials","documentation_url":...}
//   POST /applications/Iv1.testclient/token ("Check a token", basic auth with the
//     app's client id and secret, JSON {"access_token"}) -> 200 with the
//     authorization and its user for a token of this app; 404 {"message":"Not
//     Found"} for any other token (another app's, a personal access token,
//     a revoked one); 401 for wrong app credentials. Tokens of another app
//     (gho_foreign) and personal access tokens (ghp_pat) still work on /user.
//   Rate limits, on both endpoints: gho_ratelimited answers 403 with
//     x-ratelimit-remaining 0 (the primary limit), gho_secondary 403 with the
//     secondary rate limit message and no rate-limit headers.
// Anything else is a 599 so that a stray request fails the test loudly.

const users = {
  gho_good: { login: "octocat", id: 583231, avatar_url: "https://avatars.example/u/583231", email: "octocat@example.com", type: "User" },
  gho_octo: { login: "octocat-renamed", id: 583231, avatar_url: "https://avatars.example/u/583231?v=2", email: null, type: "User" },
  gho_other: { login: "hubot", id: 1000001, avatar_url: "https://avatars.example/u/1000001", email: null, type: "User" },
  gho_foreign: { login: "octocat", id: 583231, avatar_url: "https://avatars.example/u/583231", email: "octocat@example.com", type: "User" },
  ghp_pat: { login: "octocat", id: 583231, avatar_url: "https://avatars.example/u/583231", email: "octocat@example.com", type: "User" },
};

/** The tokens issued to this OAuth app (Iv1.testclient). */
const appTokens = new Set(["gho_good", "gho_octo", "gho_other"]);

function rateLimited(token) {
  if (token === "gho_ratelimited") {
    return new Response(JSON.stringify({ message: "API rate limit exceeded for user ID 583231.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" }), {
      status: 403,
      headers: { "Content-Type": "application/json; charset=utf-8", "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 600) },
    });
  }
  if (token === "gho_secondary") {
    return json(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" });
  }
  return null;
}

/** The OAuth app's registered callback URL: the test worker's relay. */
const CALLBACK_URL = "http://worker.test/auth/github/callback";

const tokens = { "good-code": "gho_good", "octo-code": "gho_octo", "other-code": "gho_other" };

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

export async function githubFake(request) {
  const url = new URL(request.url);
  if (url.host === "github.test" && url.pathname === "/login/oauth/access_token" && request.method === "POST") {
    if (!(request.headers.get("Content-Type") ?? "").startsWith("application/json")) {
      // GitHub would read a JSON body without the header as an empty form.
      return json(200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    if ((request.headers.get("Accept") ?? "") !== "application/json") {
      return new Response("error=unsupported_accept", { status: 200, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    }
    const body = await request.json();
    if (body.client_id !== "Iv1.testclient" || body.client_secret !== "test-client-secret") {
      return json(200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    if (body.redirect_uri !== undefined && !String(body.redirect_uri).startsWith(CALLBACK_URL)) {
      return json(200, {
        error: "redirect_uri_mismatch",
        error_description: "The redirect_uri MUST match the registered callback URL for this application.",
        error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#redirect-uri-mismatch2",
      });
    }
    const token = tokens[body.code];
    if (!token) {
      return json(200, {
        error: "bad_verification_code",
        error_description: "The code passed is incorrect or expired.",
        error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
      });
    }
    return json(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
  }
  if (url.host === "api.github.test" && url.pathname === "/applications/Iv1.testclient/token" && request.method === "POST") {
    if (request.headers.get("Authorization") !== `Basic ${btoa("Iv1.testclient:test-client-secret")}`) {
      return json(401, { message: "Requires authentication", documentation_url: "https://docs.github.com/rest/apps/oauth-applications#check-a-token", status: "401" });
    }
    const body = await request.json().catch(() => null);
    if (!body || typeof body.access_token !== "string" || body.access_token === "") {
      return json(422, { message: "Validation Failed", documentation_url: "https://docs.github.com/rest/apps/oauth-applications#check-a-token", status: "422" });
    }
    const limited = rateLimited(body.access_token);
    if (limited) return limited;
    if (!appTokens.has(body.access_token)) {
      return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/apps/oauth-applications#check-a-token", status: "404" });
    }
    const u = users[body.access_token];
    return json(200, {
      id: 1, url: "https://api.github.test/authorizations/1", scopes: ["read:user", "user:email"], token: body.access_token,
      token_last_eight: body.access_token.slice(-8), hashed_token: "", note: null, note_url: null, fingerprint: null,
      app: { client_id: "Iv1.testclient", name: "worktime", url: "https://worktime.example" },
      created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", expires_at: null,
      user: { login: u.login, id: u.id, avatar_url: u.avatar_url, type: "User" },
    });
  }
  if (url.host === "api.github.test" && url.pathname === "/user" && request.method === "GET") {
    const auth = request.headers.get("Authorization") ?? "";
    const limited = rateLimited(auth.replace(/^Bearer /, ""));
    if (limited) return limited;
    const user = users[auth.replace(/^Bearer /, "")];
    if (!auth.startsWith("Bearer ") || !user) {
      return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    }
    if (!request.headers.get("User-Agent")) return json(403, { message: "Request forbidden by administrative rules." });
    return json(200, user);
  }
  return new Response(`unexpected outbound request ${request.method} ${request.url}`, { status: 599 });
}
