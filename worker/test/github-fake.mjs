// GitHub as the tests see it: the outbound fetch handler of the test worker.
// It answers the token exchange and /user with GitHub's documented shapes:
//   POST /login/oauth/access_token (JSON body, Content-Type and Accept JSON)
//     code "good-code"  -> {"access_token":"gho_good","token_type":"bearer","scope":"read:user"}
//     code "octo-code"  -> {"access_token":"gho_octo",...}
//     other codes       -> 200 {"error":"bad_verification_code","error_description":...,"error_uri":...}
//   GET /user with "Bearer gho_good" / "Bearer gho_octo" -> the user; otherwise 401
//     {"message":"Bad credentials","documentation_url":...}
// Anything else is a 599 so that a stray request fails the test loudly.

const users = {
  gho_good: { login: "octocat", id: 583231, avatar_url: "https://avatars.example/u/583231", email: "octocat@example.com", type: "User" },
  gho_octo: { login: "octocat-renamed", id: 583231, avatar_url: "https://avatars.example/u/583231?v=2", email: null, type: "User" },
  gho_other: { login: "hubot", id: 1000001, avatar_url: "https://avatars.example/u/1000001", email: null, type: "User" },
};

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
  if (url.host === "api.github.test" && url.pathname === "/user" && request.method === "GET") {
    const auth = request.headers.get("Authorization") ?? "";
    const user = users[auth.replace(/^Bearer /, "")];
    if (!auth.startsWith("Bearer ") || !user) {
      return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    }
    if (!request.headers.get("User-Agent")) return json(403, { message: "Request forbidden by administrative rules." });
    return json(200, user);
  }
  return new Response(`unexpected outbound request ${request.method} ${request.url}`, { status: 599 });
}
