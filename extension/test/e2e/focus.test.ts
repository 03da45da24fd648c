/**
 * A short focus loss inside the browser (the extensions menu, the pin
 * button: a small window of the browser's own takes focus for a moment)
 * does not split the session; a longer one ends it when the focus left.
 * A popup-type browser window taking focus stands in for the menu: the
 * extension sees the same thing, no normal window focused.
 */

import { describe, expect, it } from "vitest";
import type { Session } from "../../src/lib/protocol.js";
import { FOCUS_LOSS_GRACE_MS } from "../../src/lib/tracker.js";
import { useChromium, useSuite, waitFor } from "./harness.js";

useSuite();

describe("focus losses", () => {
  const harness = useChromium();
  const active = async (): Promise<Session[]> => (await harness().sessions()).filter((s) => s.status === "active");

  it("a short one keeps the session, a long one ends it when the focus left", async () => {
    const h = harness();
    const ctx = h.context!;
    const sw = await h.serviceWorker();
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto("https://github.com/octo/hello/pull/1");
    const s1 = await waitFor("the session to start", async () => {
      const a = await active();
      return a.length === 1 ? a[0] : undefined;
    });
    const tracker = () => sw.evaluate(() => (globalThis as any).worktime.tracker());
    const openMenu = (): Promise<number> =>
      sw.evaluate(async () => (await chrome.windows.create({ type: "popup", url: "about:blank", focused: true, width: 200, height: 200 }))!.id!);

    // 1. A menu open for a moment: the focus leaves and comes back.
    const menu = await openMenu();
    await waitFor("the extension to see the focus loss", async () => ((await tracker()).blurredAt !== null ? true : undefined));
    await sw.evaluate((id) => chrome.windows.remove(id), menu);
    await waitFor("the focus to come back", async () => ((await tracker()).blurredAt === null ? true : undefined));
    // Past the grace, the session is still the same and still running.
    await new Promise((r) => setTimeout(r, FOCUS_LOSS_GRACE_MS + 1_000));
    expect((await tracker()).tracking?.sessionId).toBe(s1.id);
    const afterShort = await h.sessions();
    expect(afterShort.map((s) => [s.id, s.status])).toEqual([[s1.id, "active"]]);

    // 2. The focus goes elsewhere for good: the session ends when it left.
    const before = Math.floor(Date.now() / 1000) * 1000;
    const other = await openMenu();
    const blurredAt: number = await waitFor("the focus loss", async () => (await tracker()).blurredAt ?? undefined);
    const after = Date.now();
    const list = await waitFor("the grace to end the session", async () => {
      const l = await h.sessions();
      return l.every((s) => s.status !== "active") ? l : undefined;
    }, FOCUS_LOSS_GRACE_MS + 20_000);
    expect(list).toHaveLength(1);
    const end = Date.parse(list[0]!.end_time!);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect(end).toBe(Math.floor(blurredAt / 1000) * 1000);
    // It ended at the loss, not at the grace's end.
    expect(Date.now() - end).toBeGreaterThanOrEqual(FOCUS_LOSS_GRACE_MS - 1_000);

    // 3. Focus back on the pull request: a new session.
    await sw.evaluate((id) => chrome.windows.remove(id), other);
    const s2 = await waitFor("a new session", async () => {
      const a = await active();
      return a.length === 1 && a[0]!.id !== s1.id ? a[0] : undefined;
    });
    expect(Date.parse(s2.start_time)).toBeGreaterThanOrEqual(end);
  });
});
