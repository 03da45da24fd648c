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

// referenceSplit is an independent reference for SplitDays: it walks
// [start, end) in steps of step (which must divide the distance from start
// to every zone transition and midnight in range) and gives each step to the
// local date of its first instant, as the tz database says through t.In(loc),
// or to the latest date seen so far if the clock went back over midnight.
func referenceSplit(start, end time.Time, loc *time.Location, step time.Duration) []DayPart {
	var parts []DayPart
	for t := start; t.Before(end); t = t.Add(step) {
		date := t.In(loc).Format(DateLayout)
		if n := len(parts); n > 0 && parts[n-1].Date >= date {
			parts[n-1].Seconds += int64(step / time.Second)
			continue
		}
		parts = append(parts, DayPart{Date: date, Seconds: int64(step / time.Second), Counts: true})
	}
	return parts
}

// TestSplitDaysSkippedMidnight covers zones whose clocks skip local midnight
// at DST start: the new day starts at 01:00, the first instant whose local
// date is the new day, not at the 23:00 of the previous day that
// time.Date(y, m, d, 0, 0, 0, 0, loc) normalises the missing midnight to.
func TestSplitDaysSkippedMidnight(t *testing.T) {
	santiago := mustLoc(t, "America/Santiago")
	havana := mustLoc(t, "America/Havana")
	beirut := mustLoc(t, "Asia/Beirut")
	asuncion := mustLoc(t, "America/Asuncion")
	stJohns := mustLoc(t, "America/St_Johns")
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		loc        *time.Location
		start, end time.Time // UTC
		want       []DayPart
	}{
		// Santiago, 2026-09-05 24:00 -04 → 2026-09-06 01:00 -03 (04:00 UTC).
		{"Santiago 23:30 to 01:30", santiago, utc("2026-09-06 03:30:00"), utc("2026-09-06 04:30:00"),
			[]DayPart{{"2026-09-05", 1800, true}, {"2026-09-06", 1800, true}}},
		{"Santiago 22:00 to 03:00", santiago, utc("2026-09-06 02:00:00"), utc("2026-09-06 06:00:00"),
			[]DayPart{{"2026-09-05", 7200, true}, {"2026-09-06", 7200, true}}},
		{"Santiago 23-hour day", santiago, utc("2026-09-05 16:00:00"), utc("2026-09-07 15:00:00"),
			[]DayPart{{"2026-09-05", 12 * 3600, true}, {"2026-09-06", 23 * 3600, true}, {"2026-09-07", 12 * 3600, true}}},
		{"Santiago last second of the old day", santiago, utc("2026-09-06 03:59:59"), utc("2026-09-06 04:00:01"),
			[]DayPart{{"2026-09-05", 1, true}, {"2026-09-06", 1, true}}},
		{"Santiago starts at the new day's first instant", santiago, utc("2026-09-06 04:00:00"), utc("2026-09-06 04:00:01"),
			[]DayPart{{"2026-09-06", 1, true}}},
		{"Santiago ends at the new day's first instant", santiago, utc("2026-09-06 03:00:00"), utc("2026-09-06 04:00:00"),
			[]DayPart{{"2026-09-05", 3600, true}}},
		{"Santiago zero length at the new day's first instant", santiago, utc("2026-09-06 04:00:00"), utc("2026-09-06 04:00:00"),
			[]DayPart{{"2026-09-06", 0, true}}},
		// Santiago, 2026-04-05 00:00 -03 → 2026-04-04 23:00 -04: a 25-hour Saturday.
		{"Santiago 25-hour day", santiago, utc("2026-04-04 03:00:00"), utc("2026-04-05 05:00:00"),
			[]DayPart{{"2026-04-04", 25 * 3600, true}, {"2026-04-05", 3600, true}}},
		// Havana, 2026-03-08 00:00 CST → 01:00 CDT (05:00 UTC).
		{"Havana 23:45 to 01:15", havana, utc("2026-03-08 04:45:00"), utc("2026-03-08 05:15:00"),
			[]DayPart{{"2026-03-07", 900, true}, {"2026-03-08", 900, true}}},
		{"Havana 22:00 to 02:00", havana, utc("2026-03-08 03:00:00"), utc("2026-03-08 06:00:00"),
			[]DayPart{{"2026-03-07", 7200, true}, {"2026-03-08", 3600, true}}},
		// Havana, 2026-11-01 01:00 CDT → 00:00 CST: a 25-hour Sunday.
		{"Havana 25-hour day", havana, utc("2026-11-01 03:00:00"), utc("2026-11-02 05:30:00"),
			[]DayPart{{"2026-10-31", 3600, true}, {"2026-11-01", 25 * 3600, true}, {"2026-11-02", 1800, true}}},
		// Beirut, 2026-03-29 00:00 EET → 01:00 EEST (22:00 UTC on the 28th).
		{"Beirut 23:30 to 01:30", beirut, utc("2026-03-28 21:30:00"), utc("2026-03-28 22:30:00"),
			[]DayPart{{"2026-03-28", 1800, true}, {"2026-03-29", 1800, true}}},
		// Beirut, 2026-10-25 00:00 EEST → 2026-10-24 23:00 EET.
		{"Beirut 25-hour day", beirut, utc("2026-10-23 21:00:00"), utc("2026-10-24 23:00:00"),
			[]DayPart{{"2026-10-24", 25 * 3600, true}, {"2026-10-25", 3600, true}}},
		// St John's, 2010-11-07 00:01 NDT → 2010-11-06 23:01 NST (02:31 UTC):
		// the minute 00:00–00:01 is Sunday, and the hour after it, Saturday
		// again by the clock, stays with Sunday, as the worker counts it.
		{"St Johns clock back over midnight", stJohns, utc("2010-11-07 02:00:00"), utc("2010-11-07 04:00:00"),
			[]DayPart{{"2010-11-06", 1800, true}, {"2010-11-07", 5400, true}}},
		{"St Johns starts in the repeated hour", stJohns, utc("2010-11-07 03:00:00"), utc("2010-11-07 04:00:00"),
			[]DayPart{{"2010-11-06", 1800, true}, {"2010-11-07", 1800, true}}},
		// Asunción, 2023-10-01 00:00 -04 → 01:00 -03 (04:00 UTC).
		{"Asuncion 23:00 to 02:00", asuncion, utc("2023-10-01 03:00:00"), utc("2023-10-01 05:00:00"),
			[]DayPart{{"2023-09-30", 3600, true}, {"2023-10-01", 3600, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitDays(tc.start, tc.end, tc.loc)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("SplitDays = %+v, want %+v", got, tc.want)
			}
			if tc.end.After(tc.start) {
				if ref := referenceSplit(tc.start, tc.end, tc.loc, time.Second); !reflect.DeepEqual(ref, tc.want) {
					t.Fatalf("the tz database says %+v, the table %+v", ref, tc.want)
				}
			}
		})
	}
}

