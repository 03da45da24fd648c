#!/usr/bin/env node
// Runs a bundled worktime Worker exactly as `worktimed cloud deploy` uploads
// it: one ES module, the upload's bindings (D1, KV, rate limit, variables,
// secrets) and the D1 migrations applied to every D1 binding (each shard)
// the way deploy applies them (each file plus its d1_migrations record in
// one batch). It runs in local workerd
// through Miniflare on 127.0.0.1, prints WORKTIME_WORKER_URL=http://... once
// /health answers 200, and stops (workerd included) on SIGTERM, SIGINT or
// when stdin closes.
//
//   node scripts/run-bundle-local.mjs --script FILE --upload FILE --migrations DIR
//
// --upload is a JSON file: {"compatibility_date", "compatibility_flags",
// "bindings": [upload metadata bindings], "secrets": {"NAME": "value"}}.
// Miniflare comes from worker/node_modules (`cd worker && npm ci`).
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(msg, code = 1) {
  process.stderr.write(`run-bundle-local: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!["--script", "--upload", "--migrations"].includes(name)) fail(`unknown argument ${name}`, 2);
    if (value === undefined) fail(`${name} needs a value`, 2);
    opts[name.slice(2)] = path.resolve(value);
  }
  for (const k of ["script", "upload", "migrations"]) if (!opts[k]) fail(`--${k} is required`, 2);
  return opts;
}

async function loadMiniflare() {
  const require = createRequire(path.join(root, "worker", "package.json"));
  let entry;
  try {
    entry = require.resolve("miniflare");
  } catch {
    fail("miniflare is not installed: run 'cd worker && npm ci' (or make setup) first");
  }
  return import(pathToFileURL(entry).href);
}

// bindingsFor turns upload metadata bindings into Miniflare options.
function bindingsFor(upload) {
  const out = { bindings: { ...(upload.secrets ?? {}) }, d1Databases: {}, kvNamespaces: {}, ratelimits: {} };
  for (const b of upload.bindings ?? []) {
    switch (b.type) {
      case "d1":
        out.d1Databases[b.name] = b.database_id ?? b.id;
        break;
      case "kv_namespace":
        out.kvNamespaces[b.name] = b.namespace_id;
        break;
      case "ratelimit":
        out.ratelimits[b.name] = { simple: b.simple };
        break;
      case "plain_text":
        out.bindings[b.name] = b.text;
        break;
      case "json":
        out.bindings[b.name] = b.json;
        break;
      default:
        fail(`binding ${b.name} has a type this runner does not know: ${b.type}`);
    }
  }
  if (Object.keys(out.d1Databases).length === 0) fail("the upload binds no D1 database");
  return out;
}

async function applyMigrations(db, dir) {
  await db
    .prepare(
      "CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    )
    .run();
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  if (files.length === 0) fail(`no NNNN_*.sql migrations in ${dir}`);
  for (const f of files) {
    const sql = await readFile(path.join(dir, f), "utf8");
    await db.batch([db.prepare(sql), db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(f)]);
  }
  return files;
}

async function waitHealthy(base, deadline) {
  let last = "timeout";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL("/health", base));
      if (res.status === 200) return;
      last = `/health answered ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`the worker did not become healthy: ${last}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const upload = JSON.parse(await readFile(opts.upload, "utf8"));
  const { Miniflare, Log, LogLevel } = await loadMiniflare();
  const b = bindingsFor(upload);
  const mf = new Miniflare({
    name: "worktime",
    modules: true,
    scriptPath: opts.script,
    modulesRoot: path.dirname(opts.script),
    compatibilityDate: upload.compatibility_date,
    compatibilityFlags: upload.compatibility_flags ?? [],
    bindings: b.bindings,
    d1Databases: b.d1Databases,
    kvNamespaces: b.kvNamespaces,
    ratelimits: b.ratelimits,
    d1Persist: false,
    kvPersist: false,
    cachePersist: false,
    cf: false,
    host: "127.0.0.1",
    port: 0,
    log: new Log(LogLevel.WARN),
  });
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    try {
      await mf.dispose();
    } finally {
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
    let applied = [];
    for (const name of Object.keys(b.d1Databases)) {
      applied = await applyMigrations(await mf.getD1Database(name), opts.migrations);
    }
    const base = `http://127.0.0.1:${url.port}`;
    await waitHealthy(base, Date.now() + 30_000);
    process.stdout.write(`MIGRATIONS=${applied.join(",")}\nWORKTIME_WORKER_URL=${base}\n`);
  } catch (err) {
    process.stderr.write(`run-bundle-local: ${err?.stack ?? err}\n`);
    await stop(1);
  }
}

main().catch((err) => fail(err?.stack ?? String(err)));
