// Package api defines the JSON types shared by the daemon's local API, the
// native messaging protocol and their clients (the host relay, the CLI and the
// dashboard). It has no dependencies beyond the standard library so that every
// binary can link it cheaply.
package api

import "time"

// Session statuses.
const (
	StatusActive    = "active"
	StatusCompleted = "completed"
	StatusAbandoned = "abandoned"
)

// Session sources: a browser session is fed by heartbeats and is abandoned
// when they stop; a manual one runs until it is stopped.
const (
	SourceBrowser = "browser"
	SourceManual  = "manual"
)

// Session is one stretch of time on one pull request, as every client sees
// it. Times are whole seconds in UTC and marshal as RFC 3339.
type Session struct {
	ID              string     `json:"id"`
	RepoOwner       string     `json:"repo_owner"`
	RepoName        string     `json:"repo_name"`
	PRNumber        int        `json:"pr_number"`
	StartTime       time.Time  `json:"start_time"`
	EndTime         *time.Time `json:"end_time"`
	DurationSeconds int64      `json:"duration_seconds"`
	Status          string     `json:"status"`
	DeviceID        string     `json:"device_id"`
}

// StartRequest starts a session. At is optional (zero means now); SessionID
// is an optional client-minted UUID that makes the start idempotent.
type StartRequest struct {
	RepoOwner string     `json:"repo_owner"`
	RepoName  string     `json:"repo_name"`
	PRNumber  int        `json:"pr_number"`
	At        *time.Time `json:"at,omitempty"`
	SessionID string     `json:"session_id,omitempty"`
	Source    string     `json:"source,omitempty"`
}

// AtRequest carries the optional time of a heartbeat or an end.
type AtRequest struct {
	At *time.Time `json:"at,omitempty"`
}

// SessionReply wraps one session; Session is nil when there is none.
type SessionReply struct {
	Session *Session `json:"session"`
}

// SessionsReply is a list of sessions, newest first.
type SessionsReply struct {
	Sessions []Session `json:"sessions"`
}

// Stats is the summary behind `worktimed stats --json`, the dashboard and the
// extension's popup. Only ended sessions count; Active is reported apart.
type Stats struct {
	TodaySeconds int64      `json:"today_seconds"`
	Days         []DayStats `json:"days"`
	Repos        []RepoStat `json:"repos"`
	PRs          []PRStat   `json:"prs"`
	Active       *Session   `json:"active,omitempty"`
}

// DayStats is one calendar day in the configured time zone.
type DayStats struct {
	Date     string `json:"date"` // YYYY-MM-DD
	Seconds  int64  `json:"seconds"`
	Sessions int64  `json:"sessions"`
}

// RepoStat is the time spent on one repository, "owner/name".
type RepoStat struct {
	Repo    string `json:"repo"`
	Seconds int64  `json:"seconds"`
}

// PRStat is the time spent on one pull request.
type PRStat struct {
	Repo     string `json:"repo"`
	PRNumber int    `json:"pr_number"`
	Seconds  int64  `json:"seconds"`
}

// Sync states (SyncState.State).
const (
	SyncSignedOut      = "signed_out"       // no account: sign in to sync
	SyncIdle           = "idle"             // signed in, waiting for the next run
	SyncSyncing        = "syncing"          // a run is in progress
	SyncBackoff        = "backoff"          // the last run failed; NextAttemptAt says when it retries
	SyncSignInRequired = "sign_in_required" // the server refused the token: sign in again
	SyncDisabled       = "disabled"         // sync does not run (no daemon, or not configured)
)

// SyncState is what the user needs to know about sync.
type SyncState struct {
	// State is one of the Sync* states.
	State         string     `json:"state"`
	Pending       int64      `json:"pending"`
	Quarantined   int64      `json:"quarantined"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	ServerURL     string     `json:"server_url"`
	// Run counts what the current run (State is SyncSyncing) or the last one
	// has done so far; nil before the first run.
	Run *SyncRun `json:"run"`
}

// SyncRun is the progress of one sync run.
type SyncRun struct {
	StartedAt time.Time `json:"started_at"`
	Pushed    int64     `json:"pushed"`   // sessions the server accepted
	Pulled    int64     `json:"pulled"`   // sessions from other devices applied here
	Requests  int64     `json:"requests"` // push and pull requests sent
}

// User is the signed-in account.
type User struct {
	Login string `json:"login"`
}

// Status is the daemon's state: GET /localapi/v1/status.
type Status struct {
	Version  string    `json:"version"`
	DeviceID string    `json:"device_id"`
	SignedIn bool      `json:"signed_in"`
	User     *User     `json:"user"`
	Sync     SyncState `json:"sync"`
	Active   *Session  `json:"active"`
}

// Settings are the user-editable parts of config.toml.
type Settings struct {
	ServerURL           string   `json:"server_url"`
	TimeZone            string   `json:"time_zone"`
	IdleTimeoutSeconds  int64    `json:"idle_timeout_seconds"`
	AllowedExtensionIDs []string `json:"allowed_extension_ids"`
	StartAtLogin        bool     `json:"start_at_login"`
}
