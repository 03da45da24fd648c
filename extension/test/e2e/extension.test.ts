/**
 * The whole chain in a real browser: the extension in Debian's Chromium →
 * native messaging → the real worktimed (host mode) → SQLite, checked
 * through `worktimed sessions --json` and `worktimed stats --json`, once with
 * the daemon running and once without it.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/lib/format.js";
import type { Session } from "../../src/lib/protocol.js";
import { EXTENSION_ID, useChromium, useSuite, waitBadge, waitFor } from "./harness.js";

const PR = (owner: string, repo: string, n: number, sub = "") => `https://github.com/${owner}/${repo}/pull/${n}${sub}`;
const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

useSuite();

const active = (list: Session[]) => list.filter((s) => s.status === "active");

const GREEN = [0x1a, 0x7f, 0x37, 255];
const GREY = [0x6e, 0x77, 0x81, 255];
const RED = [0xcf, 0x22, 0x2e, 255];
const ORANGE = [0xbc, 0x4c, 0x00, 255];
const ended = (s: Session | undefined) => s !== undefined && s.status !== "active" && s.end_time !== null;

describe.each([
  ["with the daemon running", true],
  ["with the daemon down", false],
])("extension → native host → store, %s", (_name, withDaemon) => {
  const harness = useChromium({ daemon: withDaemon });

  /** The single active session once it is the one for owner/repo#n, and the whole list. */
  async function waitActive(owner: string, repo: string, n: number): Promise<[Session, Session[]]> {
    return waitFor(`an active session on ${owner}/${repo}#${n}`, async () => {
      const list = await harness().sessions();
      const a = active(list);
      if (a.length === 1 && a[0]!.repo_owner === owner && a[0]!.repo_name === repo && a[0]!.pr_number === n) {
        return [a[0]!, list] as [Session, Session[]];
      }
      return undefined;
    });
  }

  async function waitNoneActive(what: string): Promise<Session[]> {
    return waitFor(what, async () => {
      const list = await harness().sessions();
      return active(list).length === 0 ? list : undefined;
    });
  }

  it("tracks pull requests through focus, navigation, idle, the popup, pause, a host crash and closing the browser", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    expect(sw.url()).toBe(`chrome-extension://${EXTENSION_ID}/background.js`);
    await waitFor("the extension to connect to the companion", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.connection().status)) === "connected" ? true : undefined,
    );

    // The machine's real idle detection must not interfere: idle is injected below.
    await sw.evaluate(() => chrome.storage.local.set({ idleThresholdSeconds: 4 * 3600 }));
    await waitFor("the idle threshold to apply", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.tracker().idleThresholdSeconds)) === 4 * 3600 ? true : undefined,
    );

    // 1. Opening a pull request starts a session with its owner, repo and number.
    const page1: Page = ctx.pages()[0] ?? (await ctx.newPage());
    await page1.goto(PR("octo", "hello", 1));
    const [s1] = await waitActive("octo", "hello", 1);
    expect(s1.id).toMatch(UUID7);
    // The id is the one the extension minted and sent as session_id.
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking?.sessionId)).toBe(s1.id);
    expect(s1.end_time).toBeNull();
    // The toolbar badge counts the session's minutes.
    const tracking = await waitBadge(sw, "0m", /^WorkTime: tracking octo\/hello#1 for 0 min$/);
    expect(tracking.color).toEqual(GREEN);
    expect(await sw.evaluate(() => (globalThis as any).worktime.badge().icon)).toBe("active");

    // Spend a little time on it, so that today's total is not zero.
    await waitFor("two seconds on the first pull request", async () =>
      Date.now() >= Date.parse(s1.start_time) + 2_000 ? true : undefined,
    );

    // A sub-page of the same pull request keeps the session.
    await page1.goto(PR("octo", "hello", 1, "/files"));
    await page1.goto(PR("octo", "hello", 1, "/commits"));

    // 2. Switching to another pull request (another tab) ends the first and starts the second.
    const page2 = await ctx.newPage();
    await page2.goto(PR("acme", "world", 22, "/checks"));
    const [s2, afterSwitch] = await waitActive("acme", "world", 22);
    expect(s2.id).not.toBe(s1.id);
    const first = afterSwitch.find((s) => s.id === s1.id);
    expect(ended(first), `first session after the switch: ${JSON.stringify(first)}`).toBe(true);
    expect(Date.parse(first!.end_time!)).toBeLessThanOrEqual(Date.parse(s2.start_time));
    // The sub-pages did not split the first session.
    expect(afterSwitch.filter((s) => s.repo_owner === "octo" && s.pr_number === 1)).toHaveLength(1);

    // 3. A tab that is not a pull request ends tracking.
    await page2.goto("https://github.com/acme/world");
    const afterNonPR = await waitNoneActive("the non-PR page to end the session");
    expect(ended(afterNonPR.find((s) => s.id === s2.id))).toBe(true);
    await waitBadge(sw, "", /^WorkTime: not on a pull request$/);
    expect(await sw.evaluate(() => (globalThis as any).worktime.badge().icon)).toBe("inactive");

    // 3b. Closing the pull request's tab ends its session.
    const page3 = await ctx.newPage();
    await page3.goto(PR("octo", "hello", 9, "/files"));
    const [s2b] = await waitActive("octo", "hello", 9);
    await page3.close();
    const afterTabClose = await waitNoneActive("closing the tab to end the session");
    expect(ended(afterTabClose.find((s) => s.id === s2b.id))).toBe(true);

    // 4. Going idle ends the session; coming back starts a new one.
    await page2.goto(PR("acme", "world", 3));
    const [s3] = await waitActive("acme", "world", 3);
    await sw.evaluate(() => (globalThis as any).worktime.setIdle("idle"));
    const afterIdle = await waitNoneActive("idle to end the session");
    expect((await waitBadge(sw, "zz", /idle/)).color).toEqual(GREY);
    const idled = afterIdle.find((s) => s.id === s3.id);
    expect(ended(idled)).toBe(true);
    // It ended when the user stopped (the threshold before the report), never before its start.
    expect(Date.parse(idled!.end_time!)).toBeGreaterThanOrEqual(Date.parse(s3.start_time));
    await sw.evaluate(() => (globalThis as any).worktime.setIdle("active"));
    const [s4] = await waitActive("acme", "world", 3);
    expect(s4.id).not.toBe(s3.id);

    // 4b. Opening the toolbar popup does not stop the session, although the
    //     popup takes focus from the browser window.
    await sw.evaluate(() => chrome.action.openPopup());
    await waitFor("the toolbar popup to open", async () =>
      (await sw.evaluate(
        async () => (await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.POPUP] })).length,
      )) > 0
        ? true
        : undefined,
    );
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking?.sessionId)).toBe(s4.id);
    expect(active(await h.sessions()).map((s) => s.id)).toEqual([s4.id]);

    // 4c. The popup shows the running pull request with its timer (opened in a
    //     window that does not take focus, so the session keeps running).
    const live = await h.openPopup(sw);
    expect(await live.locator("#active").getAttribute("data-pr")).toBe("acme/world#3");
    const timer = Number(await live.locator("#active-timer").getAttribute("data-seconds"));
    expect(timer).toBeGreaterThanOrEqual(0);
    expect(await live.locator("#active-timer").textContent()).toMatch(/^\d+:\d\d:\d\d$/);
    const todayWithLive = Number(await live.locator("#today").getAttribute("data-seconds"));
    expect(todayWithLive).toBeGreaterThanOrEqual((await h.todaySeconds()) + timer);
    await live.close();
    expect(active(await h.sessions()).map((s) => s.id)).toEqual([s4.id]);

    // 5. The popup shows the same total for today as `worktimed stats --json`.
    //    Opening it in a tab moves focus away from the pull request, which ends s4.
    const popup = await ctx.newPage();
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await waitNoneActive("the popup tab to end the session");
    const storeToday = await h.todaySeconds();
    await popup.reload();
    await popup.waitForSelector("body[data-ready=true]");
    const popupToday = await popup.locator("#today").getAttribute("data-seconds");
    expect(storeToday).toBeGreaterThanOrEqual(2);
    expect(Number(popupToday)).toBe(storeToday);
    expect(await popup.locator("#today").textContent()).toBe(formatDuration(storeToday));
    expect(await popup.locator("#companion").getAttribute("data-status")).toBe("connected");
    expect(await popup.locator("#not-installed").isHidden()).toBe(true);
    // Sign-in and sync state come from hello: signed out here; without the
    // daemon the companion says sync is off until it runs.
    const syncText = (await popup.locator("#sync").textContent()) ?? "";
    if (withDaemon) {
      expect(await popup.locator("#signed-in").textContent()).toBe("not signed in (worktimed login)");
      expect(syncText).toMatch(/^signed out · [1-9][0-9]* pending$/);
      expect(await popup.locator("#daemon-down").isHidden()).toBe(true);
    } else {
      // The daemon is down: the popup says so and how to start it, not
      // "not signed in" nor a sync error.
      expect(await popup.locator("#daemon-down").isVisible()).toBe(true);
      const down = (await popup.locator("#daemon-down").textContent()) ?? "";
      expect(down).toContain("daemon is not running");
      expect(down).toContain("worktimed service start");
      expect(await popup.locator("#signed-in").textContent()).toBe("known once worktimed runs");
      expect(syncText).toMatch(/^waits for worktimed · [1-9][0-9]* pending$/);
      expect(await popup.locator("#error").isHidden()).toBe(true);
    }
    const ended4 = (await h.sessions()).filter((s) => s.status !== "active");
    const sum = ended4.reduce((n, s) => n + s.duration_seconds, 0);
    expect(storeToday).toBe(sum);

    // 6. Pausing from the options page stops tracking; resuming starts again.
    const options = await ctx.newPage();
    await options.goto(`chrome-extension://${EXTENSION_ID}/options.html`);
    await options.waitForSelector("body[data-ready=true]");
    expect(await options.locator("#idle").inputValue()).toBe("240"); // minutes, as set above
    // The page tells its idle threshold apart from the companion's idle_timeout.
    expect(await options.locator("#idle-hint").isVisible()).toBe(true);
    const idleTimeoutHint = (await options.locator("#idle-timeout-hint").textContent()) ?? "";
    expect(idleTimeoutHint).toContain("idle_timeout");
    expect(idleTimeoutHint).toContain("It never decides when you are away; this setting does.");
    await options.locator("#paused").check();
    await options.locator("button[type=submit]").click();
    await options.locator("#status", { hasText: "Saved." }).waitFor();
    await waitFor("the worker to pause", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.tracker().paused)) ? true : undefined,
    );
    expect((await waitBadge(sw, "||", /^WorkTime: tracking is paused$/)).color).toEqual(GREY);
    await page1.bringToFront();
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().focusedUrl)).toBe(PR("octo", "hello", 1, "/commits"));
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking)).toBeNull();
    expect(active(await h.sessions())).toEqual([]);
    await sw.evaluate(() => chrome.storage.local.set({ paused: false }));
    const [s5a] = await waitActive("octo", "hello", 1);

    // 6b. Another browser window taking focus ends the session; focusing the
    //     first window again starts a new one there.
    const firstWindow: number = await sw.evaluate(async () => (await chrome.windows.getLastFocused()).id!);
    const secondWindow: number = await sw.evaluate(
      async (url) => (await chrome.windows.create({ url, focused: true }))!.id!,
      PR("acme", "world", 77),
    );
    const [s5b, afterWindow] = await waitActive("acme", "world", 77);
    expect(ended(afterWindow.find((s) => s.id === s5a.id))).toBe(true);
    await sw.evaluate((id) => chrome.windows.update(id, { focused: true }).then(() => undefined), firstWindow);
    const [s5, afterBack] = await waitActive("octo", "hello", 1);
    expect(s5.id).not.toBe(s5a.id);
    expect(ended(afterBack.find((s) => s.id === s5b.id))).toBe(true);
    await sw.evaluate((id) => chrome.windows.remove(id), secondWindow);
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    expect(active(await h.sessions()).map((s) => s.id)).toEqual([s5.id]);

    // 7. When the companion's process dies, the extension reconnects and starts a new session.
    const hosts = h.hostPids();
    expect(hosts).toHaveLength(1);
    process.kill(hosts[0]!, "SIGKILL");
    const [s6, afterCrash] = await waitFor("a new session after the host was killed", async () => {
      const r = await waitActive("octo", "hello", 1);
      return r[0].id !== s5.id ? r : undefined;
    }, 30_000);
    expect(ended(afterCrash.find((s) => s.id === s5.id))).toBe(true);
    const newHosts = h.hostPids();
    expect(newHosts).toHaveLength(1);
    expect(newHosts[0]).not.toBe(hosts[0]);

    // 8. A minute later a heartbeat is sent. When the port closes (here the
    //    host is told to stop, as when the browser goes away), the companion
    //    ends the session at that last heartbeat plus the whole seconds the
    //    port stayed open after it (the extension's clock is a minute ahead
    //    of the companion's here), and the extension reconnects and starts a
    //    new one.
    const beforeBeat = Date.now();
    await sw.evaluate(() => (globalThis as any).worktime.advanceClock(61_000));
    await sw.evaluate(() => (globalThis as any).worktime.tick());
    await sw.evaluate(() => (globalThis as any).worktime.flush());
    const beat = await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking);
    expect(beat.sessionId).toBe(s6.id);
    expect(beat.lastHeartbeatAt - beat.startedAt).toBeGreaterThanOrEqual(61_000);
    const lastBeat = Math.floor(beat.lastHeartbeatAt / 1000) * 1000;
    // A minute later the badge says so.
    await waitBadge(sw, "1m", /^WorkTime: tracking octo\/hello#1 for 1 min$/);
    const [host6] = h.hostPids();
    process.kill(host6!, "SIGTERM");
    const openAfterBeat = Math.ceil((Date.now() - beforeBeat) / 1000) * 1000;
    const [s7, afterTerm] = await waitFor("a new session after the host stopped", async () => {
      const r = await waitActive("octo", "hello", 1);
      return r[0].id !== s6.id ? r : undefined;
    }, 30_000);
    const closed6 = afterTerm.find((s) => s.id === s6.id);
    expect(ended(closed6)).toBe(true);
    expect(Date.parse(closed6!.end_time!)).toBeGreaterThanOrEqual(lastBeat);
    expect(Date.parse(closed6!.end_time!)).toBeLessThanOrEqual(lastBeat + openAfterBeat);
    expect(closed6!.duration_seconds).toBe((Date.parse(closed6!.end_time!) - Date.parse(closed6!.start_time)) / 1000);
    expect(closed6!.duration_seconds).toBeGreaterThanOrEqual(61);

    // 9. Closing the browser ends the session that was running.
    await h.closeBrowser();
    const afterClose = await waitNoneActive("closing the browser to end the session");
    const closed7 = afterClose.find((s) => s.id === s7.id);
    expect(ended(closed7)).toBe(true);
    expect(Date.parse(closed7!.end_time!)).toBeGreaterThanOrEqual(Date.parse(s7.start_time));

    // Every session is one of the ten, on the right pull request, and none overlap.
    const all = [s1, s2, s2b, s3, s4, s5a, s5b, s5, s6, s7];
    expect(new Set(afterClose.map((s) => s.id))).toEqual(new Set(all.map((s) => s.id)));
    const byId = new Map(afterClose.map((s) => [s.id, s]));
    expect(all.map((s) => `${s.repo_owner}/${s.repo_name}#${s.pr_number}`)).toEqual([
      "octo/hello#1",
      "acme/world#22",
      "octo/hello#9",
      "acme/world#3",
      "acme/world#3",
      "octo/hello#1",
      "acme/world#77",
      "octo/hello#1",
      "octo/hello#1",
      "octo/hello#1",
    ]);
    const ordered = all.map((s) => byId.get(s.id)!);
    for (let i = 1; i < ordered.length; i++) {
      expect(Date.parse(ordered[i - 1]!.end_time!)).toBeLessThanOrEqual(Date.parse(ordered[i]!.start_time));
    }
    await waitFor("every host process to exit with the browser", async () => (h.hostPids().length === 0 ? true : undefined));
    if (withDaemon) {
      expect(h.daemonRunning(), h.daemonOutput).toBe(true);
      // The host relayed to the daemon: its tracker recorded the starts.
      for (const s of all) expect(h.daemonOutput, `daemon log mentions ${s.id}`).toContain(s.id);
    }
  });
});

