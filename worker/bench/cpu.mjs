#!/usr/bin/env node
// The Worker's own CPU per request, without D1's query work. Locally D1 runs
// its SQLite inside workerd, so workerd's CPU (bench/cost.mjs) is the Worker's
// CPU plus the queries'; on Cloudflare the queries run in D1, not in the
// Worker, and Workers Free's 10 ms limit counts only the Worker's part.
//
// How: one user gets SESSIONS sessions (the same history as bench/cost.mjs:
// 20 a day, 10–40 minutes, 20 repositories) in local workerd (Miniflare, D1
// in memory). Each endpoint's request is then run in this Node process (V8,
// the engine workerd runs) through the worker's own app (src/index.ts,
// bundled) twice: first against the real local D1 through Miniflare's
// binding proxy, recording every D1 result as JSON; then RUNS times against a
// D1 that plays the recording back, decoding each result from its JSON (a
// Worker decodes the results D1 sends it, so that part stays in). The CPU of
// the played-back runs (process.cpuUsage, per request) is everything the
// Worker does (routing, zod, the JWT's HMAC, splitting days, building and
// encoding the reply, the cost log line) and nothing D1 does.
//
//   node bench/cpu.mjs [--sessions N (100000)] [--runs N (20)] [--json]
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";
import { applyMigrations, bundleWorker, readWranglerConfig } from "../scripts/local.mjs";
import { historySession, numberArg, PER_DAY, uuidV7From } from "./local-worker.mjs";

const args = process.argv.slice(2);
const SESSIONS = numberArg(args, "--sessions", 100_000);
const RUNS = numberArg(args, "--runs", 20);
const JSON_OUT = args.includes("--json");
const DEVICE = randomUUID();
const uuidV7 = uuidV7From(Date.UTC(2013, 0, 1));
const session = (i, total) => historySession(i, total, uuidV7);

/** A D1 binding that records every result of db as JSON, in call order. */
function recorder(db, tape) {
  const stmt = (inner) => ({
    __inner: inner,
    bind: (...v) => stmt(inner.bind(...v)),
    all: async () => {
      const r = await inner.all();
      tape.push(JSON.stringify(r));
      return r;
    },
    run: async () => {
      const r = await inner.run();
      tape.push(JSON.stringify(r));
      return r;
    },
    first: async (col) => {
      const r = await inner.all();
      tape.push(JSON.stringify(r));
      const row = r.results[0];
      return row === undefined ? null : col === undefined ? row : (row[col] ?? null);
    },
    raw: async () => {
      const r = await inner.raw();
      tape.push(JSON.stringify(r));
      return r;
    },
  });
  return {
    prepare: (sql) => stmt(db.prepare(sql)),
    batch: async (stmts) => {
      const r = await db.batch(stmts.map((s) => s.__inner ?? s));
      tape.push(JSON.stringify(r));
      return r;
    },
  };
}

