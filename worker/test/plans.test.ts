// Query plans of the push batch: every statement must reach session_days,
// time_sessions and daily_stats through keys of the pushed sessions, never by
// reading all of the user's rows (which made a push's cost grow with the
// user's history). Checked with EXPLAIN QUERY PLAN in the real D1 of workerd.
import { describe, expect, it } from "vitest";
import { ZoneCalendar } from "../src/days";
import { applySessionsStatements, upsertUser, type SessionWrite } from "../src/queries";
import { partsOf, writeSessions } from "../src/session-writes";
import { env, newId } from "./helpers";

interface Recorded {
  sql: string;
  params: unknown[];
}

/** A D1Database whose prepare() and bind() record the SQL and parameters. */
function recordingDB(db: D1Database, out: Recorded[]): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") {
        return (sql: string) => {
          const rec: Recorded = { sql, params: [] };
          out.push(rec);
          const stmt = target.prepare(sql);
          return new Proxy(stmt, {
            get(st, p) {
              if (p === "bind") {
                return (...args: unknown[]) => {
                  rec.params = args;
                  return st.bind(...args);
                };
              }
              const v = Reflect.get(st, p);
              return typeof v === "function" ? v.bind(st) : v;
            },
          });
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

async function plan(r: Recorded): Promise<string[]> {
  const res = await env.DB.prepare(`EXPLAIN QUERY PLAN ${r.sql}`)
    .bind(...r.params)
    .all<{ detail: string }>();
  return res.results.map((row) => row.detail);
}

function session(i: number, over: Partial<SessionWrite> = {}): SessionWrite {
  const start = Date.parse("2026-10-01T08:00:00Z") / 1000 + i * 3000;
  return {
    id: newId(),
    repo_owner: "acme",
    repo_name: `r${i % 4}`,
    pr_number: 1,
    start_time: start,
    end_time: start + 2000,
    duration_seconds: 2000,
    status: "completed",
    updated_at: (start + 2000) * 1000,
    ...over,
  };
}

// Tables of the push and the columns a lookup must constrain beyond user_id.
const REAL_TABLES = /^(?:SCAN|SEARCH) (session_days|sd|time_sessions|daily_stats|users)\b/;

describe("push query plans", () => {
  it("no push statement reads all of the user's session_days, time_sessions or daily_stats", async () => {
    const u = await upsertUser(env.DB, { githubUserId: `plans-${Date.now()}`, login: "plans", email: null, avatarUrl: null });
    // Some history first, so the plans are those of a user with stored rows.
    await writeSessions(env.DB, u.id, "Europe/Berlin", "d", Array.from({ length: 300 }, (_, i) => session(i)));

    const recorded: Recorded[] = [];
    const batch = Array.from({ length: 20 }, (_, i) => session(1000 + i));
    applySessionsStatements(recordingDB(env.DB, recorded), u.id, "d", batch, partsOf(new ZoneCalendar("Europe/Berlin"), batch));
    expect(recorded.length).toBeGreaterThanOrEqual(8);

    for (const r of recorded) {
      const lines = await plan(r);
      const shown = `${r.sql}\n--\n${lines.join("\n")}`;
      for (const line of lines) {
        const m = REAL_TABLES.exec(line);
        if (!m) continue;
        // A full scan, or a search on user_id alone, reads every row the user has.
        expect(line.startsWith("SCAN"), `full scan of ${m[1]}:\n${shown}`).toBe(false);
        expect(/\(user_id=\?\)/.test(line), `search of ${m[1]} on user_id alone:\n${shown}`).toBe(false);
      }
    }

    // The statements that used to scan: the parts of the pushed ids are
    // looked up by primary key, and the recompute walks the dirty keys.
    const plans = await Promise.all(recorded.map(plan));
    const all = plans.flat().join("\n");
    expect(all).toMatch(/SEARCH sd USING PRIMARY KEY \(user_id=\? AND session_uuid=\?\)/);
    expect(all).toMatch(/SEARCH session_days USING PRIMARY KEY \(user_id=\? AND session_uuid=\?\)/);
    expect(all).toMatch(/SEARCH sd USING COVERING INDEX idx_session_days_key \(user_id=\? AND repo_owner=\? AND repo_name=\? AND date=\?\)/);
  });
});
