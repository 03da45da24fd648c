package syncer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/syncer"
)

// The freshness promises of docs/sync.md, on the fake clock with the
// default timings: an ended session reaches the server within 5 minutes;
// a device in use shows another device's change within 5 minutes of it
// reaching the server; an idle device checks hourly; a push whose reply
// says nothing else changed is not followed by a pull.

// sent records what reached the server.
type sent struct {
	mu     sync.Mutex
	pushes []syncer.PushRequest
	pulls  int
}

type recording struct {
	syncer.Remote
	s *sent
}

func (r recording) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	r.s.mu.Lock()
	r.s.pushes = append(r.s.pushes, req)
	r.s.mu.Unlock()
	return r.Remote.Push(ctx, req)
}

func (r recording) Pull(ctx context.Context, cursor string, limit int) (syncer.PullResult, error) {
	r.s.mu.Lock()
	r.s.pulls++
	r.s.mu.Unlock()
	return r.Remote.Pull(ctx, cursor, limit)
}

func (s *sent) counts() (pushes, pulls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pushes), s.pulls
}

func recordingRig(t *testing.T) (*rig, *sent) {
	r := newRig(t, func(o *syncer.Options) {
		// The defaults are what users get; the rig's backoff stays.
		o.Interval, o.IdleInterval, o.Debounce = 0, 0, 0
	})
	s := &sent{}
	r.wrap = func(rem syncer.Remote) syncer.Remote { return recording{rem, s} }
	return r, s
}

// nextSchedule waits for the engine to schedule its next run and returns
// when it is due.
func (r *rig) nextSchedule() time.Time {
	r.t.Helper()
	select {
	case at := <-r.sched:
		return at
	case <-time.After(10 * time.Second):
		r.t.Fatal("nothing scheduled")
		return time.Time{}
	}
}

func (r *rig) drainSchedules() {
	for len(r.sched) > 0 {
		<-r.sched
	}
}

