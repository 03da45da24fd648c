package localdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// pendingStore returns a store holding n sessions that have never been
// pushed, numbered in id order like a backlog tracked offline.
func pendingStore(b *testing.B, n int) *DB {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "worktime.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	i := 0
	if _, err := db.BulkLoad(ctx, func() (Session, bool) {
		if i == n {
			return Session{}, false
		}
		st := t0.Add(time.Duration(i) * time.Minute)
		end := st.Add(30 * time.Second)
		s := Session{Session: api.Session{ID: fmt.Sprintf("%012d", i), RepoOwner: "bench",
			RepoName: fmt.Sprintf("r%d", i%20), PRNumber: 1 + i%50, StartTime: st, EndTime: &end,
			Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual, UpdatedAt: end}
		i++
		return s, true
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.sql.ExecContext(ctx, `UPDATE time_sessions SET change_seq = r.n, pushed_seq = 0
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM time_sessions) AS r
		WHERE r.id = time_sessions.id`); err != nil {
		b.Fatal(err)
	}
	if err := db.SetState(ctx, "change_seq", fmt.Sprint(n)); err != nil {
		b.Fatal(err)
	}
	return db
}

const benchPending = 100_000

func BenchmarkPendingSessions500(b *testing.B) {
	db := pendingStore(b, benchPending)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p, err := db.PendingSessions(ctx, 500); err != nil || len(p) != 500 {
			b.Fatalf("PendingSessions: %d rows, %v", len(p), err)
		}
	}
}

func BenchmarkPendingCount(b *testing.B) {
	db := pendingStore(b, benchPending)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := db.PendingCount(ctx); err != nil || n != benchPending {
			b.Fatalf("PendingCount = %d, %v", n, err)
		}
	}
}

func BenchmarkQuarantinedCount(b *testing.B) {
	db := pendingStore(b, benchPending)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := db.QuarantinedCount(ctx); err != nil || n != 0 {
			b.Fatalf("QuarantinedCount = %d, %v", n, err)
		}
	}
}

// BenchmarkMarkPushed500 reads and acknowledges batches of 500 until the
// backlog is empty; ns/op is per batch.
func BenchmarkMarkPushed500(b *testing.B) {
	db := pendingStore(b, benchPending)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, err := db.PendingSessions(ctx, 500)
		if err != nil {
			b.Fatal(err)
		}
		if len(p) == 0 {
			if _, err := db.sql.ExecContext(ctx, `UPDATE time_sessions SET pushed_seq = 0`); err != nil {
				b.Fatal(err)
			}
			if p, err = db.PendingSessions(ctx, 500); err != nil {
				b.Fatal(err)
			}
		}
		acks := make(map[string]int64, len(p))
		for _, s := range p {
			acks[s.ID] = s.ChangeSeq
		}
		b.StartTimer()
		if err := db.MarkPushed(ctx, acks); err != nil {
			b.Fatal(err)
		}
	}
}
