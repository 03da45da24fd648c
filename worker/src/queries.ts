// Every SQL statement of the worker, with bound parameters only, and the
// functions that map rows to domain types.
//
// Writes of sessions go through applySessionsStatements: a constant number of
// statements whatever the number of sessions, each taking the whole set as one
// JSON parameter read with json_each, so a push never nears D1's 100
// parameters per statement and always costs the same number of queries.

export interface UserRow {
  id: number;
  login: string;
  email: string | null;
  avatar_url: string | null;
  time_zone: string;
}

export interface SessionRow {
  uuid: string;
  device_id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: number;
  end_time: number | null;
  duration_seconds: number;
  status: "active" | "completed" | "abandoned";
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
  duration_seconds: number;
  status: "active" | "completed" | "abandoned";
  updated_at: number;
}

/** One day's part of one session, as stored in session_days. */
export interface PartWrite {
  id: string; // session uuid
  o: string; // repo_owner
  n: string; // repo_name
  d: string; // date
  s: number; // seconds
  c: 0 | 1; // counted in session_count
}

export interface DailyStatRow {
  repo_owner: string;
  repo_name: string;
  date: string;
  total_duration_seconds: number;
  session_count: number;
  avg_session_seconds: number;
}

const SESSION_COLUMNS =
  "uuid, device_id, repo_owner, repo_name, pr_number, start_time, end_time, duration_seconds, status, updated_at, seq";

// ---- users