// begin starts an active session on this device, as the tracker does.
func (r *rig) begin(pr int) string {
	r.t.Helper()
	dev, err := r.db.DeviceID(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	var id string
	err = r.db.Update(context.Background(), func(tx *localdb.Tx) error {
		s, err := tx.Put(localdb.Session{Session: api.Session{
			ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "worktime", RepoName: "worktime", PRNumber: pr,
			StartTime: r.clk.Now().Truncate(time.Second), Status: api.StatusActive, DeviceID: dev,
		}, Source: api.SourceBrowser})
		id = s.ID
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.eng.Notify()
	return id
}

func (r *rig) beat(id string) {
	r.t.Helper()
	err := r.db.Update(context.Background(), func(tx *localdb.Tx) error {
		s, _, err := tx.Session(id)
		if err != nil {
			return err
		}
		_, err = tx.Heartbeat(s, r.clk.Now().Truncate(time.Second))
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.eng.Notify()
}

func (r *rig) end(id string) {
	r.t.Helper()
	err := r.db.Update(context.Background(), func(tx *localdb.Tx) error {
		s, _, err := tx.Session(id)
		if err != nil {
			return err
		}
		end := r.clk.Now().Truncate(time.Second)
		s.EndTime, s.Status = &end, api.StatusCompleted
		_, err = tx.Put(s)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.eng.Notify()
}

// advanceTo moves the clock to at and waits for the run due then.
func (r *rig) advanceTo(at time.Time) api.SyncState {
	r.t.Helper()
	r.clk.Set(at)
	return r.waitRun()
}

func onServer(r *rig, id string) (syncer.Session, bool) {
	for _, s := range r.srv.Sessions("octocat") {
		if s.ID == id {
			return s, true
		}
	}
	return syncer.Session{}, false
}

func TestFreshnessEndedSessionsArePushedWithinFiveMinutes(t *testing.T) {
	r, s := recordingRig(t)
	r.start() // the start-up run: nothing pending, one pull
	hourly := r.nextSchedule()
	if d := hourly.Sub(r.clk.Now()); d != time.Hour {
		t.Fatalf("periodic check in %v on a device nobody uses, want 1h", d)
	}
	for pr := 1; pr <= 3; pr++ {
		id := r.begin(pr)
		for i := 0; i < 10; i++ {
			r.clk.Advance(time.Minute)
			r.beat(id)
		}
		r.end(id)
		ended := r.clk.Now()
		due := r.nextSchedule()
		if d := due.Sub(ended); d != syncer.DefaultDebounce {
			t.Fatalf("session %d: push scheduled %v after the end, want %v", pr, d, syncer.DefaultDebounce)
		}
		r.advanceTo(due)
		got, ok := onServer(r, id)
		if !ok || got.Status != syncer.StatusCompleted {
			t.Fatalf("session %d not on the server %v after it ended (%+v)", pr, r.clk.Now().Sub(ended), got)
		}
		if d := r.clk.Now().Sub(ended); d > 5*time.Minute {
			t.Errorf("session %d reached the server %v after it ended, want ≤ 5m", pr, d)
		}
		r.drainSchedules()
	}
	pushes, pulls := s.counts()
	if pushes != 3 || pulls != 1 {
		t.Errorf("%d pushes and %d pulls for three sessions of one device, want 3 and 1 (the start-up pull; the pushes said nothing else changed)", pushes, pulls)
	}
	for _, p := range s.pushes {
		for _, ss := range p.Sessions {
			if ss.Status == syncer.StatusActive {
				t.Errorf("an active session was pushed: %+v", ss)
			}
		}
		if len(p.Sessions) != 1 {
			t.Errorf("push of %d sessions, want each ended session once", len(p.Sessions))
		}
	}
	// Heartbeats of an active session send nothing, however long it runs.
	id := r.begin(9)
	for i := 0; i < 30; i++ {
		r.clk.Advance(time.Minute)
		r.beat(id)
	}
	if _, ok := onServer(r, id); ok {
		t.Error("an active session reached the server")
	}
	if p, _ := s.counts(); p != 3 {
		t.Errorf("pushes = %d after heartbeats alone, want still 3", p)
	}
	if n := r.eng.State(context.Background()).Pending; n != 0 {
		t.Errorf("pending = %d with only an active session, want 0 (it is not sent)", n)
	}
}

func TestFreshnessChangedPushIsFollowedByAPull(t *testing.T) {
	r, s := recordingRig(t)
	r.start()
	other := r.srv.Remote(r.token)
	theirs := r.trackOther(other, t0.Add(-3*time.Hour))
	id := r.begin(1)
	r.clk.Advance(10 * time.Minute)
	r.end(id)
	r.advanceTo(r.nextSchedule())
	if _, pulls := s.counts(); pulls != 2 {
		t.Fatalf("pulls = %d, want 2: the push said another device wrote", pulls)
	}
	if _, err := r.db.Session(context.Background(), theirs); err != nil {
		t.Fatalf("the other device's session was not pulled with the push: %v", err)
	}
}

// trackOther pushes one ended session as another device of the same user.
func (r *rig) trackOther(other syncer.Remote, start time.Time) string {
	r.t.Helper()
	end := start.Add(30 * time.Minute)
	ss := syncer.Session{
		ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "acme", RepoName: "api", PRNumber: 3,
		StartTime: start, EndTime: &end, DurationSeconds: 1800, Status: syncer.StatusCompleted,
		UpdatedAt: r.clk.Now(),
	}
	if _, err := other.Push(context.Background(), syncer.PushRequest{DeviceID: "laptop-2", Sessions: []syncer.Session{ss}}); err != nil {
		r.t.Fatal(err)
	}
	return ss.ID
}

func TestFreshnessDeviceInUseSeesOtherDevicesWithinFiveMinutes(t *testing.T) {
	r, s := recordingRig(t)
	other := r.srv.Remote(r.token)
	r.trackOther(other, t0.Add(-5*time.Hour))
	r.start() // pulls the other device's session: it writes
	if d := r.nextSchedule().Sub(r.clk.Now()); d != time.Hour {
		t.Fatalf("periodic check in %v before anyone used the device, want 1h", d)
	}
	// Someone opens the stats: the check comes within the short interval.
	r.clk.Advance(2 * time.Minute)
	r.eng.Used()
	due := r.nextSchedule()
	if d := due.Sub(t0); d != syncer.DefaultInterval {
		t.Fatalf("after use, periodic check %v after the last pull, want %v", d, syncer.DefaultInterval)
	}
	// The other device pushes a session now; this one shows it at the
	// check, within 5 minutes.
	reached := r.clk.Now()
	theirs := r.trackOther(other, t0.Add(-2*time.Hour))
	r.advanceTo(due)
	if _, err := r.db.Session(context.Background(), theirs); err != nil {
		t.Fatalf("the other device's session is not here %v after it reached the server: %v", r.clk.Now().Sub(reached), err)
	}
	if d := r.clk.Now().Sub(reached); d > 5*time.Minute {
		t.Errorf("shown %v after it reached the server, want ≤ 5m", d)
	}
	// Still in use: the next check follows at the short interval.
	r.eng.Used()
	next := r.nextSchedule()
	if d := next.Sub(r.clk.Now()); d != syncer.DefaultInterval {
		t.Errorf("next check in %v while in use with another device writing, want %v", d, syncer.DefaultInterval)
	}
	// Nobody uses it for a while: the checks slow to hourly.
	r.drainSchedules()
	r.advanceTo(next)             // 5 min after the last use
	r.advanceTo(r.nextSchedule()) // 10 min
	r.advanceTo(r.nextSchedule()) // 15 min: no longer in use
	if d := r.nextSchedule().Sub(r.clk.Now()); d != time.Hour {
		t.Errorf("periodic check in %v 15 minutes after the last use, want 1h", d)
	}
	if _, pulls := s.counts(); pulls != 5 {
		t.Errorf("pulls = %d, want 5 (start-up, then four checks)", pulls)
	}
}

func TestFreshnessIdleDeviceChecksHourly(t *testing.T) {
	r, s := recordingRig(t)
	other := r.srv.Remote(r.token)
	r.trackOther(other, t0.Add(-5*time.Hour))
	r.start()
	for i := 1; i <= 3; i++ {
		due := r.nextSchedule()
		if d := due.Sub(r.clk.Now()); d != time.Hour {
			t.Fatalf("check %d due in %v on an idle device, want 1h", i, d)
		}
		r.trackOther(other, t0.Add(time.Duration(-i)*time.Hour))
		r.advanceTo(due)
	}
	pushes, pulls := s.counts()
	if pushes != 0 || pulls != 4 {
		t.Errorf("idle device over 3 hours: %d pushes and %d pulls, want 0 and 4", pushes, pulls)
	}
	if n := len(r.srv.Sessions("octocat")); n != 4 {
		t.Fatalf("server has %d sessions, want 4", n)
	}
}
