// Formatting of durations, times and dates for every view.

/** "2h 05m", "14m", "45s", "0m": the compact total used in cards and the tray. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m`;
  if (s > 0) return `${s}s`;
  return "0m";
}

/** "1:02:03" for a running timer; hours are never padded, minutes and seconds always are. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`;
}

/** Hours with one decimal, for chart axes and tooltips. */
export function toHours(seconds: number): number {
  return Math.round((seconds / 3600) * 10) / 10;
}

/** YYYY-MM-DD of an instant in an IANA time zone ("" or undefined: the system's). */
export function localDate(at: Date, timeZone?: string): string {
  const get = wallClock(at, timeZone);
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Adds n days to a YYYY-MM-DD date (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  const d = parseDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Parses YYYY-MM-DD strictly into a UTC midnight Date; throws on anything else. */
export function parseDate(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`invalid date "${date}": want YYYY-MM-DD`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== date) throw new Error(`invalid date "${date}": no such day`);
  return d;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Wed 25" (a week) or "Nov 25" (longer ranges): the chart's axis label of a YYYY-MM-DD date. */
export function shortDayLabel(date: string, long: boolean): string {
  const d = parseDate(date);
  const prefix = long ? MONTHS[d.getUTCMonth()] : WEEKDAYS[d.getUTCDay()];
  return `${prefix} ${d.getUTCDate()}`;
}

/**
 * wallClock reads the wall clock at d in timeZone (the browser's when
 * empty): each field ("year", "month", "day", "hour", "minute", "second")
 * two digits (four for the year), hours 00–23.
 */
export function wallClock(d: Date, timeZone?: string): (field: Intl.DateTimeFormatPartTypes) => string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timeZone || undefined,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  return (field) => parts.find((p) => p.type === field)?.value ?? "";
}

/**
 * A local date-time with its zone, the one format of times shown to people
 * (the CLI's too): "2026-11-25 14:03:09 CET", "… UTC", "… PDT"; where no
 * abbreviation is known, the offset ("… GMT+9"). Empty for null or garbage.
 */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const get = wallClock(d, timeZone);
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")} ${zoneName(d, timeZone)}`;
}

// zoneName is the zone's abbreviation at d: American English knows the
// American ones (PST, EDT), British English the European ones (CET, BST);
// otherwise the offset ("GMT+9").
function zoneName(d: Date, timeZone?: string): string {
  const name = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: timeZone || undefined, timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "";
  const us = name("en-US");
  if (!/^GMT[+-]/.test(us)) return us;
  const gb = name("en-GB");
  return /^GMT[+-]/.test(gb) ? us : gb;
}

/**
 * A session's length, to the second below an hour: "0s", "45s", "14m 05s",
 * "2h 05m". Unlike totals (formatDuration), an empty session reads "0s"
 * like the other short ones.
 */
export function formatSessionLength(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 3600) return formatDuration(s);
  const m = Math.floor(s / 60);
  const r = s % 60;
  return m > 0 ? `${m}m ${String(r).padStart(2, "0")}s` : `${r}s`;
}

/** A share with one decimal, always: "12.3%", "15.0%", "100.0%". */
export function formatShare(percent: number): string {
  return `${(Number.isFinite(percent) ? percent : 0).toFixed(1)}%`;
}

/** "in 3m", "5m ago", "just now" relative to now. Empty for null. */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return "";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const diff = Math.round((t - now.getTime()) / 1000);
  if (Math.abs(diff) < 10) return "just now";
  const text = formatDuration(Math.abs(diff));
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** "owner/name#12". */
export function prLabel(repo: string, pr: number): string {
  return `${repo}#${pr}`;
}
