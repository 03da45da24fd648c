-- Storage for cost: one lean row per session and one index row, nothing
-- materialised per day, a sequence per user, revocations in D1.
--
-- sessions is keyed (user_id, start_time, id): stats and listings read a
-- user's sessions by time straight from the table (the table is the covering
-- read), and the one secondary index, (user_id, seq), serves pull. Writing a
-- new ended session writes exactly two rows. id is the client's UUID as 16
-- bytes, unique per user (not globally: no lookup crosses users). status:
-- 0 active, 1 completed, 2 abandoned, 3 moved (a tombstone left at the old key
-- when a push moves a session to another start_time; its end_time holds the
-- new start_time, its seq is NULL so pull never returns it, and its
-- updated_at refuses older versions at the old key). Duration is
-- end_time - start_time and is not stored.
CREATE TABLE sessions (
  user_id INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  id BLOB NOT NULL,
  seq INTEGER,
  end_time INTEGER,
  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
  updated_at INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  PRIMARY KEY (user_id, start_time, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX sessions_user_seq ON sessions(user_id, seq);
-- Only active sessions (few per user): how PATCH /api/sessions/:id/end finds
-- a session by id alone. An ended session has no row here.
CREATE INDEX sessions_active ON sessions(user_id, id) WHERE status = 0;

-- Existing sessions keep their seq values, so pull cursors stay valid.
INSERT INTO sessions (user_id, start_time, id, seq, end_time, status, updated_at, pr_number, repo_owner, repo_name, device_id)
  SELECT user_id, start_time, unhex(replace(lower(uuid), '-', '')), seq, end_time,
    CASE status WHEN 'active' THEN 0 WHEN 'completed' THEN 1 ELSE 2 END,
    updated_at, pr_number, repo_owner, repo_name, device_id
  FROM time_sessions;

-- seq_floor: a user's sequence continues above it. The old sequence was
-- global, so a push reply could hand a device a cursor above the user's own
-- highest seq; existing users continue above the old global value.
-- max_span: the longest ended session (seconds), written only when exceeded;
-- it bounds how far before a date range a session touching it can start.
-- kv_revoked_before: tokens issued before this instant may have been revoked
-- in KV by the previous version; only they are checked there.
ALTER TABLE users ADD COLUMN seq_floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN max_span INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN kv_revoked_before INTEGER NOT NULL DEFAULT 0;
UPDATE users SET
  seq_floor = (SELECT value FROM sync_seq WHERE id = 1),
  max_span = COALESCE((SELECT MAX(end_time - start_time) FROM time_sessions AS t
                       WHERE t.user_id = users.id AND t.status != 'active' AND t.end_time IS NOT NULL), 0),
  kv_revoked_before = unixepoch();

-- Logged-out tokens until they expire, read with the user in one query.
CREATE TABLE revoked_tokens (
  user_id INTEGER NOT NULL,
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, jti)
) WITHOUT ROWID;

DROP TABLE daily_stats;
DROP TABLE session_days;
DROP TABLE stats_dirty;
DROP TABLE sync_seq;
DROP TABLE time_sessions;
