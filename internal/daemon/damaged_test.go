package daemon

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/localdb/dbtest"
)

// The daemon checks the whole file at start: random bytes in a page of the
// sessions (which a CLI's open does not scan) make it refuse to start with
// ErrCorrupt, and the file is left as it was.
func TestStartRefusesDamagedStore(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	opts := testOptions(t, clock.NewFake(t0))
	dbtest.History(t, opts.Paths.DB, 300, t0)
	damaged := dbtest.Damage(t, opts.Paths.DB, "time_sessions", 1)
	d, err := New(ctx, opts)
	if err == nil {
		d.Close()
	}
	if !errors.Is(err, localdb.ErrCorrupt) {
		t.Fatalf("daemon start on a damaged store = %v, want ErrCorrupt", err)
	}
	after, err := os.ReadFile(opts.Paths.DB)
	if err != nil || !bytes.Equal(after, damaged) {
		t.Fatalf("the daemon's start modified the damaged file (%v)", err)
	}
}
