/**
 * The Firefox build in a real Firefox (Debian's firefox-esr, driven over
 * WebDriver BiDi by puppeteer-core): the add-on is installed as a temporary
 * add-on, `worktimed install --browser firefox` writes Firefox's host
 * manifest in the test's HOME, and a pull request page opened in Firefox
 * becomes a session in the real worktimed's store. Without the companion,
 * the add-on signs in from its Settings page with GitHub's web flow
 * (identity.launchWebAuthFlow, the worker in local workerd and the GitHub
 * fake) and pushes what it records to the worker.
 *
 * Firefox has no host resolver rules: it reaches the local HTTPS server as
 * github.com through a local proxy that answers every CONNECT with that
 * server (connectProxy), and accepts the server's certificate made for the
 * test (acceptInsecureCerts).
 */

import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server, connect } from "node:net";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS } from "../../src/lib/account.js";
import type { Session } from "../../src/lib/protocol.js";
import { binary, display, extensionRoot, Harness, useSuite, waitFor } from "./harness.js";
import { FakeGitHub, LocalWorker } from "./servers.js";

const run = promisify(execFile);

export const firefoxPath = process.env.WORKTIME_FIREFOX ?? "/usr/bin/firefox-esr";
const firefoxDir = path.join(extensionRoot, "dist", "firefox");
const FIREFOX_ID = "worktime@worktime.dev";

/** connectProxy answers every HTTP CONNECT with a tunnel to 127.0.0.1:port. */
async function connectProxy(port: number): Promise<Server> {
  const proxy = createServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      if (!head.subarray(0, 8).toString("latin1").startsWith("CONNECT ")) {
        client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
        return;
      }
      const upstream = connect(port, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject);
    proxy.listen(0, "127.0.0.1", () => resolve());
  });
  return proxy;
}

/**
 * launchFirefox starts Firefox for h with github.com behind the CONNECT
 * proxy, installs the add-on and returns the browser and the proxy.
 * extensionUuid fixes the add-on's moz-extension:// host (Firefox's
 * extensions.webextensions.uuids preference), so that its pages can be opened.
 */
async function launchFirefox(h: Harness, extensionUuid: string, prefs: Record<string, unknown> = {}): Promise<{ browser: Browser; proxy: Server }> {
  if (!existsSync(firefoxPath)) throw new Error(`no Firefox at ${firefoxPath} (apt-get install -y firefox-esr; make setup does)`);
  const proxy = await connectProxy(h.port);
  const proxyPort = (proxy.address() as AddressInfo).port;
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: firefoxPath,
    headless: false, // under Xvfb: window focus is part of what is tested
    acceptInsecureCerts: true,
    userDataDir: path.join(h.dir, "firefox-profile"),
    env: { ...process.env, HOME: h.home, WORKTIME_HOME: h.worktimeHome, DISPLAY: display.name },
    extraPrefsFirefox: {
      "network.proxy.type": 1,
      "network.proxy.ssl": "127.0.0.1",
      "network.proxy.ssl_port": proxyPort,
      "network.proxy.no_proxies_on": "",
      "network.proxy.allow_hijacking_localhost": true,
      "network.dns.disableIPv6": true,
      "browser.startup.homepage_override.mstone": "ignore",
      "datareporting.policy.dataSubmissionEnabled": false,
      "extensions.webextensions.uuids": JSON.stringify({ [FIREFOX_ID]: extensionUuid }),
      ...prefs,
    },
  });
  const id = await browser.installExtension(firefoxDir);
  expect(id).toBe(FIREFOX_ID);
  return { browser, proxy };
}

/**
 * openExtensionPage opens moz-extension://<uuid>/<file> in page as a user
 * does, from the address bar: WebDriver BiDi refuses to navigate to an
 * add-on's pages ("not allowed in this context"), and no web page may.
 * Once there, the page is driven and read through BiDi as any other.
 */
