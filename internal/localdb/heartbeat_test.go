package localdb_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

// Tx.Heartbeat keeps Put's bookkeeping: updated_at never goes back, the row
// gets the next change_seq (pending again) and a quarantine is lifted.
func TestTxHeartbeat(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	db, err := localdb.Open(ctx, filepath.Join(t.TempDir(), "worktime.db"), localdb.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var started localdb.Session
	err = db.Update(ctx, func(tx *localdb.Tx) error {
		started, err = tx.Put(localdb.Session{Session: api.Session{ID: "s1", RepoOwner: "acme", RepoName: "web",
			PRNumber: 1, StartTime: t0, Status: api.StatusActive, DeviceID: "dev"}, Source: api.SourceBrowser})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Quarantine(ctx, "s1", started.ChangeSeq, "refused"); err != nil {
		t.Fatal(err)
	}
	heartbeat := func(at time.Time) (localdb.Session, error) {
		var out localdb.Session
		err := db.Update(ctx, func(tx *localdb.Tx) error {
			cur, ok, err := tx.Session("s1")
			if err != nil || !ok {
				return errors.Join(err, errors.New("no session"))
			}
			out, err = tx.Heartbeat(cur, at)
			return err
		})
		return out, err
	}
	// The clock has not moved: updated_at still goes forward by 1 ms.
	got, err := heartbeat(t0.Add(90*time.Second + 500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastHeartbeatAt.Equal(t0.Add(90*time.Second)) || got.ChangeSeq != started.ChangeSeq+1 ||
		!got.UpdatedAt.Equal(started.UpdatedAt.Add(time.Millisecond)) {
		t.Fatalf("returned %+v (started %+v)", got, started)
	}
	stored, err := db.Session(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if !stored.LastHeartbeatAt.Equal(*got.LastHeartbeatAt) || stored.ChangeSeq != got.ChangeSeq ||
		!stored.UpdatedAt.Equal(got.UpdatedAt) || stored.Status != api.StatusActive || stored.EndTime != nil {
		t.Fatalf("stored %+v, returned %+v", stored, got)
	}
	if n, err := db.QuarantinedCount(ctx); err != nil || n != 0 {
		t.Fatalf("quarantined = %d, %v; a heartbeat lifts the quarantine", n, err)
	}
	// An active session is not pending, heartbeat or not: it is pushed
	// once it ends.
	if pending, err := db.PendingSessions(ctx, 10); err != nil || len(pending) != 0 {
		t.Fatalf("pending after a heartbeat = %+v, %v; want none", pending, err)
	}

	if _, err := heartbeat(t0.Add(-time.Second)); !errors.Is(err, localdb.ErrInvalidSession) {
		t.Fatalf("heartbeat before the start: err = %v, want ErrInvalidSession", err)
	}
	end := t0.Add(2 * time.Minute)
	if err := db.Update(ctx, func(tx *localdb.Tx) error {
		cur, _, err := tx.Session("s1")
		if err != nil {
			return err
		}
		cur.EndTime, cur.Status = &end, api.StatusCompleted
		_, err = tx.Put(cur)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingSessions(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != "s1" || pending[0].Status != api.StatusCompleted {
		t.Fatalf("pending after the end = %+v, %v; want s1 completed", pending, err)
	}
	if _, err := heartbeat(t0.Add(3 * time.Minute)); !errors.Is(err, localdb.ErrInvalidSession) {
		t.Fatalf("heartbeat of an ended session: err = %v, want ErrInvalidSession", err)
	}
}
