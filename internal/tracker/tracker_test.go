package tracker

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type harness struct {
	t   *testing.T
	clk *clock.Fake
	db  *localdb.DB
	tr  *Tracker
	ctx context.Context
}

func newHarness(t *testing.T, loc *time.Location) *harness {
	t.Helper()
	if loc == nil {
		loc = time.UTC
	}
	clk := clock.NewFake(t0)
	db, err := localdb.Open(context.Background(), filepath.Join(t.TempDir(), "worktime.db"), localdb.Options{Location: loc, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := New(db, Options{Location: loc, IdleTimeout: 10 * time.Minute, Clock: clk})
	return &harness{t: t, clk: clk, db: db, tr: tr, ctx: context.Background()}
}

func ptr(t time.Time) *time.Time { return &t }

func (h *harness) start(owner, name string, pr int, source string, at *time.Time) api.Session {
	h.t.Helper()
	s, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, Source: source, At: at})
	if err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	return s
}

func (h *harness) get(id string) api.Session {
	h.t.Helper()
	s, err := h.tr.Session(h.ctx, id)
	if err != nil {
		h.t.Fatalf("Session: %v", err)
	}
	return s
}

func TestStartValidation(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name  string
		req   api.StartRequest
		field string
	}{
		{"empty owner", api.StartRequest{RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"owner leading hyphen", api.StartRequest{RepoOwner: "-acme", RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"owner trailing hyphen", api.StartRequest{RepoOwner: "acme-", RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"owner double hyphen", api.StartRequest{RepoOwner: "ac--me", RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"owner underscore", api.StartRequest{RepoOwner: "ac_me", RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"owner too long", api.StartRequest{RepoOwner: "a234567890123456789012345678901234567890", RepoName: "web", PRNumber: 1}, "repo_owner"},
		{"empty name", api.StartRequest{RepoOwner: "acme", PRNumber: 1}, "repo_name"},
		{"name dot", api.StartRequest{RepoOwner: "acme", RepoName: ".", PRNumber: 1}, "repo_name"},
		{"name dotdot", api.StartRequest{RepoOwner: "acme", RepoName: "..", PRNumber: 1}, "repo_name"},
		{"name slash", api.StartRequest{RepoOwner: "acme", RepoName: "a/b", PRNumber: 1}, "repo_name"},
		{"name space", api.StartRequest{RepoOwner: "acme", RepoName: "a b", PRNumber: 1}, "repo_name"},
		{"pr zero", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 0}, "pr_number"},
		{"pr negative", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: -4}, "pr_number"},
		{"bad source", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, Source: "cron"}, "source"},
		{"bad session id", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, SessionID: "123"}, "session_id"},
		{"future", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: ptr(t0.Add(5*time.Minute + time.Second))}, "at"},
		{"ancient", api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, At: ptr(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC))}, "at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.tr.Start(h.ctx, tc.req)
			if !errors.Is(err, api.ErrInvalid) {
				t.Fatalf("Start = %v, want api.ErrInvalid", err)
			}
			var ve *api.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field || ve.Reason == "" {
				t.Fatalf("error %v does not name field %q", err, tc.field)
			}
		})
	}
	// The limits themselves are accepted.
	ok := []api.StartRequest{
		{RepoOwner: "a234567890123456789012345678901234567890"[:39], RepoName: "web", PRNumber: 1},
		{RepoOwner: "a-b", RepoName: "x.y_z-1", PRNumber: 1, At: ptr(t0.Add(5 * time.Minute))},
	}
	for _, r := range ok {
		if _, err := h.tr.Start(h.ctx, r); err != nil {
			t.Fatalf("Start(%+v) = %v", r, err)
		}
	}
}

