// What requests cost in D1 and KV (the Worktime-Cost header, from D1's own
// meta) and the push protocol's cursor and `changed`.
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { authed, call, ended, env, jsonInit, pullAll, signIn } from "./helpers";

type Cost = Record<"d1_queries" | "d1_rows_read" | "d1_rows_written" | "d1_ms" | "kv_reads" | "kv_writes", number>;

function costOf(res: Response): Cost {
  const h = res.headers.get("Worktime-Cost");
  expect(h).toMatch(/^d1_queries=\d+;d1_rows_read=\d+;d1_rows_written=\d+;d1_ms=[\d.]+;kv_reads=\d+;kv_writes=\d+$/);
  return Object.fromEntries(h!.split(";").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])])) as Cost;
}

function day(n: number, hour: number) {
  return new Date(Date.UTC(2026, 5, 1) + n * 86400_000 + hour * 3600_000).toISOString().replace(".000Z", "Z");
}

/** A user-day of 20 ended sessions, 10 to 25 minutes each, 20 minutes apart. */
function userDay(n: number) {
  return Array.from({ length: 20 }, (_, i) => ended(new Date(Date.parse(day(n, 8)) + i * 1200_000).toISOString().replace(".000Z", "Z"), 600 + i * 45, { repo_name: `repo-${i % 4}`, pr_number: 100 + i }));
}

async function pushCost(jwt: string, sessions: unknown[], extra: Record<string, unknown> = {}) {
  const res = await call("/api/sync/push", jsonInit("POST", { device_id: "0b4e7a52-6a51-4f0e-9a55-3f1f2b6c9d10", sessions, ...extra }, jwt));
  expect(res.status).toBe(200);
  return { cost: costOf(res), body: (await res.json()) as { cursor: string; changed: boolean; accepted: string[] } };
}

describe("cost instrumentation", () => {
  it("logs one JSON line per request with the route and D1/KV counts, and nothing about the user", async () => {
    const { jwt, user } = await signIn("cost-logger");
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((l: unknown) => void lines.push(String(l)));
    try {
      const res = await call("/api/stats/repo/acme/web?days=7", authed(jwt));
      expect(res.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(["d1_ms", "d1_queries", "d1_rows_read", "d1_rows_written", "kv_reads", "kv_writes", "route", "shard", "status", "wall_ms"]);
    expect(line).toMatchObject({ route: "/api/stats/repo/:owner/:name", status: 200, shard: 0, d1_queries: 2, kv_reads: 0, kv_writes: 0 });
    expect(lines[0]).not.toMatch(new RegExp(`cost-logger|acme|"${user.id}"|Bearer`));
  });

  it("logs the route pattern, never the path, of a request no route matches", async () => {
    const { jwt } = await signIn("cost-unrouted");
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((l: unknown) => void lines.push(String(l)));
    let status = 0;
    try {
      status = (await call("/api/people/octo-private-login?email=octo@example.com", authed(jwt))).status;
    } finally {
      spy.mockRestore();
    }
    expect(status).toBe(404);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/octo|example\.com|people|cost-unrouted/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 404 });
  });

  it("sets Worktime-Cost only when COST_HEADER is 1", async () => {
    const { jwt } = await signIn();
    const res = await worker.fetch(new Request("http://w/api/me", authed(jwt)), { ...env, COST_HEADER: "0" }, createExecutionContext());
    expect(res.status).toBe(200);
    expect(res.headers.get("Worktime-Cost")).toBeNull();
    expect(costOf(await call("/api/me", authed(jwt)))).toMatchObject({ d1_queries: 1, d1_rows_written: 0, kv_reads: 0, kv_writes: 0 });
  });
});

