-- 0002: change bookkeeping for push. Every local change stamps the row with
-- the next value of a store-wide counter (change_seq); a row is pending while
-- change_seq > pushed_seq. A push acknowledges the change_seq it read, so a
-- change made during the push stays pending. A row the server rejected for
-- good is quarantined at that change_seq until it changes again.
ALTER TABLE time_sessions ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE time_sessions ADD COLUMN pushed_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE time_sessions ADD COLUMN quarantined_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE time_sessions ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT '';

-- Rows written before this version have never been pushed: number them in
-- the order they were last updated.
UPDATE time_sessions SET change_seq = r.n
FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n FROM time_sessions) AS r
WHERE r.id = time_sessions.id;
INSERT INTO state(key, value)
  SELECT 'change_seq', CAST(COUNT(*) AS TEXT) FROM time_sessions;

CREATE INDEX idx_sessions_pending ON time_sessions(change_seq)
  WHERE change_seq > pushed_seq;
