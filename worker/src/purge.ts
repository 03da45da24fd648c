// Finishing account deletions: DELETE /api/me removes the identity and the
// first chunk of sessions; the Cron Trigger (wrangler.jsonc triggers.crons)
// removes the rest, a bounded number of chunks per run, so no invocation's
// work grows with an account's history.
import { meterD1, newCost } from "./cost";
import type { Bindings } from "./env";
import { DELETE_CHUNK, pendingDeletions, purgeChunk } from "./queries";
import { shardCount, shardDB } from "./shards";

/** Chunks of DELETE_CHUNK sessions one scheduled run removes at most. */
export const PURGE_CHUNKS_PER_RUN = 20;

export interface PurgeResult {
  /** Chunk statements run. */
  chunks: number;
  /** Sessions removed. */
  removed: number;
  /** Deleted users whose last session went in this run. */
  users_done: number;
}

/**
 * Removes deleted users' sessions in user id order (a walk of the primary
 * key, so the run reads no more pending rows than it can serve), at most maxChunks
 * chunks (maxChunks × DELETE_CHUNK sessions); what is left waits for the next
 * run. With nothing pending it is one query that writes nothing.
 */
export async function purgeDeletedUsers(db: D1Database, maxChunks = PURGE_CHUNKS_PER_RUN): Promise<PurgeResult> {
  const out: PurgeResult = { chunks: 0, removed: 0, users_done: 0 };
  // No run reaches more users than it has chunks for.
  for (const userId of await pendingDeletions(db, maxChunks)) {
    for (;;) {
      if (out.chunks >= maxChunks) return out;
      out.chunks++;
      const n = await purgeChunk(db, userId);
      out.removed += n;
      if (n < DELETE_CHUNK) {
        out.users_done++;
        break;
      }
    }
  }
  return out;
}

/**
 * The scheduled handler's work: purges on every shard (each has its own
 * deleted_users; a shard with nothing pending costs one read query) and logs
 * one JSON line of its cost per shard, like every request (no user ids).
 */
export async function runScheduled(env: Bindings, cron: string): Promise<PurgeResult> {
  const total: PurgeResult = { chunks: 0, removed: 0, users_done: 0 };
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  for (let shard = 0; shard < shardCount(env); shard++) {
    const cost = newCost();
    const started = Date.now();
    const result = await purgeDeletedUsers(meterD1(shardDB(env, shard), cost));
    console.log(JSON.stringify({ scheduled: cron, shard, ...result, ...cost, d1_ms: round(cost.d1_ms), wall_ms: Date.now() - started }));
    total.chunks += result.chunks;
    total.removed += result.removed;
    total.users_done += result.users_done;
  }
  return total;
}
