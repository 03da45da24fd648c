// Package backend is the one place that decides how a command reaches the
// session rules: through the running daemon's local API (Daemon), or, when
// no daemon runs, through a tracker over the local store in this process
// (Direct). The CLI opens one for a whole command (Open); the native
// messaging host uses a Relay, which asks the daemon on every call and falls
// back to the store when it is not running; `worktimed sync` uses Sync.
package backend

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/tracker"
)

// Backend is what track, sessions, stats, export and the native messaging
// host talk to. Errors match api.ErrNotFound, api.ErrConflict
// and api.ErrInvalid (errors.Is) whichever backend answered.
type Backend interface {
	Status(ctx context.Context) (api.Status, error)
	api.SessionWriter
	// SessionEditor changes history: edit, split, merge, add, delete.
	api.SessionEditor
	// SessionImporter takes the extension's direct-mode sessions (sessions.import).
	api.SessionImporter
	Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error)
	Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error)
	// ExportCount is how many sessions Export would write (for the
	// progress bar); -1 if unknown.
	ExportCount(ctx context.Context, q tracker.ExportQuery) (int64, error)
	// Export writes the sessions to w in format ("csv" or "json"), calling
	// progress (if not nil) with the number written so far, and last with
	// the total once every session is written.
	Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(done int64)) error
	Close() error
}

var (
	_ Backend = (*Daemon)(nil)
	_ Backend = (*Direct)(nil)
)

// Options are what a backend is built from; the zero value of Clock, Logger
// and Getenv means the real one (Logger: discard).
type Options struct {
	Paths   config.Paths
	Config  config.Config
	Clock   clock.Clock
	Logger  *slog.Logger
	Getenv  func(string) string
	Version string // worktime's version, reported by Direct's Status
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return o
}

// Location is the zone days are counted in, as both backends count them.
func (o Options) Location() (*time.Location, error) {
	o = o.withDefaults()
	return o.Config.LocationWith(o.Getenv)
}

// Open returns the daemon when it answers on its socket, else the store
// directly (which always answers).
func Open(ctx context.Context, o Options) (Backend, error) {
	o = o.withDefaults()
	d, _, err := DialDaemon(ctx, o)
	if err == nil {
		return d, nil
	}
	if !IsNotRunning(err) {
		o.Logger.Warn("the daemon does not answer properly; using the store directly", "err", err)
	}
	return OpenDirect(ctx, o)
}
