// The stats of a date range, computed from the ended sessions that can touch
// it: pure functions (no I/O), so the routes stay thin and the benchmark can
// time this part of a request's CPU on its own.
import { dateOfDayNumber, dayNumber, splitDays, startOfDate, ZoneCalendar } from "./days";
import type { StatSession } from "./queries";

export interface Range {
  cal: ZoneCalendar;
  from: string;
  to: string;
  fromDay: number;
  toDay: number;
  /** [fromInstant, toInstant): the range's first instant and the first instant after it. */
  fromInstant: number;
  toInstant: number;
}

/** The last `days` local dates of the zone, ending on the date of `now` (unix seconds). */
export function lastDays(timeZone: string, days: number, now: number): Range {
  const cal = new ZoneCalendar(timeZone);
  const from = cal.dateDaysBefore(now, days - 1);
  const to = cal.dateOf(now);
  const fromInstant = startOfDate(cal, from);
  const toInstant = cal.nextDayStart(startOfDate(cal, to));
  return { cal, from, to, fromDay: dayNumber(from), toDay: dayNumber(to), fromInstant, toInstant };
}

/**
 * Calls fn for every part of every session that falls on a date of the
 * range, then done(s, counted) once per session with whether any of its parts
 * in the range counts (the rule of docs/architecture.md, "Days"). A session
 * inside one local day at one offset (nearly all) takes the fast path
 * without allocating: this loop is what the stats requests' CPU is.
 */
function eachPart(
  r: Range,
  sessions: StatSession[],
  fn: (s: StatSession, day: number, seconds: number, counted: 0 | 1) => void,
  done?: (s: StatSession, counted: boolean) => void,
) {
  const DAY = 86400;
  for (const s of sessions) {
    if (s.end_time < r.fromInstant) continue;
    let any = false;
    const off = r.cal.offsetAt(s.start_time);
    const day = Math.floor((s.start_time + off) / DAY);
    const len = s.end_time - s.start_time;
    if (len < DAY && (len === 0 || (r.cal.offsetAt(s.end_time - 1) === off && Math.floor((s.end_time - 1 + off) / DAY) === day))) {
      if (day >= r.fromDay && day <= r.toDay) {
        fn(s, day, len, 1);
        any = true;
      }
    } else {
      for (const p of splitDays(r.cal, s.start_time, s.end_time)) {
        if (p.day >= r.fromDay && p.day <= r.toDay) {
          fn(s, p.day, p.seconds, p.counted);
          any ||= p.counted === 1;
        }
      }
    }
    done?.(s, any);
  }
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** GET /api/stats/daily's days and repos (a repository counts each session once). */
export function dailyStats(r: Range, sessions: StatSession[]) {
  const days: { seconds: number; sessions: number }[] = [];
  for (let d = r.fromDay; d <= r.toDay; d++) days.push({ seconds: 0, sessions: 0 });
  type RepoTotal = { repo_owner: string; repo_name: string; seconds: number; sessions: number };
  const repos = new Map<string, Map<string, RepoTotal>>();
  let repo: RepoTotal | undefined;
  eachPart(
    r,
    sessions,
    (s, day, seconds, counted) => {
      const t = days[day - r.fromDay]!;
      t.seconds += seconds;
      t.sessions += counted;
      if (repo?.repo_owner !== s.repo_owner || repo.repo_name !== s.repo_name) {
        let names = repos.get(s.repo_owner);
        if (!names) repos.set(s.repo_owner, (names = new Map()));
        repo = names.get(s.repo_name);
        if (!repo) names.set(s.repo_name, (repo = { repo_owner: s.repo_owner, repo_name: s.repo_name, seconds: 0, sessions: 0 }));
      }
      repo.seconds += seconds;
    },
    // A repository counts each session once, whatever the days it spans.
    (_s, counted) => {
      if (counted && repo) repo.sessions++;
    },
  );
  const all = [...repos.values()].flatMap((m) => [...m.values()]);
  return {
    today_seconds: days[r.toDay - r.fromDay]!.seconds,
    days: days.map((t, i) => ({ date: dateOfDayNumber(r.fromDay + i), seconds: t.seconds, sessions: t.sessions })),
    repos: all
      .filter((x) => x.seconds > 0 || x.sessions > 0)
      .sort((a, b) => b.seconds - a.seconds || cmp(a.repo_owner, b.repo_owner) || cmp(a.repo_name, b.repo_name)),
  };
}

/** GET /api/stats/repo's totals, days and pull requests, from one repository's sessions. */
export function repoStats(r: Range, sessions: StatSession[]) {
  const days = new Map<number, { seconds: number; sessions: number }>();
  let counted = 0;
  let total = 0;
  eachPart(
    r,
    sessions,
    (_s, day, seconds, isCounted) => {
      let t = days.get(day);
      if (!t) days.set(day, (t = { seconds: 0, sessions: 0 }));
      t.seconds += seconds;
      t.sessions += isCounted;
      total += seconds;
    },
    (_s, any) => {
      if (any) counted++;
    },
  );
  // Pull requests: the ended sessions that started in the range, whole.
  const prs = new Map<number, { pr_number: number; seconds: number; sessions: number }>();
  for (const s of sessions) {
    if (s.start_time < r.fromInstant) continue;
    let p = prs.get(s.pr_number);
    if (!p) prs.set(s.pr_number, (p = { pr_number: s.pr_number, seconds: 0, sessions: 0 }));
    p.seconds += s.end_time - s.start_time;
    p.sessions++;
  }
  return {
    total_seconds: total,
    session_count: counted,
    days: [...days]
      .sort((a, b) => a[0] - b[0])
      .map(([d, t]) => ({ date: dateOfDayNumber(d), seconds: t.seconds, sessions: t.sessions, avg_session_seconds: Math.floor(t.seconds / Math.max(t.sessions, 1)) })),
    prs: [...prs.values()].sort((a, b) => b.seconds - a.seconds || a.pr_number - b.pr_number),
  };
}
