import { describe, expect, it } from "vitest";
import { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, backoffDelay } from "../../src/lib/backoff.js";
import { elapsedSeconds, formatDuration, formatLocalTime, todayTotal } from "../../src/lib/format.js";
import { classifyDisconnect, commandRequest, parseReply, rfc3339, RemoteError, rulesRequest } from "../../src/lib/protocol.js";
import { DEFAULT_SETTINGS, parseIdleMinutes, readSettings } from "../../src/lib/settings.js";
import { newSessionId, uuidv7 } from "../../src/lib/uuid.js";

describe("uuidv7", () => {
  it("lays out time, version and variant", () => {
    const id = uuidv7(0x0192_3456_789a, new Uint8Array(10).fill(0xff));
    expect(id).toBe("01923456-789a-7fff-bfff-ffffffffffff");
  });
  it("sorts by time", () => {
    const r = new Uint8Array(10);
    expect(uuidv7(1000, r) < uuidv7(1001, r)).toBe(true);
  });
  it("newSessionId is a v7 UUID and unique", () => {
    const a = newSessionId();
    const b = newSessionId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
  it.each([
    ["negative time", -1, 10],
    ["fractional time", 1.5, 10],
    ["time beyond 48 bits", 2 ** 48, 10],
    ["too few random bytes", 0, 9],
  ])("rejects %s", (_n, t, len) => {
    expect(() => uuidv7(t, new Uint8Array(len))).toThrow(RangeError);
  });
});

describe("backoffDelay", () => {
  it.each([
    [0, BACKOFF_INITIAL_MS],
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [6, BACKOFF_MAX_MS],
    [1000, BACKOFF_MAX_MS],
    [-3, BACKOFF_INITIAL_MS],
    [NaN, BACKOFF_INITIAL_MS],
  ])("attempt %s waits %s ms", (attempt, want) => {
    expect(backoffDelay(attempt)).toBe(want);
  });
});

describe("settings", () => {
  it.each([
    ["nothing stored", undefined, DEFAULT_SETTINGS],
    ["empty", {}, DEFAULT_SETTINGS],
    ["valid", { idleThresholdSeconds: 300, paused: true }, { idleThresholdSeconds: 300, paused: true }],
    ["threshold too small", { idleThresholdSeconds: 5 }, DEFAULT_SETTINGS],
    ["threshold too large", { idleThresholdSeconds: 10 ** 9 }, DEFAULT_SETTINGS],
    ["threshold a string", { idleThresholdSeconds: "300" }, DEFAULT_SETTINGS],
    ["threshold fractional", { idleThresholdSeconds: 30.5 }, DEFAULT_SETTINGS],
    ["paused a string", { paused: "yes" }, DEFAULT_SETTINGS],
  ])("readSettings: %s", (_n, stored, want) => {
    expect(readSettings(stored as Record<string, unknown> | undefined)).toEqual(want);
  });

  it.each([
    ["2", { seconds: 120 }],
    [" 0.5 ", { seconds: 30 }],
    ["0.25", { seconds: 15 }],
    ["240", { seconds: 14_400 }],
    ["0.2", { error: "The idle threshold must be at least 15 seconds." }],
    ["241", { error: "The idle threshold must be at most 4 hours." }],
    ["", { error: "Enter a number of minutes, such as 2 or 0.5." }],
    ["two", { error: "Enter a number of minutes, such as 2 or 0.5." }],
    ["-2", { error: "Enter a number of minutes, such as 2 or 0.5." }],
    ["1e3", { error: "Enter a number of minutes, such as 2 or 0.5." }],
  ])("parseIdleMinutes(%j)", (input, want) => {
    expect(parseIdleMinutes(input)).toEqual(want);
  });
});

describe("format", () => {
  it.each([
    [0, "0:00:00"],
    [59, "0:00:59"],
    [61, "0:01:01"],
    [3600, "1:00:00"],
    [36000 + 61, "10:01:01"],
    [-5, "0:00:00"],
    [NaN, "0:00:00"],
    [1.9, "0:00:01"],
  ])("formatDuration(%s) = %s", (s, want) => {
    expect(formatDuration(s)).toBe(want);
  });

  it("elapsedSeconds", () => {
    const now = Date.parse("2026-11-25T10:00:30Z");
    expect(elapsedSeconds("2026-11-25T10:00:00Z", now)).toBe(30);
    expect(elapsedSeconds(now - 1500, now)).toBe(1);
    expect(elapsedSeconds("2026-11-25T11:00:00Z", now)).toBe(0);
    expect(elapsedSeconds("not a date", now)).toBe(0);
  });

  it("todayTotal adds the running session's part since local midnight", () => {
    const midnight = new Date(2026, 10, 25, 0, 0, 0).getTime();
    const now = midnight + 10 * 3600_000;
    expect(todayTotal(100, null, now)).toBe(100);
    expect(todayTotal(100, now - 60_000, now)).toBe(160);
    // a session that began yesterday counts from midnight
    expect(todayTotal(0, midnight - 3600_000, now)).toBe(10 * 3600);
    expect(todayTotal(-4, null, now)).toBe(0);
  });
});

describe("formatLocalTime", () => {
  it.each([
    ["2026-11-25T10:00:00Z", "UTC", "2026-11-25 10:00 UTC"],
    ["2026-11-25T10:00:00Z", "Europe/Berlin", "2026-11-25 11:00 GMT+1"],
    ["2026-07-01T10:00:00Z", "Europe/Berlin", "2026-07-01 12:00 GMT+2"],
    // The local date, not the UTC one.
    ["2026-11-26T02:30:00Z", "America/New_York", "2026-11-25 21:30 EST"],
    ["2026-11-25T23:59:59Z", "Asia/Kolkata", "2026-11-26 05:29 GMT+5:30"],
  ])("%s in %s is %s", (t, zone, want) => {
    expect(formatLocalTime(t, zone)).toBe(want);
    expect(formatLocalTime(Date.parse(t), zone)).toBe(want);
  });

  it("renders an unreadable time as nothing", () => {
    expect(formatLocalTime("yesterday", "UTC")).toBe("");
    expect(formatLocalTime(NaN, "UTC")).toBe("");
  });
});

describe("protocol", () => {
  it("rfc3339 renders whole seconds in UTC, rounding down", () => {
    expect(rfc3339(Date.parse("2026-11-25T10:00:00.999Z"))).toBe("2026-11-25T10:00:00Z");
  });

  it("commandRequest builds protocol v1 requests", () => {
    const at = Date.parse("2026-11-25T10:00:00Z");
    expect(
      commandRequest({ type: "session.start", sessionId: "u1", pr: { repoOwner: "o", repoName: "r", prNumber: 3 }, at }),
    ).toEqual({
      type: "session.start",
      session_id: "u1",
      repo_owner: "o",
      repo_name: "r",
      pr_number: 3,
      at: "2026-11-25T10:00:00Z",
    });
    expect(commandRequest({ type: "session.heartbeat", sessionId: "u1", at })).toEqual({
      type: "session.heartbeat",
      session_id: "u1",
      at: "2026-11-25T10:00:00Z",
    });
    expect(commandRequest({ type: "session.end", sessionId: "u1", at })).toEqual({
      type: "session.end",
      session_id: "u1",
      at: "2026-11-25T10:00:00Z",
    });
  });

  it("rulesRequest builds rules.check and the popup's rules.add for the repository or its organisation", () => {
    const pr = { repoOwner: "octo", repoName: "app", prNumber: 7 };
    expect(rulesRequest(pr)).toEqual({ type: "rules.check", repo_owner: "octo", repo_name: "app" });
    expect(rulesRequest(pr, { action: "dont_track", scope: "org" })).toEqual({
      type: "rules.add",
      repo_owner: "octo",
      repo_name: "app",
      action: "dont_track",
      scope: "org",
    });
  });

  it("RemoteError keeps the companion's code and message apart", () => {
    const e = new RemoteError({ code: "excluded", message: "start: octo/app is excluded" });
    expect([e.code, e.remoteMessage, e.message]).toEqual(["excluded", "start: octo/app is excluded", "excluded: start: octo/app is excluded"]);
  });

  it.each([
    ["ok", { id: 1, ok: true, session: null }, { id: 1, ok: true, session: null }],
    ["string id", { id: "a", ok: true }, { id: "a", ok: true }],
    [
      "error",
      { id: 2, ok: false, error: { code: "not_found", message: "no session" } },
      { id: 2, ok: false, error: { code: "not_found", message: "no session" } },
    ],
    [
      "error with null id and no message",
      { id: null, ok: false, error: { code: "bad_request" } },
      { id: null, ok: false, error: { code: "bad_request", message: "" } },
    ],
    ["not an object", "hello", null],
    ["array", [1], null],
    ["null", null, null],
    ["no ok", { id: 1 }, null],
    ["ok not boolean", { id: 1, ok: "true" }, null],
    ["object id", { id: {}, ok: true }, null],
    ["error without object", { id: 1, ok: false, error: "boom" }, null],
    ["error without code", { id: 1, ok: false, error: { message: "x" } }, null],
  ])("parseReply: %s", (_n, msg, want) => {
    expect(parseReply(msg)).toEqual(want);
  });

  it("RemoteError keeps the code", () => {
    const e = new RemoteError({ code: "conflict", message: "already ended" });
    expect(e.code).toBe("conflict");
    expect(e.message).toBe("conflict: already ended");
    expect(e).toBeInstanceOf(Error);
  });

  it.each([
    ["Specified native messaging host not found.", "not_installed"],
    ["No such native application com.worktime.host", "not_installed"],
    ["Access to the specified native messaging host is forbidden.", "forbidden"],
    ["Native host has exited.", "exited"],
    ["Error when communicating with the native messaging host.", "other"],
    [undefined, "other"],
  ])("classifyDisconnect(%j) = %s", (msg, want) => {
    expect(classifyDisconnect(msg)).toBe(want);
  });
});
