// Sharded storage in workerd: four local D1 databases bound as DB, DB_1,
// DB_2 and DB_3, a few hundred users signing in and using every endpoint.
// Users spread evenly, each request reads and writes its user's shard only,
// ids that repeat across shards never mix users, deleting a user empties
// only that user's rows, and users never move when shards are added.
import { applyD1Migrations, createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { issueToken } from "../src/jwt";
import { DELETE_CHUNK } from "../src/queries";
import { pickShard } from "../src/shards";
import { githubCode } from "./github";
import { authed, BASE, ended, env, jsonInit, newId } from "./helpers";

type Env = typeof env;

const shardDBs = () => [env.DB, env.SHARD_1, env.SHARD_2, env.SHARD_3];

/** The test environment with n shards (n ≤ 4) and extra vars. */
function withShards(n: number, extra: Partial<Env> = {}): Env {
  const e: Record<string, unknown> = { ...env, ...extra };
  const dbs = shardDBs();
  for (let i = 1; i < n; i++) e[`DB_${i}`] = dbs[i];
  return e as unknown as Env;
}

let address = 0;
function req(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  // Each request from its own address: /auth/* is limited per address.
  const n = ++address;
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  return Promise.resolve(worker.fetch(new Request(BASE + path, { ...init, headers }), e, createExecutionContext()));
}

function claimsOf(jwt: string): { sub: string; shard: number } {
  const b64 = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(b64)) as { sub: string; shard: number };
}

interface Signed {
  login: string;
  owner: string;
  jwt: string;
  id: number;
  shard: number;
}

async function signInTo(e: Env, login: string): Promise<Signed> {
  const res = await req(e, "/auth/dev/login", jsonInit("POST", { login, time_zone: "Europe/Berlin" }));
  expect(res.status, login).toBe(200);
  const body = (await res.json()) as { jwt: string; user: { id: number } };
  const claims = claimsOf(body.jwt);
  expect(Number(claims.sub)).toBe(body.user.id);
  return { login, owner: `own-${login}`, jwt: body.jwt, id: body.user.id, shard: claims.shard };
}

/** Runs f over items, `width` at a time. */
async function inGroups<T, R>(items: T[], width: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(f))));
  return out;
}

async function rows<T>(db: D1Database, sql: string, ...args: unknown[]): Promise<T[]> {
  return (await db.prepare(sql).bind(...args).all<T>()).results;
}

