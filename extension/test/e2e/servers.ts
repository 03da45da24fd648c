/**
 * The servers a direct-mode test talks to, as processes: the worker in
 * local workerd (worker/scripts/start-local.mjs) and the GitHub fake
 * (internal/fakes/github/fakegithub, the project's one stand-in for GitHub,
 * started by its own start.mjs as the worker's tests start it). Each prints
 * its URL on one line when it is ready and stops on SIGTERM.
 */

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type FakeGitHubProcess, startFakeGitHub } from "../../../internal/fakes/github/fakegithub/start.mjs";
import { repoRoot } from "./harness.js";

/** startProcess runs a server and resolves with the value of its `NAME=` line on stdout. */
async function startProcess(cmd: string, args: string[], name: string): Promise<{ proc: ChildProcess; url: string }> {
  const p = spawn(cmd, args, {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  let out = "";
  p.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    p.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = new RegExp(`${name}=(\\S+)`).exec(out);
      if (m) resolve(m[1]!);
    });
    p.once("exit", (code) => reject(new Error(`${path.basename(args[0] ?? cmd)} exited (${code}):\n${out}`)));
  });
  return { proc: p, url };
}

async function stopProcess(p: ChildProcess | null): Promise<void> {
  if (p === null || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  p.kill("SIGTERM");
  await exited;
}

/** A worker in local workerd on fixed D1 files, so that a restart keeps the data and the port. */
export class LocalWorker {
  private proc: ChildProcess | null = null;
  url = "";
  private port = 0;

  constructor(
    private readonly persist: string,
    private readonly vars: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    const args = [path.join(repoRoot, "worker", "scripts", "start-local.mjs"), "--port", String(this.port), "--persist-to", this.persist];
    for (const [k, v] of Object.entries(this.vars)) args.push("--var", `${k}=${v}`);
    const { proc, url } = await startProcess(process.execPath, args, "WORKTIME_WORKER_URL");
    this.proc = proc;
    this.url = url;
    this.port = Number(new URL(url).port);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await stopProcess(p);
  }

  /** api GETs path with a token and returns the JSON reply, failing on any status but 200. */
  async api<T>(p: string, jwt: string): Promise<T> {
    const res = await fetch(new URL(p, this.url), { headers: { authorization: `Bearer ${jwt}` } });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}

/** The GitHub fake as a process; the browser's sign-in goes through its authorize page. */
export class FakeGitHub {
  private proc: FakeGitHubProcess | null = null;
  url = "";
  static readonly clientId = "Iv1.worktime-e2e";
  static readonly clientSecret = "e2e-client-secret";

  /** start builds the fake from this repository and runs it. */
  async start(): Promise<void> {
    this.proc = await startFakeGitHub({ clientId: FakeGitHub.clientId, clientSecret: FakeGitHub.clientSecret });
    this.url = this.proc.url;
  }

  /** workerVars point a worker's GitHub settings at this fake. */
  get workerVars(): Record<string, string> {
    return {
      GITHUB_OAUTH_BASE: this.url,
      GITHUB_API_BASE: this.url,
      GITHUB_CLIENT_ID: FakeGitHub.clientId,
      GITHUB_CLIENT_SECRET: FakeGitHub.clientSecret,
    };
  }

  private async control(p: string, body: string): Promise<void> {
    const res = await fetch(new URL(p, this.url), { method: "POST", body });
    if (!res.ok) throw new Error(`fake GitHub ${p}: ${res.status} ${await res.text()}`);
  }

  /** setCallbackURL registers the OAuth app's authorization callback URL. */
  setCallbackURL(u: string): Promise<void> {
    return this.control("/_fake/callback-url", u);
  }

  /** signIn: the browser is signed in to GitHub as login and approves the app. */
  signIn(login: string): Promise<void> {
    return this.control("/_fake/sign-in", login);
  }

  /** approveDevices: from now on the user enters every device flow code as login (the companion's sign-in). */
  approveDevices(login: string): Promise<void> {
    return this.control("/_fake/approve-devices", login);
  }

  /** deny: the user cancels on GitHub's authorize page. */
  deny(): Promise<void> {
    return this.control("/_fake/deny", "");
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await p?.stop();
  }
}
