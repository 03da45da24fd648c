import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BADGE_COLORS, type BadgeInput, ICON_PATHS, badgeFor, badgeText } from "../../src/lib/badge.js";

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const PR = { repoOwner: "octo", repoName: "hello", prNumber: 1 };
const PR_URL = "https://github.com/octo/hello/pull/1";
const base: BadgeInput = { connection: "connected", error: "", paused: false, idle: "active", tracking: null, focusedUrl: null, now: T0 };

describe("badgeText", () => {
  it.each([
    [0, "0m"],
    [59_999, "0m"],
    [60_000, "1m"],
    [59 * 60_000 + 59_999, "59m"],
    [60 * 60_000, "1h00"],
    [65 * 60_000, "1h05"],
    [9 * 3600_000 + 59 * 60_000, "9h59"],
    [10 * 3600_000, "10h"],
    [123 * 3600_000, "123h"],
    [-5_000, "0m"],
  ])("%i ms → %s", (ms, want) => {
    expect(badgeText(ms)).toBe(want);
  });
});

describe("badgeFor: one badge per state", () => {
  it.each<[string, Partial<BadgeInput>, string, string, string, RegExp]>([
    ["tracking", { tracking: { pr: PR, startedAt: T0 - 12 * 60_000 - 5_000 }, focusedUrl: PR_URL }, "tracking", "12m", BADGE_COLORS.tracking, /^WorkTime: tracking octo\/hello#1 for 12 min$/],
    ["paused", { paused: true, focusedUrl: PR_URL }, "paused", "||", BADGE_COLORS.quiet, /paused/],
    ["idle", { idle: "idle", focusedUrl: PR_URL }, "idle", "zz", BADGE_COLORS.quiet, /idle/],
    ["locked", { idle: "locked" }, "idle", "zz", BADGE_COLORS.quiet, /idle/],
    ["not on a pull request", { focusedUrl: "https://github.com/octo/hello" }, "not_pr", "", BADGE_COLORS.quiet, /not on a pull request/],
    ["no window focused", {}, "not_pr", "", BADGE_COLORS.quiet, /not on a pull request/],
    ["connecting", { connection: "connecting" }, "connecting", "…", BADGE_COLORS.quiet, /connecting/],
    ["companion not installed", { connection: "not_installed", focusedUrl: PR_URL }, "not_installed", "!", BADGE_COLORS.problem, /not installed — octo\/hello#1 is not being recorded\. .*worktimed install/],
    ["companion refused", { connection: "forbidden" }, "refused", "!", BADGE_COLORS.problem, /refused this extension\. /],
    ["a refused start", { error: "the companion refused to record: unavailable: the local store cannot be used", focusedUrl: PR_URL }, "error", "err", BADGE_COLORS.error, /^WorkTime: the companion refused to record: unavailable: the local store cannot be used — octo\/hello#1 is not being recorded\.$/],
    ["the companion exited", { connection: "disconnected", error: "Native host has exited." }, "error", "err", BADGE_COLORS.error, /Native host has exited/],
    ["excluded", { focusedUrl: PR_URL, excluded: 'octo/hello is dont_track by the rule "octo" ([[rules.repo]] in config.toml)' }, "excluded", "off", BADGE_COLORS.quiet, /^WorkTime: octo\/hello#1 is excluded — nothing is recorded \(octo\/hello is dont_track by the rule "octo" .*\)\. To track it again: worktimed rules remove, or the dashboard's Settings\.$/],
    ["excluded while away", { focusedUrl: PR_URL, idle: "idle", excluded: "" }, "excluded", "off", BADGE_COLORS.quiet, /excluded — nothing is recorded\. To track/],
    ["excluded said of a page that is no pull request", { focusedUrl: "https://github.com/octo/hello", excluded: "x" }, "not_pr", "", BADGE_COLORS.quiet, /not on a pull request/],
    ["reconnecting after a failure", { connection: "connecting", error: "unavailable: the local store cannot be used" }, "error", "err", BADGE_COLORS.error, /cannot be used/],
  ])("%s", (_n, input, state, text, color, title) => {
    const b = badgeFor({ ...base, ...input });
    expect(b).toMatchObject({ state, text, color, icon: state === "tracking" ? "active" : "inactive" });
    expect(b.title).toMatch(title);
  });

  it("the icon files are the manifest's for the active icon and the build's inactive ones", () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, "../../static/manifest.json"), "utf8"));
    expect(ICON_PATHS.active).toEqual(manifest.action.default_icon);
    expect(Object.values(ICON_PATHS.inactive)).toEqual([16, 32, 48, 128].map((n) => `icons/icon-inactive-${n}.png`));
  });

  it("a problem with the companion wins over pause and idle", () => {
    expect(badgeFor({ ...base, connection: "not_installed", paused: true, idle: "idle" }).state).toBe("not_installed");
    expect(badgeFor({ ...base, connection: "forbidden", paused: true }).state).toBe("refused");
    expect(badgeFor({ ...base, error: "boom", paused: true }).state).toBe("error");
  });

  it("pause and a problem with the companion win over excluded; excluded is not an error", () => {
    const excluded = { focusedUrl: PR_URL, excluded: "rule" };
    expect(badgeFor({ ...base, ...excluded, paused: true }).state).toBe("paused");
    expect(badgeFor({ ...base, ...excluded, connection: "not_installed" }).state).toBe("not_installed");
    expect(badgeFor({ ...base, ...excluded, excluded: null }).state).toBe("not_pr");
  });

  it("a session that runs wins over an old error (the companion accepted it since)", () => {
    expect(badgeFor({ ...base, error: "boom", tracking: { pr: PR, startedAt: T0 } }).state).toBe("tracking");
  });

  it("the minute count moves with the clock", () => {
    const tracking = { pr: PR, startedAt: T0 };
    expect(badgeFor({ ...base, tracking, now: T0 + 59_000 }).text).toBe("0m");
    expect(badgeFor({ ...base, tracking, now: T0 + 61_000 }).text).toBe("1m");
    expect(badgeFor({ ...base, tracking, now: T0 + 75 * 60_000 }).text).toBe("1h15");
  });
});
