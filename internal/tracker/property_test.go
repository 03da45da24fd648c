package tracker

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/localdb/dbtest"
)

// modelStats recomputes daily_stats from the sessions by overlapping each
// session with every local day it may touch: a method independent of the
// store's midnight splitting.
func modelStats(t *testing.T, db *localdb.DB, loc *time.Location) []localdb.DailyStat {
	t.Helper()
	type key struct {
		date, owner, name string
		pr                int
	}
	agg := map[key]*localdb.DailyStat{}
	err := db.Export(context.Background(), localdb.ExportFilter{}, func(s localdb.Session) error {
		if s.EndTime == nil {
			return nil
		}
		start, end := s.StartTime, *s.EndTime
		ls := start.In(loc)
		for i := -1; ; i++ {
			dayStart := firstInstantOf(ls.Year(), ls.Month(), ls.Day()+i, loc)
			dayEnd := firstInstantOf(ls.Year(), ls.Month(), ls.Day()+i+1, loc)
			if !dayStart.Before(end) && !(i <= 0 && end.Equal(start)) {
				break
			}
			lo, hi := start, end
			if dayStart.After(lo) {
				lo = dayStart
			}
			if dayEnd.Before(hi) {
				hi = dayEnd
			}
			secs := hi.Unix() - lo.Unix()
			zeroLen := end.Equal(start) && !start.Before(dayStart) && start.Before(dayEnd)
			if secs <= 0 && !zeroLen {
				continue
			}
			k := key{dayStart.Format(localdb.DateLayout), s.RepoOwner, s.RepoName, s.PRNumber}
			if agg[k] == nil {
				agg[k] = &localdb.DailyStat{Date: k.date, RepoOwner: k.owner, RepoName: k.name, PRNumber: k.pr}
			}
			if secs > 0 {
				agg[k].Seconds += secs
			}
			agg[k].Sessions++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := []localdb.DailyStat{}
	for _, v := range agg {
		if v.Sessions > 0 {
			v.AvgSeconds = v.Seconds / v.Sessions
		}
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.RepoOwner != b.RepoOwner {
			return a.RepoOwner < b.RepoOwner
		}
		if a.RepoName != b.RepoName {
			return a.RepoName < b.RepoName
		}
		return a.PRNumber < b.PRNumber
	})
	return out
}

// firstInstantOf returns the first instant whose local date in loc is the
// calendar date y-m-d (normalised like time.Date). It starts from time.Date's
// midnight, which is off where the clock skips midnight (time.Date gives 23:00
// of the day before in America/Santiago), and walks minute by minute, judging
// by the dates t.In(loc) reports; zone offsets are whole minutes.
func firstInstantOf(y int, m time.Month, d int, loc *time.Location) time.Time {
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(localdb.DateLayout)
	reached := func(t time.Time) bool { return t.In(loc).Format(localdb.DateLayout) >= want }
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	for !reached(t) {
		t = t.Add(time.Minute)
	}
	for reached(t.Add(-time.Minute)) {
		t = t.Add(-time.Minute)
	}
	return t
}

// TestDailyStatsProperty runs random operation sequences around midnights
// and DST changes and checks after every one that daily_stats equals the
// aggregate recomputed from time_sessions, and that a device never has two
// active sessions.
func TestDailyStatsProperty(t *testing.T) {
	starts := []struct {
		zone string
		at   string // local time the sequence starts at
	}{
		{"Europe/Paris", "2026-03-28 21:00:00"},        // spring forward on the 29th
		{"America/New_York", "2026-10-31 20:00:00"},    // fall back on Nov 1st
		{"Australia/Lord_Howe", "2026-04-04 22:00:00"}, // 30-minute DST shift
		{"America/Santiago", "2026-09-05 21:00:00"},    // midnight skipped on Sep 6th: the day starts at 01:00
		{"Asia/Kolkata", "2026-11-25 22:30:00"},        // +05:30, no DST
		{"UTC", "2026-12-31 22:00:00"},                 // year end
	}
	for si, st := range starts {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", st.zone, seed), func(t *testing.T) {
				loc, err := time.LoadLocation(st.zone)
				if err != nil {
					t.Fatal(err)
				}
				begin, _ := time.ParseInLocation("2006-01-02 15:04:05", st.at, loc)
				runProperty(t, rand.New(rand.NewSource(seed*100+int64(si))), loc, begin, 250)
			})
		}
	}
}

