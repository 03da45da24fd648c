// What every view reads: the daemon's status, the stats of the chosen range
// and the time zone days are counted in.

import type { Backend } from "./backend";
import type { RangeSpec, Window } from "./ranges";
import type { BindingError, Settings, Stats, Status } from "./types";

export interface State {
  status: Status | null;
  stats: Stats | null; // History's: for `range` days and the drill-down `repo`
  // For `range` days and every repository: Today, the header and the tray
  // count everything, whatever History is drilled into.
  overall: Stats | null;
  settings: Settings | null;
  range: RangeSpec; // History's range
  window: Window | null; // the days `range` covers, as last loaded
  repo: string; // drill-down: "" for every repository
  down: BindingError | null; // set while the daemon is unreachable
  preset: { repo: string; pr: number | null } | null; // filter handed to the sessions view
  now: Date;
  recent: string[]; // pull requests of the latest sessions, newest first ("owner/name#12")
  week: { thisWeek: Stats; lastWeek: Stats } | null; // every repository, Monday first

  // What the user is looking at or typing, kept across re-renders: a
  // refresh redraws the data, never these.
  ui: TransientUI;
}

export interface TransientUI {
  exportNote: { text: string; path?: string } | null; // the last export's outcome
  exportSince: string;
  exportUntil: string;
  detailsOpen: boolean; // "Details" on the not-running screen
  startDraft: string | null; // the Start field as typed; null until typed in, or emptied
  customFirst: string; // History's custom range as typed
  customLast: string;
  undo: string | null; // what Undo would put back (the Go side's Change.undo); null: nothing
}

export function initialUI(): TransientUI {
  return { exportNote: null, exportSince: "", exportUntil: "", detailsOpen: false, startDraft: null, customFirst: "", customLast: "", undo: null };
}

export interface Ctx {
  backend: Backend;
  state: State;
  /** Reloads status and stats, then re-renders. */
  refresh(): Promise<void>;
  /** Shows a message: "info" goes after a while, "error" and "notice" stay until dismissed. */
  notify(message: string, kind?: "info" | "error" | "notice"): void;
  /** Handles a failed call: the daemon-down screen or an error message. */
  fail(e: unknown): void;
  go(view: ViewName): void;
}

export type ViewName = "today" | "history" | "sessions" | "sync" | "settings";
