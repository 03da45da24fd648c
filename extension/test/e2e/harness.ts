/**
 * The end-to-end harness: a real worktimed built from this repository, a
 * temporary WORKTIME_HOME and HOME, a host manifest in a fresh Chromium
 * profile, a local HTTPS server that Chromium reaches as github.com, and
 * Debian's Chromium driven by playwright-core with the built extension.
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import { type BrowserContext, type Page, type Worker, chromium } from "playwright-core";
import type { Session } from "../../src/lib/protocol.js";

const run = promisify(execFile);

export const EXTENSION_ID = "bgjaichghhjgafncimbkcknkmplbcdmi";
export const extensionRoot = path.resolve(__dirname, "../..");
export const repoRoot = path.resolve(extensionRoot, "..");
export const unpackedDir = path.join(extensionRoot, "dist", "unpacked");
export const chromiumPath = process.env.WORKTIME_CHROMIUM ?? "/usr/bin/chromium";

/** waitFor polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs` with the last observation. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Everything one run of the scenario needs; dispose() removes it all. */
export class Harness {
  readonly dir: string;
  readonly home: string;
  readonly worktimeHome: string;
  readonly userDataDir: string;
  readonly binary: string;
  private server: Server | null = null;
  private daemon: ChildProcess | null = null;
  private daemonLog = "";
  context: BrowserContext | null = null;
  port = 0;
  private displayName = "";

