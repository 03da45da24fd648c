package benchdata

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/localdb"
)

func TestGenerateSmallHistory(t *testing.T) {
	ctx := context.Background()
	spec := Spec{Sessions: 3000, Repos: 5, Years: 1, Seed: 7}
	path, err := Cached(ctx, t.TempDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.CountSessions(ctx, localdb.ExportFilter{})
	if err != nil || n != 3000 {
		t.Fatalf("%d sessions, %v; want 3000", n, err)
	}
	got, _ := db.DailyStats(ctx, "", "", "", "")
	want, _ := db.RecomputedDailyStats(ctx)
	if !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Fatalf("daily_stats (%d rows) differs from the recomputed aggregate (%d rows)", len(got), len(want))
	}
	if p, _ := db.PendingCount(ctx); p != 0 {
		t.Fatalf("%d generated sessions pending; want none", p)
	}
	first, last := got[0].Date, got[len(got)-1].Date
	if last != End.Format(localdb.DateLayout) && last != End.AddDate(0, 0, 1).Format(localdb.DateLayout) {
		t.Fatalf("history ends %s, want %s", last, End.Format(localdb.DateLayout))
	}
	if first > End.AddDate(0, 0, -364).Format(localdb.DateLayout) {
		t.Fatalf("history starts %s, want a year before the end", first)
	}
}
