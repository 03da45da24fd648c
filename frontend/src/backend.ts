// The only module that talks to the Go side: the methods of app.Dashboard
// bound by Wails (window.go.app.Dashboard) and the Wails runtime
// (window.runtime). Wails' generated bindings are not needed: Wails injects
// both objects into every page it serves, and the bound methods' types are
// generated from the Go source into types.ts.

import type { BindingError, Dashboard, Rules, SessionEdit, SessionFilter, Settings } from "./types";

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
  BrowserOpenURL(url: string): void;
}

declare global {
  interface Window {
    go?: { app?: { Dashboard?: Dashboard } };
    runtime?: WailsRuntime;
  }
}

export function toBackendError(e: unknown): BindingError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  if (e instanceof Error) return { code: "internal", message: e.message };
  return { code: "internal", message: String(e) };
}

function dashboard(): Dashboard {
  const d = window.go?.app?.Dashboard;
  if (!d) throw { code: "no_bindings", message: "the dashboard's Go services are not available in this page" };
  return d;
}

async function call<T>(f: (d: Dashboard) => Promise<T>): Promise<T> {
  try {
    return await f(dashboard());
  } catch (e) {
    throw toBackendError(e);
  }
}

export const backend = {
  status: () => call((d) => d.Status()),
  stats: (days: number, repo: string) => call((d) => d.Stats(days, repo)),
  statsWindow: (first: string, last: string, repo: string) => call((d) => d.StatsWindow(first, last, repo)),
  sessions: (f: SessionFilter) => call((d) => d.Sessions(f)),
  repos: () => call((d) => d.Repos()),
  startTracking: (owner: string, name: string, pr: number) => call((d) => d.StartTracking(owner, name, pr)),
  stopTracking: () => call((d) => d.StopTracking()),
  syncNow: () => call((d) => d.SyncNow()),
  settings: () => call((d) => d.Settings()),
  saveSettings: (s: Settings) => call((d) => d.SaveSettings(s)),
  exportData: (format: string, since: string, until: string, repo: string) => call((d) => d.Export(format, since, until, repo)),
  startDaemon: () => call((d) => d.StartDaemon()),
  loginStart: () => call((d) => d.LoginStart()),
  loginStatus: () => call((d) => d.LoginStatus()),
  logout: () => call((d) => d.Logout()),
  trayNotice: () => call((d) => d.TrayNotice()),
  editSession: (id: string, e: SessionEdit) => call((d) => d.EditSession(id, e)),
  splitSession: (id: string, at: string) => call((d) => d.SplitSession(id, at)),
  mergeSessions: (ids: string[]) => call((d) => d.MergeSessions(ids)),
  addSession: (e: SessionEdit) => call((d) => d.AddSession(e)),
  deleteSessions: (ids: string[]) => call((d) => d.DeleteSessions(ids)),
  undo: () => call((d) => d.Undo()),
  rules: () => call((d) => d.Rules()),
  saveRules: (r: Rules) => call((d) => d.SaveRules(r)),
  withdrawSessions: () => call((d) => d.WithdrawSessions()),
};

export type Backend = typeof backend;

/** Subscribes to a Go-side event; a no-op outside Wails. */
export function onEvent(name: string, cb: () => void): () => void {
  return window.runtime?.EventsOn(name, () => cb()) ?? (() => {});
}

/** Opens a URL in the user's browser (never inside the dashboard). */
export function openURL(url: string): void {
  if (window.runtime) window.runtime.BrowserOpenURL(url);
  else window.open(url, "_blank", "noopener");
}
