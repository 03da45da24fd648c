package tracker

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/rules"
)

// ended records a manual session [from, to) of the harness's device.
func (h *harness) ended(owner, name string, pr int, from, to time.Time) api.Session {
	h.t.Helper()
	r, err := h.tr.AddSession(h.ctx, api.AddRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, StartTime: from, EndTime: to})
	if err != nil {
		h.t.Fatalf("AddSession: %v", err)
	}
	return r.Sessions[0]
}

// statsMatch fails unless daily_stats equals the independent model.
func (h *harness) statsMatch(loc *time.Location) []localdb.DailyStat {
	h.t.Helper()
	got, err := h.db.DailyStats(h.ctx, "", "", "", "")
	if err != nil {
		h.t.Fatal(err)
	}
	if want := modelStats(h.t, h.db, loc); !reflect.DeepEqual(got, want) {
		h.t.Fatalf("daily_stats\n%+v\n!= model\n%+v", got, want)
	}
	return got
}

func strp(s string) *string { return &s }
func intp(n int) *int       { return &n }

func TestEditSessionRules(t *testing.T) {
	at := func(h, m int) time.Time { return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	tests := []struct {
		name string
		req  func(h *harness, a, b api.Session) (string, api.EditRequest)
		want error // nil: accepted
		then func(t *testing.T, got api.Session)
	}{
		{"pull request", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			return a.ID, api.EditRequest{RepoOwner: strp("octo"), RepoName: strp("app"), PRNumber: intp(42)}
		}, nil, func(t *testing.T, got api.Session) {
			if got.RepoOwner != "octo" || got.RepoName != "app" || got.PRNumber != 42 {
				t.Fatalf("got %+v", got)
			}
		}},
		{"start later, end earlier", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			s, e := at(-5, 10), at(-5, 20)
			return a.ID, api.EditRequest{StartTime: &s, EndTime: &e}
		}, nil, func(t *testing.T, got api.Session) {
			if got.DurationSeconds != 600 {
				t.Fatalf("duration %d, want 600", got.DurationSeconds)
			}
		}},
		{"sub-second times are whole seconds", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			e := at(-5, 30).Add(700 * time.Millisecond)
			return a.ID, api.EditRequest{EndTime: &e}
		}, nil, func(t *testing.T, got api.Session) {
			if !got.EndTime.Equal(at(-5, 30)) {
				t.Fatalf("end %s", got.EndTime)
			}
		}},
		{"end into the next session", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			e := at(-3, 1)
			return a.ID, api.EditRequest{EndTime: &e}
		}, api.ErrConflict, nil},
		{"start before the previous session's end", func(h *harness, _, b api.Session) (string, api.EditRequest) {
			s := at(-5, 59)
			return b.ID, api.EditRequest{StartTime: &s}
		}, api.ErrConflict, nil},
		{"end up to the next session's start", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			e := at(-3, 0)
			return a.ID, api.EditRequest{EndTime: &e}
		}, nil, nil},
		{"end before start", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			e := at(-6, 0)
			return a.ID, api.EditRequest{EndTime: &e}
		}, api.ErrInvalid, nil},
		{"zero length", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			e := a.StartTime
			return a.ID, api.EditRequest{EndTime: &e}
		}, api.ErrInvalid, nil},
		{"end in the future", func(h *harness, _, b api.Session) (string, api.EditRequest) {
			e := t0.Add(time.Second)
			return b.ID, api.EditRequest{EndTime: &e}
		}, api.ErrInvalid, nil},
		{"longer than the server keeps", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			s := a.StartTime.Add(-32 * 24 * time.Hour)
			return a.ID, api.EditRequest{StartTime: &s}
		}, api.ErrInvalid, nil},
		{"zero time", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			return a.ID, api.EditRequest{StartTime: &time.Time{}}
		}, api.ErrInvalid, nil},
		{"bad repository", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			return a.ID, api.EditRequest{RepoOwner: strp("-x"), RepoName: strp("app")}
		}, api.ErrInvalid, nil},
		{"owner without name", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			return a.ID, api.EditRequest{RepoOwner: strp("octo")}
		}, api.ErrInvalid, nil},
		{"pull request zero", func(h *harness, a, _ api.Session) (string, api.EditRequest) {
			return a.ID, api.EditRequest{PRNumber: intp(0)}
		}, api.ErrInvalid, nil},
		{"unknown session", func(h *harness, _, _ api.Session) (string, api.EditRequest) {
			return "01234567-89ab-cdef-0123-456789abcdef", api.EditRequest{PRNumber: intp(2)}
		}, api.ErrNotFound, nil},
		{"not a session id", func(h *harness, _, _ api.Session) (string, api.EditRequest) {
			return "nope", api.EditRequest{PRNumber: intp(2)}
		}, api.ErrInvalid, nil},
		{"active session", func(h *harness, _, _ api.Session) (string, api.EditRequest) {
			s := h.start("acme", "web", 9, api.SourceManual, nil)
			return s.ID, api.EditRequest{PRNumber: intp(2)}
		}, api.ErrConflict, nil},
		{"into the active session", func(h *harness, _, b api.Session) (string, api.EditRequest) {
			h.start("acme", "web", 9, api.SourceManual, ptr(at(-1, 0)))
			e := at(-1, 1)
			return b.ID, api.EditRequest{EndTime: &e}
		}, api.ErrConflict, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			a := h.ended("acme", "web", 1, at(-5, 0), at(-4, 0))
			b := h.ended("acme", "web", 2, at(-3, 0), at(-2, 0))
			id, req := tc.req(h, a, b)
			before, _ := h.db.DailyStats(h.ctx, "", "", "", "")
			reply, err := h.tr.EditSession(h.ctx, id, req)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if after := h.statsMatch(time.UTC); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused edit moved daily_stats")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := h.get(id)
			if !reflect.DeepEqual(reply.Sessions, []api.Session{got}) {
				t.Fatalf("reply %+v, stored %+v", reply.Sessions, got)
			}
			h.statsMatch(time.UTC)
			if tc.then != nil {
				tc.then(t, got)
			}
		})
	}
}