func runProperty(t *testing.T, rng *rand.Rand, loc *time.Location, begin time.Time, steps int) {
	ctx := context.Background()
	clk := clock.NewFake(begin)
	path := filepath.Join(t.TempDir(), "worktime.db")
	db, err := localdb.Open(ctx, path, localdb.Options{Location: loc, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	tr := New(db, Options{Location: loc, IdleTimeout: 10 * time.Minute, Clock: clk})
	device, _ := tr.DeviceID(ctx)
	repos := [][2]string{{"acme", "web"}, {"acme", "api"}, {"octo", "cat"}}
	var known []string
	ops := map[string]int{}
	for step := 0; step < steps; step++ {
		op := rng.Intn(125)
		var opName string
		switch {
		case op < 25:
			opName = "start"
			r := repos[rng.Intn(len(repos))]
			src := api.SourceManual
			if rng.Intn(2) == 0 {
				src = api.SourceBrowser
			}
			var at *time.Time
			if rng.Intn(3) == 0 {
				v := clk.Now().Add(-time.Duration(rng.Intn(4*3600)) * time.Second)
				at = &v
			}
			s, err := tr.Start(ctx, api.StartRequest{RepoOwner: r[0], RepoName: r[1], PRNumber: 1 + rng.Intn(4), Source: src, At: at})
			if err == nil {
				known = append(known, s.ID)
			}
		case op < 45 && len(known) > 0:
			opName = "heartbeat"
			tr.Heartbeat(ctx, known[rng.Intn(len(known))], nil)
		case op < 60 && len(known) > 0:
			opName = "end"
			var at *time.Time
			if rng.Intn(2) == 0 {
				v := clk.Now().Add(-time.Duration(rng.Intn(3600)) * time.Second)
				at = &v
			}
			tr.End(ctx, known[rng.Intn(len(known))], at)
		case op < 85:
			opName = "advance"
			clk.Advance(time.Duration(1+rng.Intn(3*3600)) * time.Second)
		case op < 92:
			opName = "reap"
			if _, err := tr.ReapAbandoned(ctx); err != nil {
				t.Fatal(err)
			}
		case op < 98:
			opName = "pull"
			// A session from another device, maybe edited again later.
			id := uuid.Must(uuid.NewV7()).String()
			if len(known) > 0 && rng.Intn(2) == 0 {
				id = known[rng.Intn(len(known))]
			}
			start := clk.Now().Add(-time.Duration(rng.Intn(30*3600)) * time.Second)
			end := start.Add(time.Duration(rng.Intn(28*3600)) * time.Second)
			r := repos[rng.Intn(len(repos))]
			s := localdb.Session{
				Session: api.Session{ID: id, RepoOwner: r[0], RepoName: r[1], PRNumber: 1 + rng.Intn(4),
					StartTime: start, EndTime: &end, Status: api.StatusCompleted, DeviceID: "remote"},
				Source:    api.SourceBrowser,
				UpdatedAt: clk.Now().Add(time.Duration(rng.Intn(3)-1) * time.Hour),
			}
			switch rng.Intn(4) {
			case 0:
				s.Status = api.StatusAbandoned
			case 1:
				s.Status, s.EndTime = api.StatusActive, nil
			}
			if _, err := db.ApplyRemote(ctx, []localdb.Session{s}); err != nil {
				t.Fatal(err)
			}
			known = append(known, id)
		case op >= 100:
			opName = editOp(ctx, t, rng, tr, db, clk, known, repos)
			if opName == "split" || opName == "add" {
				// The new session's id is the newest session of the store.
				if all, err := db.ListSessions(ctx, localdb.SessionFilter{Limit: 1}); err == nil && len(all) > 0 {
					known = append(known, all[0].ID)
				}
			}
		default:
			opName = "reopen"
			// Reopen in another zone and back: daily_stats is rebuilt each time.
			db.Close()
			other := time.UTC
			if loc == time.UTC {
				other, _ = time.LoadLocation("Pacific/Chatham")
			}
			db2, err := localdb.Open(ctx, path, localdb.Options{Location: other, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := db2.DailyStats(ctx, "", "", "", "")
			if want := modelStats(t, db2, other); !reflect.DeepEqual(got, want) {
				t.Fatalf("step %d: after zone change daily_stats != model", step)
			}
			db2.Close()
			if db, err = localdb.Open(ctx, path, localdb.Options{Location: loc, Clock: clk}); err != nil {
				t.Fatal(err)
			}
			tr = New(db, Options{Location: loc, IdleTimeout: 10 * time.Minute, Clock: clk})
		}
		ops[opName]++
		got, err := db.DailyStats(ctx, "", "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		want := modelStats(t, db, loc)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d (%s): daily_stats\n%+v\n!= recomputed\n%+v", step, opName, got, want)
		}
		if rec, _ := db.RecomputedDailyStats(ctx); !reflect.DeepEqual(rec, want) {
			t.Fatalf("step %d: RecomputedDailyStats disagrees with the model", step)
		}
		if a, _ := db.ActiveSessions(ctx, device); len(a) > 1 {
			t.Fatalf("step %d: %d active sessions on one device", step, len(a))
		}
		if strings.HasPrefix(opName, "edit") || opName == "split" || opName == "merge" || opName == "add" {
			own, err := db.ListSessions(ctx, localdb.SessionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			mine := own[:0]
			for _, s := range own {
				// A start back-dated into a gap leaves an active session
				// before later ones until it ends there; the ended ones
				// are what an edit must keep apart.
				if s.DeviceID == device && s.EndTime != nil {
					mine = append(mine, s)
				}
			}
			if prev, cur, ok := dbtest.Overlap(mine); ok {
				t.Fatalf("step %d (%s): session %+v overlaps %+v", step, opName, prev, cur)
			}
		}
	}
	for _, op := range []string{"edit", "split", "merge", "add", "delete", "remote delete"} {
		if ops[op] == 0 {
			t.Logf("no %s in this sequence: %v", op, ops)
		}
	}
	if ops["start"] == 0 || ops["end"] == 0 || ops["pull"] == 0 {
		t.Fatalf("sequence too thin: %v", ops)
	}
}

// editOp applies one random change of history (edit, split, merge, add,
// delete, or a deletion pulled from another device) to a random known
// session; refusals are part of the test (the rules must hold whatever is
// tried). It returns the operation's name.
func editOp(ctx context.Context, t *testing.T, rng *rand.Rand, tr *Tracker, db *localdb.DB, clk *clock.Fake, known []string, repos [][2]string) string {
	t.Helper()
	pick := func() string {
		if len(known) == 0 {
			return uuid.Must(uuid.NewV7()).String()
		}
		return known[rng.Intn(len(known))]
	}
	shift := func() time.Duration { return time.Duration(rng.Intn(6*3600)-3*3600) * time.Second }
	switch rng.Intn(6) {
	case 0:
		id := pick()
		s, err := db.Session(ctx, id)
		if err != nil || s.EndTime == nil {
			return "edit"
		}
		var req api.EditRequest
		switch rng.Intn(4) {
		case 0:
			v := s.StartTime.Add(shift())
			req.StartTime = &v
		case 1:
			v := s.EndTime.Add(shift())
			req.EndTime = &v
		case 2:
			a, b := s.StartTime.Add(shift()), s.EndTime.Add(shift())
			req.StartTime, req.EndTime = &a, &b
		default:
			r := repos[rng.Intn(len(repos))]
			pr := 1 + rng.Intn(4)
			req.RepoOwner, req.RepoName, req.PRNumber = &r[0], &r[1], &pr
		}
		tr.EditSession(ctx, id, req)
		return "edit"
	case 1:
		s, err := db.Session(ctx, pick())
		if err != nil || s.EndTime == nil || s.DurationSeconds < 2 {
			return "split"
		}
		at := s.StartTime.Add(time.Duration(1+rng.Int63n(s.DurationSeconds-1)) * time.Second)
		if _, err := tr.SplitSession(ctx, s.ID, api.SplitRequest{At: at}); err != nil && !at.After(clk.Now()) {
			t.Fatalf("split %s at %s inside it: %v", s.ID, at, err)
		}
		return "split"
	case 2:
		tr.MergeSessions(ctx, api.MergeRequest{IDs: []string{pick(), pick()}})
		return "merge"
	case 3:
		r := repos[rng.Intn(len(repos))]
		start := clk.Now().Add(-time.Duration(1+rng.Intn(40*3600)) * time.Second)
		end := start.Add(time.Duration(1+rng.Intn(5*3600)) * time.Second)
		tr.AddSession(ctx, api.AddRequest{RepoOwner: r[0], RepoName: r[1], PRNumber: 1 + rng.Intn(4), StartTime: start, EndTime: end})
		return "add"
	case 4:
		if rng.Intn(3) == 0 {
			day := clk.Now().Add(-time.Duration(rng.Intn(48)) * time.Hour).In(tr.loc).Format("2006-01-02")
			tr.DeleteSessions(ctx, api.DeleteRequest{Day: day})
		} else {
			tr.DeleteSessions(ctx, api.DeleteRequest{IDs: []string{pick()}})
		}
		return "delete"
	default:
		d := localdb.Session{Deleted: true, UpdatedAt: clk.Now()}
		d.ID = pick()
		if _, err := db.ApplyRemote(ctx, []localdb.Session{d}); err != nil {
			t.Fatal(err)
		}
		return "remote delete"
	}
}
