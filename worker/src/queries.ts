// Every SQL statement of the worker, with bound parameters only, and the
// functions that map rows to domain types.
//
// Storage (migrations/0003): sessions keyed (user_id, start_time, id) plus one
// (user_id, seq) index, so a new ended session writes two rows; stats and
// listings read the table by time; pull reads the seq index. Writes of
// sessions take the whole push as one compact JSON parameter read with
// json_each, so a push is a constant number of statements whatever its size.
// Joins with json_each are CROSS JOINs: SQLite then walks the pushed sessions
// and searches the primary key for each, instead of walking all of the user's
// sessions (test/cost.test.ts checks that reads do not grow with history).

export type Status = "active" | "completed" | "abandoned";
const STATUS_NAMES: readonly Status[] = ["active", "completed", "abandoned"];
/** Stored status codes; 3 marks the tombstone a moved session leaves behind. */
const STATUS_CODE: Record<Status, number> = { active: 0, completed: 1, abandoned: 2 };

export interface UserRow {
  id: number;
  login: string;
  email: string | null;
  avatar_url: string | null;
  time_zone: string;
}

/** The user as authentication reads it, with the token's revocation. */
export interface AuthRow extends UserRow {
  max_span: number;
  kv_revoked_before: number;
  revoked: number;
}

export interface SessionRow {
  id: string;
  /** A deletion (pull only): id, updated_at and seq are all it keeps. */
  deleted?: boolean;
  device_id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: number;
  end_time: number | null;
  status: Status;
  updated_at: number;
  seq: number;
}

/** A session to write; times in unix seconds, updated_at in unix ms. */
export interface SessionWrite {
  id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: number;
  end_time: number | null;
  status: Status;
  updated_at: number;
  /** The start_time this session had before, when the writer moved it. */
  prev_start_time?: number;
}

/**
 * A deletion to write: the session's id, the starts the server may hold it at
 * (the writer's and, when it differs, the one last synced), and its version.
 */
export interface SessionDeletion {
  id: string;
  start_time: number;
  prev_start_time?: number;
  updated_at: number;
}

/** Deletions are kept this long (ms), then dropped by later deletions. */
export const TOMBSTONE_HORIZON_MS = 180 * 86400 * 1000;
/** Old deletions one push drops at most, so its work stays bounded. */
export const TOMBSTONE_PRUNE_LIMIT = 100;

/** An ended session as stats read it. */
export interface StatSession {
  start_time: number;
  end_time: number;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
}

const SESSION_COLUMNS = "lower(hex(id)) AS id, device_id, repo_owner, repo_name, pr_number, start_time, end_time, status, updated_at, seq";

type RawSession = Omit<SessionRow, "status"> & { status: number };