/** A D1 binding that answers from a recording, decoding each result. */
function player(tape) {
  let i = 0;
  const next = () => {
    if (i >= tape.length) throw new Error("the request made more D1 calls than were recorded");
    return JSON.parse(tape[i++]);
  };
  const stmt = {
    bind: () => stmt,
    all: async () => next(),
    run: async () => next(),
    first: async (col) => {
      const row = next().results[0];
      return row === undefined ? null : col === undefined ? row : (row[col] ?? null);
    },
    raw: async () => next(),
  };
  return {
    prepare: () => stmt,
    batch: async () => next(),
    rewind: () => {
      if (i !== tape.length) throw new Error(`the request made ${i} D1 calls, ${tape.length} were recorded`);
      i = 0;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const config = await readWranglerConfig();
  const jwtSecret = randomBytes(32).toString("hex");
  const vars = { ...(config.vars ?? {}), JWT_SECRET: jwtSecret, DEV_LOGIN: "1" };
  const bundle = await bundleWorker();
  const mf = new Miniflare({
    modules: true, scriptPath: bundle.scriptPath, modulesRoot: path.dirname(bundle.scriptPath),
    compatibilityDate: config.compatibility_date, bindings: vars,
    d1Databases: { DB: "cpu-bench" }, kvNamespaces: { KV: "cpu-bench" },
    ratelimits: Object.fromEntries((config.ratelimits ?? []).map((r) => [r.name, { simple: { limit: 1e9, period: 60 } }])),
    cf: false, log: new Log(LogLevel.WARN), handleStructuredLogs: () => {},
  });
  try {
    const db = await mf.getD1Database("DB");
    await applyMigrations(db);
    const login = await mf.dispatchFetch("http://w/auth/dev/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login: "cpu", time_zone: "Europe/Berlin" }) });
    const { jwt } = await login.json();
    const auth = { Authorization: `Bearer ${jwt}` };
    const history = SESSIONS - PER_DAY;
    for (let i = 0; i < history; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(i + 500, history); j++) batch.push(session(j, SESSIONS));
      const res = await mf.dispatchFetch("http://w/api/sync/push", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify({ device_id: DEVICE, sessions: batch }) });
      if (res.status !== 200) throw new Error(`load: push ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }

    // The worker's app in this process.
    const { createApp } = await import(pathToFileURL(bundle.scriptPath).href);
    const app = createApp();
    const allow = { limit: async () => ({ success: true }) };
    const kv = { get: async () => null, getWithMetadata: async () => ({ value: null, metadata: null }), list: async () => ({ keys: [], list_complete: true }), put: async () => {}, delete: async () => {} };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
    const log = console.log;
    console.log = () => {}; // the cost line is still built (JSON.stringify); only the write is dropped
    const rows = [];
    const measure = async (label, method, p, body) => {
      const request = () => new Request(`http://w${p}`, { method, headers: body ? { ...auth, "Content-Type": "application/json" } : auth, body: body ? JSON.stringify(body) : undefined });
      const tape = [];
      const recorded = await app.fetch(request(), { ...vars, DB: recorder(db, tape), KV: kv, RATE_LIMITER: allow, SYNC_RATE_LIMITER: allow }, ctx);
      if (recorded.status >= 300) throw new Error(`${label}: ${recorded.status} ${await recorded.text()}`);
      const bytes = (await recorded.arrayBuffer()).byteLength;
      const play = player(tape);
      const env = { ...vars, DB: play, KV: kv, RATE_LIMITER: allow, SYNC_RATE_LIMITER: allow };
      const once = async () => {
        const res = await app.fetch(request(), env, ctx);
        await res.arrayBuffer();
        play.rewind();
      };
      for (let r = 0; r < 3; r++) await once(); // warm-up: JIT
      const samples = [];
      for (let r = 0; r < RUNS; r++) {
        const c0 = process.cpuUsage();
        await once();
        const c = process.cpuUsage(c0);
        samples.push((c.user + c.system) / 1000);
      }
      rows.push({ endpoint: label, d1_calls: tape.length, d1_result_bytes: tape.reduce((n, t) => n + t.length, 0), reply_bytes: bytes, worker_cpu_ms_p50: +median(samples).toFixed(2), worker_cpu_ms_max: +Math.max(...samples).toFixed(2) });
    };

    const today = Array.from({ length: PER_DAY }, (_, k) => session(history + k, SESSIONS));
    await measure("POST /api/sync/push (20 new ended sessions)", "POST", "/api/sync/push", { device_id: DEVICE, sessions: today });
    await measure("POST /api/sync/push (500 sessions, backlog)", "POST", "/api/sync/push", { device_id: DEVICE, sessions: Array.from({ length: 500 }, (_, k) => ({ ...session(k, SESSIONS), id: uuidV7() })) });
    await measure("GET /api/sync/pull (limit 500)", "GET", "/api/sync/pull?since=c1.0&limit=500");
    await measure("GET /api/stats/daily?days=30", "GET", "/api/stats/daily?days=30");
    await measure("GET /api/stats/daily?days=366", "GET", "/api/stats/daily?days=366");
    await measure("GET /api/stats/repo/:owner/:name?days=366", "GET", "/api/stats/repo/kubernetes/kubernetes?days=366");
    await measure("GET /api/sessions?limit=50", "GET", "/api/sessions?limit=50");
    await measure("GET /api/sessions?limit=200&offset=10000", "GET", `/api/sessions?limit=200&offset=${Math.min(10_000, Math.floor(SESSIONS / 400) * 200)}`);
    await measure("GET /api/me", "GET", "/api/me");
    await measure("PATCH /api/me (zone change)", "PATCH", "/api/me", { time_zone: "America/New_York" });
    console.log = log;

    const result = { sessions: SESSIONS, runs: RUNS, node: process.version, endpoints: rows };
    if (JSON_OUT) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`${SESSIONS} sessions for one user; the Worker's CPU per request without D1 (Node ${process.version}, ${RUNS} runs)`);
      console.log("| endpoint | D1 calls | D1 result bytes decoded | reply bytes | Worker CPU ms p50 | max |");
      console.log("|---|---|---|---|---|---|");
      for (const r of rows) console.log(`| ${r.endpoint} | ${r.d1_calls} | ${r.d1_result_bytes} | ${r.reply_bytes} | ${r.worker_cpu_ms_p50} | ${r.worker_cpu_ms_max} |`);
    }
  } finally {
    await mf.dispose();
    await bundle.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
