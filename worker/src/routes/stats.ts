// Daily and per-repository statistics, computed per request in the user's
// zone from the ended sessions of the range (src/stats-compute.ts): nothing
// per day is stored, so a zone change costs nothing and late history lands on
// the day it happened. The read is bounded: sessions that started in the range
// or at most max_span (the user's longest session) before it, over at most
// 366 days.
import { Hono } from "hono";
import type { AppEnv, AuthUser } from "../env";
import { endedSessionsStarting, type StatSession } from "../queries";
import { dailyQuery, repoParam, validate } from "../schemas";
import { dailyStats, lastDays, repoStats, type Range } from "../stats-compute";

export const stats = new Hono<AppEnv>();

function range(user: AuthUser, days: number): Range {
  return lastDays(user.timeZone, days, Math.floor(Date.now() / 1000));
}

/** The ended sessions that can have a part in the range. */
function readRange(db: D1Database, user: AuthUser, r: Range, repo?: { owner: string; name: string }): Promise<StatSession[]> {
  return endedSessionsStarting(db, user.id, r.fromInstant - user.maxSpan, r.toInstant, repo);
}

stats.get("/daily", validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const r = range(user, c.req.valid("query").days);
  const computed = dailyStats(r, await readRange(c.env.DB, user, r));
  return c.json({ time_zone: user.timeZone, from: r.from, to: r.to, ...computed });
});

stats.get("/repo/:owner/:name", validate("param", repoParam), validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const { owner, name } = c.req.valid("param");
  const r = range(user, c.req.valid("query").days);
  const computed = repoStats(r, await readRange(c.env.DB, user, r, { owner, name }));
  return c.json({ repo_owner: owner, repo_name: name, time_zone: user.timeZone, from: r.from, to: r.to, ...computed });
});
