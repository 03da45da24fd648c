import { describe, expect, it } from "vitest";
import { ZoneCalendar } from "../src/days";
import {
  applySessionsStatements,
  dailyStats,
  deleteUser,
  getSession,
  getUser,
  listSessions,
  sessionsChangedSince,
  upsertUser,
  type SessionWrite,
} from "../src/queries";
import { partsOf, writeSessions } from "../src/session-writes";
import { env, newId } from "./helpers";

function session(over: Partial<SessionWrite> = {}): SessionWrite {
  return {
    id: newId(),
    repo_owner: "acme",
    repo_name: "q",
    pr_number: 1,
    start_time: Date.parse("2026-11-20T10:00:00Z") / 1000,
    end_time: Date.parse("2026-11-20T11:00:00Z") / 1000,
    duration_seconds: 3600,
    status: "completed",
    updated_at: Date.parse("2026-11-20T11:00:00.500Z"),
    ...over,
  };
}

describe("queries", () => {
  it("upsertUser creates, then refreshes login, email and avatar", async () => {
    const gid = `q-${Date.now()}`;
    const a = await upsertUser(env.DB, { githubUserId: gid, login: "old", email: "a@example.com", avatarUrl: "x", timeZone: "Europe/Paris" });
    const b = await upsertUser(env.DB, { githubUserId: gid, login: "new", email: null, avatarUrl: "y" });
    expect(b).toEqual({ id: a.id, login: "new", email: null, avatar_url: "y", time_zone: "Europe/Paris" });
    expect(await getUser(env.DB, a.id)).toEqual(b);
  });

  it("applySessionsStatements: writes, reports foreign ids, bumps the sequence by the batch size", async () => {
    const u1 = await upsertUser(env.DB, { githubUserId: `q1-${Date.now()}`, login: "q1", email: null, avatarUrl: null });
    const u2 = await upsertUser(env.DB, { githubUserId: `q2-${Date.now()}`, login: "q2", email: null, avatarUrl: null });
    const cal = new ZoneCalendar("UTC");
    const s1 = session();
    const s2 = session({ start_time: Date.parse("2026-11-20T23:30:00Z") / 1000, end_time: Date.parse("2026-11-21T00:30:00Z") / 1000 });
    const r1 = await env.DB.batch(applySessionsStatements(env.DB, u1.id, "d", [s1, s2], partsOf(cal, [s1, s2])));
    const seq1 = (r1[r1.length - 1]!.results[0] as { value: number }).value;
    expect(r1[0]!.results).toEqual([]);
    const changed = await sessionsChangedSince(env.DB, u1.id, seq1 - 2, 10);
    expect(changed.map((r) => r.uuid)).toEqual([s1.id, s2.id]);
    expect(changed.map((r) => r.seq)).toEqual([seq1 - 1, seq1]);
    const days = await env.DB.prepare("SELECT date, seconds FROM session_days WHERE session_uuid = ?1 ORDER BY date").bind(s2.id).all();
    expect(days.results).toEqual([
      { date: "2026-11-20", seconds: 1800 },
      { date: "2026-11-21", seconds: 1800 },
    ]);
    // u2 pushing u1's id: reported, not written.
    const r2 = await env.DB.batch(applySessionsStatements(env.DB, u2.id, "d", [{ ...s1, updated_at: s1.updated_at + 1 }], []));
    expect(r2[0]!.results).toEqual([{ uuid: s1.id }]);
    expect(await getSession(env.DB, u2.id, s1.id)).toBeNull();
    expect((await getSession(env.DB, u1.id, s1.id))!.updated_at).toBe(s1.updated_at);
    expect(await dailyStats(env.DB, u2.id, "2026-01-01", "2026-12-31")).toEqual([]);
    expect(await dailyStats(env.DB, u1.id, "2026-11-20", "2026-11-21")).toEqual([
      { repo_owner: "acme", repo_name: "q", date: "2026-11-20", total_duration_seconds: 5400, session_count: 2, avg_session_seconds: 2700 },
      { repo_owner: "acme", repo_name: "q", date: "2026-11-21", total_duration_seconds: 1800, session_count: 1, avg_session_seconds: 1800 },
    ]);
  });

  it("writeSessions moves a session's seconds when it changes repo or day", async () => {
    const u = await upsertUser(env.DB, { githubUserId: `q3-${Date.now()}`, login: "q3", email: null, avatarUrl: null });
    const s = session();
    await writeSessions(env.DB, u.id, "UTC", "d", [s]);
    await writeSessions(env.DB, u.id, "UTC", "d", [{ ...s, repo_name: "moved", start_time: s.start_time + 86400, end_time: s.end_time! + 86400, updated_at: s.updated_at + 1 }]);
    expect(await dailyStats(env.DB, u.id, "2026-11-01", "2026-11-30")).toEqual([
      { repo_owner: "acme", repo_name: "moved", date: "2026-11-21", total_duration_seconds: 3600, session_count: 1, avg_session_seconds: 3600 },
    ]);
    // Back to active: no longer counted.
    await writeSessions(env.DB, u.id, "UTC", "d", [{ ...s, status: "active", end_time: null, duration_seconds: 0, updated_at: s.updated_at + 2 }]);
    expect(await dailyStats(env.DB, u.id, "2026-11-01", "2026-11-30")).toEqual([]);
    expect(await listSessions(env.DB, u.id, 10, 0)).toHaveLength(1);
  });

  it("deleteUser removes only that user's rows", async () => {
    const a = await upsertUser(env.DB, { githubUserId: `q4-${Date.now()}`, login: "q4", email: null, avatarUrl: null });
    const b = await upsertUser(env.DB, { githubUserId: `q5-${Date.now()}`, login: "q5", email: null, avatarUrl: null });
    await writeSessions(env.DB, a.id, "UTC", "d", [session()]);
    await writeSessions(env.DB, b.id, "UTC", "d", [session()]);
    await deleteUser(env.DB, a.id);
    expect(await getUser(env.DB, a.id)).toBeNull();
    expect(await listSessions(env.DB, a.id, 10, 0)).toEqual([]);
    expect(await listSessions(env.DB, b.id, 10, 0)).toHaveLength(1);
    expect(await dailyStats(env.DB, b.id, "2026-11-01", "2026-11-30")).toHaveLength(1);
  });
});
