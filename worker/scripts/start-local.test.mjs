// Tests of start-local.mjs with node's test runner: it starts the real worker
// in workerd, prints one URL line, serves, and stops cleanly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const scriptsDir = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(scriptsDir, "start-local.mjs");
const workerDir = path.dirname(scriptsDir);

function start(args, { cwd = workerDir } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  const lines = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (l) => {
      lines.push(l);
      const m = /^WORKTIME_WORKER_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(l);
      if (m) resolve(m[1]);
    });
    exited.then((e) => reject(new Error(`exited ${JSON.stringify(e)} before ready: ${stderr}`)));
  });
  return { child, url, exited, lines, stderr: () => stderr };
}

async function devLogin(base, login) {
  return fetch(`${base}/auth/dev/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login }) });
}

async function isClosed(base) {
  try {
    await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

test("prints one URL line, serves the API with the given vars, stops on SIGTERM", async () => {
  const w = start(["--var", "DEV_LOGIN=1", "--var", "JWT_TTL_SECONDS=120"]);
  const base = await w.url;
  assert.equal((await fetch(`${base}/health`)).status, 200);
  const res = await devLogin(base, "alice");
  assert.equal(res.status, 200);
  const { jwt } = await res.json();
  const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
  assert.equal(claims.exp - claims.iat, 120);
  const push = await fetch(`${base}/api/sync/push`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ device_id: "d", sessions: [] }),
  });
  assert.equal(push.status, 200);
  w.child.kill("SIGTERM");
  const e = await w.exited;
  // Miniflare's own signal hook stops workerd and exits with 128+15.
  assert.ok(e.code === 0 || e.code === 143, `exit ${JSON.stringify(e)}`);
  assert.deepEqual(w.lines, [`WORKTIME_WORKER_URL=${base}`]);
  assert.ok(await isClosed(base), "workerd still answers after stop");
});

test("dev login is off unless DEV_LOGIN=1; stops when stdin closes; any cwd works", async () => {
  const w = start([], { cwd: "/" });
  const base = await w.url;
  assert.equal((await devLogin(base, "bob")).status, 404);
  w.child.stdin.end();
  const e = await w.exited;
  assert.equal(e.code, 0);
  assert.ok(await isClosed(base));
});

test("--persist-to keeps D1 across restarts and --port is honoured", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "worktime-persist-"));
  try {
    const secret = "persist-secret-0123456789abcdef";
    const first = start(["--persist-to", dir, "--var", "DEV_LOGIN=1", "--var", `JWT_SECRET=${secret}`]);
    const base1 = await first.url;
    const id1 = (await (await devLogin(base1, "carol")).json()).user.id;
    first.child.kill("SIGINT");
    await first.exited;

    const port = Number(new URL(base1).port);
    const second = start(["--persist-to", dir, "--port", String(port), "--var", "DEV_LOGIN=1", "--var", `JWT_SECRET=${secret}`]);
    const base2 = await second.url;
    assert.equal(base2, base1);
    const again = await (await devLogin(base2, "dave")).json();
    assert.equal(again.user.id, id1 + 1, "the second run continued the first run's users table");
    second.child.kill("SIGTERM");
    await second.exited;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("--shards binds that many migrated D1 databases and spreads users over them", async () => {
  const w = start(["--shards", "3", "--var", "DEV_LOGIN=1"]);
  const base = await w.url;
  const shards = new Set();
  for (let i = 0; i < 24; i++) {
    const res = await devLogin(base, `shard-user-${i}`);
    assert.equal(res.status, 200);
    const { jwt } = await res.json();
    const { shard } = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
    shards.add(shard);
    // Each shard is migrated: the user's requests work there.
    const me = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${jwt}` } });
    assert.equal(me.status, 200);
  }
  assert.deepEqual([...shards].sort(), [0, 1, 2]);
  w.child.kill("SIGTERM");
  await w.exited;
});

test("refuses bad arguments with exit code 2", async () => {
  for (const args of [["--port", "x"], ["--var", "NOEQUALS"], ["--bogus"], ["--shards", "0"], ["--shards", "65"]]) {
    const w = start(args);
    w.url.catch(() => {});
    const e = await w.exited;
    assert.equal(e.code, 2, `${args.join(" ")}: ${w.stderr()}`);
  }
});
