package api

import (
	"context"
	"time"
)

// EditRequest changes an ended session: a field left nil stays as it is.
// The result is a new version of the session (last writer wins in sync).
type EditRequest struct {
	RepoOwner *string    `json:"repo_owner,omitempty"`
	RepoName  *string    `json:"repo_name,omitempty"`
	PRNumber  *int       `json:"pr_number,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`
	EndTime   *time.Time `json:"end_time,omitempty"`
	// DryRun checks and reports the change without making it.
	DryRun bool `json:"dry_run,omitempty"`
}

// SplitRequest cuts an ended session in two at At: the session keeps
// [start, At) and a new session of the same pull request gets [At, end).
type SplitRequest struct {
	At     time.Time `json:"at"`
	DryRun bool      `json:"dry_run,omitempty"`
}

// MergeRequest joins ended sessions of one pull request and one device that
// follow each other with no other session of that device between them: the
// earliest keeps the time from its start to the latest's end, the others
// are deleted.
type MergeRequest struct {
	IDs    []string `json:"ids"`
	DryRun bool     `json:"dry_run,omitempty"`
}

// AddRequest records an ended session after the fact, on this device.
type AddRequest struct {
	RepoOwner string    `json:"repo_owner"`
	RepoName  string    `json:"repo_name"`
	PRNumber  int       `json:"pr_number"`
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
	DryRun    bool      `json:"dry_run,omitempty"`
}

// DeleteRequest deletes sessions: the ones named by IDs, or every ended
// session the filter selects (a day, a repository, a pull request, a range
// of start times). It needs IDs or at least one filter field, never both.
type DeleteRequest struct {
	IDs []string `json:"ids,omitempty"`
	// Day is a local calendar day, YYYY-MM-DD: sessions that start on it.
	Day string `json:"day,omitempty"`
	// Repo is OWNER/NAME; PRNumber (which needs Repo) narrows it.
	Repo     string `json:"repo,omitempty"`
	PRNumber int    `json:"pr_number,omitempty"`
	// Since <= start_time < Until.
	Since  *time.Time `json:"since,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
	DryRun bool       `json:"dry_run,omitempty"`
}

// MaxDelete is the most sessions one delete request removes; a filter that
// selects more is refused (narrow it, or delete in parts).
const MaxDelete = 10000

// EditReply says what an edit, split, merge, add or delete changed (or, for
// a dry run, would change): the sessions as they are after it, and the
// sessions it deleted as they were.
type EditReply struct {
	Sessions []Session `json:"sessions"`
	Deleted  []Session `json:"deleted"`
	// Withdrawn are sessions taken off the server (and the other devices)
	// and kept on this one.
	Withdrawn []Session `json:"withdrawn,omitempty"`
	DryRun    bool      `json:"dry_run"`
}

// WithdrawRequest takes off the server every session it holds whose
// repository the rules in config.toml no longer sync ("dont_sync" or
// "dont_track"); the sessions stay on this device.
type WithdrawRequest struct {
	DryRun bool `json:"dry_run,omitempty"`
}

// SessionEditor is the part of the session rules that changes history: the
// tracker, the daemon's local API client and the CLI's backends offer it.
type SessionEditor interface {
	EditSession(ctx context.Context, id string, req EditRequest) (EditReply, error)
	SplitSession(ctx context.Context, id string, req SplitRequest) (EditReply, error)
	MergeSessions(ctx context.Context, req MergeRequest) (EditReply, error)
	AddSession(ctx context.Context, req AddRequest) (EditReply, error)
	DeleteSessions(ctx context.Context, req DeleteRequest) (EditReply, error)
	WithdrawSessions(ctx context.Context, req WithdrawRequest) (EditReply, error)
}
