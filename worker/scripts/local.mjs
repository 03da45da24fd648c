// Helpers of the local runners (start-local.mjs, bench): bundling the worker
// with esbuild, reading wrangler.jsonc and applying D1 migrations through
// Miniflare. Everything here works offline.
import { rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const workerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Strips // and /* comments and trailing commas from JSONC, outside strings. */
export function parseJSONC(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      i = i < 0 ? text.length : i + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

export async function readWranglerConfig() {
  return parseJSONC(await readFile(path.join(workerDir, "wrangler.jsonc"), "utf8"));
}

/** Bundles src/index.ts into one ES module in a fresh temp dir. */
export async function bundleWorker() {
  const outdir = await mkdtemp(path.join(tmpdir(), "worktime-worker-"));
  const outfile = path.join(outdir, "index.js");
  await esbuild.build({
    entryPoints: [path.join(workerDir, "src/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  return {
    scriptPath: outfile,
    cleanup: () => rm(outdir, { recursive: true, force: true }),
    cleanupSync: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Splits a migration file into statements (no triggers: ';' ends a statement). */
export function splitSQL(sql) {
  const stmts = [];
  let cur = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1;
      cur += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else if (ch === ";") {
      if (cur.trim()) stmts.push(cur.trim());
      cur = "";
      i++;
    } else {
      cur += ch;
      i++;
    }
  }
  if (cur.trim()) stmts.push(cur.trim());
  return stmts;
}

/**
 * Applies migrations/*.sql not yet recorded in d1_migrations (the table
 * wrangler uses), each in one batch.
 */
export async function applyMigrations(db) {
  await db.prepare(
    "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
  ).run();
  const done = new Set((await db.prepare("SELECT name FROM d1_migrations").all()).results.map((r) => r.name));
  const dir = path.join(workerDir, "migrations");
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  for (const f of files) {
    if (done.has(f)) continue;
    const stmts = splitSQL(await readFile(path.join(dir, f), "utf8")).map((s) => db.prepare(s));
    stmts.push(db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(f));
    await db.batch(stmts);
  }
}
