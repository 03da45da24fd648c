import { describe, expect, it } from "vitest";
import {
  KEEP_SYNCED_MS,
  MAX_PUSH_BATCH,
  PUSH_BACKOFF_INITIAL_MS,
  PUSH_BACKOFF_MAX_MS,
  PUSH_DELAY_MS,
  type Queue,
  applyCommand,
  emptyQueue,
  forHandover,
  handoverBatches,
  markFailed,
  markPushed,
  nextBatch,
  pending,
  prune,
  pushBackoff,
  pushDue,
  readQueue,
  recoverActive,
  remove,
  secondsSince,
} from "../../src/lib/queue.js";
import type { Command } from "../../src/lib/tracker.js";

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const PR = { repoOwner: "octo", repoName: "hello", prNumber: 7 };
const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function run(q: Queue, cmds: Command[]): Queue {
  return cmds.reduce(applyCommand, q);
}

/** A session n started at start (ms) and ended at end (ms). */
function session(n: number, start: number, end: number): Command[] {
  return [
    { type: "session.start", sessionId: id(n), pr: PR, at: start },
    { type: "session.heartbeat", sessionId: id(n), at: start + 60_000 },
    { type: "session.end", sessionId: id(n), at: end },
  ];
}

describe("applyCommand", () => {
  it("records a session from start to end in whole seconds", () => {
    const q = run(emptyQueue(), session(1, T0 + 400, T0 + 600_700));
    expect(q.sessions).toHaveLength(1);
    const s = q.sessions[0]!;
    expect(s).toMatchObject({ id: id(1), status: "completed", startedAt: T0, endedAt: T0 + 600_000, synced: false });
    expect(nextBatch(q)).toEqual([
      {
        id: id(1),
        repo_owner: "octo",
        repo_name: "hello",
        pr_number: 7,
        start_time: "2026-11-25T10:00:00Z",
        end_time: "2026-11-25T10:10:00Z",
        duration_seconds: 600,
        status: "completed",
        updated_at: "2026-11-25T10:10:00.700Z",
      },
    ]);
  });

  it("counts a replayed command once", () => {
    const cmds = session(1, T0, T0 + 300_000);
    const once = run(emptyQueue(), cmds);
    const twice = run(once, [...cmds, { type: "session.end", sessionId: id(1), at: T0 + 900_000 }]);
    expect(twice).toEqual(once);
    expect(secondsSince(twice, T0, T0 + 3600_000)).toBe(300);
  });

  it("ignores heartbeats and ends of unknown sessions", () => {
    const q = run(emptyQueue(), [
      { type: "session.heartbeat", sessionId: id(9), at: T0 },
      { type: "session.end", sessionId: id(9), at: T0 },
    ]);
    expect(q.sessions).toEqual([]);
  });

  it("never pushes an active session", () => {
    const q = run(emptyQueue(), [{ type: "session.start", sessionId: id(1), pr: PR, at: T0 }]);
    expect(pending(q)).toEqual([]);
    expect(pushDue(q, T0 + 10 * PUSH_DELAY_MS, true)).toBe(false);
  });
});

describe("recoverActive", () => {
  it("ends a lost session at its last heartbeat, keeping the running one", () => {
    let q = run(emptyQueue(), [
      { type: "session.start", sessionId: id(1), pr: PR, at: T0 },
      { type: "session.heartbeat", sessionId: id(1), at: T0 + 120_000 },
      { type: "session.start", sessionId: id(2), pr: PR, at: T0 + 200_000 },
    ]);
    q = recoverActive(q, id(2), T0 + 3600_000);
    expect(q.sessions[0]).toMatchObject({ status: "abandoned", endedAt: T0 + 120_000, updatedAt: T0 + 3600_000 });
    expect(q.sessions[1]).toMatchObject({ status: "active", endedAt: null });
    expect(recoverActive(q, id(2), T0 + 3700_000)).toBe(q);
  });
});

describe("batching", () => {
  it("waits PUSH_DELAY_MS after the oldest end, unless forced", () => {
    const q = run(emptyQueue(), session(1, T0, T0 + 60_000));
    expect(pushDue(q, T0 + 60_000 + PUSH_DELAY_MS - 1)).toBe(false);
    expect(pushDue(q, T0 + 60_000 + PUSH_DELAY_MS)).toBe(true);
    expect(pushDue(q, T0 + 60_000, true)).toBe(true);
  });

  it("sends at most MAX_PUSH_BATCH sessions, oldest first, and a full batch at once", () => {
    let q = emptyQueue();
    const n = MAX_PUSH_BATCH + 20;
    for (let i = n; i >= 1; i--) q = run(q, session(i, T0 + i * 60_000, T0 + i * 60_000 + 30_000));
    const end = T0 + n * 60_000 + 30_000;
    expect(pushDue(q, end)).toBe(true);
    const first = nextBatch(q);
    expect(first).toHaveLength(MAX_PUSH_BATCH);
    expect(first[0]!.id).toBe(id(1));
    q = markPushed(q, first, { accepted: first.map((s) => s.id), rejected: [] });
    const second = nextBatch(q);
    expect(second.map((s) => s.id)).toEqual(Array.from({ length: 20 }, (_, i) => id(MAX_PUSH_BATCH + 1 + i)));
    q = markPushed(q, second, { accepted: second.map((s) => s.id), rejected: [] });
    expect(pending(q)).toEqual([]);
    expect(nextBatch(q)).toEqual([]);
  });
});

