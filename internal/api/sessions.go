package api

import (
	"context"
	"time"
)

// SessionWriter is the part of the session rules every path to them offers:
// the tracker itself, the daemon's local API client, the CLI's backends and
// the native messaging host's relay. Every method returns only after the
// change it makes is durably committed.
type SessionWriter interface {
	// Start starts a session; a SessionID makes it idempotent.
	Start(ctx context.Context, req StartRequest) (Session, error)
	// Heartbeat records that the session is still being worked on at at
	// (nil: now).
	Heartbeat(ctx context.Context, id string, at *time.Time) (Session, error)
	// End ends the session at at (nil: now); ending an ended session
	// returns it as is.
	End(ctx context.Context, id string, at *time.Time) (Session, error)
	// Active is the active session, or nil.
	Active(ctx context.Context) (*Session, error)
}
