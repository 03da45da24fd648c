package syncer_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/memremote"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

type rig struct {
	t      *testing.T
	db     *localdb.DB
	clk    *clock.Fake
	srv    *memremote.Server
	token  string
	server string
	eng    *syncer.Engine
	wrap   func(syncer.Remote) syncer.Remote
	cancel context.CancelFunc
	done   chan error
	runs   chan api.SyncState
	sched  chan time.Time
}

func newRig(t *testing.T, mod func(*syncer.Options)) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	db, err := localdb.Open(context.Background(), filepath.Join(t.TempDir(), "worktime.db"), localdb.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{t: t, db: db, clk: clk, srv: memremote.New(), token: "tok-1", server: "http://server.test",
		runs: make(chan api.SyncState, 100), sched: make(chan time.Time, 100)}
	r.srv.AddToken("octocat", r.token)
	opts := syncer.Options{
		Store: db,
		Account: func(ctx context.Context) (syncer.Account, error) {
			if r.token == "" {
				return syncer.Account{}, syncer.ErrSignedOut
			}
			return syncer.Account{ServerURL: r.server, Token: r.token, Login: "octocat"}, nil
		},
		NewRemote: func(a syncer.Account) syncer.Remote {
			rem := r.srv.Remote(a.Token)
			if r.wrap != nil {
				return r.wrap(rem)
			}
			return rem
		},
		Clock:      clk,
		TimeZone:   func() string { return "UTC" },
		Attempts:   1,
		AfterRun:   func(st api.SyncState) { r.runs <- st },
		OnSchedule: func(next time.Time) { r.sched <- next },
		Backoff:    syncer.Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0 }},
	}
	if mod != nil {
		mod(&opts)
	}
	r.eng, err = syncer.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// start runs the engine and waits for its first run to finish.
func (r *rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.eng.Run(ctx) }()
	r.t.Cleanup(r.stop)
	r.waitRun()
}

// waitRun waits for the engine to finish a run it started on its own.
func (r *rig) waitRun() api.SyncState {
	r.t.Helper()
	select {
	case st := <-r.runs:
		return st
	case <-time.After(10 * time.Second):
		r.t.Fatal("no sync run")
		return api.SyncState{}
	}
}

func (r *rig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	if err := <-r.done; err != nil {
		r.t.Errorf("Run: %v", err)
	}
	r.cancel = nil
}

func (r *rig) syncNow() api.SyncState {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := r.eng.SyncNow(ctx)
	if err != nil {
		r.t.Fatalf("SyncNow: %v", err)
	}
	<-r.runs
	return st
}

