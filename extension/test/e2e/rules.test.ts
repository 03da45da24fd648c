/**
 * Excluded repositories and the goals in a real browser: the extension in
 * Chromium → native messaging → the real worktimed (host mode, with the
 * daemon running and without it) → config.toml and SQLite. A repository the rules keep out shows the
 * "excluded" badge and a popup that says how to undo it, and nothing is
 * recorded; the popup's "don't track" writes the rule; the popup shows the
 * progress towards the daily and weekly goals.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page, Worker } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Session } from "../../src/lib/protocol.js";
import { readBadge, useChromium, useSuite, waitBadge, waitFor } from "./harness.js";

const PR = (owner: string, repo: string, n: number) => `https://github.com/${owner}/${repo}/pull/${n}`;
const GREY = [0x6e, 0x77, 0x81, 255];

useSuite();

/** The service worker's debug hook (background.ts), called by name. */
const worktime = (sw: Worker, call: string, arg?: number): Promise<any> =>
  sw.evaluate(([c, a]) => {
    const w = (globalThis as any).worktime;
    return a === undefined ? w[c as string]() : w[c as string](a);
  }, [call, arg] as const);

/**
 * shot saves the popup as docs/ shows it when WORKTIME_E2E_SCREENSHOTS names
 * a folder (the daemon-running run only).
 */
async function shot(popup: Page, withDaemon: boolean, name: string): Promise<void> {
  const dir = process.env.WORKTIME_E2E_SCREENSHOTS;
  if (!dir || !withDaemon) return;
  await popup.setViewportSize({ width: 360, height: 600 });
  await popup.locator("main").screenshot({ path: path.join(dir, name) });
}

