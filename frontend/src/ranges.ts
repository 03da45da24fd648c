// History's ranges (the last 7/30/90 days, this week, last month, a custom
// range), the per-weekday breakdown, the weekly summary and the goals'
// progress. Weeks run Monday to Sunday, as the daemon's week_seconds.

import { addDays, formatDuration, formatShare, parseDate, shortDayLabel } from "./format";
import type { DayStats, Stats } from "./types";

export type RangeSpec =
  | { kind: "days"; days: number }
  | { kind: "week" }
  | { kind: "last-month" }
  | { kind: "custom"; first: string; last: string };

export interface Window {
  first: string; // YYYY-MM-DD
  last: string; // YYYY-MM-DD, never after today
  days: number;
  label: string; // "last 7 days", "this week", "November 2026", "2026-11-03 to 2026-11-20"
}

/** The longest window the daemon summarises in one call. */
export const MAX_RANGE_DAYS = 366;

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Monday of the week holding date (YYYY-MM-DD). */
export function weekStart(date: string): string {
  const wd = parseDate(date).getUTCDay(); // 0 = Sunday
  return addDays(date, -((wd + 6) % 7));
}

/** The days a range covers, seen from today (YYYY-MM-DD); throws on a bad custom range. */
export function resolveRange(spec: RangeSpec, today: string): Window {
  switch (spec.kind) {
    case "days": {
      if (!Number.isInteger(spec.days) || spec.days < 1 || spec.days > MAX_RANGE_DAYS) throw new Error(`range of ${spec.days} days: want 1 to ${MAX_RANGE_DAYS}`);
      return { first: addDays(today, -(spec.days - 1)), last: today, days: spec.days, label: `last ${spec.days} days` };
    }
    case "week": {
      const first = weekStart(today);
      return { first, last: today, days: daysBetween(first, today) + 1, label: "this week" };
    }
    case "last-month": {
      const t = parseDate(today);
      const firstOfThis = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
      const last = addDays(firstOfThis.toISOString().slice(0, 10), -1);
      const l = parseDate(last);
      const first = new Date(Date.UTC(l.getUTCFullYear(), l.getUTCMonth(), 1)).toISOString().slice(0, 10);
      return { first, last, days: daysBetween(first, last) + 1, label: `${MONTH_NAMES[l.getUTCMonth()]} ${l.getUTCFullYear()}` };
    }
    case "custom": {
      parseDate(spec.first);
      parseDate(spec.last);
      if (spec.first > spec.last) throw new Error(`range ${spec.first} to ${spec.last}: the first day is after the last`);
      if (spec.last > today) throw new Error(`range ends ${spec.last}: after today (${today})`);
      const days = daysBetween(spec.first, spec.last) + 1;
      if (days > MAX_RANGE_DAYS) throw new Error(`range of ${days} days: at most ${MAX_RANGE_DAYS}`);
      return { first: spec.first, last: spec.last, days, label: `${spec.first} to ${spec.last}` };
    }
  }
}

function daysBetween(a: string, b: string): number {
  return Math.round((parseDate(b).getTime() - parseDate(a).getTime()) / 86_400_000);
}

export interface WeekdayRow {
  weekday: string; // "Mon" … "Sun"
  seconds: number; // total over the range
  days: number; // how many of that weekday the range holds
  average: number; // seconds per such day
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Time per weekday over the window, Monday first, with the average per day. */
export function weekdayBreakdown(days: DayStats[] | null | undefined, w: Window): WeekdayRow[] {
  const rows = WEEKDAYS.map((weekday) => ({ weekday, seconds: 0, days: 0, average: 0 }));
  const byDate = new Map<string, number>();
  for (const d of days ?? []) byDate.set(d.date, (byDate.get(d.date) ?? 0) + d.seconds);
  for (let i = 0; i < w.days; i++) {
    const date = addDays(w.first, i);
    const r = rows[(parseDate(date).getUTCDay() + 6) % 7];
    r.days++;
    r.seconds += byDate.get(date) ?? 0;
  }
  for (const r of rows) r.average = r.days > 0 ? Math.round(r.seconds / r.days) : 0;
  return rows;
}

export interface WeeklySummary {
  total: number;
  daysWorked: number;
  busiest: { date: string; seconds: number } | null;
  lastWeek: number; // the whole of last week
  change: string | null; // "+23.3%" against last week; null when last week is empty
  topPR: { label: string; seconds: number } | null;
  text: string[]; // the summary's lines
}

/** This week so far (plus running seconds) against last week. */
export function weeklySummary(thisWeek: Stats | null, lastWeek: Stats | null, runningSeconds = 0): WeeklySummary {
  const days = thisWeek?.days ?? [];
  const total = days.reduce((n, d) => n + d.seconds, 0) + runningSeconds;
  const worked = days.filter((d) => d.seconds > 0);
  const busiest = worked.reduce<{ date: string; seconds: number } | null>((b, d) => (b === null || d.seconds > b.seconds ? { date: d.date, seconds: d.seconds } : b), null);
  const last = (lastWeek?.days ?? []).reduce((n, d) => n + d.seconds, 0);
  const change = last > 0 ? `${total >= last ? "+" : "−"}${formatShare((Math.abs(total - last) / last) * 100)}` : null;
  const p = (thisWeek?.prs ?? [])[0];
  const topPR = p ? { label: `${p.repo}#${p.pr_number}`, seconds: p.seconds } : null;
  const text = [`${formatDuration(total)} over ${worked.length} day${worked.length === 1 ? "" : "s"}`];
  text.push(`last week ${formatDuration(last)}${change ? ` (${change})` : ""}`);
  if (busiest) text.push(`busiest day ${shortDayLabel(busiest.date, false)}: ${formatDuration(busiest.seconds)}`);
  if (topPR) text.push(`most time on ${topPR.label}: ${formatDuration(topPR.seconds)}`);
  return { total, daysWorked: worked.length, busiest, lastWeek: last, change, topPR, text };
}

export interface GoalProgress {
  goal: number; // seconds
  done: number; // seconds
  percent: number; // may pass 100
  text: string; // "1h 40m of 4h 00m (41.7%)"
}

/** Progress towards a goal in seconds; null when no goal is set. */
export function goalProgress(done: number, goal: number | null | undefined): GoalProgress | null {
  if (!goal || goal <= 0) return null;
  const percent = (Math.max(0, done) / goal) * 100;
  return { goal, done, percent, text: `${formatDuration(done)} of ${formatDuration(goal)} (${formatShare(percent)})` };
}