describe("cost per request", () => {
  it("writes at most 2 D1 rows per ended session, no KV, and nothing on reads", async () => {
    const { jwt } = await signIn();
    await pushCost(jwt, [ended(day(0, 1), 4 * 3600)]); // the longest session so far
    const { cost } = await pushCost(jwt, userDay(1));
    expect(cost.d1_rows_written).toBeLessThanOrEqual(40);
    expect(cost.d1_rows_written).toBeGreaterThanOrEqual(20);
    expect(cost).toMatchObject({ kv_reads: 0, kv_writes: 0 });
    // A newer version of an ended session: its row and its seq index entry.
    const edited = { ...userDay(1)[0]!, updated_at: "2027-01-01T00:00:00.000Z" };
    const again = await pushCost(jwt, [edited]);
    expect(again.cost.d1_rows_written).toBeLessThanOrEqual(3);
    // A replay writes nothing.
    const s = userDay(2);
    await pushCost(jwt, s);
    expect((await pushCost(jwt, s)).cost.d1_rows_written).toBe(0);
    for (const path of ["/api/sync/pull", "/api/stats/daily?days=366", "/api/stats/repo/acme/repo-1?days=366", "/api/sessions", "/api/me"]) {
      const c = costOf(await call(path, authed(jwt)));
      expect(c, path).toMatchObject({ d1_rows_written: 0, kv_reads: 0, kv_writes: 0 });
    }
  });

  it("a zone change writes one row whatever the history; a push in the stored zone writes none for it", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    for (let d = 0; d < 10; d++) await pushCost(jwt, userDay(d));
    const res = await call("/api/me", jsonInit("PATCH", { time_zone: "Asia/Tokyo" }, jwt));
    expect(costOf(res)).toMatchObject({ d1_queries: 2, d1_rows_written: 1 });
    expect(costOf(res).d1_rows_read).toBeLessThanOrEqual(4);
    const same = await pushCost(jwt, [], { time_zone: "asia/tokyo" });
    expect(same.cost.d1_rows_written).toBe(0);
    const moved = await pushCost(jwt, [], { time_zone: "Europe/Lisbon" });
    expect(moved.cost.d1_rows_written).toBe(1);
  });

  it("reads do not grow with the user's history outside the range asked", async () => {
    const fresh = await signIn();
    const old = await signIn();
    // 2,000 sessions years before the range.
    for (let b = 0; b < 4; b++) {
      const sessions = Array.from({ length: 500 }, (_, i) => ended(new Date(Date.UTC(2020, 0, 1) + (b * 500 + i) * 7200_000).toISOString().replace(".000Z", "Z"), 1800));
      await pushCost(old.jwt, sessions);
    }
    const now = new Date();
    const recent = Array.from({ length: 20 }, (_, i) => ended(new Date(now.getTime() - 2 * 86400_000 + i * 1200_000).toISOString().replace(/\.\d+Z$/, "Z"), 600));
    const a = await pushCost(fresh.jwt, recent);
    const b = await pushCost(old.jwt, recent.map((s) => ({ ...s, id: crypto.randomUUID() })));
    // Equal up to the depth of the b-trees searched.
    expect(b.cost.d1_rows_read).toBeLessThanOrEqual(a.cost.d1_rows_read + 3);
    // The fresh user's first push also raises max_span (one row).
    expect(b.cost.d1_rows_written).toBe(40);
    expect(a.cost.d1_rows_written).toBe(41);
    // A listing reads its page, not the history before it; deep in the
    // history too when paged with `before` (offset reads every row before).
    expect(costOf(await call("/api/sessions?limit=50", authed(old.jwt))).d1_rows_read).toBeLessThanOrEqual(2 * 50 + 5);
    let next: string | null = null;
    const pageReads: number[] = [];
    const ids = new Set<string>();
    for (let p = 0; p < 10; p++) {
      const res = await call(`/api/sessions?limit=200${next ? `&before=${next}` : ""}`, authed(old.jwt));
      pageReads.push(costOf(res).d1_rows_read);
      const page = (await res.json()) as { sessions: { id: string }[]; next: string | null };
      for (const s of page.sessions) ids.add(s.id);
      next = page.next;
      if (p < 9) expect(typeof next).toBe("string");
    }
    // Ten distinct pages: the old user's 2,000 sessions and the 20 recent ones.
    expect(ids.size).toBe(2000);
    expect(Math.max(...pageReads), `rows read per page: ${pageReads}`).toBeLessThanOrEqual(pageReads[0]! + 2);
    const deep = costOf(await call("/api/sessions?limit=200&offset=1800", authed(old.jwt))).d1_rows_read;
    expect(deep).toBeGreaterThan(1800);
    for (const path of ["/api/stats/daily?days=30", "/api/stats/repo/acme/web?days=30", `/api/sync/pull?since=c1.${(2000).toString(36)}`]) {
      const ca = costOf(await call(path.replace(/since=[^&]+/, "since=c1.0"), authed(fresh.jwt)));
      const cb = costOf(await call(path, authed(old.jwt)));
      expect(cb.d1_rows_read, path).toBeLessThanOrEqual(ca.d1_rows_read + 2);
    }
  });
});

describe("push: since, changed and the per-user cursor", () => {
  it("says changed=false only when nothing but this push wrote since the device's cursor", async () => {
    const { jwt } = await signIn();
    const first = await pushCost(jwt, userDay(0).slice(0, 3));
    expect(first.body).toMatchObject({ cursor: "c1.3", changed: true }); // no since
    const second = await pushCost(jwt, userDay(0).slice(3, 5), { since: first.body.cursor });
    expect(second.body).toMatchObject({ cursor: "c1.5", changed: false });
    // Another device writes: the next push from the old cursor is "changed".
    const other = await call("/api/sync/push", jsonInit("POST", { device_id: "other", sessions: userDay(1).slice(0, 1) }, jwt));
    expect(((await other.json()) as { cursor: string }).cursor).toBe("c1.6");
    const third = await pushCost(jwt, userDay(2).slice(0, 1), { since: second.body.cursor });
    expect(third.body).toMatchObject({ cursor: "c1.7", changed: true });
    // An empty push reports the cursor; a stale or malformed since is "changed".
    expect((await pushCost(jwt, [], { since: "c1.7" })).body).toMatchObject({ cursor: "c1.7", changed: false });
    expect((await pushCost(jwt, [], { since: "c1.2" })).body.changed).toBe(true);
    expect((await pushCost(jwt, [], { since: "garbage" })).body.changed).toBe(true);
    // Cursors are per user: another user's first push starts at 1.
    const stranger = await signIn();
    expect((await pushCost(stranger.jwt, userDay(0).slice(0, 1))).body.cursor).toBe("c1.1");
    // Pull from the cursor of a "changed" push returns the other device's session.
    expect((await pullAll(jwt, second.body.cursor)).sessions.map((s) => s.device_id)).toEqual(["other", "0b4e7a52-6a51-4f0e-9a55-3f1f2b6c9d10"]);
  });
});
