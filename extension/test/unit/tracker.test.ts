import { describe, expect, it } from "vitest";
import {
  type Command,
  type TrackerEvent,
  type TrackerState,
  DEFAULT_IDLE_THRESHOLD_SECONDS,
  FOCUS_LOSS_GRACE_MS,
  HEARTBEAT_INTERVAL_MS,
  RETRY_DELAY_MS,
  clampIdleThreshold,
  desiredPullRequest,
  initialState,
  excludedReason,
  step,
} from "../../src/lib/tracker.js";
import type { PullRequest } from "../../src/lib/prurl.js";

const PR1 = "https://github.com/octo/hello/pull/1";
const PR1_FILES = "https://github.com/octo/hello/pull/1/files";
const PR2 = "https://github.com/octo/hello/pull/2";
const PR_OTHER_REPO = "https://github.com/acme/world/pull/1";
const NOT_PR = "https://github.com/octo/hello";
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

/** A driver that feeds events at given times and collects the commands, with predictable ids. */
class Driver {
  state: TrackerState;
  now = T0;
  private n = 0;
  log: Command[] = [];
  /** The rules checks of the last step. */
  checks: PullRequest[] = [];
  constructor(state: TrackerState = initialState()) {
    this.state = state;
  }
  at(ms: number): this {
    this.now = T0 + ms;
    return this;
  }
  feed(ev: TrackerEvent): Command[] {
    const before = JSON.stringify(this.state);
    const r = step(this.state, ev, this.now, () => `s${++this.n}`);
    expect(JSON.stringify(this.state), "step must not mutate its input").toBe(before);
    this.state = r.state;
    this.checks = r.checks;
    this.log.push(...r.commands);
    return r.commands;
  }
  /** connected, active, with the given URL focused */
  static on(url: string | null): Driver {
    const d = new Driver();
    d.feed({ type: "connected" });
    d.feed({ type: "focus", url });
    return d;
  }
}

const start = (sessionId: string, owner: string, repo: string, n: number, at: number): Command => ({
  type: "session.start",
  sessionId,
  pr: { repoOwner: owner, repoName: repo, prNumber: n },
  at: T0 + at,
});
const end = (sessionId: string, at: number): Command => ({ type: "session.end", sessionId, at: T0 + at });
const hb = (sessionId: string, at: number): Command => ({ type: "session.heartbeat", sessionId, at: T0 + at });

describe("tracker: starting", () => {
  it("starts a session when a pull request gets focus", () => {
    const d = new Driver();
    expect(d.feed({ type: "connected" })).toEqual([]);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([start("s1", "octo", "hello", 1, 0)]);
    expect(d.state.tracking).toMatchObject({ sessionId: "s1", startedAt: T0, lastHeartbeatAt: T0 });
  });

  it("starts when the companion connects while a pull request is focused", () => {
    const d = new Driver();
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([]);
    d.at(5_000);
    expect(d.feed({ type: "connected" })).toEqual([start("s1", "octo", "hello", 1, 5_000)]);
  });

  it.each([
    ["a repository page", NOT_PR],
    ["another site", "https://example.com/"],
    ["a new tab", "chrome://newtab/"],
    ["no focused window", null],
  ])("does not start on %s", (_n, url) => {
    const d = Driver.on(url);
    expect(d.log).toEqual([]);
    expect(d.state.tracking).toBeNull();
  });

  it("does not start while paused, and starts on resume", () => {
    const d = new Driver();
    d.feed({ type: "connected" });
    d.feed({ type: "paused", paused: true });
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([]);
    d.at(1_000);
    expect(d.feed({ type: "paused", paused: false })).toEqual([start("s1", "octo", "hello", 1, 1_000)]);
  });

  it("does not start while idle or locked, and starts when active again", () => {
    for (const idle of ["idle", "locked"] as const) {
      const d = new Driver();
      d.feed({ type: "connected" });
      d.feed({ type: "idle", state: idle });
      expect(d.feed({ type: "focus", url: PR1 })).toEqual([]);
      d.at(1_000);
      expect(d.feed({ type: "idle", state: "active" })).toEqual([start("s1", "octo", "hello", 1, 1_000)]);
    }
  });
});

