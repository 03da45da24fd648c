package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

// Backend is what track, sessions, stats and export talk to: the tracker
// over the local store, or the running daemon's local API.
type Backend interface {
	Start(ctx context.Context, req api.StartRequest) (api.Session, error)
	Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error)
	End(ctx context.Context, id string, at *time.Time) (api.Session, error)
	Active(ctx context.Context) (*api.Session, error)
	Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error)
	Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error)
	// ExportCount is how many sessions Export would write (for the
	// progress bar); -1 if unknown.
	ExportCount(ctx context.Context, q tracker.ExportQuery) (int64, error)
	// Export writes the sessions to w in format ("csv" or "json"), calling
	// progress (if not nil) with the number written so far.
	Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(done int64)) error
	// Location is the zone days are counted in.
	Location() *time.Location
	Close() error
}

// BackendOpener returns a backend, or (nil, nil) to let the next opener try.
type BackendOpener func(ctx context.Context, e *Env) (Backend, error)

// backendOpeners are tried in order; the local store is the last resort and
// always answers.
func (e *Env) backendOpeners() []BackendOpener {
	return []BackendOpener{openDaemon, openDirect}
}

// OpenBackend returns the first backend an opener provides. LoadConfig must
// have run.
func (e *Env) OpenBackend(ctx context.Context) (Backend, error) {
	for _, open := range e.backendOpeners() {
		b, err := open(ctx, e)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no backend available")
}

// DirectBackend is the tracker over the local store, in this process.
type DirectBackend struct {
	*tracker.Tracker
	db  *localdb.DB
	loc *time.Location
}

// OpenDirect opens the local store named by e.Paths.
func OpenDirect(ctx context.Context, e *Env) (*DirectBackend, error) {
	loc, err := e.Config.LocationWith(e.Getenv)
	if err != nil {
		return nil, err
	}
	db, err := localdb.Open(ctx, e.Paths.DB, localdb.Options{Location: loc, Clock: e.Clock, Logger: e.Logger})
	if err != nil {
		return nil, err
	}
	tr := tracker.New(db, tracker.Options{Location: loc, IdleTimeout: e.Config.IdleTimeout.Duration, Clock: e.Clock, Logger: e.Logger})
	// No daemon runs the reaper for this process: abandon what is overdue
	// now, so that what it reads and reports is current.
	if _, err := tr.ReapAbandoned(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &DirectBackend{Tracker: tr, db: db, loc: loc}, nil
}

func openDirect(ctx context.Context, e *Env) (Backend, error) {
	b, err := OpenDirect(ctx, e)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Export writes the export through the tracker.
func (b *DirectBackend) Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(int64)) error {
	return b.Tracker.WriteExport(ctx, w, format, q, progress)
}

// Location is the store's zone.
func (b *DirectBackend) Location() *time.Location { return b.loc }

// Close closes the store.
func (b *DirectBackend) Close() error { return b.db.Close() }

var _ Backend = (*DirectBackend)(nil)
