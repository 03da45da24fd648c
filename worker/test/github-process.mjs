// GitHub as the worker's tests see it: the project's one GitHub fake
// (internal/fakes/github, run as the fakegithub command), started once per
// vitest run from vitest.config.mts, in Node. What the fake answers, and the
// GitHub documentation it follows, is written there; the tests add the users
// and tokens they need through its /_fake/ controls (test/github.ts).
//
// The worker reaches it through miniflare's outboundService, which runs here
// in Node: the worker's bindings keep GitHub's two origins apart
// (GITHUB_OAUTH_BASE http://github.test, GITHUB_API_BASE
// http://api.github.test), and githubOutbound forwards each to the one fake
// process with the method, headers and body unchanged. Binding the fake's
// 127.0.0.1 URL directly would need the URL before the config is written
// and would let a request sent to the wrong one of the two origins pass
// unnoticed; here it is refused, as is any other outbound request (status
// 599, so that a stray request fails its test loudly).
import { startFakeGitHub } from "../../internal/fakes/github/fakegithub/start.mjs";

/** GitHub's web origin: the OAuth endpoints and the fake's controls. */
const OAUTH_HOST = "github.test";
/** GitHub's REST API origin. */
const API_HOST = "api.github.test";

/** Builds and starts the fake; resolves to its base URL once it listens (it ends with vitest). */
export async function startGitHub(app) {
  return (await startFakeGitHub(app)).url;
}

/** The outboundService: GitHub's two origins go to the fake at base. */
export function githubOutbound(base) {
  return async (request) => {
    const url = new URL(request.url);
    const oauth = url.pathname.startsWith("/login/") || url.pathname.startsWith("/_fake/");
    if (url.protocol !== "http:" || (url.host !== OAUTH_HOST && url.host !== API_HOST) || (url.host === OAUTH_HOST) !== oauth) {
      return new Response(`unexpected outbound request ${request.method} ${request.url}`, { status: 599 });
    }
    const headers = new Headers(request.headers);
    headers.delete("host");
    headers.delete("content-length");
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const res = await fetch(new URL(url.pathname + url.search, base), {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
    });
    return new Response(res.status === 204 ? null : await res.arrayBuffer(), { status: res.status, headers: res.headers });
  };
}