// TestEditMovesDailyStatsAcrossMidnightAndDST moves a session across a
// local midnight on the night clocks go back: each day gets exactly its
// seconds, and the day left behind loses its row.
func TestEditMovesDailyStatsAcrossMidnightAndDST(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, loc)
	h.clk.Set(time.Date(2026, 11, 3, 12, 0, 0, 0, loc))
	s := h.ended("acme", "web", 1, time.Date(2026, 10, 30, 10, 0, 0, 0, loc), time.Date(2026, 10, 30, 11, 0, 0, 0, loc))
	// 2026-10-31 23:30 to 2026-11-01 03:00 local: 30 minutes on the 31st,
	// and on the 1st 00:00 to 03:00, which lasts 4 hours (01:00-02:00
	// happens twice).
	from, to := time.Date(2026, 10, 31, 23, 30, 0, 0, loc), time.Date(2026, 11, 1, 3, 0, 0, 0, loc)
	if _, err := h.tr.EditSession(h.ctx, s.ID, api.EditRequest{StartTime: &from, EndTime: &to}); err != nil {
		t.Fatal(err)
	}
	got := h.statsMatch(loc)
	want := []localdb.DailyStat{
		{Date: "2026-10-31", RepoOwner: "acme", RepoName: "web", PRNumber: 1, Seconds: 1800, Sessions: 1, AvgSeconds: 1800},
		{Date: "2026-11-01", RepoOwner: "acme", RepoName: "web", PRNumber: 1, Seconds: 4 * 3600, Sessions: 1, AvgSeconds: 4 * 3600},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("daily_stats %+v, want %+v", got, want)
	}
	// Split at local midnight: each part on its own day.
	mid := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	if _, err := h.tr.SplitSession(h.ctx, s.ID, api.SplitRequest{At: mid}); err != nil {
		t.Fatal(err)
	}
	got = h.statsMatch(loc)
	if len(got) != 2 || got[0].Seconds != 1800 || got[1].Seconds != 4*3600 || got[0].Sessions != 1 || got[1].Sessions != 1 {
		t.Fatalf("after split: %+v", got)
	}
	// Delete the day: nothing is left.
	r, err := h.tr.DeleteSessions(h.ctx, api.DeleteRequest{Day: "2026-11-01"})
	if err != nil || len(r.Deleted) != 1 {
		t.Fatalf("delete day: %+v, %v", r, err)
	}
	if got = h.statsMatch(loc); len(got) != 1 || got[0].Date != "2026-10-31" {
		t.Fatalf("after delete: %+v", got)
	}
}