// track stores n completed sessions of 10 minutes, one per hour from start.
func (r *rig) track(n int, start time.Time) []string {
	r.t.Helper()
	dev, err := r.db.DeviceID(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	var ids []string
	err = r.db.Update(context.Background(), func(tx *localdb.Tx) error {
		for i := 0; i < n; i++ {
			st := start.Add(time.Duration(i) * time.Hour)
			end := st.Add(10 * time.Minute)
			s, err := tx.Put(localdb.Session{Session: api.Session{
				ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "worktime", RepoName: "worktime", PRNumber: 7,
				StartTime: st, EndTime: &end, Status: api.StatusCompleted, DeviceID: dev,
			}, Source: api.SourceManual})
			if err != nil {
				return err
			}
			ids = append(ids, s.ID)
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return ids
}

func (r *rig) pending() int64 {
	n, err := r.db.PendingCount(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

func TestPushInBatchesAndMarkSynced(t *testing.T) {
	r := newRig(t, func(o *syncer.Options) { o.BatchSize = 3 })
	r.start()
	ids := r.track(7, t0)
	st := r.syncNow()
	if st.State != api.SyncIdle || st.Pending != 0 || st.LastSuccessAt == nil {
		t.Fatalf("state after sync = %+v, want idle with nothing pending", st)
	}
	got := r.srv.Sessions("octocat")
	if len(got) != len(ids) {
		t.Fatalf("server has %d sessions, want %d", len(got), len(ids))
	}
	if c := r.srv.Calls("push"); c != 3 {
		t.Errorf("push requests = %d, want 3 (batches of 3, 3, 1)", c)
	}
	// Nothing pending: a further sync pushes nothing.
	before := r.srv.Calls("push")
	r.syncNow()
	if c := r.srv.Calls("push"); c != before {
		t.Errorf("an idle sync pushed %d more times", c-before)
	}
}

func TestSessionChangedDuringPushStaysPending(t *testing.T) {
	r := newRig(t, nil)
	ids := r.track(2, t0)
	changed := false
	r.wrap = func(rem syncer.Remote) syncer.Remote {
		return pushHook{rem, func() {
			if changed {
				return
			}
			changed = true
			// The user edits a session while its batch is in flight.
			err := r.db.Update(context.Background(), func(tx *localdb.Tx) error {
				s, _, err := tx.Session(ids[0])
				if err != nil {
					return err
				}
				end := s.EndTime.Add(5 * time.Minute)
				s.EndTime = &end
				_, err = tx.Put(s)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}}
	}
	r.start()
	if p := r.pending(); p != 1 {
		t.Fatalf("pending after the first sync = %d, want 1 (the session changed mid-push)", p)
	}
	r.syncNow()
	if p := r.pending(); p != 0 {
		t.Fatalf("pending after the second sync = %d, want 0", p)
	}
	for _, s := range r.srv.Sessions("octocat") {
		if s.ID == ids[0] && s.DurationSeconds != 15*60 {
			t.Errorf("server has the old version of the edited session: %d s", s.DurationSeconds)
		}
	}
}

// TestChangesDuringPipelinedPushesArriveInTheSameRun: the next batch is
// read, and the previous one marked, while a push is on its way. Sessions
// edited during a push (one in the batch on its way, one in the batch that
// may already have been read ahead) must reach the server in their edited
// version within the same run, and nothing may stay pending.
func TestChangesDuringPipelinedPushesArriveInTheSameRun(t *testing.T) {
	r := newRig(t, func(o *syncer.Options) { o.BatchSize = 3 })
	ids := r.track(10, t0)
	edit := func(id string) {
		err := r.db.Update(context.Background(), func(tx *localdb.Tx) error {
			s, _, err := tx.Session(id)
			if err != nil {
				return err
			}
			end := s.EndTime.Add(5 * time.Minute)
			s.EndTime = &end
			_, err = tx.Put(s)
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	calls := 0
	r.wrap = func(rem syncer.Remote) syncer.Remote {
		return pushHook{rem, func() {
			calls++
			if calls == 1 {
				edit(ids[0]) // in the batch on its way
				edit(ids[4]) // in the next batch, perhaps already read
			}
		}}
	}
	r.start()
	if p := r.pending(); p != 0 {
		t.Fatalf("pending after one run = %d, want 0", p)
	}
	got := map[string]int64{}
	for _, s := range r.srv.Sessions("octocat") {
		got[s.ID] = s.DurationSeconds
	}
	if len(got) != len(ids) {
		t.Fatalf("server has %d sessions, want %d", len(got), len(ids))
	}
	for i, id := range ids {
		want := int64(10 * 60)
		if i == 0 || i == 4 {
			want = 15 * 60
		}
		if got[id] != want {
			t.Errorf("session %d on the server lasts %d s, want %d", i, got[id], want)
		}
	}
}

type pushHook struct {
	syncer.Remote
	before func()
}

func (p pushHook) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	p.before()
	return p.Remote.Push(ctx, req)
}

func TestRejectedSessionIsQuarantined(t *testing.T) {
	r := newRig(t, nil)
	ids := r.track(3, t0)
	r.wrap = func(rem syncer.Remote) syncer.Remote { return rejectOne{rem, ids[1]} }
	r.start()
	st := r.syncNow()
	if st.Pending != 0 || st.Quarantined != 1 {
		t.Fatalf("state = %+v, want 0 pending and 1 quarantined", st)
	}
	if n := len(r.srv.Sessions("octocat")); n != 2 {
		t.Errorf("server has %d sessions, want the 2 valid ones", n)
	}
	// The quarantined session is not sent again while unchanged.
	r.wrap = nil
	before := r.srv.Calls("push")
	r.syncNow()
	if c := r.srv.Calls("push"); c != before {
		t.Errorf("the quarantined session was pushed again")
	}
}

// rejectOne makes the server refuse one id, as the worker refuses a session
// its validation fails.
type rejectOne struct {
	syncer.Remote
	id string
}

func (r rejectOne) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	for i := range req.Sessions {
		if req.Sessions[i].ID == r.id {
			req.Sessions[i].Status = "bogus"
		}
	}
	return r.Remote.Push(ctx, req)
}

func TestRetryableFailureBacksOffAndRecovers(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		afterCommit bool
		wantDelay   time.Duration
	}{
		{"server error", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, StatusCode: 500}, false, 500 * time.Millisecond},
		{"rate limited", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, StatusCode: 429, RetryAfter: 30 * time.Second}, false, 30 * time.Second},
		{"reply lost after commit", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, Err: errors.New("connection reset")}, true, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.track(4, t0)
			r.srv.FailNext("push", tt.err, tt.afterCommit)
			r.start()
			st := r.eng.State(context.Background())
			if st.State != api.SyncBackoff || st.NextAttemptAt == nil || st.LastError == "" {
				t.Fatalf("state after a failed push = %+v, want backoff with a next attempt and an error", st)
			}
			if d := st.NextAttemptAt.Sub(r.clk.Now()); d != tt.wantDelay {
				t.Errorf("next attempt in %v, want %v", d, tt.wantDelay)
			}
			if st.Pending != 4 {
				t.Errorf("pending = %d during backoff, want 4", st.Pending)
			}
			// A local change during the backoff does not cut it short.
			r.eng.Notify()
			r.clk.Advance(tt.wantDelay)
			r.waitRun()
			st = r.eng.State(context.Background())
			if st.State != api.SyncIdle || st.Pending != 0 || st.LastError != "" {
				t.Fatalf("state after the retry = %+v, want idle", st)
			}
			if n := len(r.srv.Sessions("octocat")); n != 4 {
				t.Errorf("server has %d sessions, want exactly 4", n)
			}
		})
	}
}

func TestUnauthorizedStopsUntilSignIn(t *testing.T) {
	r := newRig(t, nil)
	ids := r.track(2, t0)
	r.srv.Revoke(r.token)
	r.start()
	st := r.eng.State(context.Background())
	if st.State != api.SyncSignInRequired {
		t.Fatalf("state = %q, want %q", st.State, api.SyncSignInRequired)
	}
	if st.Pending != 2 {
		t.Errorf("pending = %d, want 2: local data must stay untouched", st.Pending)
	}
	calls := r.srv.Calls("push")
	r.syncNow()
	r.eng.Notify()
	if c := r.srv.Calls("push"); c != calls {
		t.Errorf("sync kept pushing with refused credentials (%d more requests)", c-calls)
	}
	if _, err := r.db.Session(context.Background(), ids[0]); err != nil {
		t.Errorf("local session gone: %v", err)
	}
	// Signing in again resumes syncer.
	r.token = "tok-2"
	r.srv.AddToken("octocat", r.token)
	r.eng.AccountChanged()
	st = r.waitRun()
	if st.State != api.SyncIdle || st.Pending != 0 {
		t.Fatalf("state after sign-in = %+v, want idle with nothing pending", st)
	}
	if n := len(r.srv.Sessions("octocat")); n != 2 {
		t.Errorf("server has %d sessions, want 2", n)
	}
}

func TestSignedOut(t *testing.T) {
	r := newRig(t, nil)
	r.token = ""
	r.track(1, t0)
	r.start()
	if st := r.eng.State(context.Background()); st.State != api.SyncSignedOut || st.Pending != 1 {
		t.Fatalf("state = %+v, want signed_out with 1 pending", st)
	}
	if c := r.srv.Calls("push") + r.srv.Calls("pull"); c != 0 {
		t.Errorf("%d requests while signed out", c)
	}
}

func TestPullMergesOtherDevices(t *testing.T) {
	r := newRig(t, func(o *syncer.Options) {})
	r.track(1, t0)
	other := r.srv.Remote(r.token)
	end := t0.Add(2*time.Hour + 30*time.Minute)
	theirs := syncer.Session{
		ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "acme", RepoName: "api", PRNumber: 3,
		StartTime: t0.Add(2 * time.Hour), EndTime: &end, DurationSeconds: 1800, Status: syncer.StatusCompleted,
		UpdatedAt: t0.Add(3 * time.Hour),
	}
	if _, err := other.Push(context.Background(), syncer.PushRequest{DeviceID: "laptop-2", Sessions: []syncer.Session{theirs}}); err != nil {
		t.Fatal(err)
	}
	r.start()
	got, err := r.db.Session(context.Background(), theirs.ID)
	if err != nil {
		t.Fatalf("the other device's session was not merged: %v", err)
	}
	if got.DeviceID != "laptop-2" || got.DurationSeconds != 1800 {
		t.Errorf("merged session = %+v", got)
	}
	if p := r.pending(); p != 0 {
		t.Errorf("pending = %d; a pulled session must not be pushed back", p)
	}
	// A newer version from the other device replaces it (last writer wins).
	end2 := end.Add(time.Hour)
	theirs.EndTime, theirs.DurationSeconds, theirs.UpdatedAt = &end2, 5400, t0.Add(4*time.Hour)
	if _, err := other.Push(context.Background(), syncer.PushRequest{DeviceID: "laptop-2", Sessions: []syncer.Session{theirs}}); err != nil {
		t.Fatal(err)
	}
	r.syncNow()
	got, err = r.db.Session(context.Background(), theirs.ID)
	if err != nil || got.DurationSeconds != 5400 {
		t.Errorf("after the newer version: %+v, %v; want 5400 s", got, err)
	}
}

func TestTooLargeBatchIsSplit(t *testing.T) {
	r := newRig(t, nil)
	r.track(10, t0)
	r.srv.FailNext("push", &syncer.Error{Op: "push", Kind: syncer.KindTooLarge, StatusCode: 413}, false)
	r.start()
	st := r.eng.State(context.Background())
	if st.State != api.SyncIdle || st.Pending != 0 {
		t.Fatalf("state = %+v, want idle and nothing pending", st)
	}
	if n := len(r.srv.Sessions("octocat")); n != 10 {
		t.Errorf("server has %d sessions, want 10", n)
	}
	if c := r.srv.Calls("push"); c != 3 {
		t.Errorf("push requests = %d, want 3 (refused 10, then 5 and 5)", c)
	}
}

func TestDebouncedPushAfterLocalChange(t *testing.T) {
	r := newRig(t, func(o *syncer.Options) { o.Debounce = 3 * time.Second; o.Interval = time.Hour })
	r.start()
	r.track(2, t0)
	for len(r.sched) > 0 {
		<-r.sched
	}
	r.eng.Notify()
	select {
	case next := <-r.sched:
		if d := next.Sub(r.clk.Now()); d != 3*time.Second {
			t.Fatalf("run scheduled in %v after a change, want 3s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a local change scheduled no run")
	}
	if n := len(r.srv.Sessions("octocat")); n != 0 {
		t.Fatalf("pushed before the debounce delay: %d sessions", n)
	}
	r.clk.Advance(3 * time.Second)
	r.waitRun()
	if n := len(r.srv.Sessions("octocat")); n != 2 {
		t.Errorf("server has %d sessions after the debounce, want 2", n)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := syncer.Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0.999999 }}
	tests := []struct {
		n          int
		retryAfter time.Duration
		min, max   time.Duration
	}{
		{1, 0, 500 * time.Millisecond, time.Second},
		{2, 0, time.Second, 2 * time.Second},
		{4, 0, 4 * time.Second, 8 * time.Second},
		{20, 0, 30 * time.Second, time.Minute},
		{1, 10 * time.Second, 10 * time.Second, 10 * time.Second},
		{1, time.Hour, time.Minute, time.Minute},
	}
	for _, tt := range tests {
		d := b.Delay(tt.n, tt.retryAfter)
		if d < tt.min || d > tt.max {
			t.Errorf("Delay(%d, %v) = %v, want in [%v, %v]", tt.n, tt.retryAfter, d, tt.min, tt.max)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"7", 7 * time.Second}, {"-3", 0}, {"soon", 0},
		{"Wed, 25 Nov 2026 10:01:00 GMT", time.Minute},
		{"Wed, 25 Nov 2026 09:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := syncer.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		status                        int
		retry, unauthorized, tooLarge bool
	}{
		{500, true, false, false}, {503, true, false, false}, {429, true, false, false},
		{401, false, true, false}, {413, false, false, true}, {400, false, false, false}, {404, false, false, false},
	}
	for _, tt := range tests {
		err := error(syncer.StatusError("push", tt.status, 0, "x"))
		wrapped := errors.Join(errors.New("context"), err)
		if syncer.IsRetryable(wrapped) != tt.retry || syncer.IsUnauthorized(wrapped) != tt.unauthorized || syncer.IsTooLarge(wrapped) != tt.tooLarge {
			t.Errorf("HTTP %d classified retry=%v unauthorized=%v tooLarge=%v", tt.status,
				syncer.IsRetryable(wrapped), syncer.IsUnauthorized(wrapped), syncer.IsTooLarge(wrapped))
		}
	}
}

// pullExtra adds sessions to the first pull's reply, as a server with data
// the local store refuses would.
type pullExtra struct {
	syncer.Remote
	extra []syncer.Session
}

func (p *pullExtra) Pull(ctx context.Context, cursor string, limit int) (syncer.PullResult, error) {
	res, err := p.Remote.Pull(ctx, cursor, limit)
	if err == nil && p.extra != nil {
		res.Sessions = append(p.extra, res.Sessions...)
		p.extra = nil
	}
	return res, err
}

func TestPulledSessionTheStoreRefusesIsSkipped(t *testing.T) {
	r := newRig(t, nil)
	end := t0.Add(time.Hour)
	good := syncer.Session{ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "acme", RepoName: "api", PRNumber: 1,
		StartTime: t0, EndTime: &end, DurationSeconds: 3600, Status: syncer.StatusCompleted, UpdatedAt: t0.Add(2 * time.Hour)}
	if _, err := r.srv.Remote(r.token).Push(context.Background(), syncer.PushRequest{DeviceID: "other", Sessions: []syncer.Session{good}}); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.ID, bad.PRNumber, bad.DeviceID = uuid.Must(uuid.NewV7()).String(), 0, "other"
	inject := &pullExtra{extra: []syncer.Session{bad}}
	r.wrap = func(rem syncer.Remote) syncer.Remote { inject.Remote = rem; return inject }
	st := r.start2()
	if st.State != api.SyncIdle {
		t.Fatalf("state = %+v, want idle: one bad pulled session must not stall sync", st)
	}
	if _, err := r.db.Session(context.Background(), good.ID); err != nil {
		t.Errorf("the valid pulled session was not merged: %v", err)
	}
	if _, err := r.db.Session(context.Background(), bad.ID); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("the refused session: err = %v, want ErrNotFound", err)
	}
}

// start2 starts the engine and returns the state after its first run.
func (r *rig) start2() api.SyncState {
	r.start()
	return r.eng.State(context.Background())
}

func TestRetryDecoratorRetriesOnlyRetryable(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCalls int
		wantOK    bool
	}{
		{"retryable then ok", &syncer.Error{Op: "pull", Kind: syncer.KindRetryable, StatusCode: 503}, 2, true},
		{"unauthorized is not retried", &syncer.Error{Op: "pull", Kind: syncer.KindUnauthorized, StatusCode: 401}, 1, false},
		{"permanent is not retried", &syncer.Error{Op: "pull", Kind: syncer.KindPermanent, StatusCode: 400}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := memremote.New()
			srv.AddToken("u", "t")
			srv.FailNext("pull", tt.err, false)
			clk := clock.NewFake(t0)
			var waits []time.Duration
			rem := syncer.Retry(srv.Remote("t"), syncer.RetryOptions{
				Backoff: syncer.Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0 }},
				Clock:   clk, Attempts: 3,
				OnWait: func(op string, d time.Duration, err error) {
					waits = append(waits, d)
					go func() { // once the decorator sleeps on the fake clock, wake it
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						defer cancel()
						if clk.WaitForTimers(ctx, 1) == nil {
							clk.Advance(d)
						}
					}()
				},
			})
			_, err := rem.Pull(context.Background(), "", 10)
			if (err == nil) != tt.wantOK {
				t.Fatalf("Pull err = %v, want ok=%v", err, tt.wantOK)
			}
			if c := srv.Calls("pull"); c != tt.wantCalls {
				t.Errorf("calls = %d, want %d", c, tt.wantCalls)
			}
			if tt.wantOK && (len(waits) != 1 || waits[0] != 500*time.Millisecond) {
				t.Errorf("waits = %v, want one of 500ms", waits)
			}
			if !tt.wantOK && !errors.Is(err, tt.err) {
				t.Errorf("the original error is not kept: %v", err)
			}
		})
	}
}

