import { describe, expect, it } from "vitest";
import { authed, call, ended, expectError, expectStatsMatchSessions, jsonInit, newId, push, signIn, type WireSession } from "./helpers";

function isoDaysAgo(days: number, hourUTC: number) {
  const d = new Date(Date.now() - days * 86400_000);
  d.setUTCHours(hourUTC, 0, 0, 0);
  return d.toISOString().replace(".000Z", "Z");
}

describe("stats equal a recomputation", () => {
  it("holds through inserts, updates, repo moves, replays, late history and zone changes", async () => {
    const { jwt } = await signIn(undefined, "America/New_York");
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const known: WireSession[] = [];
    let clock = Date.parse("2026-11-01T00:00:00.000Z");
    const updatedAt = () => new Date((clock += 1000)).toISOString();
    for (let round = 0; round < 6; round++) {
      const batch: WireSession[] = [];
      for (let i = 0; i < 40; i++) {
        if (known.length && rand(3) === 0) {
          // Update an existing session: new times, maybe another repo or ended→active.
          const old = known[rand(known.length)]!;
          const start = Date.parse(old.start_time) + (rand(7200) - 3600) * 1000;
          const len = rand(4) === 0 ? 0 : rand(40 * 3600);
          // A moved session names the start it had (prev_start_time).
          const upd = ended(new Date(start).toISOString().replace(".000Z", "Z"), len, { id: old.id, repo_name: `repo${rand(3)}`, updated_at: updatedAt(), prev_start_time: old.start_time });
          if (rand(8) === 0) Object.assign(upd, { status: "active", end_time: null, duration_seconds: 0 });
          batch.push(upd);
        } else {
          const start = Date.parse("2026-10-20T00:00:00Z") + rand(30 * 86400) * 1000;
          const s = ended(new Date(start).toISOString().replace(".000Z", "Z"), rand(30 * 3600), { repo_name: `repo${rand(3)}`, updated_at: updatedAt() });
          if (rand(10) === 0) s.status = "abandoned";
          batch.push(s);
        }
      }
      await push(jwt, batch);
      await push(jwt, batch); // replay
      for (const s of batch) {
        const i = known.findIndex((k) => k.id === s.id);
        if (i >= 0) known[i] = s;
        else known.push(s);
      }
      expect(await expectStatsMatchSessions(jwt)).toBeGreaterThan(0);
      if (round === 2) await push(jwt, [], { time_zone: "Asia/Kolkata" });
      if (round === 4) await push(jwt, [], { time_zone: "Europe/Berlin" });
    }
    // Late-arriving history lands on the day it happened.
    await push(jwt, [ended("2026-10-25T00:30:00Z", 3600, { repo_name: "late" })]);
    await expectStatsMatchSessions(jwt);
    const late = (await (await call("/api/stats/repo/acme/late?days=366", authed(jwt))).json()) as { days: { date: string; seconds: number }[] };
    // 00:30Z-01:30Z on 25 Oct is 02:30-02:30 in Berlin across the DST change (CEST→CET at 01:00Z): all on the 25th.
    expect(late.days.map((d) => [d.date, d.seconds])).toEqual([["2026-10-25", 3600]]);
  });
});

