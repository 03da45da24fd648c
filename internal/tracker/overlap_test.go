package tracker

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/localdb/dbtest"
)

// TestBackdatedStartKeepsAcknowledgedTime: a start dated before the active
// browser session's last acknowledged heartbeat would take that time back
// (or overlap it), so it is refused and the session keeps its time.
func TestBackdatedStartKeepsAcknowledgedTime(t *testing.T) {
	h := newHarness(t, nil)
	a := h.start("acme", "web", 1, api.SourceBrowser, ptr(t0))
	h.clk.Advance(2 * time.Minute)
	if _, err := h.tr.Heartbeat(h.ctx, a.ID, ptr(t0.Add(120*time.Second))); err != nil {
		t.Fatal(err)
	}
	_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "api", PRNumber: 2, Source: api.SourceBrowser, At: ptr(t0.Add(30 * time.Second))})
	if !errors.Is(err, api.ErrConflict) {
		t.Fatalf("back-dated start = %v, want a conflict", err)
	}
	if got := h.get(a.ID); got.Status != api.StatusActive {
		t.Fatalf("A after the refused start = %+v, want it still active", got)
	}
	// A start at the last heartbeat completes A there: 120 s, all kept.
	b := h.start("acme", "api", 2, api.SourceBrowser, ptr(t0.Add(120*time.Second)))
	if got := h.get(a.ID); got.Status != api.StatusCompleted || got.DurationSeconds != 120 {
		t.Fatalf("A = %+v, want completed after 120 s", got)
	}
	assertNoOverlap(t, h.ctx, h.db, []string{a.ID, b.ID})
}

// TestStartInsideEndedSessionConflicts: one device never has two sessions
// covering the same second, so a start inside an ended session of the
// device is refused; a start at its end is not.
func TestStartInsideEndedSessionConflicts(t *testing.T) {
	h := newHarness(t, nil)
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	stop := day.Add(23*time.Hour + 59*time.Minute)
	a := h.start("acme", "web", 1, api.SourceManual, ptr(day))
	if _, err := h.tr.End(h.ctx, a.ID, ptr(stop)); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{day, day.Add(time.Hour), stop.Add(-time.Second)} {
		_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: ptr(at)})
		if !errors.Is(err, api.ErrConflict) {
			t.Fatalf("start at %s = %v, want a conflict", at.Format(time.RFC3339), err)
		}
		if !strings.Contains(err.Error(), a.ID) {
			t.Fatalf("conflict %q does not name the session it overlaps", err)
		}
	}
	st, err := h.tr.Stats(h.ctx, StatsQuery{Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, d := range st.Days {
		total += d.Seconds
	}
	if want := int64((23*time.Hour + 59*time.Minute) / time.Second); total != want {
		t.Fatalf("total = %d s, want %d (one session)", total, want)
	}
	// Touching is not overlapping: the next session may start at the end.
	b := h.start("acme", "web", 1, api.SourceManual, ptr(stop))
	// A session of another device is not this device's concern.
	other := New(h.db, Options{DeviceID: "other-device", Clock: h.clk})
	if _, err := other.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: ptr(day.Add(time.Hour))}); err != nil {
		t.Fatalf("another device's start: %v", err)
	}
	assertNoOverlap(t, h.ctx, h.db, []string{a.ID, b.ID})
}

// TestBackdatedIntoGapEndsAtNextSession: a session started back-dated into
// the gap before sessions already recorded ends no later than the next one
// starts, however it is ended: stopped late or completed by a new start.
func TestBackdatedIntoGapEndsAtNextSession(t *testing.T) {
	h := newHarness(t, nil)
	later := t0.Add(-2 * time.Hour)
	b := h.start("acme", "web", 1, api.SourceManual, ptr(later))
	if _, err := h.tr.End(h.ctx, b.ID, ptr(later.Add(30*time.Minute))); err != nil {
		t.Fatal(err)
	}
	gap := later.Add(-time.Hour)

	// Stopped after the next session started: ends at its start.
	a := h.start("acme", "web", 2, api.SourceManual, ptr(gap))
	if e, err := h.tr.End(h.ctx, a.ID, ptr(later.Add(10*time.Minute))); err != nil || e.EndTime == nil || !e.EndTime.Equal(later) {
		t.Fatalf("End = %+v, %v; want it ended at %s", e, err, later.Format(time.RFC3339))
	}
	// Stopped inside the gap: ends where it was stopped.
	c := h.start("acme", "web", 3, api.SourceManual, ptr(gap.Add(-time.Hour)))
	if e, err := h.tr.End(h.ctx, c.ID, ptr(gap.Add(-30*time.Minute))); err != nil || e.DurationSeconds != 1800 {
		t.Fatalf("End in the gap = %+v, %v", e, err)
	}
	// Completed by a start after the later session: ends at its start.
	d := h.start("acme", "web", 4, api.SourceManual, ptr(gap.Add(-10*time.Minute)))
	e := h.start("acme", "web", 5, api.SourceManual, ptr(later.Add(time.Hour)))
	if got := h.get(d.ID); got.Status != api.StatusCompleted || got.EndTime == nil || !got.EndTime.Equal(gap) {
		t.Fatalf("completed by a later start: %+v (end %v), want end %s", got, got.EndTime, gap.Format(time.RFC3339))
	}
	assertNoOverlap(t, h.ctx, h.db, []string{a.ID, b.ID, c.ID, d.ID, e.ID})
}

