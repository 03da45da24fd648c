package nativemsg_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/nativemsg"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/tracker"
)

// TestStatsSummaryGoals: stats.summary carries the week's total, whatever
// days asked for, and the goals, so the popup can show "1h 20m of 4h
// today"; no goal is 0.
func TestStatsSummaryGoals(t *testing.T) {
	clk := clock.NewFake(t0) // Wednesday 2026-11-25
	db, err := localdb.Open(context.Background(), t.TempDir()+"/worktime.db", localdb.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := tracker.New(db, tracker.Options{Clock: clk, IdleTimeout: 2 * time.Hour, Rules: func() rules.Rules { return rules.Rules{} }})
	// The Sunday before, outside the week; Monday of this week, an hour; today, 90 s.
	for i, s := range []struct{ start, end string }{
		{"2026-11-22T12:00:00Z", "2026-11-22T12:30:00Z"},
		{"2026-11-23T12:00:00Z", "2026-11-23T13:00:00Z"},
		{"2026-11-25T09:00:00Z", "2026-11-25T09:01:30Z"},
	} {
		start, _ := time.Parse(time.RFC3339, s.start)
		end, _ := time.Parse(time.RFC3339, s.end)
		clk.Set(end) // each session is ended as it happens, not abandoned
		sess, err := tr.Start(t.Context(), api.StartRequest{RepoOwner: "octo", RepoName: "app", PRNumber: i + 1, At: &start, Source: api.SourceBrowser})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.End(t.Context(), sess.ID, &end); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(t0)
	for _, tc := range []struct {
		name          string
		daily, weekly time.Duration
		msg           string
		want          api.StatsSummary
	}{
		{"goals set", 4 * time.Hour, 20 * time.Hour, `{"id":1,"type":"stats.summary","days":1}`,
			api.StatsSummary{TodaySeconds: 90, WeekSeconds: 3690, DailyGoalSeconds: 14400, WeeklyGoalSeconds: 72000}},
		{"daily goal only, a week of days", 90 * time.Minute, 0, `{"id":2,"type":"stats.summary"}`,
			api.StatsSummary{TodaySeconds: 90, WeekSeconds: 3690, DailyGoalSeconds: 5400}},
		{"no goal", 0, 0, `{"id":3,"type":"stats.summary","days":3}`,
			api.StatsSummary{TodaySeconds: 90, WeekSeconds: 3690}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := nativemsg.NewHost(nativemsg.HostOptions{
				Backend: storeBackend{t: tr, rules: &rules.Rules{}, daily: tc.daily, weekly: tc.weekly},
				Clock:   clk, Version: "test",
			})
			var got struct {
				OK bool `json:"ok"`
				api.StatsSummary
			}
			out := h.Handle(t.Context(), []byte(tc.msg))
			if err := json.Unmarshal(out, &got); err != nil || !got.OK {
				t.Fatalf("%s: %s (%v)", tc.msg, out, err)
			}
			g := got.StatsSummary
			if g.TodaySeconds != tc.want.TodaySeconds || g.WeekSeconds != tc.want.WeekSeconds ||
				g.DailyGoalSeconds != tc.want.DailyGoalSeconds || g.WeeklyGoalSeconds != tc.want.WeeklyGoalSeconds {
				t.Fatalf("%s: %s, want %+v", tc.msg, out, tc.want)
			}
		})
	}
}
