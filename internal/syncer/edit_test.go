package syncer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/tracker"
)

// TestEditsAndDeletesReachTheServer: an edit that moves a start is pushed
// with the start the server held, a delete is pushed as a deletion and is
// then no longer pending, and a deletion made on another device removes
// the session here even when this device changed it since (a deletion wins
// over every version).
func TestEditsAndDeletesReachTheServer(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	// Every push from here on is recorded: moving the clock below may start
	// the engine's own periodic run, which can push the changes before
	// syncNow does.
	var (
		mu        sync.Mutex
		recording bool
		pushed    []syncer.Session
	)
	r.wrap = func(rem syncer.Remote) syncer.Remote {
		return pushRecorder{Remote: rem, fn: func(req syncer.PushRequest) {
			mu.Lock()
			defer mu.Unlock()
			if recording {
				pushed = append(pushed, req.Sessions...)
			}
		}}
	}
	ids := r.track(3, t0)
	r.start()
	if n := len(r.srv.Sessions("octocat")); n != 3 {
		t.Fatalf("server has %d sessions", n)
	}
	mu.Lock()
	recording = true
	mu.Unlock()
	tr := tracker.New(r.db, tracker.Options{Clock: r.clk})
	r.clk.Set(t0.Add(24 * time.Hour))
	newStart := t0.Add(5 * time.Minute)
	if _, err := tr.EditSession(ctx, ids[0], api.EditRequest{StartTime: &newStart}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.DeleteSessions(ctx, api.DeleteRequest{IDs: []string{ids[1]}}); err != nil {
		t.Fatal(err)
	}
	if st := r.syncNow(); st.Pending != 0 {
		t.Fatalf("pending after sync: %+v", st)
	}
	mu.Lock()
	sent := append([]syncer.Session(nil), pushed...)
	mu.Unlock()
	if len(sent) != 2 {
		t.Fatalf("pushed %+v", sent)
	}
	for _, p := range sent {
		switch p.ID {
		case ids[0]:
			if p.Deleted || p.PrevStartTime == nil || !p.PrevStartTime.Equal(t0) || !p.StartTime.Equal(newStart) {
				t.Fatalf("edit pushed as %+v", p)
			}
		case ids[1]:
			if !p.Deleted || !p.StartTime.Equal(t0.Add(time.Hour)) {
				t.Fatalf("delete pushed as %+v", p)
			}
		}
	}
	on := r.srv.Sessions("octocat")
	if len(on) != 2 || on[0].ID == ids[1] || on[1].ID == ids[1] {
		t.Fatalf("server sessions %+v", on)
	}
	if dead := r.srv.Tombstones("octocat"); len(dead) != 1 || dead[0].ID != ids[1] {
		t.Fatalf("server tombstones %+v", dead)
	}
	// A synced edit leaves the start the server holds as the one to move from.
	if s, err := r.db.Session(ctx, ids[0]); err != nil || s.SyncedStart == nil || !s.SyncedStart.Equal(newStart) {
		t.Fatalf("after the push: %+v, %v", s, err)
	}

	// Another device deletes ids[2] while this one edits it.
	other := r.srv.Remote(r.token)
	if _, err := other.Push(ctx, syncer.PushRequest{DeviceID: "laptop-2", Sessions: []syncer.Session{
		{ID: ids[2], StartTime: t0.Add(2 * time.Hour), UpdatedAt: r.clk.Now(), Deleted: true}}}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Minute)
	pr := 99
	if _, err := tr.EditSession(ctx, ids[2], api.EditRequest{PRNumber: &pr}); err != nil {
		t.Fatal(err)
	}
	r.syncNow()
	if _, err := r.db.Session(ctx, ids[2]); !errors.Is(err, localdb.ErrNotFound) {
		t.Fatalf("the session deleted elsewhere is still here: %v", err)
	}
	if got := r.srv.Sessions("octocat"); len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("server sessions %+v", got)
	}
	if r.pending() != 0 {
		t.Fatalf("pending %d", r.pending())
	}
	got, err := r.db.DailyStats(ctx, "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seconds != 5*60 || got[0].Sessions != 1 {
		t.Fatalf("daily_stats %+v", got)
	}
}

// pushRecorder hands every push request to fn before sending it.
type pushRecorder struct {
	syncer.Remote
	fn func(syncer.PushRequest)
}

func (p pushRecorder) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	p.fn(req)
	return p.Remote.Push(ctx, req)
}
