// Parsing and validation of what the user types: the session filters, the
// pull request to start tracking and the settings form.

import { parseDate } from "./format";
import type { Session, SessionFilter, Settings } from "./types";

export const STATUSES = ["", "active", "completed", "abandoned"] as const;

export interface SessionFilterForm {
  repo: string; // "owner/name" or ""
  status: string;
  since: string; // YYYY-MM-DD or ""
  pr: string; // pull request number or ""
  limit: string;
}

export interface ParsedFilter {
  query: SessionFilter; // sent to the daemon
  pr: number | null; // applied here: the local API has no PR filter
}

const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Validates the sessions filter form; throws an Error naming the bad field. */
export function parseSessionFilter(form: SessionFilterForm): ParsedFilter {
  const repo = form.repo.trim();
  if (repo !== "" && !REPO_RE.test(repo)) throw new Error(`repository "${repo}": want owner/name`);
  const status = form.status.trim();
  if (!(STATUSES as readonly string[]).includes(status)) throw new Error(`status "${status}": want active, completed or abandoned`);
  const since = form.since.trim();
  if (since !== "") parseDate(since);
  let pr: number | null = null;
  if (form.pr.trim() !== "") {
    pr = parsePositiveInt(form.pr.trim().replace(/^#/, ""), "pull request");
  }
  let limit = 200;
  if (form.limit.trim() !== "") {
    limit = parsePositiveInt(form.limit.trim(), "limit");
    if (limit > 10000) throw new Error(`limit ${limit}: at most 10000`);
  }
  return { query: { repo, status, since, limit }, pr };
}

/** The sessions that match the part of the filter the daemon does not apply. */
export function applyLocalFilter(sessions: Session[] | null | undefined, f: ParsedFilter): Session[] {
  return (sessions ?? []).filter((s) => f.pr === null || s.pr_number === f.pr);
}

export interface PRRef {
  repo_owner: string;
  repo_name: string;
  pr_number: number;
}

// GitHub's rules, as internal/api/repo.go checks them: an owner is 1–39
// letters, digits or single hyphens, not starting or ending with one; a
// name is 1–100 of letters, digits, '.', '-' and '_', and not "." or "..".
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME_RE = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_PR_NUMBER = 2_147_483_647;

/**
 * Reads a pull request reference: "owner/name#12", "owner/name 12" or a
 * GitHub pull request URL. worktimed's `track start` reads it by the same
 * rules (internal/api/prref.go); both are tested with
 * internal/api/testdata/prrefs.json.
 */
export function parsePRRef(input: string): PRRef {
  const s = input.trim();
  let m = /^https?:\/\/github\.com\/([^/\s]+)\/([^/\s]+)\/pull\/(\d+)(?:[/?#].*)?$/.exec(s);
  if (!m) m = /^([^/\s#]+)\/([^/\s#]+)\s*(?:#|\s)\s*(\d+)$/.exec(s);
  if (!m) throw new Error(`"${s.slice(0, 64)}" is not a pull request: want owner/name#number or a GitHub pull request URL`);
  const [, owner, name, num] = m as unknown as [string, string, string, string];
  if (!OWNER_RE.test(owner) || !NAME_RE.test(name) || name === "." || name === "..") {
    throw new Error(`"${owner}/${name}" is not a GitHub repository name`);
  }
  const pr = parsePositiveInt(num, "pull request");
  if (pr > MAX_PR_NUMBER) throw new Error(`pull request "${num}": want 1 to ${MAX_PR_NUMBER}`);
  return { repo_owner: owner, repo_name: name, pr_number: pr };
}

export interface SettingsForm {
  server_url: string;
  time_zone: string;
  idle_timeout_minutes: string;
  start_at_login: boolean;
  allowed_extension_ids: string; // one per line or comma-separated
}

const EXTENSION_ID_RE = /^[a-p]{32}$/;

/** Validates the settings form into api.Settings; throws an Error naming the bad field. */
export function parseSettingsForm(form: SettingsForm): Settings {
  const server = form.server_url.trim().replace(/\/+$/, "");
  if (server !== "") {
    let u: URL;
    try {
      u = new URL(server);
    } catch {
      throw new Error(`server URL "${server}" is not a URL`);
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`server URL "${server}": want https://`);
  }
  const tz = form.time_zone.trim();
  if (tz !== "" && !isTimeZone(tz)) throw new Error(`time zone "${tz}" is not an IANA time zone such as Europe/Berlin`);
  const minutes = Number(form.idle_timeout_minutes.trim());
  if (form.idle_timeout_minutes.trim() === "" || !Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
    throw new Error(`idle timeout "${form.idle_timeout_minutes}": want minutes between 1 and 1440`);
  }
  const seconds = Math.round(minutes * 60);
  const ids = form.allowed_extension_ids
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const id of ids) {
    if (!EXTENSION_ID_RE.test(id)) throw new Error(`extension id "${id}": want 32 letters a to p`);
  }
  return {
    server_url: server,
    time_zone: tz,
    idle_timeout_seconds: seconds,
    start_at_login: form.start_at_login,
    allowed_extension_ids: [...new Set(ids)],
  };
}

/** The settings as the form shows them. */
export function settingsToForm(s: Settings): SettingsForm {
  return {
    server_url: s.server_url ?? "",
    time_zone: s.time_zone ?? "",
    idle_timeout_minutes: String(Math.round(((s.idle_timeout_seconds ?? 0) / 60) * 100) / 100),
    start_at_login: !!s.start_at_login,
    allowed_extension_ids: (s.allowed_extension_ids ?? []).join("\n"),
  };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parsePositiveInt(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`${what} "${s}": want a positive whole number`);
  const n = Number(s);
  if (n < 1 || !Number.isSafeInteger(n)) throw new Error(`${what} "${s}": want a positive whole number`);
  return n;
}
