package syncer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/worktime/worktime/internal/clock"
)

// Backoff computes the delay before retrying after consecutive failures:
// exponential from Base, capped at Max, with "equal jitter" (half fixed,
// half random) so that many devices do not retry in step.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2.
	Rand func() float64
}

// The default backoff starts at 2 s and caps at 10 minutes. Each applies on
// its own: a Backoff that sets only Base or only Max takes the other from
// here.
const (
	DefaultBackoffBase = 2 * time.Second
	DefaultBackoffMax  = 10 * time.Minute
)

// DefaultBackoff returns the default backoff.
func DefaultBackoff() Backoff {
	return Backoff{Base: DefaultBackoffBase, Max: DefaultBackoffMax}
}

// Delay returns the wait after the n-th consecutive failure (n ≥ 1). A
// server's Retry-After is honoured when it asks for longer (capped at Max
// too, so a bogus header cannot stop sync for days). A zero Base or Max
// takes its default (DefaultBackoffBase, DefaultBackoffMax) on its own; a
// Max below Base is raised to Base.
func (b Backoff) Delay(n int, retryAfter time.Duration) time.Duration {
	base, maxD := b.Base, b.Max
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if maxD <= 0 {
		maxD = DefaultBackoffMax
	}
	if maxD < base {
		maxD = base
	}
	d := base
	for i := 1; i < n && d < maxD; i++ {
		d *= 2
	}
	if d > maxD {
		d = maxD
	}
	r := b.Rand
	if r == nil {
		r = rand.Float64
	}
	d = d/2 + time.Duration(r()*float64(d/2))
	if retryAfter > d {
		d = min(retryAfter, maxD)
	}
	return d
}

// RetryOptions configure Retry.
type RetryOptions struct {
	Backoff Backoff
	Clock   clock.Clock
	// Attempts is the number of tries per call, at least 1.
	Attempts int
	// OnWait, when set, is told each wait before it starts.
	OnWait func(op string, d time.Duration, err error)
}

// Retry wraps r so that each call is tried up to opts.Attempts times while
// it fails with a retryable error, waiting on opts.Clock between tries.
// Push can be retried safely because it is idempotent; Pull because it is
// resumable. The last error is returned unchanged, so callers still
// classify it.
func Retry(r Remote, opts RetryOptions) Remote {
	if opts.Attempts < 1 {
		opts.Attempts = 1
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	return &retrying{r: r, o: opts}
}

type retrying struct {
	r Remote
	o RetryOptions
}

func (rt *retrying) wait(ctx context.Context, op string, n int, err error) error {
	ra, _ := RetryAfter(err)
	d := rt.o.Backoff.Delay(n, ra)
	if rt.o.OnWait != nil {
		rt.o.OnWait(op, d, err)
	}
	t := rt.o.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
}

func (rt *retrying) Push(ctx context.Context, req PushRequest) (PushResult, error) {
	for n := 1; ; n++ {
		res, err := rt.r.Push(ctx, req)
		if err == nil || !IsRetryable(err) || n >= rt.o.Attempts || ctx.Err() != nil {
			return res, err
		}
		if werr := rt.wait(ctx, "push", n, err); werr != nil {
			return res, werr
		}
	}
}

func (rt *retrying) Pull(ctx context.Context, cursor string, limit int) (PullResult, error) {
	for n := 1; ; n++ {
		res, err := rt.r.Pull(ctx, cursor, limit)
		if err == nil || !IsRetryable(err) || n >= rt.o.Attempts || ctx.Err() != nil {
			return res, err
		}
		if werr := rt.wait(ctx, "pull", n, err); werr != nil {
			return res, werr
		}
	}
}
