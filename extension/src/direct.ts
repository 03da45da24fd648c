/**
 * Direct mode: the session commands go to the queue in chrome.storage.local
 * and the ended sessions to the worker with the daemon's push (see
 * docs/extension.md, "Direct mode"). The queue's rules are in lib/queue.ts;
 * this class loads and stores it, one change at a time, and talks HTTP.
 */

import { type Account, KEYS, parsePushReply, readAccount } from "./lib/account.js";
import {
  type ImportedSession,
  type Queue,
  applyCommand,
  handoverBatches,
  markFailed,
  markPushed,
  nextBatch,
  pending,
  prune,
  pushDue,
  readQueue,
  recoverActive,
  remove,
  secondsSince,
} from "./lib/queue.js";
import type { Command } from "./lib/tracker.js";
import { newSessionId } from "./lib/uuid.js";

export interface DirectDeps {
  storage: chrome.storage.StorageArea;
  fetch: typeof fetch;
  now: () => number;
}

/** What the popup shows of direct mode. */
export interface DirectState {
  account: { login: string; server: string } | null;
  pending: number;
  /** the server's reason for the last failed push; "" after a good one */
  lastError: string;
}

export class DirectSync {
  // Every change of the queue waits for the one before: a read-modify-write
  // of chrome.storage.local must not interleave with another.
  private chain: Promise<unknown> = Promise.resolve();
  private lastError = "";
  private todayCache: { at: number; seconds: number } | null = null;

  constructor(private readonly deps: DirectDeps) {}

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.chain.then(f);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Queue> {
    const got = await this.deps.storage.get(KEYS.queue);
    return readQueue(got[KEYS.queue]);
  }

  private async save(q: Queue): Promise<void> {
    await this.deps.storage.set({ [KEYS.queue]: q });
  }

  async account(): Promise<Account | null> {
    return readAccount(await this.deps.storage.get(KEYS.account), this.deps.now());
  }

  /** record applies one tracker command to the stored queue. */
  record(c: Command): Promise<void> {
    return this.serial(async () => {
      const q = await this.load();
      const next = applyCommand(q, c);
      if (next !== q) await this.save(next);
    });
  }

  /** recover ends the sessions a stopped service worker left active, except keep. */
  recover(keep: string | null): Promise<void> {
    return this.serial(async () => {
      const q = await this.load();
      const next = recoverActive(q, keep, this.deps.now());
      if (next !== q) await this.save(next);
    });
  }

  private async deviceId(): Promise<string> {
    const got = await this.deps.storage.get(KEYS.deviceId);
    const id = got[KEYS.deviceId];
    if (typeof id === "string" && id !== "") return id;
    const minted = newSessionId();
    await this.deps.storage.set({ [KEYS.deviceId]: minted });
    return minted;
  }

  /**
   * push sends the next batch when one is due (force: without waiting for
   * the batching delay, still within the backoff). It returns the number of
   * sessions the server accepted.
   */
  push(force = false): Promise<number> {
    return this.serial(async () => {
      const now = this.deps.now();
      let q = prune(await this.load(), now);
      const account = await this.account();
      if (!pushDue(q, now, force)) return 0;
      if (account === null) {
        this.lastError = "the sign-in has expired: sign in again in Settings";
        return 0;
      }
      const batch = nextBatch(q);
      let accepted = 0;
      try {
        const res = await this.deps.fetch(new URL("/api/sync/push", account.server), {
          method: "POST",
          headers: { authorization: `Bearer ${account.jwt}`, "content-type": "application/json" },
          body: JSON.stringify({
            device_id: await this.deviceId(),
            time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
            sessions: batch,
          }),
        });
        if (res.status === 401) {
          // The token was revoked or the account deleted: it counts as
          // expired, so pushing waits for the next sign-in while recording goes on.
          await this.deps.storage.set({ [KEYS.account]: { ...account, expiresAt: new Date(now).toISOString() } });
          throw new Error("the server refused the sign-in: sign in again in Settings");
        }
        if (!res.ok) throw new Error(`the server answered ${res.status}`);
        const reply = parsePushReply(await res.json());
        q = markPushed(q, batch, reply);
        accepted = reply.accepted.length;
        this.lastError = "";
        this.todayCache = null;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        q = markFailed(q, now);
      }
      await this.save(q);
      return accepted;
    });
  }

  /**
   * handover gives the companion the queue's ended sessions the server has
   * not accepted (sessions.import through send) and forgets those it
   * accepted; the synced ones stay until pruned (the companion pulls them).
   * It returns the number handed over.
   */
  handover(send: (sessions: ImportedSession[]) => Promise<{ accepted: string[] }>): Promise<number> {
    return this.serial(async () => {
      let handed = 0;
      for (const batch of handoverBatches(await this.load())) {
        const reply = await send(batch);
        // Stored after every batch: a failure later loses nothing handed over already.
        const q = remove(await this.load(), reply.accepted);
        await this.save(q);
        handed += reply.accepted.length;
      }
      return handed;
    });
  }

  /**
   * todaySeconds is today's total: the server's (at most one request a
   * minute) plus what the queue holds that the server has not accepted,
   * or the queue alone when the server cannot be asked.
   */
  async todaySeconds(): Promise<{ seconds: number; from: "server" | "queue" }> {
    const now = this.deps.now();
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    const q = await this.load();
    const unsynced: Queue = { ...q, sessions: q.sessions.filter((s) => !s.synced) };
    const local = secondsSince(unsynced, midnight.getTime(), now);
    const account = await this.account();
    if (account !== null) {
      if (this.todayCache !== null && now - this.todayCache.at < 60_000) {
        return { seconds: this.todayCache.seconds + local, from: "server" };
      }
      try {
        const res = await this.deps.fetch(new URL("/api/stats/daily?days=1", account.server), {
          headers: { authorization: `Bearer ${account.jwt}` },
        });
        if (res.ok) {
          const body = (await res.json()) as { today_seconds?: unknown };
          if (typeof body.today_seconds === "number") {
            this.todayCache = { at: now, seconds: body.today_seconds };
            return { seconds: body.today_seconds + local, from: "server" };
          }
        }
      } catch {
        // offline: the queue's own total below
      }
    }
    return { seconds: secondsSince(q, midnight.getTime(), now), from: "queue" };
  }

  async state(): Promise<DirectState> {
    const a = await this.account();
    const q = await this.load();
    return {
      account: a === null ? null : { login: a.login, server: a.server },
      pending: pending(q).length,
      lastError: this.lastError,
    };
  }
}
