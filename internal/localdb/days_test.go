package localdb

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSplitDays(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	ny := mustLoc(t, "America/New_York")
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		loc        *time.Location
		start, end time.Time
		want       []DayPart
	}{
		{"within a day", time.UTC, at(time.UTC, "2026-11-25 10:00:00"), at(time.UTC, "2026-11-25 11:30:00"),
			[]DayPart{{"2026-11-25", 5400, true}}},
		{"zero length counts on start day", time.UTC, at(time.UTC, "2026-11-25 10:00:00"), at(time.UTC, "2026-11-25 10:00:00"),
			[]DayPart{{"2026-11-25", 0, true}}},
		{"across midnight", paris, at(paris, "2026-11-25 23:30:00"), at(paris, "2026-11-26 00:45:00"),
			[]DayPart{{"2026-11-25", 1800, true}, {"2026-11-26", 2700, true}}},
		{"ends exactly at midnight", paris, at(paris, "2026-11-25 23:00:00"), at(paris, "2026-11-26 00:00:00"),
			[]DayPart{{"2026-11-25", 3600, true}}},
		{"starts exactly at midnight", paris, at(paris, "2026-11-26 00:00:00"), at(paris, "2026-11-26 00:00:01"),
			[]DayPart{{"2026-11-26", 1, true}}},
		{"three days", time.UTC, at(time.UTC, "2026-11-25 12:00:00"), at(time.UTC, "2026-11-27 12:00:00"),
			[]DayPart{{"2026-11-25", 43200, true}, {"2026-11-26", 86400, true}, {"2026-11-27", 43200, true}}},
		// 2026-03-29 in Paris is 23 hours long (02:00 → 03:00).
		{"spring forward day", paris, at(paris, "2026-03-28 23:00:00"), at(paris, "2026-03-30 01:00:00"),
			[]DayPart{{"2026-03-28", 3600, true}, {"2026-03-29", 23 * 3600, true}, {"2026-03-30", 3600, true}}},
		// 2026-11-01 in New York is 25 hours long.
		{"fall back day", ny, at(ny, "2026-11-01 00:00:00"), at(ny, "2026-11-02 00:00:00"),
			[]DayPart{{"2026-11-01", 25 * 3600, true}}},
		{"utc day differs from local day", ny, at(time.UTC, "2026-11-25 03:00:00"), at(time.UTC, "2026-11-25 06:00:00"),
			[]DayPart{{"2026-11-24", 7200, true}, {"2026-11-25", 3600, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitDays(tc.start, tc.end, tc.loc)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("SplitDays = %+v, want %+v", got, tc.want)
			}
			var sum int64
			for _, p := range got {
				sum += p.Seconds
			}
			if sum != tc.end.Unix()-tc.start.Unix() {
				t.Fatalf("parts sum to %d, want %d", sum, tc.end.Unix()-tc.start.Unix())
			}
		})
	}
}

func TestDailyStatsRebuiltForNewZone(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/worktime.db"
	db := openTest(t, path, time.UTC, nil)
	// 23:00–01:00 UTC: two UTC days, but one day in Tokyo (08:00–10:00).
	put(t, db, ended("s", time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)))
	rows, _ := db.DailyStats(ctx, "", "", "", "")
	if len(rows) != 2 {
		t.Fatalf("UTC rows = %+v, want 2 days", rows)
	}
	db.Close()

	tokyo := mustLoc(t, "Asia/Tokyo")
	db = openTest(t, path, tokyo, nil)
	rows, _ = db.DailyStats(ctx, "", "", "", "")
	if len(rows) != 1 || rows[0].Date != "2026-11-26" || rows[0].Seconds != 7200 || rows[0].Sessions != 1 {
		t.Fatalf("Tokyo rows = %+v, want one day 2026-11-26 with 7200s", rows)
	}
	if z, _, _ := db.State(ctx, stateStatsZone); z != "Asia/Tokyo" {
		t.Fatalf("zone recorded %q", z)
	}
}

func TestDailyStatsFollowsChanges(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "", time.UTC, nil)
	check := func(wantRows int) {
		t.Helper()
		got, _ := db.DailyStats(ctx, "", "", "", "")
		want, _ := db.RecomputedDailyStats(ctx)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("daily_stats %+v != recomputed %+v", got, want)
		}
		if len(got) != wantRows {
			t.Fatalf("%d rows, want %d: %+v", len(got), wantRows, got)
		}
	}
	s := ended("s", t0, t0.Add(time.Hour))
	put(t, db, s)
	check(1)
	s.RepoName = "other" // moved to another repository: the old row disappears
	put(t, db, s)
	check(1)
	e := t0.Add(48 * time.Hour)
	s.EndTime = &e
	put(t, db, s)
	check(3)
	rows, _ := db.DailyStats(ctx, "2026-11-26", "2026-11-26", "acme", "other")
	if len(rows) != 1 || rows[0].Seconds != 86400 || rows[0].AvgSeconds != 86400 {
		t.Fatalf("filtered rows %+v", rows)
	}
}
