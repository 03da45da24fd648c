import { describe, expect, it } from "vitest";
import { isValidTimeZone, startOfDate, ZoneCalendar } from "../src/days";

const t = (iso: string) => Date.parse(iso) / 1000;

/** Minute-by-minute reference: the local date of every minute of [start, end). */
function bruteForce(tz: string, start: number, end: number): Record<string, number> {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  const out: Record<string, number> = {};
  for (let m = start; m < end; m += 60) {
    const d = fmt.format(new Date(m * 1000));
    out[d] = (out[d] ?? 0) + Math.min(60, end - m);
  }
  return out;
}

function asRecord(parts: { date: string; seconds: number }[]) {
  return Object.fromEntries(parts.map((p) => [p.date, p.seconds]));
}

describe("ZoneCalendar.split", () => {
  const cases: { name: string; tz: string; start: string; end: string; want: Record<string, number> }[] = [
    { name: "UTC within a day", tz: "UTC", start: "2026-11-25T10:00:00Z", end: "2026-11-25T11:30:00Z", want: { "2026-11-25": 5400 } },
    { name: "UTC across midnight", tz: "UTC", start: "2026-11-25T23:00:00Z", end: "2026-11-26T00:30:00Z", want: { "2026-11-25": 3600, "2026-11-26": 1800 } },
    { name: "Berlin across local midnight", tz: "Europe/Berlin", start: "2026-11-24T22:30:00Z", end: "2026-11-24T23:30:00Z", want: { "2026-11-24": 1800, "2026-11-25": 1800 } },
    { name: "Berlin spring-forward day is 23 h", tz: "Europe/Berlin", start: "2026-03-28T23:00:00Z", end: "2026-03-29T22:00:00Z", want: { "2026-03-29": 82800 } },
    { name: "Berlin fall-back day is 25 h", tz: "Europe/Berlin", start: "2026-10-24T22:00:00Z", end: "2026-10-25T23:00:00Z", want: { "2026-10-25": 90000 } },
    { name: "New York over two midnights", tz: "America/New_York", start: "2026-11-24T04:00:00Z", end: "2026-11-26T06:00:00Z", want: { "2026-11-23": 3600, "2026-11-24": 86400, "2026-11-25": 86400, "2026-11-26": 3600 } },
    { name: "Kolkata half-hour offset", tz: "Asia/Kolkata", start: "2026-11-24T18:00:00Z", end: "2026-11-24T19:00:00Z", want: { "2026-11-24": 1800, "2026-11-25": 1800 } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const parts = new ZoneCalendar(tc.tz).split(t(tc.start), t(tc.end));
      expect(asRecord(parts)).toEqual(tc.want);
      expect(parts.every((p) => p.counted === 1)).toBe(true);
    });
  }

  it("counts a zero-length session on its start day with 0 s", () => {
    expect(new ZoneCalendar("Europe/Berlin").split(t("2026-11-24T23:30:00Z"), t("2026-11-24T23:30:00Z"))).toEqual([
      { date: "2026-11-25", seconds: 0, counted: 1 },
    ]);
  });

  it("ends a part exactly at midnight without a 0 s part on the next day", () => {
    expect(new ZoneCalendar("UTC").split(t("2026-11-25T23:00:00Z"), t("2026-11-26T00:00:00Z"))).toEqual([
      { date: "2026-11-25", seconds: 3600, counted: 1 },
    ]);
  });

  // Zones with DST at midnight, half-hour DST, skipped days and big offsets,
  // checked against a minute-by-minute reference around their transitions.
  const zones: { tz: string; around: string[] }[] = [
    { tz: "America/Santiago", around: ["2026-09-06T04:00:00Z", "2026-04-05T03:00:00Z"] },
    { tz: "America/Havana", around: ["2026-03-08T05:00:00Z", "2026-11-01T05:00:00Z"] },
    { tz: "Asia/Beirut", around: ["2026-03-28T22:00:00Z", "2026-10-24T21:00:00Z"] },
    { tz: "Australia/Lord_Howe", around: ["2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"] },
    { tz: "Pacific/Apia", around: ["2011-12-29T10:00:00Z"] },
    { tz: "Pacific/Kiritimati", around: ["2026-11-25T10:00:00Z"] },
    { tz: "America/St_Johns", around: ["2026-03-08T05:30:00Z", "2026-11-01T04:30:00Z"] },
    { tz: "Europe/London", around: ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"] },
  ];
  for (const z of zones) {
    it(`matches the reference in ${z.tz}`, () => {
      const cal = new ZoneCalendar(z.tz);
      for (const a of z.around) {
        for (const [before, length] of [[36, 48], [3, 6], [25, 26], [1, 1], [0, 30]] as const) {
          const start = t(a) - before * 3600;
          const end = start + length * 3600 + 17 * 60;
          const got = asRecord(cal.split(start, end));
          expect(got, `${z.tz} ${a} -${before}h +${length}h`).toEqual(bruteForce(z.tz, start, end));
          const total = Object.values(got).reduce((x, y) => x + y, 0);
          expect(total).toBe(end - start);
        }
      }
    });
  }
});

describe("ZoneCalendar.split on random sessions", () => {
  it("matches the minute reference over a year in many zones", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (const tz of ["UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "America/Havana"]) {
      const cal = new ZoneCalendar(tz);
      for (let i = 0; i < 12; i++) {
        const start = t("2026-01-01T00:00:00Z") + rand(365 * 24 * 60) * 60;
        const end = start + rand(30 * 3600);
        expect(asRecord(cal.split(start, end)), `${tz} ${start}..${end}`).toEqual(end > start ? bruteForce(tz, start, end) : { [cal.dateOf(start)]: 0 });
      }
    }
  });
});

describe("startOfDate", () => {
  it("is the first instant of the local date", () => {
    expect(startOfDate(new ZoneCalendar("Europe/Berlin"), "2026-11-25")).toBe(t("2026-11-24T23:00:00Z"));
    expect(startOfDate(new ZoneCalendar("America/New_York"), "2026-03-08")).toBe(t("2026-03-08T05:00:00Z"));
    expect(startOfDate(new ZoneCalendar("UTC"), "2026-01-01")).toBe(t("2026-01-01T00:00:00Z"));
  });
});

describe("isValidTimeZone", () => {
  it.each([
    ["UTC", true],
    ["Europe/Berlin", true],
    ["America/Argentina/Buenos_Aires", true],
    ["Mars/Olympus", false],
    ["", false],
    ["Europe/Berlin; DROP TABLE users", false],
  ])("%s -> %s", (tz, want) => {
    expect(isValidTimeZone(tz)).toBe(want);
  });
});
