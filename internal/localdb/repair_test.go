package localdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/worktime/worktime/internal/clock"
)

// A store with a damaged daily_stats page and a damaged sessions page is
// reported by Inspect, and Repair keeps its copy aside and rebuilds a store
// that opens, holds every session of the undamaged pages with their sync
// bookkeeping, and whose daily_stats equals the recomputed aggregate.
func TestInspectAndRepair(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	historyStore(t, path, 300)
	var device string
	var all []Session
	func() {
		db := openTest(t, path, nil, nil)
		defer db.Close()
		device, _ = db.DeviceID(ctx)
		db.MarkPushed(ctx, map[string]int64{"0190a000-0000-7000-8000-000000000007": 8})
		db.Export(ctx, ExportFilter{}, func(s Session) error {
			full, err := db.Session(ctx, s.ID) // Export leaves out the bookkeeping
			all = append(all, full)
			return err
		})
		db.sql.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}()
	if len(all) != 300 {
		t.Fatalf("%d sessions before the damage, want 300", len(all))
	}
	sessionPages := leafPages(t, path, "time_sessions")
	damage(t, path, leafPages(t, path, "daily_stats")[0], 3)
	damaged := sessionPages[len(sessionPages)/2]
	damage(t, path, damaged, 4)
	before := hashFile(t, path)

	rep, err := Inspect(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) == 0 || !rep.Exists || rep.SchemaVersion != SchemaVersion() {
		t.Fatalf("Inspect of a damaged file = %+v, want problems", rep)
	}
	if hashFile(t, path) != before {
		t.Fatal("Inspect modified the file")
	}

	clk := clock.NewFake(t0)
	res, err := Repair(ctx, path, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if hashFile(t, res.Aside) != before {
		t.Fatal("the copy aside is not the damaged file")
	}
	if res.Sessions+res.Lost > 300 || res.Sessions < 300-60 || res.Sessions == 300 {
		t.Fatalf("repair kept %d sessions, lost %d; want most of the 300 but not those of the damaged page", res.Sessions, res.Lost)
	}
	rep, err = Inspect(ctx, path)
	if err != nil || len(rep.Problems) != 0 || rep.Sessions != int64(res.Sessions) {
		t.Fatalf("Inspect after repair = %+v, %v; want sound with %d sessions", rep, err, res.Sessions)
	}
	db, err := Open(ctx, path, Options{DaemonStart: true, Clock: clk})
	if err != nil {
		t.Fatalf("Open after repair: %v", err)
	}
	defer db.Close()
	if d, _ := db.DeviceID(ctx); d != device {
		t.Fatalf("device id %q after repair, want %q kept", d, device)
	}
	kept := 0
	for _, want := range all {
		got, err := db.Session(ctx, want.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		kept++
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("session changed by the repair:\n got %+v\nwant %+v", got, want)
		}
	}
	if kept != res.Sessions {
		t.Fatalf("%d of the original sessions kept, repair says %d", kept, res.Sessions)
	}
	if p, _ := db.PendingCount(ctx); p != int64(res.Sessions) && p != int64(res.Sessions-1) {
		t.Fatalf("%d pending after repair, want the sync bookkeeping kept", p)
	}
	got, _ := db.DailyStats(ctx, "", "", "", "")
	want, _ := db.RecomputedDailyStats(ctx)
	if !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Fatal("daily_stats after repair differs from the recomputed aggregate")
	}
	if _, err := os.Stat(path + ".repair"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the repair's work file is left: %v", err)
	}
}

func TestInspectStates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if rep, err := Inspect(ctx, missing); err != nil || rep.Exists || len(rep.Problems) != 0 {
		t.Fatalf("Inspect of a missing file = %+v, %v", rep, err)
	}
	healthy := filepath.Join(dir, "healthy.db")
	historyStore(t, healthy, 30)
	if rep, err := Inspect(ctx, healthy); err != nil || !rep.Exists || len(rep.Problems) != 0 || rep.Sessions != 30 {
		t.Fatalf("Inspect of a sound store = %+v, %v; want 30 sessions, no problems", rep, err)
	}
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, []byte("these are notes, not a database, and long enough to hold a header of 100 bytes........................"), 0o600)
	if rep, err := Inspect(ctx, notDB); err != nil || len(rep.Problems) != 1 {
		t.Fatalf("Inspect of a text file = %+v, %v; want one problem", rep, err)
	}
	newer := filepath.Join(dir, "newer.db")
	historyStore(t, newer, 1)
	db := openTest(t, newer, nil, nil)
	db.sql.Exec(`PRAGMA user_version = 99`)
	db.Close()
	if _, err := Inspect(ctx, newer); !errors.Is(err, ErrTooNew) {
		t.Fatalf("Inspect of a newer store = %v, want ErrTooNew", err)
	}
}
