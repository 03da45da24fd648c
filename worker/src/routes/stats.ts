// Daily and per-repository statistics, computed per request in the user's
// zone from the ended sessions of the range: nothing per day is stored, so a
// zone change costs nothing and late history lands on the day it happened.
// The read is bounded: sessions that started in the range or at most
// max_span (the user's longest session) before it, over at most 366 days.
import { Hono } from "hono";
import { dateOfDayNumber, dayNumber, splitDays, startOfDate, ZoneCalendar } from "../days";
import type { AppEnv, AuthUser } from "../env";
import { endedSessionsStarting, type StatSession } from "../queries";
import { dailyQuery, repoParam, validate } from "../schemas";

export const stats = new Hono<AppEnv>();

interface Range {
  cal: ZoneCalendar;
  from: string;
  to: string;
  fromDay: number;
  toDay: number;
  /** [fromInstant, toInstant): the range's first instant and the first instant after it. */
  fromInstant: number;
  toInstant: number;
}

/** The user's last `days` local dates, ending today. */
function range(user: AuthUser, days: number): Range {
  const cal = new ZoneCalendar(user.timeZone);
  const now = Math.floor(Date.now() / 1000);
  const from = cal.dateDaysBefore(now, days - 1);
  const to = cal.dateOf(now);
  const fromInstant = startOfDate(cal, from);
  const toInstant = cal.nextDayStart(startOfDate(cal, to));
  return { cal, from, to, fromDay: dayNumber(from), toDay: dayNumber(to), fromInstant, toInstant };
}

/** The ended sessions that can have a part in the range. */
function readRange(c: { env: AppEnv["Bindings"] }, user: AuthUser, r: Range, repo?: { owner: string; name: string }): Promise<StatSession[]> {
  return endedSessionsStarting(c.env.DB, user.id, r.fromInstant - user.maxSpan, r.toInstant, repo);
}

interface Totals {
  seconds: number;
  sessions: number;
}

/**
 * Calls fn for every part of every session that falls on a date of the
 * range; `counted` follows the rule of docs/architecture.md ("Days").
 */
function eachPart(r: Range, sessions: StatSession[], fn: (s: StatSession, day: number, seconds: number, counted: 0 | 1) => void) {
  for (const s of sessions) {
    if (s.end_time < r.fromInstant) continue;
    for (const p of splitDays(r.cal, s.start_time, s.end_time)) {
      if (p.day >= r.fromDay && p.day <= r.toDay) fn(s, p.day, p.seconds, p.counted);
    }
  }
}

function byRepoDesc(a: { repo_owner: string; repo_name: string; seconds: number }, b: { repo_owner: string; repo_name: string; seconds: number }) {
  return b.seconds - a.seconds || cmp(a.repo_owner, b.repo_owner) || cmp(a.repo_name, b.repo_name);
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

stats.get("/daily", validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const r = range(user, c.req.valid("query").days);
  const rows = await readRange(c, user, r);
  const days = new Map<number, Totals>();
  for (let d = r.fromDay; d <= r.toDay; d++) days.set(d, { seconds: 0, sessions: 0 });
  const repos = new Map<string, { repo_owner: string; repo_name: string; seconds: number; counted: Set<StatSession> }>();
  eachPart(r, rows, (s, day, seconds, counted) => {
    const t = days.get(day)!;
    t.seconds += seconds;
    t.sessions += counted;
    const key = `${s.repo_owner}/${s.repo_name}`;
    let repo = repos.get(key);
    if (!repo) repos.set(key, (repo = { repo_owner: s.repo_owner, repo_name: s.repo_name, seconds: 0, counted: new Set() }));
    repo.seconds += seconds;
    if (counted) repo.counted.add(s);
  });
  return c.json({
    time_zone: user.timeZone,
    from: r.from,
    to: r.to,
    today_seconds: days.get(r.toDay)!.seconds,
    days: [...days].map(([d, t]) => ({ date: dateOfDayNumber(d), seconds: t.seconds, sessions: t.sessions })),
    repos: [...repos.values()]
      .filter((x) => x.seconds > 0 || x.counted.size > 0)
      .map((x) => ({ repo_owner: x.repo_owner, repo_name: x.repo_name, seconds: x.seconds, sessions: x.counted.size }))
      .sort(byRepoDesc),
  });
});

stats.get("/repo/:owner/:name", validate("param", repoParam), validate("query", dailyQuery), async (c) => {
  const user = c.var.user;
  const { owner, name } = c.req.valid("param");
  const r = range(user, c.req.valid("query").days);
  const rows = await readRange(c, user, r, { owner, name });
  const days = new Map<number, Totals>();
  const counted = new Set<StatSession>();
  let total = 0;
  eachPart(r, rows, (s, day, seconds, isCounted) => {
    let t = days.get(day);
    if (!t) days.set(day, (t = { seconds: 0, sessions: 0 }));
    t.seconds += seconds;
    t.sessions += isCounted;
    total += seconds;
    if (isCounted) counted.add(s);
  });
  // Pull requests: the ended sessions that started in the range, whole.
  const prs = new Map<number, { pr_number: number; seconds: number; sessions: number }>();
  for (const s of rows) {
    if (s.start_time < r.fromInstant) continue;
    let p = prs.get(s.pr_number);
    if (!p) prs.set(s.pr_number, (p = { pr_number: s.pr_number, seconds: 0, sessions: 0 }));
    p.seconds += s.end_time - s.start_time;
    p.sessions++;
  }
  return c.json({
    repo_owner: owner,
    repo_name: name,
    time_zone: user.timeZone,
    from: r.from,
    to: r.to,
    total_seconds: total,
    session_count: counted.size,
    days: [...days]
      .sort((a, b) => a[0] - b[0])
      .map(([d, t]) => ({ date: dateOfDayNumber(d), seconds: t.seconds, sessions: t.sessions, avg_session_seconds: Math.floor(t.seconds / Math.max(t.sessions, 1)) })),
    prs: [...prs.values()].sort((a, b) => b.seconds - a.seconds || a.pr_number - b.pr_number),
  });
});
