#!/usr/bin/env node
// Cost benchmark of the worker in local workerd (start-local.mjs, D1 on disk,
// COST_HEADER=1): one user accumulates SESSIONS realistic ended sessions (20 a
// day, 10–40 minutes each, 20 repositories with real-length names, UUIDv7 ids,
// a UUID device id), pushed 500 at a time; then every endpoint is called RUNS
// times and reported with D1's own figures from the Worktime-Cost header
// (queries, rows read, rows written, D1 ms; medians), the wall time and the
// CPU time of the workerd process per request; finally the bytes per stored
// session of the D1 file after VACUUM (sqlite3's dbstat: the sessions table
// and its indexes) and the cost of deleting the account: the request, then
// each run of the scheduled handler (the Cron Trigger, fired through
// Miniflare's /cdn-cgi/handler/scheduled) until nothing is left, from the cost line
// each run logs.
//
// CPU: workerd's CPU time (all threads, /proc/<pid>/task/*/schedstat, ns)
// over RUNS sequential requests, divided by RUNS, and the same minus a
// request to /health (the runtime's HTTP handling and Miniflare's routing
// workers, which a deployed Worker is not billed for). Local D1 runs its
// SQLite in the same process, so both include D1's query work: an upper bound
// of the Worker's own CPU (Workers Free allows 10 ms). The stats computation,
// the one part whose CPU grows with the rows read, is also timed alone in
// Node (process.cpuUsage) on the same rows, bundled from src/stats-compute.ts.
//
//   node bench/cost.mjs [--sessions N (100000)] [--runs N (5)] [--json]
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { historySession, numberArg, PER_DAY, startWorker, uuidV7From } from "./local-worker.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const SESSIONS = numberArg(args, "--sessions", 100_000);
const RUNS = numberArg(args, "--runs", 5);
const JSON_OUT = args.includes("--json");

const DEVICE = randomUUID();

/** The JSON lines the scheduled handler logged, in order. */
const scheduledLines = [];

function startCostWorker(dir) {
  return startWorker(["--var", "DEV_LOGIN=1", "--var", "COST_HEADER=1", "--scheduled", "--persist-to", dir], {
    onLine: (l) => {
      if (l.startsWith('{"scheduled"')) scheduledLines.push(JSON.parse(l));
      else if (!l.startsWith('{"route"')) process.stderr.write(l + "\n");
    },
  });
}

/** The workerd processes below pid (start-local runs Miniflare, which runs workerd). */
function workerdPids(root) {
  const children = new Map();
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push({ pid: Number(p), comm });
    } catch {
      // the process ended meanwhile
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      if (c.comm.startsWith("workerd")) out.push(c.pid);
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}

/** CPU nanoseconds used so far by every thread of the given processes. */
function cpuNs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return ns;
}

function parseCost(h) {
  if (!h) throw new Error("no Worktime-Cost header (COST_HEADER=1 not applied?)");
  return Object.fromEntries(h.split(";").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));
}

const uuidV7 = uuidV7From(Date.UTC(2013, 0, 1));
const session = (i, total) => historySession(i, total, uuidV7);