async function openExtensionPage(page: Page, uuid: string, file: string, title: string): Promise<void> {
  await page.bringToFront();
  const env = { ...process.env, DISPLAY: display.name };
  const { stdout } = await run("xdotool", ["search", "--onlyvisible", "--class", "firefox"], { env });
  const win = stdout.trim().split("\n")[0]!;
  await run("xdotool", ["windowfocus", "--sync", win, "key", "ctrl+l", "type", "--delay", "5", `moz-extension://${uuid}/${file}`], { env });
  await run("xdotool", ["key", "Return"], { env });
  await waitFor(`the add-on's ${file}`, async () => ((await page.title()) === title ? true : undefined));
}

useSuite();

describe("the Firefox build → native host → store", () => {
  let h: Harness;
  let proxy: Server;
  let browser: Browser;
  const uuid = randomUUID();

  beforeAll(async () => {
    h = new Harness(binary);
    await h.worktimed("install", "--browser", "firefox");
    await h.startGitHub();
    await h.startDaemon();
    ({ browser, proxy } = await launchFirefox(h, uuid));
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await h?.dispose();
  });

  it("worktimed installed Firefox's host manifest for the add-on", () => {
    const manifest = JSON.parse(readFileSync(path.join(h.home, ".mozilla", "native-messaging-hosts", "com.worktime.host.json"), "utf8"));
    expect(manifest.allowed_extensions).toContain(FIREFOX_ID);
    expect(manifest.type).toBe("stdio");
    expect(existsSync(manifest.path), manifest.path).toBe(true);
  });

  it("tracks a pull request page, shows it on the badge and in the popup, and ends the session when the page is left", async () => {
    // The popup's page in the first tab reads the toolbar badge through
    // browser.action while the pull request is the active tab of the window.
    const popup = (await browser.pages())[0] ?? (await browser.newPage());
    await openExtensionPage(popup, uuid, "popup.html", "WorkTime");
    const badge = () =>
      popup.evaluate(async () => {
        const action = (globalThis as any).browser.action;
        return { text: (await action.getBadgeText({})) as string, title: (await action.getTitle({})) as string };
      });
    const page = await browser.newPage();
    await page.goto("https://github.com/octo/firefox/pull/17");
    await page.bringToFront();
    const started = await waitFor<Session>("an active session on octo/firefox#17", async () => {
      const list = await h.sessions();
      return list.find((s) => s.status === "active" && s.repo_owner === "octo" && s.repo_name === "firefox" && s.pr_number === 17);
    }, 60_000);
    await waitFor("the tracking badge", async () => {
      const b = await badge();
      return b.text === "0m" && b.title === "WorkTime: tracking octo/firefox#17 for 0 min" ? b : undefined;
    });
    await new Promise((r) => setTimeout(r, 2_500));
    await page.goto("https://github.com/octo/firefox");
    const ended = await waitFor<Session>("the session to end on leaving the pull request", async () => {
      const list = await h.sessions();
      const s = list.find((x) => x.id === started.id);
      return s && s.status !== "active" ? s : undefined;
    }, 30_000);
    expect(ended.status).toBe("completed");
    expect(ended.duration_seconds).toBeGreaterThanOrEqual(2);
    expect((await h.sessions()).filter((s) => s.status === "active")).toEqual([]);
    await waitFor("the badge to clear", async () => {
      const b = await badge();
      return b.text === "" && b.title === "WorkTime: not on a pull request" ? b : undefined;
    });
    // The popup, loaded again, shows the companion connected and the store's total.
    await popup.evaluate(() => location.reload());
    await waitFor("the popup to load", async () => ((await popup.$("body[data-ready=true]")) !== null ? true : undefined));
    expect(await popup.$eval("#companion", (e) => e.getAttribute("data-status"))).toBe("connected");
    expect(Number(await popup.$eval("#today", (e) => e.getAttribute("data-seconds")))).toBe(await h.todaySeconds());
  });
});

