/**
 * The Firefox build in a real Firefox (Debian's firefox-esr, driven over
 * WebDriver BiDi by puppeteer-core): the add-on is installed as a temporary
 * add-on, `worktimed install --browser firefox` writes Firefox's host
 * manifest in the test's HOME, and a pull request page opened in Firefox
 * becomes a session in the real worktimed's store.
 *
 * Firefox has no host resolver rules: it reaches the local HTTPS server as
 * github.com through a local proxy that answers every CONNECT with that
 * server (connectProxy), and accepts the server's certificate made for the
 * test (acceptInsecureCerts).
 */

import { createServer, type Server, connect } from "node:net";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session } from "../../src/lib/protocol.js";
import { binary, display, extensionRoot, Harness, useSuite, waitFor } from "./harness.js";

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

useSuite();

describe("the Firefox build → native host → store", () => {
  let h: Harness;
  let proxy: Server;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(firefoxPath)) throw new Error(`no Firefox at ${firefoxPath} (apt-get install -y firefox-esr; make setup does)`);
    h = new Harness(binary);
    await h.worktimed("install", "--browser", "firefox");
    await h.startGitHub();
    await h.startDaemon();
    proxy = await connectProxy(h.port);
    const proxyPort = (proxy.address() as AddressInfo).port;
    browser = await puppeteer.launch({
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
      },
    });
    const id = await browser.installExtension(firefoxDir);
    expect(id).toBe(FIREFOX_ID);
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

  it("tracks a pull request page and ends the session when the page is left", async () => {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.goto("https://github.com/octo/firefox/pull/17");
    await page.bringToFront();
    const started = await waitFor<Session>("an active session on octo/firefox#17", async () => {
      const list = await h.sessions();
      return list.find((s) => s.status === "active" && s.repo_owner === "octo" && s.repo_name === "firefox" && s.pr_number === 17);
    }, 60_000);
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
  });
});
