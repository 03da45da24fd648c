package syncer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/syncer"
)

// cancelOnPush cancels the run's context during a push, as Ctrl-C does.
type cancelOnPush struct {
	syncer.Remote
	cancel context.CancelFunc
}

func (c cancelOnPush) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	c.cancel()
	<-ctx.Done()
	return syncer.PushResult{}, ctx.Err()
}

func TestInterruptedRunOnceIsNotASuccess(t *testing.T) {
	r := newRig(t, nil)
	r.track(3, t0.Add(-5*time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.wrap = func(rem syncer.Remote) syncer.Remote { return cancelOnPush{rem, cancel} }
	st, err := r.eng.RunOnce(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce err = %v, want one wrapping context.Canceled", err)
	}
	if st.LastSuccessAt != nil {
		t.Errorf("an interrupted run reports a success at %v", st.LastSuccessAt)
	}
	full := r.eng.State(context.Background())
	if full.LastSuccessAt != nil || !strings.Contains(full.LastError, "interrupted") {
		t.Errorf("state after the interrupted run = %+v, want no success and an error saying it was interrupted", full)
	}
	if full.Pending != 3 {
		t.Errorf("pending = %d, want 3", full.Pending)
	}
	// The next run, not interrupted, succeeds.
	r.wrap = nil
	st, err = r.eng.RunOnce(context.Background())
	if err != nil || st.State != api.SyncIdle || st.Pending != 0 || st.LastError != "" {
		t.Errorf("next run = %+v, %v; want idle, nothing pending, no error", st, err)
	}
}