func TestSplitSession(t *testing.T) {
	h := newHarness(t, nil)
	s := h.ended("acme", "web", 1, t0.Add(-2*time.Hour), t0.Add(-time.Hour))
	for _, at := range []time.Time{s.StartTime, *s.EndTime, t0.Add(-3 * time.Hour), t0.Add(time.Hour)} {
		if _, err := h.tr.SplitSession(h.ctx, s.ID, api.SplitRequest{At: at}); !errors.Is(err, api.ErrInvalid) {
			t.Fatalf("split at %s: %v, want invalid", at, err)
		}
	}
	mid := t0.Add(-90 * time.Minute)
	dry, err := h.tr.SplitSession(h.ctx, s.ID, api.SplitRequest{At: mid, DryRun: true})
	if err != nil || !dry.DryRun || len(dry.Sessions) != 2 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if all, _ := h.db.ListSessions(h.ctx, localdb.SessionFilter{}); len(all) != 1 || !all[0].EndTime.Equal(*s.EndTime) {
		t.Fatalf("a dry run changed the store: %+v", all)
	}
	r, err := h.tr.SplitSession(h.ctx, s.ID, api.SplitRequest{At: mid})
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.Sessions[0], r.Sessions[1]
	if a.ID != s.ID || !a.EndTime.Equal(mid) || !b.StartTime.Equal(mid) || !b.EndTime.Equal(*s.EndTime) ||
		b.PRNumber != 1 || b.DeviceID != s.DeviceID || a.DurationSeconds+b.DurationSeconds != s.DurationSeconds {
		t.Fatalf("split into %+v and %+v", a, b)
	}
	h.statsMatch(time.UTC)
	if st := h.statsMatch(time.UTC); st[0].Sessions != 2 || st[0].Seconds != 3600 {
		t.Fatalf("stats %+v", st)
	}
}

func TestMergeSessions(t *testing.T) {
	h := newHarness(t, nil)
	a := h.ended("acme", "web", 1, t0.Add(-5*time.Hour), t0.Add(-4*time.Hour))
	b := h.ended("acme", "web", 1, t0.Add(-3*time.Hour), t0.Add(-2*time.Hour))
	other := h.ended("acme", "web", 2, t0.Add(-110*time.Minute), t0.Add(-100*time.Minute))
	c := h.ended("acme", "web", 1, t0.Add(-90*time.Minute), t0.Add(-80*time.Minute))
	for _, tc := range []struct {
		name string
		ids  []string
		want error
	}{
		{"one session", []string{a.ID}, api.ErrInvalid},
		{"the same twice", []string{a.ID, a.ID}, api.ErrInvalid},
		{"different pull requests", []string{b.ID, other.ID}, api.ErrConflict},
		{"another session between", []string{b.ID, c.ID}, api.ErrConflict},
		{"unknown", []string{a.ID, "01234567-89ab-cdef-0123-456789abcdef"}, api.ErrNotFound},
	} {
		if _, err := h.tr.MergeSessions(h.ctx, api.MergeRequest{IDs: tc.ids}); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	r, err := h.tr.MergeSessions(h.ctx, api.MergeRequest{IDs: []string{b.ID, a.ID}})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Sessions[0]
	if m.ID != a.ID || !m.StartTime.Equal(a.StartTime) || !m.EndTime.Equal(*b.EndTime) || len(r.Deleted) != 1 || r.Deleted[0].ID != b.ID {
		t.Fatalf("merged %+v deleted %+v", m, r.Deleted)
	}
	if _, err := h.tr.Session(h.ctx, b.ID); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("the merged-away session is still there: %v", err)
	}
	st := h.statsMatch(time.UTC)
	for _, d := range st {
		if d.PRNumber == 1 && (d.Seconds != 3*3600+600 || d.Sessions != 2) {
			t.Fatalf("merge counts the gap and one session less: %+v", d)
		}
	}
	h.db.Update(h.ctx, func(tx *localdb.Tx) error {
		ts, err := tx.Tombstones()
		if err != nil || len(ts) != 1 || ts[0].ID != b.ID {
			t.Fatalf("tombstones %+v, %v", ts, err)
		}
		return nil
	})
}

