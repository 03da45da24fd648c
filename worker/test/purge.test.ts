// Deleting a large account: DELETE /api/me does bounded work (the identity
// and one chunk of sessions) and the scheduled handler, the Cron Trigger of
// wrangler.jsonc, removes the rest in bounded runs; nothing of the old
// account is visible at any point after the response.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { meterD1, newCost } from "../src/cost";
import { PURGE_CHUNKS_PER_RUN, purgeDeletedUsers } from "../src/purge";
import { DELETE_CHUNK } from "../src/queries";
import { authed, call, ended, env, expectError, jsonInit, pullAll, signIn } from "./helpers";

type Cost = Record<"d1_queries" | "d1_rows_read" | "d1_rows_written", number>;

function costOf(res: Response): Cost {
  return Object.fromEntries(res.headers.get("Worktime-Cost")!.split(";").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])])) as Cost;
}

/** n ended sessions, 10 minutes each, 20 a day from 2025-01-01, pushed 500 at a time. */
async function fill(jwt: string, n: number) {
  const base = Date.parse("2025-01-01T08:00:00Z");
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, (_, k) => {
      const j = i + k;
      const start = new Date(base + Math.floor(j / 20) * 86400_000 + (j % 20) * 1200_000).toISOString().replace(".000Z", "Z");
      return ended(start, 600, { repo_name: `repo-${j % 7}`, pr_number: 1 + (j % 50) });
    });
    const res = await call("/api/sync/push", jsonInit("POST", { device_id: "dev-1", sessions: batch }, jwt));
    expect(res.status).toBe(200);
  }
}

const countOf = async (userId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1").bind(userId).first<{ n: number }>())!.n;
const pending = async (userId: number) => (await env.DB.prepare("SELECT 1 AS x FROM deleted_users WHERE user_id = ?1").bind(userId).first()) !== null;

async function scheduledRun() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("account deletion", () => {
  it("DELETE /api/me costs the same whatever the history; the Cron Trigger finishes it in bounded runs", async () => {
    const total = PURGE_CHUNKS_PER_RUN * DELETE_CHUNK + 2500; // the request's chunk, one full run, and a part
    const login = `large-${Date.now()}`;
    const old = await signIn(login, "Europe/Berlin");
    const bystander = await signIn();
    await call("/api/sync/push", jsonInit("POST", { device_id: "b", sessions: [ended("2025-01-01T08:00:00Z", 600)] }, bystander.jwt));
    await fill(old.jwt, total);
    expect(await countOf(old.user.id)).toBe(total);

    // A small account's deletion, for comparison.
    const small = await signIn();
    await call("/api/sync/push", jsonInit("POST", { device_id: "s", sessions: [ended("2025-01-01T08:00:00Z", 600)] }, small.jwt));
    const smallDel = await call("/api/me", authed(small.jwt, { method: "DELETE" }));
    expect(smallDel.status).toBe(204);
    expect(await countOf(small.user.id)).toBe(0);
    expect(await pending(small.user.id)).toBe(false); // a small account is gone in the request

    const del = await call("/api/me", authed(old.jwt, { method: "DELETE" }));
    expect(del.status).toBe(204);
    const cost = costOf(del);
    expect(cost.d1_queries).toBe(costOf(smallDel).d1_queries);
    // One chunk: each session removed writes its row and its seq index entry.
    expect(cost.d1_rows_written).toBeLessThanOrEqual(2 * DELETE_CHUNK + 10);
    expect(cost.d1_rows_read).toBeLessThanOrEqual(5 * DELETE_CHUNK + 10);
    expect(await countOf(old.user.id)).toBe(total - DELETE_CHUNK);
    expect(await pending(old.user.id)).toBe(true);

    // Nothing of the old account is visible: its tokens fail, and a new
    // sign-in of the same GitHub account is a new user with no sessions.
    await expectError(await call("/api/sessions", authed(old.jwt)), 401, "unauthorized");
    const again = await signIn(login);
    expect(again.user.id).not.toBe(old.user.id);
    expect((await pullAll(again.jwt)).sessions).toEqual([]);
    expect(((await (await call("/api/sessions?limit=200", authed(again.jwt))).json()) as { sessions: unknown[] }).sessions).toEqual([]);
    const stats = (await (await call("/api/stats/daily?days=366", authed(again.jwt))).json()) as { days: { seconds: number }[]; repos: unknown[] };
    expect(stats.days.every((d) => d.seconds === 0)).toBe(true);
    expect(stats.repos).toEqual([]);

    // The first run removes one run's budget, the second the rest.
    await scheduledRun();
    expect(await countOf(old.user.id)).toBe(total - DELETE_CHUNK - PURGE_CHUNKS_PER_RUN * DELETE_CHUNK);
    expect(await pending(old.user.id)).toBe(true);
    await scheduledRun();
    expect(await countOf(old.user.id)).toBe(0);
    expect(await pending(old.user.id)).toBe(false);
    expect((await pullAll(bystander.jwt)).sessions).toHaveLength(1);

    // With nothing pending a run is one query that writes nothing.
    const idle = newCost();
    expect(await purgeDeletedUsers(meterD1(env.DB, idle))).toEqual({ chunks: 0, removed: 0, users_done: 0 });
    expect(idle).toMatchObject({ d1_queries: 1, d1_rows_written: 0 });
  });

  it("a run shares its budget across deleted users, in user id order", async () => {
    const users = [await signIn(), await signIn(), await signIn()];
    for (const u of users) await fill(u.jwt, DELETE_CHUNK + 700);
    for (const u of users) expect((await call("/api/me", authed(u.jwt, { method: "DELETE" }))).status).toBe(204);
    for (const u of users) expect(await countOf(u.user.id)).toBe(700);
    expect(await purgeDeletedUsers(env.DB, 2)).toEqual({ chunks: 2, removed: 1400, users_done: 2 });
    expect(await countOf(users[2]!.user.id)).toBe(700);
    expect(await purgeDeletedUsers(env.DB, 2)).toEqual({ chunks: 1, removed: 700, users_done: 1 });
    for (const u of users) {
      expect(await countOf(u.user.id)).toBe(0);
      expect(await pending(u.user.id)).toBe(false);
    }
  });
});
