import { describe, expect, it } from "vitest";
import { TOMBSTONE_HORIZON_MS } from "../src/queries";
import { authed, call, ended, env, expectStatsMatchSessions, jsonInit, pullAll, push, signIn } from "./helpers";

type Deletion = { id: string; start_time: string; prev_start_time?: string; updated_at: string };

function deletion(s: { id: string; start_time: string }, updatedAt: string, prev?: string): Deletion {
  return { id: s.id, start_time: s.start_time, updated_at: updatedAt, ...(prev ? { prev_start_time: prev } : {}) };
}

async function pullDeleted(jwt: string, since?: string) {
  const q = new URLSearchParams({ limit: "1000" });
  if (since) q.set("since", since);
  const res = await call(`/api/sync/pull?${q}`, authed(jwt));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { sessions: { id: string }[]; deleted?: { id: string; updated_at: string }[]; cursor: string; more: boolean };
  return { ...body, deleted: body.deleted ?? [] };
}

describe("deleting sessions", () => {
  it("removes the session from every total, reaches pull, and never resurrects", async () => {
    const { jwt } = await signIn();
    const a = ended("2026-11-20T10:00:00Z", 1800);
    const b = ended("2026-11-20T11:00:00Z", 600);
    await push(jwt, [a, b]);
    const before = await pullDeleted(jwt);
    const r = await push(jwt, [], { device_id: "dev-2", deleted: [deletion(a, "2026-11-21T09:00:00.000Z")], since: before.cursor });
    expect(r.accepted).toEqual([a.id]);
    expect(r.rejected).toEqual([]);
    expect(r.changed).toBe(false);

    // Pull from the start: a is a deletion with its id and version only.
    const all = await pullDeleted(jwt);
    expect(all.sessions.map((s) => s.id)).toEqual([b.id]);
    // Its version is when the server recorded it: a deletion wins over
    // every version, so the deleting device's clock decides nothing.
    expect(all.deleted.map((d) => d.id)).toEqual([a.id]);
    expect(Math.abs(Date.parse(all.deleted[0]!.updated_at) - Date.now())).toBeLessThan(60_000);
    // From the cursor before it: only the deletion.
    const since = await pullDeleted(jwt, before.cursor);
    expect(since.sessions).toEqual([]);
    expect(since.deleted.map((d) => d.id)).toEqual([a.id]);
    expect(since.cursor).toBe(r.cursor);
    await expectStatsMatchSessions(jwt);
    const list = (await (await call("/api/sessions?limit=200", authed(jwt))).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toEqual([b.id]);

    // An older version and a newer one (edited offline after the deletion)
    // are accepted and ignored: nothing is written, the sequence stays.
    const older = { ...a, updated_at: "2026-11-20T10:40:00.000Z" };
    const newer = { ...a, pr_number: 9, updated_at: "2026-11-22T10:00:00.000Z" };
    const moved = { ...a, start_time: "2026-11-20T09:00:00Z", end_time: "2026-11-20T09:30:00Z", prev_start_time: a.start_time, updated_at: "2026-11-23T10:00:00.000Z" };
    const again = await push(jwt, [older, newer, moved], { since: r.cursor });
    expect(again.rejected).toEqual([]);
    expect(again.changed).toBe(false);
    expect(again.cursor).toBe(r.cursor);
    expect((await pullDeleted(jwt, r.cursor)).sessions).toEqual([]);
    expect((await pullDeleted(jwt)).sessions.map((s) => s.id)).toEqual([b.id]);
    // The same deletion again writes nothing either.
    const twice = await push(jwt, [], { deleted: [deletion(a, "2026-11-24T09:00:00.000Z")], since: r.cursor });
    expect(twice.cursor).toBe(r.cursor);
    await expectStatsMatchSessions(jwt);
  });

  it("finds a moved session at the start the deletion names, and at the start it was moved from", async () => {
    const { jwt } = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 1800);
    await push(jwt, [s]);
    // The server holds s at 10:00; the deleting device had moved it to
    // 09:00 without pushing the move.
    await push(jwt, [], { deleted: [deletion({ id: s.id, start_time: "2026-11-20T09:00:00Z" }, "2026-11-21T00:00:00.000Z", s.start_time)] });
    expect((await pullDeleted(jwt)).sessions).toEqual([]);
    // u was moved by a pushed edit; the deletion names the old start only
    // (the deleting device had not pulled the move): the move marker there
    // leads to it.
    const u = ended("2026-11-20T12:00:00Z", 600);
    await push(jwt, [u]);
    const uMoved = { ...u, start_time: "2026-11-20T13:00:00Z", end_time: "2026-11-20T13:10:00Z", prev_start_time: u.start_time, updated_at: "2026-11-21T01:00:00.000Z" };
    await push(jwt, [uMoved], { device_id: "dev-2" });
    await push(jwt, [], { deleted: [deletion(u, "2026-11-21T02:00:00.000Z")] });
    const all = await pullDeleted(jwt);
    expect(all.sessions).toEqual([]);
    expect(all.deleted.map((d) => d.id).sort()).toEqual([s.id, u.id].sort());
    await expectStatsMatchSessions(jwt);
  });

  it("never hands out a sequence number twice when a move or a deletion removes the highest", async () => {
    const { jwt } = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 600);
    const first = await push(jwt, [s]);
    // Another device has pulled s: its cursor is s's number.
    const moved = { ...s, start_time: "2026-11-20T09:00:00Z", end_time: "2026-11-20T09:10:00Z", prev_start_time: s.start_time, updated_at: "2026-11-21T00:00:00.000Z" };
    const second = await push(jwt, [moved]);
    expect(second.cursor).not.toBe(first.cursor);
    const after = await pullDeleted(jwt, first.cursor);
    expect(after.sessions.map((x) => x.id)).toEqual([s.id]);
    // Deleting the session (the highest number again) is seen from there too.
    const third = await push(jwt, [], { deleted: [deletion(moved, "2026-11-22T00:00:00.000Z")] });
    expect((await pullDeleted(jwt, second.cursor)).deleted.map((d) => d.id)).toEqual([s.id]);
    expect(third.cursor).not.toBe(second.cursor);
  });

  it("keeps nothing of the session but its id, version and sequence number", async () => {
    const { jwt, user } = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 1800);
    await push(jwt, [s]);
    await push(jwt, [], { deleted: [deletion(s, "2026-11-21T00:00:00.000Z")] });
    const rows = await env.DB.prepare("SELECT * FROM deleted_sessions WHERE user_id = ?1").bind(user.id).all();
    expect(rows.results).toHaveLength(1);
    expect(Object.keys(rows.results[0]!).sort()).toEqual(["deleted_at", "id", "seq", "user_id"]);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1 AND status != 3").bind(user.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
  });

  it("drops deletions past the horizon at a later deletion", async () => {
    const { jwt, user } = await signIn();
    const ss = [ended("2026-01-01T10:00:00Z", 60), ended("2026-01-02T10:00:00Z", 60), ended("2026-11-20T10:00:00Z", 60)];
    await push(jwt, ss);
    await push(jwt, [], { deleted: [deletion(ss[0]!, ss[0]!.updated_at), deletion(ss[1]!, ss[1]!.updated_at)] });
    const count = async () =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM deleted_sessions WHERE user_id = ?1").bind(user.id).first<{ n: number }>())!.n;
    expect(await count()).toBe(2);
    // As if they had been recorded a day past the horizon ago.
    await env.DB.prepare("UPDATE deleted_sessions SET deleted_at = ?2 WHERE user_id = ?1")
      .bind(user.id, Date.now() - TOMBSTONE_HORIZON_MS - 86400_000)
      .run();
    const cursor = (await pullDeleted(jwt)).cursor;
    await push(jwt, [], { deleted: [deletion(ss[2]!, new Date().toISOString())] });
    expect(await count()).toBe(1);
    expect((await pullDeleted(jwt, cursor)).deleted.map((d) => d.id)).toEqual([ss[2]!.id]);
    expect((await pullDeleted(jwt)).deleted.map((d) => d.id)).toEqual([ss[2]!.id]);
  });

  it("rejects a malformed deletion alone, and counts deletions in the batch limit", async () => {
    const { jwt } = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 60);
    const r = await push(jwt, [s], { deleted: [{ id: "nope", start_time: s.start_time, updated_at: s.updated_at }, { id: s.id }] });
    expect(r.accepted).toEqual([s.id]);
    expect(r.rejected.map((x) => x.id)).toEqual(["nope", s.id]);
    const many = Array.from({ length: 300 }, () => ended("2026-11-20T10:00:00Z", 60));
    const res = await call(
      "/api/sync/push",
      jsonInit("POST", { device_id: "d", sessions: many, deleted: many.map((m) => deletion(m, m.updated_at)) }, jwt),
    );
    expect(res.status).toBe(413);
  });

  it("DELETE /api/me removes the deletions too", async () => {
    const { jwt, user } = await signIn();
    const s = ended("2026-11-20T10:00:00Z", 60);
    await push(jwt, [s]);
    await push(jwt, [], { deleted: [deletion(s, "2026-11-21T00:00:00.000Z")] });
    expect((await call("/api/me", authed(jwt, { method: "DELETE" }))).status).toBe(204);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM deleted_sessions WHERE user_id = ?1").bind(user.id).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});
