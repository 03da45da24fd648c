// Writes racing each other in the real workerd: concurrent pushes and zone
// changes, an account deletion racing pushes, and the largest push the API
// accepts.
import { describe, expect, it } from "vitest";
import { purgeDeletedUsers } from "../src/purge";
import { authed, call, ended, env, expectStatsMatchSessions, jsonInit, pullAll, signIn } from "./helpers";

function at(base: string, hours: number) {
  return new Date(Date.parse(base) + hours * 3600_000).toISOString().replace(".000Z", "Z");
}

describe("races", () => {
  it("concurrent pushes and zone changes leave stats equal to a recomputation", async () => {
    const { jwt } = await signIn(undefined, "UTC");
    const zones = ["Asia/Kolkata", "america/new_york", "Europe/Berlin", "Pacific/Chatham", "UTC"];
    const base = new Date(Date.now() - 20 * 86400_000).toISOString().slice(0, 10) + "T00:00:00Z";
    let k = 0;
    const requests: Promise<Response>[] = [];
    for (let round = 0; round < 10; round++) {
      const sessions = Array.from({ length: 40 }, (_, i) => ended(at(base, (k++ * 7) % 400), 600 + ((i * 977) % 30000), { repo_name: `r${i % 3}` }));
      requests.push(call("/api/sync/push", jsonInit("POST", { device_id: `d${round % 2}`, time_zone: zones[round % zones.length], sessions }, jwt)));
      requests.push(call("/api/me", jsonInit("PATCH", { time_zone: zones[(round + 2) % zones.length] }, jwt)));
    }
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.every((s) => s === 200), statuses.join(",")).toBe(true);
    expect((await pullAll(jwt)).sessions).toHaveLength(400);
    expect(await expectStatsMatchSessions(jwt)).toBeGreaterThan(0);
    // Every change took its own number of the user's sequence.
    const seqs = (await pullAll(jwt, undefined, 1000)).cursor;
    expect(seqs).toBe(`c1.${(400).toString(36)}`);
  });

  it("DELETE /api/me racing pushes answers 204 and the pushes 200 or 401, never 500", async () => {
    for (let run = 0; run < 4; run++) {
      const { jwt, user } = await signIn();
      const batch = (n: number) => Array.from({ length: 200 }, (_, i) => ended(at("2026-06-01T00:00:00Z", n * 1000 + i), 1800));
      await call("/api/sync/push", jsonInit("POST", { device_id: "d", sessions: batch(0) }, jwt));
      const pushes = Array.from({ length: 4 }, (_, i) => call("/api/sync/push", jsonInit("POST", { device_id: "d", sessions: batch(i + 1) }, jwt)));
      const del = call("/api/me", authed(jwt, { method: "DELETE" }));
      const results = await Promise.all([...pushes, del]);
      expect(results[4]!.status).toBe(204);
      for (const r of results.slice(0, 4)) expect([200, 401]).toContain(r.status);
      // The request removed the account and its first chunk; the scheduled
      // purge removes what the racing pushes wrote before the deletion.
      await purgeDeletedUsers(env.DB);
      const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1").bind(user.id).first<{ n: number }>();
      expect(left!.n).toBe(0);
      expect((await call("/api/sync/push", jsonInit("POST", { device_id: "d", sessions: batch(9) }, jwt))).status).toBe(401);
    }
  });

  it("accepts the largest push: 500 sessions of 31 days each", async () => {
    const { jwt } = await signIn(undefined, "Europe/Berlin");
    const sessions = Array.from({ length: 500 }, (_, i) => ended(at("2026-03-01T00:00:00Z", i * 5), 31 * 86400, { repo_name: `repo-with-a-long-name-${i % 50}` }));
    const res = await call("/api/sync/push", jsonInit("POST", { device_id: "a-device-id-of-realistic-length-0123456789", sessions }, jwt));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(500);
    // And again (a retry of the same push is a no-op, not an error).
    expect((await call("/api/sync/push", jsonInit("POST", { device_id: "d", sessions }, jwt))).status).toBe(200);
    const stats = await call("/api/stats/daily?days=366", authed(jwt));
    expect(stats.status).toBe(200);
  });
});
