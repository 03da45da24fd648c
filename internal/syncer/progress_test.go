package syncer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/syncer"
)

// A run's progress counts what it pushed, pulled and sent, is visible while
// it runs, and belongs to that run only.
func TestRunProgress(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []api.SyncRun
		r    *rig
	)
	r = newRig(t, func(o *syncer.Options) {
		o.BatchSize = 2
		o.NewRemote = func(a syncer.Account) syncer.Remote {
			return observe{Remote: r.srv.Remote(a.Token), after: func() {
				if run := r.eng.State(context.Background()).Run; run != nil {
					mu.Lock()
					seen = append(seen, *run)
					mu.Unlock()
				}
			}}
		}
	})
	if st := r.eng.State(context.Background()); st.Run != nil {
		t.Fatalf("Run before any run = %+v, want nil", st.Run)
	}
	r.track(5, t0)
	end := t0.Add(90 * time.Minute)
	theirs := syncer.Session{ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "acme", RepoName: "api", PRNumber: 3,
		StartTime: t0.Add(time.Hour), EndTime: &end, DurationSeconds: 1800, Status: syncer.StatusCompleted, UpdatedAt: end}
	if _, err := r.srv.Remote(r.token).Push(context.Background(), syncer.PushRequest{DeviceID: "laptop-2", Sessions: []syncer.Session{theirs}}); err != nil {
		t.Fatal(err)
	}

	st, err := r.eng.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	calls := int64(r.srv.Calls("push") + r.srv.Calls("pull"))
	want := api.SyncRun{StartedAt: t0, Pushed: 5, Pulled: 1, Requests: calls - 1} // minus the other device's push
	if st.Run == nil || *st.Run != want {
		t.Fatalf("Run after the run = %+v, want %+v", st.Run, want)
	}
	mu.Lock()
	got := append([]api.SyncRun(nil), seen...)
	mu.Unlock()
	if len(got) < 3 {
		t.Fatalf("progress seen during the run = %+v, want one per request", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Pushed < got[i-1].Pushed || got[i].Requests < got[i-1].Requests {
			t.Errorf("progress went back: %+v then %+v", got[i-1], got[i])
		}
	}
	if got[0].Pushed >= 5 {
		t.Errorf("first progress seen = %+v; it should come before the run ends", got[0])
	}

	// The next run starts from zero.
	st, err = r.eng.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Run == nil || st.Run.Pushed != 0 || st.Run.Pulled != 0 {
		t.Errorf("Run of an idle run = %+v, want nothing pushed or pulled", st.Run)
	}
}

// observe calls after once each request has returned.
type observe struct {
	syncer.Remote
	after func()
}

func (o observe) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	res, err := o.Remote.Push(ctx, req)
	o.after()
	return res, err
}

func (o observe) Pull(ctx context.Context, cursor string, limit int) (syncer.PullResult, error) {
	res, err := o.Remote.Pull(ctx, cursor, limit)
	o.after()
	return res, err
}
