/** The user's settings, kept in chrome.storage.local. */

import { DEFAULT_IDLE_THRESHOLD_SECONDS, MAX_IDLE_THRESHOLD_SECONDS, MIN_IDLE_THRESHOLD_SECONDS } from "./tracker.js";

export interface Settings {
  idleThresholdSeconds: number;
  paused: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  idleThresholdSeconds: DEFAULT_IDLE_THRESHOLD_SECONDS,
  paused: false,
};

/** readSettings takes whatever is stored and returns valid settings, falling back to defaults per field. */
export function readSettings(stored: Record<string, unknown> | undefined): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS };
  if (!stored) return out;
  const t = stored.idleThresholdSeconds;
  if (typeof t === "number" && Number.isInteger(t) && t >= MIN_IDLE_THRESHOLD_SECONDS && t <= MAX_IDLE_THRESHOLD_SECONDS) {
    out.idleThresholdSeconds = t;
  }
  if (typeof stored.paused === "boolean") out.paused = stored.paused;
  return out;
}

/**
 * parseIdleMinutes validates the options page's idle threshold field (minutes,
 * decimals allowed) and returns seconds, or an error message for the user.
 */
export function parseIdleMinutes(input: string): { seconds: number } | { error: string } {
  const s = input.trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(s)) return { error: "Enter a number of minutes, such as 2 or 0.5." };
  const seconds = Math.round(Number(s) * 60);
  if (seconds < MIN_IDLE_THRESHOLD_SECONDS) {
    return { error: `The idle threshold must be at least ${MIN_IDLE_THRESHOLD_SECONDS} seconds.` };
  }
  if (seconds > MAX_IDLE_THRESHOLD_SECONDS) {
    return { error: `The idle threshold must be at most ${MAX_IDLE_THRESHOLD_SECONDS / 3600} hours.` };
  }
  return { seconds };
}
