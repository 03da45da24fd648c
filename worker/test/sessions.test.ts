import { describe, expect, it } from "vitest";
import { authed, call, ended, env, expectError, jsonInit, newId, pullAll, push, signIn, type WireSession } from "./helpers";

async function start(jwt: string, body: Record<string, unknown>) {
  return call("/api/sessions/start", jsonInit("POST", { repo_owner: "acme", repo_name: "api", pr_number: 12, ...body }, jwt));
}

describe("POST /api/sessions/start", () => {
  it("starts an active session, idempotent by session_id", async () => {
    const { jwt } = await signIn();
    const id = newId();
    const res = await start(jwt, { session_id: id, start_time: "2026-11-25T09:00:00Z", device_id: "ext-1" });
    expect(res.status).toBe(201);
    const { session } = (await res.json()) as { session: WireSession };
    expect(session).toMatchObject({ id, status: "active", end_time: null, duration_seconds: 0, start_time: "2026-11-25T09:00:00Z", device_id: "ext-1" });
    const again = await start(jwt, { session_id: id, start_time: "2026-11-25T09:30:00Z" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { session: WireSession }).session).toEqual(session);
    expect((await pullAll(jwt)).sessions).toHaveLength(1);
  });

  it("mints an id and uses the server time when none is given", async () => {
    const { jwt } = await signIn();
    const before = Math.floor(Date.now() / 1000) - 1;
    const res = await start(jwt, {});
    expect(res.status).toBe(201);
    const { session } = (await res.json()) as { session: WireSession };
    expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(session.start_time) / 1000).toBeGreaterThanOrEqual(before);
  });

  it("keeps ids per user: another user's session_id starts that user's own session", async () => {
    const a = await signIn();
    const b = await signIn();
    const id = newId();
    expect((await start(a.jwt, { session_id: id, repo_name: "mine" })).status).toBe(201);
    expect((await start(b.jwt, { session_id: id, repo_name: "theirs" })).status).toBe(201);
    expect((await pullAll(a.jwt)).sessions.map((s) => [s.id, s.repo_name])).toEqual([[id, "mine"]]);
    expect((await pullAll(b.jwt)).sessions.map((s) => [s.id, s.repo_name])).toEqual([[id, "theirs"]]);
  });

  it("validates the body", async () => {
    const { jwt } = await signIn();
    for (const body of [{ repo_owner: "" }, { pr_number: -1 }, { pr_number: "12" }, { session_id: "x" }, { start_time: "2026-11-25" }, { repo_name: "a b" }]) {
      await expectError(await start(jwt, body), 400, "bad_request");
    }
    await expectError(await call("/api/sessions/start", jsonInit("POST", { pad: "x".repeat(20000) }, jwt)), 413, "too_large");
  });
});

