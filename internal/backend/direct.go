package backend

import (
	"context"
	"io"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/daemon"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

// Direct is the tracker over the local store, in this process.
type Direct struct {
	*tracker.Tracker
	db      *localdb.DB
	version string
}

// OpenDirect opens the local store named by o.Paths. No daemon runs the
// reaper for this process, so it abandons what is overdue at once: what it
// reads and reports is current.
func OpenDirect(ctx context.Context, o Options) (*Direct, error) {
	o = o.withDefaults()
	loc, err := o.Location()
	if err != nil {
		return nil, err
	}
	db, err := localdb.Open(ctx, o.Paths.DB, localdb.Options{Location: loc, Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	tr := tracker.New(db, tracker.Options{Location: loc, IdleTimeout: o.Config.IdleTimeout.Duration, Rules: daemon.RulesFrom(o.Paths.Config, o.Config.Rules, o.Logger), Clock: o.Clock, Logger: o.Logger})
	if _, err := tr.ReapAbandoned(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &Direct{Tracker: tr, db: db, version: o.Version}, nil
}

// Status is the store's state: sync does not run without the daemon.
func (d *Direct) Status(ctx context.Context) (api.Status, error) {
	device, err := d.DeviceID(ctx)
	if err != nil {
		return api.Status{}, err
	}
	active, err := d.Active(ctx)
	if err != nil {
		return api.Status{}, err
	}
	pending, err := d.db.PendingCount(ctx)
	if err != nil {
		return api.Status{}, err
	}
	return api.Status{Version: d.version, DeviceID: device, Active: active,
		Sync: api.SyncState{State: api.SyncDisabled, Pending: pending, LastError: "worktimed is not running; sessions are recorded locally and synced once it runs"}}, nil
}

// Export writes the export through the tracker.
func (d *Direct) Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(int64)) error {
	return d.WriteExport(ctx, w, format, q, progress)
}

// Close closes the store.
func (d *Direct) Close() error { return d.db.Close() }
