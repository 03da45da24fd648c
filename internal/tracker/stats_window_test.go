package tracker

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

// A window can end before today (last month, a custom range), and every
// window carries today's and this week's totals for the goals.
func TestStatsWindowEndAndWeek(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 2026-12-03, 15:00 in Berlin: the week began Monday 11-30.
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, loc)
	clk := clock.NewFake(now)
	db, err := localdb.Open(context.Background(), filepath.Join(t.TempDir(), "worktime.db"), localdb.Options{Location: loc, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := New(db, Options{Location: loc, IdleTimeout: 10 * time.Minute, Clock: clk})
	ctx := context.Background()
	track := func(repo string, pr int, start time.Time, d time.Duration) {
		t.Helper()
		owner, name, _ := api.ParseRepo(repo)
		s, err := tr.Start(ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, Source: api.SourceManual, At: &start})
		if err != nil {
			t.Fatal(err)
		}
		end := start.Add(d)
		if _, err := tr.End(ctx, s.ID, &end); err != nil {
			t.Fatal(err)
		}
	}
	track("acme/web", 1, time.Date(2026, 11, 10, 9, 0, 0, 0, loc), 2*time.Hour)    // last month
	track("acme/api", 2, time.Date(2026, 11, 29, 9, 0, 0, 0, loc), time.Hour)      // Sunday: last week
	track("acme/api", 2, time.Date(2026, 11, 30, 9, 0, 0, 0, loc), 30*time.Minute) // Monday
	track("acme/web", 3, time.Date(2026, 12, 3, 9, 0, 0, 0, loc), 45*time.Minute)  // today
	track("acme/web", 3, time.Date(2026, 12, 3, 10, 0, 0, 0, loc), 15*time.Minute) // today

	for _, tc := range []struct {
		name        string
		q           StatsQuery
		first       string
		last        string
		total       int64
		repos       int
		week, today int64
	}{
		{"last 7 days", StatsQuery{Days: 7}, "2026-11-27", "2026-12-03", 3600 + 1800 + 3600, 2, 1800 + 3600, 3600},
		{"November", StatsQuery{Days: 30, End: "2026-11-30"}, "2026-11-01", "2026-11-30", 7200 + 3600 + 1800, 2, 1800 + 3600, 3600},
		{"November, acme/web", StatsQuery{Days: 30, End: "2026-11-30", Repo: "acme/web"}, "2026-11-01", "2026-11-30", 7200, 1, 3600, 3600},
		{"this week", StatsQuery{Days: 4, End: "2026-12-03"}, "2026-11-30", "2026-12-03", 1800 + 3600, 2, 1800 + 3600, 3600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tr.Stats(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Days[0].Date + ".." + st.Days[len(st.Days)-1].Date; got != tc.first+".."+tc.last {
				t.Errorf("window %s, want %s..%s", got, tc.first, tc.last)
			}
			var total int64
			for _, d := range st.Days {
				total += d.Seconds
			}
			if total != tc.total || len(st.Repos) != tc.repos {
				t.Errorf("total %d s over %d repos, want %d over %d", total, len(st.Repos), tc.total, tc.repos)
			}
			if st.WeekStart != "2026-11-30" || st.WeekSeconds != tc.week || st.TodaySeconds != tc.today {
				t.Errorf("week from %s: %d s, today %d s; want 2026-11-30, %d, %d", st.WeekStart, st.WeekSeconds, st.TodaySeconds, tc.week, tc.today)
			}
		})
	}
	for _, end := range []string{"2026-12-04", "yesterday", "2026-13-01"} {
		if _, err := tr.Stats(ctx, StatsQuery{Days: 7, End: end}); !errors.Is(err, api.ErrInvalid) {
			t.Errorf("Stats(end %q) = %v, want ErrInvalid", end, err)
		}
	}
}