describe("tracker: moving focus", () => {
  it("keeps the session across pages of the same pull request", () => {
    const d = Driver.on(PR1);
    d.at(1_000);
    expect(d.feed({ type: "focus", url: PR1_FILES })).toEqual([]);
    expect(d.feed({ type: "focus", url: "https://github.com/OCTO/Hello/pull/1/checks" })).toEqual([]);
    expect(d.state.tracking?.sessionId).toBe("s1");
  });

  it("switching to another pull request ends the first and starts the second, in that order", () => {
    const d = Driver.on(PR1);
    d.at(30_000);
    expect(d.feed({ type: "focus", url: PR2 })).toEqual([end("s1", 30_000), start("s2", "octo", "hello", 2, 30_000)]);
    d.at(40_000);
    expect(d.feed({ type: "focus", url: PR_OTHER_REPO })).toEqual([
      end("s2", 40_000),
      start("s3", "acme", "world", 1, 40_000),
    ]);
  });

  it.each([
    ["a non-PR tab", NOT_PR],
    ["another site", "https://example.com/"],
  ])("%s ends the session", (_n, url) => {
    const d = Driver.on(PR1);
    d.at(10_000);
    expect(d.feed({ type: "focus", url })).toEqual([end("s1", 10_000)]);
    expect(d.state.tracking).toBeNull();
    d.at(20_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
  });

  it("coming back to the same pull request after the focus-loss grace starts a new session", () => {
    const d = Driver.on(PR1);
    d.at(10_000);
    d.feed({ type: "focus", url: null });
    d.at(10_000 + FOCUS_LOSS_GRACE_MS);
    expect(d.feed({ type: "tick" })).toEqual([end("s1", 10_000)]);
    d.at(40_000);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([start("s2", "octo", "hello", 1, 40_000)]);
  });

  it("the same focus twice does nothing", () => {
    const d = Driver.on(PR1);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([]);
    expect(d.log).toHaveLength(1);
  });
});

describe("tracker: a short focus loss (extensions menu, pin button)", () => {
  const blurred = (at = 10_000): Driver => {
    const d = Driver.on(PR1);
    d.at(at);
    expect(d.feed({ type: "focus", url: null }), "a focus loss sends nothing at once").toEqual([]);
    return d;
  };

  it("focus coming back to the same pull request within the grace keeps the session", () => {
    const d = blurred();
    d.at(10_000 + FOCUS_LOSS_GRACE_MS - 1);
    expect(d.feed({ type: "tick" })).toEqual([]);
    expect(d.feed({ type: "focus", url: PR1_FILES })).toEqual([]);
    expect(d.state.tracking?.sessionId).toBe("s1");
    expect(d.state.blurredAt).toBeNull();
    // The grace is over: a later tick ends nothing.
    d.at(40_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
    expect(d.log).toEqual([start("s1", "octo", "hello", 1, 0)]);
  });

  it("focus back on the same pull request after the grace, before a tick noticed, ends at the loss and starts anew", () => {
    const d = blurred();
    d.at(10_000 + FOCUS_LOSS_GRACE_MS + 10);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([end("s1", 10_000), start("s2", "octo", "hello", 1, 10_000 + FOCUS_LOSS_GRACE_MS + 10)]);
  });

  it("several focus losses in a row keep the time of the first", () => {
    const d = blurred(10_000);
    d.at(12_000);
    expect(d.feed({ type: "focus", url: null })).toEqual([]);
    d.at(10_000 + FOCUS_LOSS_GRACE_MS);
    expect(d.feed({ type: "tick" })).toEqual([end("s1", 10_000)]);
  });

  it("the grace running out ends the session when the focus left, and nothing starts until it is back", () => {
    const d = blurred();
    d.at(10_000 + FOCUS_LOSS_GRACE_MS);
    expect(d.feed({ type: "tick" })).toEqual([end("s1", 10_000)]);
    expect(d.state.tracking).toBeNull();
    expect(d.state.focusedUrl).toBeNull();
    d.at(60_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
    expect(d.feed({ type: "connected" })).toEqual([]);
  });

  it.each([
    ["another pull request", PR2, [end("s1", 10_000), start("s2", "octo", "hello", 2, 14_000)]],
    ["a page that is not a pull request", NOT_PR, [end("s1", 10_000)]],
  ])("focus coming back to %s ends the session when the focus left", (_n, url, want) => {
    const d = blurred();
    d.at(14_000);
    expect(d.feed({ type: "focus", url })).toEqual(want);
  });

  it("going idle during the grace ends the session no later than when the focus left", () => {
    const d = blurred(130_000);
    d.at(135_000);
    // chrome.idle reports after 120 s without input: the user stopped at 15 s.
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 15_000)]);
    const e = blurred(10_000);
    e.at(12_000);
    e.state = { ...e.state, idleThresholdSeconds: 1 };
    expect(e.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 10_000)]);
  });

  it("pausing during the grace ends the session when the focus left; resuming starts nothing until focus is back", () => {
    const d = blurred();
    d.at(12_000);
    expect(d.feed({ type: "paused", paused: true })).toEqual([end("s1", 10_000)]);
    d.at(13_000);
    expect(d.feed({ type: "paused", paused: false })).toEqual([]);
    d.at(14_000);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([start("s2", "octo", "hello", 1, 14_000)]);
  });

  it("a disconnect during the grace starts nothing on reconnect until focus is back", () => {
    const d = blurred();
    d.at(11_000);
    expect(d.feed({ type: "disconnected" })).toEqual([]);
    d.at(12_000);
    expect(d.feed({ type: "connected" })).toEqual([]);
    expect(d.state.tracking).toBeNull();
  });

  it("sends no heartbeat during the grace; the next tick after focus is back sends it", () => {
    const d = Driver.on(PR1);
    d.at(HEARTBEAT_INTERVAL_MS - 5_000);
    d.feed({ type: "focus", url: null });
    d.at(HEARTBEAT_INTERVAL_MS + 5_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(HEARTBEAT_INTERVAL_MS + 6_000);
    expect(d.feed({ type: "focus", url: PR1 })).toEqual([]);
    d.at(HEARTBEAT_INTERVAL_MS + 7_000);
    expect(d.feed({ type: "tick" })).toEqual([hb("s1", HEARTBEAT_INTERVAL_MS + 7_000)]);
  });

  it("a focus loss with no session running changes nothing to wait for", () => {
    const d = Driver.on(NOT_PR);
    expect(d.feed({ type: "focus", url: null })).toEqual([]);
    expect(d.state.blurredAt).toBeNull();
    expect(d.state.focusedUrl).toBeNull();
  });
});

