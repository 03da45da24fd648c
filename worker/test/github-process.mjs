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
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** GitHub's web origin: the OAuth endpoints and the fake's controls. */
const OAUTH_HOST = "github.test";
/** GitHub's REST API origin. */
const API_HOST = "api.github.test";

/**
 * Builds and starts the fake; resolves to its base URL once it listens.
 * The child's stdin stays an open pipe: the fake ends when it closes, that
 * is when this vitest process ends, however it ends.
 */
export async function startGitHub({ clientId, clientSecret, callbackUrl }) {
  const dir = mkdtempSync(join(tmpdir(), "worktime-fakegithub-"));
  const bin = join(dir, "fakegithub");
  try {
    execFileSync("go", ["build", "-o", bin, "./internal/fakes/github/fakegithub"], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`build the GitHub fake (go build ./internal/fakes/github/fakegithub; Go must be on PATH): ${err.message}`);
  }
  const child = spawn(bin, ["-client-id", clientId, "-client-secret", clientSecret, "-callback-url", callbackUrl], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  process.once("exit", () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = await new Promise((resolveURL, reject) => {
    let out = "";
    const fail = (why) => reject(new Error(`start the GitHub fake: ${why}${out ? `; it printed ${JSON.stringify(out)}` : ""}`));
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`it exited (${signal ?? code}) before printing FAKE_GITHUB_URL`));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^FAKE_GITHUB_URL=(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
      if (m) resolveURL(m[1]);
    });
  });
  // Neither the child nor its pipes keep vitest alive.
  child.unref();
  child.stdin.unref();
  child.stdout.unref();
  return url;
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
