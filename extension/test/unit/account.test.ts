import { describe, expect, it } from "vitest";
import {
  KEYS,
  hasAccount,
  loginUrl,
  originPattern,
  parsePushReply,
  parseRedirect,
  parseServerUrl,
  parseSignIn,
  readAccount,
  readMode,
} from "../../src/lib/account.js";

const REDIRECT = "https://bgjaichghhjgafncimbkcknkmplbcdmi.chromiumapp.org/";
const NOW = Date.UTC(2026, 10, 25, 10, 0, 0);

describe("parseServerUrl", () => {
  it.each([
    ["https://worktime.example.workers.dev", "https://worktime.example.workers.dev"],
    ["  https://worktime.example.workers.dev/ ", "https://worktime.example.workers.dev"],
    ["http://127.0.0.1:8787", "http://127.0.0.1:8787"],
    ["http://localhost:8787/", "http://localhost:8787"],
  ])("accepts %s", (input, server) => {
    expect(parseServerUrl(input)).toEqual({ server });
  });

  it.each([
    ["", "Enter the server's address"],
    ["worktime.example", "Enter the server's address"],
    ["http://worktime.example.workers.dev", "must start with https://"],
    ["ftp://127.0.0.1", "must start with https://"],
    ["https://worktime.example/api", "without a path"],
    ["https://worktime.example/?x=1", "without a path"],
    ["https://user:pw@worktime.example", "without a path"],
  ])("refuses %j", (input, message) => {
    const r = parseServerUrl(input);
    expect("error" in r && r.error).toContain(message);
  });
});

describe("the web flow", () => {
  it("asks for the server's origin only", () => {
    expect(originPattern("https://worktime.example.workers.dev")).toBe("https://worktime.example.workers.dev/*");
    expect(originPattern("http://127.0.0.1:8787")).toBe("http://127.0.0.1/*");
  });

  it("starts at the worker's login with the extension's redirect", () => {
    expect(loginUrl("http://127.0.0.1:8787", REDIRECT)).toBe(
      "http://127.0.0.1:8787/auth/github/login?redirect_uri=https%3A%2F%2Fbgjaichghhjgafncimbkcknkmplbcdmi.chromiumapp.org%2F",
    );
  });

  it("reads code and state from GitHub's redirect", () => {
    expect(parseRedirect(`${REDIRECT}?code=abc&state=s1`, REDIRECT)).toEqual({ code: "abc", state: "s1" });
  });

  it.each([
    [`${REDIRECT}?error=access_denied&error_description=The+user+has+denied+your+application+access.`, "GitHub refused the sign-in: The user has denied"],
    [`${REDIRECT}?state=s1`, "no code"],
    [`${REDIRECT}?code=abc`, "no code"],
    ["https://evil.example/?code=abc&state=s1", "unexpected address"],
    ["not a url", "no address"],
  ])("refuses %s", (url, message) => {
    const r = parseRedirect(url, REDIRECT);
    expect("error" in r && r.error).toContain(message);
  });
});

describe("parseSignIn and readAccount", () => {
  const reply = { jwt: "h.p.s", expires_at: "2026-12-02T10:00:00.000Z", user: { id: 1, login: "octo" } };

  it("keeps the token, its expiry and the login", () => {
    const a = parseSignIn("http://127.0.0.1:8787", reply);
    expect(a).toEqual({ server: "http://127.0.0.1:8787", jwt: "h.p.s", expiresAt: "2026-12-02T10:00:00.000Z", login: "octo" });
    expect(readAccount({ [KEYS.account]: a }, NOW)).toEqual(a);
  });

  it.each([
    ["no body", null, "no token"],
    ["no jwt", { ...reply, jwt: "" }, "no token"],
    ["no user", { jwt: "x", expires_at: reply.expires_at }, "no token"],
    ["no login", { ...reply, user: {} }, "names no user"],
    ["a bad expiry", { ...reply, expires_at: "soon" }, "no valid expiry"],
  ])("refuses a reply with %s", (_name, body, message) => {
    expect(() => parseSignIn("https://w.example", body)).toThrow(message);
  });

  it("forgets an expired or malformed account", () => {
    const a = parseSignIn("https://w.example", reply);
    expect(readAccount({ [KEYS.account]: a }, Date.parse(reply.expires_at))).toBeNull();
    // Signed in all the same: recording goes on, pushing waits for a sign-in.
    expect(hasAccount({ [KEYS.account]: a })).toBe(true);
    expect(hasAccount({ [KEYS.account]: { ...a, jwt: 3 } })).toBe(false);
    expect(readAccount({ [KEYS.account]: { ...a, jwt: 3 } }, NOW)).toBeNull();
    expect(readAccount({}, NOW)).toBeNull();
  });
});

describe("readMode", () => {
  it("is auto unless direct was chosen", () => {
    expect(readMode({})).toBe("auto");
    expect(readMode({ [KEYS.mode]: "companion" })).toBe("auto");
    expect(readMode({ [KEYS.mode]: "direct" })).toBe("direct");
  });
});

describe("parsePushReply", () => {
  it("keeps the ids and reasons", () => {
    expect(parsePushReply({ accepted: ["a", 3], rejected: [{ id: "b", error: "bad" }, { id: "c" }, "x"], cursor: "c1.1" })).toEqual({
      accepted: ["a"],
      rejected: [
        { id: "b", error: "bad" },
        { id: "c", error: "rejected" },
      ],
    });
  });

  it("refuses a reply without the lists", () => {
    expect(() => parsePushReply({ error: { code: "internal" } })).toThrow("no accepted and rejected lists");
  });
});