/** "0123…" (32 hex digits) → the canonical 8-4-4-4-12 form. */
function formatUUID(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID's 32 lower-case hex digits, as bound for unhex(). */
export function uuidHex(uuid: string): string {
  return uuid.replace(/-/g, "").toLowerCase();
}

/** Status code of a deletion in pull's union (never stored in sessions). */
const DELETED_CODE = 4;

function toSessionRow(r: RawSession): SessionRow {
  if (r.status === DELETED_CODE) return { ...r, id: formatUUID(r.id), status: "completed", deleted: true };
  return { ...r, id: formatUUID(r.id), status: STATUS_NAMES[r.status] ?? "abandoned" };
}

// The user's sequence: the highest seq of the user's sessions and deletions,
// and never below seq_floor (cursors handed out by the global sequence of old
// versions). Pruning keeps the user's newest deletion, so it never goes back.
const USER_SEQ = `(SELECT MAX(COALESCE((SELECT MAX(seq) FROM sessions WHERE user_id = ?1), 0),
  COALESCE((SELECT MAX(seq) FROM deleted_sessions WHERE user_id = ?1), 0), seq_floor) FROM users WHERE id = ?1)`;

// ---- users

const USER_COLUMNS = "id, github_username AS login, email, avatar_url, time_zone";

export function getUser(db: D1Database, id: number): Promise<UserRow | null> {
  return db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?1`).bind(id).first<UserRow>();
}

/** The user of a token and whether the token is revoked, in one query. */
export function authUser(db: D1Database, id: number, jti: string): Promise<AuthRow | null> {
  return db
    .prepare(
      `SELECT ${USER_COLUMNS}, max_span, kv_revoked_before,
         EXISTS (SELECT 1 FROM revoked_tokens WHERE user_id = ?1 AND jti = ?2) AS revoked
       FROM users WHERE id = ?1`,
    )
    .bind(id, jti)
    .first<AuthRow>();
}

/** Creates the user or refreshes login, email and avatar of an existing one. */
export async function upsertUser(
  db: D1Database,
  u: { githubUserId: string; login: string; email: string | null; avatarUrl: string | null; timeZone?: string },
): Promise<UserRow> {
  const row = await db
    .prepare(
      `INSERT INTO users (github_user_id, github_username, email, avatar_url, time_zone)
       VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 'UTC'))
       ON CONFLICT (github_user_id) DO UPDATE SET
         github_username = excluded.github_username,
         email = excluded.email,
         avatar_url = excluded.avatar_url,
         last_active = unixepoch()
       RETURNING ${USER_COLUMNS}`,
    )
    .bind(u.githubUserId, u.login, u.email, u.avatarUrl, u.timeZone ?? null)
    .first<UserRow>();
  if (!row) throw new Error("upsertUser: no row returned");
  return row;
}

/** Sets the user's time zone: one row, whatever the history. */
export function setTimeZone(db: D1Database, userId: number, timeZone: string): Promise<UserRow | null> {
  return db.prepare(`UPDATE users SET time_zone = ?2 WHERE id = ?1 RETURNING ${USER_COLUMNS}`).bind(userId, timeZone).first<UserRow>();
}

/** Refuses the token until it expires; drops the user's expired revocations. */
export async function revokeToken(db: D1Database, userId: number, jti: string, expiresAt: number, now: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM revoked_tokens WHERE user_id = ?1 AND expires_at < ?2").bind(userId, now),
    db
      .prepare(
        `INSERT INTO revoked_tokens (user_id, jti, expires_at)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
         ON CONFLICT (user_id, jti) DO NOTHING`,
      )
      .bind(userId, jti, expiresAt),
  ]);
}

// ---- OAuth state of the web sign-in (migration 0004)

/** Expired states a sign-in removes at most, so its work stays bounded. */
const STATE_CLEANUP_LIMIT = 100;

/**
 * Stores a fresh state for expiresAt (unix seconds) and removes up to
 * STATE_CLEANUP_LIMIT expired ones: per started sign-in one row written plus
 * the expired rows it removes (each state row is written once and deleted
 * once, whichever request deletes it).
 */
export async function saveOAuthState(db: D1Database, state: string, redirectUri: string, expiresAt: number, now: number): Promise<void> {
  await db.batch([
    db
      .prepare(
        `DELETE FROM oauth_states WHERE state IN
           (SELECT state FROM oauth_states WHERE expires_at <= ?1 LIMIT ?2)`,
      )
      .bind(now, STATE_CLEANUP_LIMIT),
    db.prepare("INSERT INTO oauth_states (state, redirect_uri, expires_at) VALUES (?1, ?2, ?3)").bind(state, redirectUri, expiresAt),
  ]);
}

/** readOAuthState is the redirect URI of a live state, or null when the state is unknown, used or expired. */
export async function readOAuthState(db: D1Database, state: string, now: number): Promise<{ redirect_uri: string } | null> {
  const row = await db
    .prepare("SELECT redirect_uri FROM oauth_states WHERE state = ?1 AND expires_at > ?2 AND redirect_uri IS NOT NULL")
    .bind(state, now)
    .first<{ redirect_uri: string }>();
  return row ?? null;
}

/**
 * Consumes a state in one statement: DELETE ... RETURNING hands the row to
 * exactly one caller even when two callbacks race with the same state (D1
 * runs writes one at a time). False when the state is unknown, already used
 * or expired.
 */
export async function consumeOAuthState(db: D1Database, state: string, now: number): Promise<boolean> {
  const row = await db
    .prepare("DELETE FROM oauth_states WHERE state = ?1 RETURNING expires_at")
    .bind(state)
    .first<{ expires_at: number }>();
  return row !== null && row.expires_at > now;
}

// ---- deleting an account (migration 0006)

/** Sessions of a deleted user removed per chunk (one statement). */
export const DELETE_CHUNK = 1000;

/**
 * Deletes the user's identity in one batch whatever the history: the users
 * row (every token of the user stops working, and any write racing this finds
 * no user and writes nothing), the user's revocations, and a deleted_users
 * row that tells purgeChunk's callers the user's sessions are still to go.
 * Returns the GitHub identity of the user (null when the user was already
 * gone), which keys the user's row in the shard directory.
 */
export async function deleteUser(db: D1Database, userId: number, now: number): Promise<{ githubUserId: string | null }> {
  const [gone] = await db.batch<{ github_user_id: string }>([
    db.prepare("DELETE FROM users WHERE id = ?1 RETURNING github_user_id").bind(userId),
    db.prepare("DELETE FROM revoked_tokens WHERE user_id = ?1").bind(userId),
    db.prepare("INSERT INTO deleted_users (user_id, deleted_at) VALUES (?1, ?2) ON CONFLICT (user_id) DO NOTHING").bind(userId, now),
  ]);
  return { githubUserId: gone!.results[0]?.github_user_id ?? null };
}

/**
 * Removes up to DELETE_CHUNK sessions and DELETE_CHUNK deletion records
 * (deleted_sessions) of a deleted user, and the user's deleted_users row once
 * neither is left, in one batch. Returns the number of rows removed: fewer
 * than DELETE_CHUNK means the user is gone.
 */
export async function purgeChunk(db: D1Database, userId: number): Promise<number> {
  const [chunk, tombs] = await db.batch([
    db
      .prepare(
        `DELETE FROM sessions WHERE user_id = ?1 AND (start_time, id) IN
           (SELECT start_time, id FROM sessions WHERE user_id = ?1 LIMIT ?2)`,
      )
      .bind(userId, DELETE_CHUNK),
    db
      .prepare(
        `DELETE FROM deleted_sessions WHERE user_id = ?1 AND id IN
           (SELECT id FROM deleted_sessions WHERE user_id = ?1 LIMIT ?2)`,
      )
      .bind(userId, DELETE_CHUNK),
    db
      .prepare(
        `DELETE FROM deleted_users WHERE user_id = ?1
           AND NOT EXISTS (SELECT 1 FROM sessions WHERE user_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM deleted_sessions WHERE user_id = ?1)`,
      )
      .bind(userId),
  ]);
  return chunk!.meta.changes + tombs!.meta.changes;
}

/** Deleted users whose sessions are still to go, oldest id first. */
export async function pendingDeletions(db: D1Database, limit: number): Promise<number[]> {
  const r = await db.prepare("SELECT user_id FROM deleted_users ORDER BY user_id LIMIT ?1").bind(limit).all<{ user_id: number }>();
  return r.results.map((row) => row.user_id);
}

// ---- sessions

/** The user's active session with this id (found through sessions_active). */
export async function getActiveSession(db: D1Database, userId: number, id: string): Promise<SessionRow | null> {
  const r = await db
    .prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 AND id = unhex(?2) AND status = 0`)
    .bind(userId, uuidHex(id))
    .first<RawSession>();
  return r ? toSessionRow(r) : null;
}

