// GitHub's accounts and tokens as the worker's tests use them, added to the
// GitHub fake (internal/fakes/github, started by vitest.config.mts) through
// its /_fake/ controls, a prefix GitHub does not have. Every test file adds
// them (test/setup.ts); adding the same fixture again changes nothing, so
// files running at the same time against the one fake agree.
import { expect } from "vitest";

/** GitHub's web origin as the worker is configured with it (GITHUB_OAUTH_BASE). */
export const GITHUB = "http://github.test";

/** GitHub's GET /user fields of the accounts the tests sign in as. */
export const USERS = [
  { id: 583231, login: "octocat", email: "octocat@example.com", avatar_url: "https://avatars.example/u/583231" },
  // The same account, renamed, its email made private and a new avatar.
  { id: 583231, login: "octocat-renamed", email: null, avatar_url: "https://avatars.example/u/583231?v=2" },
  { id: 1000001, login: "hubot", email: null, avatar_url: "https://avatars.example/u/1000001" },
] as const;

/**
 * Tokens of known values: of this OAuth app (Iv1.testclient), of another
 * app, a personal access token, and two that GitHub answers with its
 * primary and secondary rate limits (each token's own, so no other test
 * sees them).
 */
export const TOKENS = [
  { token: "gho_good", login: "octocat", kind: "app" },
  { token: "gho_octo", login: "octocat-renamed", kind: "app" },
  { token: "gho_other", login: "hubot", kind: "app" },
  { token: "gho_foreign", login: "octocat", kind: "other-app" },
  { token: "ghp_pat", login: "octocat", kind: "personal" },
  { token: "gho_ratelimited", login: "octocat", kind: "app", rate_limit: "primary" },
  { token: "gho_secondary", login: "octocat", kind: "app", rate_limit: "secondary" },
] as const;

async function control(name: string, body: unknown): Promise<Response> {
  const res = await fetch(`${GITHUB}/_fake/${name}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`GitHub fake: POST /_fake/${name} ${JSON.stringify(body)}: ${res.status} ${await res.text()}`);
  return res;
}

/** Adds USERS and TOKENS to the fake. */
export async function addGitHubFixtures(): Promise<void> {
  for (const u of USERS) await control("users", u);
  for (const t of TOKENS) await control("tokens", t);
}

/**
 * A code as GitHub redirects back with after login authorized the app at
 * its authorize step (the fake's shortcut of that step, so that tests
 * running at the same time do not share a signed-in browser). Single use,
 * as GitHub's codes are.
 */
export async function githubCode(login: string): Promise<string> {
  const { code } = (await (await control("codes", { login })).json()) as { code: string };
  expect(code).toMatch(/^[0-9a-f]{20}$/);
  return code;
}
