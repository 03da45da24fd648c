-- worktime schema. Times are unix seconds (UTC); updated_at is unix
-- milliseconds and decides last-writer-wins; dates are YYYY-MM-DD in the
-- user's time zone.

-- AUTOINCREMENT: a deleted user's id is never reused, so an old token can
-- never reach a new account.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  github_user_id TEXT NOT NULL UNIQUE,
  github_username TEXT NOT NULL,
  email TEXT,
  avatar_url TEXT,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  created_at INTEGER NOT NULL DEFAULT (unixepoch()),
  last_active INTEGER NOT NULL DEFAULT (unixepoch())
);

-- One row per session, keyed by the client-minted UUID. seq is the server
-- sequence of the row's last change: pull cursors are built on it.
CREATE TABLE time_sessions (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  duration_seconds INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'abandoned')),
  updated_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX idx_sessions_user_start ON time_sessions(user_id, start_time DESC);
CREATE INDEX idx_sessions_user_seq ON time_sessions(user_id, seq);
CREATE INDEX idx_sessions_user_repo ON time_sessions(user_id, repo_owner, repo_name, pr_number);

-- The per-day parts of every ended session, split at the user's local
-- midnights. daily_stats is recomputed from it.
CREATE TABLE session_days (
  session_uuid TEXT NOT NULL,
  date TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  seconds INTEGER NOT NULL,
  counted INTEGER NOT NULL,
  PRIMARY KEY (session_uuid, date)
) WITHOUT ROWID;
-- Covering: the daily_stats recompute reads only the index.
CREATE INDEX idx_session_days_key ON session_days(user_id, repo_owner, repo_name, date, seconds, counted);

-- Materialized totals: always equal to the aggregate of session_days for the
-- same (user, repo, date); rows are recomputed, never incremented.
CREATE TABLE daily_stats (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  date TEXT NOT NULL,
  total_duration_seconds INTEGER NOT NULL DEFAULT 0,
  session_count INTEGER NOT NULL DEFAULT 0,
  avg_session_seconds INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, repo_owner, repo_name, date)
);
CREATE INDEX idx_daily_stats_user_date ON daily_stats(user_id, date DESC);

-- Scratch keys of one write batch: filled and emptied inside the same batch.
CREATE TABLE stats_dirty (
  user_id INTEGER NOT NULL,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  date TEXT NOT NULL,
  PRIMARY KEY (user_id, repo_owner, repo_name, date)
) WITHOUT ROWID;

-- The server sequence: one row, bumped inside every write batch.
CREATE TABLE sync_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO sync_seq (id, value) VALUES (1, 0);
