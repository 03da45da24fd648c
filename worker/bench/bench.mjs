#!/usr/bin/env node
// Benchmark of the worker in local workerd (started with start-local.mjs):
//   POST /api/sync/push of 500 sessions: p50, p99, sessions/s
//   GET /api/stats/daily?days=30:       p50, p99
// Sequential requests on 127.0.0.1 only, bounded counts. Each push is a
// device's backlog of 500 ended sessions spread over the last 180 days, for a
// user who already holds up to 4,500 sessions (a new user every 10 pushes);
// stats are read for users holding 2,000 sessions. Options:
//   --push-runs N (default 40), --stats-runs N (default 300),
//   --pushes-per-user N (default 10), --spread-days N (default 180), --json,
//   --backlog: instead of random UUIDv4 ids at random times, the daemon's
//   offline backlog (as e2e/sync's BenchmarkSync100k): UUIDv7-like ids and
//   sessions every 50 s in time order from SPREAD_DAYS ago, 20 repositories;
//   --persist: D1 and KV on disk in a temp dir (as the e2e tests run the
//   worker) instead of in memory.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startWorker, uuidV7From } from "./local-worker.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PUSH_RUNS = opt("--push-runs", 40);
const STATS_RUNS = opt("--stats-runs", 300);
const WARMUP = 5;
const BATCH = 500;
// The worker allows 100 requests a minute per user outside /api/sync/* (stats
// here) and 1,000 on /api/sync/* (pushes): switch users well before either.
const REQUESTS_PER_USER = 80;
const PUSHES_PER_USER_MAX = 900;
const PUSHES_PER_USER = Math.min(opt("--pushes-per-user", 10), PUSHES_PER_USER_MAX);
const SPREAD_DAYS = opt("--spread-days", 180);
const BACKLOG = args.includes("--backlog");
const PERSIST = args.includes("--persist");

function startBenchWorker() {
  const dir = PERSIST ? mkdtempSync(path.join(tmpdir(), "worktime-bench-")) : null;
  const w = startWorker(["--var", "DEV_LOGIN=1", ...(dir ? ["--persist-to", dir] : [])]);
  const stop = async () => {
    await w.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return { url: w.url, stop };
}

let userSeq = 0;
async function newUser(base) {
  const res = await fetch(`${base}/auth/dev/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ login: `bench-${process.pid}-${++userSeq}`, time_zone: "Europe/Berlin" }),
  });
  if (res.status !== 200) throw new Error(`dev login: ${res.status} ${await res.text()}`);
  return { jwt: (await res.json()).jwt, used: 0 };
}

let clockMs = Date.now() - 30 * 86400_000;
let backlogNext = 0;
/** UUIDv7-shaped ids: a millisecond counter first, so ids ascend. */
const uuidV7 = uuidV7From(Date.now());
function backlogSessions(n) {
  const first = Math.floor(Date.now() / 1000) - SPREAD_DAYS * 86400;
  const out = [];
  for (let i = 0; i < n; i++, backlogNext++) {
    const start = first + backlogNext * 50;
    const len = 30 + (backlogNext % 600);
    out.push({
      id: uuidV7(),
      repo_owner: "bench",
      repo_name: `repo${backlogNext % 20}`,
      pr_number: 1 + (backlogNext % 50),
      start_time: new Date(start * 1000).toISOString().replace(".000Z", "Z"),
      end_time: new Date((start + len) * 1000).toISOString().replace(".000Z", "Z"),
      duration_seconds: len,
      status: "completed",
      updated_at: new Date((clockMs += 7)).toISOString(),
    });
  }
  return out;
}
function sessions(n, backlog = BACKLOG) {
  if (backlog) return backlogSessions(n);
  const out = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((Date.now() - Math.random() * SPREAD_DAYS * 86400_000) / 1000);
    const len = 60 + Math.floor(Math.random() * 5400);
    out.push({
      id: randomUUID(),
      repo_owner: "acme",
      repo_name: `repo-${i % 5}`,
      pr_number: 1 + (i % 40),
      start_time: new Date(start * 1000).toISOString().replace(".000Z", "Z"),
      end_time: new Date((start + len) * 1000).toISOString().replace(".000Z", "Z"),
      duration_seconds: len,
      status: "completed",
      updated_at: new Date((clockMs += 7)).toISOString(),
    });
  }
  return out;
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { runs: s.length, p50_ms: +pct(s, 50).toFixed(2), p99_ms: +pct(s, 99).toFixed(2), mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2) };
}

async function main() {
  const worker = startBenchWorker();
  try {
    const base = await worker.url;
    let user = await newUser(base);

    const pushMs = [];
    for (let i = 0; i < WARMUP + PUSH_RUNS; i++) {
      if (i % PUSHES_PER_USER === 0) user = await newUser(base);
      const u = user;
      const body = JSON.stringify({ device_id: "bench", time_zone: "Europe/Berlin", sessions: sessions(BATCH) });
      const ms = await timed(async () => {
        const res = await fetch(`${base}/api/sync/push`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${u.jwt}` }, body });
        const r = await res.json();
        if (res.status !== 200 || r.accepted.length !== BATCH) throw new Error(`push: ${res.status} ${JSON.stringify(r).slice(0, 200)}`);
      });
      if (i >= WARMUP) pushMs.push(ms);
    }

    // Stats over users holding 2,000 sessions each (4 pushes of 500, random
    // times over SPREAD_DAYS in both modes).
    const statsUsers = [];
    for (let k = 0; k < Math.ceil((WARMUP + STATS_RUNS) / REQUESTS_PER_USER); k++) {
      const u = await newUser(base);
      for (let j = 0; j < 4; j++) {
        u.used++;
        const res = await fetch(`${base}/api/sync/push`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${u.jwt}` },
          body: JSON.stringify({ device_id: "bench", sessions: sessions(BATCH, false) }),
        });
        if (res.status !== 200) throw new Error(`seed push: ${res.status}`);
        await res.arrayBuffer();
      }
      statsUsers.push(u);
    }
    const statsMs = [];
    for (let i = 0; i < WARMUP + STATS_RUNS; i++) {
      const u = statsUsers[Math.floor(i / (REQUESTS_PER_USER - 4))] ?? statsUsers[statsUsers.length - 1];
      const ms = await timed(async () => {
        const res = await fetch(`${base}/api/stats/daily?days=30`, { headers: { Authorization: `Bearer ${u.jwt}` } });
        const r = await res.json();
        if (res.status !== 200 || r.days.length !== 30) throw new Error(`stats: ${res.status}`);
      });
      if (i >= WARMUP) statsMs.push(ms);
    }

    const push = summary(pushMs);
    const totalS = pushMs.reduce((a, b) => a + b, 0) / 1000;
    const result = {
      push_500: { ...push, sessions_per_s: Math.round((pushMs.length * BATCH) / totalS) },
      stats_daily_30: summary(statsMs),
    };
    if (args.includes("--json")) {
      process.stdout.write(JSON.stringify(result) + "\n");
    } else {
      process.stdout.write(
        `push 500 sessions: p50 ${result.push_500.p50_ms} ms, p99 ${result.push_500.p99_ms} ms, ${result.push_500.sessions_per_s} sessions/s (${push.runs} runs)\n` +
          `GET /api/stats/daily?days=30: p50 ${result.stats_daily_30.p50_ms} ms, p99 ${result.stats_daily_30.p99_ms} ms (${result.stats_daily_30.runs} runs)\n`,
      );
    }
  } finally {
    await worker.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