describe.each([
  ["with the daemon running", true],
  ["with the daemon down", false],
])("excluded repositories and goals, %s", (_name, withDaemon) => {
  const harness = useChromium({
    daemon: withDaemon,
    files: { "config.toml": 'daily_goal = "4h"\nweekly_goal = "20h"\n\n[rules]\n[[rules.repo]]\nmatch = "octo/secret"\naction = "dont_track"\n' },
  });
  const activeSessions = async (): Promise<Session[]> => (await harness().sessions()).filter((s) => s.status === "active");

  it("an excluded repository: the badge and popup say so, nothing is recorded or retried; don't track from the popup; the goal lines", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    await waitFor("the extension to connect to the companion", async () =>
      (await worktime(sw, "connection")).status === "connected" ? true : undefined,
    );
    await sw.evaluate(() => chrome.storage.local.set({ idleThresholdSeconds: 4 * 3600 }));
    await waitFor("the idle threshold to apply", async () =>
      (await worktime(sw, "tracker")).idleThresholdSeconds === 4 * 3600 ? true : undefined,
    );

    // 1. A pull request of a repository the rules exclude: the start is
    //    refused, the badge says "excluded", nothing is stored.
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(PR("octo", "secret", 1));
    await worktime(sw, "refreshFocus");
    const badge = await waitBadge(
      sw,
      "off",
      /^WorkTime: octo\/secret#1 is excluded — nothing is recorded \(octo\/secret is dont_track by the rule "octo\/secret" .*\)\. To track it again: worktimed rules remove, or the dashboard's Settings\.$/,
    );
    expect(badge.color).toEqual(GREY);
    expect((await worktime(sw, "badge")).icon).toBe("inactive");
    expect((await worktime(sw, "tracker")).tracking).toBeNull();
    expect(await h.sessions()).toEqual([]);

    // 2. Ticks long after the retry delay do not start it again (a start
    //    would be refused by the companion and change the tracker's state).
    for (let i = 0; i < 4; i++) {
      await worktime(sw, "advanceClock", 60_000);
      await worktime(sw, "tick");
      expect((await worktime(sw, "tracker")).tracking).toBeNull();
    }
    await worktime(sw, "flush");
    await worktime(sw, "advanceClock", -4 * 60_000); // the clock as it was, for the sessions below
    expect((await readBadge(sw)).text).toBe("off");
    expect(await h.sessions()).toEqual([]);

    // 3. The popup says the page is excluded and how to undo it; it offers no "don't track".
    let popup = await h.openPopup(sw);
    expect(await popup.locator("#excluded").isVisible()).toBe(true);
    expect(await popup.locator("#excluded-title").textContent()).toBe("octo/secret is not tracked");
    expect(await popup.locator("#excluded-why").textContent()).toMatch(/^Your rules keep octo\/secret out of tracking: nothing is recorded or sent\./);
    expect(await popup.locator("#excluded-undo").textContent()).toBe(
      "To track it again: worktimed rules remove octo/secret, or remove the rule in the dashboard's Settings.",
    );
    expect(await popup.locator("#dont-track").isHidden()).toBe(true);
    expect(await popup.locator("#active").textContent()).toBe("octo/secret#1 — not recorded: excluded by your rules");
    await shot(popup, withDaemon, "extension-popup-excluded.png");
    await popup.close();

    // 4. Another repository of the organisation is tracked; the popup offers
    //    "don't track" for it and for the organisation.
    await page.goto(PR("octo", "app", 2));
    await worktime(sw, "refreshFocus");
    const tracked = await waitFor("a session on octo/app#2", async () => {
      const a = await activeSessions();
      return a.length === 1 && a[0]!.repo_name === "app" ? a[0] : undefined;
    });
    await waitBadge(sw, "0m", /tracking octo\/app#2/);
    await waitFor("two seconds on octo/app#2", async () => (Date.now() >= Date.parse(tracked!.start_time) + 2_000 ? true : undefined));
    popup = await h.openPopup(sw);
    expect(await popup.locator("#excluded").isHidden()).toBe(true);
    expect(await popup.locator("#dont-track").isVisible()).toBe(true);
    expect(await popup.locator("#dont-track-repo").textContent()).toBe("Don't track octo/app");
    expect(await popup.locator("#dont-track-org").textContent()).toBe("Don't track any repository of octo");
    expect(await popup.locator("#goal-today .goal-text").textContent()).toMatch(/^\d+m of 4h today$/);
    await shot(popup, withDaemon, "extension-popup.png");

    // 5. "Don't track any repository of octo": the rule is saved in
    //    config.toml, the running session ends at once, the badge and the
    //    popup say the page is excluded.
    await popup.evaluate(() => (document.getElementById("dont-track-org") as HTMLButtonElement).click());
    await waitFor("the popup to show the page excluded", async () => ((await popup.locator("#excluded").isVisible()) ? true : undefined));
    expect(await popup.locator("#excluded-undo").textContent()).toBe(
      "To track it again: worktimed rules remove octo, or remove the rule in the dashboard's Settings.",
    );
    expect(await popup.locator("#dont-track").isHidden()).toBe(true);
    expect(readFileSync(path.join(h.worktimeHome, "config.toml"), "utf8")).toMatch(/match = "octo"\s+action = "dont_track"/);
    const ended = await waitFor("the octo/app session to end", async () => {
      const list = await h.sessions();
      const s = list.find((x) => x.id === tracked!.id);
      return s !== undefined && s.status !== "active" ? s : undefined;
    });
    expect(ended.duration_seconds).toBeGreaterThanOrEqual(2);
    await waitBadge(sw, "off", /^WorkTime: octo\/app#2 is excluded — nothing is recorded .*rule "octo"/);
    expect((await worktime(sw, "tracker")).tracking).toBeNull();

    // 6. The goal lines: the day's and the week's totals against config.toml's goals.
    const today = await h.todaySeconds();
    await popup.reload();
    await popup.waitForSelector("body[data-ready=true]");
    expect(await popup.locator("#goals").isVisible()).toBe(true);
    expect(Number(await popup.locator("#goal-today").getAttribute("data-seconds"))).toBe(today);
    expect(await popup.locator("#goal-today").getAttribute("data-goal")).toBe(String(4 * 3600));
    expect(await popup.locator("#goal-today .goal-text").textContent()).toBe(`${Math.floor(today / 60)}m of 4h today`);
    expect(Number(await popup.locator("#goal-today progress").evaluate((p) => (p as HTMLProgressElement).value))).toBeCloseTo(today / (4 * 3600), 5);
    expect(await popup.locator("#goal-week .goal-text").textContent()).toMatch(/^\d+m of 20h this week$/);
    await popup.close();

    // 7. Still nothing of octo was ever recorded but the session before the rule.
    const all = await h.sessions();
    expect(all.map((s) => `${s.repo_owner}/${s.repo_name}`)).toEqual(["octo/app"]);
  });
});