func TestStartCompletesPreviousAtNewStart(t *testing.T) {
	h := newHarness(t, nil)
	a := h.start("acme", "web", 1, "", ptr(t0.Add(-time.Hour)))
	b := h.start("acme", "web", 2, "", nil)
	ga := h.get(a.ID)
	if ga.Status != api.StatusCompleted || !ga.EndTime.Equal(t0) || ga.DurationSeconds != 3600 {
		t.Fatalf("previous session = %+v, want completed at the new start", ga)
	}
	act, err := h.tr.Active(h.ctx)
	if err != nil || act == nil || act.ID != b.ID {
		t.Fatalf("Active = %+v, %v; want %s", act, err, b.ID)
	}
	// A start before the active session's start is refused.
	_, err = h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 3, At: ptr(t0.Add(-time.Minute))})
	if !errors.Is(err, api.ErrConflict) {
		t.Fatalf("back-dated start before active = %v, want api.ErrConflict", err)
	}
}

func TestStartIdempotentWithClientID(t *testing.T) {
	h := newHarness(t, nil)
	id := "0190a000-0000-7000-8000-0000000000aa"
	req := api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, SessionID: id, Source: api.SourceBrowser}
	s1, err := h.tr.Start(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(time.Minute)
	// An active session is not pending for sync, so its change_seq tells
	// whether the repeat wrote.
	before, err := h.db.Session(h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := h.tr.Start(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 || s2.ID != id {
		t.Fatalf("repeated start returned %+v, first %+v", s2, s1)
	}
	after, err := h.db.Session(h.ctx, id)
	if err != nil || after.ChangeSeq != before.ChangeSeq || after.UpdatedAt != before.UpdatedAt {
		t.Fatalf("repeated start wrote: %+v → %+v", before, after)
	}
	// Upper-case spelling of the same UUID is the same session.
	req.SessionID = "0190A000-0000-7000-8000-0000000000AA"
	if s3, err := h.tr.Start(h.ctx, req); err != nil || s3.ID != id {
		t.Fatalf("upper-case id: %+v %v", s3, err)
	}
	req.PRNumber = 2
	if _, err := h.tr.Start(h.ctx, req); !errors.Is(err, api.ErrConflict) {
		t.Fatalf("same id, other PR = %v, want api.ErrConflict", err)
	}
}

func TestEndIdempotentAndValidated(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start("acme", "web", 1, "", ptr(t0.Add(-30*time.Minute)))
	if _, err := h.tr.End(h.ctx, s.ID, ptr(t0.Add(-31*time.Minute))); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("end before start = %v, want api.ErrInvalid", err)
	}
	if _, err := h.tr.End(h.ctx, s.ID, ptr(t0.Add(6*time.Minute))); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("end in the future = %v, want api.ErrInvalid", err)
	}
	e1, err := h.tr.End(h.ctx, s.ID, nil)
	if err != nil || e1.Status != api.StatusCompleted || e1.DurationSeconds != 1800 {
		t.Fatalf("End = %+v, %v", e1, err)
	}
	h.clk.Advance(time.Hour)
	e2, err := h.tr.End(h.ctx, s.ID, nil)
	if err != nil || !reflect.DeepEqual(e2, e1) {
		t.Fatalf("second End = %+v, %v; want unchanged %+v", e2, err, e1)
	}
	if _, err := h.tr.End(h.ctx, "0190a000-0000-7000-8000-00000000ffff", nil); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("End(unknown) = %v, want api.ErrNotFound", err)
	}
	if _, err := h.tr.End(h.ctx, "", nil); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("End(\"\") = %v, want api.ErrInvalid", err)
	}
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); !errors.Is(err, api.ErrConflict) {
		t.Fatalf("heartbeat on completed = %v, want api.ErrConflict", err)
	}
	if _, err := h.tr.Heartbeat(h.ctx, "0190a000-0000-7000-8000-00000000ffff", nil); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("heartbeat(unknown) = %v, want api.ErrNotFound", err)
	}
	if _, err := h.tr.Heartbeat(h.ctx, "", nil); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("heartbeat(\"\") = %v, want api.ErrInvalid", err)
	}
}

