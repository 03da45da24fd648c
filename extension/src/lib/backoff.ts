/** Reconnect delays for the companion's port: exponential, capped, reset after a good connection. */

export const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;

/** backoffDelay is the wait before reconnect attempt `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, initialMs = BACKOFF_INITIAL_MS, maxMs = BACKOFF_MAX_MS): number {
  if (!Number.isFinite(attempt) || attempt < 0) return initialMs;
  const exp = Math.min(attempt, 30);
  return Math.min(maxMs, initialMs * 2 ** exp);
}
