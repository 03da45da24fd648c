// The only module that talks to the Go side: the methods of app.Dashboard
// bound by Wails (window.go.app.Dashboard) and the Wails runtime
// (window.runtime). Generated bindings are not needed: Wails injects both
// objects into every page it serves.

import type {
  BackendError,
  ExportResult,
  LoginState,
  Session,
  SessionFilter,
  Settings,
  Stats,
  Status,
  SyncState,
} from "./types";

interface DashboardBinding {
  Status(): Promise<Status>;
  Stats(days: number, repo: string): Promise<Stats>;
  Sessions(f: SessionFilter): Promise<Session[] | null>;
  StartTracking(owner: string, name: string, pr: number): Promise<Session>;
  StopTracking(): Promise<Session>;
  SyncNow(): Promise<SyncState>;
  Settings(): Promise<Settings>;
  SaveSettings(s: Settings): Promise<Settings>;
  Export(format: string, since: string, until: string): Promise<ExportResult>;
  StartDaemon(): Promise<Status>;
  LoginStart(): Promise<LoginState>;
  LoginStatus(): Promise<LoginState>;
  Logout(): Promise<LoginState>;
}

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
  BrowserOpenURL(url: string): void;
}

declare global {
  interface Window {
    go?: { app?: { Dashboard?: DashboardBinding } };
    runtime?: WailsRuntime;
  }
}

/** The code the Go side uses when the daemon cannot be reached. */
export const UNAVAILABLE = "daemon_unavailable";

export function toBackendError(e: unknown): BackendError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  if (e instanceof Error) return { code: "internal", message: e.message };
  return { code: "internal", message: String(e) };
}

function dashboard(): DashboardBinding {
  const d = window.go?.app?.Dashboard;
  if (!d) throw { code: "no_bindings", message: "the dashboard's Go services are not available in this page" };
  return d;
}

async function call<T>(f: (d: DashboardBinding) => Promise<T>): Promise<T> {
  try {
    return await f(dashboard());
  } catch (e) {
    throw toBackendError(e);
  }
}

export const backend = {
  status: () => call((d) => d.Status()),
  stats: (days: number, repo: string) => call((d) => d.Stats(days, repo)),
  sessions: (f: SessionFilter) => call((d) => d.Sessions(f)),
  startTracking: (owner: string, name: string, pr: number) => call((d) => d.StartTracking(owner, name, pr)),
  stopTracking: () => call((d) => d.StopTracking()),
  syncNow: () => call((d) => d.SyncNow()),
  settings: () => call((d) => d.Settings()),
  saveSettings: (s: Settings) => call((d) => d.SaveSettings(s)),
  exportData: (format: string, since: string, until: string) => call((d) => d.Export(format, since, until)),
  startDaemon: () => call((d) => d.StartDaemon()),
  loginStart: () => call((d) => d.LoginStart()),
  loginStatus: () => call((d) => d.LoginStatus()),
  logout: () => call((d) => d.Logout()),
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