describe("without the companion installed", () => {
  const harness = useChromium({ host: false });

  it("the badge and the popup say the companion is not installed and how to install it", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(PR("octo", "hello", 1));
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    const badge = await waitBadge(sw, "!", /^WorkTime: the worktime companion is not installed — octo\/hello#1 is not being recorded\. .*worktimed install/);
    expect(badge.color).toEqual(RED);
    const popup = await h.openPopup(sw);
    expect(await popup.locator("#companion").getAttribute("data-status")).toBe("not_installed");
    expect(await popup.locator("#not-installed").isVisible()).toBe(true);
    expect(await popup.locator("#not-installed").textContent()).toContain("worktimed install");
    expect(await popup.locator("#today").getAttribute("data-seconds")).toBe("");
    // On a pull request it says that one is not recorded, not "not on a pull request".
    expect(await popup.locator("#active").textContent()).toBe("octo/hello#1 — not recorded: the companion is not installed");
  });
});

describe("when the companion refuses this extension", () => {
  // Only another extension is allowed: the host answers "forbidden" and exits.
  const harness = useChromium({ files: { "config.toml": 'allowed_extension_ids = ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]\n' } });

  it("the popup says so and nothing is recorded", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    await waitFor("the extension to see the refusal", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.connection().status)) === "forbidden" ? true : undefined,
    );
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(PR("octo", "hello", 1));
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking)).toBeNull();
    const badge = await waitBadge(sw, "!", /^WorkTime: the companion refused this extension — octo\/hello#1 is not being recorded\./);
    expect(badge.color).toEqual(RED);
    const popup = await ctx.newPage();
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await popup.waitForSelector("body[data-ready=true]");
    expect(await popup.locator("#companion").getAttribute("data-status")).toBe("forbidden");
    expect(await popup.locator("#forbidden").isVisible()).toBe(true);
    expect(await popup.locator("#ext-id").textContent()).toBe(EXTENSION_ID);
    expect(await h.sessions()).toEqual([]);
  });
});

const NOT_A_STORE = "this is not a database, and worktime must not write to it\n".repeat(100);

describe("when the companion cannot use the store", () => {
  // Not a worktime database: the companion refuses to touch it.
  const harness = useChromium({ files: { "worktime.db": NOT_A_STORE } });

  it("the badge shows an error with the companion's words, and the popup says it", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(PR("octo", "hello", 1));
    await sw.evaluate(() => (globalThis as any).worktime.refreshFocus());
    const badge = await waitBadge(sw, "err", /^WorkTime: .*the local store cannot be used.* — octo\/hello#1 is not being recorded\.$/);
    expect(badge.color).toEqual(ORANGE);
    expect(await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking)).toBeNull();
    const popup = await h.openPopup(sw);
    expect(await popup.locator("#error").isVisible()).toBe(true);
    expect(await popup.locator("#error").textContent()).toContain("the local store cannot be used");
    expect(readFileSync(path.join(h.worktimeHome, "worktime.db"), "utf8")).toBe(NOT_A_STORE);
  });
});