// TestZeroTimeRefused: the zero time is not "now" but a bad request, for
// every call that takes a time.
func TestZeroTimeRefused(t *testing.T) {
	h := newHarness(t, nil)
	zero := &time.Time{}
	if _, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: zero}); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("Start(zero) = %v, want invalid", err)
	}
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	h.clk.Advance(time.Minute)
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, zero); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("Heartbeat(zero) = %v, want invalid", err)
	}
	if _, err := h.tr.End(h.ctx, s.ID, zero); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("End(zero) = %v, want invalid", err)
	}
	if got := h.get(s.ID); got.Status != api.StatusActive {
		t.Fatalf("session after refused calls = %+v, want active", got)
	}
}

// TestHugeValuesAreBadRequestsWithShortMessages: a malformed value of any
// size is a bad request, and the message quotes only a prefix of it.
func TestHugeValuesAreBadRequestsWithShortMessages(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	hugeID := strings.Repeat("z", 1<<20)
	calls := map[string]func() error{
		"name of <": func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: strings.Repeat("<", 1_040_000), PRNumber: 1})
			return err
		},
		"name of U+0080": func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: strings.Repeat("\u0080", 500_000), PRNumber: 1})
			return err
		},
		"owner of U+0080": func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: strings.Repeat("\u0080", 500_000), RepoName: "web", PRNumber: 1})
			return err
		},
		"start id": func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, SessionID: hugeID})
			return err
		},
		"heartbeat id": func() error { _, err := h.tr.Heartbeat(h.ctx, hugeID, nil); return err },
		"end id":       func() error { _, err := h.tr.End(h.ctx, hugeID, nil); return err },
		"short non-UUID id": func() error {
			_, err := h.tr.End(h.ctx, s.ID[:35]+"g", nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, api.ErrInvalid) {
				t.Fatalf("err = %.300v, want invalid", err)
			}
			if len(err.Error()) > 1000 {
				t.Fatalf("message is %d bytes: %.300s", len(err.Error()), err)
			}
		})
	}
}

// TestConcurrentWritersNeverOverlap: several writers, each with its own
// connection to the store (as hosts and the CLI have while the daemon is
// down), start and end sessions of one device as fast as they can, with
// "now" from the real clock. No two sessions may cover the same second.
func TestConcurrentWritersNeverOverlap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a few seconds")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	const writers, rounds = 5, 25
	var trackers []*Tracker
	var dbs []*localdb.DB
	for i := 0; i < writers; i++ {
		db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC, Clock: clock.Real()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
		trackers = append(trackers, New(db, Options{Location: time.UTC, Clock: clock.Real()}))
	}
	var wg sync.WaitGroup
	errc := make(chan error, writers*rounds*2)
	for i, tr := range trackers {
		wg.Add(1)
		go func(i int, tr *Tracker) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				src := api.SourceBrowser
				if i%2 == 1 {
					src = api.SourceManual
				}
				s, err := tr.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: i + 1, Source: src})
				if err != nil {
					// A refusal is allowed (conflict); anything else is not.
					if !errors.Is(err, api.ErrConflict) {
						errc <- fmt.Errorf("writer %d start: %w", i, err)
					}
					continue
				}
				if r%3 == 0 {
					if _, err := tr.End(ctx, s.ID, nil); err != nil {
						errc <- fmt.Errorf("writer %d end: %w", i, err)
					}
				}
			}
		}(i, tr)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	assertNoOverlap(t, ctx, dbs[0], nil)
}

// assertNoOverlap fails if two sessions of one device cover the same
// second (an active session covers everything from its start on). When ids
// is not nil, each of them must be among the sessions.
func assertNoOverlap(t *testing.T, ctx context.Context, db *localdb.DB, ids []string) {
	t.Helper()
	all, err := db.ListSessions(ctx, localdb.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range all {
		seen[s.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("session %s is not stored", id)
		}
	}
	if prev, cur, ok := dbtest.Overlap(all); ok {
		t.Fatalf("device %s: session %s (%s to %v, %s) overlaps %s (from %s, %s)", prev.DeviceID, prev.ID,
			prev.StartTime.Format(time.RFC3339), prev.EndTime, prev.Status, cur.ID, cur.StartTime.Format(time.RFC3339), cur.Status)
	}
	if len(all) < 2 && ids == nil {
		t.Fatalf("only %d sessions were written", len(all))
	}
}
