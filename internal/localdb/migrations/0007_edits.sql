-- 0007: edits and deletes. synced_start is the start_time the server holds
-- for the session (the one it was last pushed or pulled with; NULL when it
-- has not been on the server): an edit that moves the start sends it as
-- prev_start_time, so the server moves the session rather than keeping two.
-- Until now the daemon never changed a start, so every row's start is the
-- one the server holds, if it holds the row.
ALTER TABLE time_sessions ADD COLUMN synced_start INTEGER;
UPDATE time_sessions SET synced_start = start_time;

-- A deleted session leaves a tombstone here and nothing in time_sessions, so
-- every list, total and check of time_sessions is unchanged by deletes. The
-- tombstone is pending like a session (change_seq > pushed_seq) until the
-- server has it, and stays to refuse the session when another device sends
-- it again: a deletion wins over every version of its session, older or
-- newer. start_time (and prev_start_time, the start the server held when it
-- differs) name the server's key of the session; nothing else of it is kept.
-- keep_local marks a withdrawal: the session is taken off the server (and so
-- off the other devices) but stays here, in time_sessions.
CREATE TABLE deleted_sessions (
  id              TEXT PRIMARY KEY,
  start_time      INTEGER NOT NULL,
  prev_start_time INTEGER,
  updated_at      INTEGER NOT NULL,
  change_seq      INTEGER NOT NULL DEFAULT 0,
  pushed_seq      INTEGER NOT NULL DEFAULT 0,
  quarantined_seq INTEGER NOT NULL DEFAULT 0,
  keep_local      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX idx_deleted_pending ON deleted_sessions(change_seq)
  WHERE change_seq > pushed_seq AND quarantined_seq != change_seq;