function at(dayOffset: number, minutes: number): string {
  return new Date(Date.now() - dayOffset * 86400_000 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

beforeAll(async () => {
  for (const db of [env.SHARD_1, env.SHARD_2, env.SHARD_3]) await applyD1Migrations(db, env.TEST_MIGRATIONS);
});

describe("four shards", () => {
  const four = withShards(4);
  const USERS = 320;
  let users: Signed[] = [];

  it("spreads a few hundred new users evenly and records each in the directory once", async () => {
    users = await inGroups(
      Array.from({ length: USERS }, (_, i) => `sharded-${i}`),
      16,
      (login) => signInTo(four, login),
    );
    const perShard = [0, 0, 0, 0];
    for (const u of users) perShard[u.shard]!++;
    // 80 each on average; FNV-1a of the GitHub identity keeps each within 25%.
    for (const n of perShard) {
      expect(n).toBeGreaterThanOrEqual(60);
      expect(n).toBeLessThanOrEqual(100);
    }
    const dir = await rows<{ github_user_id: string; shard: number }>(env.DB, "SELECT github_user_id, shard FROM user_shards WHERE github_user_id LIKE 'dev:sharded-%'");
    expect(dir).toHaveLength(USERS);
    expect(new Map(dir.map((r) => [r.github_user_id, r.shard]))).toEqual(new Map(users.map((u) => [`dev:${u.login}`, u.shard])));
    // Every user's row is on their shard and nowhere else.
    for (const [k, db] of shardDBs().entries()) {
      const here = await rows<{ github_user_id: string }>(db, "SELECT github_user_id FROM users WHERE github_user_id LIKE 'dev:sharded-%'");
      expect(new Set(here.map((r) => r.github_user_id)), `shard ${k}`).toEqual(new Set(users.filter((u) => u.shard === k).map((u) => `dev:${u.login}`)));
    }
    // Ids are per shard: the same id names different users on different shards.
    const shardsOfId = new Map<number, Set<number>>();
    for (const u of users) shardsOfId.set(u.id, (shardsOfId.get(u.id) ?? new Set()).add(u.shard));
    expect([...shardsOfId.values()].filter((s) => s.size === 4).length).toBeGreaterThan(10);
  });

  it("serves sync, sessions, stats and the account from each user's shard only", async () => {
    await inGroups(users, 16, async (u) => {
      const sessions = [ended(at(2, 0), 1200, { repo_owner: u.owner }), ended(at(1, 0), 600, { repo_owner: u.owner, pr_number: 8 })];
      const pushed = await req(four, "/api/sync/push", jsonInit("POST", { device_id: "dev-1", sessions }, u.jwt));
      expect(pushed.status).toBe(200);
      expect(((await pushed.json()) as { accepted: string[] }).accepted).toHaveLength(2);

      const pulled = (await (await req(four, "/api/sync/pull?limit=100", authed(u.jwt))).json()) as { sessions: { id: string; repo_owner: string }[] };
      expect(pulled.sessions.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());

      const daily = (await (await req(four, "/api/stats/daily?days=7", authed(u.jwt))).json()) as { repos: { repo_owner: string; seconds: number }[] };
      expect(daily.repos).toEqual([expect.objectContaining({ repo_owner: u.owner, seconds: 1800 })]);
    });

    // A sample on every shard goes through the rest of the API.
    const sample = [0, 1, 2, 3].flatMap((k) => users.filter((u) => u.shard === k).slice(0, 5));
    await inGroups(sample, 10, async (u) => {
      const id = newId();
      const started = await req(four, "/api/sessions/start", jsonInit("POST", { session_id: id, repo_owner: u.owner, repo_name: "web", pr_number: 9 }, u.jwt));
      expect(started.status).toBe(201);
      const endedRes = await req(four, `/api/sessions/${id}/end`, jsonInit("PATCH", {}, u.jwt));
      expect(endedRes.status).toBe(200);
      const list = (await (await req(four, "/api/sessions?limit=10", authed(u.jwt))).json()) as { sessions: { id: string; repo_owner: string }[] };
      expect(list.sessions).toHaveLength(3);
      expect(new Set(list.sessions.map((s) => s.repo_owner))).toEqual(new Set([u.owner]));
      const repo = (await (await req(four, `/api/stats/repo/${u.owner}/web?days=7`, authed(u.jwt))).json()) as { total_seconds: number };
      expect(repo.total_seconds).toBeGreaterThanOrEqual(1800);
      const me = (await (await req(four, "/api/me", authed(u.jwt))).json()) as { user: { id: number; login: string } };
      expect(me.user).toMatchObject({ id: u.id, login: u.login });
      const zone = await req(four, "/api/me", jsonInit("PATCH", { time_zone: "Asia/Tokyo" }, u.jwt));
      expect(zone.status).toBe(200);
    });

    // Each shard holds the sessions of its own users and of no one else.
    for (const [k, db] of shardDBs().entries()) {
      const owners = await rows<{ repo_owner: string }>(db, "SELECT DISTINCT repo_owner FROM sessions WHERE repo_owner LIKE 'own-sharded-%'");
      expect(new Set(owners.map((r) => r.repo_owner)), `shard ${k}`).toEqual(new Set(users.filter((u) => u.shard === k).map((u) => u.owner)));
      const zones = await rows<{ n: number }>(db, "SELECT count(*) AS n FROM users WHERE time_zone = 'Asia/Tokyo'");
      expect(zones[0]!.n, `shard ${k}`).toBe(5);
    }
  });

  it("signs a returning user in to the same shard, through GitHub too", async () => {
    for (const u of users.slice(0, 8)) {
      const again = await signInTo(four, u.login);
      expect(again).toMatchObject({ shard: u.shard, id: u.id });
    }
    const gh = await req(four, "/auth/github/token", jsonInit("POST", { access_token: "gho_good" }));
    expect(gh.status).toBe(200);
    const first = claimsOf(((await gh.json()) as { jwt: string }).jwt);
    expect(first.shard).toBe(pickShard(four, "583231"));
    const renamed = await req(four, "/auth/github/token", jsonInit("POST", { access_token: "gho_octo" }));
    expect(claimsOf(((await renamed.json()) as { jwt: string }).jwt)).toMatchObject({ shard: first.shard, sub: first.sub });
    // The web flow: the state lives in DB, the user on their shard.
    const login = await req(four, `/auth/github/login?redirect_uri=${encodeURIComponent("https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/")}`, { redirect: "manual" });
    const state = new URL(login.headers.get("Location")!).searchParams.get("state")!;
    expect(await rows(env.DB, "SELECT 1 FROM oauth_states WHERE state = ?1", state)).toHaveLength(1);
    const web = await req(four, "/auth/github/callback", jsonInit("POST", { code: await githubCode("octocat"), state }));
    expect(web.status).toBe(200);
    const webJwt = ((await web.json()) as { jwt: string }).jwt;
    expect(claimsOf(webJwt)).toMatchObject({ shard: first.shard, sub: first.sub });
    expect((await req(four, "/api/sessions", authed(webJwt))).status).toBe(200);
  });

  it("logs out on the user's shard", async () => {
    const u = await signInTo(four, "sharded-logout");
    const other = users.find((v) => v.shard !== u.shard && v.id === u.id) ?? users.find((v) => v.shard !== u.shard)!;
    expect((await req(four, "/auth/logout", authed(u.jwt, { method: "POST" }))).status).toBe(204);
    expect((await req(four, "/api/me", authed(u.jwt))).status).toBe(401);
    expect((await req(four, "/api/me", authed(other.jwt))).status).toBe(200);
    const revoked = await rows<{ n: number }>(shardDBs()[u.shard]!, "SELECT count(*) AS n FROM revoked_tokens WHERE user_id = ?1", u.id);
    expect(revoked[0]!.n).toBe(1);
  });

  it("deletes a user's rows on their shard and nothing else", async () => {
    const victim = users.filter((u) => u.shard === 2)[10]!; // not in the sample that started a third session
    const count = async () =>
      Promise.all(
        shardDBs().map(async (db) => {
          const [s] = await rows<{ n: number }>(db, "SELECT count(*) AS n FROM sessions");
          const [u] = await rows<{ n: number }>(db, "SELECT count(*) AS n FROM users");
          return { sessions: s!.n, users: u!.n };
        }),
      );
    const before = await count();
    const theirs = (await rows<{ n: number }>(env.SHARD_2, "SELECT count(*) AS n FROM sessions WHERE user_id = ?1", victim.id))[0]!.n;
    expect(theirs).toBe(2);
    // Users with the same id on the other shards keep everything.
    const namesakes = users.filter((u) => u.id === victim.id && u.shard !== 2);

    expect((await req(four, "/api/me", authed(victim.jwt, { method: "DELETE" }))).status).toBe(204);

    const after = await count();
    expect(after[2]).toEqual({ sessions: before[2]!.sessions - theirs, users: before[2]!.users - 1 });
    for (const k of [0, 1, 3]) expect(after[k], `shard ${k}`).toEqual(before[k]);
    expect(await rows(env.SHARD_2, "SELECT 1 FROM sessions WHERE user_id = ?1 OR repo_owner = ?2", victim.id, victim.owner)).toEqual([]);
    expect(await rows(env.DB, "SELECT 1 FROM user_shards WHERE github_user_id = ?1", `dev:${victim.login}`)).toEqual([]);
    expect((await rows<{ n: number }>(env.DB, "SELECT count(*) AS n FROM user_shards WHERE github_user_id LIKE 'dev:sharded-%'"))[0]!.n).toBe(USERS);
    expect((await req(four, "/api/me", authed(victim.jwt))).status).toBe(401);
    for (const u of namesakes) {
      const pulled = (await (await req(four, "/api/sync/pull", authed(u.jwt))).json()) as { sessions: { repo_owner: string }[] };
      expect(pulled.sessions.length).toBeGreaterThanOrEqual(2);
      expect(new Set(pulled.sessions.map((s) => s.repo_owner))).toEqual(new Set([u.owner]));
    }
  });

  it("finishes large deletions on every shard from the Cron Trigger", async () => {
    const big = [1, 3].map((k) => users.filter((u) => u.shard === k)[30]!); // used by no other test
    const PER_USER = DELETE_CHUNK + 200; // the request removes one chunk; the rest waits for the trigger
    for (const u of big) {
      const all = Array.from({ length: PER_USER }, (_, i) => ended(at(3, i * 2), 60, { repo_owner: u.owner, repo_name: "bulk" }));
      for (let i = 0; i < all.length; i += 500) {
        const res = await req(four, "/api/sync/push", jsonInit("POST", { device_id: "bulk", sessions: all.slice(i, i + 500) }, u.jwt));
        expect(res.status).toBe(200);
      }
      expect((await req(four, "/api/me", authed(u.jwt, { method: "DELETE" }))).status).toBe(204);
    }
    const left = async (u: Signed) =>
      (await rows<{ n: number }>(shardDBs()[u.shard]!, "SELECT count(*) AS n FROM sessions WHERE user_id = ?1", u.id))[0]!.n;
    const pending = async (u: Signed) => (await rows(shardDBs()[u.shard]!, "SELECT 1 FROM deleted_users WHERE user_id = ?1", u.id)).length;
    for (const u of big) {
      expect(await left(u), `shard ${u.shard} before the trigger`).toBe(PER_USER + 2 - DELETE_CHUNK); // and the 2 pushed above
      expect(await pending(u)).toBe(1);
    }
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), four, ctx);
    await waitOnExecutionContext(ctx);
    for (const u of big) {
      expect(await left(u), `shard ${u.shard} after the trigger`).toBe(0);
      expect(await pending(u)).toBe(0);
    }
  });

  it("logs one line per request with its shard, rows and D1 time, and nothing about the user", async () => {
    const u = users.filter((v) => v.shard === 3)[20]!;
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((l: unknown) => void lines.push(String(l)));
    try {
      expect((await req(four, "/auth/dev/login", jsonInit("POST", { login: u.login }))).status).toBe(200);
      expect((await req(four, "/api/sync/push", jsonInit("POST", { device_id: "d", sessions: [ended(at(3, 0), 60, { repo_owner: u.owner })] }, u.jwt))).status).toBe(200);
      expect((await req(four, "/api/stats/daily?days=7", authed(u.jwt))).status).toBe(200);
      expect((await req(four, "/api/me", authed("x.y.z"))).status).toBe(401);
    } finally {
      spy.mockRestore();
    }
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => [l.route, l.status, l.shard])).toEqual([
      ["/auth/dev/login", 200, 3],
      ["/api/sync/push", 200, 3],
      ["/api/stats/daily", 200, 3],
      ["/api/*", 401, null],
    ]);
    expect(logged[1]).toMatchObject({ d1_rows_written: 2 });
    for (const l of logged.slice(0, 3)) {
      expect(l.d1_rows_read as number).toBeGreaterThan(0);
      expect(typeof l.d1_ms).toBe("number");
    }
    for (const l of lines) expect(l).not.toMatch(new RegExp(`${u.login}|${u.owner}|"id"|"${u.id}"|Bearer|10\\.`));
  });

  it("refuses a token of a shard this worker does not bind", async () => {
    const now = Math.floor(Date.now() / 1000);
    const { jwt } = await issueToken(env.JWT_SECRET, { id: 1, login: "ghost", shard: 7 }, now, 3600);
    const res = await req(four, "/api/me", authed(jwt));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal");
    const forged = await issueToken(env.JWT_SECRET, { id: 1, login: "ghost", shard: 64 }, now, 3600);
    expect((await req(four, "/api/me", authed(forged.jwt))).status).toBe(401);
  });
});

