// The upgrade a deployed worker goes through: a database at migration 0002
// holding users and sessions (active, completed, abandoned, several users) is
// migrated to the current schema, and every endpoint answers the same data;
// cursors handed out before the upgrade stay valid.
import { applyD1Migrations, createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { issueToken } from "../src/jwt";
import { secondsToRFC3339 } from "../src/session-writes";
import { env, jsonInit, type WireSession } from "./helpers";

const DB = () => env.UPGRADE_DB;

function fetchOld(path: string, jwt: string, init: RequestInit = {}) {
  const headers = { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${jwt}` };
  return worker.fetch(new Request(`http://w${path}`, { ...init, headers }), { ...env, DB: DB() }, createExecutionContext());
}

async function get<T>(path: string, jwt: string): Promise<T> {
  const res = await fetchOld(path, jwt);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const DAY = 86400;
const today = Math.floor(Date.now() / 1000 / DAY) * DAY; // 00:00 UTC today

// [user, uuid, device, owner, name, pr, start, end, status, updated_at ms, seq]
type Old = [number, string, string, string, string, number, number, number | null, string, number, number];
const OLD: Old[] = [
  [1, "0190a1b2-0000-7000-8000-000000000001", "laptop", "acme", "web", 7, today - 2 * DAY + 36000, today - 2 * DAY + 37800, "completed", 1, 1],
  [2, "0190a1b2-0000-7000-8000-000000000002", "desk", "octo", "cli", 1, today - DAY + 3600, today - DAY + 4200, "completed", 2, 2],
  [1, "0190a1b2-0000-7000-8000-000000000003", "laptop", "acme", "web", 8, today - DAY + 82800, today + 1800, "completed", 3, 3],
  [1, "0190A1B2-0000-7000-8000-000000000004", "phone", "acme", "api", 9, today - DAY + 7200, today - DAY + 7260, "abandoned", 4, 4],
  [2, "0190a1b2-0000-7000-8000-000000000005", "desk", "octo", "cli", 2, today + 60, null, "active", 5, 6],
  [1, "0190a1b2-0000-7000-8000-000000000006", "laptop", "acme", "web", 7, today + 120, null, "active", 6, 7],
];
const GLOBAL_SEQ = 9; // the old global sequence: bob's push last answered c1.9

describe("upgrade from migration 0002", () => {
  it("carries users, sessions and cursors forward", async () => {
    await applyD1Migrations(DB(), env.TEST_MIGRATIONS.slice(0, 2));
    await DB().batch([
      DB().prepare("INSERT INTO users (id, github_user_id, github_username, time_zone) VALUES (1, 'g1', 'alice', 'Europe/Berlin'), (2, 'g2', 'bob', 'UTC'), (3, 'g3', 'carol', 'UTC')"),
      ...OLD.map((o) =>
        DB()
          .prepare(
            `INSERT INTO time_sessions (user_id, uuid, device_id, repo_owner, repo_name, pr_number, start_time, end_time, duration_seconds, status, updated_at, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
          )
          .bind(o[0], o[1].toLowerCase(), o[2], o[3], o[4], o[5], o[6], o[7], o[7] === null ? 0 : o[7] - o[6], o[8], o[9], o[10]),
      ),
      DB().prepare("UPDATE sync_seq SET value = ?1").bind(GLOBAL_SEQ),
    ]);
    await applyD1Migrations(DB(), env.TEST_MIGRATIONS);
    const tables = (await DB().prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name").all<{ name: string }>()).results.map((r) => r.name);
    expect(tables).toEqual(["d1_migrations", "deleted_users", "oauth_states", "revoked_tokens", "sessions", "sqlite_sequence", "user_shards", "users"]);

    const now = Math.floor(Date.now() / 1000);
    const jwt = async (id: number, login: string) => (await issueToken(env.JWT_SECRET, { id, login }, now, 3600)).jwt;
    const [alice, bob, carol] = [await jwt(1, "alice"), await jwt(2, "bob"), await jwt(3, "carol")];
    const wire = (o: Old): WireSession => ({
      id: o[1].toLowerCase(),
      repo_owner: o[3],
      repo_name: o[4],
      pr_number: o[5],
      start_time: secondsToRFC3339(o[6]),
      end_time: o[7] === null ? null : secondsToRFC3339(o[7]),
      duration_seconds: o[7] === null ? 0 : o[7] - o[6],
      status: o[8],
      updated_at: new Date(o[9]).toISOString(),
      device_id: o[2],
    });
    const of = (u: number) => OLD.filter((o) => o[0] === u);

    // Pull: everything, in the old seq order; and after an old cursor.
    const all = await get<{ sessions: WireSession[]; cursor: string; more: boolean }>("/api/sync/pull", alice);
    expect(all).toEqual({ sessions: of(1).map(wire), cursor: "c1.7", more: false });
    const after = await get<{ sessions: WireSession[] }>("/api/sync/pull?since=c1.3", alice);
    expect(after.sessions.map((s) => s.id)).toEqual([OLD[3]![1].toLowerCase(), OLD[5]![1]]);
    expect((await get<{ sessions: WireSession[] }>("/api/sync/pull", bob)).sessions).toEqual(of(2).map(wire));
    expect((await get<{ sessions: WireSession[] }>("/api/sync/pull", carol)).sessions).toEqual([]);

    // Listing, newest start first.
    const list = await get<{ sessions: WireSession[] }>("/api/sessions", alice);
    expect(list.sessions.map((s) => s.id)).toEqual([OLD[5]!, OLD[2]!, OLD[3]!, OLD[0]!].map((o) => o[1].toLowerCase()));

    // Stats in alice's zone (Berlin, UTC+1 in winter): the session from 23:00Z
    // to 00:30Z is 00:00-01:30 local, all on one date. Four days cover the
    // sessions whatever Berlin's date is now.
    const daily = await get<{ time_zone: string; days: { date: string; seconds: number; sessions: number }[]; repos: unknown[] }>("/api/stats/daily?days=4", alice);
    expect(daily.time_zone).toBe("Europe/Berlin");
    expect(daily.days.filter((d) => d.seconds > 0).map((d) => [d.seconds, d.sessions])).toEqual([
      [1800, 1],
      [60, 1],
      [5400, 1],
    ]);
    expect(daily.repos).toEqual([
      { repo_owner: "acme", repo_name: "web", seconds: 7200, sessions: 2 },
      { repo_owner: "acme", repo_name: "api", seconds: 60, sessions: 1 },
    ]);
    const repo = await get<{ total_seconds: number; session_count: number; prs: unknown[] }>("/api/stats/repo/acme/web?days=4", alice);
    expect(repo).toMatchObject({ total_seconds: 7200, session_count: 2, prs: [{ pr_number: 8, seconds: 5400, sessions: 1 }, { pr_number: 7, seconds: 1800, sessions: 1 }] });
    expect((await get<{ user: unknown }>("/api/me", alice)).user).toEqual({ id: 1, login: "alice", email: null, avatar_url: null, time_zone: "Europe/Berlin" });

    // The active session ends through the seed's endpoint.
    const end = await fetchOld(`/api/sessions/${OLD[5]![1]}/end`, alice, jsonInit("PATCH", { end_time: secondsToRFC3339(today + 720) }));
    expect(end.status).toBe(200);
    expect(((await end.json()) as { session: WireSession }).session).toMatchObject({ status: "completed", duration_seconds: 600 });

    // Bob's device holds c1.9 from the old global sequence (above his own
    // highest seq, 6): his sequence continues above it, so nothing is missed
    // and a push from that cursor is not "changed".
    const s = { ...wire(OLD[1]!), id: "0190a1b2-0000-7000-8000-0000000000aa", device_id: undefined, updated_at: new Date(1e12).toISOString() };
    const pushRes = await fetchOld("/api/sync/push", bob, jsonInit("POST", { device_id: "desk", since: "c1.9", sessions: [s] }));
    expect(pushRes.status).toBe(200);
    expect(await pushRes.json()).toEqual({ accepted: [s.id], rejected: [], cursor: "c1.a", changed: false });
    expect((await get<{ sessions: WireSession[] }>("/api/sync/pull?since=c1.9", bob)).sessions.map((x) => x.id)).toEqual([s.id]);
  });
});
