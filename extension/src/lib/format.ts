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