func TestBackdatedManualPairRecordsExactTime(t *testing.T) {
	h := newHarness(t, nil)
	start := t0.Add(-3 * time.Hour)
	s := h.start("acme", "web", 9, "", &start)
	// Hours pass with no heartbeat: a manual session is never abandoned.
	h.clk.Advance(2 * time.Hour)
	if next, err := h.tr.ReapAbandoned(h.ctx); err != nil || !next.IsZero() {
		t.Fatalf("ReapAbandoned = %v, %v; a manual session has no deadline", next, err)
	}
	e, err := h.tr.End(h.ctx, s.ID, ptr(start.Add(95*time.Minute+7*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != api.StatusCompleted || e.DurationSeconds != 95*60+7 {
		t.Fatalf("End = %+v, want completed with 5707s", e)
	}
}

func TestHeartbeats(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	h.clk.Advance(5 * time.Minute)
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); err != nil {
		t.Fatal(err)
	}
	row, _ := h.db.Session(h.ctx, s.ID)
	if !row.LastHeartbeatAt.Equal(t0.Add(5 * time.Minute)) {
		t.Fatalf("last heartbeat %v", row.LastHeartbeatAt)
	}
	// An older heartbeat changes nothing.
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, ptr(t0.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	row2, _ := h.db.Session(h.ctx, s.ID)
	if row2.ChangeSeq != row.ChangeSeq || !row2.LastHeartbeatAt.Equal(*row.LastHeartbeatAt) {
		t.Fatalf("older heartbeat wrote: %+v", row2)
	}
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, ptr(t0.Add(-time.Minute))); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("heartbeat before start = %v, want api.ErrInvalid", err)
	}
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, ptr(h.clk.Now().Add(10*time.Minute))); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("future heartbeat = %v, want api.ErrInvalid", err)
	}
}

func TestAbandonment(t *testing.T) {
	tests := []struct {
		name string
		// act runs after the session started at t0 with a heartbeat at
		// t0+4m; it returns the session as the caller saw it.
		act     func(h *harness, id string) (api.Session, error)
		wantErr error
	}{
		{"reaper", func(h *harness, id string) (api.Session, error) {
			h.clk.Set(t0.Add(14 * time.Minute))
			if _, err := h.tr.ReapAbandoned(h.ctx); err != nil {
				return api.Session{}, err
			}
			return h.get(id), nil
		}, nil},
		{"late heartbeat", func(h *harness, id string) (api.Session, error) {
			h.clk.Set(t0.Add(20 * time.Minute))
			return h.tr.Heartbeat(h.ctx, id, nil)
		}, api.ErrConflict},
		{"late end", func(h *harness, id string) (api.Session, error) {
			h.clk.Set(t0.Add(20 * time.Minute))
			return h.tr.End(h.ctx, id, nil)
		}, nil},
		{"start of the next session", func(h *harness, id string) (api.Session, error) {
			h.clk.Set(t0.Add(30 * time.Minute))
			h.start("acme", "web", 2, api.SourceBrowser, nil)
			return h.get(id), nil
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			s := h.start("acme", "web", 1, api.SourceBrowser, nil)
			h.clk.Advance(4 * time.Minute)
			if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); err != nil {
				t.Fatal(err)
			}
			got, err := tc.act(h, s.ID)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got.Status != api.StatusAbandoned || !got.EndTime.Equal(t0.Add(4*time.Minute)) || got.DurationSeconds != 240 {
				t.Fatalf("session = %+v, want abandoned at its last heartbeat (240s)", got)
			}
			st, _ := h.tr.Stats(h.ctx, StatsQuery{Days: 1})
			if st.TodaySeconds != 240 {
				t.Fatalf("today = %d, want the 240s up to the last heartbeat", st.TodaySeconds)
			}
		})
	}
}

