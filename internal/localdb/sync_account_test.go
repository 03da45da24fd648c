package localdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

func TestResetPushed(t *testing.T) {
	ctx := context.Background()
	db, err := localdb.Open(ctx, filepath.Join(t.TempDir(), "w.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	mk := func(dev string, i int) localdb.Session {
		st := t0.Add(time.Duration(i) * time.Hour)
		end := st.Add(time.Minute)
		return localdb.Session{Session: api.Session{ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "a", RepoName: "b",
			PRNumber: 1, StartTime: st, EndTime: &end, Status: api.StatusCompleted, DeviceID: dev}, Source: api.SourceManual,
			UpdatedAt: t0.Add(48 * time.Hour)}
	}
	var mine []localdb.Session
	err = db.Update(ctx, func(tx *localdb.Tx) error {
		for i := 0; i < 3; i++ {
			s, err := tx.Put(mk("me", i))
			if err != nil {
				return err
			}
			mine = append(mine, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyRemote(ctx, []localdb.Session{mk("other", 5)}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkPushed(ctx, map[string]int64{mine[0].ID: mine[0].ChangeSeq, mine[1].ID: mine[1].ChangeSeq}); err != nil {
		t.Fatal(err)
	}
	if err := db.Quarantine(ctx, mine[2].ID, mine[2].ChangeSeq, "refused"); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingCount(ctx); p != 0 {
		t.Fatalf("pending before reset = %d, want 0", p)
	}
	n, err := db.ResetPushed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("ResetPushed = %d rows, want 3 (this device's)", n)
	}
	if p, _ := db.PendingCount(ctx); p != 3 {
		t.Errorf("pending after reset = %d, want 3", p)
	}
	if q, _ := db.QuarantinedCount(ctx); q != 0 {
		t.Errorf("quarantined after reset = %d, want 0", q)
	}
	if n, _ := db.ResetPushed(ctx); n != 0 {
		t.Errorf("a second reset changed %d rows, want 0", n)
	}
}
