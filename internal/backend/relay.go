package backend

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/nativemsg"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/tracker"
)

// Relay answers the native messaging host: it sends each call to the daemon
// and, when the daemon is not running, records it directly in the store.
// The choice is made per call, because a host lives as long as the browser
// port and the daemon may start or stop meanwhile. Its errors are *api.Error.
type Relay struct {
	o      Options
	daemon *Daemon

	mu     sync.Mutex
	direct *Direct // opened on first need
}

var _ nativemsg.Backend = (*Relay)(nil)

// NewRelay returns a relay; Close releases what it opened.
func NewRelay(o Options) *Relay {
	o = o.withDefaults()
	return &Relay{o: o, daemon: NewDaemon(o)}
}

// Close closes the store if the relay opened it.
func (r *Relay) Close() error {
	r.daemon.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.direct != nil {
		return r.direct.Close()
	}
	return nil
}

func (r *Relay) store(ctx context.Context) (*Direct, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.direct == nil {
		d, err := OpenDirect(ctx, r.o)
		if err != nil {
			return nil, refusedStore(err)
		}
		r.direct = d
	}
	return r.direct, nil
}

// refusedStore gives a store the host may not use (damaged, newer, not
// worktime's) the code unavailable, with the store's own words and what to
// do, so the extension shows it instead of an internal error; the file is
// left untouched.
func refusedStore(err error) error {
	for _, refused := range []error{localdb.ErrCorrupt, localdb.ErrTooNew, localdb.ErrForeign} {
		if errors.Is(err, refused) {
			return &api.Error{Code: api.CodeUnavailable, Message: "the local store cannot be used: " + err.Error()}
		}
	}
	return err
}

// viaDaemon reports whether the daemon handled the call; when it did not
// run, the call is to be made directly. A daemon that failed in the middle
// of a request is unavailable: the extension retries.
func viaDaemon(err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if IsNotRunning(err) {
		return false, nil
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		return true, ae
	}
	return true, &api.Error{Code: api.CodeUnavailable, Message: err.Error()}
}

// coded gives a direct call's error its protocol code.
func coded(err error) error {
	if err == nil {
		return nil
	}
	return api.AsError(err)
}

func relayCall[T any](ctx context.Context, r *Relay, call func(Backend) (T, error)) (T, error) {
	v, err := call(r.daemon)
	if handled, err := viaDaemon(err); handled {
		return v, err
	}
	d, err := r.store(ctx)
	if err != nil {
		var zero T
		return zero, coded(err)
	}
	v, err = call(d)
	return v, coded(err)
}

var _ nativemsg.DaemonStatuser = (*Relay)(nil)

// Status is the daemon's state, or the store's.
func (r *Relay) Status(ctx context.Context) (api.Status, error) {
	st, _, err := r.StatusWithDaemon(ctx)
	return st, err
}

// StatusWithDaemon is Status, and whether the daemon answered it (false:
// it is not running and the store did).
func (r *Relay) StatusWithDaemon(ctx context.Context) (api.Status, bool, error) {
	st, err := r.daemon.Status(ctx)
	if handled, err := viaDaemon(err); handled {
		return st, true, err
	}
	d, err := r.store(ctx)
	if err != nil {
		return api.Status{}, false, coded(err)
	}
	st, err = d.Status(ctx)
	return st, false, coded(err)
}

// Start starts a session.
func (r *Relay) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	return relayCall(ctx, r, func(b Backend) (api.Session, error) { return b.Start(ctx, req) })
}

// Heartbeat records a heartbeat.
func (r *Relay) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	return relayCall(ctx, r, func(b Backend) (api.Session, error) { return b.Heartbeat(ctx, id, at) })
}

// End ends a session.
func (r *Relay) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	return relayCall(ctx, r, func(b Backend) (api.Session, error) { return b.End(ctx, id, at) })
}

// ImportSessions stores the extension's direct-mode sessions.
func (r *Relay) ImportSessions(ctx context.Context, req api.ImportRequest) (api.ImportReply, error) {
	return relayCall(ctx, r, func(b Backend) (api.ImportReply, error) { return b.ImportSessions(ctx, req) })
}

// Active is the active session, or nil.
func (r *Relay) Active(ctx context.Context) (*api.Session, error) {
	return relayCall(ctx, r, func(b Backend) (*api.Session, error) { return b.Active(ctx) })
}

// Stats summarises the last days calendar days.
func (r *Relay) Stats(ctx context.Context, days int) (api.Stats, error) {
	return relayCall(ctx, r, func(b Backend) (api.Stats, error) { return b.Stats(ctx, tracker.StatsQuery{Days: days}) })
}

// Rules reads the rules from config.toml (the daemon reads the same file at
// every start and sync run).
func (r *Relay) Rules(context.Context) (rules.Rules, error) {
	c, err := config.Load(r.o.Paths.Config)
	if err != nil {
		return rules.Rules{}, coded(err)
	}
	return c.Rules, nil
}

// Goals reads the daily and weekly goals from config.toml, as Rules does.
func (r *Relay) Goals(context.Context) (daily, weekly time.Duration, err error) {
	c, err := config.Load(r.o.Paths.Config)
	if err != nil {
		return 0, 0, coded(err)
	}
	return c.DailyGoal.Duration, c.WeeklyGoal.Duration, nil
}

// AddRule appends rule to config.toml's rules, keeping every other key; an
// invalid rule is bad_request and nothing is saved.
func (r *Relay) AddRule(_ context.Context, rule rules.Rule) (rules.Rules, error) {
	c, err := config.Load(r.o.Paths.Config)
	if err != nil {
		return rules.Rules{}, coded(err)
	}
	c.Rules.Repos = append(c.Rules.Repos, rule)
	if err := c.Rules.Validate(); err != nil {
		return rules.Rules{}, &api.Error{Code: api.CodeBadRequest, Message: err.Error()}
	}
	if err := config.Save(r.o.Paths.Config, c); err != nil {
		return rules.Rules{}, coded(err)
	}
	return c.Rules, nil
}