/** The user's ended session with this id that started at or after `from` (a bounded range read). */
export async function getEndedSessionSince(db: D1Database, userId: number, id: string, from: number): Promise<SessionRow | null> {
  const r = await db
    .prepare(
      `SELECT ${SESSION_COLUMNS} FROM sessions
       WHERE user_id = ?1 AND start_time >= ?3 AND id = unhex(?2) AND status IN (1, 2)
       ORDER BY updated_at DESC LIMIT 1`,
    )
    .bind(userId, uuidHex(id), from)
    .first<RawSession>();
  return r ? toSessionRow(r) : null;
}

/**
 * The user's sessions, newest start first, from offset (reads offset + limit
 * rows) or, with `before`, those after that position in the same order (a
 * range of the primary key: reads only the page, at any depth).
 */
export async function listSessions(
  db: D1Database,
  userId: number,
  limit: number,
  offset: number,
  before?: { start_time: number; id: string },
): Promise<SessionRow[]> {
  if (before) {
    const r = await db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 AND (start_time, id) < (?2, unhex(?3)) AND status != 3
         ORDER BY start_time DESC, id DESC LIMIT ?4`,
      )
      .bind(userId, before.start_time, before.id, limit)
      .all<RawSession>();
    return r.results.map(toSessionRow);
  }
  const r = await db
    .prepare(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 AND status != 3
       ORDER BY start_time DESC, id DESC LIMIT ?2 OFFSET ?3`,
    )
    .bind(userId, limit, offset)
    .all<RawSession>();
  return r.results.map(toSessionRow);
}