describe("tracker: heartbeats", () => {
  it("sends one heartbeat per interval while focused", () => {
    const d = Driver.on(PR1);
    d.at(HEARTBEAT_INTERVAL_MS - 1);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(HEARTBEAT_INTERVAL_MS);
    expect(d.feed({ type: "tick" })).toEqual([hb("s1", HEARTBEAT_INTERVAL_MS)]);
    d.at(HEARTBEAT_INTERVAL_MS + 15_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(2 * HEARTBEAT_INTERVAL_MS + 5_000);
    expect(d.feed({ type: "tick" })).toEqual([hb("s1", 2 * HEARTBEAT_INTERVAL_MS + 5_000)]);
    expect(d.state.tracking?.lastHeartbeatAt).toBe(T0 + 2 * HEARTBEAT_INTERVAL_MS + 5_000);
  });

  it("only a tick sends heartbeats, not other events", () => {
    const d = Driver.on(PR1);
    d.at(5 * HEARTBEAT_INTERVAL_MS);
    expect(d.feed({ type: "focus", url: PR1_FILES })).toEqual([]);
    expect(d.feed({ type: "idleThreshold", seconds: 300 })).toEqual([]);
  });

  it("sends no heartbeat when the clock went backwards", () => {
    const d = Driver.on(PR1);
    d.at(-HEARTBEAT_INTERVAL_MS * 2);
    expect(d.feed({ type: "tick" })).toEqual([]);
  });
});

describe("tracker: idle", () => {
  it("ends the session when the user stopped: the threshold before the idle report", () => {
    const d = Driver.on(PR1);
    d.at(60_000);
    d.feed({ type: "tick" }); // heartbeat at 60 s
    d.at(300_000);
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 300_000 - DEFAULT_IDLE_THRESHOLD_SECONDS * 1000)]);
  });

  it("never ends before the last heartbeat", () => {
    const d = Driver.on(PR1);
    d.at(120_000);
    d.feed({ type: "tick" }); // heartbeat at 120 s
    d.at(150_000);
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 120_000)]);
  });

  it("never ends before the start", () => {
    const d = Driver.on(PR1);
    d.at(1_000);
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 0)]);
  });

  it("locking the screen ends the session at the lock, not a threshold earlier", () => {
    const d = Driver.on(PR1);
    d.at(300_000);
    expect(d.feed({ type: "idle", state: "locked" })).toEqual([end("s1", 300_000)]);
  });

  it("uses the configured threshold", () => {
    const d = Driver.on(PR1);
    d.feed({ type: "idleThreshold", seconds: 30 });
    d.at(100_000);
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([end("s1", 70_000)]);
  });

  it("idle → locked sends nothing more; active starts a new session", () => {
    const d = Driver.on(PR1);
    d.at(200_000);
    d.feed({ type: "idle", state: "idle" });
    d.at(210_000);
    expect(d.feed({ type: "idle", state: "locked" })).toEqual([]);
    d.at(400_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(500_000);
    expect(d.feed({ type: "idle", state: "active" })).toEqual([start("s2", "octo", "hello", 1, 500_000)]);
  });

  it("an idle report without a session does nothing", () => {
    const d = Driver.on(NOT_PR);
    expect(d.feed({ type: "idle", state: "idle" })).toEqual([]);
  });
});

