// Package daemon is `worktimed run`: it opens the store, builds the tracker
// and runs the daemon's components (the abandonment reaper, the local API,
// the sync engine) together until its context is cancelled, then stops them
// together.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

// Options configure the daemon.
type Options struct {
	Paths  config.Paths
	Config config.Config
	Logger *slog.Logger // nil discards
	Clock  clock.Clock  // nil is the real clock
	// Getenv reads the environment (TZ for the system zone); nil is
	// os.Getenv.
	Getenv  func(string) string
	Version string
	// Components run beside the built-in ones (see components.go).
	Components []Component
	// Ready, if set, is called once the store is open, before the
	// components start.
	Ready func(d *Daemon)
	// Sync backs the local API's sync routes and status; nil means sync is
	// disabled (see localapi.go).
	Sync localapi.SyncService
	// SignIn backs the local API's login routes; nil means they answer
	// unavailable.
	SignIn localapi.SignIn
}

// Component is one long-running part of the daemon. Run must return when
// ctx is cancelled; returning earlier with an error stops the daemon, and
// returning nil early just ends that component.
type Component struct {
	Name string
	Run  func(ctx context.Context, d *Daemon) error
}

// Daemon is the state the components share. Every field is set by New and
// never changes afterwards. Config and Location are the values the daemon
// started with; the idle timeout and time zone in force are the Tracker's,
// which PUT config changes live (localapi.go).
type Daemon struct {
	Paths    config.Paths
	Config   config.Config
	Location *time.Location
	Logger   *slog.Logger
	Clock    clock.Clock
	// Getenv reads the environment; never nil.
	Getenv   func(string) string
	Version  string
	DB       *localdb.DB
	Tracker  *tracker.Tracker
	DeviceID string

	extra  []Component
	ready  func(*Daemon)
	sync   localapi.SyncService
	signIn localapi.SignIn
}

// New opens the store and builds the tracker. Close releases them.
func New(ctx context.Context, opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	loc, err := opts.Config.LocationWith(opts.Getenv)
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	db, err := localdb.Open(ctx, opts.Paths.DB, localdb.Options{Location: loc, Clock: opts.Clock, Logger: opts.Logger, DaemonStart: true})
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	device, err := db.DeviceID(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("daemon: %w", err)
	}
	tr := tracker.New(db, tracker.Options{
		DeviceID:    device,
		Location:    loc,
		IdleTimeout: opts.Config.IdleTimeout.Duration,
		Rules:       RulesFrom(opts.Paths.Config, opts.Config.Rules, opts.Logger),
		Clock:       opts.Clock,
		Logger:      opts.Logger,
	})
	return &Daemon{
		Paths: opts.Paths, Config: opts.Config, Location: loc, Logger: opts.Logger, Clock: opts.Clock, Getenv: opts.Getenv,
		Version: opts.Version, DB: db, Tracker: tr, DeviceID: device,
		extra: opts.Components, ready: opts.Ready, sync: opts.Sync, signIn: opts.SignIn,
	}, nil
}

// Close closes the store.
func (d *Daemon) Close() error { return d.DB.Close() }

// Run is New, then the components until ctx is cancelled, then Close.
func Run(ctx context.Context, opts Options) error {
	d, err := New(ctx, opts)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Run(ctx)
}

// Run runs every component until ctx is cancelled or one fails, then
// cancels the others and waits for them. A cancelled ctx is a clean stop
// (nil).
func (d *Daemon) Run(ctx context.Context) error {
	comps := append(d.components(), d.extra...)
	if d.ready != nil {
		d.ready(d)
	}
	d.Logger.Info("worktimed running", "version", d.Version, "db", d.Paths.DB, "device_id", d.DeviceID,
		"time_zone", d.Location.String(), "components", len(comps))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(comps))
	for _, c := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.Run(ctx, d)
			if err != nil && !errors.Is(err, context.Canceled) {
				d.Logger.Error("component failed", "component", c.Name, "err", err)
				errs <- fmt.Errorf("%s: %w", c.Name, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	d.Logger.Info("worktimed stopped")
	return errors.Join(all...)
}