describe("markPushed", () => {
  it("marks synced only the accepted ids at the version sent", () => {
    let q = run(emptyQueue(), [...session(1, T0, T0 + 60_000), ...session(2, T0 + 120_000, T0 + 180_000)]);
    const sent = nextBatch(q);
    // While the push was in flight, session 2 changed (recovered with a newer version).
    q = { ...q, sessions: q.sessions.map((s) => (s.id === id(2) ? { ...s, updatedAt: s.updatedAt + 5 } : s)) };
    q = markPushed(q, sent, { accepted: [id(1).toUpperCase(), id(2)], rejected: [] });
    expect(q.sessions.map((s) => s.synced)).toEqual([true, false]);
    expect(nextBatch(q).map((s) => s.id)).toEqual([id(2)]);
  });

  it("ignores accepted ids that were not sent", () => {
    let q = run(emptyQueue(), session(1, T0, T0 + 60_000));
    q = markPushed(q, [], { accepted: [id(1)], rejected: [] });
    expect(q.sessions[0]!.synced).toBe(false);
  });

  it("keeps a rejected session with the reason and does not send it again", () => {
    let q = run(emptyQueue(), [...session(1, T0, T0 + 60_000), ...session(2, T0 + 120_000, T0 + 180_000)]);
    q = markPushed(q, nextBatch(q), { accepted: [id(2)], rejected: [{ id: id(1), error: "repo_owner: invalid" }] });
    expect(q.sessions[0]).toMatchObject({ synced: false, rejected: "repo_owner: invalid" });
    expect(pending(q)).toEqual([]);
  });

  it("resets the backoff", () => {
    let q = run(emptyQueue(), session(1, T0, T0 + 60_000));
    q = markFailed(markFailed(q, T0), T0);
    q = markPushed(q, nextBatch(q), { accepted: [id(1)], rejected: [] });
    expect(q).toMatchObject({ failures: 0, nextPushAt: 0 });
  });
});

describe("offline", () => {
  it("backs off exponentially up to an hour, changing no entry", () => {
    expect([1, 2, 3, 7, 8, 50].map(pushBackoff)).toEqual([
      PUSH_BACKOFF_INITIAL_MS,
      2 * PUSH_BACKOFF_INITIAL_MS,
      4 * PUSH_BACKOFF_INITIAL_MS,
      PUSH_BACKOFF_MAX_MS,
      PUSH_BACKOFF_MAX_MS,
      PUSH_BACKOFF_MAX_MS,
    ]);
    const q = run(emptyQueue(), session(1, T0, T0 + 60_000));
    const now = T0 + PUSH_DELAY_MS + 60_000;
    const failed = markFailed(q, now);
    expect(failed.sessions).toBe(q.sessions);
    expect(pushDue(failed, now, true)).toBe(false);
    expect(pushDue(failed, now + PUSH_BACKOFF_INITIAL_MS - 1, true)).toBe(false);
    expect(pushDue(failed, now + PUSH_BACKOFF_INITIAL_MS)).toBe(true);
  });

  it("catches up after days offline, each session exactly once", () => {
    let q = emptyQueue();
    let now = T0;
    const server = new Map<string, number>();
    let pushes = 0;
    // Three days of 20 sessions a day; the server answers only on the last day.
    for (let day = 0; day < 3; day++) {
      for (let i = 0; i < 20; i++) {
        const n = day * 20 + i + 1;
        const start = T0 + day * 86_400_000 + i * 1_200_000;
        q = run(q, session(n, start, start + 600_000));
        now = start + 1_200_000;
        if (!pushDue(q, now)) continue;
        const batch = nextBatch(q);
        pushes++;
        if (day < 2) {
          q = markFailed(q, now);
          continue;
        }
        for (const s of batch) server.set(s.id, (server.get(s.id) ?? 0) + 1);
        q = markPushed(q, batch, { accepted: batch.map((s) => s.id), rejected: [] });
      }
    }
    now += PUSH_BACKOFF_MAX_MS;
    while (pushDue(q, now, true)) {
      const batch = nextBatch(q);
      for (const s of batch) server.set(s.id, (server.get(s.id) ?? 0) + 1);
      q = markPushed(q, batch, { accepted: batch.map((s) => s.id), rejected: [] });
    }
    expect(pending(q)).toEqual([]);
    expect(q.sessions.every((s) => s.synced)).toBe(true);
    expect(server.size).toBe(60);
    expect([...server.values()].every((n) => n === 1)).toBe(true);
    // Failed pushes back off: far fewer attempts than sessions.
    expect(pushes).toBeLessThan(40);
  });
});