describe("GET /api/stats/daily", () => {
  it("returns one entry per local day, today last, and per-repo totals", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    const other = await signIn(undefined, "UTC");
    await push(jwt, [
      ended(isoDaysAgo(0, 0), 60, { repo_name: "a" }),
      ended(isoDaysAgo(1, 10), 600, { repo_name: "a" }),
      ended(isoDaysAgo(1, 12), 1200, { repo_name: "b" }),
      ended(isoDaysAgo(6, 10), 300, { repo_name: "b" }),
      ended(isoDaysAgo(40, 10), 999, { repo_name: "b" }),
    ]);
    await push(other.jwt, [ended(isoDaysAgo(1, 10), 5000, { repo_name: "a" })]);
    const res = await call("/api/stats/daily?days=7", authed(jwt));
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const body = (await res.json()) as {
      time_zone: string;
      today_seconds: number;
      days: { date: string; seconds: number; sessions: number }[];
      repos: { repo_name: string; seconds: number; sessions: number }[];
    };
    expect(body.time_zone).toBe("UTC");
    expect(body.days).toHaveLength(7);
    expect(body.days[6]!.date).toBe(new Date().toISOString().slice(0, 10));
    expect(body.days.map((d) => d.seconds)).toEqual([300, 0, 0, 0, 0, 1800, 60]);
    expect(body.days[5]!.sessions).toBe(2);
    expect(body.today_seconds).toBe(60);
    expect(body.repos).toEqual([
      { repo_owner: "acme", repo_name: "b", seconds: 1500, sessions: 2 },
      { repo_owner: "acme", repo_name: "a", seconds: 660, sessions: 2 },
    ]);
    const def = (await (await call("/api/stats/daily", authed(jwt))).json()) as { days: unknown[] };
    expect(def.days).toHaveLength(30);
  });

  it("counts a session across midnight on both days but once per repository", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    const start = new Date(Date.now() - 86400_000);
    start.setUTCHours(23, 0, 0, 0);
    await push(jwt, [ended(start.toISOString().replace(".000Z", "Z"), 7200, { repo_name: "night" })]);
    const body = (await (await call("/api/stats/daily?days=2", authed(jwt))).json()) as {
      days: { seconds: number; sessions: number }[];
      repos: { seconds: number; sessions: number }[];
    };
    expect(body.days).toEqual([
      expect.objectContaining({ seconds: 3600, sessions: 1 }),
      expect.objectContaining({ seconds: 3600, sessions: 1 }),
    ]);
    expect(body.repos).toEqual([{ repo_owner: "acme", repo_name: "night", seconds: 7200, sessions: 1 }]);
    const repo = (await (await call("/api/stats/repo/acme/night?days=2", authed(jwt))).json()) as { total_seconds: number; session_count: number };
    expect(repo).toMatchObject({ total_seconds: 7200, session_count: 1 });
    const todayOnly = (await (await call("/api/stats/daily?days=1", authed(jwt))).json()) as { repos: { seconds: number; sessions: number }[] };
    expect(todayOnly.repos).toEqual([{ repo_owner: "acme", repo_name: "night", seconds: 3600, sessions: 1 }]);
  });

  it("validates days", async () => {
    const { jwt } = await signIn();
    for (const q of ["days=0", "days=367", "days=abc", "days=1.5"]) {
      await expectError(await call(`/api/stats/daily?${q}`, authed(jwt)), 400, "bad_request");
    }
  });
});

describe("GET /api/stats/repo/:owner/:name", () => {
  it("reports one repository of the user only", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    const other = await signIn(undefined, "UTC");
    await push(jwt, [
      ended(isoDaysAgo(2, 10), 600, { repo_owner: "octo", repo_name: "cli", pr_number: 1 }),
      ended(isoDaysAgo(2, 11), 300, { repo_owner: "octo", repo_name: "cli", pr_number: 2 }),
      ended(isoDaysAgo(1, 11), 900, { repo_owner: "octo", repo_name: "cli", pr_number: 1 }),
      ended(isoDaysAgo(1, 11), 900, { repo_owner: "octo", repo_name: "other", pr_number: 1 }),
    ]);
    await push(other.jwt, [ended(isoDaysAgo(1, 11), 7777, { repo_owner: "octo", repo_name: "cli", pr_number: 1 })]);
    const res = await call("/api/stats/repo/octo/cli?days=7", authed(jwt));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total_seconds: number; session_count: number; days: { seconds: number }[]; prs: unknown[] };
    expect(body.total_seconds).toBe(1800);
    expect(body.session_count).toBe(3);
    expect(body.days.map((d) => d.seconds)).toEqual([900, 900]);
    expect(body.prs).toEqual([
      { pr_number: 1, seconds: 1500, sessions: 2 },
      { pr_number: 2, seconds: 300, sessions: 1 },
    ]);
    const none = (await (await call("/api/stats/repo/nobody/nothing", authed(jwt))).json()) as { total_seconds: number; days: unknown[] };
    expect(none.total_seconds).toBe(0);
    expect(none.days).toEqual([]);
  });

  it("validates owner and name", async () => {
    const { jwt } = await signIn();
    await expectError(await call("/api/stats/repo/bad!owner/x", authed(jwt)), 400, "bad_request");
    await expectError(await call("/api/stats/repo/ok/a%20b", authed(jwt)), 400, "bad_request");
  });
});

describe("session start/end and stats", () => {
  it("counts a session once it ends", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    const id = newId();
    await call("/api/sessions/start", jsonInit("POST", { repo_owner: "acme", repo_name: "live", pr_number: 3, session_id: id, start_time: "2026-11-20T10:00:00Z" }, jwt));
    expect(await expectStatsMatchSessions(jwt)).toBe(0);
    await call(`/api/sessions/${id}/end`, jsonInit("PATCH", { end_time: "2026-11-20T10:30:00Z" }, jwt));
    expect(await expectStatsMatchSessions(jwt)).toBe(1);
  });
});
