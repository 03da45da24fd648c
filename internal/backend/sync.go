package backend

import (
	"context"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/daemon"
	"github.com/worktime/worktime/internal/localdb"
)

// Sync runs one sync: in the daemon when it runs, else once from this
// process over the store. An interrupted run returns ctx's error, so that
// the caller does not report a state it never reached.
//
// When progress is not nil it is called with the run's progress every
// progressEvery while the run lasts (not at all for a run shorter than that).
func Sync(ctx context.Context, o Options, progress func(api.SyncRun)) (api.SyncState, error) {
	o = o.withDefaults()
	d := NewDaemon(o)
	defer d.Close()
	var st api.SyncState
	err := watch(ctx, progress, func(ctx context.Context) *api.SyncRun {
		s, err := d.Status(ctx)
		if err != nil {
			return nil
		}
		return s.Sync.Run
	}, func(ctx context.Context) (err error) {
		st, err = d.Sync(ctx)
		return err
	})
	if IsNotRunning(err) {
		return syncDirect(ctx, o, progress)
	}
	return st, err
}

// progressEvery is how often Sync reports progress.
const progressEvery = 250 * time.Millisecond

// watch runs run, and meanwhile reports what poll returns to progress.
// The pace is the terminal's, not the tracker's: it uses the wall clock.
func watch(ctx context.Context, progress func(api.SyncRun), poll func(context.Context) *api.SyncRun, run func(context.Context) error) error {
	if progress == nil {
		return run(ctx)
	}
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if r := poll(ctx); r != nil {
				select {
				case <-done:
					return
				default:
					progress(*r)
				}
			}
		}
	}()
	err := run(ctx)
	close(done)
	<-stopped
	return err
}

func syncDirect(ctx context.Context, o Options, progress func(api.SyncRun)) (api.SyncState, error) {
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
		daemon.EngineEnv{Location: func() *time.Location { return loc }, Clock: o.Clock, Logger: o.Logger, Version: o.Version})
	if err != nil {
		return api.SyncState{}, err
	}
	var st api.SyncState
	err = watch(ctx, progress, func(ctx context.Context) *api.SyncRun {
		return eng.Progress()
	}, func(ctx context.Context) (err error) {
		st, err = eng.RunOnce(ctx)
		return err
	})
	return st, err
}