func TestFailureAfterProgressRestartsBackoff(t *testing.T) {
	r := newRig(t, func(o *syncer.Options) { o.BatchSize = 2 })
	r.track(4, t0)
	// Two runs fail without progress: the backoff grows (1s, 2s with no jitter → 0.5s, 1s).
	r.srv.FailNext("push", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, StatusCode: 503}, false)
	r.srv.FailNext("push", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, StatusCode: 503}, false)
	r.start()
	st := r.eng.State(context.Background())
	if d := st.NextAttemptAt.Sub(r.clk.Now()); d != 500*time.Millisecond {
		t.Fatalf("first backoff %v, want 500ms", d)
	}
	r.clk.Advance(500 * time.Millisecond)
	st = r.waitRun()
	if d := st.NextAttemptAt.Sub(r.clk.Now()); d != time.Second {
		t.Fatalf("second backoff %v, want 1s", d)
	}
	// The third run pushes one batch, then the second batch fails: the
	// backoff starts over.
	r.wrap = func(rem syncer.Remote) syncer.Remote {
		return pushHook{rem, func() {
			if r.srv.Calls("push") == 3 {
				r.srv.FailNext("push", &syncer.Error{Op: "push", Kind: syncer.KindRetryable, StatusCode: 503}, false)
			}
		}}
	}
	r.clk.Advance(time.Second)
	st = r.waitRun()
	if st.State != api.SyncBackoff || st.Pending != 2 {
		t.Fatalf("state = %+v, want backoff with 2 pending", st)
	}
	if d := st.NextAttemptAt.Sub(r.clk.Now()); d != 500*time.Millisecond {
		t.Errorf("backoff after progress %v, want 500ms (started over)", d)
	}
}

