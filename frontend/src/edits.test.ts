import { describe, expect, it } from "vitest";
import { parseAddText, parseEditForm, parseLocalTime, parseRulesForm, rulesToForm, sessionToForm, toLocalInput } from "./edits";
import type { Session } from "./types";

describe("parseLocalTime", () => {
  it.each([
    ["2026-11-30 14:00", "", "UTC", "2026-11-30T14:00:00Z"],
    ["14:00:05", "2026-11-30", "UTC", "2026-11-30T14:00:05Z"],
    ["2026-11-30 14:00", "", "Europe/Berlin", "2026-11-30T13:00:00Z"],
    ["2026-07-01T14:00", "", "Europe/Berlin", "2026-07-01T12:00:00Z"],
    // The repeated hour at the end of summer time: the first of the two.
    ["2026-10-25 02:30", "", "Europe/Berlin", "2026-10-25T00:30:00Z"],
    ["9:05", "2026-03-08", "America/New_York", "2026-03-08T13:05:00Z"],
  ])("%s on %s in %s", (input, day, tz, want) => {
    expect(parseLocalTime(input, day, tz)).toBe(want);
  });
  it.each([
    ["14h", "2026-11-30", "is not a time"],
    ["25:00", "2026-11-30", "not a time of day"],
    ["2026-02-30 10:00", "", "no such day"],
    ["14:00", "", "no day"],
    // Skipped by the start of summer time in Berlin.
    ["2026-03-29 02:30", "", "does not exist"],
  ])("refuses %s", (input, day, msg) => {
    expect(() => parseLocalTime(input, day, "Europe/Berlin")).toThrow(msg);
  });
});

describe("toLocalInput", () => {
  it("shows the wall clock of the zone and reads back", () => {
    expect(toLocalInput("2026-11-30T13:00:00Z", "Europe/Berlin")).toBe("2026-11-30 14:00:00");
    expect(parseLocalTime(toLocalInput("2026-07-01T23:30:00Z", "Asia/Tokyo"), "", "Asia/Tokyo")).toBe("2026-07-01T23:30:00Z");
  });
});

const session: Session = {
  id: "s1",
  repo_owner: "acme",
  repo_name: "web",
  pr_number: 7,
  start_time: "2026-11-30T09:00:00Z",
  end_time: "2026-11-30T10:00:00Z",
  duration_seconds: 3600,
  status: "completed",
} as Session;

describe("edit form", () => {
  it("round-trips a session", () => {
    const f = sessionToForm(session, "UTC");
    expect(f).toEqual({ pr: "acme/web#7", start: "2026-11-30 09:00:00", end: "2026-11-30 10:00:00" });
    expect(parseEditForm(f, "UTC")).toEqual({ repo: "acme/web", pr: 7, start: "2026-11-30T09:00:00Z", end: "2026-11-30T10:00:00Z" });
  });
  it("takes an end without a day on the start's day, and another pull request", () => {
    expect(parseEditForm({ pr: "octo/app#42", start: "2026-11-30 09:00", end: "09:30" }, "UTC")).toEqual({ repo: "octo/app", pr: 42, start: "2026-11-30T09:00:00Z", end: "2026-11-30T09:30:00Z" });
  });
  it.each([
    [{ pr: "octo/app", start: "2026-11-30 09:00", end: "10:00" }, "not a pull request"],
    [{ pr: "octo/app#1", start: "2026-11-30 09:00", end: "08:00" }, "end must be after"],
  ])("refuses %j", (f, msg) => {
    expect(() => parseEditForm(f, "UTC")).toThrow(msg);
  });
});

describe("parseAddText", () => {
  it.each([
    ["octo/app#42 from 14:00 to 15:10", "UTC", { repo: "octo/app", pr: 42, start: "2026-11-30T14:00:00Z", end: "2026-11-30T15:10:00Z" }],
    ["octo/app#42 from 14:00 to 15:10 on 2026-11-02", "Europe/Berlin", { repo: "octo/app", pr: 42, start: "2026-11-02T13:00:00Z", end: "2026-11-02T14:10:00Z" }],
    ["https://github.com/octo/app/pull/42 FROM 23:30 to 00:15", "UTC", { repo: "octo/app", pr: 42, start: "2026-11-30T23:30:00Z", end: "2026-12-01T00:15:00Z" }],
    ["octo/app#42 from 2026-11-29 22:00 to 2026-11-29 23:00", "UTC", { repo: "octo/app", pr: 42, start: "2026-11-29T22:00:00Z", end: "2026-11-29T23:00:00Z" }],
  ])("%s (%s)", (text, tz, want) => {
    expect(parseAddText(text, "2026-11-30", tz)).toEqual(want);
  });
  it.each([
    ["octo/app#42 at 14:00", "want"],
    ["octo#42 from 14:00 to 15:00", "not a pull request"],
    ["octo/app#42 from 2026-11-29 22:00 to 2026-11-29 21:00", "end must be after"],
  ])("refuses %s", (text, msg) => {
    expect(() => parseAddText(text, "2026-11-30", "UTC")).toThrow(msg);
  });
});

describe("rules form", () => {
  it("drops empty rows and keeps the order", () => {
    const f = rulesToForm({ default: "" as never, private: true, repos: [{ match: "octo/*", action: "dont_sync" }] });
    expect(f.default).toBe("track");
    f.rows.push({ match: "  ", action: "track" }, { match: "*/secret-*", action: "dont_track" });
    expect(parseRulesForm(f)).toEqual({ default: "track", private: true, repos: [{ match: "octo/*", action: "dont_sync" }, { match: "*/secret-*", action: "dont_track" }] });
  });
  it.each([
    [{ default: "block", private: false, rows: [] }, "default"],
    [{ default: "track", private: false, rows: [{ match: "a/b/c", action: "track" }] }, "rule 1"],
    [{ default: "track", private: false, rows: [{ match: "a b", action: "track" }] }, "rule 1"],
    [{ default: "track", private: false, rows: [{ match: "octo", action: "ignore" }] }, "action"],
  ])("refuses %j", (f, msg) => {
    expect(() => parseRulesForm(f)).toThrow(msg);
  });
});
