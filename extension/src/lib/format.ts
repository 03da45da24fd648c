/** Formatting for the popup and the options page. */

/** formatDuration renders seconds as "H:MM:SS" (hours unbounded); negatives count as zero. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

/** elapsedSeconds is the whole seconds from an RFC 3339 or ms start to now (ms), never negative. */
export function elapsedSeconds(start: string | number, nowMs: number): number {
  const t = typeof start === "number" ? start : Date.parse(start);
  if (!Number.isFinite(t)) return 0;
  return Math.max(0, Math.floor((nowMs - t) / 1000));
}

/**
 * todayTotal is what the popup shows as today's total: the companion's
 * today_seconds (ended sessions only) plus the part of the running session
 * since local midnight.
 */
export function todayTotal(todaySeconds: number, activeStartMs: number | null, nowMs: number): number {
  const base = Math.max(0, Math.floor(todaySeconds));
  if (activeStartMs === null) return base;
  const midnight = new Date(nowMs);
  midnight.setHours(0, 0, 0, 0);
  return base + elapsedSeconds(Math.max(activeStartMs, midnight.getTime()), nowMs);
}

/**
 * formatLocalTime renders a time for people: the date and the minute in the
 * local time zone (or timeZone), with the zone's name, such as
 * "2026-11-25 11:00 GMT+1" or "2026-11-25 10:00 UTC". Protocol times stay
 * RFC 3339 UTC; this is only for what the popup shows. An unreadable time
 * renders as "".
 */
export function formatLocalTime(t: string | number, timeZone?: string): string {
  const ms = typeof t === "number" ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return "";
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(new Date(ms));
  const p = (type: Intl.DateTimeFormatPartTypes): string => parts.find((x) => x.type === type)?.value ?? "";
  return `${p("year")}-${p("month")}-${p("day")} ${p("hour")}:${p("minute")} ${p("timeZoneName")}`;
}
