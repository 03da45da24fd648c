package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

func TestParseDaySkippedMidnight(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatalf("no tzdata: %v", err)
	}
	tests := []struct {
		name string
		v    string
		loc  *time.Location
		want string // RFC 3339
	}{
		{"ordinary day", "2026-09-05", santiago, "2026-09-05T00:00:00-04:00"},
		{"midnight skipped: the day starts at 01:00", "2026-09-06", santiago, "2026-09-06T01:00:00-03:00"},
		{"utc", "2026-09-06", time.UTC, "2026-09-06T00:00:00Z"},
		{"rfc 3339 kept", "2026-09-06T00:30:00Z", santiago, "2026-09-06T00:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDay("since", tt.v, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := time.Parse(time.RFC3339, tt.want)
			if !got.Equal(want) {
				t.Errorf("parseDay(%q) = %v, want %v", tt.v, got, want)
			}
		})
	}
}

// TestExportDayRangeWhereMidnightIsSkipped exports around Santiago's
// 2026-09-06, whose clocks go from 00:00 straight to 01:00: time.Date's
// midnight for it is 23:00 of the 5th, which used to put the 5th's last
// hour into the 6th.
func TestExportDayRangeWhereMidnightIsSkipped(t *testing.T) {
	if _, err := time.LoadLocation("America/Santiago"); err != nil {
		t.Fatalf("no tzdata: %v", err)
	}
	h := newCLI(t)
	os.WriteFile(filepath.Join(h.home, "config.toml"), []byte("time_zone = \"America/Santiago\"\n"), 0o600)
	late5th := "2026-09-05T23:30:00-04:00"  // the last hour of the 5th
	early6th := "2026-09-06T01:30:00-03:00" // the first hour of the 6th
	for i, at := range []string{late5th, early6th} {
		start, _ := time.Parse(time.RFC3339, at)
		h.ok("track", "start", "--repo", "acme/web", "--pr", itoa(int64(i+1)), "--at", start.Format(time.RFC3339))
		h.ok("track", "stop", "--at", start.Add(10*time.Minute).Format(time.RFC3339))
	}
	prs := func(args ...string) []int {
		t.Helper()
		var js []api.Session
		if err := json.Unmarshal([]byte(h.ok(append([]string{"export", "--format", "json"}, args...)...)), &js); err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, s := range js {
			out = append(out, s.PRNumber)
		}
		return out
	}
	if got := prs("--since", "2026-09-06"); len(got) != 1 || got[0] != 2 {
		t.Errorf("--since 2026-09-06: pull requests %v, want [2] (the 5th's 23:30 is not the 6th)", got)
	}
	if got := prs("--until", "2026-09-05"); len(got) != 1 || got[0] != 1 {
		t.Errorf("--until 2026-09-05: pull requests %v, want [1] (the 5th ends at the 6th's 01:00)", got)
	}
	if got := prs("--since", "2026-09-05", "--until", "2026-09-05"); len(got) != 1 || got[0] != 1 {
		t.Errorf("the 5th alone: pull requests %v, want [1]", got)
	}
}
