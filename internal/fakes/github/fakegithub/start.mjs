// Starts the GitHub fake (this directory's command) from Node, for the
// tests written in TypeScript: the worker's vitest suite and the extension's
// browser tests. It builds the command with `go build` (Go must be on PATH),
// runs it on 127.0.0.1 and resolves once it prints FAKE_GITHUB_URL.
//
// The child's stdin stays an open pipe: the fake ends when it closes, that
// is when the Node process that started it ends, however it ends; stop()
// ends it sooner.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** startFakeGitHub builds and starts the fake for one OAuth app; see start.d.mts. */
export async function startFakeGitHub({ clientId, clientSecret, callbackUrl }) {
  const dir = mkdtempSync(join(tmpdir(), "worktime-fakegithub-"));
  const bin = join(dir, "fakegithub");
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await promisify(execFile)("go", ["build", "-o", bin, "./internal/fakes/github/fakegithub"], { cwd: repoRoot, env: { ...process.env, CGO_ENABLED: "0" } });
  } catch (err) {
    cleanup();
    throw new Error(`build the GitHub fake (go build ./internal/fakes/github/fakegithub; Go must be on PATH): ${err.stderr || err.message}`);
  }
  const args = ["-client-id", clientId, "-client-secret", clientSecret];
  if (callbackUrl) args.push("-callback-url", callbackUrl);
  const child = spawn(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
  const onExit = () => {
    child.kill();
    cleanup();
  };
  process.once("exit", onExit);
  const url = await new Promise((resolveURL, reject) => {
    let out = "";
    const fail = (why) => reject(new Error(`start the GitHub fake: ${why}${out ? `; it printed ${JSON.stringify(out)}` : ""}`));
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`it exited (${signal ?? code}) before printing FAKE_GITHUB_URL`));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^FAKE_GITHUB_URL=(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
      if (m) resolveURL(m[1]);
    });
  }).catch((err) => {
    process.off("exit", onExit);
    onExit();
    throw err;
  });
  // Neither the child nor its pipes keep Node alive.
  child.unref();
  child.stdin.unref();
  child.stdout.unref();
  return {
    url,
    async stop() {
      process.off("exit", onExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      cleanup();
    },
  };
}
