import { describe, expect, it } from "vitest";
import { goalProgress, resolveRange, weekdayBreakdown, weeklySummary, weekStart } from "./ranges";
import type { Stats } from "./types";

describe("resolveRange", () => {
  // Thursday 3 December 2026.
  const today = "2026-12-03";
  it.each([
    [{ kind: "days", days: 7 } as const, "2026-11-27", "2026-12-03", 7, "last 7 days"],
    [{ kind: "days", days: 90 } as const, "2026-09-05", "2026-12-03", 90, "last 90 days"],
    [{ kind: "week" } as const, "2026-11-30", "2026-12-03", 4, "this week"],
    [{ kind: "last-month" } as const, "2026-11-01", "2026-11-30", 30, "November 2026"],
    [{ kind: "custom", first: "2026-10-05", last: "2026-10-18" } as const, "2026-10-05", "2026-10-18", 14, "2026-10-05 to 2026-10-18"],
  ])("%j", (spec, first, last, days, label) => {
    expect(resolveRange(spec, today)).toEqual({ first, last, days, label });
  });

  it("takes last month across a year end and a leap February", () => {
    expect(resolveRange({ kind: "last-month" }, "2027-01-15")).toMatchObject({ first: "2026-12-01", last: "2026-12-31", days: 31, label: "December 2026" });
    expect(resolveRange({ kind: "last-month" }, "2028-03-01")).toMatchObject({ first: "2028-02-01", last: "2028-02-29", days: 29 });
  });

  it("starts this week on Monday, also on a Monday and a Sunday", () => {
    expect(weekStart("2026-11-30")).toBe("2026-11-30");
    expect(weekStart("2026-12-06")).toBe("2026-11-30");
    expect(resolveRange({ kind: "week" }, "2026-11-30").days).toBe(1);
  });

  it.each([
    [{ kind: "custom", first: "2026-11-20", last: "2026-11-10" }, /after the last/],
    [{ kind: "custom", first: "2026-11-20", last: "2026-12-04" }, /after today/],
    [{ kind: "custom", first: "2025-01-01", last: "2026-12-01" }, /at most 366/],
    [{ kind: "custom", first: "", last: "2026-12-01" }, /invalid date/],
    [{ kind: "custom", first: "2026-11-31", last: "2026-12-01" }, /no such day/],
    [{ kind: "days", days: 0 }, /want 1 to 366/],
  ] as const)("rejects %j", (spec, re) => {
    expect(() => resolveRange(spec, today)).toThrow(re);
  });
});

describe("weekdayBreakdown", () => {
  it("adds up each weekday, Monday first, with the average per such day", () => {
    const w = resolveRange({ kind: "days", days: 14 }, "2026-12-06"); // Mon 23 Nov to Sun 6 Dec
    const rows = weekdayBreakdown(
      [
        { date: "2026-11-23", seconds: 3600, sessions: 1 }, // Mon
        { date: "2026-11-30", seconds: 1800, sessions: 1 }, // Mon
        { date: "2026-12-02", seconds: 600, sessions: 1 }, // Wed
        { date: "2026-10-01", seconds: 999, sessions: 1 }, // outside
      ],
      w,
    );
    expect(rows.map((r) => r.weekday)).toEqual(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
    expect(rows[0]).toEqual({ weekday: "Mon", seconds: 5400, days: 2, average: 2700 });
    expect(rows[2]).toEqual({ weekday: "Wed", seconds: 600, days: 2, average: 300 });
    expect(rows[6]).toEqual({ weekday: "Sun", seconds: 0, days: 2, average: 0 });
  });
});

describe("weeklySummary", () => {
  const stats = (days: [string, number][], prs: [string, number, number][] = []): Stats =>
    ({
      today_seconds: 0,
      week_seconds: 0,
      week_start: "",
      days: days.map(([date, seconds]) => ({ date, seconds, sessions: 1 })),
      repos: [],
      prs: prs.map(([repo, pr_number, seconds]) => ({ repo, pr_number, seconds })),
    }) as Stats;

  it("totals this week, compares it with last week and names the busiest day and pull request", () => {
    const s = weeklySummary(
      stats([["2026-11-30", 3600], ["2026-12-01", 7200], ["2026-12-02", 0]], [["acme/api", 15, 5400]]),
      stats([["2026-11-24", 3600 * 4]]),
      1800,
    );
    expect(s.total).toBe(3600 + 7200 + 1800);
    expect(s.daysWorked).toBe(2);
    expect(s.busiest).toEqual({ date: "2026-12-01", seconds: 7200 });
    expect(s.change).toBe("−12.5%");
    expect(s.text).toEqual(["3h 30m over 2 days", "last week 4h 00m (−12.5%)", "busiest day Tue 1: 2h 00m", "most time on acme/api#15: 1h 30m"]);
  });

  it("has no change against an empty last week", () => {
    const s = weeklySummary(stats([["2026-11-30", 60]]), stats([]));
    expect(s.change).toBeNull();
    expect(s.text).toEqual(["1m over 1 day", "last week 0m", "busiest day Mon 30: 1m"]);
  });
});

describe("goalProgress", () => {
  it.each([
    [6000, 4 * 3600, "1h 40m of 4h 00m (41.7%)", 41.666],
    [5 * 3600, 4 * 3600, "5h 00m of 4h 00m (125.0%)", 125],
  ])("%i s of %i s", (done, goal, text, pct) => {
    const g = goalProgress(done, goal)!;
    expect(g.text).toBe(text);
    expect(g.percent).toBeCloseTo(pct, 2);
  });
  it("is null without a goal", () => {
    expect(goalProgress(100, 0)).toBeNull();
    expect(goalProgress(100, undefined)).toBeNull();
  });
});