func TestAbandonedWithoutHeartbeatEndsAtStart(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	h.clk.Advance(9*time.Minute + 59*time.Second)
	next, err := h.tr.ReapAbandoned(h.ctx)
	if err != nil || !next.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("ReapAbandoned = %v, %v; want next check at t0+10m", next, err)
	}
	if h.get(s.ID).Status != api.StatusActive {
		t.Fatal("abandoned before the idle timeout")
	}
	h.clk.Advance(time.Second)
	if next, err := h.tr.ReapAbandoned(h.ctx); err != nil || !next.IsZero() {
		t.Fatalf("ReapAbandoned = %v, %v", next, err)
	}
	got := h.get(s.ID)
	if got.Status != api.StatusAbandoned || !got.EndTime.Equal(t0) || got.DurationSeconds != 0 {
		t.Fatalf("session = %+v, want abandoned at its start", got)
	}
}

func TestRunReaperSleepsUntilDeadline(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	changes := make(chan struct{}, 100)
	h.tr.OnChange(func() { changes <- struct{}{} })
	done := make(chan error, 1)
	rctx, stop := context.WithCancel(ctx)
	go func() { done <- h.tr.RunReaper(rctx) }()

	// Nothing active: the reaper sets no timer (it waits for a change).
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	<-changes
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("reaper did not arm a timer after a start: %v", err)
	}
	if d, _ := h.clk.NextDeadline(); !d.Equal(t0.Add(10 * time.Minute)) {
		t.Fatalf("reaper timer at %v, want the idle deadline %v", d, t0.Add(10*time.Minute))
	}
	h.clk.Advance(10 * time.Minute)
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("reaper did not abandon the session")
	}
	if got := h.get(s.ID); got.Status != api.StatusAbandoned {
		t.Fatalf("session %+v not abandoned", got)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("RunReaper = %v", err)
	}
	if n := h.clk.PendingTimers(); n != 0 {
		t.Fatalf("%d timers left after stop", n)
	}
}

func TestOnChangeOnlyForCommittedChanges(t *testing.T) {
	h := newHarness(t, nil)
	n := 0
	h.tr.OnChange(func() { n++ })
	s := h.start("acme", "web", 1, "", nil)
	h.tr.End(h.ctx, s.ID, nil)
	h.tr.End(h.ctx, s.ID, nil)                                                      // no-op
	h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "-", RepoName: "x", PRNumber: 1}) // invalid
	if n != 2 {
		t.Fatalf("OnChange called %d times, want 2", n)
	}
}

// A heartbeat does not wake the reaper (it only moves the deadline later);
// the reaper's timer for the old deadline finds the new one.
func TestRunReaperAfterHeartbeats(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	changes := make(chan struct{}, 100)
	h.tr.OnChange(func() { changes <- struct{}{} })
	done := make(chan error, 1)
	rctx, stop := context.WithCancel(ctx)
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("RunReaper = %v", err)
		}
	}()
	go func() { done <- h.tr.RunReaper(rctx) }()

	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	<-changes
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("reaper did not arm a timer after a start: %v", err)
	}
	h.clk.Advance(5 * time.Minute)
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); err != nil {
		t.Fatal(err)
	}
	<-changes
	// The start's deadline passes (its timer fires): the reaper finds the
	// session alive and sleeps until the heartbeat's deadline.
	h.clk.Advance(5 * time.Minute)
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("reaper did not re-arm its timer: %v", err)
	}
	if d, _ := h.clk.NextDeadline(); !d.Equal(t0.Add(15 * time.Minute)) {
		t.Fatalf("reaper timer at %v, want the heartbeat's deadline %v", d, t0.Add(15*time.Minute))
	}
	if got := h.get(s.ID); got.Status != api.StatusActive {
		t.Fatalf("session %+v ended before its deadline", got)
	}
	h.clk.Advance(5 * time.Minute)
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("reaper did not abandon the session")
	}
	if got := h.get(s.ID); got.Status != api.StatusAbandoned || !got.EndTime.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("session %+v, want abandoned at its heartbeat", got)
	}
}

