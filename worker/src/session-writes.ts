// Writing sessions: the one path every write takes (push, start, end), so
// that last-writer-wins and the user's sequence behave the same whichever
// endpoint wrote; and the wire form of a session.
import { ApiError } from "./errors";
import { writeSessionsStatements, type SessionDeletion, type SessionRow, type SessionWrite } from "./queries";

export interface WriteResult {
  /** The user's sequence before the write. */
  before: number;
  /** The user's sequence after the write. */
  seq: number;
}

/**
 * Upserts sessions (last writer wins on updated_at) and records deletions
 * (a deletion wins over every version) in one batch of a constant number of
 * statements, and sets the time zone if one is given and differs. Duplicated
 * ids keep their newest version. A user deleted meanwhile is a 401: nothing
 * was written.
 */
export async function writeSessions(
  db: D1Database,
  userId: number,
  deviceId: string,
  sessions: SessionWrite[],
  timeZone?: string,
  deletions: SessionDeletion[] = [],
): Promise<WriteResult> {
  const newest = new Map<string, SessionWrite>();
  for (const s of sessions) {
    const prev = newest.get(s.id);
    if (!prev || s.updated_at > prev.updated_at) newest.set(s.id, s);
  }
  const dead = new Map<string, SessionDeletion>();
  for (const d of deletions) if (!dead.has(d.id)) dead.set(d.id, d);
  const results = await db.batch(writeSessionsStatements(db, userId, deviceId, [...newest.values()], timeZone, [...dead.values()]));
  const before = (results[0]!.results as { v: number }[])[0];
  const after = (results[results.length - 1]!.results as { v: number }[])[0];
  if (!before || !after) throw new ApiError(401, "unauthorized", "user no longer exists");
  return { before: before.v, seq: after.v };
}

/** The wire form of a session: one declaration, used by every route and by the tests. */
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
    id: r.id,
    repo_owner: r.repo_owner,
    repo_name: r.repo_name,
    pr_number: r.pr_number,
    start_time: secondsToRFC3339(r.start_time),
    end_time: r.end_time === null ? null : secondsToRFC3339(r.end_time),
    duration_seconds: r.end_time === null ? 0 : r.end_time - r.start_time,
    status: r.status,
    updated_at: new Date(r.updated_at).toISOString(),
    device_id: r.device_id,
  };
}

export function secondsToRFC3339(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}
