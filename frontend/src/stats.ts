// Shaping of api.Stats for the Today card, the chart and the breakdowns.

import { addDays, localDate, shortDayLabel, toHours } from "./format";
import type { DayStats, PRStat, RepoStat, Session, Stats } from "./types";

export const RANGES = [7, 30, 90] as const;
export type Range = (typeof RANGES)[number];

export interface ChartSeries {
  dates: string[];
  labels: string[];
  hours: number[];
  seconds: number[];
}

/**
 * One bar per calendar day for the `days` days ending on `today` (oldest
 * first). Days the daemon left out are zero; days outside the window are
 * ignored.
 */
export function chartSeries(days: DayStats[] | null | undefined, range: number, today: string): ChartSeries {
  if (!Number.isInteger(range) || range < 1) throw new Error(`invalid range ${range}: want a positive whole number of days`);
  const byDate = new Map<string, number>();
  for (const d of days ?? []) byDate.set(d.date, (byDate.get(d.date) ?? 0) + d.seconds);
  const out: ChartSeries = { dates: [], labels: [], hours: [], seconds: [] };
  for (let i = range - 1; i >= 0; i--) {
    const date = addDays(today, -i);
    const secs = byDate.get(date) ?? 0;
    out.dates.push(date);
    out.labels.push(shortDayLabel(date, range > 7));
    out.seconds.push(secs);
    out.hours.push(toHours(secs));
  }
  return out;
}

/** Seconds of the active session that fall on `today` (in timeZone), at `now`. */
export function activeSecondsToday(active: Session | null | undefined, now: Date, timeZone?: string): number {
  if (!active || active.status !== "active") return 0;
  const start = new Date(active.start_time).getTime();
  if (Number.isNaN(start)) return 0;
  const today = localDate(now, timeZone);
  // Walk back from now to the local midnight: the first instant whose local date is today.
  let from = start;
  if (localDate(new Date(start), timeZone) !== today) {
    from = startOfLocalDay(now, timeZone);
  }
  return Math.max(0, Math.floor((now.getTime() - from) / 1000));
}

/** The instant of the most recent local midnight at or before now in timeZone. */
export function startOfLocalDay(now: Date, timeZone?: string): number {
  const today = localDate(now, timeZone);
  // Binary search over the last 26 hours for the first second whose local date is today.
  let lo = now.getTime() - 26 * 3600 * 1000;
  let hi = now.getTime();
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid), timeZone) === today) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Seconds the active session has been running. */
export function activeElapsed(active: Session | null | undefined, now: Date): number {
  if (!active) return 0;
  const start = new Date(active.start_time).getTime();
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((now.getTime() - start) / 1000));
}

/** Today's total: ended sessions (from the daemon) plus the running one's part of today. */
export function todayTotal(stats: Stats, active: Session | null | undefined, now: Date, timeZone?: string): number {
  return stats.today_seconds + activeSecondsToday(active, now, timeZone);
}

export interface Share<T> {
  item: T;
  seconds: number;
  percent: number;
}

/** Repositories, most time first, each with its share of the total. */
export function repoBreakdown(repos: RepoStat[] | null | undefined): Share<RepoStat>[] {
  return shares(repos ?? [], (r) => r.repo);
}

/**
 * The pull requests of one repository ("" for every repository), most time
 * first. The daemon sends only the top pull requests, so each share is of
 * the repositories' total (every pull request), not of the listed ones.
 */
export function prBreakdown(prs: PRStat[] | null | undefined, repos: RepoStat[] | null | undefined, repo: string): Share<PRStat>[] {
  const list = (prs ?? []).filter((p) => repo === "" || p.repo === repo);
  const total = sumSeconds((repos ?? []).filter((r) => repo === "" || r.repo === repo));
  // A listed pull request never outweighs the total; if the repositories are missing, fall back to the list's sum.
  return shares(list, (p) => `${p.repo}#${String(p.pr_number).padStart(9, "0")}`, Math.max(total, sumSeconds(list)));
}

function sumSeconds(list: { seconds: number }[]): number {
  return list.reduce((n, x) => n + x.seconds, 0);
}

function shares<T extends { seconds: number }>(list: T[], key: (t: T) => string, total = sumSeconds(list)): Share<T>[] {
  return [...list]
    .sort((a, b) => b.seconds - a.seconds || key(a).localeCompare(key(b)))
    .map((item) => ({
      item,
      seconds: item.seconds,
      percent: total > 0 ? Math.round((item.seconds / total) * 1000) / 10 : 0,
    }));
}

/** Sum of the seconds of a range, for the chart's caption. */
export function rangeTotal(series: ChartSeries): number {
  return series.seconds.reduce((n, s) => n + s, 0);
}
