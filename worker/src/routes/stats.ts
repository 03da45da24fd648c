// Daily and per-repository statistics, read from daily_stats.
import { Hono } from "hono";
import { startOfDate, ZoneCalendar } from "../days";
import type { AppEnv } from "../env";
import { dailyAndRepoStats, repoDailyStats, repoPRStats, repoTotals } from "../queries";
import { dailyQuery, repoParam, validate } from "../schemas";

export const stats = new Hono<AppEnv>();

/** The user's last `days` local dates, oldest first, ending today. */
function dateRange(cal: ZoneCalendar, days: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(cal.dateDaysBefore(now, i));
  return out;
}

stats.get("/daily", validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const { days } = c.req.valid("query");
  const cal = new ZoneCalendar(user.timeZone);
  const dates = dateRange(cal, days);
  const from = dates[0]!;
  const to = dates[dates.length - 1]!;
  const { days: rows, repos } = await dailyAndRepoStats(c.env.DB, user.id, from, to);
  const byDate = new Map(dates.map((d) => [d, { date: d, seconds: 0, sessions: 0 }]));
  for (const r of rows) {
    const day = byDate.get(r.date);
    if (day) {
      day.seconds += r.total_duration_seconds;
      day.sessions += r.session_count;
    }
  }
  return c.json({
    time_zone: user.timeZone,
    from,
    to,
    today_seconds: byDate.get(to)!.seconds,
    days: [...byDate.values()],
    repos,
  });
});

stats.get("/repo/:owner/:name", validate("param", repoParam), validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const { owner, name } = c.req.valid("param");
  const { days } = c.req.valid("query");
  const cal = new ZoneCalendar(user.timeZone);
  const dates = dateRange(cal, days);
  const from = dates[0]!;
  const to = dates[dates.length - 1]!;
  const fromInstant = startOfDate(cal, from);
  const toInstant = cal.nextDayStart(startOfDate(cal, to));
  const [rows, prs, totals] = await Promise.all([
    repoDailyStats(c.env.DB, user.id, owner, name, from, to),
    repoPRStats(c.env.DB, user.id, owner, name, fromInstant, toInstant),
    repoTotals(c.env.DB, user.id, from, to, { owner, name }),
  ]);
  const total = totals[0]?.seconds ?? 0;
  const count = totals[0]?.sessions ?? 0;
  return c.json({
    repo_owner: owner,
    repo_name: name,
    time_zone: user.timeZone,
    from,
    to,
    total_seconds: total,
    session_count: count,
    days: rows.map((r) => ({
      date: r.date,
      seconds: r.total_duration_seconds,
      sessions: r.session_count,
      avg_session_seconds: r.avg_session_seconds,
    })),
    prs,
  });
});