describe("tracker: pause", () => {
  it("pausing ends the session now, resuming starts a new one", () => {
    const d = Driver.on(PR1);
    d.at(10_000);
    expect(d.feed({ type: "paused", paused: true })).toEqual([end("s1", 10_000)]);
    d.at(20_000);
    expect(d.feed({ type: "focus", url: PR2 })).toEqual([]);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(30_000);
    expect(d.feed({ type: "paused", paused: false })).toEqual([start("s2", "octo", "hello", 2, 30_000)]);
  });
});

describe("tracker: the companion's connection", () => {
  it("forgets the session when the port drops (the companion ends it) and starts anew on reconnect", () => {
    const d = Driver.on(PR1);
    d.at(10_000);
    expect(d.feed({ type: "disconnected" })).toEqual([]);
    expect(d.state.tracking).toBeNull();
    expect(d.feed({ type: "tick" })).toEqual([]);
    expect(d.feed({ type: "focus", url: PR2 })).toEqual([]);
    d.at(12_000);
    expect(d.feed({ type: "connected" })).toEqual([start("s2", "octo", "hello", 2, 12_000)]);
  });

  it("a refused start is retried at the first tick after the retry delay", () => {
    const d = Driver.on(PR1);
    d.at(1_000);
    expect(d.feed({ type: "rejected", sessionId: "s1", command: "session.start" })).toEqual([]);
    expect(d.state.tracking).toBeNull();
    d.at(1_000 + RETRY_DELAY_MS - 1);
    expect(d.feed({ type: "tick" })).toEqual([]);
    d.at(1_000 + RETRY_DELAY_MS);
    expect(d.feed({ type: "tick" })).toEqual([start("s2", "octo", "hello", 1, 1_000 + RETRY_DELAY_MS)]);
  });

  it("a refused heartbeat (the companion ended the session) starts a new session at once", () => {
    const d = Driver.on(PR1);
    d.at(HEARTBEAT_INTERVAL_MS);
    expect(d.feed({ type: "tick" })).toEqual([hb("s1", HEARTBEAT_INTERVAL_MS)]);
    d.at(HEARTBEAT_INTERVAL_MS + 5);
    expect(d.feed({ type: "rejected", sessionId: "s1", command: "session.heartbeat" })).toEqual([
      start("s2", "octo", "hello", 1, HEARTBEAT_INTERVAL_MS + 5),
    ]);
  });

  it("a late refusal for a session that already ended starts nothing", () => {
    const d = Driver.on(PR1);
    d.at(HEARTBEAT_INTERVAL_MS);
    d.feed({ type: "tick" });
    d.feed({ type: "paused", paused: true });
    expect(d.feed({ type: "rejected", sessionId: "s1", command: "session.heartbeat" })).toEqual([]);
  });

  it("after a refusal, moving focus starts at once", () => {
    const d = Driver.on(PR1);
    d.feed({ type: "rejected", sessionId: "s1", command: "session.start" });
    d.at(100);
    expect(d.feed({ type: "focus", url: PR2 })).toEqual([start("s2", "octo", "hello", 2, 100)]);
  });

  it("a refusal of an older session is ignored", () => {
    const d = Driver.on(PR1);
    d.at(1_000);
    d.feed({ type: "focus", url: PR2 });
    expect(d.feed({ type: "rejected", sessionId: "s1", command: "session.start" })).toEqual([]);
    expect(d.state.tracking?.sessionId).toBe("s2");
  });

  it("a reconnect clears the retry delay", () => {
    const d = Driver.on(PR1);
    d.feed({ type: "rejected", sessionId: "s1", command: "session.start" });
    d.feed({ type: "disconnected" });
    d.at(10);
    expect(d.feed({ type: "connected" })).toEqual([start("s2", "octo", "hello", 1, 10)]);
  });
});

