-- The shard directory: which D1 database (shard) holds a user, keyed by the
-- GitHub identity a sign-in presents. Only the first database (binding DB)
-- keeps rows here; every shard gets the same schema so that any of them can
-- be migrated the same way. A row is written once, when a user first signs
-- in to a worker with more than one shard, and never changed: a user stays
-- on the shard they were given. A user with no row is on the first database
-- (every user created while there was one shard). One shard, the default,
-- never reads or writes this table.
CREATE TABLE user_shards (
  github_user_id TEXT PRIMARY KEY,
  shard INTEGER NOT NULL CHECK (shard >= 0)
) WITHOUT ROWID;
