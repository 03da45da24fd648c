/**
 * Benchmark: session.heartbeat round trips as the extension sees them —
 * service worker → Chromium → native host (real worktimed) → daemon or store
 * → durable commit → reply — on the extension's one port. Prints p50/p99 and
 * the rate; run with `npm run bench` (not part of `npm test`).
 */

import { describe, expect, it } from "vitest";
import { useChromium, useSuite, waitFor } from "../e2e/harness.js";

// At most 600: the times span [now - 320 s, now + 280 s], inside the store's
// 10-minute idle timeout and 5-minute future limit.
const N = Math.min(600, Number(process.env.WORKTIME_BENCH_N ?? 600));

useSuite();

describe.each([
  ["daemon up", true],
  ["daemon down", false],
])("heartbeat round trips from the extension, %s", (name, withDaemon) => {
  const harness = useChromium({ daemon: withDaemon });

  it(`${N} heartbeats`, async () => {
    const h = harness();
    const sw = await h.serviceWorker();
    await waitFor("the connection", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.connection().status)) === "connected" ? true : undefined,
    );
    // Pause the tracker and drive a session of our own, whose start lies in
    // the past so that every heartbeat carries a new, increasing whole-second
    // time (a repeated time is not a write).
    await sw.evaluate(() => chrome.storage.local.set({ paused: true }));
    await waitFor("the tracker to pause", async () =>
      (await sw.evaluate(() => (globalThis as any).worktime.tracker().paused)) ? true : undefined,
    );
    const r = await sw.evaluate(
      async ({ n }) => {
        const w = (globalThis as any).worktime;
        await w.flush();
        const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
        const start = (Math.floor(Date.now() / 1000) - 320) * 1000;
        const id = crypto.randomUUID();
        await w.request({ type: "session.start", session_id: id, repo_owner: "octo", repo_name: "hello", pr_number: 1, at: iso(start) });
        const lat: number[] = [];
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          const s = performance.now();
          await w.request({ type: "session.heartbeat", session_id: id, at: iso(start + (i + 1) * 1000) });
          lat.push(performance.now() - s);
        }
        const total = performance.now() - t0;
        const end = (await w.request({ type: "session.end", session_id: id })) as any;
        lat.sort((a, b) => a - b);
        const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
        return { p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1]!, perSecond: (n / total) * 1000, status: end.session.status };
      },
      { n: N },
    );
    console.log(
      `bench extension heartbeat round trip (${name}, n=${N}): p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms, ${r.perSecond.toFixed(0)}/s`,
    );
    expect(r.status).toBe("completed");
    expect(r.p50).toBeGreaterThan(0);
  });
});