// TestEndNeverBeforeLastHeartbeat: an hour of acknowledged heartbeats is
// kept when the session is ended at an earlier time (its start, as the host
// does for a replayed start when its port closes).
func TestEndNeverBeforeLastHeartbeat(t *testing.T) {
	tests := []struct {
		name    string
		at      func(start, lastBeat time.Time) *time.Time
		wantEnd func(start, lastBeat time.Time) time.Time
	}{
		{"at the start", func(s, _ time.Time) *time.Time { return ptr(s) }, func(_, b time.Time) time.Time { return b }},
		{"between start and last heartbeat", func(s, _ time.Time) *time.Time { return ptr(s.Add(10 * time.Minute)) }, func(_, b time.Time) time.Time { return b }},
		{"at the last heartbeat", func(_, b time.Time) *time.Time { return ptr(b) }, func(_, b time.Time) time.Time { return b }},
		{"after the last heartbeat", func(_, b time.Time) *time.Time { return ptr(b.Add(time.Minute)) }, func(_, b time.Time) time.Time { return b.Add(time.Minute) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			s := h.start("acme", "web", 1, api.SourceBrowser, nil)
			for range 12 {
				h.clk.Advance(5 * time.Minute)
				if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); err != nil {
					t.Fatal(err)
				}
			}
			lastBeat := t0.Add(time.Hour)
			h.clk.Advance(2 * time.Minute)
			e, err := h.tr.End(h.ctx, s.ID, tt.at(s.StartTime, lastBeat))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantEnd(s.StartTime, lastBeat)
			if e.Status != api.StatusCompleted || e.EndTime == nil || !e.EndTime.Equal(want) || e.DurationSeconds != int64(want.Sub(t0)/time.Second) {
				t.Fatalf("End = %+v (end %v), want completed at %v", e, e.EndTime, want)
			}
			if got := h.get(s.ID); got.Status != e.Status || got.EndTime == nil || !got.EndTime.Equal(want) || got.DurationSeconds != e.DurationSeconds {
				t.Fatalf("stored %+v, returned %+v", got, e)
			}
		})
	}
	// An end before the start is still refused.
	h := newHarness(t, nil)
	s := h.start("acme", "web", 1, api.SourceBrowser, nil)
	h.clk.Advance(5 * time.Minute)
	if _, err := h.tr.Heartbeat(h.ctx, s.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tr.End(h.ctx, s.ID, ptr(t0.Add(-time.Second))); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("end before start = %v, want api.ErrInvalid", err)
	}
}

// TestUpperCaseClientIDFoundByEveryCall: a client that minted its session
// id in upper case heartbeats, looks up and ends the session it started.
func TestUpperCaseClientIDFoundByEveryCall(t *testing.T) {
	h := newHarness(t, nil)
	const upper = "0190A000-0000-7000-8000-0000000000AB"
	const lower = "0190a000-0000-7000-8000-0000000000ab"
	s, err := h.tr.Start(h.ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1, SessionID: upper, Source: api.SourceBrowser})
	if err != nil || s.ID != lower {
		t.Fatalf("Start = %+v, %v", s, err)
	}
	h.clk.Advance(time.Minute)
	if hb, err := h.tr.Heartbeat(h.ctx, upper, nil); err != nil || hb.ID != lower {
		t.Fatalf("Heartbeat(upper) = %+v, %v", hb, err)
	}
	if got, err := h.tr.Session(h.ctx, upper); err != nil || got.ID != lower {
		t.Fatalf("Session(upper) = %+v, %v", got, err)
	}
	h.clk.Advance(time.Minute)
	e, err := h.tr.End(h.ctx, upper, nil)
	if err != nil || e.ID != lower || e.Status != api.StatusCompleted || e.DurationSeconds != 120 {
		t.Fatalf("End(upper) = %+v, %v", e, err)
	}
	// A malformed id is a bad request, and the message does not repeat
	// all of it.
	long := strings.Repeat("x", 10000)
	if _, err := h.tr.Heartbeat(h.ctx, long, nil); !errors.Is(err, api.ErrInvalid) || len(err.Error()) > 400 {
		t.Fatalf("Heartbeat(long) = %.500v", err)
	}
}
