// Shared by the benchmarks: the worker started with start-local.mjs,
// UUIDv7-shaped ids, their numeric arguments and the realistic history of
// bench:cost and bench:cpu.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the worker in local workerd with start-local.mjs's extra arguments
 * (e.g. ["--var", "DEV_LOGIN=1"]); url resolves to its base URL, stop() ends
 * it (stdin closed) and resolves once it has exited. With onLine, each line
 * the worker logs (one JSON cost line per request or scheduled run) is
 * handed to it instead of going to stderr.
 */
export function startWorker(args, { onLine } = {}) {
  const child = spawn(process.execPath, [path.join(here, "../scripts/start-local.mjs"), ...args], {
    stdio: ["pipe", "pipe", onLine ? "pipe" : "inherit"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  if (onLine) createInterface({ input: child.stderr }).on("line", onLine);
  const url = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (l) => {
      const m = /^WORKTIME_WORKER_URL=(.*)$/.exec(l);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  const stop = () => new Promise((resolve) => (child.on("exit", resolve), child.stdin.end()));
  return { child, url, stop };
}

/** A generator of UUIDv7-shaped ids whose millisecond counter starts at startMs, so ids ascend. */
export function uuidV7From(startMs) {
  let ms = startMs;
  return () => {
    const h = (ms++).toString(16).padStart(12, "0");
    const r = randomUUID();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19, 23)}-${r.slice(24)}`;
  };
}

/** The value of the numeric argument name in args ("--runs 5"), or def. */
export function numberArg(args, name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

/** Sessions a day in the benchmarks' history. */
export const PER_DAY = 20;
const DAY = 86400;

/** 20 repositories with names of real length. */
export const REPOS = [
  ["kubernetes", "kubernetes"], ["microsoft", "vscode"], ["facebook", "react"], ["golang", "go"], ["rust-lang", "rust"],
  ["cloudflare", "workers-sdk"], ["honojs", "hono"], ["vercel", "next.js"], ["nodejs", "node"], ["python", "cpython"],
  ["acme-corp", "payments-service"], ["acme-corp", "web-frontend"], ["acme-corp", "infrastructure-terraform"], ["torvalds", "linux"],
  ["denoland", "deno"], ["sqlite", "sqlite"], ["grafana", "grafana"], ["prometheus", "prometheus"], ["hashicorp", "terraform"], ["docker", "cli"],
];

const iso = (t) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

/**
 * Session number i of a user's history of total ended sessions: 20 a day
 * ending today, 10–40 minutes each, over REPOS; newId mints its id.
 */
export function historySession(i, total, newId) {
  const dayStart = Math.floor(Date.now() / 1000 / DAY) * DAY - Math.ceil(total / PER_DAY) * DAY;
  const d = Math.floor(i / PER_DAY);
  const k = i % PER_DAY;
  const start = dayStart + d * DAY + 7 * 3600 + k * 1500 + ((i * 37) % 300);
  const len = 600 + ((i * 7919) % 1800);
  const [owner, name] = REPOS[(i * 13 + d) % REPOS.length];
  return {
    id: newId(),
    repo_owner: owner,
    repo_name: name,
    pr_number: 1 + ((i * 104729) % 60000),
    start_time: iso(start),
    end_time: iso(start + len),
    duration_seconds: len,
    status: "completed",
    updated_at: new Date((start + len) * 1000 + 250).toISOString(),
  };
}