describe("tracker: excluded repositories", () => {
  const REASON = 'octo/hello is dont_track by the rule "octo/hello" ([[rules.repo]] in config.toml)';
  const refuse = (d: Driver, sessionId: string): Command[] =>
    d.feed({ type: "rejected", sessionId, command: "session.start", code: "excluded", message: REASON });

  it("a start refused as excluded is never retried, at a tick or after the retry delay", () => {
    const d = Driver.on(PR1);
    d.at(100);
    expect(refuse(d, "s1")).toEqual([]);
    expect(d.state.tracking).toBeNull();
    expect(excludedReason(d.state, { repoOwner: "OCTO", repoName: "Hello" })).toBe(REASON);
    for (let t = 15_000; t <= 20 * 60_000; t += 15_000) {
      d.at(t);
      expect(d.feed({ type: "tick" })).toEqual([]);
      expect(d.checks).toEqual([]);
    }
    expect(d.log).toEqual([start("s1", "octo", "hello", 1, 0)]);
  });

  it("another pull request of the repository is not started either, but the rules are asked once", () => {
    const d = Driver.on(PR1);
    refuse(d, "s1");
    d.at(1_000);
    expect(d.feed({ type: "focus", url: PR2 })).toEqual([]);
    expect(d.checks).toEqual([{ repoOwner: "octo", repoName: "hello", prNumber: 2 }]);
    // Pages of the same pull request do not ask again.
    d.feed({ type: "focus", url: "https://github.com/octo/hello/pull/2/files" });
    expect(d.checks).toEqual([]);
    // Another repository is tracked as usual.
    d.at(2_000);
    expect(d.feed({ type: "focus", url: PR_OTHER_REPO })).toEqual([start("s2", "acme", "world", 1, 2_000)]);
  });

  it("a repository excluded while its session runs ends the session at once", () => {
    const d = Driver.on(PR1);
    d.at(30_000);
    expect(d.feed({ type: "rules", pr: { repoOwner: "Octo", repoName: "hello" }, tracked: false, reason: REASON })).toEqual([end("s1", 30_000)]);
    d.at(5 * 60_000);
    expect(d.feed({ type: "tick" })).toEqual([]);
  });

  it("the rules allowing the repository again start it at once", () => {
    const d = Driver.on(PR1);
    refuse(d, "s1");
    d.at(40_000);
    expect(d.feed({ type: "rules", pr: { repoOwner: "octo", repoName: "hello" }, tracked: true, reason: "" })).toEqual([
      start("s2", "octo", "hello", 1, 40_000),
    ]);
    expect(excludedReason(d.state, { repoOwner: "octo", repoName: "hello" })).toBeNull();
  });

  it("nothing is asked while paused, away or disconnected", () => {
    for (const ev of [{ type: "paused", paused: true }, { type: "idle", state: "idle" }, { type: "disconnected" }] as TrackerEvent[]) {
      const d = Driver.on(PR1);
      refuse(d, "s1");
      d.feed(ev);
      d.feed({ type: "focus", url: PR2 });
      expect(d.checks).toEqual([]);
      expect(d.state.tracking).toBeNull();
    }
  });

  it("a refusal with another code is still retried after the delay", () => {
    const d = Driver.on(PR1);
    d.feed({ type: "rejected", sessionId: "s1", command: "session.start", code: "unavailable", message: "x" });
    expect(excludedReason(d.state, { repoOwner: "octo", repoName: "hello" })).toBeNull();
    d.at(RETRY_DELAY_MS);
    expect(d.feed({ type: "tick" })).toEqual([start("s2", "octo", "hello", 1, RETRY_DELAY_MS)]);
  });
});

