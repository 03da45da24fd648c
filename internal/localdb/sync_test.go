package localdb

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
)

func ids(ss []Session) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestPendingMarkPushedQuarantine(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	db := openTest(t, "", nil, clk)
	a := put(t, db, ended("a", t0, t0.Add(time.Minute)))
	clk.Advance(time.Second)
	b := put(t, db, ended("b", t0, t0.Add(2*time.Minute)))
	clk.Advance(time.Second)
	c := put(t, db, ended("c", t0, t0.Add(3*time.Minute)))

	p, err := db.PendingSessions(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("pending = %v, want oldest change first", got)
	}
	if p, _ := db.PendingSessions(ctx, 2); len(p) != 2 {
		t.Fatalf("limit 2 gave %d rows", len(p))
	}

	// b changes while a push of the rows read above is in flight.
	b2 := put(t, db, ended("b", t0, t0.Add(5*time.Minute)))
	if err := db.MarkPushed(ctx, map[string]int64{"a": a.ChangeSeq, "b": b.ChangeSeq, "unknown": 1}); err != nil {
		t.Fatal(err)
	}
	p, _ = db.PendingSessions(ctx, 10)
	if got := ids(p); !reflect.DeepEqual(got, []string{"c", "b"}) {
		t.Fatalf("after MarkPushed pending = %v, want [c b] (b changed after it was read)", got)
	}
	if n, _ := db.PendingCount(ctx); n != 2 {
		t.Fatalf("PendingCount = %d, want 2", n)
	}

	// The server refuses c for good.
	if err := db.Quarantine(ctx, "c", c.ChangeSeq, "pr_number out of range"); err != nil {
		t.Fatal(err)
	}
	p, _ = db.PendingSessions(ctx, 10)
	if got := ids(p); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("pending with c quarantined = %v", got)
	}
	if n, _ := db.QuarantinedCount(ctx); n != 1 {
		t.Fatalf("QuarantinedCount = %d, want 1", n)
	}
	if q, _ := db.QuarantinedSessions(ctx, 10); len(q) != 1 || q[0].Reason != "pr_number out of range" {
		t.Fatalf("QuarantinedSessions = %+v", q)
	}
	if n, _ := db.PendingCount(ctx); n != 1 {
		t.Fatalf("PendingCount excludes quarantined: got %d", n)
	}
	// A stale quarantine (b was read at its old seq) does nothing.
	if err := db.Quarantine(ctx, "b", b.ChangeSeq, "stale"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.QuarantinedCount(ctx); n != 1 {
		t.Fatalf("stale quarantine applied")
	}
	// A new local change to c lifts its quarantine.
	put(t, db, ended("c", t0, t0.Add(4*time.Minute)))
	if n, _ := db.QuarantinedCount(ctx); n != 0 {
		t.Fatalf("quarantine kept after a local change")
	}
	if err := db.MarkPushed(ctx, map[string]int64{"b": b2.ChangeSeq}); err != nil {
		t.Fatal(err)
	}
	p, _ = db.PendingSessions(ctx, 10)
	if got := ids(p); !reflect.DeepEqual(got, []string{"c"}) {
		t.Fatalf("pending = %v, want [c]", got)
	}
}

