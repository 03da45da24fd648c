import { describe, expect, it } from "vitest";
import { addDays, formatClock, formatDateTime, formatDuration, formatRelative, formatSessionLength, formatShare, localDate, parseDate, shortDayLabel, toHours } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0m"],
    [-5, "0m"],
    [45, "45s"],
    [60, "1m"],
    [899, "14m"],
    [3600, "1h 00m"],
    [7500, "2h 05m"],
    [90061, "25h 01m"],
    [59.9, "59s"],
  ])("%s seconds → %s", (s, want) => {
    expect(formatDuration(s)).toBe(want);
  });
});

describe("formatSessionLength", () => {
  it.each([
    [0, "0s"],
    [-3, "0s"],
    [45, "45s"],
    [60, "1m 00s"],
    [899, "14m 59s"],
    [3600, "1h 00m"],
    [7500, "2h 05m"],
  ])("%s seconds → %s", (s, want) => expect(formatSessionLength(s)).toBe(want));
});

describe("formatShare", () => {
  it.each([
    [12.3, "12.3%"],
    [15, "15.0%"],
    [100, "100.0%"],
    [0, "0.0%"],
    [Number.NaN, "0.0%"],
  ])("%s → %s", (p, want) => expect(formatShare(p)).toBe(want));
});

describe("formatClock", () => {
  it.each([
    [0, "0:00:00"],
    [5, "0:00:05"],
    [3723, "1:02:03"],
    [36000, "10:00:00"],
    [-1, "0:00:00"],
  ])("%s → %s", (s, want) => expect(formatClock(s)).toBe(want));
});

describe("dates", () => {
  it.each([
    ["2026-11-25T23:30:00Z", "UTC", "2026-11-25"],
    ["2026-11-25T23:30:00Z", "Europe/Berlin", "2026-11-26"],
    ["2026-11-25T03:00:00Z", "America/Los_Angeles", "2026-11-24"],
  ])("localDate(%s, %s) = %s", (iso, tz, want) => expect(localDate(new Date(iso), tz)).toBe(want));

  it.each([
    ["2026-11-25", 1, "2026-11-26"],
    ["2026-11-30", 1, "2026-12-01"],
    ["2026-03-01", -1, "2026-02-28"],
    ["2028-03-01", -1, "2028-02-29"],
    ["2026-01-01", -90, "2025-10-03"],
  ])("addDays(%s, %s) = %s", (d, n, want) => expect(addDays(d, n)).toBe(want));

  it.each(["", "2026-1-01", "2026-02-30", "yesterday", "2026-13-01"])("parseDate rejects %j", (d) => {
    expect(() => parseDate(d)).toThrow(/invalid date/);
  });

  it("labels days by weekday for a week and by month for longer ranges", () => {
    expect(shortDayLabel("2026-11-25", false)).toBe("Wed 25");
    expect(shortDayLabel("2026-11-25", true)).toBe("Nov 25");
  });

  it("formats date-times in the given zone and tolerates null", () => {
    expect(formatDateTime("2026-11-25T10:05:09Z", "Asia/Tokyo")).toBe("2026-11-25 19:05:09 GMT+9");
    expect(formatDateTime("2026-11-25T10:05:00Z", "UTC")).toBe("2026-11-25 10:05:00 UTC");
    expect(formatDateTime("2026-07-01T10:05:00Z", "Europe/Berlin")).toBe("2026-07-01 12:05:00 CEST");
    expect(formatDateTime("2026-11-25T10:05:00Z", "Europe/Berlin")).toBe("2026-11-25 11:05:00 CET");
    expect(formatDateTime("2026-11-25T10:05:00Z", "Europe/London")).toBe("2026-11-25 10:05:00 GMT");
    expect(formatDateTime("2026-07-01T10:05:00Z", "America/Los_Angeles")).toBe("2026-07-01 03:05:00 PDT");
    expect(formatDateTime(null)).toBe("");
    expect(formatDateTime("garbage")).toBe("");
  });

  it.each([
    ["2026-11-25T10:00:00Z", "just now"],
    ["2026-11-25T09:55:00Z", "5m ago"],
    ["2026-11-25T12:00:03Z", "in 2h 00m"],
    [null, ""],
  ])("formatRelative(%s)", (iso, want) => {
    expect(formatRelative(iso, new Date("2026-11-25T10:00:03Z"))).toBe(want);
  });

  it("rounds hours to one decimal", () => {
    expect(toHours(5400)).toBe(1.5);
    expect(toHours(100)).toBe(0);
    expect(toHours(200)).toBe(0.1);
  });
});
