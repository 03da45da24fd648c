import { describe, expect, it } from "vitest";
import { applyLocalFilter, isTimeZone, parsePRRef, parseSessionFilter, parseSettingsForm, settingsToForm, type SettingsForm } from "./filters";
import type { Session } from "./types";
import prrefCases from "../../internal/api/testdata/prrefs.json";

const blank = { repo: "", status: "", since: "", pr: "", limit: "" };

describe("parseSessionFilter", () => {
  it("builds the daemon query and the local PR filter", () => {
    expect(parseSessionFilter({ repo: " acme/api ", status: "completed", since: "2026-11-01", pr: "#12", limit: "50" })).toEqual({
      query: { repo: "acme/api", status: "completed", since: "2026-11-01", limit: 50 },
      pr: 12,
    });
    expect(parseSessionFilter(blank)).toEqual({ query: { repo: "", status: "", since: "", limit: 200 }, pr: null });
  });

  it.each([
    [{ ...blank, repo: "acme" }, /repository "acme"/],
    [{ ...blank, repo: "a/b/c" }, /repository/],
    [{ ...blank, status: "running" }, /status "running"/],
    [{ ...blank, since: "2026-02-31" }, /invalid date/],
    [{ ...blank, pr: "abc" }, /pull request "abc"/],
    [{ ...blank, pr: "0" }, /pull request "0"/],
    [{ ...blank, limit: "-1" }, /limit "-1"/],
    [{ ...blank, limit: "20000" }, /at most 10000/],
  ])("rejects %j", (form, re) => {
    expect(() => parseSessionFilter(form)).toThrow(re);
  });

  it("filters by pull request locally", () => {
    const mk = (pr: number) => ({ pr_number: pr }) as Session;
    const list = [mk(1), mk(2), mk(1)];
    expect(applyLocalFilter(list, parseSessionFilter({ ...blank, pr: "1" }))).toHaveLength(2);
    expect(applyLocalFilter(list, parseSessionFilter(blank))).toHaveLength(3);
    expect(applyLocalFilter(null, parseSessionFilter(blank))).toEqual([]);
  });
});

// The cases worktimed's Go parser is tested with: both read references alike.
const prrefs: {
  accept: { input: string; owner: string; name: string; number: number }[];
  reject: string[];
} = prrefCases;

describe("parsePRRef", () => {
  it("has the shared cases", () => {
    expect(prrefs.accept.length).toBeGreaterThan(0);
    expect(prrefs.reject.length).toBeGreaterThan(0);
  });

  it.each(prrefs.accept)("$input", ({ input, owner, name, number }) => {
    expect(parsePRRef(input)).toEqual({ repo_owner: owner, repo_name: name, pr_number: number });
  });

  it.each(prrefs.reject)("rejects %j", (input) => {
    expect(() => parsePRRef(input)).toThrow();
  });
});

describe("settings form", () => {
  const good: SettingsForm = {
    server_url: "https://wt.example.com/",
    time_zone: "Europe/Berlin",
    idle_timeout_minutes: "5",
    start_at_login: true,
    allowed_extension_ids: "abcdefghijklmnopabcdefghijklmnop\n, abcdefghijklmnopabcdefghijklmnop  ponmlkjihgfedcbaponmlkjihgfedcba",
  };

  it("converts to api.Settings", () => {
    expect(parseSettingsForm(good)).toEqual({
      server_url: "https://wt.example.com",
      time_zone: "Europe/Berlin",
      idle_timeout_seconds: 300,
      start_at_login: true,
      allowed_extension_ids: ["abcdefghijklmnopabcdefghijklmnop", "ponmlkjihgfedcbaponmlkjihgfedcba"],
    });
  });

  it("round-trips through the form", () => {
    const s = parseSettingsForm(good);
    expect(parseSettingsForm(settingsToForm(s))).toEqual(s);
    expect(settingsToForm({ server_url: "", time_zone: "", idle_timeout_seconds: 90, start_at_login: false, allowed_extension_ids: null }).idle_timeout_minutes).toBe("1.5");
  });

  it.each([
    [{ server_url: "not a url" }, /not a URL/],
    [{ server_url: "ftp://x.example" }, /want https/],
    [{ time_zone: "Mars/Olympus" }, /not an IANA time zone/],
    [{ idle_timeout_minutes: "" }, /idle timeout/],
    [{ idle_timeout_minutes: "0" }, /idle timeout/],
    [{ idle_timeout_minutes: "abc" }, /idle timeout/],
    [{ idle_timeout_minutes: "2000" }, /idle timeout/],
    [{ allowed_extension_ids: "xyz" }, /extension id "xyz"/],
    [{ allowed_extension_ids: "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP" }, /extension id/],
  ])("rejects %j", (patch, re) => {
    expect(() => parseSettingsForm({ ...good, ...patch })).toThrow(re);
  });

  it("accepts empty server and time zone", () => {
    const s = parseSettingsForm({ ...good, server_url: "", time_zone: "" });
    expect(s.server_url).toBe("");
    expect(s.time_zone).toBe("");
    expect(isTimeZone("UTC")).toBe(true);
  });
});
