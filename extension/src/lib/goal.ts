/**
 * The popup's progress towards the daily and weekly goals (config.toml's
 * daily_goal and weekly_goal, sent in stats.summary): "1h 20m of 4h today"
 * and a bar. Pure functions, unit-tested without a browser.
 */

import type { StatsSummary } from "./protocol.js";
import { elapsedSeconds, todayTotal } from "./format.js";

/** One goal's line in the popup. */
export interface GoalLine {
  period: "today" | "week";
  /** Seconds done, the running session included. */
  done: number;
  goal: number;
  /** done / goal, at most 1: the bar's fill. */
  fraction: number;
  text: string;
}

/** formatShort renders seconds as "1h 20m", "45m", "4h" (minutes rounded down). */
export function formatShort(totalSeconds: number): string {
  const min = Math.floor(Math.max(0, Number.isFinite(totalSeconds) ? totalSeconds : 0) / 60);
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h ${m}m`;
}

/** weekStartMs is local midnight of the Monday of now's week (stats' weeks run Monday to Sunday). */
export function weekStartMs(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
}

/**
 * goalLines is what the popup shows of the goals: a line for each goal set
 * (none when neither is). The companion's totals count ended sessions; the
 * running session's time since midnight (today) or since Monday (week) is
 * added, as the popup's "Today" does.
 */
export function goalLines(summary: StatsSummary, activeStartMs: number | null, nowMs: number): GoalLine[] {
  const lines: GoalLine[] = [];
  const line = (period: GoalLine["period"], done: number, goal: number): GoalLine => ({
    period,
    done,
    goal,
    fraction: Math.min(1, done / goal),
    text: `${formatShort(done)} of ${formatShort(goal)} ${period === "today" ? "today" : "this week"}${done >= goal ? " — goal reached" : ""}`,
  });
  const daily = summary.daily_goal_seconds ?? 0;
  const weekly = summary.weekly_goal_seconds ?? 0;
  if (daily > 0) lines.push(line("today", todayTotal(summary.today_seconds, activeStartMs, nowMs), daily));
  if (weekly > 0) {
    const active = activeStartMs === null ? 0 : elapsedSeconds(Math.max(activeStartMs, weekStartMs(nowMs)), nowMs);
    lines.push(line("week", Math.max(0, Math.floor(summary.week_seconds ?? 0)) + active, weekly));
  }
  return lines;
}
