import { createExecutionContext } from "cloudflare:test";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { GITHUB, githubCode } from "./github";
import { authed, call, env, expectError, jsonInit, signIn } from "./helpers";

const SECRET = () => env.JWT_SECRET;

function b64url(s: string) {
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("/health", () => {
  it("answers ok without auth", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("auth failures on /api/*", () => {
  const now = () => Math.floor(Date.now() / 1000);

  const cases: { name: string; header: () => Promise<string | undefined>; message: RegExp }[] = [
    { name: "missing", header: async () => undefined, message: /missing/ },
    { name: "not bearer", header: async () => "Basic dXNlcjpwYXNz", message: /Bearer/ },
    { name: "malformed", header: async () => "Bearer not-a-jwt", message: /Bearer/ },
    { name: "garbage segments", header: async () => "Bearer aaa.bbb.ccc", message: /invalid token/ },
    {
      name: "wrong signature",
      header: async () => {
        const { user } = await signIn();
        return "Bearer " + (await sign({ sub: String(user.id), login: user.login, iat: now(), exp: now() + 600, jti: "x1" }, "another-secret-0123456789abcdef", "HS256"));
      },
      message: /invalid token/,
    },
    {
      name: "alg none",
      header: async () => {
        const { user } = await signIn();
        const h = b64url(JSON.stringify({ alg: "none", typ: "JWT" }));
        const p = b64url(JSON.stringify({ sub: String(user.id), login: user.login, iat: now(), exp: now() + 600, jti: "x2" }));
        return `Bearer ${h}.${p}.`;
      },
      message: /invalid token/,
    },
    {
      name: "alg HS512 with the right secret",
      header: async () => {
        const { user } = await signIn();
        return "Bearer " + (await sign({ sub: String(user.id), login: user.login, iat: now(), exp: now() + 600, jti: "x3" }, SECRET(), "HS512"));
      },
      message: /invalid token/,
    },
    {
      name: "expired",
      header: async () => {
        const { user } = await signIn();
        return "Bearer " + (await sign({ sub: String(user.id), login: user.login, iat: now() - 7200, exp: now() - 60, jti: "x4" }, SECRET(), "HS256"));
      },
      message: /expired/,
    },
    {
      name: "no exp claim",
      header: async () => {
        const { user } = await signIn();
        return "Bearer " + (await sign({ sub: String(user.id), login: user.login, iat: now(), jti: "x5" }, SECRET(), "HS256"));
      },
      message: /claims/,
    },
    {
      name: "unknown user",
      header: async () => "Bearer " + (await sign({ sub: "999999", login: "ghost", iat: now(), exp: now() + 600, jti: "x6" }, SECRET(), "HS256")),
      message: /no longer exists/,
    },
  ];

  for (const tc of cases) {
    it(`refuses ${tc.name}`, async () => {
      const header = await tc.header();
      const init: RequestInit = header ? { headers: { Authorization: header } } : {};
      for (const path of ["/api/sessions", "/api/sync/pull", "/api/stats/daily"]) {
        const msg = await expectError(await call(path, init), 401, "unauthorized");
        expect(msg).toMatch(tc.message);
      }
    });
  }

  it("refuses a revoked (logged out) token", async () => {
    const { jwt } = await signIn();
    expect((await call("/api/sessions", authed(jwt))).status).toBe(200);
    const out = await call("/auth/logout", authed(jwt, { method: "POST" }));
    expect(out.status).toBe(204);
    const msg = await expectError(await call("/api/sessions", authed(jwt)), 401, "unauthorized");
    expect(msg).toMatch(/revoked/);
    // The revocation is a D1 row kept until the token's exp; KV is not written.
    const claims = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string; jti: string; exp: number };
    const row = await env.DB.prepare("SELECT expires_at FROM revoked_tokens WHERE user_id = ?1 AND jti = ?2").bind(Number(claims.sub), claims.jti).first<{ expires_at: number }>();
    expect(row).toEqual({ expires_at: claims.exp });
    expect(await env.KV.get(`revoked:${claims.jti}`)).toBeNull();
  });

  it("still honours a KV revocation of a token issued before the upgrade, reading KV for those only", async () => {
    const { jwt, user } = await signIn();
    const claims = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { jti: string; iat: number };
    const res = await call("/api/me", authed(jwt));
    expect(res.headers.get("Worktime-Cost")).toMatch(/kv_reads=0;/);
    await env.KV.put(`revoked:${claims.jti}`, "1");
    // Issued after the upgrade: KV is not consulted.
    expect((await call("/api/me", authed(jwt))).status).toBe(200);
    await env.DB.prepare("UPDATE users SET kv_revoked_before = ?2 WHERE id = ?1").bind(user.id, claims.iat + 1).run();
    const refused = await call("/api/me", authed(jwt));
    expect(refused.headers.get("Worktime-Cost")).toMatch(/kv_reads=1;/);
    expect(await expectError(refused, 401, "unauthorized")).toMatch(/revoked/);
  });

  it("writes nothing when logging out a revoked token or a deleted user's token", async () => {
    const { jwt, user } = await signIn();
    expect((await call("/auth/logout", authed(jwt, { method: "POST" }))).status).toBe(204);
    // An expired revocation of the user: a live logout would drop it.
    await env.DB.prepare("INSERT INTO revoked_tokens (user_id, jti, expires_at) VALUES (?1, 'old-jti', 1)").bind(user.id).run();
    const again = await call("/auth/logout", authed(jwt, { method: "POST" }));
    expect(again.status).toBe(204);
    expect(again.headers.get("Worktime-Cost")).toMatch(/^d1_queries=1;d1_rows_read=\d+;d1_rows_written=0;.*kv_writes=0$/);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM revoked_tokens WHERE user_id = ?1").bind(user.id).first("n")).toBe(2);

    const gone = await signIn();
    expect((await call("/api/me", authed(gone.jwt, { method: "DELETE" }))).status).toBe(204);
    const dead = await call("/auth/logout", authed(gone.jwt, { method: "POST" }));
    expect(dead.status).toBe(204);
    expect(dead.headers.get("Worktime-Cost")).toMatch(/^d1_queries=1;d1_rows_read=\d+;d1_rows_written=0;.*kv_writes=0$/);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM revoked_tokens WHERE user_id = ?1").bind(gone.user.id).first("n")).toBe(0);
  });

  it("rate-limits failed authentications per address", { timeout: 120_000 }, async () => {
    const { jwt } = await signIn();
    const forged = jwt.slice(0, -4) + (jwt.endsWith("AAAA") ? "BBBB" : "AAAA");
    const from = (ip: string, token: string, path = "/api/sessions") =>
      call(path, { headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": ip } });
    // The limiter counts per fixed 60 s window: the first 429 comes after at
    // least 100 and at most 200 failures.
    let refused = 0;
    let limited: Response | null = null;
    for (let i = 0; i < 201 && !limited; i++) {
      const res = await from("203.0.113.7", forged, i % 2 ? "/api/sessions" : "/api/sync/pull");
      if (res.status === 429) limited = res;
      else {
        await expectError(res, 401, "unauthorized");
        refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(100);
    expect(limited).not.toBeNull();
    expect(limited!.headers.get("Retry-After")).toBe("10");
    expect(limited!.headers.get("Worktime-Cost")).toMatch(/^d1_queries=0;/);
    expect(await expectError(limited!, 429, "rate_limited")).toMatch(/failed authentications/);
    // A valid token from that address is not held back; another address's
    // failure is still a plain 401.
    expect((await from("203.0.113.7", jwt)).status).toBe(200);
    await expectError(await from("203.0.113.8", forged), 401, "unauthorized");
  });

  it("logout needs a valid token", async () => {
    await expectError(await call("/auth/logout", { method: "POST" }), 401, "unauthorized");
  });
});

describe("JWT contents", () => {
  it("is HS256 with exp 7 days after iat and a jti", async () => {
    const { jwt } = await signIn();
    const [h, p] = jwt.split(".");
    const header = JSON.parse(atob(h!.replace(/-/g, "+").replace(/_/g, "/")));
    const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(header.alg).toBe("HS256");
    expect(payload.exp - payload.iat).toBe(7 * 24 * 3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("honours JWT_TTL_SECONDS", async () => {
    const res = await worker.fetch(
      new Request("http://w/auth/dev/login", jsonInit("POST", { login: "short-lived" })),
      { ...env, JWT_TTL_SECONDS: "90" },
      createExecutionContext(),
    );
    const { jwt } = (await res.json()) as { jwt: string };
    const payload = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload.exp - payload.iat).toBe(90);
  });
});

describe("POST /auth/dev/login", () => {
  it("signs in and reuses the user for the same login", async () => {
    const a = await signIn("dev-same", "Europe/Berlin");
    const b = await signIn("dev-same");
    expect(a.user.id).toBe(b.user.id);
    expect(a.user.time_zone).toBe("Europe/Berlin");
  });

  it("is 404 unless DEV_LOGIN is 1", async () => {
    for (const value of ["0", "", "true", undefined]) {
      const res = await worker.fetch(
        new Request("http://w/auth/dev/login", jsonInit("POST", { login: "alice" })),
        { ...env, DEV_LOGIN: value },
        createExecutionContext(),
      );
      await expectError(res, 404, "not_found");
    }
  });

  it("validates the body", async () => {
    await expectError(await call("/auth/dev/login", jsonInit("POST", { login: "bad login!" })), 400, "bad_request");
    await expectError(await call("/auth/dev/login", jsonInit("POST", { login: "x", time_zone: "Mars/Base" })), 400, "bad_request");
    await expectError(await call("/auth/dev/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" }), 400, "bad_request");
  });
});

describe("GitHub web flow", () => {
  const EXT = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
  const CALLBACK = "http://worker.test/auth/github/callback";

  async function startLogin(redirect = EXT): Promise<string> {
    const res = await call(`/auth/github/login?redirect_uri=${encodeURIComponent(redirect)}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("Location")!);
    expect(loc.origin + loc.pathname).toBe("http://github.test/login/oauth/authorize");
    expect(loc.searchParams.get("client_id")).toBe("Iv1.testclient");
    // GitHub always returns to the worker's relay, never to the extension directly.
    expect(loc.searchParams.get("redirect_uri")).toBe(CALLBACK);
    const state = loc.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    return state;
  }

  /** relay is GitHub's redirect to the worker's callback; it returns where the worker sends the browser. */
  async function relay(query: Record<string, string>): Promise<URL> {
    const res = await call(`/auth/github/callback?${new URLSearchParams(query)}`, { redirect: "manual" });
    expect(res.status, await res.clone().text()).toBe(302);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    return new URL(res.headers.get("Location")!);
  }

  it("relays GitHub's code to the extension, then exchanges it with the state we issued, once", async () => {
    const state = await startLogin();
    const code = await githubCode("octocat");
    const back = await relay({ code, state });
    expect(back.origin + back.pathname).toBe(EXT.replace(/\/$/, "") + "/");
    expect(Object.fromEntries(back.searchParams)).toEqual({ code, state });
    const res = await call("/auth/github/callback", jsonInit("POST", { code, state }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jwt: string; user: { login: string; email: string } };
    expect(body.user.login).toBe("octocat");
    expect(body.user.email).toBe("octocat@example.com");
    expect((await call("/api/sessions", authed(body.jwt))).status).toBe(200);
    // The state is single-use, and a used state relays nothing.
    const again = await call("/auth/github/callback", jsonInit("POST", { code, state }));
    expect(await expectError(again, 400, "bad_request")).toMatch(/state/);
    const late = await call(`/auth/github/callback?${new URLSearchParams({ code, state })}`, { redirect: "manual" });
    expect(await expectError(late, 400, "bad_request")).toMatch(/state/);
  });

  it("signs in through GitHub's own authorize step, at the redirect_uri it was given", async () => {
    // The only test that signs the fake's browser in: other files get their
    // codes from githubCode, so nothing else changes this shared state.
    const signedIn = await fetch(`${GITHUB}/_fake/sign-in`, { method: "POST", body: "hubot" });
    expect(signedIn.status).toBe(204);
    const login = await call(`/auth/github/login?redirect_uri=${encodeURIComponent(EXT)}`, { redirect: "manual" });
    const authorize = await fetch(login.headers.get("Location")!, { redirect: "manual" });
    expect(authorize.status, await authorize.clone().text()).toBe(302);
    const atWorker = new URL(authorize.headers.get("Location")!);
    expect(atWorker.origin + atWorker.pathname).toBe(CALLBACK);
    const code = atWorker.searchParams.get("code")!;
    const state = atWorker.searchParams.get("state")!;
    const back = await relay({ code, state });
    expect(back.searchParams.get("code")).toBe(code);
    const res = await call("/auth/github/callback", jsonInit("POST", { code, state }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { user: { login: string } }).user.login).toBe("hubot");
  });

  it("relays GitHub's refusal with its words, keeping the extension's own query", async () => {
    const withQuery = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/cb?from=settings";
    const state = await startLogin(withQuery);
    const back = await relay({ error: "access_denied", error_description: "The user has denied your application access.", error_uri: "https://docs.github.com/x", state });
    expect(back.origin + back.pathname).toBe("https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/cb");
    expect(Object.fromEntries(back.searchParams)).toEqual({
      from: "settings",
      error: "access_denied",
      error_description: "The user has denied your application access.",
      state,
    });
    // The refusal did not use the state up: it ends with the sign-in attempt's expiry.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM oauth_states WHERE state = ?1").bind(state).first("n")).toBe(1);
  });

  it("refuses a relay without a live state or with neither code nor error", async () => {
    const state = await startLogin();
    for (const [name, q] of [
      ["unknown state", { code: "unasked-code", state: "u".repeat(32) }],
      ["no state", { code: "unasked-code" }],
      ["short state", { code: "unasked-code", state: "short" }],
      ["neither code nor error", { state }],
      ["both code and error", { code: "unasked-code", error: "access_denied", state }],
    ] as const) {
      const res = await call(`/auth/github/callback?${new URLSearchParams(q as Record<string, string>)}`, { redirect: "manual" });
      await expectError(res, 400, "bad_request").catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("INSERT INTO oauth_states (state, redirect_uri, expires_at) VALUES (?1, ?2, ?3)").bind("x".repeat(32), EXT, past).run();
    const expired = await call(`/auth/github/callback?${new URLSearchParams({ code: "unasked-code", state: "x".repeat(32) })}`, { redirect: "manual" });
    expect(await expectError(expired, 400, "bad_request")).toMatch(/expired/);
  });

  it("refuses an unknown state without calling GitHub", async () => {
    const res = await call("/auth/github/callback", jsonInit("POST", { code: "unasked-code", state: "x".repeat(32) }));
    expect(await expectError(res, 400, "bad_request")).toMatch(/state/);
  });

  it("maps bad_verification_code to 401", async () => {
    const state = await startLogin();
    const res = await call("/auth/github/callback", jsonInit("POST", { code: "expired-code", state }));
    expect(await expectError(res, 401, "unauthorized")).toMatch(/bad_verification_code/);
  });

  it("refreshes login, email and avatar on a later sign-in", async () => {
    const s1 = await startLogin();
    const first = (await (await call("/auth/github/callback", jsonInit("POST", { code: await githubCode("octocat"), state: s1 }))).json()) as { user: { id: number } };
    const s2 = await startLogin();
    const res = await call("/auth/github/callback", jsonInit("POST", { code: await githubCode("octocat-renamed"), state: s2 }));
    const second = (await res.json()) as { user: { id: number; login: string; email: string | null; avatar_url: string } };
    expect(second.user.id).toBe(first.user.id);
    expect(second.user.login).toBe("octocat-renamed");
    expect(second.user.email).toBeNull();
    expect(second.user.avatar_url).toContain("v=2");
  });

  it("hands a state to one of several racing callbacks only", async () => {
    const state = await startLogin();
    const code = await githubCode("octocat");
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => call("/auth/github/callback", jsonInit("POST", { code, state }))),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    for (const r of replies.filter((r) => r.status === 400)) expect(await expectError(r, 400, "bad_request")).toMatch(/state/);
  });

  it("refuses an expired state, and a sign-in removes expired states", async () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("INSERT INTO oauth_states (state, redirect_uri, expires_at) VALUES (?1, NULL, ?2)").bind("e".repeat(32), past).run();
    expect(await expectError(await call("/auth/github/callback", jsonInit("POST", { code: "unasked-code", state: "e".repeat(32) })), 400, "bad_request")).toMatch(/state/);
    await env.DB.prepare("INSERT INTO oauth_states (state, redirect_uri, expires_at) VALUES (?1, NULL, ?2)").bind("f".repeat(32), past).run();
    await startLogin();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM oauth_states WHERE expires_at <= ?1").bind(past).first("n")).toBe(0);
  });

  it("keeps the state in D1: one row written per sign-in, one read to relay, no KV", async () => {
    const res = await call(`/auth/github/login?redirect_uri=${encodeURIComponent(EXT)}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const cost = res.headers.get("Worktime-Cost")!;
    expect(cost).toMatch(/kv_reads=0;kv_writes=0$/);
    expect(cost).toMatch(/d1_rows_written=1;/);
    const state = new URL(res.headers.get("Location")!).searchParams.get("state")!;
    const code = await githubCode("octocat");
    const relayed = await call(`/auth/github/callback?${new URLSearchParams({ code, state })}`, { redirect: "manual" });
    expect(relayed.status).toBe(302);
    expect(relayed.headers.get("Worktime-Cost")).toMatch(/d1_rows_read=1;d1_rows_written=0;.*kv_reads=0;kv_writes=0$/);
    const cb = await call("/auth/github/callback", jsonInit("POST", { code, state }));
    expect(cb.status).toBe(200);
    expect(cb.headers.get("Worktime-Cost")).toMatch(/kv_reads=0;kv_writes=0$/);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM oauth_states WHERE state = ?1").bind(state).first("n")).toBe(0);
  });

  it("accepts only an allowed extension's redirect URI, and requires one", async () => {
    const ours = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/cb";
    const state = await startLogin(ours);
    expect((await relay({ code: "c", state })).toString()).toBe(`${ours}?code=c&state=${state}`);
    const before = await env.DB.prepare("SELECT count(*) AS n FROM oauth_states").first("n");
    for (const bad of [
      "javascript:alert(1)",
      "https://evil.example/",
      "https://otherextensionidotherextensionid.chromiumapp.org/",
      "http://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/",
      "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org.evil.example/",
      "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org:8443/",
      "https://user@abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/",
    ]) {
      const res = await call(`/auth/github/login?redirect_uri=${encodeURIComponent(bad)}`, { redirect: "manual" });
      expect(await expectError(res, 400, "bad_request"), bad).toMatch(/redirect_uri/);
    }
    expect(await expectError(await call("/auth/github/login", { redirect: "manual" }), 400, "bad_request")).toMatch(/redirect_uri/);
    // Refused before anything is stored.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM oauth_states").first("n")).toBe(before);
  });

  it("accepts the configured redirect URIs exactly", async () => {
    const configured = { ...env, ALLOWED_REDIRECT_URIS: "https://app.example/callback, http://127.0.0.1:5173/cb" };
    const login = (uri: string) =>
      worker.fetch(new Request(`http://w/auth/github/login?redirect_uri=${encodeURIComponent(uri)}`), configured, createExecutionContext());
    expect((await login("https://app.example/callback")).status).toBe(302);
    expect((await login("http://127.0.0.1:5173/cb")).status).toBe(302);
    await expectError(await login("https://app.example/callback/other"), 400, "bad_request");
  });

  it("validates the callback body", async () => {
    await expectError(await call("/auth/github/callback", jsonInit("POST", { code: "unasked-code" })), 400, "bad_request");
    await expectError(await call("/auth/github/callback", jsonInit("POST", { state: "y".repeat(32) })), 400, "bad_request");
  });
});

describe("POST /auth/github/token (desktop)", () => {
  it("verifies the token with GitHub /user", async () => {
    const res = await call("/auth/github/token", jsonInit("POST", { access_token: "gho_other" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jwt: string; expires_at: string; user: { login: string } };
    expect(body.user.login).toBe("hubot");
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
  });

  it("refuses a token that was not issued to this OAuth app", async () => {
    // Both are valid GitHub tokens of octocat (GET /user answers), but one was
    // issued to another OAuth app and one is a personal access token.
    for (const token of ["gho_foreign", "ghp_pat"]) {
      const res = await call("/auth/github/token", jsonInit("POST", { access_token: token }));
      expect(await expectError(res, 401, "unauthorized"), token).toMatch(/not issued to this app/);
    }
  });

  it("does not take GitHub's rate limit for a rejected token", async () => {
    for (const token of ["gho_ratelimited", "gho_secondary"]) {
      const res = await call("/auth/github/token", jsonInit("POST", { access_token: token }));
      expect(await expectError(res, 502, "bad_gateway"), token).toMatch(/rate limit/);
    }
  });

  it("answers 502, not 401, when GitHub refuses the app's own credentials", async () => {
    const res = await worker.fetch(
      new Request("http://w/auth/github/token", jsonInit("POST", { access_token: "gho_good" })),
      { ...env, GITHUB_CLIENT_SECRET: "wrong-secret" },
      createExecutionContext(),
    );
    expect(await expectError(res, 502, "bad_gateway")).toMatch(/GITHUB_CLIENT_SECRET/);
  });

  it("maps GitHub's 401 to 401", async () => {
    const res = await call("/auth/github/token", jsonInit("POST", { access_token: "gho_revoked" }));
    expect(await expectError(res, 401, "unauthorized")).toMatch(/GitHub/);
  });

  it("validates the body", async () => {
    await expectError(await call("/auth/github/token", jsonInit("POST", {})), 400, "bad_request");
  });

  it("answers 502 when GitHub fails", async () => {
    const res = await worker.fetch(
      new Request("http://w/auth/github/token", jsonInit("POST", { access_token: "gho_good" })),
      { ...env, GITHUB_API_BASE: "http://down.github.test" },
      createExecutionContext(),
    );
    expect(await expectError(res, 502, "bad_gateway")).toMatch(/GitHub/);
  });
});

describe("CORS", () => {
  const ext = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

  it("allows the configured extension origin", async () => {
    const res = await call("/api/sessions", { method: "OPTIONS", headers: { Origin: ext, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ext);
  });

  it("gives other origins no CORS headers", async () => {
    for (const origin of ["https://evil.example", "chrome-extension://otherextensionidotherextensionid"]) {
      const res = await call("/health", { headers: { Origin: origin } });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      const pre = await call("/api/sessions", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
      expect(pre.headers.get("Access-Control-Allow-Origin")).toBeNull();
    }
  });
});

describe("rate limit", () => {
  it("answers 429 after 100 requests a minute for one user", { timeout: 120_000 }, async () => {
    const { jwt } = await signIn();
    // The limiter counts per fixed 60 s window: a window boundary may fall
    // inside the loop, so the first 429 comes after at least 100 and at most
    // 200 requests.
    let ok = 0;
    let limited: Response | null = null;
    for (let i = 0; i < 201 && !limited; i++) {
      const res = await call("/api/me", authed(jwt));
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(200);
        ok++;
      }
    }
    expect(ok).toBeGreaterThanOrEqual(100);
    expect(limited).not.toBeNull();
    expect(limited!.headers.get("Retry-After")).toBe("10");
    await expectError(limited!, 429, "rate_limited");
    // Bulk sync has its own budget: still open for this user.
    expect((await call("/api/sync/pull", authed(jwt))).status).toBe(200);
    // Another user is not affected.
    const other = await signIn();
    expect((await call("/api/me", authed(other.jwt))).status).toBe(200);
  });

  it("allows bulk sync more than 100 requests a minute", { timeout: 120_000 }, async () => {
    // 201 requests within a minute span at most two 60 s windows, so one
    // window sees more than 100 of them: over the general limit, under
    // sync's 1,000.
    const { jwt } = await signIn();
    const t0 = Date.now();
    for (let i = 0; i < 201; i++) {
      const res = await call("/api/sync/pull?limit=1", authed(jwt));
      expect(res.status).toBe(200);
    }
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  const refuse: RateLimit = { limit: async () => ({ success: false }) };
  const allow: RateLimit = { limit: async () => ({ success: true }) };
  const unexpected: RateLimit = {
    limit: async () => {
      throw new Error("wrong limiter consulted");
    },
  };
  const withLimiters = async (path: string, init: RequestInit, limiters: Partial<Record<"RATE_LIMITER" | "SYNC_RATE_LIMITER", RateLimit | undefined>>) =>
    worker.fetch(new Request(`http://w${path}`, init), { ...env, ...limiters }, createExecutionContext());

  it("limits /api/sync/* with SYNC_RATE_LIMITER only, with Retry-After", async () => {
    const { jwt } = await signIn();
    for (const path of ["/api/sync/pull", "/api/sync/push"]) {
      const init = path.endsWith("push") ? jsonInit("POST", { device_id: "d", sessions: [] }, jwt) : authed(jwt);
      const res = await withLimiters(path, init, { RATE_LIMITER: unexpected, SYNC_RATE_LIMITER: refuse });
      expect(res.headers.get("Retry-After")).toBe("10");
      await expectError(res, 429, "rate_limited");
    }
    const ok = await withLimiters("/api/sync/pull", authed(jwt), { RATE_LIMITER: refuse, SYNC_RATE_LIMITER: allow });
    expect(ok.status).toBe(200);
    // Other /api routes use RATE_LIMITER.
    const me = await withLimiters("/api/me", authed(jwt), { RATE_LIMITER: refuse, SYNC_RATE_LIMITER: unexpected });
    expect(me.headers.get("Retry-After")).toBe("10");
    await expectError(me, 429, "rate_limited");
    // Without the sync binding (an older deployment), sync falls back to RATE_LIMITER.
    const fallback = await withLimiters("/api/sync/pull", authed(jwt), { RATE_LIMITER: refuse, SYNC_RATE_LIMITER: undefined });
    await expectError(fallback, 429, "rate_limited");
  });

  it("the per-address limit of /auth/* answers 429 with Retry-After", async () => {
    const res = await withLimiters("/auth/dev/login", jsonInit("POST", { login: "limited" }), { RATE_LIMITER: refuse, SYNC_RATE_LIMITER: unexpected });
    expect(res.headers.get("Retry-After")).toBe("10");
    await expectError(res, 429, "rate_limited");
  });
});

describe("errors", () => {
  it("unknown routes are JSON 404s", async () => {
    await expectError(await call("/nope"), 404, "not_found");
    const { jwt } = await signIn();
    await expectError(await call("/api/nope", authed(jwt)), 404, "not_found");
  });

  it("a failing query is a bare 500 without SQL or stack", async () => {
    const broken = {
      ...env,
      DB: new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "prepare") {
            return (sql: string) => {
              if (sql.includes("FROM sessions")) return target.prepare("SELECT * FROM no_such_table WHERE secret = 1");
              return target.prepare(sql);
            };
          }
          const v = Reflect.get(target, prop);
          return typeof v === "function" ? v.bind(target) : v;
        },
      }),
    };
    const { jwt } = await signIn();
    const res = await worker.fetch(new Request("http://w/api/sessions", authed(jwt)), broken, createExecutionContext());
    const text = await res.clone().text();
    await expectError(res, 500, "internal");
    expect(text).not.toMatch(/no_such_table|secret|SELECT/);
  });
});