describe("tracker: a whole day", () => {
  it("every start is ended exactly once and sessions never overlap", () => {
    const d = new Driver();
    const script: [number, TrackerEvent][] = [
      [0, { type: "connected" }],
      [1_000, { type: "focus", url: PR1 }],
      [61_000, { type: "tick" }],
      [70_000, { type: "focus", url: PR1_FILES }],
      [90_000, { type: "focus", url: PR2 }],
      // The extensions menu takes focus for a second: no split.
      [100_000, { type: "focus", url: null }],
      [101_000, { type: "focus", url: PR2 }],
      [161_000, { type: "tick" }],
      [400_000, { type: "idle", state: "idle" }],
      [500_000, { type: "idle", state: "active" }],
      [510_000, { type: "disconnected" }],
      [520_000, { type: "connected" }],
      [530_000, { type: "paused", paused: true }],
      [540_000, { type: "paused", paused: false }],
      [550_000, { type: "focus", url: NOT_PR }],
      [600_000, { type: "focus", url: PR1 }],
      // Another program takes focus for good.
      [610_000, { type: "focus", url: null }],
      [625_000, { type: "tick" }],
    ];
    for (const [t, ev] of script) d.at(t).feed(ev);
    const open = new Map<string, number>();
    let last = -Infinity;
    // s3 runs when the port drops: the companion ends it, the tracker sends nothing.
    const droppedByDisconnect = new Set(["s3"]);
    const running = () => [...open.keys()].filter((k) => !droppedByDisconnect.has(k)).length;
    for (const c of d.log) {
      expect(c.at).toBeGreaterThanOrEqual(last - DEFAULT_IDLE_THRESHOLD_SECONDS * 1000);
      if (c.type === "session.start") {
        expect(running(), "a start while another session runs").toBe(0);
        open.set(c.sessionId, c.at);
      } else if (c.type === "session.end") {
        const s = open.get(c.sessionId);
        expect(s, `end of unknown ${c.sessionId}`).toBeDefined();
        expect(c.at).toBeGreaterThanOrEqual(s!);
        open.delete(c.sessionId);
      } else {
        expect(open.has(c.sessionId)).toBe(true);
      }
      last = Math.max(last, c.at);
    }
    // s3 was dropped by the disconnect (the companion ends it), nothing else is left open.
    expect([...open.keys()]).toEqual(["s3"]);
    expect(d.log.map((c) => `${c.type}:${c.sessionId}`)).toEqual([
      "session.start:s1",
      "session.heartbeat:s1",
      "session.end:s1",
      "session.start:s2",
      "session.heartbeat:s2",
      "session.end:s2",
      "session.start:s3",
      "session.start:s4",
      "session.end:s4",
      "session.start:s5",
      "session.end:s5",
      "session.start:s6",
      "session.end:s6",
    ]);
    expect(d.log.at(-1)).toEqual(end("s6", 610_000));
  });
});

describe("tracker helpers", () => {
  it.each([
    [120, 120],
    [1, 15],
    [15, 15],
    [99999, 14400],
    [NaN, DEFAULT_IDLE_THRESHOLD_SECONDS],
    [Infinity, DEFAULT_IDLE_THRESHOLD_SECONDS],
    [30.4, 30],
  ])("clampIdleThreshold(%s) = %s", (input, want) => {
    expect(clampIdleThreshold(input)).toBe(want);
  });

  it("initialState is disconnected, active, unpaused, untracked, with the default threshold", () => {
    expect(initialState()).toEqual({
      focusedUrl: null,
      idle: "active",
      paused: false,
      connected: false,
      idleThresholdSeconds: 120,
      tracking: null,
      retryAfter: 0,
      blurredAt: null,
      excluded: {},
    });
  });

  it("desiredPullRequest needs connection, activity and no pause", () => {
    const base = { ...initialState(), connected: true, focusedUrl: PR1 };
    expect(desiredPullRequest(base)).toEqual({ repoOwner: "octo", repoName: "hello", prNumber: 1 });
    expect(desiredPullRequest({ ...base, connected: false })).toBeNull();
    expect(desiredPullRequest({ ...base, paused: true })).toBeNull();
    expect(desiredPullRequest({ ...base, idle: "locked" })).toBeNull();
    expect(desiredPullRequest({ ...base, focusedUrl: NOT_PR })).toBeNull();
    expect(desiredPullRequest({ ...base, excluded: { "octo/hello": "rule" } })).toBeNull();
    expect(desiredPullRequest({ ...base, excluded: { "octo/other": "rule" } })).not.toBeNull();
  });
});
