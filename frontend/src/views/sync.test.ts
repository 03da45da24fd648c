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

  it("says what sync has done since the daemon started", () => {
    const base = { state: "idle", pending: 0, quarantined: 0, last_success_at: null, last_error: "", next_attempt_at: null, server_url: "" };
    expect(syncProgressText({ ...base, sessions_pushed: 12, sessions_pulled: 3, requests: 4 })).toBe("12 sessions pushed, 3 pulled in 4 requests");
    expect(syncProgressText({ ...base, sessions_pushed: 1, sessions_pulled: 0, requests: 1 })).toBe("1 session pushed, 0 pulled in 1 request");
    expect(syncProgressText(null)).toBe("0 sessions pushed, 0 pulled in 0 requests");
  });
});
