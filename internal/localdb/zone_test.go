package localdb

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// checkStats fails unless daily_stats equals the aggregate recomputed from
// time_sessions in the store's zone.
func checkStats(t *testing.T, db *DB) []DailyStat {
	t.Helper()
	ctx := context.Background()
	got, err := db.DailyStats(ctx, "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.RecomputedDailyStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("daily_stats %+v != recomputed in %s %+v", got, db.Location(), want)
	}
	return got
}

func TestSetLocationRebuildsDailyStats(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/worktime.db"
	db := openTest(t, path, time.UTC, nil)
	// 23:00–01:00 UTC: two UTC days, one day in Tokyo (08:00–10:00).
	put(t, db, ended("s", time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)))
	if rows := checkStats(t, db); len(rows) != 2 {
		t.Fatalf("UTC rows = %+v, want 2 days", rows)
	}

	tokyo := mustLoc(t, "Asia/Tokyo")
	if err := db.SetLocation(ctx, tokyo); err != nil {
		t.Fatal(err)
	}
	if db.Location() != tokyo {
		t.Fatalf("Location = %v, want Asia/Tokyo", db.Location())
	}
	rows := checkStats(t, db)
	if len(rows) != 1 || rows[0].Date != "2026-11-26" || rows[0].Seconds != 7200 || rows[0].Sessions != 1 {
		t.Fatalf("Tokyo rows = %+v, want one day 2026-11-26 with 7200s", rows)
	}
	if z, _, _ := db.State(ctx, stateStatsZone); z != "Asia/Tokyo" {
		t.Fatalf("zone recorded %q", z)
	}
	// Writes after the change count in the new zone.
	put(t, db, ended("t", time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC)))
	// 23:00–01:00 in Tokyo.
	rows = checkStats(t, db)
	if len(rows) != 2 || rows[0].Seconds != 10800 || rows[0].Sessions != 2 || rows[1].Date != "2026-11-27" || rows[1].Seconds != 3600 {
		t.Fatalf("rows after a write in Tokyo = %+v, want 2026-11-26 10800s 2 sessions, 2026-11-27 3600s", rows)
	}
	// Reopening in the zone that was set finds the table built in it.
	db.Close()
	db = openTest(t, path, tokyo, nil)
	checkStats(t, db)
}

func TestSetLocationFailedChangesNothing(t *testing.T) {
	db := openTest(t, "", time.UTC, nil)
	put(t, db, ended("s", time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.SetLocation(ctx, mustLoc(t, "Asia/Tokyo")); err == nil {
		t.Fatal("SetLocation with a cancelled context succeeded")
	}
	if db.Location() != time.UTC {
		t.Fatalf("Location = %v after a failed change, want UTC", db.Location())
	}
	if z, _, _ := db.State(context.Background(), stateStatsZone); z != "UTC" {
		t.Fatalf("zone recorded %q after a failed change, want UTC", z)
	}
	if rows := checkStats(t, db); len(rows) != 2 {
		t.Fatalf("rows = %+v, want the 2 UTC days", rows)
	}
}

// Writers and zone changes race: every write lands wholly in one zone, and
// the rebuilds recount what was written before them, so daily_stats equals
// the aggregate in the final zone.
func TestSetLocationConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "", time.UTC, nil)
	zones := []*time.Location{mustLoc(t, "Asia/Tokyo"), mustLoc(t, "America/Santiago"), time.UTC, mustLoc(t, "Asia/Kolkata")}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	zonesDone := make(chan struct{})
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Write until the zone changes are over, so writes straddle
			// every change, the last one included.
			for i := 0; ; i++ {
				if i >= 10 {
					select {
					case <-zonesDone:
						return
					default:
					}
				}
				// Sessions of up to a few hours around midnight in some zone.
				start := time.Date(2026, 11, 20+i%5, (w*7+i)%24, 17*i%60, 0, 0, time.UTC)
				s := ended(fmt.Sprintf("w%d-%d", w, i), start, start.Add(time.Duration(i%40*11)*time.Minute))
				s.PRNumber = 1 + i%3
				err := db.Update(ctx, func(tx *Tx) error {
					if i%4 == 3 { // rewrite an earlier one: moves its stats out and in
						prev, ok, err := tx.Session(fmt.Sprintf("w%d-%d", w, i-2))
						if err != nil || !ok {
							return fmt.Errorf("session %d: %v %v", i-2, ok, err)
						}
						e := prev.EndTime.Add(3 * time.Hour)
						prev.EndTime = &e
						if _, err := tx.Put(prev); err != nil {
							return err
						}
					}
					_, err := tx.Put(s)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(zonesDone)
		for i := 0; i < 8; i++ {
			if err := db.SetLocation(ctx, zones[i%len(zones)]); err != nil {
				errs <- err
				return
			}
			_ = db.Location()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if db.Location().String() != "Asia/Kolkata" {
		t.Fatalf("Location = %v, want the last one set", db.Location())
	}
	if rows := checkStats(t, db); len(rows) == 0 {
		t.Fatal("no daily_stats rows")
	}
}