// TestSplitDaysAroundEveryTransition checks SplitDays against the reference
// across every zone transition from 1990 to 2037 of zones that skip or repeat
// midnight, set their clocks back over it, or shift by less than an hour.
func TestSplitDaysAroundEveryTransition(t *testing.T) {
	zones := []string{"America/Santiago", "America/Havana", "Asia/Beirut", "America/Asuncion",
		"America/Scoresbysund", "Asia/Gaza", "America/St_Johns", "America/Goose_Bay", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"}
	for _, zone := range zones {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			n := 0
			for at := time.Date(1990, 1, 1, 0, 0, 0, 0, loc); at.Year() < 2038; {
				_, next := at.ZoneBounds()
				if next.IsZero() || next.Year() >= 2038 {
					break
				}
				at = next
				if next.Unix()%60 != 0 {
					t.Fatalf("transition %v is not on a minute", next)
				}
				start, end := next.Add(-26*time.Hour-30*time.Minute), next.Add(26*time.Hour)
				got := SplitDays(start, end, loc)
				if want := referenceSplit(start, end, loc, time.Minute); !reflect.DeepEqual(got, want) {
					t.Fatalf("around %v: SplitDays = %+v, the tz database says %+v", next, got, want)
				}
				n++
			}
			if n == 0 {
				t.Fatalf("no transitions found")
			}
		})
	}
}
