package tracker

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

func importID(n int) string { return fmt.Sprintf("0190a000-0000-7000-8000-%012d", n) }

func TestImportSessionsIdempotentByID(t *testing.T) {
	h := newHarness(t, nil)
	h.clk.Set(t0.Add(3 * time.Hour))
	req := api.ImportRequest{Sessions: []api.ImportedSession{
		{ID: importID(1), RepoOwner: "octo", RepoName: "hello", PRNumber: 1, StartTime: t0, EndTime: t0.Add(10 * time.Minute)},
		{ID: strings.ToUpper(importID(2)), RepoOwner: "octo", RepoName: "hello", PRNumber: 2, StartTime: t0.Add(20 * time.Minute), EndTime: t0.Add(25 * time.Minute)},
	}}
	got, err := h.tr.ImportSessions(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{importID(1), importID(2)}; fmt.Sprint(got.Accepted) != fmt.Sprint(want) || len(got.Rejected) != 0 {
		t.Fatalf("reply %+v, want accepted %v", got, want)
	}
	// The sessions are stored as the extension's, pending for sync.
	s, err := h.db.Session(h.ctx, importID(1))
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != api.StatusCompleted || s.Source != api.SourceBrowser || s.DurationSeconds != 600 {
		t.Fatalf("stored %+v", s)
	}
	pending, err := h.db.PendingSessions(h.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 {
		t.Fatalf("pending %d sessions, want 2", len(pending))
	}

	// A repeated handover (the reply was lost) accepts them again and writes nothing.
	again, err := h.tr.ImportSessions(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Accepted) != 2 || len(again.Rejected) != 0 {
		t.Fatalf("second import %+v", again)
	}
	st, err := h.tr.Stats(h.ctx, StatsQuery{Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st.TodaySeconds != 900 {
		t.Fatalf("today %d s, want 900 (each session once)", st.TodaySeconds)
	}
}

func TestImportSessionsRejects(t *testing.T) {
	h := newHarness(t, nil)
	h.tr = New(h.db, Options{IdleTimeout: 10 * time.Minute, Clock: h.clk, Rules: func() rules.Rules {
		return rules.Rules{Repos: []rules.Rule{{Match: "secret/*", Action: rules.DontTrack}}}
	}})
	h.clk.Set(t0.Add(3 * time.Hour))
	ok := api.ImportedSession{ID: importID(1), RepoOwner: "octo", RepoName: "hello", PRNumber: 1, StartTime: t0, EndTime: t0.Add(10 * time.Minute)}
	bad := func(n int, f func(*api.ImportedSession)) api.ImportedSession {
		s := ok
		s.ID = importID(n)
		s.StartTime = t0.Add(time.Duration(n) * time.Hour / 10)
		s.EndTime = s.StartTime.Add(time.Minute)
		f(&s)
		return s
	}
	tests := []struct {
		name string
		s    api.ImportedSession
		want string
	}{
		{"not a uuid", bad(2, func(s *api.ImportedSession) { s.ID = "x" }), "session_id"},
		{"no pr", bad(3, func(s *api.ImportedSession) { s.PRNumber = 0 }), "pr_number"},
		{"bad owner", bad(4, func(s *api.ImportedSession) { s.RepoOwner = "-x-" }), "owner"},
		{"end before start", bad(5, func(s *api.ImportedSession) { s.EndTime = s.StartTime.Add(-time.Minute) }), "end"},
		{"in the future", bad(6, func(s *api.ImportedSession) { s.EndTime = t0.Add(5 * time.Hour) }), "future"},
		{"excluded", bad(7, func(s *api.ImportedSession) { s.RepoOwner = "secret" }), "excluded"},
		{"overlapping", bad(8, func(s *api.ImportedSession) {
			s.StartTime = t0.Add(5 * time.Minute)
			s.EndTime = t0.Add(15 * time.Minute)
		}), "overlaps"},
	}
	req := api.ImportRequest{Sessions: []api.ImportedSession{ok}}
	for _, tc := range tests {
		req.Sessions = append(req.Sessions, tc.s)
	}
	got, err := h.tr.ImportSessions(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Accepted) != fmt.Sprint([]string{importID(1)}) {
		t.Fatalf("accepted %v, want only the valid one", got.Accepted)
	}
	if len(got.Rejected) != len(tests) {
		t.Fatalf("rejected %+v, want %d", got.Rejected, len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := got.Rejected[i]
			if r.ID != tc.s.ID || !strings.Contains(r.Error, tc.want) {
				t.Fatalf("rejected %+v, want id %s and an error with %q", r, tc.s.ID, tc.want)
			}
		})
	}
}

func TestImportSessionsTooMany(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.tr.ImportSessions(h.ctx, api.ImportRequest{Sessions: make([]api.ImportedSession, api.MaxImportSessions+1)})
	if err == nil || !strings.Contains(err.Error(), "at most 500") {
		t.Fatalf("err %v, want at most 500", err)
	}
}
