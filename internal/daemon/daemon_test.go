package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
)

func testOptions(t *testing.T, clk clock.Clock) Options {
	home := t.TempDir()
	cfg := config.Default()
	cfg.TimeZone = "UTC"
	return Options{
		Paths: config.Paths{Home: home, Config: filepath.Join(home, "config.toml"), DB: filepath.Join(home, "worktime.db"),
			Socket: filepath.Join(home, "worktimed.sock"), LogDir: filepath.Join(home, "logs")},
		Config:  cfg,
		Clock:   clk,
		Version: "test",
	}
}

func TestRunReapsAndStopsTogether(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clk := clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	opts := testOptions(t, clk)
	stopped := make(chan struct{})
	opts.Components = []Component{{Name: "extra", Run: func(ctx context.Context, d *Daemon) error {
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}}}
	ready := make(chan *Daemon, 1)
	opts.Ready = func(d *Daemon) { ready <- d }
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Run(runCtx, opts) }()
	d := <-ready
	if d.DeviceID == "" || d.Tracker == nil || d.Location.String() != "UTC" {
		t.Fatalf("daemon state %+v", d)
	}
	s, err := d.Tracker.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, Source: api.SourceBrowser})
	if err != nil {
		t.Fatal(err)
	}
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the reaper did not arm its timer")
	}
	changed := make(chan struct{}, 4)
	d.Tracker.OnChange(func() { changed <- struct{}{} })
	clk.Advance(opts.Config.IdleTimeout.Duration)
	<-changed
	got, err := d.Tracker.Session(ctx, s.ID)
	if err != nil || got.Status != api.StatusAbandoned {
		t.Fatalf("session %+v, %v: want abandoned by the daemon's reaper", got, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil on cancel", err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("extra component not stopped")
	}
}

func TestComponentFailureStopsDaemon(t *testing.T) {
	opts := testOptions(t, clock.NewFake(time.Now()))
	boom := errors.New("listener failed")
	opts.Components = []Component{{Name: "broken", Run: func(ctx context.Context, d *Daemon) error { return boom }}}
	err := Run(context.Background(), opts)
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the component's error", err)
	}
}

func TestRunRefusesBadConfigZone(t *testing.T) {
	opts := testOptions(t, nil)
	opts.Config.TimeZone = "Nowhere/Land"
	if err := Run(context.Background(), opts); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("Run = %v, want config.ErrInvalid", err)
	}
}
