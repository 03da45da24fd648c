/**
 * Quitting the browser at several points of the heartbeat period: the
 * session that was running is stored with the time it ran until the quit,
 * not cut back to its last heartbeat (a quit 47 s in, before the first
 * heartbeat, was stored as 0 s).
 */

import { describe, expect, it } from "vitest";
import type { Session } from "../../src/lib/protocol.js";
import { useChromium, useSuite, waitFor } from "./harness.js";

useSuite();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  // [at least this many seconds on the pull request before the quit, daemon running, quit 3 s after the first heartbeat, how]
  [5, false, false, "menu"],
  [47, true, false, "menu"],
  [60, false, true, "menu"],
  // A logout or shutdown sends the browser SIGTERM.
  [30, true, false, "SIGTERM"],
] as const)("quitting the browser %i s or more into a session (daemon running: %s, after a heartbeat: %s, by %s)", (seconds, withDaemon, afterBeat, how) => {
  const harness = useChromium({ daemon: withDaemon });

  it("stores the session with the time until the quit", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto("https://github.com/octo/hello/pull/1");
    const started = await waitFor("the session to start", async () => {
      const a = (await h.sessions()).filter((s) => s.status === "active");
      return a.length === 1 ? a[0] : undefined;
    });
    const start = Date.parse(started.start_time);
    await sleep(start + seconds * 1000 - Date.now());
    if (afterBeat) {
      // The heartbeat is sent at the first 15-second tick after a minute.
      await waitFor("the first heartbeat", async () => {
        const t = await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking);
        return t !== null && t.lastHeartbeatAt > t.startedAt ? true : undefined;
      }, 30_000, 250);
      await sleep(3_000);
    }
    const t = await sw.evaluate(() => (globalThis as any).worktime.tracker().tracking);
    expect(t?.sessionId).toBe(started.id);
    // Where in the heartbeat period the quit falls.
    expect(t.lastHeartbeatAt > t.startedAt).toBe(afterBeat);
    const quitFrom = Math.floor(Date.now() / 1000) * 1000;
    // Playwright's close is Browser.close, what the menu's Exit does.
    if (how === "menu") await h.closeBrowser();
    else await h.terminateBrowser();
    const quitTo = Date.now();
    const list: Session[] = await waitFor("the session to end", async () => {
      const l = await h.sessions();
      return l.every((s) => s.status !== "active") ? l : undefined;
    });
    expect(list).toHaveLength(1);
    const s = list[0]!;
    expect(s.id).toBe(started.id);
    expect(s.status).toBe("completed");
    const end = Date.parse(s.end_time!);
    expect(end, `ended at ${s.end_time}, quit between ${new Date(quitFrom).toISOString()} and ${new Date(quitTo).toISOString()}`)
      .toBeGreaterThanOrEqual(quitFrom);
    // Times are whole seconds: the end is at most the second after the quit.
    expect(end).toBeLessThanOrEqual(Math.ceil(quitTo / 1000) * 1000);
    expect(s.duration_seconds).toBeGreaterThanOrEqual(seconds);
    expect(s.duration_seconds).toBe((end - start) / 1000);
    await waitFor("the host process to exit with the browser", async () => (h.hostPids().length === 0 ? true : undefined));
  });
});
