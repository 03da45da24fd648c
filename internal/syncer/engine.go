package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

// ErrSignedOut is returned by an AccountSource when nobody is signed in.
var ErrSignedOut = errors.New("not signed in")

// Store is the part of the local store sync uses; *localdb.DB implements it.
type Store interface {
	// PendingSessionsAfter returns up to limit pending rows with a
	// change_seq above after, oldest change first.
	PendingSessionsAfter(ctx context.Context, after int64, limit int) ([]localdb.Session, error)
	PendingCount(ctx context.Context) (int64, error)
	MarkPushed(ctx context.Context, acks map[string]int64) error
	Quarantine(ctx context.Context, id string, changeSeq int64, reason string) error
	QuarantinedCount(ctx context.Context) (int64, error)
	ApplyRemote(ctx context.Context, sessions []localdb.Session) (int, error)
	State(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
	DeviceID(ctx context.Context) (string, error)
	ResetPushed(ctx context.Context) (int64, error)
}

var _ Store = (*localdb.DB)(nil)

// Account is who sync pushes as, and where.
type Account struct {
	ServerURL string
	Token     string
	Login     string
}

// Options configure an Engine.
type Options struct {
	Store Store
	// Account returns the signed-in account, or an error wrapping
	// ErrSignedOut. It is called at the start of every run, so a new
	// sign-in takes effect at the next run.
	Account func(ctx context.Context) (Account, error)
	// NewRemote returns the server's API for an account.
	NewRemote func(Account) Remote
	Clock     clock.Clock
	Logger    *slog.Logger
	// TimeZone returns the IANA zone the server splits this device's
	// sessions into days with. It is called for every push, so a zone
	// changed in the settings applies at once; nil or "" leaves the
	// server's zone as it is.
	TimeZone func() string
	// Interval between periodic checks while the device is in use and
	// another device of the user was seen writing lately (see
	// periodicIntervalLocked); 0 means 5 minutes.
	Interval time.Duration
	// IdleInterval between periodic checks otherwise; 0 means an hour. It
	// is never shorter than Interval.
	IdleInterval time.Duration
	// Debounce is the wait after the first ended session waiting to be
	// pushed before pushing it; ends within it go in the same push. 0 means
	// 60 s.
	Debounce time.Duration
	// Backoff after failed runs; a zero Base or Max takes its default
	// (DefaultBackoffBase, DefaultBackoffMax) on its own.
	Backoff Backoff
	// Attempts per request within one run (see Retry); 0 means 3.
	Attempts int
	// BatchSize is the most sessions per push; 0 means MaxBatchSessions.
	BatchSize int
	// Disabled keeps the engine from ever contacting a server.
	Disabled bool
	// AfterRun, when set, is called with the state after every run.
	AfterRun func(api.SyncState)
	// OnSchedule, when set, is called whenever the next run is scheduled
	// (the zero time: none until a trigger).
	OnSchedule func(next time.Time)
}

// Engine runs sync and keeps the state users see. It pushes ended sessions
// a Debounce after the first one waits, and pulls other devices' sessions
// only when there may be something to pull: when a push reply says another
// write happened, on SyncNow or a sign-in, after a backoff, and at the
// periodic check (every Interval while the device is in use and another
// device writes, every IdleInterval otherwise).
type Engine struct {
	o   Options
	log *slog.Logger

	changed chan struct{}           // a local change happened (buffered 1)
	used    chan struct{}           // the device is being used (buffered 1)
	now     chan chan api.SyncState // SyncNow requests
	acct    chan struct{}           // the account changed (buffered 1)

	mu    sync.Mutex // guards the fields below
	state api.SyncState
	// failures counts consecutive failed runs.
	failures int
	// refused is the token the server answered 401 to; sync waits for a
	// different one.
	refused string
	stats   Stats
	// progressed is set when the current run stored something (a batch
	// pushed or a page pulled); a failure after progress starts the
	// backoff over instead of lengthening it.
	progressed bool
	// runBase is stats at the start of the current run; state.Run counts
	// from it.
	runBase Stats
	// lastUse is when the device was last used (a local change or Used).
	lastUse time.Time
	// otherSeen is when a pull last brought another device's sessions.
	otherSeen time.Time
	// current is when this device last knew every change on the server:
	// the end of a pull, or a push whose reply said nothing else changed.
	current time.Time
}

// Windows of the periodic check's pace (see periodicIntervalLocked).
const (
	// InUseWindow is how long after its last use a device counts as in use.
	InUseWindow = 15 * time.Minute
	// OtherDeviceWindow is how long after another device's sessions last
	// arrived the user counts as using several devices at once.
	OtherDeviceWindow = time.Hour
)

// Stats count what the engine has done since it started.
type Stats struct {
	PushRequests   int64
	PullRequests   int64
	SessionsPushed int64
	SessionsPulled int64
	Rejected       int64
}

// New checks opts and returns an engine; call Run to start it.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil || opts.Account == nil || opts.NewRemote == nil {
		return nil, errors.New("sync.New: Store, Account and NewRemote are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.IdleInterval <= 0 {
		opts.IdleInterval = DefaultIdleInterval
	}
	opts.IdleInterval = max(opts.IdleInterval, opts.Interval)
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Backoff.Base <= 0 {
		opts.Backoff.Base = DefaultBackoffBase
	}
	if opts.Backoff.Max <= 0 {
		opts.Backoff.Max = DefaultBackoffMax
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.BatchSize <= 0 || opts.BatchSize > MaxBatchSessions {
		opts.BatchSize = MaxBatchSessions
	}
	e := &Engine{
		o:       opts,
		log:     opts.Logger,
		changed: make(chan struct{}, 1),
		used:    make(chan struct{}, 1),
		now:     make(chan chan api.SyncState),
		acct:    make(chan struct{}, 1),
	}
	e.state.State = api.SyncIdle
	if opts.Disabled {
		e.state.State = api.SyncDisabled
	}
	return e, nil
}

// Default timings (see Options).
const (
	DefaultInterval     = 5 * time.Minute
	DefaultIdleInterval = time.Hour
	DefaultDebounce     = time.Minute
)

// Notify tells the engine that the local store changed, which also means
// the device is in use. When an ended session waits to be pushed, a push
// follows after the debounce delay; a change of an active session alone
// (a start or a heartbeat) sends nothing. It never blocks.
func (e *Engine) Notify() {
	e.Used()
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// Used tells the engine the device is in use (someone reads its stats or
// sessions), so other devices' changes should show within Interval. It
// never blocks.
func (e *Engine) Used() {
	now := e.o.Clock.Now()
	e.mu.Lock()
	e.lastUse = now
	e.mu.Unlock()
	select {
	case e.used <- struct{}{}:
	default:
	}
}

// nextCheck is when the periodic check is due: a periodic interval after
// the device last knew every change.
func (e *Engine) nextCheck() time.Time {
	now := e.o.Clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current.IsZero() {
		return now.Add(e.periodicIntervalLocked(now))
	}
	return e.current.Add(e.periodicIntervalLocked(now))
}

// periodicIntervalLocked is the pace of the periodic check: Interval while
// the device is in use and another device wrote lately (someone may be
// looking at this device for what they did on the other), IdleInterval
// otherwise (a user with one device gets nothing from pulls, and an idle
// device shows nobody anything). Must hold mu.
func (e *Engine) periodicIntervalLocked(now time.Time) time.Duration {
	inUse := !e.lastUse.IsZero() && now.Sub(e.lastUse) < InUseWindow
	others := !e.otherSeen.IsZero() && now.Sub(e.otherSeen) < OtherDeviceWindow
	if inUse && others {
		return e.o.Interval
	}
	return e.o.IdleInterval
}

// AccountChanged tells the engine that the user signed in or out; a run
// follows at once. It never blocks.
func (e *Engine) AccountChanged() {
	e.mu.Lock()
	e.refused = ""
	e.failures = 0
	e.mu.Unlock()
	select {
	case e.acct <- struct{}{}:
	default:
	}
}

// SyncNow runs sync at once (even during a backoff) and returns the state
// after the run. It returns ctx's error if ctx ends first, and an error if
// Run is not running.
func (e *Engine) SyncNow(ctx context.Context) (api.SyncState, error) {
	done := make(chan api.SyncState, 1)
	select {
	case e.now <- done:
	case <-ctx.Done():
		return api.SyncState{}, fmt.Errorf("sync.SyncNow: %w", ctx.Err())
	}
	select {
	case st := <-done:
		return st, nil
	case <-ctx.Done():
		return api.SyncState{}, fmt.Errorf("sync.SyncNow: %w", ctx.Err())
	}
}

// State returns the current sync state with fresh counts from the store.
func (e *Engine) State(ctx context.Context) api.SyncState {
	e.mu.Lock()
	st := e.state
	e.mu.Unlock()
	if n, err := e.o.Store.PendingCount(ctx); err == nil {
		st.Pending = n
	}
	if n, err := e.o.Store.QuarantinedCount(ctx); err == nil {
		st.Quarantined = n
	}
	if st.LastSuccessAt == nil {
		if v, ok, err := e.o.Store.State(ctx, keyLastSuccess); err == nil && ok {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				st.LastSuccessAt = &t
			}
		}
	}
	if st.ServerURL == "" {
		if a, err := e.o.Account(ctx); err == nil {
			st.ServerURL = a.ServerURL
		}
	}
	return st
}

// Progress returns the current run's progress (the last run's when none
// runs), or nil before the first run. Unlike State it reads nothing from the
// store.
func (e *Engine) Progress() *api.SyncRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.Run
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// RunOnce runs one sync in the caller's goroutine and returns the state
// after it, for a one-off `worktimed sync` without a daemon. It must not be
// used while Run runs. When ctx has ended by the time the run returns,
// RunOnce returns an error wrapping ctx's error along with the state
// without fresh counts: a run cut short leaves the state it had before the
// run (see runOnce), so an interrupted run never reads as a success.
func (e *Engine) RunOnce(ctx context.Context) (api.SyncState, error) {
	e.runOnce(ctx, true)
	if err := ctx.Err(); err != nil {
		// The store cannot be read with ctx any more; the counts are left
		// out rather than reported as zero.
		e.mu.Lock()
		st := e.state
		e.mu.Unlock()
		return st, fmt.Errorf("sync.RunOnce: %w", err)
	}
	return e.State(ctx), nil
}

// Durable state keys.
const (
	keyLastSuccess = "sync.last_success_at"
	keyCursor      = "sync.pull_cursor" // + ":" + server URL + ":" + login
	keyAccount     = "sync.account"     // server URL + " " + login pushed to
)

func cursorKey(a Account) string { return keyCursor + ":" + a.ServerURL + ":" + a.Login }

// Run syncs until ctx ends: once at start, then on every trigger. It
// returns nil when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if e.o.Disabled {
		for {
			select {
			case <-ctx.Done():
				return nil
			case done := <-e.now:
				done <- e.State(ctx)
			}
		}
	}
	// Two deadlines share one timer: pushDue, a Debounce after the first
	// ended session waited (zero: nothing waits), and checkDue, the
	// periodic check or the retry after a failure (zero: none until a
	// trigger). A run at pushDue pushes and pulls only if the push says
	// so; a run at checkDue also pulls.
	var timer clock.Timer
	var pushDue, checkDue, due time.Time
	arm := func() {
		at := checkDue
		if !pushDue.IsZero() && (at.IsZero() || pushDue.Before(at)) {
			at = pushDue
		}
		if at.Equal(due) && (timer != nil || at.IsZero()) {
			return
		}
		if timer != nil {
			timer.Stop()
		}
		timer, due = nil, at
		if !at.IsZero() {
			timer = e.o.Clock.NewTimer(at.Sub(e.o.Clock.Now()))
		}
		if e.o.OnSchedule != nil {
			e.o.OnSchedule(at)
		}
	}
	timerC := func() <-chan time.Time {
		if timer == nil {
			return nil
		}
		return timer.C()
	}
	run := func(full bool) api.SyncState {
		next, ok := e.runOnce(ctx, full)
		pushDue, checkDue = time.Time{}, time.Time{}
		if ok {
			checkDue = next
		}
		arm()
		st := e.State(ctx)
		if e.o.AfterRun != nil {
			e.o.AfterRun(st)
		}
		return st
	}
	idle := func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.state.State == api.SyncIdle
	}
	run(true)
	for {
		select {
		case <-ctx.Done():
			pushDue, checkDue = time.Time{}, time.Time{}
			arm()
			return nil
		case done := <-e.now:
			done <- run(true)
		case <-e.acct:
			run(true)
		case <-e.changed:
			if !idle() || !pushDue.IsZero() {
				// Backing off, waiting for a sign-in or signed out: the
				// change waits for that to end. Or a push is already due,
				// and takes this change along.
				continue
			}
			n, err := e.o.Store.PendingCount(ctx)
			if err != nil {
				e.log.Warn("sync: counting pending sessions", "err", err)
				continue
			}
			if n > 0 {
				pushDue = e.o.Clock.Now().Add(e.o.Debounce)
				arm()
			}
		case <-e.used:
			// In use again: the periodic check may now be due sooner.
			if idle() && !checkDue.IsZero() {
				if at := e.nextCheck(); at.Before(checkDue) {
					checkDue = laterOf(at, e.o.Clock.Now())
					arm()
				}
			}
		case <-timerC():
			now := e.o.Clock.Now()
			timer, due = nil, time.Time{}
			run(!checkDue.IsZero() && !now.Before(checkDue))
		}
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (e *Engine) setState(fn func(st *api.SyncState)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(&e.state)
}

// runOnce runs one sync and returns when the next periodic check or retry
// is due (ok false: none until a trigger). full pulls whatever happens;
// otherwise it pulls only when a push says something else changed.
func (e *Engine) runOnce(ctx context.Context, full bool) (next time.Time, ok bool) {
	acct, err := e.o.Account(ctx)
	if err != nil {
		if !errors.Is(err, ErrSignedOut) {
			e.log.Warn("sync: reading credentials", "err", err)
		}
		e.setState(func(st *api.SyncState) {
			st.State, st.NextAttemptAt, st.ServerURL = api.SyncSignedOut, nil, ""
			if !errors.Is(err, ErrSignedOut) {
				st.LastError = err.Error()
			}
		})
		return time.Time{}, false
	}
	e.mu.Lock()
	refused := e.refused != "" && e.refused == acct.Token
	e.mu.Unlock()
	if refused {
		e.setState(func(st *api.SyncState) { st.State, st.NextAttemptAt = api.SyncSignInRequired, nil })
		return time.Time{}, false
	}
	var before api.SyncState
	e.setState(func(st *api.SyncState) {
		before = *st
		st.State, st.ServerURL = api.SyncSyncing, acct.ServerURL
		st.Run = &api.SyncRun{StartedAt: e.o.Clock.Now().UTC().Truncate(time.Second)}
		e.progressed = false
		e.runBase = e.stats
	})
	err = e.sync(ctx, acct, full)
	now := e.o.Clock.Now()
	switch {
	case err == nil:
		e.mu.Lock()
		e.failures = 0
		t := now.UTC().Truncate(time.Second)
		e.state.State, e.state.LastError, e.state.LastSuccessAt = api.SyncIdle, "", &t
		e.mu.Unlock()
		n := laterOf(e.nextCheck(), now)
		e.setState(func(st *api.SyncState) { st.NextAttemptAt = &n })
		if err := e.o.Store.SetState(ctx, keyLastSuccess, t.Format(time.RFC3339)); err != nil {
			e.log.Warn("sync: storing last success", "err", err)
		}
		return n, true
	case ctx.Err() != nil:
		// Cut short: nothing is known about the outcome, so the state goes
		// back to what it was before the run (it must not read as idle
		// after a success) and says why.
		e.setState(func(st *api.SyncState) {
			st.State, st.NextAttemptAt = before.State, before.NextAttemptAt
			st.LastError = "sync interrupted: " + ctx.Err().Error()
		})
		return time.Time{}, false
	case IsUnauthorized(err):
		e.log.Warn("sync: the server refused the credentials; sign in again", "err", err)
		e.mu.Lock()
		e.refused = acct.Token
		e.state.State, e.state.LastError, e.state.NextAttemptAt = api.SyncSignInRequired, err.Error(), nil
		e.mu.Unlock()
		return time.Time{}, false
	default:
		e.mu.Lock()
		if e.progressed {
			e.failures = 1
		} else {
			e.failures++
		}
		ra, _ := RetryAfter(err)
		n := now.Add(e.o.Backoff.Delay(e.failures, ra))
		e.state.State, e.state.LastError, e.state.NextAttemptAt = api.SyncBackoff, err.Error(), &n
		if !IsRetryable(err) {
			// A permanent error (a bug on one side) still must not stop
			// sync for good; it is retried at the periodic pace.
			n = now.Add(e.o.Interval)
			e.state.NextAttemptAt = &n
		}
		failures := e.failures
		e.mu.Unlock()
		e.log.Warn("sync failed", "err", err, "failures", failures, "next_attempt", n)
		return n, true
	}
}

// count updates the counters and the current run's progress. state.Run is
// replaced, never changed in place: copies of the state handed out by State
// share the pointer.
func (e *Engine) count(fn func(*Stats)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(&e.stats)
	if e.state.Run == nil {
		return
	}
	r := *e.state.Run
	r.Pushed = e.stats.SessionsPushed - e.runBase.SessionsPushed
	r.Pulled = e.stats.SessionsPulled - e.runBase.SessionsPulled
	r.Requests = e.stats.PushRequests + e.stats.PullRequests - e.runBase.PushRequests - e.runBase.PullRequests
	e.state.Run = &r
}
