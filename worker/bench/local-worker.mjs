// Shared by the benchmarks: the worker started with start-local.mjs, and
// UUIDv7-shaped ids.
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
