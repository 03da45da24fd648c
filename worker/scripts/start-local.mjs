#!/usr/bin/env node
// Starts the worker in local workerd with fresh D1 and KV (migrations
// applied) on 127.0.0.1, prints WORKTIME_WORKER_URL=http://127.0.0.1:PORT once
// /health answers, and stops (workerd included) on SIGTERM, SIGINT or when
// stdin closes (exit code 0, or 128+signal after a signal).
//
//   node worker/scripts/start-local.mjs [--port N] [--persist-to DIR] [--shards N] [--scheduled] [--var K=V ...]
//
// --shards N binds N local D1 databases as DB, DB_1, ... (README: Shards),
// each migrated; the default is one.
// --scheduled lets GET /cdn-cgi/handler/scheduled run the scheduled handler
// (the Cron Trigger, which does not fire locally) once per request.
// Vars default to wrangler.jsonc's; JWT_SECRET defaults to a random value.
// Useful vars for tests: DEV_LOGIN=1, JWT_TTL_SECONDS, GITHUB_API_BASE,
// GITHUB_OAUTH_BASE, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, ALLOWED_ORIGINS.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { applyMigrations, bundleWorker, readWranglerConfig } from "./local.mjs";

function usage(msg) {
  process.stderr.write(`start-local: ${msg}\nusage: start-local.mjs [--port N] [--persist-to DIR] [--shards N] [--scheduled] [--var K=V ...]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { port: 0, persistTo: null, shards: 1, scheduled: false, vars: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf("=");
      if (eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    if (name === "--port") {
      const p = Number(value());
      if (!Number.isInteger(p) || p < 0 || p > 65535) usage("--port must be 0..65535");
      opts.port = p;
    } else if (name === "--shards") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 64) usage("--shards must be 1..64");
      opts.shards = n;
    } else if (name === "--persist-to") {
      opts.persistTo = path.resolve(value());
    } else if (a === "--scheduled") {
      opts.scheduled = true;
    } else if (a === "--var") {
      if (i + 1 >= argv.length) usage("--var needs K=V");
      const kv = argv[++i];
      const eq = kv.indexOf("=");
      if (eq <= 0) usage(`--var ${kv}: want K=V`);
      opts.vars[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

/** The D1 bindings of n shards: DB, then DB_1 … DB_<n-1>, each its own local database. */
function shardBindings(n) {
  const out = { DB: "worktime-local" };
  for (let i = 1; i < n; i++) out[`DB_${i}`] = `worktime-local-shard-${i}`;
  return out;
}

async function waitHealthy(url, deadlineMs) {
  let lastErr;
  while (Date.now() < deadlineMs) {
    try {
      const res = await fetch(new URL("/health", url));
      if (res.status === 200) return;
      lastErr = new Error(`/health answered ${res.status}`);
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`worker did not become healthy: ${lastErr?.message ?? "timeout"}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = await readWranglerConfig();
  const vars = { ...(config.vars ?? {}), JWT_SECRET: randomBytes(32).toString("hex"), ...opts.vars };
  const bundle = await bundleWorker();
  const persist = opts.persistTo;
  const mf = new Miniflare({
    name: "worktime",
    modules: true,
    scriptPath: bundle.scriptPath,
    modulesRoot: path.dirname(bundle.scriptPath),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    bindings: vars,
    d1Databases: shardBindings(opts.shards),
    kvNamespaces: { KV: "worktime-local" },
    // The rate-limiting bindings of wrangler.jsonc (RATE_LIMITER, SYNC_RATE_LIMITER).
    ratelimits: Object.fromEntries((config.ratelimits ?? []).map((r) => [r.name, { simple: r.simple }])),
    d1Persist: persist ? path.join(persist, "d1") : false,
    kvPersist: persist ? path.join(persist, "kv") : false,
    cachePersist: false,
    cf: false,
    unsafeTriggerHandlers: opts.scheduled,
    host: "127.0.0.1",
    port: opts.port,
    log: new Log(LogLevel.WARN),
    // stdout carries only the URL line; the worker's own output (one JSON
    // cost line per request, errors) goes to stderr.
    handleStructuredLogs: ({ message }) => {
      process.stderr.write(`${message}\n`);
    },
  });

  // Miniflare's exit hook also stops workerd (and exits 128+signal) on
  // SIGINT/SIGTERM; the bundle's temp dir goes in every case.
  process.on("exit", () => bundle.cleanupSync());
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    try {
      await mf.dispose();
    } finally {
      await bundle.cleanup();
      process.exit(code);
    }
  };
  process.on("SIGTERM", () => stop(0));
  process.on("SIGINT", () => stop(0));
  process.stdin.on("end", () => stop(0));
  process.stdin.on("error", () => stop(0));
  process.stdin.resume();

  try {
    const url = await mf.ready;
    for (const name of Object.keys(shardBindings(opts.shards))) await applyMigrations(await mf.getD1Database(name));
    const base = `http://127.0.0.1:${url.port}`;
    await waitHealthy(base, Date.now() + 30_000);
    process.stdout.write(`WORKTIME_WORKER_URL=${base}\n`);
  } catch (err) {
    process.stderr.write(`start-local: ${err?.stack ?? err}\n`);
    await stop(1);
  }
}

main().catch((err) => {
  process.stderr.write(`start-local: ${err?.stack ?? err}\n`);
  process.exit(1);
});
