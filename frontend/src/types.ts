// Mirrors of the Go types the dashboard's bound services return
// (internal/api and app/). Times are RFC 3339 strings in UTC.

export type SessionStatus = "active" | "completed" | "abandoned";

export interface Session {
  id: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  start_time: string;
  end_time: string | null;
  duration_seconds: number;
  status: SessionStatus;
  device_id: string;
}

export interface DayStats {
  date: string; // YYYY-MM-DD
  seconds: number;
  sessions: number;
}

export interface RepoStat {
  repo: string;
  seconds: number;
}

export interface PRStat {
  repo: string;
  pr_number: number;
  seconds: number;
}

export interface Stats {
  today_seconds: number;
  days: DayStats[] | null;
  repos: RepoStat[] | null;
  prs: PRStat[] | null;
  active?: Session | null;
}

export interface SyncState {
  state: string;
  pending: number;
  quarantined: number;
  last_success_at: string | null;
  last_error: string;
  next_attempt_at: string | null;
  server_url: string;
}

export interface Status {
  version: string;
  device_id: string;
  signed_in: boolean;
  user: { login: string } | null;
  sync: SyncState;
  active: Session | null;
}

export interface Settings {
  server_url: string;
  time_zone: string;
  idle_timeout_seconds: number;
  allowed_extension_ids: string[] | null;
  start_at_login: boolean;
}

export interface SessionFilter {
  repo: string;
  since: string;
  status: string;
  limit: number;
}

export interface ExportResult {
  path: string;
  bytes: number;
}

/** A device-flow sign-in as the daemon reports it (app.LoginState). */
export interface LoginState {
  state: string; // "idle", "pending", "signed_in", "failed"
  login?: string;
  server_url?: string;
  user_code?: string;
  verification_uri?: string;
  expires_at?: string;
  error?: string;
}

/** The shape of every error the Go side rejects a call with. */
export interface BackendError {
  code: string;
  message: string;
}