export function getUser(db: D1Database, id: number): Promise<UserRow | null> {
  return db
    .prepare("SELECT id, github_username AS login, email, avatar_url, time_zone FROM users WHERE id = ?1")
    .bind(id)
    .first<UserRow>();
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
       RETURNING id, github_username AS login, email, avatar_url, time_zone`,
    )
    .bind(u.githubUserId, u.login, u.email, u.avatarUrl, u.timeZone ?? null)
    .first<UserRow>();
  if (!row) throw new Error("upsertUser: no row returned");
  return row;
}

/** Deletes every row of the user, in one transaction. */
export async function deleteUser(db: D1Database, userId: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM session_days WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM daily_stats WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM stats_dirty WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM time_sessions WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM users WHERE id = ?1").bind(userId),
  ]);
}

// ---- sessions

export function getSession(db: D1Database, userId: number, uuid: string): Promise<SessionRow | null> {
  return db
    .prepare(`SELECT ${SESSION_COLUMNS} FROM time_sessions WHERE user_id = ?1 AND uuid = ?2`)
    .bind(userId, uuid)
    .first<SessionRow>();
}

export async function listSessions(db: D1Database, userId: number, limit: number, offset: number): Promise<SessionRow[]> {
  const r = await db
    .prepare(
      `SELECT ${SESSION_COLUMNS} FROM time_sessions WHERE user_id = ?1
       ORDER BY start_time DESC, uuid DESC LIMIT ?2 OFFSET ?3`,
    )
    .bind(userId, limit, offset)
    .all<SessionRow>();
  return r.results;
}

/** Sessions changed after seq `since`, oldest change first; limit+1 rows tell whether there are more. */
export async function sessionsChangedSince(db: D1Database, userId: number, since: number, limit: number): Promise<SessionRow[]> {
  const r = await db
    .prepare(`SELECT ${SESSION_COLUMNS} FROM time_sessions WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`)
    .bind(userId, since, limit + 1)
    .all<SessionRow>();
  return r.results;
}

/** Every ended session of the user: the input of a time zone change. */
export async function endedSessions(
  db: D1Database,
  userId: number,
): Promise<Pick<SessionRow, "uuid" | "repo_owner" | "repo_name" | "start_time" | "end_time">[]> {
  const r = await db
    .prepare(
      `SELECT uuid, repo_owner, repo_name, start_time, end_time FROM time_sessions
       WHERE user_id = ?1 AND status != 'active' AND end_time IS NOT NULL`,
    )
    .bind(userId)
    .all<Pick<SessionRow, "uuid" | "repo_owner" | "repo_name" | "start_time" | "end_time">>();
  return r.results;
}

/**
 * The statements of one session write, to run in one batch (a transaction).
 * Their number is constant. Results: [0] the ids owned by another user
 * (refused), [last] the new value of the server sequence.
 *
 * A row changes only if it is new or its updated_at is newer (last writer
 * wins); a changed row gets a fresh seq above the counter read at the start,
 * which is how the later statements tell the changed rows apart. daily_stats
 * is recomputed from session_days for every (repo, date) the old or new
 * version of a written session touches.
 */
export function applySessionsStatements(
  db: D1Database,
  userId: number,
  deviceId: string,
  sessions: SessionWrite[],
  parts: PartWrite[],
): D1PreparedStatement[] {
  const sessionsJSON = JSON.stringify(sessions);
  const partsJSON = JSON.stringify(parts);
  return [
    db
      .prepare(
        `SELECT uuid FROM time_sessions
         WHERE uuid IN (SELECT value->>'id' FROM json_each(?1)) AND user_id != ?2`,
      )
      .bind(sessionsJSON, userId),
    db
      .prepare(
        `INSERT OR IGNORE INTO stats_dirty (user_id, repo_owner, repo_name, date)
         SELECT sd.user_id, sd.repo_owner, sd.repo_name, sd.date FROM session_days AS sd
         WHERE sd.user_id = ?2 AND sd.session_uuid IN (SELECT value->>'id' FROM json_each(?1))
         UNION
         SELECT ?2, p.value->>'o', p.value->>'n', p.value->>'d' FROM json_each(?3) AS p`,
      )
      .bind(sessionsJSON, userId, partsJSON),
    db
      .prepare(
        `INSERT INTO time_sessions (uuid, user_id, device_id, repo_owner, repo_name, pr_number,
           start_time, end_time, duration_seconds, status, updated_at, seq)
         SELECT j.value->>'id', ?2, ?3, j.value->>'repo_owner', j.value->>'repo_name', j.value->>'pr_number',
           j.value->>'start_time', j.value->>'end_time', j.value->>'duration_seconds', j.value->>'status',
           j.value->>'updated_at', (SELECT value FROM sync_seq WHERE id = 1) + j.key + 1
         FROM json_each(?1) AS j WHERE true
         ON CONFLICT (uuid) DO UPDATE SET
           device_id = excluded.device_id,
           repo_owner = excluded.repo_owner,
           repo_name = excluded.repo_name,
           pr_number = excluded.pr_number,
           start_time = excluded.start_time,
           end_time = excluded.end_time,
           duration_seconds = excluded.duration_seconds,
           status = excluded.status,
           updated_at = excluded.updated_at,
           seq = excluded.seq
         WHERE time_sessions.user_id = excluded.user_id AND excluded.updated_at > time_sessions.updated_at`,
      )
      .bind(sessionsJSON, userId, deviceId),
    db
      .prepare(
        `DELETE FROM session_days WHERE user_id = ?1 AND session_uuid IN (
           SELECT uuid FROM time_sessions WHERE user_id = ?1 AND seq > (SELECT value FROM sync_seq WHERE id = 1))`,
      )
      .bind(userId),
    db
      .prepare(
        `INSERT INTO session_days (session_uuid, date, user_id, repo_owner, repo_name, seconds, counted)
         SELECT p.value->>'id', p.value->>'d', ?2, p.value->>'o', p.value->>'n', p.value->>'s', p.value->>'c'
         FROM json_each(?1) AS p
         WHERE p.value->>'id' IN (
           SELECT uuid FROM time_sessions WHERE user_id = ?2 AND seq > (SELECT value FROM sync_seq WHERE id = 1))`,
      )
      .bind(partsJSON, userId),
    ...recomputeDirtyStatements(db, userId),
    db.prepare("UPDATE sync_seq SET value = value + ?1 WHERE id = 1 RETURNING value").bind(sessions.length),
  ];
}

/**
 * Recomputes daily_stats for the user's keys in stats_dirty, then empties it.
 * The recompute is a LEFT JOIN from stats_dirty: its left side is always the
 * outer loop, so SQLite walks the batch's (few) dirty keys and searches
 * idx_session_days_key on all four columns for each; a key left without parts
 * gets no row (HAVING). As an inner join the planner preferred walking every
 * part of the user and probing stats_dirty, a cost that grew with the user's
 * history (test/plans.test.ts checks the plan).
 */
function recomputeDirtyStatements(db: D1Database, userId: number): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `DELETE FROM daily_stats WHERE user_id = ?1 AND (repo_owner, repo_name, date) IN
           (SELECT repo_owner, repo_name, date FROM stats_dirty WHERE user_id = ?1)`,
      )
      .bind(userId),
    db
      .prepare(
        `INSERT INTO daily_stats (user_id, repo_owner, repo_name, date, total_duration_seconds, session_count, avg_session_seconds)
         SELECT k.user_id, k.repo_owner, k.repo_name, k.date, SUM(sd.seconds), SUM(sd.counted),
           SUM(sd.seconds) / MAX(SUM(sd.counted), 1)
         FROM stats_dirty AS k LEFT JOIN session_days AS sd
           ON sd.user_id = k.user_id AND sd.repo_owner = k.repo_owner AND sd.repo_name = k.repo_name AND sd.date = k.date
         WHERE k.user_id = ?1
         GROUP BY k.user_id, k.repo_owner, k.repo_name, k.date
         HAVING COUNT(sd.date) > 0`,
      )
      .bind(userId),
    db.prepare("DELETE FROM stats_dirty WHERE user_id = ?1").bind(userId),
  ];
}

/** Maximum parts per statement of a full rebuild (keeps each JSON parameter well under 1 MB). */
export const REBUILD_CHUNK = 5000;

/**
 * The statements of a time zone change: the zone is stored and every part and
 * daily_stats row of the user is rebuilt from parts computed in the new zone.
 */
export function changeTimeZoneStatements(db: D1Database, userId: number, timeZone: string, parts: PartWrite[]): D1PreparedStatement[] {
  const stmts = [
    db.prepare("UPDATE users SET time_zone = ?2 WHERE id = ?1").bind(userId, timeZone),
    db.prepare("DELETE FROM session_days WHERE user_id = ?1").bind(userId),
  ];
  for (let i = 0; i < parts.length; i += REBUILD_CHUNK) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO session_days (session_uuid, date, user_id, repo_owner, repo_name, seconds, counted)
           SELECT p.value->>'id', p.value->>'d', ?2, p.value->>'o', p.value->>'n', p.value->>'s', p.value->>'c'
           FROM json_each(?1) AS p`,
        )
        .bind(JSON.stringify(parts.slice(i, i + REBUILD_CHUNK)), userId),
    );
  }
  stmts.push(
    db.prepare("DELETE FROM daily_stats WHERE user_id = ?1").bind(userId),
    db
      .prepare(
        `INSERT INTO daily_stats (user_id, repo_owner, repo_name, date, total_duration_seconds, session_count, avg_session_seconds)
         SELECT user_id, repo_owner, repo_name, date, SUM(seconds), SUM(counted), SUM(seconds) / MAX(SUM(counted), 1)
         FROM session_days WHERE user_id = ?1 GROUP BY user_id, repo_owner, repo_name, date`,
      )
      .bind(userId),
  );
  return stmts;
}