describe("cost", () => {
  it("pushes the README's user-day (20 sessions, 09:00–17:00) in at most 33 requests, each session once", () => {
    let q = emptyQueue();
    const day = Date.UTC(2026, 10, 25, 9, 0, 0);
    const sent = new Map<string, number>();
    let pushes = 0;
    // 20 sessions of 12 minutes, one every 24 minutes; the alarm ticks every minute for 24 hours.
    const cmds = new Map<number, Command[]>();
    for (let i = 0; i < 20; i++) {
      const start = day + i * 24 * 60_000;
      cmds.set(start, [{ type: "session.start", sessionId: id(i + 1), pr: PR, at: start }]);
      cmds.set(start + 12 * 60_000, [{ type: "session.end", sessionId: id(i + 1), at: start + 12 * 60_000 }]);
    }
    for (let t = day; t < day + 86_400_000; t += 60_000) {
      q = run(q, cmds.get(t) ?? []);
      if (!pushDue(q, t)) continue;
      const batch = nextBatch(q);
      pushes++;
      for (const s of batch) sent.set(s.id, (sent.get(s.id) ?? 0) + 1);
      q = markPushed(q, batch, { accepted: batch.map((s) => s.id), rejected: [] });
    }
    expect(sent.size).toBe(20);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect(pushes).toBeLessThanOrEqual(33);
  });
});

describe("handover and totals", () => {
  it("hands over the unsynced ended sessions only, and removes them", () => {
    let q = run(emptyQueue(), [
      ...session(1, T0, T0 + 60_000),
      ...session(2, T0 + 120_000, T0 + 180_000),
      { type: "session.start", sessionId: id(3), pr: PR, at: T0 + 200_000 },
    ]);
    const sent = nextBatch(q).filter((s) => s.id === id(1));
    q = markPushed(q, sent, { accepted: [id(1)], rejected: [] });
    const h = forHandover(q);
    expect(h.map((s) => s.id)).toEqual([id(2)]);
    q = remove(q, [id(2).toUpperCase()]);
    expect(q.sessions.map((s) => s.id)).toEqual([id(1), id(3)]);
  });

  it("hands over in sessions.import messages of at most MAX_PUSH_BATCH, in the companion's fields", () => {
    let q = emptyQueue();
    for (let i = 1; i <= MAX_PUSH_BATCH + 3; i++) q = run(q, session(i, T0 + i * 60_000, T0 + i * 60_000 + 30_000));
    q = run(q, [{ type: "session.start", sessionId: id(9999), pr: PR, at: T0 }]);
    const batches = handoverBatches(q);
    expect(batches.map((b) => b.length)).toEqual([MAX_PUSH_BATCH, 3]);
    expect(batches[0]![0]).toEqual({
      id: id(1),
      repo_owner: "octo",
      repo_name: "hello",
      pr_number: 7,
      start_time: "2026-11-25T10:01:00Z",
      end_time: "2026-11-25T10:01:30Z",
    });
    expect(batches.flat().some((s) => s.id === id(9999))).toBe(false);
    expect(handoverBatches(emptyQueue())).toEqual([]);
  });

  it("sums today's time from the queue, the active session up to now", () => {
    const dayStart = T0;
    const q = run(emptyQueue(), [
      ...session(1, dayStart - 300_000, dayStart + 600_000), // 5 of its 15 minutes were yesterday
      ...session(2, dayStart + 3600_000, dayStart + 3660_000),
      { type: "session.start", sessionId: id(3), pr: PR, at: dayStart + 7200_000 },
    ]);
    expect(secondsSince(q, dayStart, dayStart + 7230_000)).toBe(600 + 60 + 30);
  });

  it("prunes synced sessions after KEEP_SYNCED_MS, never unsynced ones", () => {
    let q = run(emptyQueue(), [...session(1, T0, T0 + 60_000), ...session(2, T0, T0 + 60_000)]);
    q = markPushed(q, nextBatch(q).slice(0, 1), { accepted: [id(1)], rejected: [] });
    expect(prune(q, T0 + 60_000 + KEEP_SYNCED_MS)).toBe(q);
    expect(prune(q, T0 + 60_001 + KEEP_SYNCED_MS).sessions.map((s) => s.id)).toEqual([id(2)]);
  });
});

describe("readQueue", () => {
  it("round-trips through JSON", () => {
    const q = markFailed(run(emptyQueue(), [...session(1, T0, T0 + 60_000), { type: "session.start", sessionId: id(2), pr: PR, at: T0 }]), T0);
    expect(readQueue(JSON.parse(JSON.stringify(q)))).toEqual(q);
  });

  it.each([
    ["nothing", undefined],
    ["a string", "x"],
    ["no sessions", {}],
  ])("reads %s as an empty queue", (_name, v) => {
    expect(readQueue(v)).toEqual(emptyQueue());
  });

  it("drops entries that are not sessions", () => {
    const good = run(emptyQueue(), session(1, T0, T0 + 60_000)).sessions[0]!;
    const q = readQueue({
      sessions: [good, null, { ...good, id: 5 }, { ...good, status: "paused" }, { ...good, endedAt: T0 - 1 }, { ...good, status: "active" }],
      failures: -3,
      nextPushAt: "soon",
    });
    expect(q).toEqual({ sessions: [good], failures: 0, nextPushAt: 0 });
  });
});
