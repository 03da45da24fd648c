-- Deleted sessions. A deletion wins over every version of its session, older
-- or newer, so that a session deleted on one device never comes back from
-- another that was offline. The session's row leaves `sessions` (and so every
-- total and listing); what is kept is what convergence needs: the user, the
-- id, the deleting version's updated_at and a number of the user's sequence,
-- so that pull hands the deletion to every other device. Keyed by (user_id,
-- id): a push checks each of its sessions against it with one primary-key
-- search, whatever start the session has. Deletions older than the horizon
-- (180 days, docs/sync.md) are dropped by the user's later deletions.
CREATE TABLE deleted_sessions (
  user_id INTEGER NOT NULL,
  id BLOB NOT NULL,
  seq INTEGER NOT NULL,
  deleted_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX deleted_sessions_user_seq ON deleted_sessions(user_id, seq);
