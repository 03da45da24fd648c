-- Accounts being deleted. DELETE /api/me removes the users row (so no token
-- of the user works and no write of theirs lands) and records the user here
-- in the same batch; their sessions then go in bounded chunks: the first in
-- the request, the rest by the Cron Trigger (src/purge.ts), and the row here
-- goes with the last chunk. User ids are never reused (AUTOINCREMENT), so the
-- sessions still waiting are reachable by no token and by no new sign-in of
-- the same GitHub account, which gets a new id.
CREATE TABLE deleted_users (
  user_id INTEGER PRIMARY KEY,
  deleted_at INTEGER NOT NULL
);