/** ms of CPU per call of the stats computation over the rows of each range. */
async function statsComputeCpu(dir, total) {
  const out = path.join(dir, "stats-compute.mjs");
  await esbuild.build({ entryPoints: [path.join(here, "../src/stats-compute.ts")], bundle: true, format: "esm", platform: "neutral", outfile: out, logLevel: "error" });
  const { dailyStats, lastDays, repoStats } = await import(pathToFileURL(out).href);
  const rows = [];
  for (let i = Math.max(0, total - 367 * PER_DAY); i < total; i++) {
    const s = session(i, total);
    rows.push({ start_time: Date.parse(s.start_time) / 1000, end_time: Date.parse(s.end_time) / 1000, repo_owner: s.repo_owner, repo_name: s.repo_name, pr_number: s.pr_number });
  }
  const now = Math.floor(Date.now() / 1000);
  const time = (fn) => {
    fn(); // warm-up
    const n = 20;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) JSON.stringify(fn());
    const c = process.cpuUsage(c0);
    return +((c.user + c.system) / 1000 / n).toFixed(2);
  };
  const result = {};
  for (const days of [30, 366]) {
    const r = lastDays("Europe/Berlin", days, now);
    const inRange = rows.filter((s) => s.start_time >= r.fromInstant - 3600 && s.start_time < r.toInstant);
    result[`daily days=${days} (${inRange.length} sessions)`] = time(() => dailyStats(r, inRange));
    const repo = inRange.filter((s) => s.repo_owner === "kubernetes" && s.repo_name === "kubernetes");
    result[`repo days=${days} (${repo.length} sessions)`] = time(() => repoStats(r, repo));
  }
  return result;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "worktime-cost-"));
  const w = startCostWorker(dir);
  try {
    const base = await w.url;
    const pids = workerdPids(w.child.pid);
    if (pids.length === 0) throw new Error("workerd process not found");
    const login = await fetch(`${base}/auth/dev/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login: `cost-${process.pid}`, time_zone: "Europe/Berlin" }) });
    const { jwt } = await login.json();
    const auth = { Authorization: `Bearer ${jwt}` };
    const req = async (method, p, body) => {
      const t0 = performance.now();
      const res = await fetch(base + p, { method, headers: body ? { ...auth, "Content-Type": "application/json" } : auth, body: body ? JSON.stringify(body) : undefined });
      if (p === "/health") return { cost: { d1_queries: 0, d1_rows_read: 0, d1_rows_written: 0, d1_ms: 0, kv_reads: 0 }, wall: performance.now() - t0, body: await res.json() };
      const text = await res.text();
      const wall = performance.now() - t0;
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
      return { cost: parseCost(res.headers.get("Worktime-Cost")), wall, body: text ? JSON.parse(text) : null };
    };

    // History: pushes of 500, all but the last user-day.
    const history = SESSIONS - PER_DAY;
    let cursor = "";
    const t0 = performance.now();
    for (let i = 0; i < history; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(i + 500, history); j++) batch.push(session(j, SESSIONS));
      cursor = (await req("POST", "/api/sync/push", { device_id: DEVICE, sessions: batch })).body.cursor;
    }
    const loadSeconds = (performance.now() - t0) / 1000;

    const rows = [];
    const measure = async (label, method, p, body, runs = RUNS) => {
      const costs = [];
      const walls = [];
      const c0 = cpuNs(pids);
      for (let r = 0; r < runs; r++) {
        const out = await req(method, typeof p === "function" ? p(r) : p, typeof body === "function" ? body(r) : body);
        costs.push(out.cost);
        walls.push(out.wall);
      }
      const cpu = (cpuNs(pids) - c0) / 1e6 / runs;
      const own = rows.length === 0 ? 0 : cpu - rows[0].workerd_cpu_ms;
      const m = (k) => median(costs.map((c) => c[k]));
      const row = { endpoint: label, d1_queries: m("d1_queries"), d1_rows_read: m("d1_rows_read"), d1_rows_written: m("d1_rows_written"), d1_ms: m("d1_ms"), kv_reads: m("kv_reads"), wall_ms: +median(walls).toFixed(1), workerd_cpu_ms: +cpu.toFixed(2), cpu_over_baseline_ms: +Math.max(0, own).toFixed(2) };
      rows.push(row);
      return row;
    };

    // The runtime's own per-request CPU (HTTP, Miniflare's routing workers),
    // measured on /health, which touches no binding; subtracted below.
    const health = await measure("GET /health (baseline)", "GET", "/health", undefined, 20);
    void health;
    // The user-day's 20 sessions in one push, as the daemon sends them.
    const today = Array.from({ length: PER_DAY }, (_, k) => session(history + k, SESSIONS));
    await measure("POST /api/sync/push (20 new ended sessions)", "POST", "/api/sync/push", (r) => ({ device_id: DEVICE, since: cursor, sessions: r === 0 ? today : today.map((s) => ({ ...s, id: uuidV7(), updated_at: new Date(Date.parse(s.updated_at) + r).toISOString() })) }));
    await measure("POST /api/sync/push (500 sessions, backlog)", "POST", "/api/sync/push", (r) => ({ device_id: DEVICE, sessions: Array.from({ length: 500 }, (_, k) => ({ ...session(k + r * 500, SESSIONS), id: uuidV7() })) }));
    await measure("POST /api/sync/push (replay of 500, no change)", "POST", "/api/sync/push", { device_id: DEVICE, sessions: Array.from({ length: 500 }, (_, k) => session(k, SESSIONS)) });
    const head = (await req("POST", "/api/sync/push", { device_id: DEVICE, sessions: [] })).body.cursor;
    await measure("GET /api/sync/pull (head, nothing new)", "GET", `/api/sync/pull?since=${head}`);
    await measure("GET /api/sync/pull (limit 500)", "GET", "/api/sync/pull?since=c1.0&limit=500");
    await measure("GET /api/stats/daily?days=30", "GET", "/api/stats/daily?days=30");
    await measure("GET /api/stats/daily?days=366", "GET", "/api/stats/daily?days=366");
    await measure("GET /api/stats/repo/:owner/:name?days=366", "GET", "/api/stats/repo/kubernetes/kubernetes?days=366");
    await measure("GET /api/sessions?limit=50", "GET", "/api/sessions?limit=50");
    // A deep page (10,000 sessions down, the deepest offset allowed): by
    // offset, then by cursor (`next` of the page that ends there).
    const depth = Math.min(10_000, Math.floor(SESSIONS / 2 / 200) * 200);
    await measure(`GET /api/sessions?limit=200&offset=${depth}`, "GET", `/api/sessions?limit=200&offset=${depth}`);
    const deepCursor = (await req("GET", `/api/sessions?limit=200&offset=${depth - 200}`)).body.next;
    await measure(`GET /api/sessions?limit=200&before=(cursor at depth ${depth})`, "GET", `/api/sessions?limit=200&before=${deepCursor}`);
    await measure("GET /api/me", "GET", "/api/me");
    await measure("PATCH /api/me (zone change)", "PATCH", "/api/me", (r) => ({ time_zone: r % 2 ? "Europe/Berlin" : "America/New_York" }));

    // Bytes per stored session: copy the D1 file, VACUUM, sum the pages of
    // the sessions table and its indexes.
    const stored = SESSIONS + 500 * RUNS + PER_DAY * (RUNS - 1);
    const sqliteDir = path.join(dir, "d1");
    const files = [];
    const find = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) find(p);
        else if (e.name.endsWith(".sqlite") && e.name !== "metadata.sqlite") files.push(p);
      }
    };
    find(sqliteDir);
    let bytes = null;
    if (files.length !== 1) console.error(`cost: want one D1 file under ${sqliteDir}, found ${JSON.stringify(files)}`);
    else {
      const copy = path.join(dir, "copy.sqlite");
      copyFileSync(files[0], copy);
      for (const ext of ["-wal", "-shm"]) if (existsSync(files[0] + ext)) copyFileSync(files[0] + ext, copy + ext);
      execFileSync("sqlite3", [copy, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;"]);
      const out = execFileSync("sqlite3", ["-separator", " ", copy, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name; SELECT 'count', COUNT(*) FROM sessions WHERE status != 3;"], { encoding: "utf8" });
      const by = Object.fromEntries(out.trim().split("\n").map((l) => [l.split(" ")[0], Number(l.split(" ")[1])]));
      const n = by.count;
      const sessionBytes = (by.sessions ?? 0) + (by.sessions_user_seq ?? 0) + (by.sessions_active ?? 0);
      bytes = { sessions: n, expected: stored, bytes_per_session: +(sessionBytes / n).toFixed(1), table: by.sessions, seq_index: by.sessions_user_seq, active_index: by.sessions_active ?? 0, file_bytes: statSync(copy).size };
    }

    // The stats computation's own CPU, timed in Node (process.cpuUsage) on
    // the rows each stats request reads: the same code, bundled from src/.
    const statsCpu = await statsComputeCpu(dir, SESSIONS);

    const del = await measure("DELETE /api/me (the request: the account and 1,000 sessions)", "DELETE", "/api/me", undefined, 1);
    // The Cron Trigger's runs until the deletion is finished (and one more,
    // with nothing left to do).
    const purge = [];
    for (let run = 0; run < 1000; run++) {
      const before = scheduledLines.length;
      const c0 = cpuNs(pids);
      const t0 = performance.now();
      const res = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
      await res.text();
      if (!res.ok) throw new Error(`scheduled: ${res.status}`);
      const cpu = (cpuNs(pids) - c0) / 1e6;
      const wall = performance.now() - t0;
      for (let i = 0; scheduledLines.length === before && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
      const line = scheduledLines[scheduledLines.length - 1];
      if (scheduledLines.length === before) throw new Error("the scheduled run logged no cost line");
      purge.push({ ...line, wall_ms: +wall.toFixed(1), workerd_cpu_ms: +cpu.toFixed(2) });
      if (line.chunks === 0) break;
    }
    const result = { sessions: SESSIONS, runs: RUNS, load_seconds: +loadSeconds.toFixed(1), endpoints: rows, storage: bytes, stats_compute_cpu_ms: statsCpu, delete: del, purge };
    if (JSON_OUT) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`${SESSIONS} sessions for one user (loaded in ${result.load_seconds} s); medians of ${RUNS} runs`);
      console.log("| endpoint | D1 queries | rows read | rows written | D1 ms | KV reads | wall ms | workerd CPU ms | workerd CPU − /health ms |");
      console.log("|---|---|---|---|---|---|---|---|---|");
      for (const r of rows) console.log(`| ${r.endpoint} | ${r.d1_queries} | ${r.d1_rows_read} | ${r.d1_rows_written} | ${r.d1_ms} | ${r.kv_reads} | ${r.wall_ms} | ${r.workerd_cpu_ms} | ${r.cpu_over_baseline_ms} |`);
      console.log(`\nstats computation CPU in Node (same code, rows of the range): ${Object.entries(statsCpu).map(([k, v]) => `${k} ${v} ms`).join(", ")}`);
      console.log("\nscheduled purge runs after DELETE /api/me:");
      console.log("| run | chunks | sessions removed | D1 queries | rows read | rows written | D1 ms | wall ms | workerd CPU ms |");
      console.log("|---|---|---|---|---|---|---|---|---|");
      purge.forEach((p, i) => console.log(`| ${i + 1} | ${p.chunks} | ${p.removed} | ${p.d1_queries} | ${p.d1_rows_read} | ${p.d1_rows_written} | ${p.d1_ms} | ${p.wall_ms} | ${p.workerd_cpu_ms} |`));
      if (bytes) console.log(`\nstorage after VACUUM: ${bytes.bytes_per_session} bytes per session (${bytes.sessions} sessions; table ${bytes.table} B, seq index ${bytes.seq_index} B, active index ${bytes.active_index} B)`);
    }
  } finally {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