/**
 * Sessions and deletions changed after seq `since`, oldest change first;
 * limit+1 rows tell whether there are more. Two range reads of the seq
 * indexes in one batch (a UNION of them made SQLite sort both through a
 * temporary table, reading each row twice); a user without deletions reads
 * no row of deleted_sessions.
 */
export async function sessionsChangedSince(db: D1Database, userId: number, since: number, limit: number): Promise<SessionRow[]> {
  const [live, dead] = await db.batch<RawSession>([
    db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`).bind(userId, since, limit + 1),
    db
      .prepare(
        `SELECT lower(hex(id)) AS id, '' AS device_id, '' AS repo_owner, '' AS repo_name, 0 AS pr_number,
           0 AS start_time, NULL AS end_time, ${DELETED_CODE} AS status, deleted_at AS updated_at, seq
         FROM deleted_sessions WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`,
      )
      .bind(userId, since, limit + 1),
  ]);
  const rows = [...live!.results, ...dead!.results].sort((a, b) => a.seq - b.seq).slice(0, limit + 1);
  return rows.map(toSessionRow);
}

/**
 * Ended sessions that started in [from, to), as stats read them (a range of
 * the primary key), of one repository if `repo` is given (the range is read
 * either way; the filter only spares the Worker the other rows).
 */
export async function endedSessionsStarting(
  db: D1Database,
  userId: number,
  from: number,
  to: number,
  repo?: { owner: string; name: string },
): Promise<StatSession[]> {
  const r = await db
    .prepare(
      `SELECT start_time, end_time, repo_owner, repo_name, pr_number FROM sessions
       WHERE user_id = ?1 AND start_time >= ?2 AND start_time < ?3 AND status IN (1, 2)
         AND (?4 IS NULL OR (repo_owner = ?4 AND repo_name = ?5))`,
    )
    .bind(userId, from, to, repo?.owner ?? null, repo?.name ?? null)
    .all<StatSession>();
  return r.results;
}

/**
 * The statements of one session write, to run in one batch (a transaction).
 * Results: [0] the user's sequence before the write (no row: the user no
 * longer exists, and nothing was written), [last] the sequence after it.
 *
 * A session is written only if it is new at its key or its updated_at is
 * newer (last writer wins); each written session takes the next number of the
 * user's sequence, in push order, so ignored ones consume none. A session
 * that carries prev_start_time (moved to another start) leaves a tombstone at
 * the old key that refuses older versions there; a newer version written at a
 * tombstone's key turns the session the tombstone points at into a tombstone
 * (one hop). users.max_span is written only when a session exceeds it, and
 * the time zone only when it differs.
 */
export function writeSessionsStatements(
  db: D1Database,
  userId: number,
  deviceId: string,
  sessions: SessionWrite[],
  timeZone?: string,
  deletions: SessionDeletion[] = [],
  nowMs: number = Date.now(),
): D1PreparedStatement[] {
  const live = JSON.stringify(
    sessions.map((s) => ({
      i: uuidHex(s.id),
      s: s.start_time,
      e: s.end_time,
      t: STATUS_CODE[s.status],
      u: s.updated_at,
      n: s.pr_number,
      o: s.repo_owner,
      r: s.repo_name,
    })),
  );
  const moves = sessions
    .filter((s) => s.prev_start_time !== undefined && s.prev_start_time !== s.start_time)
    .map((s) => ({ i: uuidHex(s.id), p: s.prev_start_time, s: s.start_time, u: s.updated_at }));
  const stmts: D1PreparedStatement[] = [db.prepare(`SELECT ${USER_SEQ} AS v FROM users WHERE id = ?1`).bind(userId)];
  if (timeZone !== undefined) {
    stmts.push(db.prepare("UPDATE users SET time_zone = ?2 WHERE id = ?1 AND time_zone != ?2").bind(userId, timeZone));
  }
  if (deletions.length > 0 || moves.length > 0) {
    // A move turns the session's row at its old key into a marker without
    // seq, and a deletion removes it: either may remove the user's highest
    // seq, and the sequence must never go back (a device whose cursor is
    // there would miss what follows). The floor keeps it; one row written,
    // only by pushes that move or delete.
    stmts.push(db.prepare(`UPDATE users SET seq_floor = ${USER_SEQ} WHERE id = ?1 AND seq_floor < ${USER_SEQ}`).bind(userId));
  }
  if (deletions.length > 0) stmts.push(...deletionStatements(db, userId, deletions, nowMs));
  if (moves.length > 0) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO sessions (user_id, start_time, id, seq, end_time, status, updated_at, pr_number, repo_owner, repo_name, device_id)
           SELECT ?1, j.value->>'p', unhex(j.value->>'i'), NULL, j.value->>'s', 3, j.value->>'u', 0, '', '', ''
           FROM json_each(?2) AS j WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
             AND NOT EXISTS (SELECT 1 FROM deleted_sessions AS d WHERE d.user_id = ?1 AND d.id = unhex(j.value->>'i'))
           ON CONFLICT (user_id, start_time, id) DO UPDATE SET
             seq = NULL, end_time = excluded.end_time, status = 3, updated_at = excluded.updated_at,
             pr_number = 0, repo_owner = '', repo_name = '', device_id = ''
           WHERE excluded.updated_at > sessions.updated_at`,
        )
        .bind(userId, JSON.stringify(moves)),
    );
  }
  stmts.push(
    db
      .prepare(
        `WITH m AS MATERIALIZED (
           SELECT t.end_time AS target, t.id AS id, j.value->>'s' AS s, j.value->>'u' AS u
           FROM json_each(?2) AS j CROSS JOIN sessions AS t
             ON t.user_id = ?1 AND t.start_time = j.value->>'s' AND t.id = unhex(j.value->>'i')
           WHERE t.status = 3 AND t.updated_at < j.value->>'u'
             AND NOT EXISTS (SELECT 1 FROM deleted_sessions AS d WHERE d.user_id = ?1 AND d.id = t.id))
         UPDATE sessions SET seq = NULL, status = 3,
           end_time = (SELECT m.s FROM m WHERE m.target = sessions.start_time AND m.id = sessions.id),
           updated_at = (SELECT m.u FROM m WHERE m.target = sessions.start_time AND m.id = sessions.id),
           pr_number = 0, repo_owner = '', repo_name = '', device_id = ''
         WHERE user_id = ?1 AND start_time IN (SELECT target FROM m) AND id IN (SELECT id FROM m) AND status != 3
           AND updated_at < (SELECT m.u FROM m WHERE m.target = sessions.start_time AND m.id = sessions.id)`,
      )
      .bind(userId, live),
    db
      .prepare(
        `WITH b AS (SELECT ${USER_SEQ} AS v FROM users WHERE id = ?1)
         INSERT INTO sessions (user_id, start_time, id, seq, end_time, status, updated_at, pr_number, repo_owner, repo_name, device_id)
         SELECT ?1, j.value->>'s', unhex(j.value->>'i'), b.v + row_number() OVER (ORDER BY j.key), j.value->>'e', j.value->>'t',
           j.value->>'u', j.value->>'n', j.value->>'o', j.value->>'r', ?3
         FROM b, json_each(?2) AS j
         WHERE NOT EXISTS (SELECT 1 FROM sessions AS s
                           WHERE s.user_id = ?1 AND s.start_time = j.value->>'s' AND s.id = unhex(j.value->>'i')
                             AND s.updated_at >= j.value->>'u')
           AND NOT EXISTS (SELECT 1 FROM deleted_sessions AS d WHERE d.user_id = ?1 AND d.id = unhex(j.value->>'i'))
         ON CONFLICT (user_id, start_time, id) DO UPDATE SET
           seq = excluded.seq, end_time = excluded.end_time, status = excluded.status, updated_at = excluded.updated_at,
           pr_number = excluded.pr_number, repo_owner = excluded.repo_owner, repo_name = excluded.repo_name,
           device_id = excluded.device_id
         WHERE excluded.updated_at > sessions.updated_at`,
      )
      .bind(userId, live, deviceId),
    db
      .prepare(
        `UPDATE users SET max_span = m.v
         FROM (SELECT MAX((j.value->>'e') - (j.value->>'s')) AS v FROM json_each(?2) AS j WHERE j.value->>'t' != 0) AS m
         WHERE users.id = ?1 AND m.v > users.max_span`,
      )
      .bind(userId, live),
    db.prepare(`SELECT ${USER_SEQ} AS v FROM users WHERE id = ?1`).bind(userId),
  );
  return stmts;
}

