// The Sessions view's edit forms and Settings' rules, read into what the
// Go side takes: times typed in the configured time zone, the "add after
// the fact" sentence, the rules table.

import { parsePRRef } from "./filters";
import { localDate, wallClock } from "./format";
import type { Action, Rule, Rules, Session, SessionEdit } from "./types";

/** The offset of timeZone from UTC at the instant ms, in milliseconds. */
function zoneOffset(ms: number, timeZone?: string): number {
  const get = wallClock(new Date(ms), timeZone);
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(get(t) || 0);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - ms;
}

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Reads "YYYY-MM-DD HH:MM[:SS]", or "HH:MM[:SS]" on the day `day`, as a
 * wall-clock time in timeZone and returns it as RFC 3339 UTC. A time a DST
 * change skips is refused; one it repeats is the first of the two.
 */
export function parseLocalTime(input: string, day: string, timeZone?: string): string {
  const s = input.trim();
  let y: number, mo: number, d: number, hh: number, mm: number, ss: number;
  let m = DATE_TIME_RE.exec(s);
  if (m) {
    [y, mo, d, hh, mm, ss] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  } else if ((m = TIME_RE.exec(s))) {
    const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!dm) throw new Error(`"${s}": no day to put it on`);
    [y, mo, d] = [dm[1], dm[2], dm[3]].map(Number) as [number, number, number];
    [hh, mm, ss] = [m[1], m[2], m[3] ?? "0"].map(Number) as [number, number, number];
  } else {
    throw new Error(`"${s.slice(0, 40)}" is not a time: want YYYY-MM-DD HH:MM[:SS] or HH:MM`);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) throw new Error(`"${s}" is not a time of day`);
  const wall = Date.UTC(y, mo - 1, d, hh, mm, ss);
  const check = new Date(wall);
  if (check.getUTCDate() !== d) throw new Error(`"${s}": no such day`);
  // The offset in force at the wall time: try the offsets in force around
  // it, earliest instant first (the first of a repeated hour).
  const candidates = [...new Set([zoneOffset(wall - 86_400_000, timeZone), zoneOffset(wall, timeZone), zoneOffset(wall + 86_400_000, timeZone)])]
    .map((off) => wall - off)
    .sort((a, b) => a - b);
  for (const at of candidates) {
    if (at + zoneOffset(at, timeZone) === wall) return new Date(at).toISOString().replace(".000Z", "Z");
  }
  throw new Error(`"${s}" does not exist in ${timeZone || "this time zone"} (the clocks skip it)`);
}

/** The wall-clock "YYYY-MM-DD HH:MM:SS" of an RFC 3339 time in timeZone, as the edit form shows it. */
export function toLocalInput(iso: string, timeZone?: string): string {
  const ms = new Date(iso).getTime();
  const w = new Date(ms + zoneOffset(ms, timeZone)).toISOString();
  return `${w.slice(0, 10)} ${w.slice(11, 19)}`;
}

export interface EditForm {
  pr: string; // owner/name#12
  start: string;
  end: string;
}

/** The edit form of a session, as the row shows it. */
export function sessionToForm(s: Session, timeZone?: string): EditForm {
  return { pr: `${s.repo_owner}/${s.repo_name}#${s.pr_number}`, start: toLocalInput(s.start_time, timeZone), end: s.end_time ? toLocalInput(s.end_time, timeZone) : "" };
}

/** Reads the edit form; a time without a day is on the day of the start (the end: of the start too). */
export function parseEditForm(f: EditForm, timeZone?: string, defaultDay = ""): SessionEdit {
  const ref = parsePRRef(f.pr);
  const start = parseLocalTime(f.start, defaultDay, timeZone);
  const end = parseLocalTime(f.end, localDate(new Date(start), timeZone), timeZone);
  if (new Date(end) <= new Date(start)) throw new Error("the end must be after the start");
  return { repo: `${ref.repo_owner}/${ref.repo_name}`, pr: ref.pr_number, start, end };
}

/**
 * Reads "octo/app#42 from 14:00 to 15:10", optionally with a day
 * ("… on 2026-11-30" or full "YYYY-MM-DD HH:MM" times); a time without a
 * day is on `today`. An end before the start is on the next day.
 */
export function parseAddText(text: string, today: string, timeZone?: string): SessionEdit {
  const m = /^(.+?)\s+from\s+(.+?)\s+to\s+(.+?)(?:\s+on\s+(\d{4}-\d{2}-\d{2}))?$/i.exec(text.trim());
  if (!m) throw new Error('want "owner/name#12 from 14:00 to 15:10" (optionally "on YYYY-MM-DD")');
  const [, pr, from, to, on] = m as unknown as [string, string, string, string, string | undefined];
  const day = on ?? today;
  const ref = parsePRRef(pr);
  const start = parseLocalTime(from, day, timeZone);
  let end = parseLocalTime(to, localDate(new Date(start), timeZone), timeZone);
  if (new Date(end) <= new Date(start) && TIME_RE.test(to.trim())) {
    const next = new Date(new Date(start).getTime() + 86_400_000);
    end = parseLocalTime(to, localDate(next, timeZone), timeZone);
  }
  if (new Date(end) <= new Date(start)) throw new Error("the end must be after the start");
  return { repo: `${ref.repo_owner}/${ref.repo_name}`, pr: ref.pr_number, start, end };
}

export const ACTIONS: { value: Action; label: string }[] = [
  { value: "track", label: "track" },
  { value: "dont_sync", label: "don't sync" },
  { value: "dont_track", label: "don't track" },
];

export interface RuleRow {
  match: string;
  action: string;
}

export interface RulesForm {
  default: string;
  private: boolean;
  rows: RuleRow[];
}

export function rulesToForm(r: Rules): RulesForm {
  return { default: r.default || "track", private: r.private, rows: (r.repos ?? []).map((x) => ({ match: x.match, action: x.action })) };
}

const isAction = (a: string): a is Action => ACTIONS.some((x) => x.value === a);
const PATTERN_PART = /^[A-Za-z0-9._*?[\]-]+$/;

/**
 * Reads the rules table: empty rows are dropped; a pattern is ORG,
 * ORG/REPO or a glob of them (internal/rules checks it again).
 */
export function parseRulesForm(f: RulesForm): Rules {
  if (!isAction(f.default)) throw new Error(`default "${f.default}": want track, dont_sync or dont_track`);
  const repos: Rule[] = [];
  f.rows.forEach((row, i) => {
    const match = row.match.trim();
    if (match === "") return;
    const parts = match.split("/");
    if (parts.length > 2 || parts.some((p) => !PATTERN_PART.test(p))) throw new Error(`rule ${i + 1} "${match}": want ORG, ORG/REPO or a glob of them (octo/*, */secret-*)`);
    if (!isAction(row.action)) throw new Error(`rule ${i + 1} "${match}": action "${row.action}": want track, dont_sync or dont_track`);
    repos.push({ match, action: row.action });
  });
  return { default: f.default, private: f.private, repos };
}
