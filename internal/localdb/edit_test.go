package localdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
)

// TestTombstones: a delete moves the session out of time_sessions and its
// daily totals into a pending tombstone that names the start the server
// holds; the push's acknowledgement clears it; a pulled deletion wins over
// a newer local version, and a pulled version of a deleted session is
// refused.
func TestTombstones(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	db, err := Open(ctx, filepath.Join(t.TempDir(), "worktime.db"), Options{Location: time.UTC, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mk := func(id string, start time.Time) Session {
		end := start.Add(30 * time.Minute)
		return Session{Session: api.Session{ID: id, RepoOwner: "acme", RepoName: "web", PRNumber: 1,
			StartTime: start, EndTime: &end, Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual}
	}
	a, b := mk("0190a000-0000-7000-8000-0000000000a1", t0), mk("0190a000-0000-7000-8000-0000000000b2", t0.Add(time.Hour))
	put(t, db, a)
	put(t, db, b)
	pend, err := db.PendingSessions(ctx, 0)
	if err != nil || len(pend) != 2 {
		t.Fatalf("pending %+v, %v", pend, err)
	}
	acks := map[string]int64{}
	for _, p := range pend {
		acks[p.ID] = p.ChangeSeq
	}
	if err := db.MarkPushed(ctx, acks); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Session(ctx, a.ID); s.SyncedStart == nil || !s.SyncedStart.Equal(t0) {
		t.Fatalf("synced_start after the push: %+v", s)
	}
	// Move a's start, then delete it before the move is pushed: the
	// tombstone names both starts.
	clk.Advance(time.Second)
	err = db.Update(ctx, func(tx *Tx) error {
		cur, _, err := tx.Session(a.ID)
		if err != nil {
			return err
		}
		cur.StartTime = t0.Add(10 * time.Minute)
		if cur, err = tx.Put(cur); err != nil {
			return err
		}
		_, err = tx.Delete(cur)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, a.ID); err == nil {
		t.Fatal("the deleted session is still listed")
	}
	stats, _ := db.DailyStats(ctx, "", "", "", "")
	if len(stats) != 1 || stats[0].Seconds != 1800 || stats[0].Sessions != 1 {
		t.Fatalf("daily_stats after the delete: %+v", stats)
	}
	pend, _ = db.PendingSessions(ctx, 0)
	if len(pend) != 1 || !pend[0].Deleted || pend[0].ID != a.ID || !pend[0].StartTime.Equal(t0.Add(10*time.Minute)) ||
		pend[0].SyncedStart == nil || !pend[0].SyncedStart.Equal(t0) {
		t.Fatalf("pending tombstone %+v", pend)
	}
	if n, _ := db.PendingCount(ctx); n != 1 {
		t.Fatalf("pending count %d", n)
	}
	if err := db.MarkPushed(ctx, map[string]int64{a.ID: pend[0].ChangeSeq}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("pending count after the push %d", n)
	}
	// A newer version of a pulled from elsewhere stays out.
	newer := a
	newer.UpdatedAt = t0.Add(48 * time.Hour)
	if n, err := db.ApplyRemote(ctx, []Session{newer}); err != nil || n != 0 {
		t.Fatalf("a deleted session pulled back: %d, %v", n, err)
	}
	// A pulled deletion removes b even though b changed here since.
	clk.Advance(time.Second)
	cur, _ := db.Session(ctx, b.ID)
	cur.PRNumber = 2
	put(t, db, cur)
	if n, err := db.ApplyRemote(ctx, []Session{{Session: api.Session{ID: b.ID}, UpdatedAt: t0, Deleted: true}}); err != nil || n != 1 {
		t.Fatalf("pulled deletion: %d, %v", n, err)
	}
	if _, err := db.Session(ctx, b.ID); err == nil {
		t.Fatal("b survived its pulled deletion")
	}
	if stats, _ := db.DailyStats(ctx, "", "", "", ""); len(stats) != 0 {
		t.Fatalf("daily_stats %+v", stats)
	}
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("a pulled deletion is pending: %d", n)
	}
}