func TestAddSession(t *testing.T) {
	h := newHarness(t, nil)
	h.start("acme", "web", 1, api.SourceManual, ptr(t0.Add(-time.Hour)))
	for _, tc := range []struct {
		name string
		req  api.AddRequest
		want error
	}{
		{"inside the active session", api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: t0.Add(-30 * time.Minute), EndTime: t0.Add(-10 * time.Minute)}, api.ErrConflict},
		{"ending after the active session's start", api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: t0.Add(-2 * time.Hour), EndTime: t0.Add(-59 * time.Minute)}, api.ErrConflict},
		{"in the future", api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: t0.Add(-2 * time.Hour), EndTime: t0.Add(time.Minute)}, api.ErrInvalid},
		{"bad repository", api.AddRequest{RepoOwner: "octo", RepoName: "..", PRNumber: 42, StartTime: t0.Add(-2 * time.Hour), EndTime: t0.Add(-90 * time.Minute)}, api.ErrInvalid},
		{"no pull request", api.AddRequest{RepoOwner: "octo", RepoName: "app", StartTime: t0.Add(-2 * time.Hour), EndTime: t0.Add(-90 * time.Minute)}, api.ErrInvalid},
		{"no start", api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, EndTime: t0.Add(-90 * time.Minute)}, api.ErrInvalid},
		{"end before start", api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: t0.Add(-90 * time.Minute), EndTime: t0.Add(-2 * time.Hour)}, api.ErrInvalid},
	} {
		if _, err := h.tr.AddSession(h.ctx, tc.req); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	s := h.ended("octo", "app", 42, t0.Add(-3*time.Hour), t0.Add(-time.Hour))
	if s.Status != api.StatusCompleted || s.DurationSeconds != 7200 {
		t.Fatalf("added %+v", s)
	}
	h.statsMatch(time.UTC)
}

