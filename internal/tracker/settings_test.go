package tracker

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

func TestSetIdleTimeoutAppliesToActiveSessions(t *testing.T) {
	t.Run("shorter: a heartbeat past the new deadline abandons", func(t *testing.T) {
		h := newHarness(t, nil)
		s := h.start("acme", "web", 1, api.SourceBrowser, nil)
		h.tr.SetIdleTimeout(2 * time.Minute)
		if got := h.tr.IdleTimeout(); got != 2*time.Minute {
			t.Fatalf("IdleTimeout = %v", got)
		}
		h.clk.Advance(3 * time.Minute) // within the old 10m, past the new 2m
		got, err := h.tr.Heartbeat(h.ctx, s.ID, nil)
		if !errors.Is(err, api.ErrConflict) || got.Status != api.StatusAbandoned || !got.EndTime.Equal(t0) {
			t.Fatalf("Heartbeat = %+v, %v; want abandoned at its start", got, err)
		}
	})
	t.Run("longer: the reaper waits for the new deadline", func(t *testing.T) {
		h := newHarness(t, nil)
		s := h.start("acme", "web", 1, api.SourceBrowser, nil)
		h.tr.SetIdleTimeout(20 * time.Minute)
		h.clk.Advance(10 * time.Minute) // the old deadline
		next, err := h.tr.ReapAbandoned(h.ctx)
		if err != nil || !next.Equal(t0.Add(20*time.Minute)) {
			t.Fatalf("ReapAbandoned = %v, %v; want next check at t0+20m", next, err)
		}
		if got := h.get(s.ID); got.Status != api.StatusActive {
			t.Fatalf("session %+v abandoned at the old deadline", got)
		}
	})
}

// The reaper sleeping until the old deadline is woken by the change and
// abandons at the new one.
func TestSetIdleTimeoutReplansReaper(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	changes := make(chan struct{}, 100)
	h.tr.OnChange(func() { changes <- struct{}{} })
	done := make(chan error, 1)
	rctx, stop := context.WithCancel(ctx)
	go func() { done <- h.tr.RunReaper(rctx) }()

	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	<-changes
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("reaper did not arm a timer after a start: %v", err)
	}
	h.tr.SetIdleTimeout(3 * time.Minute)
	// Whether the reaper has re-armed for t0+3m yet or is still to handle
	// the wake-up, at t0+3m it abandons; with the old plan it would sleep
	// until t0+10m.
	h.clk.Advance(3 * time.Minute)
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("reaper did not abandon the session at the new deadline")
	}
	if got := h.get(s.ID); got.Status != api.StatusAbandoned || !got.EndTime.Equal(t0) {
		t.Fatalf("session %+v, want abandoned at its start", got)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("RunReaper = %v", err)
	}
}

func TestSetLocationChangesStatsDays(t *testing.T) {
	h := newHarness(t, time.UTC)
	// 22:00–23:30 UTC on the 24th is 07:00–08:30 on the 25th in Tokyo;
	// now (t0) is 10:00 UTC, 19:00 in Tokyo, on the 25th in both.
	s := h.start("acme", "web", 1, api.SourceManual, ptr(time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)))
	if _, err := h.tr.End(h.ctx, s.ID, ptr(time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	days := func() []api.DayStats {
		t.Helper()
		st, err := h.tr.Stats(h.ctx, StatsQuery{Days: 2})
		if err != nil {
			t.Fatal(err)
		}
		return st.Days
	}
	if got, want := days(), []api.DayStats{{Date: "2026-11-24", Seconds: 5400, Sessions: 1}, {Date: "2026-11-25"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("UTC days %+v, want %+v", got, want)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.tr.SetLocation(h.ctx, tokyo); err != nil {
		t.Fatal(err)
	}
	if h.tr.Location() != tokyo || h.db.Location() != tokyo {
		t.Fatalf("zones %v (tracker), %v (store), want Asia/Tokyo", h.tr.Location(), h.db.Location())
	}
	if got, want := days(), []api.DayStats{{Date: "2026-11-24"}, {Date: "2026-11-25", Seconds: 5400, Sessions: 1}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokyo days %+v, want %+v", got, want)
	}
}
