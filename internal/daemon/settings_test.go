package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localclient"
)

var settingsT0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// runDaemon runs a daemon in UTC with its config.toml written, and returns it
// and a client once its local API listens. The daemon stops at cleanup.
func runDaemon(t *testing.T, ctx context.Context, clk *clock.Fake) (*Daemon, *localclient.Client, Options) {
	t.Helper()
	opts := testOptions(t, clk)
	if err := config.Save(opts.Paths.Config, opts.Config); err != nil {
		t.Fatal(err)
	}
	ready := listening{Handler: slog.DiscardHandler, ch: make(chan struct{})}
	opts.Logger = slog.New(ready)
	daemons := make(chan *Daemon, 1)
	opts.Ready = func(d *Daemon) { daemons <- d }
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Run(runCtx, opts) }()
	var d *Daemon
	select {
	case d = <-daemons:
	case err := <-done:
		t.Fatalf("Run = %v", err)
	}
	<-ready.ch
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	return d, localclient.New(opts.Paths.Socket), opts
}

func putSettings(t *testing.T, ctx context.Context, c *localclient.Client, change func(*api.Settings)) api.Settings {
	t.Helper()
	set, err := c.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(&set)
	got, err := c.SetSettings(ctx, set)
	if err != nil {
		t.Fatalf("PUT config: %v", err)
	}
	return got
}

func TestPutConfigIdleTimeoutAppliesLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clk := clock.NewFake(settingsT0)
	d, c, _ := runDaemon(t, ctx, clk)

	s, err := c.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, Source: api.SourceBrowser})
	if err != nil {
		t.Fatal(err)
	}
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the reaper did not arm its timer")
	}
	changed := make(chan struct{}, 4)
	d.Tracker.OnChange(func() { changed <- struct{}{} })

	if got := putSettings(t, ctx, c, func(s *api.Settings) { s.IdleTimeoutSeconds = 180 }); got.IdleTimeoutSeconds != 180 {
		t.Fatalf("PUT config = %+v", got)
	}
	// The reaper planned to wake at t0+10m (the old timeout); it now
	// abandons the idle session at t0+3m.
	clk.Advance(3 * time.Minute)
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("the session was not abandoned at the new idle timeout")
	}
	got, err := d.Tracker.Session(ctx, s.ID)
	if err != nil || got.Status != api.StatusAbandoned || !got.EndTime.Equal(settingsT0) {
		t.Fatalf("session %+v, %v: want abandoned at its start", got, err)
	}
}

func TestPutConfigTimeZoneAppliesLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, c, opts := runDaemon(t, ctx, clock.NewFake(settingsT0))

	// Now is 10:00 UTC = 19:00 in Tokyo, the 25th in both.
	for _, span := range [][2]time.Time{
		// 14:00–16:00 UTC on the 24th: 23:00–01:00 in Tokyo, across its midnight.
		{time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)},
		// 22:00–23:30 UTC on the 24th: 07:00–08:30 on the 25th in Tokyo.
		{time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)},
	} {
		s, err := c.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: &span[0]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.End(ctx, s.ID, &span[1]); err != nil {
			t.Fatal(err)
		}
	}
	days := func() []api.DayStats {
		t.Helper()
		st, err := c.Stats(ctx, localclient.StatsQuery{Days: 2})
		if err != nil {
			t.Fatal(err)
		}
		return st.Days
	}
	if got, want := days(), []api.DayStats{{Date: "2026-11-24", Seconds: 12600, Sessions: 2}, {Date: "2026-11-25"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("UTC days %+v, want %+v", got, want)
	}

	if got := putSettings(t, ctx, c, func(s *api.Settings) { s.TimeZone = "Asia/Tokyo" }); got.TimeZone != "Asia/Tokyo" {
		t.Fatalf("PUT config = %+v", got)
	}
	if got, want := days(), []api.DayStats{{Date: "2026-11-24", Seconds: 3600, Sessions: 1}, {Date: "2026-11-25", Seconds: 9000, Sessions: 2}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokyo days %+v, want %+v", got, want)
	}
	checkDailyStats(t, ctx, d)
	if d.DB.Location().String() != "Asia/Tokyo" || d.Tracker.Location().String() != "Asia/Tokyo" {
		t.Fatalf("zones %v (store), %v (tracker)", d.DB.Location(), d.Tracker.Location())
	}
	if saved, err := config.Load(opts.Paths.Config); err != nil || saved.TimeZone != "Asia/Tokyo" {
		t.Fatalf("config.toml %+v, %v", saved, err)
	}
}

// checkDailyStats fails unless daily_stats equals the aggregate recomputed
// from time_sessions in the store's zone.
func checkDailyStats(t *testing.T, ctx context.Context, d *Daemon) {
	t.Helper()
	got, err := d.DB.DailyStats(ctx, "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := d.DB.RecomputedDailyStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("daily_stats %+v != recomputed %+v", got, want)
	}
}

func TestPutConfigRefusedChangesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, c, opts := runDaemon(t, ctx, clock.NewFake(settingsT0))
	before, err := os.ReadFile(opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	good, err := c.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*api.Settings)
	}{
		{"idle timeout too short", func(s *api.Settings) { s.IdleTimeoutSeconds = 5 }},
		{"idle timeout too long", func(s *api.Settings) { s.IdleTimeoutSeconds = 25 * 3600 }},
		{"unknown time zone", func(s *api.Settings) { s.TimeZone = "Mars/Olympus" }},
		// Valid zone and timeout, refused for another field: neither applies.
		{"bad extension id", func(s *api.Settings) {
			s.TimeZone, s.IdleTimeoutSeconds, s.AllowedExtensionIDs = "Asia/Tokyo", 120, []string{"nope"}
		}},
		{"server url scheme", func(s *api.Settings) { s.TimeZone, s.IdleTimeoutSeconds, s.ServerURL = "Asia/Tokyo", 120, "ftp://x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := good
			bad.AllowedExtensionIDs = append([]string{}, good.AllowedExtensionIDs...)
			tt.change(&bad)
			_, err := c.SetSettings(ctx, bad)
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Code != api.CodeBadRequest {
				t.Fatalf("PUT config = %v, want bad_request", err)
			}
			if got := d.Tracker.IdleTimeout(); got != 10*time.Minute {
				t.Fatalf("idle timeout in force %v, want 10m", got)
			}
			if d.Tracker.Location().String() != "UTC" || d.DB.Location().String() != "UTC" {
				t.Fatalf("zones %v (tracker), %v (store), want UTC", d.Tracker.Location(), d.DB.Location())
			}
			if z, _, err := d.DB.State(ctx, "daily_stats_zone"); err != nil || z != "UTC" {
				t.Fatalf("daily_stats built in %q, %v", z, err)
			}
			if after, err := os.ReadFile(opts.Paths.Config); err != nil || !bytes.Equal(after, before) {
				t.Fatalf("config.toml changed: %s, %v", after, err)
			}
			if got, err := c.Settings(ctx); err != nil || !reflect.DeepEqual(got, good) {
				t.Fatalf("GET config %+v, %v; want %+v", got, err, good)
			}
		})
	}
}

// PUTs of different zones race with each other and with writers: the zone
// in force ends as the one saved, and daily_stats equals the aggregate
// recomputed in it.
func TestPutConfigTimeZoneRacesWithWriters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, _, opts := runDaemon(t, ctx, clock.NewFake(settingsT0))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	putsDone := make(chan struct{})
	var puts sync.WaitGroup
	for i, zones := range [][]string{{"Asia/Tokyo", "America/Santiago", "UTC"}, {"Asia/Kolkata", "Europe/Paris", "Pacific/Auckland"}} {
		wg.Add(1)
		puts.Add(1)
		go func() {
			defer wg.Done()
			defer puts.Done()
			c := localclient.New(opts.Paths.Socket)
			for _, z := range zones {
				set, err := c.Settings(ctx)
				if err != nil {
					errs <- err
					return
				}
				set.TimeZone = z
				set.IdleTimeoutSeconds = int64(60 * (i + 2))
				if _, err := c.SetSettings(ctx, set); err != nil {
					errs <- fmt.Errorf("PUT %s: %w", z, err)
					return
				}
			}
		}()
	}
	go func() { puts.Wait(); close(putsDone) }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := localclient.New(opts.Paths.Socket)
		for i := 0; ; i++ {
			select {
			case <-putsDone:
				if i > 0 {
					return
				}
			default:
			}
			// Sessions of one device may not overlap: each starts 8 h
			// after the last (at 05, 13 and 21 h, some crossing midnight)
			// and lasts at most 7 h 15 min.
			start := time.Date(2025, 11, 20, 5, 0, 0, 0, time.UTC).Add(time.Duration(i) * 8 * time.Hour)
			end := start.Add(time.Duration(30+i%10*45) * time.Minute)
			s, err := c.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1 + i%3, At: &start})
			if err == nil {
				_, err = c.End(ctx, s.ID, &end)
			}
			if err != nil {
				errs <- fmt.Errorf("write %d: %w", i, err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	saved, err := config.Load(opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	if z := d.Tracker.Location().String(); z != saved.TimeZone || d.DB.Location().String() != saved.TimeZone {
		t.Fatalf("zone in force %s (tracker), %s (store); config.toml says %s", z, d.DB.Location(), saved.TimeZone)
	}
	if d.Tracker.IdleTimeout() != saved.IdleTimeout.Duration {
		t.Fatalf("idle timeout in force %v; config.toml says %v", d.Tracker.IdleTimeout(), saved.IdleTimeout.Duration)
	}
	checkDailyStats(t, ctx, d)
}