  constructor(binary: string) {
    this.binary = binary;
    this.dir = mkdtempSync(path.join(tmpdir(), "worktime-e2e-"));
    this.home = path.join(this.dir, "home");
    this.worktimeHome = path.join(this.dir, "worktime");
    this.userDataDir = path.join(this.dir, "chromium-profile");
    for (const d of [this.home, this.worktimeHome, this.userDataDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, WORKTIME_HOME: this.worktimeHome };
  }

  /** worktimed runs the CLI with this harness's WORKTIME_HOME and returns its stdout. */
  async worktimed(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run(this.binary, args, { env: this.env, timeout: 20_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`worktimed ${args.join(" ")}: ${err.message}\n${err.stderr ?? ""}`);
    }
  }

  /** The sessions as `worktimed sessions --json` prints them, oldest first. */
  async sessions(): Promise<Session[]> {
    const out = JSON.parse(await this.worktimed("sessions", "--json"));
    const list: Session[] = Array.isArray(out) ? out : out.sessions;
    if (!Array.isArray(list)) throw new Error(`worktimed sessions --json: unexpected output ${JSON.stringify(out)}`);
    return [...list].sort((a, b) => a.start_time.localeCompare(b.start_time) || a.id.localeCompare(b.id));
  }

  async todaySeconds(): Promise<number> {
    const out = JSON.parse(await this.worktimed("stats", "--json"));
    if (typeof out.today_seconds !== "number") throw new Error(`worktimed stats --json: no today_seconds in ${JSON.stringify(out)}`);
    return out.today_seconds;
  }

  /** installHost writes the wrapper script and the host manifest into the Chromium profile. */
  installHost(): void {
    const wrapper = path.join(this.dir, "worktimed-host.sh");
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(
      wrapper,
      `#!/bin/sh\nWORKTIME_HOME=${q(this.worktimeHome)}\nHOME=${q(this.home)}\nexport WORKTIME_HOME HOME\nexec ${q(this.binary)} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const manifestDir = path.join(this.userDataDir, "NativeMessagingHosts");
    mkdirSync(manifestDir, { recursive: true });
    writeFileSync(
      path.join(manifestDir, "com.worktime.host.json"),
      JSON.stringify(
        {
          name: "com.worktime.host",
          description: "worktime companion",
          path: wrapper,
          type: "stdio",
          allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
        },
        null,
        2,
      ),
    );
  }

  /** startGitHub serves pull request pages over HTTPS with a certificate made now. */
  async startGitHub(): Promise<void> {
    const key = path.join(this.dir, "key.pem");
    const cert = path.join(this.dir, "cert.pem");
    await run("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=github.com",
      "-addext", "subjectAltName=DNS:github.com",
    ]);
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      const p = (req.url ?? "/").split("?")[0] ?? "/";
      const title = p.replace(/[^A-Za-z0-9/#._-]/g, "");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(`<!doctype html><title>${title}</title><h1>${title}</h1>`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** startDaemon runs `worktimed run` and waits until `worktimed status --json` answers through it. */
  async startDaemon(): Promise<void> {
    const d = spawn(this.binary, ["run", "-log-level", "debug"], { env: this.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.daemon = d;
    d.stdout?.on("data", (b: Buffer) => (this.daemonLog += b.toString()));
    d.stderr?.on("data", (b: Buffer) => (this.daemonLog += b.toString()));
    const exited = new Promise<never>((_, reject) =>
      d.once("exit", (code, sig) => reject(new Error(`worktimed run exited (${code ?? sig}):\n${this.daemonLog}`))),
    );
    const sock = path.join(this.worktimeHome, "worktimed.sock");
    await Promise.race([
      exited,
      waitFor("the daemon's socket and status", async () => {
        if (!existsSync(sock)) return undefined;
        await this.worktimed("status", "--json");
        return true;
      }),
    ]);
    exited.catch(() => {}); // later exits are checked by daemonRunning()
  }

  /** hostPids lists the worktimed processes Chromium started as native hosts for this harness. */
  hostPids(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^[0-9]+$/.test(entry)) continue;
      let argv: string[];
      try {
        argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      } catch {
        continue; // gone meanwhile
      }
      if (argv[0] === this.binary && argv[1] === `chrome-extension://${EXTENSION_ID}/`) pids.push(Number(entry));
    }
    return pids;
  }

  daemonRunning(): boolean {
    return this.daemon !== null && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }

  get daemonOutput(): string {
    return this.daemonLog;
  }

  /**
   * launch starts Chromium with the extension, github.com mapped to the local
   * server, in a real (virtual) display: headless Chromium reports every
   * window as focused, which makes window focus untestable.
   */
  async launch(display: string): Promise<BrowserContext> {
    this.displayName = display;
    const ctx = await chromium.launchPersistentContext(this.userDataDir, {
      executablePath: chromiumPath,
      headless: false,
      env: { ...process.env, HOME: this.home, DISPLAY: display },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--load-extension=${unpackedDir}`,
        `--disable-extensions-except=${unpackedDir}`,
        `--host-resolver-rules=MAP github.com 127.0.0.1:${this.port}`,
        "--ignore-certificate-errors",
        "--window-size=1200,800",
      ],
    });
    this.context = ctx;
    return ctx;
  }

  /**
   * answerPermissionPrompt runs click, which makes an extension page of the
   * window titled `title` call chrome.permissions.request, and answers
   * Chromium's prompt from the keyboard as a user does: it opens with Deny
   * focused, so Tab then Return allows and Return alone denies. The prompt
   * is drawn inside the browser's own X window (no window of its own, and
   * the page cannot see it), so it is told apart by what it changes in the
   * window (the page dims: tens of thousands of pixels against the few
   * hundred of a focus ring), and answered once two shots in a row agree.
   */
  async answerPermissionPrompt(title: string, click: () => Promise<void>, allow: boolean): Promise<void> {
    const env = { ...process.env, DISPLAY: this.displayName };
    const win = await waitFor(`the window "${title}"`, async () => {
      const { stdout } = await run("xdotool", ["search", "--onlyvisible", "--name", title], { env }).catch(() => ({ stdout: "" }));
      return stdout.split("\n")[0]?.trim() || undefined;
    });
    const shot = async (name: string) => {
      const f = path.join(this.dir, `prompt-${name}.png`);
      await run("import", ["-window", win, f], { env });
      return f;
    };
    // compare prints the number of differing pixels on stderr (and exits 1 when there are any).
    const diff = async (a: string, b: string) => {
      const { stderr } = await run("compare", ["-metric", "AE", "-fuzz", "10%", a, b, "null:"], { env }).catch((e: { stderr?: string }) => ({ stderr: e.stderr ?? "" }));
      return Number.parseFloat(stderr);
    };
    const before = await shot("before");
    await click();
    let last = "";
    await waitFor("the permission prompt", async () => {
      last = await shot(`after-${Date.now()}`);
      return (await diff(before, last)) > 5_000 ? true : undefined;
    }, 20_000, 250);
    // The prompt fades in, dimming the page; keys sent before it settles are lost.
    await waitFor("the permission prompt to settle", async () => {
      const next = await shot(`settled-${Date.now()}`);
      const moved = await diff(last, next);
      last = next;
      return moved < 100 ? true : undefined;
    }, 20_000, 150);
    const keys = allow ? ["key", "Tab", "key", "Return"] : ["key", "Return"];
    await run("xdotool", ["windowfocus", "--sync", win, ...keys], { env });
  }

  /** openPopup opens the popup in a window that does not take focus, so the pull request keeps it, and waits until it has loaded. */
  async openPopup(sw: Worker): Promise<Page> {
    const ctx = this.context;
    if (ctx === null) throw new Error("harness: the browser is not running");
    const opened = ctx.waitForEvent("page");
    await sw.evaluate(
      (url) => chrome.windows.create({ url, focused: false }).then(() => undefined),
      `chrome-extension://${EXTENSION_ID}/popup.html`,
    );
    const popup = await opened;
    await popup.waitForSelector("body[data-ready=true]");
    return popup;
  }

  async serviceWorker(): Promise<Worker> {
    const ctx = this.context;
    if (ctx === null) throw new Error("harness: the browser is not running");
    const existing = ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`));
    if (existing) return existing;
    return ctx.waitForEvent("serviceworker", {
      predicate: (w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`),
      timeout: 20_000,
    });
  }

  /** browserPid is the pid of Chromium's browser process for this harness's profile. */
  browserPid(): number {
    for (const entry of readdirSync("/proc")) {
      if (!/^[0-9]+$/.test(entry)) continue;
      let argv: string[];
      try {
        argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      } catch {
        continue; // gone meanwhile
      }
      if (argv.includes(`--user-data-dir=${this.userDataDir}`) && !argv.some((a) => a.startsWith("--type="))) return Number(entry);
    }
    throw new Error(`harness: no browser process for ${this.userDataDir}`);
  }

  /** terminateBrowser sends SIGTERM to Chromium (as a logout or shutdown does) and waits until it is gone. */
  async terminateBrowser(): Promise<void> {
    const ctx = this.context;
    if (ctx === null) throw new Error("harness: the browser is not running");
    const closed = new Promise<void>((resolve) => ctx.once("close", () => resolve()));
    process.kill(this.browserPid(), "SIGTERM");
    await closed;
    this.context = null;
  }

  async closeBrowser(): Promise<void> {
    const ctx = this.context;
    this.context = null;
    if (ctx !== null) await ctx.close();
  }

  async stopDaemon(): Promise<void> {
    const d = this.daemon;
    this.daemon = null;
    if (d === null || d.exitCode !== null || d.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => d.once("exit", () => resolve()));
    d.kill("SIGTERM");
    const timer = setTimeout(() => d.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.closeBrowser().catch(() => {});
    await this.stopDaemon().catch(() => {});
    const server = this.server;
    this.server = null;
    if (server !== null) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The toolbar badge as Chromium shows it. */
export interface ToolbarBadge {
  text: string;
  color: number[];
  title: string;
}

/** readBadge reads the toolbar badge through chrome.action in the service worker. */
export async function readBadge(sw: Worker): Promise<ToolbarBadge> {
  return sw.evaluate(async () => ({
    text: await chrome.action.getBadgeText({}),
    color: await chrome.action.getBadgeBackgroundColor({}),
    title: await chrome.action.getTitle({}),
  }));
}

/** waitBadge waits until the badge's text is `text` and its title matches `title`, and returns it. */
export function waitBadge(sw: Worker, text: string, title: RegExp): Promise<ToolbarBadge> {
  let last: ToolbarBadge | undefined;
  return waitFor(`the badge "${text}" ${title}`, async () => {
    last = await readBadge(sw);
    return last.text === text && title.test(last.title) ? last : undefined;
  }).catch((e: Error) => {
    throw new Error(`${e.message}; last badge ${JSON.stringify(last)}`);
  });
}

/**
 * The worktimed binary and the display of a test file, set by useSuite's
 * beforeAll (ES module bindings are live: importers see the values once set).
 */
export let binary = "";
export let display: Display;

/**
 * useSuite registers the hooks every browser test file needs: build the real
 * worktimed once for the file (or take WORKTIME_E2E_BINARY, one already
 * built from this tree) and start a display, then remove both afterwards.
 */
export function useSuite(): void {
  let binDir = "";
  beforeAll(async () => {
    binDir = mkdtempSync(path.join(tmpdir(), "worktime-e2e-bin-"));
    binary = process.env.WORKTIME_E2E_BINARY || (await buildWorktimed(binDir));
    display = await startDisplay();
  }, 900_000);
  afterAll(async () => {
    await display?.stop();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });
}

/** What a describe block's Chromium starts with. */
export interface ChromiumSetup {
  /** files written into WORKTIME_HOME first, by name (config.toml, a damaged worktime.db…) */
  files?: Record<string, string>;
  /** the host manifest in the profile: the companion is installed (default true) */
  host?: boolean;
  /** `worktimed run` as well (default false) */
  daemon?: boolean;
}

/**
 * useChromium gives a describe block its own harness: the files, the host
 * manifest, the pages server, the daemon when asked and Chromium, started
 * before the block's tests and removed after them. The block's tests get
 * the harness from the function it returns.
 */
export function useChromium(setup: ChromiumSetup = {}): () => Harness {
  let h: Harness | null = null;
  beforeAll(async () => {
    h = new Harness(binary);
    for (const [name, body] of Object.entries(setup.files ?? {})) writeFileSync(path.join(h.worktimeHome, name), body);
    if (setup.host ?? true) h.installHost();
    await h.startGitHub();
    if (setup.daemon) await h.startDaemon();
    await h.launch(display.name);
  });
  afterAll(async () => {
    await h?.dispose();
  });
  return () => {
    if (h === null) throw new Error("harness: used outside the tests of its block");
    return h;
  };
}

/** buildWorktimed builds the real binary from this repository into dir. */
export async function buildWorktimed(dir: string): Promise<string> {
  const out = path.join(dir, "worktimed");
  await run("go", ["build", "-o", out, "./cmd/worktimed"], {
    cwd: repoRoot,
    env: { ...process.env, CGO_ENABLED: "0" },
    timeout: 600_000,
    maxBuffer: 16 << 20,
  });
  return out;
}

/** A display for Chromium: $DISPLAY when set, else an Xvfb started here. */
export interface Display {
  name: string;
  stop(): Promise<void>;
}

export async function startDisplay(): Promise<Display> {
  if (process.env.DISPLAY) return { name: process.env.DISPLAY, stop: async () => {} };
  // -displayfd makes Xvfb pick a free display and write its number on fd 3.
  const x = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    detached: true,
  });
  let err = "";
  x.stderr?.on("data", (b: Buffer) => (err += b.toString()));
  const num = await new Promise<string>((resolve, reject) => {
    let out = "";
    x.once("error", (e) => reject(new Error(`Xvfb: ${e.message} (apt-get install -y xvfb)`)));
    x.once("exit", (code) => reject(new Error(`Xvfb exited (${code}): ${err}`)));
    const fd3 = x.stdio[3] as NodeJS.ReadableStream;
    fd3.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
  });
  return {
    name: `:${num}`,
    stop: async () => {
      if (x.exitCode !== null || x.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => x.once("exit", () => resolve()));
      x.kill("SIGTERM");
      await exited;
    },
  };
}
