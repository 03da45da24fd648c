-- 0005: only ended sessions are pending for the server. An active session
-- changes at every heartbeat, and nothing anyone sees on the server depends
-- on it (the server's stats leave active sessions out), so it is pushed once
-- it ends. The pending index leaves active rows out, so the pending count
-- users see is what the next push will send, and still walks the index
-- alone (status is in it for that).
DROP INDEX idx_sessions_pending;
CREATE INDEX idx_sessions_pending ON time_sessions(change_seq, pushed_seq, quarantined_seq, status)
  WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND status != 'active';
