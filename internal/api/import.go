package api

import (
	"context"
	"time"
)

// MaxImportSessions bounds one sessions.import, as the worker bounds a push.
const MaxImportSessions = 500

// ImportRequest hands the tracker ended sessions this browser recorded
// without the companion (the extension's direct mode), under the ids the
// extension minted. Importing is idempotent by id: a session the store
// already holds, or deleted, is accepted without a change.
type ImportRequest struct {
	Sessions []ImportedSession `json:"sessions"`
}

// ImportedSession is one ended session of an ImportRequest.
type ImportedSession struct {
	ID        string    `json:"id"`
	RepoOwner string    `json:"repo_owner"`
	RepoName  string    `json:"repo_name"`
	PRNumber  int       `json:"pr_number"`
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
}

// ImportReply names the sessions the store holds now (Accepted: the
// extension may forget them) and those it refused, with the reason.
type ImportReply struct {
	Accepted []string         `json:"accepted"`
	Rejected []ImportRejected `json:"rejected"`
}

// ImportRejected is a session an import refused.
type ImportRejected struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// SessionImporter takes sessions recorded elsewhere (ImportRequest).
type SessionImporter interface {
	ImportSessions(ctx context.Context, req ImportRequest) (ImportReply, error)
}
