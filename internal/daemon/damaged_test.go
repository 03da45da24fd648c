package daemon

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

// The daemon checks the whole file at start: random bytes in a page of the
// sessions (which a CLI's open does not scan) make it refuse to start with
// ErrCorrupt, and the file is left as it was.
func TestStartRefusesDamagedStore(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	opts := testOptions(t, clock.NewFake(t0))
	db, err := localdb.Open(ctx, opts.Paths.DB, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *localdb.Tx) error {
		for i := 0; i < 300; i++ {
			st := t0.Add(-time.Duration(i) * time.Hour)
			end := st.Add(20 * time.Minute)
			_, err := tx.Put(localdb.Session{Session: api.Session{ID: fmt.Sprintf("0190a000-0000-7000-8000-%012d", i),
				RepoOwner: "acme", RepoName: "web", PRNumber: 1 + i%9, StartTime: st, EndTime: &end,
				Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual})
			if err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", opts.Paths.DB)
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	rows, err := raw.Query(`SELECT pageno FROM dbstat WHERE name = 'time_sessions' AND pagetype = 'leaf' ORDER BY pageno`)
	if err == nil {
		for rows.Next() {
			var p int
			rows.Scan(&p)
			pages = append(pages, p)
		}
		rows.Close()
		_, err = raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	raw.Close()
	if err != nil || len(pages) < 3 {
		t.Fatalf("session pages %v, %v", pages, err)
	}
	b, err := os.ReadFile(opts.Paths.DB)
	if err != nil {
		t.Fatal(err)
	}
	end := pages[len(pages)/2] * 4096
	rand.New(rand.NewSource(1)).Read(b[end-1024 : end])
	if err := os.WriteFile(opts.Paths.DB, b, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := New(ctx, opts)
	if err == nil {
		d.Close()
	}
	if !errors.Is(err, localdb.ErrCorrupt) {
		t.Fatalf("daemon start on a damaged store = %v, want ErrCorrupt", err)
	}
	after, err := os.ReadFile(opts.Paths.DB)
	if err != nil || !bytes.Equal(after, b) {
		t.Fatalf("the daemon's start modified the damaged file (%v)", err)
	}
}
