-- 0004: the pending index answers the sync status without touching the
-- table. idx_sessions_pending held change_seq only, so counting the pending
-- rows (asked at every status request) looked each one up by id to test
-- quarantined_seq: about 90 ms for a backlog of 100,000. It now holds every
-- column its condition reads and leaves quarantined rows out, so the count
-- walks the index alone; quarantined rows get their own, normally empty,
-- index.
DROP INDEX idx_sessions_pending;
CREATE INDEX idx_sessions_pending ON time_sessions(change_seq, pushed_seq, quarantined_seq)
  WHERE change_seq > pushed_seq AND quarantined_seq != change_seq;
CREATE INDEX idx_sessions_quarantined ON time_sessions(change_seq)
  WHERE change_seq > pushed_seq AND quarantined_seq = change_seq;
