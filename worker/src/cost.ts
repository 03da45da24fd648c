// Cost of a request as Cloudflare bills it: D1 queries with their rows read,
// rows written and duration (from each result's meta, as D1 reports them) and
// KV reads and writes, counted through wrappers around the bindings. Every
// request logs one JSON line of its cost; with COST_HEADER=1 the response also
// carries it in Worktime-Cost (local runs and tests: a benchmark reads it).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";
import { mapShards } from "./shards";

export interface Cost {
  d1_queries: number;
  d1_rows_read: number;
  d1_rows_written: number;
  d1_ms: number;
  kv_reads: number;
  kv_writes: number;
}

export function newCost(): Cost {
  return { d1_queries: 0, d1_rows_read: 0, d1_rows_written: 0, d1_ms: 0, kv_reads: 0, kv_writes: 0 };
}

function addMeta(cost: Cost, meta: Partial<D1Meta> | undefined) {
  cost.d1_queries++;
  cost.d1_rows_read += meta?.rows_read ?? 0;
  cost.d1_rows_written += meta?.rows_written ?? 0;
  cost.d1_ms += meta?.duration ?? 0;
}

/**
 * A prepared statement that records the meta of its results. first() runs
 * as all(): D1's first() returns no meta.
 */
class MeteredStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly cost: Cost,
  ) {}

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.inner.bind(...values), this.cost);
  }

  async all<T>(): Promise<D1Result<T>> {
    const r = await this.inner.all<T>();
    addMeta(this.cost, r.meta);
    return r;
  }

  async run<T>(): Promise<D1Result<T>> {
    const r = await this.inner.run<T>();
    addMeta(this.cost, r.meta);
    return r;
  }

  async first<T>(column?: string): Promise<T | null> {
    const r = await this.all<Record<string, unknown>>();
    const row = r.results[0];
    if (row === undefined) return null;
    return (column === undefined ? row : (row[column] ?? null)) as T | null;
  }

  async raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    // raw() returns no meta either; count the query at least.
    this.cost.d1_queries++;
    return this.inner.raw<T>(options as { columnNames: true }) as Promise<T[]>;
  }
}

function unwrap(s: D1PreparedStatement): D1PreparedStatement {
  return s instanceof MeteredStatement ? s.inner : s;
}

/** db, counting every query's meta into cost. */
export function meterD1(db: D1Database, cost: Cost): D1Database {
  const metered = {
    prepare: (sql: string) => new MeteredStatement(db.prepare(sql), cost) as unknown as D1PreparedStatement,
    batch: async <T>(stmts: D1PreparedStatement[]) => {
      const results = await db.batch<T>(stmts.map(unwrap));
      for (const r of results) addMeta(cost, r.meta);
      return results;
    },
    exec: async (sql: string) => {
      const r = await db.exec(sql);
      cost.d1_queries += r.count;
      cost.d1_ms += r.duration;
      return r;
    },
    withSession: (...args: Parameters<D1Database["withSession"]>) => db.withSession(...args),
    dump: () => db.dump(),
  };
  return metered as unknown as D1Database;
}

/** kv, counting reads (get, getWithMetadata, list) and writes (put, delete). */
export function meterKV(kv: KVNamespace, cost: Cost): KVNamespace {
  const read = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => (cost.kv_reads++, f(...a));
  const write = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => (cost.kv_writes++, f(...a));
  return {
    get: read(kv.get.bind(kv)),
    getWithMetadata: read(kv.getWithMetadata.bind(kv)),
    list: read(kv.list.bind(kv)),
    put: write(kv.put.bind(kv)),
    delete: write(kv.delete.bind(kv)),
  } as unknown as KVNamespace;
}

export function costHeader(c: Cost): string {
  return `d1_queries=${c.d1_queries};d1_rows_read=${c.d1_rows_read};d1_rows_written=${c.d1_rows_written};d1_ms=${round(c.d1_ms)};kv_reads=${c.kv_reads};kv_writes=${c.kv_writes}`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The outermost middleware: meters the bindings (every shard's) for
 * everything after it, then logs {route, status, shard, cost} (the shard is
 * null until a token or a sign-in names it; no user ids, logins, tokens,
 * repository names or addresses) and, with COST_HEADER=1, sets
 * Worktime-Cost.
 */
export const meterRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  const cost = newCost();
  const started = Date.now();
  c.env = { ...mapShards(c.env, (db) => meterD1(db, cost)), KV: meterKV(c.env.KV, cost) };
  await next();
  // routePath is the pattern of the last handler that ran: the matched route.
  // No CPU time here: a Worker cannot read its own (Date.now() and
  // performance.now() advance only across I/O). Workers Logs puts each
  // invocation's CPU and wall time in its invocation log, beside this line
  // (Cloudflare changelog 2025-04-09, "CPU time and Wall time now published
  // for Workers Invocations").
  console.log(
    JSON.stringify({ route: c.req.routePath, status: c.res.status, shard: c.get("shard") ?? null, ...cost, d1_ms: round(cost.d1_ms), wall_ms: Date.now() - started }),
  );
  if (c.env.COST_HEADER === "1") c.header("Worktime-Cost", costHeader(cost));
};
