/**
 * Direct mode in a real browser: the extension in Debian's Chromium with no
 * companion installed signs in through its Settings page with GitHub's web
 * flow (chrome.identity.launchWebAuthFlow; the worker in local workerd,
 * worker/scripts/start-local.mjs, and GitHub's authorize page and token
 * exchange served by the GitHub fake), records into its queue and pushes to
 * the worker; the worker is stopped (offline) and started again on the same
 * D1 files, and the server's totals must equal the queue's exactly at each
 * step. Then the real companion is installed and takes over the session the
 * server has not received, signs in as the same user and syncs: every
 * session on both sides once.
 */

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Page, Worker } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS } from "../../src/lib/account.js";
import { binary, display, EXTENSION_ID, Harness, useSuite, waitFor } from "./harness.js";
import { FakeGitHub, LocalWorker } from "./servers.js";

const run = promisify(execFile);

const PR = (owner: string, repo: string, n: number) => `https://github.com/${owner}/${repo}/pull/${n}`;

interface ServerSession {
  id: string;
  repo_owner: string;
  pr_number: number;
  duration_seconds: number;
  status: string;
}

useSuite();

describe("direct mode: extension → queue → worker", () => {
  let h: Harness;
  let github: FakeGitHub;
  let worker: LocalWorker;
  let jwt = "";

  beforeAll(async () => {
    // No companion yet: no host manifest is written until the handover.
    h = new Harness(binary);
    github = new FakeGitHub();
    await github.start();
    // The worker's own defaults allow this extension (wrangler.jsonc's ALLOWED_ORIGINS).
    worker = new LocalWorker(path.join(h.dir, "worker"), { ...github.workerVars, JWT_SECRET: randomBytes(32).toString("hex") });
    await worker.start();
    // The OAuth app's callback URL is the worker's relay (docs/sync.md).
    await github.setCallbackURL(new URL("/auth/github/callback", worker.url).toString());
    await h.startGitHub();
    await h.launch(display.name);
  }, 600_000);

  afterAll(async () => {
    await worker?.stop();
    await github?.stop();
    await h?.dispose(); // the worker's files are in the harness's directory
  });

  const api = <T>(p: string): Promise<T> => worker.api<T>(p, jwt);

  const hook = (sw: Worker) => ({
    sink: () => sw.evaluate(() => (globalThis as any).worktime.sink() as string),
    tracking: () => sw.evaluate(() => (globalThis as any).worktime.tracker().tracking?.sessionId as string | undefined),
    pushNow: () => sw.evaluate(() => (globalThis as any).worktime.pushNow() as Promise<number>),
    state: () => sw.evaluate(() => (globalThis as any).worktime.directState() as Promise<{ pending: number; lastError: string }>),
    queue: () =>
      sw.evaluate(async (key) => (await chrome.storage.local.get(key))[key] as { sessions: { id: string; startedAt: number; endedAt: number | null; synced: boolean }[] }, KEYS.queue),
  });

  /** track spends about ms on a pull request, then leaves it; it returns the session id. */
  async function track(sw: Worker, page: Page, url: string, ms: number): Promise<string> {
    const w = hook(sw);
    await page.goto(url);
    const id = await waitFor(`a session on ${url}`, async () => (await w.tracking()) ?? undefined);
    await new Promise((r) => setTimeout(r, ms));
    await page.goto("https://github.com/octo/hello");
    await waitFor("the session to end", async () => ((await w.tracking()) === undefined ? true : undefined));
    return id;
  }

  it("signs in, tracks, goes offline, catches up exactly once, hands over to the companion", async () => {
    const sw = await h.serviceWorker();
    const w = hook(sw);
    // The companion is not installed and nobody is signed in: nothing records.
    await waitFor("the companion to be missing", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.connection().status)) === "not_installed" ? true : undefined,
    );
    expect(await w.sink()).toBe("none");

    // Sign in from Settings, as a user does.
    const settings = await h.context!.newPage();
    await settings.goto(`chrome-extension://${EXTENSION_ID}/options.html`);
    await settings.fill("#server", worker.url);
    const status = async (want: RegExp) => {
      let last = "";
      return waitFor(`Settings to say ${want}`, async () => {
        last = (await settings.locator("#direct-status").textContent()) ?? "";
        return want.test(last) ? last : undefined;
      }).catch((e: Error) => {
        throw new Error(`${e.message}; Settings say "${last}"`);
      });
    };
    // Denied at the browser's permission prompt: nothing is asked of the server.
    await h.answerPermissionPrompt("WorkTime settings", () => settings.click("#sign-in"), false);
    await status(/^WorkTime needs permission to reach the server to sign in\.$/);
    // Allowed, then cancelled on GitHub's page: GitHub's words, through the worker's relay.
    await github.deny();
    await h.answerPermissionPrompt("WorkTime settings", () => settings.click("#sign-in"), true);
    await status(/^The sign-in failed: GitHub refused the sign-in: The user has denied your application access\.\.?$/);
    expect(await settings.locator("#account-line").textContent()).toBe("Not signed in.");
    // Signed in to GitHub: the permission is granted already, so no prompt this time.
    await github.signIn("octo");
    await settings.click("#sign-in");
    await status(/^Signed in\.$/);
    expect(await settings.locator("#account-line").textContent()).toBe(`Signed in to ${worker.url} as octo.`);
    const stored = await sw.evaluate((k) => chrome.storage.local.get(k), KEYS.account);
    jwt = (stored[KEYS.account] as { jwt: string }).jwt;
    expect((await api<{ user: { login: string } }>("/api/me")).user.login).toBe("octo");
    await settings.close();
    await sw.evaluate(() => chrome.storage.local.set({ idleThresholdSeconds: 4 * 3600 }));
    await waitFor("direct mode", async () => ((await w.sink()) === "direct" ? true : undefined));

    // 1. Two sessions recorded online, pushed in one batch.
    const page = h.context!.pages()[0] ?? (await h.context!.newPage());
    const a = await track(sw, page, PR("octo", "hello", 1), 2_500);
    const b = await track(sw, page, PR("acme", "world", 2), 1_500);
    expect((await w.state()).pending).toBe(2);
    expect(await w.pushNow()).toBe(2);
    expect((await w.state()).pending).toBe(0);
    const q1 = await w.queue();
    const queued = (id: string) => {
      const s = q1.sessions.find((x) => x.id === id)!;
      return (s.endedAt! - s.startedAt) / 1000;
    };
    const list1 = await api<{ sessions: ServerSession[] }>("/api/sessions");
    expect(list1.sessions.map((s) => s.id).sort()).toEqual([a, b].sort());
    for (const s of list1.sessions) expect(s.duration_seconds).toBe(queued(s.id));
    const total1 = queued(a) + queued(b);
    expect((await api<{ today_seconds: number }>("/api/stats/daily?days=1")).today_seconds).toBe(total1);
    // A repeated push sends nothing: both are marked synced.
    expect(await w.pushNow()).toBe(0);

    // 2. Offline: the worker stops; the session stays queued and the push fails.
    await worker.stop();
    const c = await track(sw, page, PR("octo", "hello", 3), 2_000);
    expect(await w.pushNow()).toBe(0);
    const offline = await w.state();
    expect(offline.pending).toBe(1);
    expect(offline.lastError).not.toBe("");

    // 3. Back online on the same D1 files: after the backoff, exactly the missing session arrives.
    await worker.start();
    await sw.evaluate(() => (globalThis as any).worktime.advanceClock(61_000));
    expect(await w.pushNow()).toBe(1);
    expect((await w.state()).pending).toBe(0);
    // The clock back where the companion's is (it refuses times in its future).
    await sw.evaluate(() => (globalThis as any).worktime.advanceClock(-61_000));
    const q2 = await w.queue();
    const cs = q2.sessions.find((x) => x.id === c)!;
    const list2 = await api<{ sessions: ServerSession[] }>("/api/sessions");
    expect(list2.sessions.map((s) => s.id).sort()).toEqual([a, b, c].sort());
    const total3 = total1 + (cs.endedAt! - cs.startedAt) / 1000;
    expect((await api<{ today_seconds: number }>("/api/stats/daily?days=1")).today_seconds).toBe(total3);

    // The popup says direct mode, the account, nothing pending and the server's total.
    const popup = await h.context!.newPage();
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await popup.waitForSelector("body[data-ready=true]");
    expect(await popup.locator("#companion").textContent()).toBe("direct");
    expect(await popup.locator("#not-installed").isHidden()).toBe(true);
    expect(await popup.locator("#signed-in").textContent()).toBe(`octo on ${worker.url}`);
    expect(await popup.locator("#sync").getAttribute("data-pending")).toBe("0");
    expect(await popup.locator("#today").getAttribute("data-from")).toBe("server");
    expect(Number(await popup.locator("#today").getAttribute("data-seconds"))).toBe(total3);
    await popup.close();

    // 4. Offline again, one more session; then the companion is installed and takes it over.
    await worker.stop();
    const d = await track(sw, page, PR("octo", "hello", 4), 2_000);
    expect(await w.pushNow()).toBe(0);
    expect((await w.state()).pending).toBe(1);
    const ds = (await w.queue()).sessions.find((x) => x.id === d)!;
    h.installHost();
    await sw.evaluate(() => (globalThis as any).worktime.connect());
    await waitFor("the companion to take over", async () => ((await w.sink()) === "companion" ? true : undefined));
    await waitFor("the handover to empty the queue of unsynced sessions", async () => {
      const q = await w.queue();
      return q.sessions.some((x) => x.id === d) ? undefined : q;
    });
    // The companion holds exactly the handed-over session, at the queue's length.
    const local = await h.sessions();
    expect(local.map((s) => s.id)).toEqual([d]);
    expect(local[0]!.duration_seconds).toBe((ds.endedAt! - ds.startedAt) / 1000);
    expect(local[0]!.status).toBe("completed");
    // The synced ones stay in the queue (the companion pulls them); nothing is pushed twice.
    expect((await w.queue()).sessions.filter((x) => x.synced).map((x) => x.id).sort()).toEqual([a, b, c].sort());
    await worker.start();
    expect(await w.pushNow()).toBe(0);
    expect((await api<{ sessions: ServerSession[] }>("/api/sessions")).sessions.map((s) => s.id).sort()).toEqual([a, b, c].sort());
    expect((await api<{ today_seconds: number }>("/api/stats/daily?days=1")).today_seconds).toBe(total3);

    // 5. The companion signs in as the same GitHub user (the device flow) and
    //    syncs: it pushes the session it took over and pulls the three the
    //    extension pushed, so both hold all four, each once, at the same length.
    writeFileSync(
      path.join(h.worktimeHome, "config.toml"),
      `[sync]\nserver_url = ${JSON.stringify(worker.url)}\ngithub_client_id = ${JSON.stringify(FakeGitHub.clientId)}\n`,
    );
    await github.approveDevices("octo");
    const env = { ...h.env, WORKTIME_GITHUB_OAUTH_BASE: github.url };
    await run(h.binary, ["login"], { env, timeout: 60_000 });
    await run(h.binary, ["sync"], { env, timeout: 60_000 });
    const lengths = new Map([...q2.sessions, ds].map((x) => [x.id, (x.endedAt! - x.startedAt) / 1000]));
    const all = await h.sessions();
    expect(all.map((x) => x.id).sort()).toEqual([a, b, c, d].sort());
    for (const x of all) expect(x.duration_seconds, x.id).toBe(lengths.get(x.id));
    const server = (await api<{ sessions: ServerSession[] }>("/api/sessions")).sessions;
    expect(server.map((x) => x.id).sort()).toEqual([a, b, c, d].sort());
    for (const x of server) expect(x.duration_seconds, x.id).toBe(lengths.get(x.id));
    const total4 = total3 + lengths.get(d)!;
    expect((await api<{ today_seconds: number }>("/api/stats/daily?days=1")).today_seconds).toBe(total4);
    expect(await h.todaySeconds()).toBe(total4);

    // 6. Signing out in Settings revokes the extension's token on the server.
    const again = await h.context!.newPage();
    await again.goto(`chrome-extension://${EXTENSION_ID}/options.html`);
    await again.click("#sign-out");
    await waitFor("Settings to say signed out", async () => ((await again.locator("#direct-status").textContent()) === "Signed out." ? true : undefined));
    expect(await again.locator("#account-line").textContent()).toBe("Not signed in.");
    expect((await sw.evaluate((k) => chrome.storage.local.get(k), KEYS.account))[KEYS.account]).toBeUndefined();
    expect((await fetch(new URL("/api/me", worker.url), { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(401);
  });
});
