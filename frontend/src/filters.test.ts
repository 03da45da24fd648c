import { describe, expect, it } from "vitest";
import { isTimeZone, pageInfo, pageText, parsePRRef, parseSessionFilter, parseSettingsForm, prURL, recentPRs, settingsToForm, type SettingsForm } from "./filters";
import type { Session } from "./types";
import prrefCases from "../../internal/api/testdata/prrefs.json";

const blank = { repo: "", status: "", since: "", pr: "", limit: "" };

describe("parseSessionFilter", () => {
  it("builds the daemon query, pull request and page included", () => {
    expect(parseSessionFilter({ repo: " acme/api ", status: "completed", since: "2026-11-01", pr: "#12", limit: "50" }, 100)).toEqual({
      repo: "acme/api",
      status: "completed",
      since: "2026-11-01",
      limit: 50,
      offset: 100,
      pr: 12,
      count: true,
    });
    expect(parseSessionFilter(blank)).toEqual({ repo: "", status: "", since: "", limit: 100, offset: 0, pr: 0, count: true });
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
    [{ ...blank, pr: "12" }, /choose its repository/],
  ])("rejects %j", (form, re) => {
    expect(() => parseSessionFilter(form)).toThrow(re);
  });

  it("rejects a negative offset", () => {
    expect(() => parseSessionFilter(blank, -100)).toThrow(/offset/);
  });
});

describe("pages of the sessions list", () => {
  it.each([
    [0, 100, 100, 100234, { from: 1, to: 100, total: 100234, prev: null, next: 100 }, "1–100 of 100,234 sessions"],
    [100, 100, 100, 100234, { from: 101, to: 200, total: 100234, prev: 0, next: 200 }, "101–200 of 100,234 sessions"],
    [100200, 100, 34, 100234, { from: 100201, to: 100234, total: 100234, prev: 100100, next: null }, "100,201–100,234 of 100,234 sessions"],
    [0, 100, 3, 3, { from: 1, to: 3, total: 3, prev: null, next: null }, "3 sessions"],
    [0, 100, 1, 1, { from: 1, to: 1, total: 1, prev: null, next: null }, "1 session"],
    [0, 100, 0, 0, { from: 0, to: 0, total: 0, prev: null, next: null }, "No sessions match."],
  ])("offset %i limit %i shown %i of %i", (offset, limit, shown, total, want, text) => {
    const p = pageInfo(offset, limit, shown, total);
    expect(p).toEqual(want);
    expect(pageText(p)).toBe(text);
  });
});

describe("recentPRs", () => {
  const mk = (repo: string, pr: number) => ({ repo_owner: repo.split("/")[0], repo_name: repo.split("/")[1], pr_number: pr }) as Session;
  it("lists the pull requests of the newest sessions first, each once", () => {
    const list = [mk("acme/api", 15), mk("acme/web", 7), mk("acme/api", 15), mk("tools/cli", 3), mk("acme/web", 8)];
    expect(recentPRs(list)).toEqual(["acme/api#15", "acme/web#7", "tools/cli#3", "acme/web#8"]);
    expect(recentPRs(list, 2)).toEqual(["acme/api#15", "acme/web#7"]);
    expect(recentPRs(null)).toEqual([]);
  });

  it("links a pull request to its page", () => {
    expect(prURL("acme/api", 15)).toBe("https://github.com/acme/api/pull/15");
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
    daily_goal_hours: "4",
    weekly_goal_hours: "17.5",
  };

  it("converts to api.Settings", () => {
    expect(parseSettingsForm(good)).toEqual({
      server_url: "https://wt.example.com",
      time_zone: "Europe/Berlin",
      idle_timeout_seconds: 300,
      start_at_login: true,
      allowed_extension_ids: ["abcdefghijklmnopabcdefghijklmnop", "ponmlkjihgfedcbaponmlkjihgfedcba"],
      daily_goal_seconds: 4 * 3600,
      weekly_goal_seconds: 17.5 * 3600,
    });
    expect(parseSettingsForm({ ...good, daily_goal_hours: "", weekly_goal_hours: "0" })).toMatchObject({ daily_goal_seconds: 0, weekly_goal_seconds: 0 });
  });

  it("round-trips through the form", () => {
    const s = parseSettingsForm(good);
    expect(parseSettingsForm(settingsToForm(s))).toEqual(s);
    expect(settingsToForm({ server_url: "", time_zone: "", idle_timeout_seconds: 90, start_at_login: false, allowed_extension_ids: null, daily_goal_seconds: 0, weekly_goal_seconds: 0 }).idle_timeout_minutes).toBe("1.5");
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
    [{ daily_goal_hours: "25" }, /daily goal "25"/],
    [{ daily_goal_hours: "-1" }, /daily goal/],
    [{ daily_goal_hours: "four" }, /daily goal/],
    [{ daily_goal_hours: "0.001" }, /daily goal/],
    [{ weekly_goal_hours: "169" }, /weekly goal "169"/],
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
