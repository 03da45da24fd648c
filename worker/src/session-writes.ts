// Writing sessions: the one path every write takes (push, start, end), so
// that last-writer-wins, the server sequence and daily_stats behave the same
// whichever endpoint wrote.
import { ZoneCalendar } from "./days";
import {
  applySessionsStatements,
  changeTimeZoneStatements,
  endedSessions,
  type PartWrite,
  type SessionRow,
  type SessionWrite,
} from "./queries";

/** Per-day parts of the ended sessions among `sessions`. */
export function partsOf(cal: ZoneCalendar, sessions: Pick<SessionWrite, "id" | "repo_owner" | "repo_name" | "start_time" | "end_time" | "status">[]): PartWrite[] {
  const parts: PartWrite[] = [];
  for (const s of sessions) {
    if (s.status === "active" || s.end_time === null) continue;
    for (const p of cal.split(s.start_time, s.end_time)) {
      parts.push({ id: s.id, o: s.repo_owner, n: s.repo_name, d: p.date, s: p.seconds, c: p.counted });
    }
  }
  return parts;
}

export interface WriteResult {
  /** Ids that belong to another user: nothing was written for them. */
  foreign: Set<string>;
  /** The server sequence after the write. */
  seq: number;
}

/**
 * Upserts sessions (last writer wins on updated_at) and recomputes the
 * daily_stats they touch, in one batch of a constant number of statements.
 * Duplicated ids keep their newest version.
 */
export async function writeSessions(
  db: D1Database,
  userId: number,
  timeZone: string,
  deviceId: string,
  sessions: SessionWrite[],
): Promise<WriteResult> {
  const newest = new Map<string, SessionWrite>();
  for (const s of sessions) {
    const prev = newest.get(s.id);
    if (!prev || s.updated_at > prev.updated_at) newest.set(s.id, s);
  }
  const unique = [...newest.values()];
  const parts = partsOf(new ZoneCalendar(timeZone), unique);
  const results = await db.batch(applySessionsStatements(db, userId, deviceId, unique, parts));
  const foreign = new Set((results[0]!.results as { uuid: string }[]).map((r) => r.uuid));
  const last = results[results.length - 1]!.results as { value: number }[];
  return { foreign, seq: last[0]?.value ?? 0 };
}

/**
 * Stores the user's new time zone and rebuilds all of the user's per-day
 * parts and daily_stats in it (one read and one batch).
 */
export async function changeTimeZone(db: D1Database, userId: number, timeZone: string): Promise<void> {
  const rows = await endedSessions(db, userId);
  const parts = partsOf(
    new ZoneCalendar(timeZone),
    rows.map((r) => ({ id: r.uuid, repo_owner: r.repo_owner, repo_name: r.repo_name, start_time: r.start_time, end_time: r.end_time, status: "completed" as const })),
  );
  await db.batch(changeTimeZoneStatements(db, userId, timeZone, parts));
}

/** The wire form of a session. */
export interface WireSession {
  id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: string;
  end_time: string | null;
  duration_seconds: number;
  status: string;
  updated_at: string;
  device_id: string;
}

export function toWire(r: SessionRow): WireSession {
  return {
    id: r.uuid,
    repo_owner: r.repo_owner,
    repo_name: r.repo_name,
    pr_number: r.pr_number,
    start_time: secondsToRFC3339(r.start_time),
    end_time: r.end_time === null ? null : secondsToRFC3339(r.end_time),
    duration_seconds: r.duration_seconds,
    status: r.status,
    updated_at: new Date(r.updated_at).toISOString(),
    device_id: r.device_id,
  };
}

export function secondsToRFC3339(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}