/**
 * The statements of a push's deletions, run before its sessions in the same
 * batch: each new deletion takes the next number of the user's sequence
 * and the server's time (nowMs) as its deleted_at
 * (one already recorded is left as it is and takes none), the session leaves
 * `sessions` at every key the deletion names and at the start a move marker
 * there points to (one hop), and deletions older than TOMBSTONE_HORIZON_MS
 * are dropped, at most TOMBSTONE_PRUNE_LIMIT and never the user's newest
 * (the sequence may not go back). Nothing is written for a user deleted
 * meanwhile (the sequence subquery finds no user).
 */
function deletionStatements(db: D1Database, userId: number, deletions: SessionDeletion[], nowMs: number): D1PreparedStatement[] {
  const list = JSON.stringify(
    deletions.map((d) => ({ i: uuidHex(d.id), s: d.start_time, p: d.prev_start_time ?? null, u: d.updated_at })),
  );
  return [
    db
      .prepare(
        `DELETE FROM sessions WHERE user_id = ?1 AND (start_time, id) IN (
           SELECT j.value->>'s', unhex(j.value->>'i') FROM json_each(?2) AS j
           UNION ALL SELECT j.value->>'p', unhex(j.value->>'i') FROM json_each(?2) AS j WHERE j.value->>'p' IS NOT NULL
           UNION ALL SELECT t.end_time, t.id FROM json_each(?2) AS j CROSS JOIN sessions AS t
             ON t.user_id = ?1 AND t.start_time IN (j.value->>'s', j.value->>'p') AND t.id = unhex(j.value->>'i')
             WHERE t.status = 3 AND t.end_time IS NOT NULL)`,
      )
      .bind(userId, list),
    db
      .prepare(
        `WITH b AS (SELECT ${USER_SEQ} AS v FROM users WHERE id = ?1)
         INSERT INTO deleted_sessions (user_id, id, seq, deleted_at)
         SELECT ?1, unhex(j.value->>'i'), b.v + row_number() OVER (ORDER BY j.key), ?3
         FROM b, json_each(?2) AS j
         WHERE NOT EXISTS (SELECT 1 FROM deleted_sessions AS d WHERE d.user_id = ?1 AND d.id = unhex(j.value->>'i'))
         ON CONFLICT (user_id, id) DO NOTHING`,
      )
      .bind(userId, list, nowMs),
    db
      .prepare(
        `DELETE FROM deleted_sessions WHERE user_id = ?1 AND seq IN (
           SELECT seq FROM deleted_sessions WHERE user_id = ?1
             AND seq < (SELECT MAX(seq) FROM deleted_sessions WHERE user_id = ?1)
           ORDER BY seq LIMIT ?3)
         AND deleted_at < ?2`,
      )
      .bind(userId, nowMs - TOMBSTONE_HORIZON_MS, TOMBSTONE_PRUNE_LIMIT),
  ];
}
