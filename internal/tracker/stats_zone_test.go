package tracker

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

// In America/Santiago the clock skips from 23:59:59 to 01:00 when summer
// time starts, so that day has no midnight: stats must still name it.
func TestStatsNamesDaysWithoutMidnight(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	if m := time.Date(2026, 9, 6, 0, 0, 0, 0, loc); m.Day() == 6 {
		t.Fatalf("tz data: 2026-09-06 00:00 exists in Santiago (%v); pick the year's skipped midnight", m)
	}
	now := time.Date(2026, 9, 6, 10, 0, 0, 0, loc)
	clk := clock.NewFake(now)
	db, err := localdb.Open(context.Background(), filepath.Join(t.TempDir(), "worktime.db"), localdb.Options{Location: loc, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := New(db, Options{Location: loc, IdleTimeout: 10 * time.Minute, Clock: clk})
	ctx := context.Background()

	start := time.Date(2026, 9, 6, 2, 0, 0, 0, loc)
	end := start.Add(time.Hour)
	s, err := tr.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: &start})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.End(ctx, s.ID, &end); err != nil {
		t.Fatal(err)
	}

	st, err := tr.Stats(ctx, StatsQuery{Days: 3})
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, d := range st.Days {
		dates = append(dates, d.Date)
	}
	want := []string{"2026-09-04", "2026-09-05", "2026-09-06"}
	if len(dates) != len(want) || dates[0] != want[0] || dates[1] != want[1] || dates[2] != want[2] {
		t.Fatalf("days = %q, want %q", dates, want)
	}
	if st.TodaySeconds != 3600 || st.Days[2].Seconds != 3600 {
		t.Fatalf("today = %d s, last day = %d s, want 3600 both", st.TodaySeconds, st.Days[2].Seconds)
	}
}
