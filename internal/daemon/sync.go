package daemon

import (
	"context"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/syncer"
)

// Sync wires the sync engine and sign-in into the daemon: a component that
// runs the engine, the local API's sync service and the sign-in behind its
// login routes.
type Sync struct {
	auth   *auth.Service
	tuning SyncTuning
	ready  chan struct{} // closed once engine is set
	engine *syncer.Engine
}

// NewSync prepares sync for a daemon with these paths and config; clk is
// the daemon's clock.
func NewSync(p config.Paths, cfg config.Config, getenv func(string) string, clk clock.Clock) (*Sync, error) {
	tun, err := SyncTuningFrom(cfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("daemon.NewSync: %w", err)
	}
	s := &Sync{auth: AuthService(p, cfg, getenv, clk), tuning: tun, ready: make(chan struct{})}
	s.auth.OnChange = func() {
		select {
		case <-s.ready:
			s.engine.AccountChanged()
		default: // the engine reads the account when it starts
		}
	}
	return s, nil
}

// Apply adds sync to daemon options.
func (s *Sync) Apply(o *Options) {
	o.Sync = s
	o.SignIn = s.auth
	o.Components = append(o.Components, Component{Name: "sync", Run: s.run})
}

func (s *Sync) run(ctx context.Context, d *Daemon) error {
	eng, err := NewEngine(d.DB, s.auth, s.tuning, EngineEnv{Location: d.Tracker.Location, Clock: d.Clock, Logger: d.Logger, Version: d.Version,
		Rules: RulesFrom(d.Paths.Config, d.Config.Rules, d.Logger)})
	if err != nil {
		return err
	}
	d.Tracker.OnChange(eng.Notify)
	s.engine = eng
	close(s.ready)
	return eng.Run(ctx)
}

func (s *Sync) wait(ctx context.Context) (*syncer.Engine, error) {
	select {
	case <-s.ready:
		return s.engine, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Used tells the engine the device is in use (see syncer.Engine.Used); it
// does nothing before the engine runs.
func (s *Sync) Used() {
	select {
	case <-s.ready:
		s.engine.Used()
	default:
	}
}

// SyncStatus implements localapi.SyncService.
func (s *Sync) SyncStatus(ctx context.Context) (api.SyncState, *api.User, error) {
	eng, err := s.wait(ctx)
	if err != nil {
		return api.SyncState{}, nil, err
	}
	st := eng.State(ctx)
	var user *api.User
	if c, err := s.auth.Current(ctx); err == nil {
		user = &api.User{Login: c.Login}
		st.ServerURL = c.ServerURL
	}
	return st, user, nil
}

// SyncNow implements localapi.SyncService.
func (s *Sync) SyncNow(ctx context.Context) (api.SyncState, error) {
	eng, err := s.wait(ctx)
	if err != nil {
		return api.SyncState{}, err
	}
	return eng.SyncNow(ctx)
}