func TestApplyRemoteLastWriterWins(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	db := openTest(t, "", time.UTC, clk)
	local := put(t, db, ended("x", t0, t0.Add(time.Hour))) // updated_at = t0
	db.MarkPushed(ctx, map[string]int64{"x": local.ChangeSeq})

	remote := func(id string, end time.Duration, updated time.Time) Session {
		s := ended(id, t0, t0.Add(end))
		s.DeviceID = "other"
		s.UpdatedAt = updated
		s.ChangeSeq = 999 // ignored
		return s
	}
	tests := []struct {
		name     string
		in       Session
		applied  int
		wantSecs int64
	}{
		{"older loses", remote("x", 2*time.Hour, t0.Add(-time.Second)), 0, 3600},
		{"tie keeps stored", remote("x", 2*time.Hour, local.UpdatedAt), 0, 3600},
		{"newer wins", remote("x", 2*time.Hour, t0.Add(time.Second)), 1, 7200},
		{"new row", remote("y", 30*time.Minute, t0), 1, 1800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.ApplyRemote(ctx, []Session{tc.in})
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.applied {
				t.Fatalf("applied = %d, want %d", n, tc.applied)
			}
			got, _ := db.Session(ctx, tc.in.ID)
			if got.DurationSeconds != tc.wantSecs {
				t.Fatalf("duration = %d, want %d", got.DurationSeconds, tc.wantSecs)
			}
			if p, _ := db.PendingCount(ctx); p != 0 {
				t.Fatalf("ApplyRemote made %d rows pending", p)
			}
			stats, _ := db.DailyStats(ctx, "", "", "", "")
			want, _ := db.RecomputedDailyStats(ctx)
			if !reflect.DeepEqual(stats, want) {
				t.Fatalf("daily_stats %+v != recomputed %+v", stats, want)
			}
		})
	}

	// A pending local change loses to a newer remote row and stops being pending.
	clk.Advance(time.Minute)
	put(t, db, ended("y", t0, t0.Add(10*time.Minute)))
	if p, _ := db.PendingCount(ctx); p != 1 {
		t.Fatalf("local change not pending")
	}
	if _, err := db.ApplyRemote(ctx, []Session{remote("y", 20*time.Minute, t0.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingCount(ctx); p != 0 {
		t.Fatalf("overridden local change still pending")
	}

	// An invalid remote row fails the whole batch and writes nothing.
	bad := remote("z", -time.Minute, t0.Add(time.Hour))
	good := remote("w", time.Minute, t0.Add(time.Hour))
	if _, err := db.ApplyRemote(ctx, []Session{good, bad}); !errors.Is(err, ErrInvalidSession) {
		t.Fatalf("ApplyRemote(bad) = %v, want ErrInvalidSession", err)
	}
	if _, err := db.Session(ctx, "w"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed batch wrote a row")
	}

	// An active remote session from another device does not count in stats.
	act := remote("v", 0, t0.Add(time.Hour))
	act.EndTime, act.Status = nil, api.StatusActive
	if _, err := db.ApplyRemote(ctx, []Session{act}); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.ActiveSessions(ctx, "other"); len(a) != 1 {
		t.Fatalf("remote active session not stored")
	}
	if a, _ := db.ActiveSessions(ctx, "dev"); len(a) != 0 {
		t.Fatalf("remote active session leaked to this device")
	}
}

// TestPendingSessionsAfter: the batch after a batch still on its way holds
// the rows changed after it, including a row of that batch changed since it
// was read, and MarkPushed then marks only the version that was read.
func TestPendingSessionsAfter(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	db := openTest(t, "", nil, clk)
	a := put(t, db, ended("a", t0, t0.Add(time.Minute)))
	put(t, db, ended("b", t0, t0.Add(2*time.Minute)))
	put(t, db, ended("c", t0, t0.Add(3*time.Minute)))

	first, err := db.PendingSessionsAfter(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(first); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("first batch = %v, want [a b]", got)
	}
	// a changes while its batch is on its way.
	put(t, db, ended("a", t0, t0.Add(4*time.Minute)))
	next, err := db.PendingSessionsAfter(ctx, first[1].ChangeSeq, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(next); !reflect.DeepEqual(got, []string{"c", "a"}) {
		t.Fatalf("next batch = %v, want [c a] (a's new version follows)", got)
	}
	if err := db.MarkPushed(ctx, map[string]int64{"a": a.ChangeSeq, "b": first[1].ChangeSeq}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PendingSessions(ctx, 10); !reflect.DeepEqual(ids(got), []string{"c", "a"}) {
		t.Fatalf("pending after marking the first batch = %v, want [c a]", ids(got))
	}
	acks := map[string]int64{}
	for _, s := range next {
		acks[s.ID] = s.ChangeSeq
	}
	if err := db.MarkPushed(ctx, acks); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("PendingCount = %d after both batches, want 0", n)
	}
}

// TestSyncQueriesUseTheirIndexes pins the plans that keep sync bookkeeping
// independent of the history's size: counting the pending rows (asked at
// every status request) walks the covering pending index alone, and the
// next batch starts where the index says instead of scanning the table.
func TestSyncQueriesUseTheirIndexes(t *testing.T) {
	db := openTest(t, "", nil, nil)
	tests := []struct {
		name, query string
		want        string
	}{
		{"pending count", `SELECT COUNT(*) FROM time_sessions
			WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND status != 'active'`,
			"SCAN time_sessions USING COVERING INDEX idx_sessions_pending"},
		{"quarantined count", `SELECT COUNT(*) FROM time_sessions
			WHERE change_seq > pushed_seq AND quarantined_seq = change_seq`,
			"SCAN time_sessions USING INDEX idx_sessions_quarantined"},
		{"next batch", `SELECT ` + sessionCols + ` FROM time_sessions
			WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND status != 'active' AND change_seq > 7
			ORDER BY change_seq LIMIT 500`,
			"SEARCH time_sessions USING INDEX idx_sessions_pending (change_seq>?)"},
		{"mark pushed", `UPDATE time_sessions SET pushed_seq = change_seq
			FROM (SELECT value ->> 0 AS id, value ->> 1 AS seq FROM json_each('[]')) AS a
			WHERE time_sessions.id = a.id AND time_sessions.change_seq = a.seq`,
			"SEARCH time_sessions USING PRIMARY KEY (id=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, db, tc.query)
			if !slices.Contains(plan, tc.want) {
				t.Fatalf("plan %q does not contain %q", plan, tc.want)
			}
		})
	}
}
