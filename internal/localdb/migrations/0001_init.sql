-- 0001: the local store as first released: the seed schema (users,
-- time_sessions, daily_stats) adapted to a device-local store. Session ids
-- are UUIDv7 text minted on the device; times are INTEGER unix seconds UTC;
-- updated_at is INTEGER unix milliseconds (last writer wins).
CREATE TABLE users (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  github_user_id  TEXT UNIQUE NOT NULL,
  github_username TEXT NOT NULL,
  email           TEXT,
  avatar_url      TEXT,
  created_at      INTEGER NOT NULL,
  last_active     INTEGER NOT NULL
);

CREATE TABLE time_sessions (
  id                TEXT PRIMARY KEY,
  device_id         TEXT NOT NULL,
  source            TEXT NOT NULL CHECK (source IN ('browser', 'manual')),
  repo_owner        TEXT NOT NULL,
  repo_name         TEXT NOT NULL,
  pr_number         INTEGER NOT NULL CHECK (pr_number > 0),
  start_time        INTEGER NOT NULL,
  end_time          INTEGER,
  duration_seconds  INTEGER,
  status            TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'completed', 'abandoned')),
  last_heartbeat_at INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  CHECK (end_time IS NULL OR end_time >= start_time),
  CHECK ((status = 'active') = (end_time IS NULL))
) WITHOUT ROWID;
CREATE INDEX idx_sessions_start ON time_sessions(start_time);
CREATE INDEX idx_sessions_repo_pr ON time_sessions(repo_owner, repo_name, pr_number);
CREATE INDEX idx_sessions_active ON time_sessions(device_id) WHERE status = 'active';

-- One row per local calendar day, repository and pull request. Repository and
-- day totals are sums over it.
CREATE TABLE daily_stats (
  date                   TEXT NOT NULL,
  repo_owner             TEXT NOT NULL,
  repo_name              TEXT NOT NULL,
  pr_number              INTEGER NOT NULL,
  total_duration_seconds INTEGER NOT NULL DEFAULT 0,
  session_count          INTEGER NOT NULL DEFAULT 0,
  avg_session_seconds    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (date, repo_owner, repo_name, pr_number)
) WITHOUT ROWID;
CREATE INDEX idx_daily_stats_repo ON daily_stats(repo_owner, repo_name, date);

-- Durable key/value state: device id, the zone daily_stats is built in,
-- sync cursors.
CREATE TABLE state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