// ---- stats

export async function dailyStats(db: D1Database, userId: number, fromDate: string, toDate: string): Promise<DailyStatRow[]> {
  const r = await dailyStatsStatement(db, userId, fromDate, toDate).all<DailyStatRow>();
  return r.results;
}

function dailyStatsStatement(db: D1Database, userId: number, fromDate: string, toDate: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT repo_owner, repo_name, date, total_duration_seconds, session_count, avg_session_seconds
       FROM daily_stats WHERE user_id = ?1 AND date >= ?2 AND date <= ?3
       ORDER BY date, repo_owner, repo_name`,
    )
    .bind(userId, fromDate, toDate);
}

/** dailyStats and repoTotals over the same dates in one round trip. */
export async function dailyAndRepoStats(
  db: D1Database,
  userId: number,
  fromDate: string,
  toDate: string,
): Promise<{ days: DailyStatRow[]; repos: RepoTotalRow[] }> {
  const [days, repos] = await db.batch([dailyStatsStatement(db, userId, fromDate, toDate), repoTotalsStatement(db, userId, fromDate, toDate)]);
  return { days: days!.results as DailyStatRow[], repos: repos!.results as RepoTotalRow[] };
}

export async function repoDailyStats(
  db: D1Database,
  userId: number,
  owner: string,
  name: string,
  fromDate: string,
  toDate: string,
): Promise<DailyStatRow[]> {
  const r = await db
    .prepare(
      `SELECT repo_owner, repo_name, date, total_duration_seconds, session_count, avg_session_seconds
       FROM daily_stats WHERE user_id = ?1 AND repo_owner = ?2 AND repo_name = ?3 AND date >= ?4 AND date <= ?5
       ORDER BY date`,
    )
    .bind(userId, owner, name, fromDate, toDate)
    .all<DailyStatRow>();
  return r.results;
}

export interface PRStatRow {
  pr_number: number;
  seconds: number;
  sessions: number;
}

/** Time per pull request of one repository over the ended sessions that started in [from, to). */
export async function repoPRStats(db: D1Database, userId: number, owner: string, name: string, from: number, to: number): Promise<PRStatRow[]> {
  const r = await db
    .prepare(
      `SELECT pr_number, SUM(duration_seconds) AS seconds, COUNT(*) AS sessions FROM time_sessions
       WHERE user_id = ?1 AND repo_owner = ?2 AND repo_name = ?3 AND status != 'active'
         AND start_time >= ?4 AND start_time < ?5
       GROUP BY pr_number ORDER BY seconds DESC, pr_number`,
    )
    .bind(userId, owner, name, from, to)
    .all<PRStatRow>();
  return r.results;
}

export interface RepoTotalRow {
  repo_owner: string;
  repo_name: string;
  seconds: number;
  sessions: number;
}

/**
 * Seconds and distinct sessions per repository over local dates [from, to]
 * (a session that spans several days counts once).
 */
export async function repoTotals(db: D1Database, userId: number, fromDate: string, toDate: string, repo?: { owner: string; name: string }): Promise<RepoTotalRow[]> {
  const r = await repoTotalsStatement(db, userId, fromDate, toDate, repo).all<RepoTotalRow>();
  return r.results;
}

function repoTotalsStatement(db: D1Database, userId: number, fromDate: string, toDate: string, repo?: { owner: string; name: string }): D1PreparedStatement {
  return db
    .prepare(
      `SELECT repo_owner, repo_name, SUM(seconds) AS seconds,
         COUNT(DISTINCT CASE WHEN counted = 1 THEN session_uuid END) AS sessions
       FROM session_days
       WHERE user_id = ?1 AND date >= ?2 AND date <= ?3
         AND (?4 IS NULL OR (repo_owner = ?4 AND repo_name = ?5))
       GROUP BY repo_owner, repo_name
       ORDER BY seconds DESC, repo_owner, repo_name`,
    )
    .bind(userId, fromDate, toDate, repo?.owner ?? null, repo?.name ?? null);
}