func TestNewServerGetsEverything(t *testing.T) {
	r := newRig(t, nil)
	ids := r.track(3, t0)
	r.start()
	if n := len(r.srv.Sessions("octocat")); n != 3 {
		t.Fatalf("first server has %d sessions, want 3", n)
	}
	// The user signs in to another server: it must receive the history too.
	second := memremote.New()
	second.AddToken("octocat", "tok-b")
	r.srv, r.token, r.server = second, "tok-b", "http://other.test"
	r.eng.AccountChanged()
	st := r.waitRun()
	if st.State != api.SyncIdle || st.Pending != 0 {
		t.Fatalf("state = %+v", st)
	}
	got := second.Sessions("octocat")
	if len(got) != len(ids) {
		t.Fatalf("new server has %d sessions, want %d", len(got), len(ids))
	}
	// Back on the same account, nothing is sent twice.
	calls := second.Calls("push")
	r.syncNow()
	if c := second.Calls("push"); c != calls {
		t.Errorf("%d extra pushes on the same account", c-calls)
	}
}

// zoneRecorder records the time zone of every push.
type zoneRecorder struct {
	syncer.Remote
	zones *[]string
}

func (z zoneRecorder) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	*z.zones = append(*z.zones, req.TimeZone)
	return z.Remote.Push(ctx, req)
}

func TestPushSendsTheZoneInForceAtEachPush(t *testing.T) {
	zone := "Europe/Berlin"
	r := newRig(t, func(o *syncer.Options) { o.TimeZone = func() string { return zone } })
	var zones []string
	r.wrap = func(rem syncer.Remote) syncer.Remote { return zoneRecorder{rem, &zones} }
	r.start()
	r.track(1, t0)
	r.syncNow()
	zone = "Asia/Tokyo" // the user changed it in the settings
	r.track(1, t0.Add(2*time.Hour))
	r.syncNow()
	want := []string{"Europe/Berlin", "Asia/Tokyo"}
	if len(zones) != len(want) || zones[0] != want[0] || zones[1] != want[1] {
		t.Fatalf("pushed zones = %q, want %q", zones, want)
	}
}
