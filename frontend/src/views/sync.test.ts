import { describe, expect, it } from "vitest";
import { loginOutcome, syncProgressText, syncStateText } from "./sync";

describe("sync view logic", () => {
  it.each([
    ["idle", "Up to date"],
    ["backoff", "Waiting to retry"],
    ["sign_in_required", "Sign-in required"],
    ["something_new", "something_new"],
  ])("state %s reads %j", (state, text) => expect(syncStateText(state)).toBe(text));

  it.each([
    [{ state: "pending" }, null],
    [{ state: "signed_in", login: "octocat" }, { message: "Signed in as octocat.", kind: "info" }],
    [{ state: "failed", error: "access_denied" }, { message: "Sign-in failed: access_denied", kind: "error" }],
    [{ state: "idle" }, { message: "The sign-in was cancelled.", kind: "error" }],
  ])("login %j → %j", (s, want) => expect(loginOutcome(s)).toEqual(want));

  it("says what the current or last sync run did", () => {
    const base = { state: "idle", pending: 0, quarantined: 0, last_success_at: null, last_error: "", next_attempt_at: null, server_url: "" };
    const run = (pushed: number, pulled: number, requests: number) => ({ started_at: "2026-12-03T07:00:00Z", pushed, pulled, requests });
    expect(syncProgressText({ ...base, run: run(12, 3, 4) })).toBe("12 sessions pushed, 3 pulled in 4 requests");
    expect(syncProgressText({ ...base, run: run(1, 0, 1) })).toBe("1 session pushed, 0 pulled in 1 request");
    expect(syncProgressText({ ...base, run: null })).toBe("none yet");
    expect(syncProgressText(null)).toBe("none yet");
  });
});
