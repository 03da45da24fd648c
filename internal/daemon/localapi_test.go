package daemon

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localclient"
)

// listening signals when the daemon logs that its local API listens.
type listening struct {
	slog.Handler
	ch chan struct{}
}

func (l listening) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "local API listening" {
		close(l.ch)
	}
	return nil
}
func (l listening) Enabled(context.Context, slog.Level) bool { return true }

func TestLocalAPIComponent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := testOptions(t, clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)))
	ready := listening{Handler: slog.DiscardHandler, ch: make(chan struct{})}
	opts.Logger = slog.New(ready)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Run(runCtx, opts) }()
	<-ready.ch

	c := localclient.New(opts.Paths.Socket)
	st, err := c.Status(ctx)
	if err != nil || st.Version != "test" || st.DeviceID == "" || st.Sync.State != "disabled" {
		t.Fatalf("status %+v, %v", st, err)
	}
	set, err := c.Settings(ctx)
	if err != nil || set.IdleTimeoutSeconds != 600 || len(set.AllowedExtensionIDs) != 1 || set.AllowedExtensionIDs[0] != config.DefaultExtensionID {
		t.Fatalf("settings %+v, %v", set, err)
	}
	set.IdleTimeoutSeconds = 300
	set.TimeZone = "Europe/Paris"
	set.AllowedExtensionIDs = append(set.AllowedExtensionIDs, "abcdefghijklmnopabcdefghijklmnop")
	set.DailyGoalSeconds, set.WeeklyGoalSeconds = 4*3600, 20*3600
	got, err := c.SetSettings(ctx, set)
	if err != nil || got.IdleTimeoutSeconds != 300 || got.TimeZone != "Europe/Paris" || len(got.AllowedExtensionIDs) != 2 ||
		got.DailyGoalSeconds != 4*3600 || got.WeeklyGoalSeconds != 20*3600 {
		t.Fatalf("set settings %+v, %v", got, err)
	}
	saved, err := config.Load(opts.Paths.Config)
	if err != nil || saved.IdleTimeout.Duration != 5*time.Minute || saved.TimeZone != "Europe/Paris" || len(saved.AllowedExtensionIDs) != 2 ||
		saved.DailyGoal.Duration != 4*time.Hour || saved.WeeklyGoal.Duration != 20*time.Hour {
		t.Fatalf("config.toml %+v, %v", saved, err)
	}
	for name, bad := range map[string]api.Settings{
		"idle timeout too short": {IdleTimeoutSeconds: 5, AllowedExtensionIDs: []string{}},
		"unknown time zone":      {IdleTimeoutSeconds: 600, TimeZone: "Mars/Olympus"},
		"bad extension id":       {IdleTimeoutSeconds: 600, AllowedExtensionIDs: []string{"nope"}},
		"server url scheme":      {IdleTimeoutSeconds: 600, ServerURL: "ftp://x"},
		"daily goal over a day":  {IdleTimeoutSeconds: 600, DailyGoalSeconds: 25 * 3600},
		"weekly goal negative":   {IdleTimeoutSeconds: 600, WeeklyGoalSeconds: -60},
	} {
		_, err := c.SetSettings(ctx, bad)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != api.CodeBadRequest {
			t.Errorf("%s: %v, want bad_request", name, err)
		}
	}
	if again, err := config.Load(opts.Paths.Config); err != nil || again.IdleTimeout.Duration != 5*time.Minute {
		t.Fatalf("a refused change was written: %+v, %v", again, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(opts.Paths.Socket); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind: %v", err)
	}
	if _, err := c.Status(ctx); !localclient.IsUnavailable(err) {
		t.Fatalf("status after stop: %v", err)
	}
}
