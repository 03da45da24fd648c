-- session_days keyed by (user_id, session_uuid, date) instead of
-- (session_uuid, date). A push looks up the parts of its sessions with
-- `user_id = ? AND session_uuid IN (...)`: with user_id leading the primary
-- key both terms are usable, so SQLite searches the primary key for each id.
-- With the old key the planner preferred idx_session_days_key on user_id
-- alone and read every part the user had ever stored, on every push (push
-- cost grew with the user's history: ~100 ms at first, ~750 ms at 100,000
-- sessions). test/plans.test.ts checks the plans of the push statements.
CREATE TABLE session_days_new (
  session_uuid TEXT NOT NULL,
  date TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  repo_owner TEXT NOT NULL,
  repo_name TEXT NOT NULL,
  seconds INTEGER NOT NULL,
  counted INTEGER NOT NULL,
  PRIMARY KEY (user_id, session_uuid, date)
) WITHOUT ROWID;
INSERT INTO session_days_new (session_uuid, date, user_id, repo_owner, repo_name, seconds, counted)
  SELECT session_uuid, date, user_id, repo_owner, repo_name, seconds, counted FROM session_days;
DROP TABLE session_days;
ALTER TABLE session_days_new RENAME TO session_days;
-- Covering: the daily_stats recompute reads only the index.
CREATE INDEX idx_session_days_key ON session_days(user_id, repo_owner, repo_name, date, seconds, counted);
