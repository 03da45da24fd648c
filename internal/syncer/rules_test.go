package syncer_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/tracker"
)

// put stores an ended session of owner/name through the store.
func (r *rig) put(owner, name string, start time.Time) string {
	r.t.Helper()
	end := start.Add(10 * time.Minute)
	var id string
	err := r.db.Update(context.Background(), func(tx *localdb.Tx) error {
		s, err := tx.Put(localdb.Session{Session: api.Session{ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: owner, RepoName: name,
			PRNumber: 1, StartTime: start, EndTime: &end, Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual})
		id = s.ID
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

// TestRulesKeepSessionsOffTheServer: sessions of a "dont_sync" repository
// (and of a "dont_track" one recorded before its rule) never appear in any
// push body, however many batches the push takes, and do not stay pending.
func TestRulesKeepSessionsOffTheServer(t *testing.T) {
	var current atomic.Pointer[rules.Rules]
	current.Store(&rules.Rules{Repos: []rules.Rule{{Match: "*/secret-*", Action: rules.DontSync}, {Match: "octo", Action: rules.DontTrack}}})
	r := newRig(t, func(o *syncer.Options) {
		o.Rules = func() rules.Rules { return *current.Load() }
		o.BatchSize = 3
	})
	var bodies [][]syncer.Session
	r.wrap = func(rem syncer.Remote) syncer.Remote {
		return pushRecorder{Remote: rem, fn: func(req syncer.PushRequest) { bodies = append(bodies, req.Sessions) }}
	}
	var open []string
	for i := 0; i < 10; i++ {
		at := t0.Add(time.Duration(i) * time.Hour)
		switch i % 3 {
		case 0:
			open = append(open, r.put("acme", "web", at))
		case 1:
			r.put("acme", "Secret-Plans", at)
		default:
			r.put("octo", "app", at)
		}
	}
	r.start()
	if p := r.pending(); p != 0 {
		t.Fatalf("pending %d after the push", p)
	}
	sent := 0
	for _, b := range bodies {
		for _, s := range b {
			sent++
			if strings.EqualFold(s.RepoName, "secret-plans") || s.RepoOwner == "octo" {
				t.Fatalf("a kept session was pushed: %+v", s)
			}
		}
	}
	if sent != len(open) || len(r.srv.Sessions("octocat")) != len(open) {
		t.Fatalf("sent %d, server holds %d, want %d", sent, len(r.srv.Sessions("octocat")), len(open))
	}
	// Kept ones are not taken for on the server (a withdrawal skips them).
	kept, err := r.db.ListSessions(context.Background(), localdb.SessionFilter{RepoOwner: "octo", RepoName: "app"})
	if err != nil || len(kept) != 3 || kept[0].SyncedStart != nil {
		t.Fatalf("kept sessions %+v, %v", kept, err)
	}

	// Private: nothing is pushed or pulled until it is off again.
	private := *current.Load()
	private.Private = true
	current.Store(&private)
	r.put("acme", "web", t0.Add(20*time.Hour))
	pushes := r.srv.Calls("push") + r.srv.Calls("pull")
	if st := r.syncNow(); st.State != api.SyncPrivate || st.Pending != 1 {
		t.Fatalf("private: %+v", st)
	}
	if n := r.srv.Calls("push") + r.srv.Calls("pull"); n != pushes {
		t.Fatalf("private sync made %d requests", n-pushes)
	}
	private.Private = false
	current.Store(&private)
	if st := r.syncNow(); st.State != api.SyncIdle || st.Pending != 0 {
		t.Fatalf("after private: %+v", st)
	}
}

// TestWithdrawTakesSessionsOffTheServerOnly: sessions pushed before a
// "dont_sync" rule are withdrawn as deletions that keep the local copy;
// another device that pulls them removes its copy.
func TestWithdrawTakesSessionsOffTheServerOnly(t *testing.T) {
	var current atomic.Pointer[rules.Rules]
	current.Store(&rules.Rules{})
	get := func() rules.Rules { return *current.Load() }
	r := newRig(t, func(o *syncer.Options) { o.Rules = get })
	secret := r.put("acme", "secret-plans", t0)
	web := r.put("acme", "web", t0.Add(time.Hour))
	r.start()
	if n := len(r.srv.Sessions("octocat")); n != 2 {
		t.Fatalf("server holds %d", n)
	}
	current.Store(&rules.Rules{Repos: []rules.Rule{{Match: "*/secret-*", Action: rules.DontSync}}})
	tr := tracker.New(r.db, tracker.Options{Clock: r.clk, Rules: get})
	plan, err := tr.WithdrawSessions(context.Background(), api.WithdrawRequest{DryRun: true})
	if err != nil || len(plan.Withdrawn) != 1 || plan.Withdrawn[0].ID != secret {
		t.Fatalf("dry run: %+v, %v", plan, err)
	}
	if r.pending() != 0 {
		t.Fatalf("a dry run made %d pending", r.pending())
	}
	if _, err := tr.WithdrawSessions(context.Background(), api.WithdrawRequest{}); err != nil {
		t.Fatal(err)
	}
	if st := r.syncNow(); st.Pending != 0 {
		t.Fatalf("after the withdrawal: %+v", st)
	}
	if got := r.srv.Sessions("octocat"); len(got) != 1 || got[0].ID != web {
		t.Fatalf("server sessions %+v", got)
	}
	// Still here, also after pulling its own withdrawal back.
	r.syncNow()
	if _, err := r.db.Session(context.Background(), secret); err != nil {
		t.Fatalf("the withdrawn session left this device: %v", err)
	}
	if again, err := tr.WithdrawSessions(context.Background(), api.WithdrawRequest{}); err != nil || len(again.Withdrawn) != 0 {
		t.Fatalf("withdrawn twice: %+v, %v", again, err)
	}
}