func TestDeleteSessions(t *testing.T) {
	h := newHarness(t, nil)
	day1 := h.ended("acme", "web", 1, t0.Add(-26*time.Hour), t0.Add(-25*time.Hour))
	web2 := h.ended("acme", "web", 2, t0.Add(-5*time.Hour), t0.Add(-4*time.Hour))
	api3 := h.ended("acme", "api", 3, t0.Add(-3*time.Hour), t0.Add(-2*time.Hour))
	active := h.start("acme", "web", 1, api.SourceManual, ptr(t0.Add(-time.Hour)))
	since, until := t0.Add(-6*time.Hour), t0.Add(-5*time.Hour)
	for _, tc := range []struct {
		name string
		req  api.DeleteRequest
		want error
	}{
		{"nothing", api.DeleteRequest{}, api.ErrInvalid},
		{"ids and a filter", api.DeleteRequest{IDs: []string{web2.ID}, Repo: "acme/web"}, api.ErrInvalid},
		{"bad day", api.DeleteRequest{Day: "2026-13-01"}, api.ErrInvalid},
		{"day and range", api.DeleteRequest{Day: "2026-11-25", Since: &since}, api.ErrInvalid},
		{"until before since", api.DeleteRequest{Since: &until, Until: &since}, api.ErrInvalid},
		{"bad repo", api.DeleteRequest{Repo: "acme"}, api.ErrInvalid},
		{"pr without repo", api.DeleteRequest{PRNumber: 2}, api.ErrInvalid},
		{"the active session", api.DeleteRequest{IDs: []string{active.ID}}, api.ErrConflict},
		{"unknown id", api.DeleteRequest{IDs: []string{"01234567-89ab-cdef-0123-456789abcdef"}}, api.ErrNotFound},
		{"bad id", api.DeleteRequest{IDs: []string{"x"}}, api.ErrInvalid},
	} {
		if _, err := h.tr.DeleteSessions(h.ctx, tc.req); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// A dry run of a repository reports and keeps everything.
	dry, err := h.tr.DeleteSessions(h.ctx, api.DeleteRequest{Repo: "acme/web", DryRun: true})
	if err != nil || len(dry.Deleted) != 2 || dry.Deleted[0].ID != day1.ID || dry.Deleted[1].ID != web2.ID {
		t.Fatalf("dry run %+v, %v", dry, err)
	}
	if n, _ := h.db.PendingCount(h.ctx); n != 3 {
		t.Fatalf("a dry run made %d pending, want the 3 added", n)
	}
	r, err := h.tr.DeleteSessions(h.ctx, api.DeleteRequest{Repo: "acme/web", PRNumber: 2})
	if err != nil || len(r.Deleted) != 1 || r.Deleted[0].ID != web2.ID {
		t.Fatalf("delete acme/web#2: %+v, %v", r, err)
	}
	r, err = h.tr.DeleteSessions(h.ctx, api.DeleteRequest{Day: "2026-11-24"})
	if err != nil || len(r.Deleted) != 1 || r.Deleted[0].ID != day1.ID {
		t.Fatalf("delete a day: %+v, %v", r, err)
	}
	if _, err := h.tr.DeleteSessions(h.ctx, api.DeleteRequest{IDs: []string{api3.ID}}); err != nil {
		t.Fatal(err)
	}
	if st := h.statsMatch(time.UTC); len(st) != 0 {
		t.Fatalf("daily_stats after deleting every ended session: %+v", st)
	}
	if _, err := h.tr.Session(h.ctx, active.ID); err != nil {
		t.Fatalf("the active session went: %v", err)
	}
	// Every tombstone is pending for the server, and a deleted id is not
	// started again.
	pend, err := h.db.PendingSessions(h.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	dead := 0
	for _, p := range pend {
		if p.Deleted {
			dead++
		}
	}
	if dead != 3 {
		t.Fatalf("%d tombstones pending, want 3: %+v", dead, pend)
	}
	if _, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 2, SessionID: web2.ID}); !errors.Is(err, api.ErrConflict) {
		t.Fatalf("restart of a deleted id: %v", err)
	}
}

// TestExcludedRepositoryIsNeverRecorded: a "dont_track" repository is
// refused by start, add and an edit that moves a session to it, and nothing
// is written.
func TestExcludedRepositoryIsNeverRecorded(t *testing.T) {
	h := newHarness(t, nil)
	r := rules.Rules{Repos: []rules.Rule{{Match: "octo", Action: rules.DontTrack}, {Match: "*/secret-*", Action: rules.DontTrack}}}
	h.tr = New(h.db, Options{Location: time.UTC, Clock: h.clk, Rules: func() rules.Rules { return r }})
	kept := h.ended("acme", "web", 1, t0.Add(-2*time.Hour), t0.Add(-time.Hour))
	pending, _ := h.db.PendingCount(h.ctx)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"start", func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "Octo", RepoName: "app", PRNumber: 1})
			return err
		}},
		{"start, glob", func() error {
			_, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "secret-plans", PRNumber: 1, Source: api.SourceBrowser})
			return err
		}},
		{"add", func() error {
			_, err := h.tr.AddSession(h.ctx, api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 1, StartTime: t0.Add(-5 * time.Hour), EndTime: t0.Add(-4 * time.Hour)})
			return err
		}},
		{"edit into it", func() error {
			_, err := h.tr.EditSession(h.ctx, kept.ID, api.EditRequest{RepoOwner: strp("octo"), RepoName: strp("app")})
			return err
		}},
	} {
		err := tc.call()
		if !errors.Is(err, api.ErrExcluded) || api.AsError(err).Code != api.CodeExcluded {
			t.Fatalf("%s: %v, want excluded", tc.name, err)
		}
	}
	all, _ := h.db.ListSessions(h.ctx, localdb.SessionFilter{})
	if len(all) != 1 || all[0].ID != kept.ID || all[0].RepoOwner != "acme" {
		t.Fatalf("sessions %+v", all)
	}
	if n, _ := h.db.PendingCount(h.ctx); n != pending {
		t.Fatalf("pending %d, want %d", n, pending)
	}
}