describe("adding shards", () => {
  it("keeps every user where they are and sends new users to the shards that take them", async () => {
    // One shard: no directory row is read or written.
    const one = withShards(1);
    const legacy = await signInTo(one, "grow-legacy");
    expect(legacy.shard).toBe(0);
    expect(await rows(env.DB, "SELECT 1 FROM user_shards WHERE github_user_id = 'dev:grow-legacy'")).toEqual([]);

    const two = withShards(2);
    const early = await inGroups(Array.from({ length: 40 }, (_, i) => `grow-early-${i}`), 10, (l) => signInTo(two, l));
    expect(new Set(early.map((u) => u.shard))).toEqual(new Set([0, 1]));

    const grown = withShards(4, { NEW_USER_SHARDS: "2,3" });
    const late = await inGroups(Array.from({ length: 40 }, (_, i) => `grow-late-${i}`), 10, (l) => signInTo(grown, l));
    expect(new Set(late.map((u) => u.shard))).toEqual(new Set([2, 3]));

    // Nobody moved: the one-shard user stays on shard 0 (still without a
    // directory row), the two-shard users on theirs, with their data.
    expect(await signInTo(grown, "grow-legacy")).toMatchObject({ shard: 0, id: legacy.id });
    expect(await rows(env.DB, "SELECT 1 FROM user_shards WHERE github_user_id = 'dev:grow-legacy'")).toEqual([]);
    for (const u of early) expect((await signInTo(grown, u.login)).shard, u.login).toBe(u.shard);
    const u = early.find((v) => v.shard === 1)!;
    await req(two, "/api/sync/push", jsonInit("POST", { device_id: "d", sessions: [ended(at(1, 0), 60, { repo_owner: u.owner })] }, u.jwt));
    const pulled = (await (await req(grown, "/api/sync/pull", authed(u.jwt))).json()) as { sessions: unknown[] };
    expect(pulled.sessions).toHaveLength(1);
  });

  it("refuses NEW_USER_SHARDS that names a shard it does not bind", async () => {
    const res = await req(withShards(2, { NEW_USER_SHARDS: "1,2" }), "/auth/dev/login", jsonInit("POST", { login: "grow-bad" }));
    expect(res.status).toBe(500);
    expect(await rows(env.DB, "SELECT 1 FROM user_shards WHERE github_user_id = 'dev:grow-bad'")).toEqual([]);
  });
});

describe("one shard", () => {
  it("costs what it did before shards: sign-in is one D1 query, the directory untouched", async () => {
    const res = await req(withShards(1), "/auth/dev/login", jsonInit("POST", { login: "single-cost" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Worktime-Cost")).toMatch(/^d1_queries=1;/);
    const four = await req(withShards(4), "/auth/dev/login", jsonInit("POST", { login: "four-cost" }));
    // With shards: the directory (2 reads), a new row (insert and read back), the user.
    expect(four.headers.get("Worktime-Cost")).toMatch(/^d1_queries=5;/);
    expect(await rows(env.DB, "SELECT 1 FROM user_shards WHERE github_user_id = 'dev:single-cost'")).toEqual([]);
  });
});
