// Sharded storage: a user's sessions, tokens and account live in one of N D1
// databases (shards) bound to the worker as DB (shard 0), DB_1, DB_2, ...
// without gaps. The shard is chosen once, at the user's first sign-in, kept
// in a directory (user_shards in DB) and carried in the user's tokens, so an
// authenticated request goes straight to its shard: no directory read.
//
// One shard, the default, costs nothing extra: the directory is neither read
// nor written. With more shards a sign-in reads the directory (two rows at
// most) and a new user writes one row. Users are never moved: adding shards
// sends new users to the shards that take them (NEW_USER_SHARDS, default all)
// and leaves everyone else where they are.
import type { Bindings } from "./env";

/** The most shards a worker binds (DB, DB_1 … DB_63). */
export const MAX_SHARDS = 64;

/** The binding name of shard i: DB for 0, DB_<i> after. */
export function shardBinding(i: number): string {
  return i === 0 ? "DB" : `DB_${i}`;
}

function binding(env: Bindings, i: number): D1Database | undefined {
  return (env as unknown as Record<string, D1Database | undefined>)[shardBinding(i)];
}

/** The number of shards: DB and every DB_<i> bound after it without a gap. */
export function shardCount(env: Bindings): number {
  let n = 1;
  while (n < MAX_SHARDS && binding(env, n) !== undefined) n++;
  return n;
}

/** The D1 database of shard i. A shard that is not bound is a deployment error. */
export function shardDB(env: Bindings, i: number): D1Database {
  const db = i < MAX_SHARDS ? binding(env, i) : undefined;
  if (db === undefined) throw new Error(`shard ${i} has no D1 binding ${shardBinding(i)}`);
  return db;
}

/** env with every shard's binding replaced by wrap(binding). */
export function mapShards(env: Bindings, wrap: (db: D1Database) => D1Database): Bindings {
  const out: Record<string, unknown> = { ...env };
  const n = shardCount(env);
  for (let i = 0; i < n; i++) out[shardBinding(i)] = wrap(shardDB(env, i));
  return out as unknown as Bindings;
}

/**
 * The shards that take new users: NEW_USER_SHARDS (comma-separated shard
 * numbers, each bound) or, without it, every shard. Anything else in the
 * variable is a deployment error, reported rather than guessed around.
 */
export function newUserShards(env: Bindings): number[] {
  const n = shardCount(env);
  const raw = (env.NEW_USER_SHARDS ?? "").trim();
  if (raw === "") return Array.from({ length: n }, (_, i) => i);
  const list = raw.split(",").map((s) => s.trim());
  const shards = list.map(Number);
  if (shards.some((s, k) => !/^[0-9]{1,2}$/.test(list[k]!) || s >= n)) {
    throw new Error(`NEW_USER_SHARDS="${raw}": want shard numbers below ${n}, comma-separated`);
  }
  return [...new Set(shards)];
}

/** FNV-1a, 32 bits: spreads GitHub ids evenly and the same way everywhere. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard a new user with this GitHub identity is given. */
export function pickShard(env: Bindings, githubUserId: string): number {
  const open = newUserShards(env);
  return open[fnv1a(githubUserId) % open.length]!;
}

/**
 * The shard of the user with this GitHub identity, assigning one to a new
 * user: the directory's row, else shard 0 when it already holds the user
 * (created while there was one shard), else a new row. Two first sign-ins
 * racing insert the same choice or the second keeps the first's (DO NOTHING,
 * then the row is read back in the same batch).
 */
export async function userShard(env: Bindings, githubUserId: string): Promise<number> {
  if (shardCount(env) === 1) return 0;
  const dir = env.DB;
  const [found, legacy] = await dir.batch<{ shard: number }>([
    dir.prepare("SELECT shard FROM user_shards WHERE github_user_id = ?1").bind(githubUserId),
    dir.prepare("SELECT 0 AS shard FROM users WHERE github_user_id = ?1").bind(githubUserId),
  ]);
  const known = found!.results[0] ?? legacy!.results[0];
  if (known !== undefined) return known.shard;
  const [, chosen] = await dir.batch<{ shard: number }>([
    dir
      .prepare("INSERT INTO user_shards (github_user_id, shard) VALUES (?1, ?2) ON CONFLICT (github_user_id) DO NOTHING")
      .bind(githubUserId, pickShard(env, githubUserId)),
    dir.prepare("SELECT shard FROM user_shards WHERE github_user_id = ?1").bind(githubUserId),
  ]);
  const shard = chosen!.results[0]?.shard;
  if (shard === undefined) throw new Error("userShard: no directory row after insert");
  return shard;
}

/**
 * Forgets a deleted user's shard (one row; nothing with one shard).
 * directory is shard 0's database: on /api/* routes c.env.DB is the user's
 * shard, so requireAuth keeps the directory in c.var.directory.
 */
export async function forgetUserShard(env: Bindings, directory: D1Database, githubUserId: string): Promise<void> {
  if (shardCount(env) === 1) return;
  await directory.prepare("DELETE FROM user_shards WHERE github_user_id = ?1").bind(githubUserId).run();
}