describe("PATCH /api/sessions/:id/end", () => {
  it("ends once; repeating it changes nothing", async () => {
    const { jwt } = await signIn();
    const id = newId();
    await start(jwt, { session_id: id, start_time: "2026-11-25T09:00:00Z" });
    const res = await call(`/api/sessions/${id}/end`, jsonInit("PATCH", { end_time: "2026-11-25T09:45:00Z" }, jwt));
    expect(res.status).toBe(200);
    const { session } = (await res.json()) as { session: WireSession };
    expect(session).toMatchObject({ id, status: "completed", end_time: "2026-11-25T09:45:00Z", duration_seconds: 2700 });
    const cursor = (await pullAll(jwt)).cursor;
    const again = await call(`/api/sessions/${id}/end`, jsonInit("PATCH", { end_time: "2026-11-25T10:45:00Z" }, jwt));
    expect(((await again.json()) as { session: WireSession }).session).toEqual(session);
    expect((await pullAll(jwt, cursor)).sessions).toEqual([]);
    const stats = (await (await call("/api/stats/repo/acme/api?days=366", authed(jwt))).json()) as { total_seconds: number; prs: unknown[] };
    expect(stats.total_seconds).toBe(2700);
    expect(stats.prs).toEqual([{ pr_number: 12, seconds: 2700, sessions: 1 }]);
  });

  it("ends now with no body, and accepts abandoned", async () => {
    const { jwt } = await signIn();
    const a = newId();
    const b = newId();
    const startTime = new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, "Z");
    await start(jwt, { session_id: a, start_time: startTime });
    await start(jwt, { session_id: b, start_time: startTime });
    const res = await call(`/api/sessions/${a}/end`, authed(jwt, { method: "PATCH" }));
    expect(res.status).toBe(200);
    const s = ((await res.json()) as { session: WireSession }).session;
    expect(s.status).toBe("completed");
    expect(s.duration_seconds).toBeGreaterThanOrEqual(599);
    const ab = await call(`/api/sessions/${b}/end`, jsonInit("PATCH", { status: "abandoned", end_time: startTime }, jwt));
    expect(((await ab.json()) as { session: WireSession }).session).toMatchObject({ status: "abandoned", duration_seconds: 0 });
  });

  it("is 404 for another user's session and for unknown ids", async () => {
    const owner = await signIn();
    const other = await signIn();
    const id = newId();
    await start(owner.jwt, { session_id: id });
    await expectError(await call(`/api/sessions/${id}/end`, jsonInit("PATCH", {}, other.jwt)), 404, "not_found");
    await expectError(await call(`/api/sessions/${newId()}/end`, jsonInit("PATCH", {}, owner.jwt)), 404, "not_found");
    const row = await env.DB.prepare("SELECT status FROM sessions WHERE id = unhex(?1)").bind(id.replace(/-/g, "")).first<{ status: number }>();
    expect(row!.status).toBe(0);
  });

  it("validates id and body", async () => {
    const { jwt } = await signIn();
    const id = newId();
    await start(jwt, { session_id: id, start_time: "2026-11-25T09:00:00Z" });
    await expectError(await call(`/api/sessions/not-a-uuid/end`, jsonInit("PATCH", {}, jwt)), 400, "bad_request");
    await expectError(await call(`/api/sessions/${id}/end`, jsonInit("PATCH", { end_time: "2026-11-25T08:00:00Z" }, jwt)), 400, "bad_request");
    await expectError(await call(`/api/sessions/${id}/end`, jsonInit("PATCH", { status: "active" }, jwt)), 400, "bad_request");
    await expectError(await call(`/api/sessions/${id}/end`, { method: "PATCH", headers: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" }, body: "{nope" }), 400, "bad_request");
  });
});

describe("GET /api/sessions", () => {
  it("lists the user's sessions newest first with limit and offset", async () => {
    const { jwt } = await signIn();
    const other = await signIn();
    const sessions = Array.from({ length: 5 }, (_, i) => ended(`2026-11-0${i + 1}T10:00:00Z`, 60));
    await push(jwt, sessions);
    await push(other.jwt, [ended("2026-11-09T10:00:00Z", 60)]);
    const res = await call("/api/sessions?limit=2&offset=1", authed(jwt));
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const body = (await res.json()) as { sessions: WireSession[]; limit: number; offset: number };
    expect(body.sessions.map((s) => s.id)).toEqual([sessions[3]!.id, sessions[2]!.id]);
    expect(body).toMatchObject({ limit: 2, offset: 1 });
    const all = (await (await call("/api/sessions", authed(jwt))).json()) as { sessions: WireSession[] };
    expect(all.sessions).toHaveLength(5);
  });

  it("pages with before=next through every session once, in the offset listing's order", async () => {
    const { jwt } = await signIn();
    const other = await signIn();
    // Three sessions share a start: the id breaks the tie.
    const sessions = [
      ...Array.from({ length: 4 }, (_, i) => ended(`2026-10-0${i + 1}T10:00:00Z`, 60)),
      ...Array.from({ length: 3 }, () => ended("2026-10-05T10:00:00Z", 60)),
    ];
    await push(jwt, sessions);
    await push(other.jwt, [ended("2026-10-03T09:00:00Z", 60)]);
    type Page = { sessions: WireSession[]; next: string | null };
    const byOffset = ((await (await call("/api/sessions?limit=200", authed(jwt))).json()) as Page).sessions.map((s) => s.id);
    expect(byOffset).toHaveLength(7);
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const q: string = next ? `&before=${next}` : "";
      const res = await call(`/api/sessions?limit=2${q}`, authed(jwt));
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      seen.push(...page.sessions.map((s) => s.id));
      next = page.next;
      pages++;
    } while (next !== null);
    expect(seen).toEqual(byOffset);
    expect(pages).toBe(4);
    // The last page says there is none after it.
    expect(((await (await call("/api/sessions?limit=7", authed(jwt))).json()) as Page).next).toBeNull();
  });

  it("validates limit, offset and before", async () => {
    const { jwt } = await signIn();
    const cursor = `k1.${(1_700_000_000).toString(36)}.${"0".repeat(32)}`;
    for (const q of ["limit=0", "limit=201", "offset=-1", "limit=x", "offset=10001", "before=x", "before=k1.zz.123", `before=${cursor}&offset=5`]) {
      await expectError(await call(`/api/sessions?${q}`, authed(jwt)), 400, "bad_request");
    }
  });
});

describe("/api/me", () => {
  it("reads and sets the time zone", async () => {
    const { jwt } = await signIn();
    const res = await call("/api/me", jsonInit("PATCH", { time_zone: "Asia/Tokyo" }, jwt));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { time_zone: string } }).user.time_zone).toBe("Asia/Tokyo");
    await expectError(await call("/api/me", jsonInit("PATCH", { time_zone: "Asia/Atlantis" }, jwt)), 400, "bad_request");
  });

  it("DELETE removes every row of the user and ends the user's tokens", async () => {
    const login = `leaver-${Date.now()}`;
    const first = await signIn(login);
    const second = await signIn(login);
    const bystander = await signIn();
    await push(first.jwt, [ended("2026-11-20T10:00:00Z", 600), ended("2026-11-21T23:30:00Z", 3600)]);
    await push(bystander.jwt, [ended("2026-11-20T10:00:00Z", 600)]);
    const res = await call("/api/me", authed(first.jwt, { method: "DELETE" }));
    expect(res.status).toBe(204);
    for (const table of ["sessions", "revoked_tokens"]) {
      const r = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?1`).bind(first.user.id).first<{ n: number }>();
      expect(r!.n, table).toBe(0);
    }
    expect(await env.DB.prepare("SELECT id FROM users WHERE id = ?1").bind(first.user.id).first()).toBeNull();
    await expectError(await call("/api/sessions", authed(first.jwt)), 401, "unauthorized");
    await expectError(await call("/api/sessions", authed(second.jwt)), 401, "unauthorized");
    expect((await pullAll(bystander.jwt)).sessions).toHaveLength(1);
    // Signing in again starts from nothing.
    const again = await signIn(login);
    expect(again.user.id).not.toBe(first.user.id);
    expect((await pullAll(again.jwt)).sessions).toEqual([]);
  });
});
