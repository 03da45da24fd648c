import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { authed, call, ended, env, expectError, jsonInit, newId, pullAll, push, signIn, type WireSession } from "./helpers";

describe("POST /api/sync/push", () => {
  it("accepts valid sessions, rejects invalid ones, and pulls them back", async () => {
    const { jwt } = await signIn();
    const good = ended("2026-11-20T10:00:00Z", 1800);
    const active = { ...ended("2026-11-20T12:00:00Z", 0), end_time: null, duration_seconds: 0, status: "active" };
    const bad: unknown[] = [
      { ...ended("2026-11-20T10:00:00Z", 60), id: "not-a-uuid" },
      { ...ended("2026-11-20T10:00:00Z", 60), start_time: "2026-11-20 10:00:00" },
      { ...ended("2026-11-20T10:00:00Z", 60), end_time: "2026-11-20T09:00:00Z", duration_seconds: 0 },
      { ...ended("2026-11-20T10:00:00Z", 60), duration_seconds: 61 },
      { ...ended("2026-11-20T10:00:00Z", 60), status: "paused" },
      { ...ended("2026-11-20T10:00:00Z", 60), end_time: null },
      { ...ended("2026-11-20T10:00:00Z", 60), status: "active" },
      { ...ended("2026-11-20T10:00:00Z", 60), repo_owner: "acme/evil" },
      { ...ended("2026-11-20T10:00:00Z", 60), pr_number: 0 },
      { ...ended("2026-11-20T10:00:00Z", 60), updated_at: "yesterday" },
      { ...ended("2026-11-01T00:00:00Z", 32 * 86400) },
      { ...ended("2026-11-20T10:00:00Z", 60), start_time: "2026-02-31T10:00:00Z" },
      "not an object",
      null,
    ];
    const r = await push(jwt, [good, active, ...bad]);
    expect(r.accepted.sort()).toEqual([good.id, active.id].sort());
    expect(r.rejected).toHaveLength(bad.length);
    for (const rej of r.rejected) expect(rej.error.length).toBeGreaterThan(3);
    expect(r.rejected[0]).toEqual({ id: "not-a-uuid", error: "id: must be a UUID" });
    expect(r.cursor).toMatch(/^c1\./);

    const pulled = await pullAll(jwt);
    const byId = new Map(pulled.sessions.map((s) => [s.id, s]));
    expect(byId.get(good.id)).toEqual({ ...good, device_id: "dev-1" });
    expect(byId.get(active.id)!.end_time).toBeNull();
    expect(byId.get(active.id)!.status).toBe("active");
  });

  it("is idempotent: a replay changes nothing, not even the cursor", async () => {
    const { jwt } = await signIn();
    const sessions = [ended("2026-11-20T10:00:00Z", 600), ended("2026-11-20T11:00:00Z", 900)];
    const first = await push(jwt, sessions);
    const afterFirst = await pullAll(jwt);
    const stats1 = await (await call("/api/stats/repo/acme/web?days=366", authed(jwt))).json();
    const replay = await push(jwt, sessions);
    expect(replay.accepted.sort()).toEqual(first.accepted.sort());
    const since = await pullAll(jwt, afterFirst.cursor);
    expect(since.sessions).toEqual([]);
    expect(await pullAll(jwt)).toEqual(afterFirst);
    const stats2 = await (await call("/api/stats/repo/acme/web?days=366", authed(jwt))).json();
    expect(stats2).toEqual(stats1);
  });

  it("keeps the newest updated_at (last writer wins)", async () => {
    const { jwt } = await signIn();
    const v1 = ended("2026-11-20T10:00:00Z", 600, { updated_at: "2026-11-20T10:10:00.100Z" });
    const v2 = { ...v1, end_time: "2026-11-20T10:20:00Z", duration_seconds: 1200, updated_at: "2026-11-20T10:20:00.200Z" };
    const older = { ...v1, end_time: "2026-11-20T10:05:00Z", duration_seconds: 300, updated_at: "2026-11-20T10:10:00.099Z" };
    await push(jwt, [v1]);
    await push(jwt, [v2]);
    const r = await push(jwt, [older]);
    expect(r.accepted).toEqual([older.id]);
    const { sessions } = await pullAll(jwt);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.duration_seconds).toBe(1200);
    expect(sessions[0]!.updated_at).toBe("2026-11-20T10:20:00.200Z");
    // Within one push, the newest version of a duplicated id wins.
    const a = ended("2026-11-21T10:00:00Z", 60, { updated_at: "2026-11-21T10:01:00.500Z" });
    const b = { ...a, end_time: "2026-11-21T10:02:00Z", duration_seconds: 120, updated_at: "2026-11-21T10:02:00.500Z" };
    const dup = await push(jwt, [b, a]);
    expect(dup.accepted).toEqual([a.id]);
    const got = (await pullAll(jwt)).sessions.find((s) => s.id === a.id)!;
    expect(got.duration_seconds).toBe(120);
  });

  it("keeps ids per user: the same id from another user is that user's own session", async () => {
    const alice = await signIn();
    const mallory = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 600);
    await push(alice.jwt, [s]);
    const theirs = { ...s, repo_owner: "evil", duration_seconds: 60, end_time: "2026-11-20T10:01:00Z", updated_at: "2030-01-01T00:00:00.000Z" };
    const r = await push(mallory.jwt, [theirs]);
    expect(r.accepted).toEqual([s.id]);
    expect((await pullAll(mallory.jwt)).sessions.map((x) => x.repo_owner)).toEqual(["evil"]);
    const mine = (await pullAll(alice.jwt)).sessions;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toEqual({ ...s, device_id: "dev-1" });
  });

  it("refuses more than 500 sessions with 413", async () => {
    const { jwt } = await signIn();
    const sessions = Array.from({ length: 501 }, (_, i) => ended(new Date(Date.UTC(2026, 10, 1) + i * 60000).toISOString().replace(".000Z", "Z"), 30));
    const res = await call("/api/sync/push", jsonInit("POST", { device_id: "d", sessions }, jwt));
    await expectError(res, 413, "too_large");
    expect((await pullAll(jwt)).sessions).toEqual([]);
  });

  it("refuses bodies over 1 MiB with 413 before parsing", async () => {
    const { jwt } = await signIn();
    const body = JSON.stringify({ device_id: "d", sessions: [], pad: "x".repeat(1024 * 1024) });
    const res = await call("/api/sync/push", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${jwt}` }, body });
    await expectError(res, 413, "too_large");
    // A streamed body without Content-Length is counted too.
    const stream = new Blob([body]).stream();
    const res2 = await call("/api/sync/push", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${jwt}` }, body: stream, duplex: "half" } as RequestInit);
    await expectError(res2, 413, "too_large");
  });

  it("refuses malformed bodies with 400", async () => {
    const { jwt } = await signIn();
    const bodies: unknown[] = [{}, { device_id: "", sessions: [] }, { device_id: "d" }, { device_id: "d", sessions: {} }, { device_id: "d", sessions: [], time_zone: "Nowhere/City" }, [1, 2]];
    for (const b of bodies) {
      await expectError(await call("/api/sync/push", jsonInit("POST", b, jwt)), 400, "bad_request");
    }
    const res = await call("/api/sync/push", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${jwt}` }, body: '{"device_id":' });
    await expectError(res, 400, "bad_request");
  });

  it("costs a constant number of D1 queries whatever the batch size", async () => {
    const counts = async (n: number) => {
      const { jwt } = await signIn();
      let statements = 0;
      let batches = 0;
      const db = new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "prepare") return (sql: string) => (statements++, target.prepare(sql));
          if (prop === "batch") return (s: D1PreparedStatement[]) => (batches++, target.batch(s));
          const v = Reflect.get(target, prop);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
      const sessions = Array.from({ length: n }, (_, i) =>
        ended(new Date(Date.UTC(2026, 9, 1) + i * 3 * 3600_000).toISOString().replace(".000Z", "Z"), 5400, { pr_number: 1 + (i % 9), repo_name: `r${i % 4}` }),
      );
      const res = await worker.fetch(new Request("http://w/api/sync/push", jsonInit("POST", { device_id: "d", sessions }, jwt)), { ...env, DB: db }, createExecutionContext());
      expect(res.status).toBe(200);
      expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(n);
      return { statements, batches };
    };
    const one = await counts(1);
    const many = await counts(500);
    expect(many).toEqual(one);
    expect(many.batches).toBe(1);
    expect(many.statements).toBeLessThanOrEqual(12);
  });
});

describe("GET /api/sync/pull", () => {
  it("pages through every change in order, across devices, with more/cursor", async () => {
    const { jwt } = await signIn();
    const sessions = Array.from({ length: 7 }, (_, i) => ended(`2026-11-1${i}T08:00:00Z`, 100 * (i + 1)));
    await push(jwt, sessions.slice(0, 4));
    const other = await call("/api/sync/push", jsonInit("POST", { device_id: "laptop-2", sessions: sessions.slice(4) }, jwt));
    expect(other.status).toBe(200);

    const seen: WireSession[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await pullAll(jwt, cursor, 3);
      seen.push(...page.sessions);
      cursor = page.cursor;
      pages++;
      if (!page.more) break;
    }
    expect(pages).toBe(3);
    expect(seen.map((s) => s.id)).toEqual(sessions.map((s) => s.id));
    expect(seen.slice(4).every((s) => s.device_id === "laptop-2")).toBe(true);

    // A later change shows up after the last cursor, once.
    const changed = { ...sessions[1]!, updated_at: "2026-12-01T00:00:00.000Z", status: "abandoned" };
    await push(jwt, [changed]);
    const next = await pullAll(jwt, cursor);
    expect(next.sessions.map((s) => s.id)).toEqual([changed.id]);
    expect(next.sessions[0]!.status).toBe("abandoned");
    expect((await pullAll(jwt, next.cursor)).sessions).toEqual([]);
  });

  it("validates since and limit", async () => {
    const { jwt } = await signIn();
    for (const q of ["since=garbage", "since=c1.-1", "limit=0", "limit=5000", "limit=abc"]) {
      await expectError(await call(`/api/sync/pull?${q}`, authed(jwt)), 400, "bad_request");
    }
  });
});

describe("time zone", () => {
  it("computes stats in the zone a push sets, canonicalised", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    // 22:30-23:30 UTC: one UTC day; in Europe/Berlin (UTC+1) it crosses midnight.
    const s = ended("2026-11-24T22:30:00Z", 3600);
    await push(jwt, [s]);
    const utc = (await (await call("/api/stats/repo/acme/web?days=366", authed(jwt))).json()) as { days: { date: string; seconds: number }[] };
    expect(utc.days.map((d) => [d.date, d.seconds])).toEqual([["2026-11-24", 3600]]);
    await push(jwt, [], { time_zone: "europe/BERLIN" });
    const berlin = (await (await call("/api/stats/repo/acme/web?days=366", authed(jwt))).json()) as { time_zone: string; days: { date: string; seconds: number }[] };
    expect(berlin.time_zone).toBe("Europe/Berlin");
    expect(berlin.days.map((d) => [d.date, d.seconds])).toEqual([
      ["2026-11-24", 1800],
      ["2026-11-25", 1800],
    ]);
    const me = (await (await call("/api/me", authed(jwt))).json()) as { user: { time_zone: string } };
    expect(me.user.time_zone).toBe("Europe/Berlin");
  });
});

export { newId };
