import { describe, expect, it } from "vitest";
import { loginOutcome, syncStateText } from "./sync";

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
});
