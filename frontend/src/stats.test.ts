import { describe, expect, it } from "vitest";
import { activeElapsed, activeSecondsToday, chartSeries, prBreakdown, rangeTotal, repoBreakdown, startOfLocalDay, todayTotal } from "./stats";
import type { Session, Stats } from "./types";

function session(start: string, status: Session["status"] = "active"): Session {
  return { id: "s1", repo_owner: "acme", repo_name: "api", pr_number: 7, start_time: start, end_time: null, duration_seconds: 0, status, device_id: "d" };
}

describe("chartSeries", () => {
  it("fills missing days with zero and keeps the window order", () => {
    const s = chartSeries(
      [
        { date: "2026-11-25", seconds: 3600, sessions: 2 },
        { date: "2026-11-23", seconds: 1800, sessions: 1 },
        { date: "2026-11-10", seconds: 999, sessions: 1 }, // outside a 7-day window
      ],
      7,
      "2026-11-25",
    );
    expect(s.dates).toEqual(["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]);
    expect(s.seconds).toEqual([0, 0, 0, 0, 1800, 0, 3600]);
    expect(s.hours).toEqual([0, 0, 0, 0, 0.5, 0, 1]);
    expect(s.labels[6]).toBe("Wed 25");
    expect(rangeTotal(s)).toBe(5400);
  });

  it.each([7, 30, 90])("has one bar per day for %i days, across month ends", (n) => {
    const s = chartSeries(null, n, "2026-03-02");
    expect(s.dates).toHaveLength(n);
    expect(s.dates[n - 1]).toBe("2026-03-02");
    expect(new Set(s.dates).size).toBe(n);
    expect(s.dates).toContain("2026-02-28");
  });

  it("adds up duplicate dates", () => {
    const s = chartSeries(
      [
        { date: "2026-11-25", seconds: 10, sessions: 1 },
        { date: "2026-11-25", seconds: 20, sessions: 1 },
      ],
      1,
      "2026-11-25",
    );
    expect(s.seconds).toEqual([30]);
  });

  it.each([0, -7, 2.5, NaN])("rejects range %s", (n) => {
    expect(() => chartSeries([], n, "2026-11-25")).toThrow(/invalid range/);
  });
});

describe("active session", () => {
  const now = new Date("2026-11-25T10:00:00Z");

  it("counts from its start when it started today", () => {
    expect(activeSecondsToday(session("2026-11-25T09:30:00Z"), now, "UTC")).toBe(1800);
    expect(activeElapsed(session("2026-11-25T09:30:00Z"), now)).toBe(1800);
  });

  it("counts from local midnight when it started yesterday", () => {
    expect(activeSecondsToday(session("2026-11-24T22:00:00Z"), now, "UTC")).toBe(10 * 3600);
    expect(activeElapsed(session("2026-11-24T22:00:00Z"), now)).toBe(12 * 3600);
    // In Berlin (UTC+1) midnight was 23:00 UTC.
    expect(activeSecondsToday(session("2026-11-24T22:00:00Z"), now, "Europe/Berlin")).toBe(11 * 3600);
  });

  it("finds local midnight exactly", () => {
    expect(startOfLocalDay(now, "UTC")).toBe(Date.parse("2026-11-25T00:00:00Z"));
    expect(startOfLocalDay(now, "America/New_York")).toBe(Date.parse("2026-11-25T05:00:00Z"));
  });

  it("ignores ended or missing sessions", () => {
    expect(activeSecondsToday(null, now, "UTC")).toBe(0);
    expect(activeSecondsToday(session("2026-11-25T09:30:00Z", "completed"), now, "UTC")).toBe(0);
    expect(activeElapsed(session("not a time"), now)).toBe(0);
  });

  it("adds the running part of today to the daemon's total", () => {
    const stats: Stats = { today_seconds: 600, week_seconds: 600, week_start: "2026-11-23", days: [], repos: [], prs: [] };
    expect(todayTotal(stats, session("2026-11-25T09:59:00Z"), now, "UTC")).toBe(660);
    expect(todayTotal(stats, null, now, "UTC")).toBe(600);
  });
});

describe("breakdowns", () => {
  const repos = [
    { repo: "acme/web", seconds: 100 },
    { repo: "acme/api", seconds: 300 },
    { repo: "zed/x", seconds: 100 },
  ];
  const prs = [
    { repo: "acme/api", pr_number: 2, seconds: 100 },
    { repo: "acme/api", pr_number: 10, seconds: 200 },
    { repo: "acme/web", pr_number: 1, seconds: 100 },
  ];

  it("sorts repositories by time, then by name, with shares", () => {
    const b = repoBreakdown(repos);
    expect(b.map((r) => r.item.repo)).toEqual(["acme/api", "acme/web", "zed/x"]);
    expect(b.map((r) => r.percent)).toEqual([60, 20, 20]);
  });

  it("drills down to one repository's pull requests", () => {
    const b = prBreakdown(prs, repos, "acme/api");
    expect(b.map((p) => p.item.pr_number)).toEqual([10, 2]);
    expect(b.map((p) => p.percent)).toEqual([66.7, 33.3]);
    expect(prBreakdown(prs, repos, "").map((p) => `${p.item.repo}#${p.item.pr_number}`)).toEqual(["acme/api#10", "acme/api#2", "acme/web#1"]);
    expect(prBreakdown(prs, repos, "nobody/none")).toEqual([]);
  });

  it("gives each pull request its share of the total, not of the top ones listed", () => {
    // 7h02m in the range; the daemon lists only its top pull requests, the first 52m.
    const total = 7 * 3600 + 2 * 60;
    const top = [
      { repo: "acme/api", pr_number: 1, seconds: 52 * 60 },
      { repo: "acme/api", pr_number: 2, seconds: 2 * 3600 },
      { repo: "acme/web", pr_number: 3, seconds: 3600 },
    ];
    const all = [
      { repo: "acme/api", seconds: 5 * 3600 },
      { repo: "acme/web", seconds: total - 5 * 3600 },
    ];
    const b = prBreakdown(top, all, "");
    expect(b.find((p) => p.item.pr_number === 1)?.percent).toBe(12.3);
    expect(b.find((p) => p.item.pr_number === 3)?.percent).toBe(14.2);
    // Drilled down: of the repository's total.
    expect(prBreakdown(top, all, "acme/api").map((p) => p.percent)).toEqual([40, 17.3]);
    // Without repositories the listed ones are the total.
    expect(prBreakdown(top, null, "acme/web").map((p) => p.percent)).toEqual([100]);
  });

  it("handles no data", () => {
    expect(repoBreakdown(null)).toEqual([]);
    expect(repoBreakdown([{ repo: "a/b", seconds: 0 }])[0].percent).toBe(0);
  });
});
