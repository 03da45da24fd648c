-- The web sign-in's OAuth state moves from KV to D1 so that a callback can
-- consume it atomically (DELETE ... RETURNING): two callbacks racing with the
-- same state cannot both succeed, which a KV read followed by a delete
-- allowed. One row per started sign-in, deleted by its callback or, once
-- expired, by a later sign-in; nothing on /api/* reads or writes it.
CREATE TABLE oauth_states (
  state TEXT PRIMARY KEY,
  redirect_uri TEXT,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
