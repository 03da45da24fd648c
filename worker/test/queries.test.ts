import { describe, expect, it } from "vitest";
import { DELETE_CHUNK, deleteUser, getActiveSession, getUser, listSessions, pendingDeletions, purgeChunk, sessionsChangedSince, upsertUser, type SessionWrite } from "../src/queries";
import { writeSessions } from "../src/session-writes";
import { env, newId } from "./helpers";

function session(over: Partial<SessionWrite> = {}): SessionWrite {
  return {
    id: newId(),
    repo_owner: "acme",
    repo_name: "q",
    pr_number: 1,
    start_time: Date.parse("2026-11-20T10:00:00Z") / 1000,
    end_time: Date.parse("2026-11-20T11:00:00Z") / 1000,
    status: "completed",
    updated_at: Date.parse("2026-11-20T11:00:00.500Z"),
    ...over,
  };
}

let n = 0;
const newUser = () => upsertUser(env.DB, { githubUserId: `q-${Date.now()}-${++n}`, login: `q${n}`, email: null, avatarUrl: null });

async function rowsOf(userId: number) {
  return (await env.DB.prepare("SELECT lower(hex(id)) AS id, start_time, status, seq, end_time FROM sessions WHERE user_id = ?1 ORDER BY start_time").bind(userId).all()).results;
}

describe("queries", () => {
  it("upsertUser creates, then refreshes login, email and avatar", async () => {
    const gid = `q-${Date.now()}`;
    const a = await upsertUser(env.DB, { githubUserId: gid, login: "old", email: "a@example.com", avatarUrl: "x", timeZone: "Europe/Paris" });
    const b = await upsertUser(env.DB, { githubUserId: gid, login: "new", email: null, avatarUrl: "y" });
    expect(b).toEqual({ id: a.id, login: "new", email: null, avatar_url: "y", time_zone: "Europe/Paris" });
    expect(await getUser(env.DB, a.id)).toEqual(b);
  });

  it("numbers each user's writes 1, 2, 3… on its own sequence; ignored versions take no number", async () => {
    const u1 = await newUser();
    const u2 = await newUser();
    const [a, b] = [session(), session({ start_time: session().start_time + 60 })];
    expect(await writeSessions(env.DB, u1.id, "d", [a, b])).toEqual({ before: 0, seq: 2 });
    expect(await writeSessions(env.DB, u2.id, "d", [session()])).toEqual({ before: 0, seq: 1 });
    // A replay and an older version: nothing written, no number taken.
    expect(await writeSessions(env.DB, u1.id, "d", [a, { ...b, updated_at: b.updated_at - 1, end_time: b.end_time! + 5 }])).toEqual({ before: 2, seq: 2 });
    expect(await writeSessions(env.DB, u1.id, "d", [{ ...a, updated_at: a.updated_at + 1, status: "abandoned" }])).toEqual({ before: 2, seq: 3 });
    expect((await sessionsChangedSince(env.DB, u1.id, 0, 10)).map((r) => [r.id, r.seq, r.status])).toEqual([
      [b.id, 2, "completed"],
      [a.id, 3, "abandoned"],
    ]);
  });

  it("moves a session whose start changed, leaving a tombstone that refuses older versions", async () => {
    const u = await newUser();
    const s = session();
    await writeSessions(env.DB, u.id, "d", [s]);
    const moved = { ...s, start_time: s.start_time - 600, updated_at: s.updated_at + 10, prev_start_time: s.start_time };
    await writeSessions(env.DB, u.id, "d", [moved]);
    // A device that had not seen the move pushes its older version: refused.
    await writeSessions(env.DB, u.id, "d2", [{ ...s, updated_at: s.updated_at + 5 }]);
    let rows = await rowsOf(u.id);
    expect(rows.map((r) => [r.start_time, r.status])).toEqual([
      [moved.start_time, 1],
      [s.start_time, 3],
    ]);
    expect(rows[1]!.seq).toBeNull();
    expect((await sessionsChangedSince(env.DB, u.id, 0, 10)).map((r) => r.start_time)).toEqual([moved.start_time]);
    expect(await listSessions(env.DB, u.id, 10, 0)).toHaveLength(1);
    // A newer version at the old start (a device that edited it back) wins,
    // and the moved copy becomes the tombstone.
    await writeSessions(env.DB, u.id, "d2", [{ ...s, updated_at: s.updated_at + 20 }]);
    rows = await rowsOf(u.id);
    expect(rows.map((r) => [r.start_time, r.status, r.end_time])).toEqual([
      [moved.start_time, 3, s.start_time],
      [s.start_time, 1, s.end_time],
    ]);
    expect((await listSessions(env.DB, u.id, 10, 0)).map((r) => r.start_time)).toEqual([s.start_time]);
  });

  it("writes max_span only when a session exceeds it", async () => {
    const u = await newUser();
    const span = async () => (await env.DB.prepare("SELECT max_span FROM users WHERE id = ?1").bind(u.id).first<{ max_span: number }>())!.max_span;
    const long = session({ end_time: session().start_time + 7200 });
    await writeSessions(env.DB, u.id, "d", [long, session({ start_time: long.start_time + 100 })]);
    expect(await span()).toBe(7200);
    await writeSessions(env.DB, u.id, "d", [session({ start_time: long.start_time + 200 })]);
    expect(await span()).toBe(7200);
    // Active sessions do not count.
    await writeSessions(env.DB, u.id, "d", [session({ start_time: 1e9, end_time: null, status: "active" })]);
    expect(await span()).toBe(7200);
    expect(await getActiveSession(env.DB, u.id, (await listSessions(env.DB, u.id, 1, 0))[0]!.id)).toBeNull();
  });

  it("deleteUser removes the identity at once; purgeChunk removes only that user's rows, a chunk at a time", async () => {
    const a = await newUser();
    const b = await newUser();
    const base = Date.parse("2026-01-01T00:00:00Z") / 1000;
    const many = Array.from({ length: 500 }, (_, i) => session({ start_time: base + i * 100, end_time: base + i * 100 + 50 }));
    for (let i = 0; i < 5; i++) await writeSessions(env.DB, a.id, "d", many.map((s) => ({ ...s, id: newId(), start_time: s.start_time + i * 86400, end_time: s.end_time! + i * 86400 })));
    await writeSessions(env.DB, b.id, "d", [session()]);
    expect((await deleteUser(env.DB, a.id, 1_800_000_000)).githubUserId).not.toBeNull();
    expect((await deleteUser(env.DB, a.id, 1_800_000_000)).githubUserId).toBeNull(); // already gone
    expect(await getUser(env.DB, a.id)).toBeNull();
    expect(await pendingDeletions(env.DB, 100)).toContain(a.id);
    // A write racing the deletion finds no user and writes nothing.
    await expect(writeSessions(env.DB, a.id, "d", [session()])).rejects.toThrow("user no longer exists");
    expect(2500).toBeGreaterThan(2 * DELETE_CHUNK);
    expect(await purgeChunk(env.DB, a.id)).toBe(DELETE_CHUNK);
    expect(await rowsOf(a.id)).toHaveLength(2500 - DELETE_CHUNK);
    expect(await pendingDeletions(env.DB, 100)).toContain(a.id);
    expect(await purgeChunk(env.DB, a.id)).toBe(DELETE_CHUNK);
    expect(await purgeChunk(env.DB, a.id)).toBe(500);
    expect(await rowsOf(a.id)).toEqual([]);
    expect(await pendingDeletions(env.DB, 100)).not.toContain(a.id);
    expect(await listSessions(env.DB, b.id, 10, 0)).toHaveLength(1);
  });
});