describe("the Firefox build without the companion: GitHub sign-in → queue → worker", () => {
  let h: Harness;
  let proxy: Server;
  let browser: Browser;
  let github: FakeGitHub;
  let worker: LocalWorker;
  const uuid = randomUUID();

  beforeAll(async () => {
    h = new Harness(binary); // no host manifest: the companion is not installed
    github = new FakeGitHub();
    await github.start();
    // The worker's defaults allow the add-on's Firefox redirect URI (wrangler.jsonc).
    worker = new LocalWorker(path.join(h.dir, "worker"), { ...github.workerVars, JWT_SECRET: randomBytes(32).toString("hex") });
    await worker.start();
    await github.setCallbackURL(new URL("/auth/github/callback", worker.url).toString());
    await github.signIn("fox");
    await h.startGitHub();
    // Mozilla's own test preference: permissions.request() is granted
    // without its doorhanger, which WebDriver cannot answer.
    ({ browser, proxy } = await launchFirefox(h, uuid, { "extensions.webextOptionalPermissionPrompts": false }));
  }, 600_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await worker?.stop();
    await github?.stop();
    await h?.dispose();
  });

  it("signs in with GitHub from Settings and pushes a tracked pull request exactly once", async () => {
    const settings = (await browser.pages())[0] ?? (await browser.newPage());
    await openExtensionPage(settings, uuid, "options.html", "WorkTime settings");
    await settings.type("#server", worker.url);
    await settings.click("#sign-in");
    await waitFor("Settings to say signed in", async () => {
      const t = await settings.$eval("#direct-status", (e) => e.textContent ?? "");
      if (t.startsWith("The sign-in") || t.startsWith("WorkTime needs")) throw new Error(t);
      return t === "Signed in." ? t : undefined;
    }, 60_000);
    expect(await settings.$eval("#account-line", (e) => e.textContent)).toBe(`Signed in to ${worker.url} as fox.`);
    // The background page's debugging hook (background.ts), as the Chromium
    // tests reach it in the service worker; JSON carries its reply across.
    const bg = <T>(f: "sink" | "tracker" | "pushNow" | "connection") =>
      settings.evaluate(async (name) => {
        const page = await (globalThis as any).browser.runtime.getBackgroundPage();
        return JSON.stringify((await page.worktime[name]()) ?? null);
      }, f).then((s) => JSON.parse(s) as T);
    // Firefox's word for the missing companion ("No such native application") is understood.
    expect((await bg<{ status: string }>("connection")).status).toBe("not_installed");
    await waitFor("direct mode", async () => ((await bg<string>("sink")) === "direct" ? true : undefined));
    const jwt = await settings.evaluate(async (k) => ((await (globalThis as any).browser.storage.local.get(k))[k] as { jwt: string }).jwt, KEYS.account);

    const page = await browser.newPage();
    await page.goto("https://github.com/octo/firefox/pull/21");
    await page.bringToFront();
    type Tracker = { tracking: { sessionId: string } | null };
    const id = await waitFor("a session on octo/firefox#21", async () => (await bg<Tracker>("tracker")).tracking?.sessionId, 60_000);
    await new Promise((r) => setTimeout(r, 2_500));
    await page.goto("https://github.com/octo/firefox");
    await waitFor("the session to end", async () => ((await bg<Tracker>("tracker")).tracking ? undefined : true), 30_000);
    await settings.bringToFront();
    expect(await bg<number>("pushNow")).toBe(1);
    expect(await bg<number>("pushNow")).toBe(0);
    const queued = await settings.evaluate(async (k) => ((await (globalThis as any).browser.storage.local.get(k))[k] as { sessions: { id: string; startedAt: number; endedAt: number; synced: boolean }[] }).sessions, KEYS.queue);
    const q = queued.find((s) => s.id === id)!;
    expect(q.synced).toBe(true);
    const list = await worker.api<{ sessions: { id: string; repo_name: string; pr_number: number; duration_seconds: number }[] }>("/api/sessions", jwt);
    expect(list.sessions.map((s) => [s.id, s.repo_name, s.pr_number])).toEqual([[id, "firefox", 21]]);
    expect(list.sessions[0]!.duration_seconds).toBe((q.endedAt - q.startedAt) / 1000);
    expect(list.sessions[0]!.duration_seconds).toBeGreaterThanOrEqual(2);
  });
});
