package backend

import (
	"context"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/daemon"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/rules"
)

// Sync runs one sync: in the daemon when it runs, else once from this
// process over the store. An interrupted run returns ctx's error, so that
// the caller does not report a state it never reached.
func Sync(ctx context.Context, o Options) (api.SyncState, error) {
	o = o.withDefaults()
	d := NewDaemon(o)
	defer d.Close()
	st, err := d.Sync(ctx)
	if IsNotRunning(err) {
		return syncDirect(ctx, o)
	}
	return st, err
}

func syncDirect(ctx context.Context, o Options) (api.SyncState, error) {
	loc, err := o.Location()
	if err != nil {
		return api.SyncState{}, err
	}
	tun, err := daemon.SyncTuningFrom(o.Config, o.Getenv)
	if err != nil {
		return api.SyncState{}, err
	}
	db, err := localdb.Open(ctx, o.Paths.DB, localdb.Options{Location: loc, Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		return api.SyncState{}, err
	}
	defer db.Close()
	eng, err := daemon.NewEngine(db, daemon.AuthService(o.Paths, o.Config, o.Getenv, o.Clock), tun,
		daemon.EngineEnv{Location: func() *time.Location { return loc }, Clock: o.Clock, Logger: o.Logger, Version: o.Version,
			Rules: func() rules.Rules { return o.Config.Rules }})
	if err != nil {
		return api.SyncState{}, err
	}
	return eng.RunOnce(ctx)
}
