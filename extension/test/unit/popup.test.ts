import { describe, expect, it } from "vitest";
import { formatShort, goalLines, weekStartMs } from "../../src/lib/goal.js";
import { dontTrackLabel, excludedNote } from "../../src/lib/excluded.js";
import type { StatsSummary } from "../../src/lib/protocol.js";

// Wednesday 2026-11-25, 15:00 local time.
const NOW = new Date(2026, 10, 25, 15, 0, 0).getTime();
const summary = (s: Partial<StatsSummary>): StatsSummary => ({
  today_seconds: 0,
  week_seconds: 0,
  daily_goal_seconds: 0,
  weekly_goal_seconds: 0,
  days: [],
  repos: [],
  ...s,
});

describe("formatShort", () => {
  it.each([
    [0, "0m"],
    [59, "0m"],
    [45 * 60, "45m"],
    [4 * 3600, "4h"],
    [80 * 60 + 59, "1h 20m"],
    [-10, "0m"],
    [Number.NaN, "0m"],
  ])("%d s → %s", (secs, want) => expect(formatShort(secs)).toBe(want));
});

describe("goalLines", () => {
  it("no goal, no line", () => {
    expect(goalLines(summary({ today_seconds: 3600, week_seconds: 7200 }), null, NOW)).toEqual([]);
  });

  it("a daily goal: 1h 20m of 4h today, a third of the bar", () => {
    const lines = goalLines(summary({ today_seconds: 80 * 60, week_seconds: 10 * 3600, daily_goal_seconds: 4 * 3600 }), null, NOW);
    expect(lines).toEqual([{ period: "today", done: 4800, goal: 14400, fraction: 4800 / 14400, text: "1h 20m of 4h today" }]);
  });

  it("both goals; the running session counts towards both", () => {
    const active = NOW - 10 * 60_000;
    const lines = goalLines(
      summary({ today_seconds: 3600, week_seconds: 5 * 3600, daily_goal_seconds: 2 * 3600, weekly_goal_seconds: 20 * 3600 }),
      active,
      NOW,
    );
    expect(lines.map((l) => l.text)).toEqual(["1h 10m of 2h today", "5h 10m of 20h this week"]);
    expect(lines[1]!.fraction).toBeCloseTo(310 / 1200);
  });

  it("a goal reached fills the bar and says so", () => {
    const [l] = goalLines(summary({ today_seconds: 5 * 3600, daily_goal_seconds: 4 * 3600 }), null, NOW);
    expect(l).toMatchObject({ fraction: 1, text: "5h of 4h today — goal reached" });
  });

  it("a session running since before midnight counts from midnight today and from Monday this week", () => {
    const sinceYesterday = new Date(2026, 10, 24, 23, 0, 0).getTime();
    const lines = goalLines(summary({ daily_goal_seconds: 3600 * 24, weekly_goal_seconds: 3600 * 100 }), sinceYesterday, NOW);
    expect(lines.map((l) => l.done)).toEqual([15 * 3600, 16 * 3600]);
  });

  it("weeks start on Monday at local midnight", () => {
    expect(weekStartMs(NOW)).toBe(new Date(2026, 10, 23).getTime());
    expect(weekStartMs(new Date(2026, 10, 29, 23, 59).getTime())).toBe(new Date(2026, 10, 23).getTime()); // Sunday
    expect(weekStartMs(new Date(2026, 10, 30, 0, 0).getTime())).toBe(new Date(2026, 10, 30).getTime()); // Monday
  });
});

describe("excluded note", () => {
  const pr = { repoOwner: "octo", repoName: "app", prNumber: 42 };
  it("names the rule to remove", () => {
    const n = excludedNote(pr, { reason: 'octo/app is dont_track by the rule "octo" ([[rules.repo]] in config.toml)', match: "octo" });
    expect(n.title).toBe("octo/app is not tracked");
    expect(n.why).toMatch(/^Your rules keep octo\/app out of tracking: nothing is recorded or sent\. \(octo\/app is dont_track by the rule "octo"/);
    expect(n.undo).toBe("To track it again: worktimed rules remove octo, or remove the rule in the dashboard's Settings.");
  });
  it("an allow list's default: add a track rule", () => {
    expect(excludedNote(pr, { reason: "", match: "" }).undo).toBe(
      "To track it again: worktimed rules add octo/app --action track, or change the rules in the dashboard's Settings.",
    );
  });
  it("the actions name the repository and the organisation", () => {
    expect(dontTrackLabel(pr, "repo")).toBe("Don't track octo/app");
    expect(dontTrackLabel(pr, "org")).toBe("Don't track any repository of octo");
  });
});
