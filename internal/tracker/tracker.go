// Package tracker holds worktime's session rules: start, heartbeat, end,
// abandonment, validation and the stats and lists built from the store.
// Every writer (the CLI, the daemon, the native messaging host) goes through
// a Tracker so the rules hold whoever records the time.
//
// Rules:
//   - At most one active session per device. Starting a session completes
//     the device's active one at the new start time.
//   - No two sessions of a device cover the same second. A start inside an
//     ended session of the device, before the active session's start, or
//     before the active browser session's last heartbeat (completing it
//     there would take back acknowledged time) is api.ErrConflict. A
//     session started in a gap before sessions already recorded ends no
//     later than the next one's start, whatever end it is given. An
//     omitted start time is read under the store's write lock, so
//     concurrent writers cannot race into an overlap.
//   - A start that carries a client-minted session id that already exists is
//     a no-op returning the stored session (api.ErrConflict if it names another
//     pull request).
//   - End is idempotent: ending an ended session returns it unchanged.
//   - A browser session never ends before its last heartbeat: an end
//     between its start and its last heartbeat is moved to the last
//     heartbeat, so time the tracker acknowledged is never taken back
//     (only the device's next session, which counts that time itself,
//     cuts it shorter).
//   - Session ids are UUIDs compared in their canonical lower-case
//     spelling, whichever spelling the caller used.
//   - A browser session (fed by heartbeats) with no heartbeat for
//     IdleTimeout is abandoned with end = its last heartbeat (or its start).
//     The rule is applied by the reaper and, so that the outcome never
//     depends on whether the reaper ran in time, by every heartbeat, end and
//     start that arrives after the deadline. A manual session is never
//     abandoned.
//   - Times are truncated to whole seconds and may be at most MaxFutureSkew
//     in the future. The zero time is invalid, not "now": a caller that
//     means now passes no time.
package tracker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/rules"
)

// excluded is api.ErrExcluded, saying which rule, when the rules keep
// owner/name out of tracking.
func (t *Tracker) excluded(owner, name string) error {
	r := t.rules()
	if r.Tracked(owner, name) {
		return nil
	}
	return fmt.Errorf("%w: %s; nothing was recorded", api.ErrExcluded, r.Why(owner, name))
}

// invalid is the tracker's *api.ValidationError (it matches api.ErrInvalid).
func invalid(field, format string, args ...any) error { return api.Invalid(field, format, args...) }

// DefaultIdleTimeout is the idle timeout when Options leave it zero.
const DefaultIdleTimeout = 10 * time.Minute

// MaxFutureSkew is how far in the future a timestamp may be.
const MaxFutureSkew = 5 * time.Minute

// LongestSession is how long before a start the tracker looks for a
// session of the device that the start would fall inside. It bounds that
// read in a history of many devices (without it, a device with no session
// of its own reads every other device's). Sync refuses sessions longer than
// 31 days; a start inside one of those kept only locally, more than
// LongestSession after it began, is not detected.
const LongestSession = 32 * 24 * time.Hour

// Options configure a Tracker.
type Options struct {
	// DeviceID owns the sessions this tracker starts; empty means the
	// store's own device id.
	DeviceID string
	// Location is the zone of "today" and of stats days; nil means the
	// store's zone.
	Location *time.Location
	// IdleTimeout abandons browser sessions; zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Rules returns the rules in force, read at every start, add, edit and
	// withdrawal (the daemon's reads config.toml, so a rule set with
	// `worktimed rules` applies at once): a change that would record a
	// "dont_track" repository is refused with api.ErrExcluded and writes
	// nothing. nil tracks everything.
	Rules  func() rules.Rules
	Clock  clock.Clock
	Logger *slog.Logger
}

// Tracker applies the session rules over a store. It is safe for concurrent
// use.
type Tracker struct {
	db       *localdb.DB
	deviceID string
	rules    func() rules.Rules // never nil
	clock    clock.Clock
	log      *slog.Logger

	// idle is the abandonment timeout (a time.Duration); SetIdleTimeout
	// changes it while the tracker runs (settings.go).
	idle atomic.Int64
	// zoneMu is held for reading while loc is used and for writing by
	// SetLocation across the store's rebuild, so a reader pairs the zone
	// with the daily_stats built in it. It is taken before the store's
	// write lock, never while holding it.
	zoneMu sync.RWMutex
	loc    *time.Location // guarded by zoneMu

	// changed has one buffered slot: a local change wakes the reaper.
	changed chan struct{}

	mu    sync.Mutex // guards hooks and deviceID resolution
	hooks []func()
}

// New returns a tracker over db.
func New(db *localdb.DB, opts Options) *Tracker {
	if opts.Location == nil {
		opts.Location = db.Location()
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Rules == nil {
		opts.Rules = func() rules.Rules { return rules.Rules{} }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &Tracker{
		db:       db,
		deviceID: opts.DeviceID,
		rules:    opts.Rules,
		loc:      opts.Location,
		clock:    opts.Clock,
		log:      opts.Logger,
		changed:  make(chan struct{}, 1),
	}
	t.idle.Store(int64(opts.IdleTimeout))
	return t
}

// DB is the store the tracker writes to.
func (t *Tracker) DB() *localdb.DB { return t.db }

// IdleTimeout is the abandonment timeout.
func (t *Tracker) IdleTimeout() time.Duration { return time.Duration(t.idle.Load()) }

// DeviceID is the device the tracker's sessions belong to.
func (t *Tracker) DeviceID(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deviceID != "" {
		return t.deviceID, nil
	}
	id, err := t.db.DeviceID(ctx)
	if err != nil {
		return "", fmt.Errorf("tracker: %w", err)
	}
	t.deviceID = id
	return id, nil
}

// OnChange registers fn to be called after every committed local change.
// fn runs on the writer's goroutine and must not block.
func (t *Tracker) OnChange(fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hooks = append(t.hooks, fn)
}

// Changed delivers a value after local changes (coalesced into one). It
// belongs to the reaper, which waits on it; other listeners use OnChange.
func (t *Tracker) Changed() <-chan struct{} { return t.changed }

func (t *Tracker) notify() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
	t.notifyHooks()
}

// notifyHooks calls the OnChange listeners without waking the reaper: for
// a heartbeat, which only moves a deadline later. The reaper's timer is
// already armed for the earlier deadline (the start woke it), and when it
// fires the reaper reads the new one; waking it on every heartbeat would
// cost a transaction per heartbeat for nothing.
func (t *Tracker) notifyHooks() {
	t.mu.Lock()
	hooks := append([]func(){}, t.hooks...)
	t.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}

// now is the clock's time truncated to a whole second.
func (t *Tracker) now() time.Time { return t.clock.Now().UTC().Truncate(time.Second) }

// resolveAt returns at (or now when at is nil), truncated, after checkAt.
// A writer that may race other writers for "now" (Start) reads the clock
// under the store's write lock instead.
func (t *Tracker) resolveAt(field string, at *time.Time) (time.Time, error) {
	if at == nil {
		return t.now(), nil
	}
	return t.checkAt(field, *at)
}

// checkAt truncates a caller's time after checking it is a real time not
// too far in the future. The zero time is refused rather than read as
// "absent": a caller that means now omits the time.
func (t *Tracker) checkAt(field string, at time.Time) (time.Time, error) {
	if at.IsZero() {
		return time.Time{}, invalid(field, "%s is the zero time; omit %s to mean now", at.Format(time.RFC3339), field)
	}
	now := t.now()
	v := at.UTC().Truncate(time.Second)
	if v.After(now.Add(MaxFutureSkew)) {
		return time.Time{}, invalid(field, "%s is more than %s in the future (now %s); check the clock or the value",
			v.Format(time.RFC3339), MaxFutureSkew, now.Format(time.RFC3339))
	}
	if v.Year() < 2000 {
		return time.Time{}, invalid(field, "%s is before the year 2000", v.Format(time.RFC3339))
	}
	return v, nil
}

// deadline is when a browser session is abandoned.
func (t *Tracker) deadline(s localdb.Session) time.Time {
	last := s.StartTime
	if s.LastHeartbeatAt != nil && s.LastHeartbeatAt.After(last) {
		last = *s.LastHeartbeatAt
	}
	return last.Add(t.IdleTimeout())
}

// overdue reports whether an active browser session is past its deadline at
// time at.
func (t *Tracker) overdue(s localdb.Session, at time.Time) bool {
	return s.Status == api.StatusActive && s.Source == api.SourceBrowser && !at.Before(t.deadline(s))
}

// abandon ends s as abandoned at its last heartbeat (or start).
func abandon(tx *localdb.Tx, s localdb.Session) (localdb.Session, error) {
	end := s.StartTime
	if s.LastHeartbeatAt != nil && s.LastHeartbeatAt.After(end) {
		end = *s.LastHeartbeatAt
	}
	return finish(tx, s, end, api.StatusAbandoned)
}

// finish ends s at end with status, but no later than the start of its
// device's next session: a session started back-dated into a gap before
// sessions already recorded ends where the next one begins, so no second is
// counted twice. The time cut off is the next session's, so none is lost.
func finish(tx *localdb.Tx, s localdb.Session, end time.Time, status string) (localdb.Session, error) {
	next, ok, err := tx.NextSessionStart(s.DeviceID, s.ID, s.StartTime, end)
	if err != nil {
		return localdb.Session{}, err
	}
	if ok {
		end = next
	}
	s.EndTime = &end
	s.Status = status
	return tx.Put(s)
}

// Start starts a session. Source "" means manual.
func (t *Tracker) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	id, source, err := CheckStart(req)
	if err != nil {
		return api.Session{}, fmt.Errorf("start: %w", err)
	}
	if err := t.excluded(req.RepoOwner, req.RepoName); err != nil {
		return api.Session{}, fmt.Errorf("start: %w", err)
	}
	// An omitted time is read from the clock under the store's write lock
	// (below): a "now" read before the lock may already lie before a
	// session another writer committed while this one waited.
	var given time.Time
	if req.At != nil {
		v, err := t.checkAt("at", *req.At)
		if err != nil {
			return api.Session{}, fmt.Errorf("start: %w", err)
		}
		given = v
	}
	device, err := t.DeviceID(ctx)
	if err != nil {
		return api.Session{}, err
	}
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return api.Session{}, fmt.Errorf("start: %w", err)
		}
		id = u.String()
	}
	var out localdb.Session
	changed := false
	err = t.db.Update(ctx, func(tx *localdb.Tx) error {
		if old, ok, err := tx.Session(id); err != nil {
			return err
		} else if ok {
			if old.RepoOwner != req.RepoOwner || old.RepoName != req.RepoName || old.PRNumber != req.PRNumber {
				return fmt.Errorf("%w: session %s already exists for %s/%s#%d", api.ErrConflict, id, old.RepoOwner, old.RepoName, old.PRNumber)
			}
			out = old
			return nil
		}
		if req.SessionID != "" {
			// A deleted session stays deleted: its id is not reused.
			if dead, err := tx.IsDeleted(id); err != nil {
				return err
			} else if dead {
				return fmt.Errorf("%w: session %s was deleted", api.ErrConflict, id)
			}
		}
		at := given
		if req.At == nil {
			at = t.now()
		}
		active, err := tx.ActiveSessions(device)
		if err != nil {
			return err
		}
		var complete []localdb.Session
		for _, a := range active {
			if t.overdue(a, at) {
				if _, err := abandon(tx, a); err != nil {
					return err
				}
				continue
			}
			if at.Before(a.StartTime) {
				return fmt.Errorf("%w: start %s is before the start of the active session %s (%s); stop it first",
					api.ErrConflict, at.Format(time.RFC3339), a.ID, a.StartTime.Format(time.RFC3339))
			}
			// The active session is completed at the new start, which
			// may not take back time acknowledged by a heartbeat (End
			// keeps it too); ending it later would overlap the new one.
			if a.Source == api.SourceBrowser && a.LastHeartbeatAt != nil && at.Before(*a.LastHeartbeatAt) {
				return fmt.Errorf("%w: start %s is before the last acknowledged heartbeat %s of the active session %s",
					api.ErrConflict, at.Format(time.RFC3339), a.LastHeartbeatAt.Format(time.RFC3339), a.ID)
			}
			complete = append(complete, a)
		}
		if o, ok, err := tx.EndedSessionCovering(device, at, LongestSession); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: start %s falls inside session %s (%s to %s) of this device; sessions of one device may not overlap",
				api.ErrConflict, at.Format(time.RFC3339), o.ID, o.StartTime.Format(time.RFC3339), o.EndTime.Format(time.RFC3339))
		}
		for _, a := range complete {
			if _, err := finish(tx, a, at, api.StatusCompleted); err != nil {
				return err
			}
		}
		s := localdb.Session{
			Session: api.Session{
				ID: id, RepoOwner: req.RepoOwner, RepoName: req.RepoName, PRNumber: req.PRNumber,
				StartTime: at, Status: api.StatusActive, DeviceID: device,
			},
			Source: source,
		}
		if source == api.SourceBrowser {
			hb := at
			s.LastHeartbeatAt = &hb
		}
		out, err = tx.Put(s)
		changed = true
		return err
	})
	if err != nil {
		return api.Session{}, fmt.Errorf("start: %w", err)
	}
	if changed {
		t.log.Debug("session started", "id", out.ID, "repo", out.RepoOwner+"/"+out.RepoName, "pr", out.PRNumber, "source", source)
		t.notify()
	}
	return out.Session, nil
}

// CheckStart checks what a start request says on its own, before the store
// or the clock is asked: the repository, the pull request, the source and
// the session id. It returns the id in its canonical spelling ("" when the
// tracker is to mint one) and the source ("" means manual). A client of the
// daemon runs it before sending, so that a malformed request gets the same
// answer whether or not the daemon runs.
func CheckStart(req api.StartRequest) (id, source string, err error) {
	if err := validateRepo(req.RepoOwner, req.RepoName); err != nil {
		return "", "", err
	}
	if req.PRNumber <= 0 {
		return "", "", invalid("pr_number", "%d must be a positive pull request number", req.PRNumber)
	}
	source = req.Source
	if source == "" {
		source = api.SourceManual
	}
	if source != api.SourceManual && source != api.SourceBrowser {
		return "", "", invalid("source", "%q must be %q or %q", clip(req.Source), api.SourceBrowser, api.SourceManual)
	}
	if req.SessionID == "" {
		return "", source, nil
	}
	id, err = CheckSessionID(req.SessionID)
	return id, source, err
}

// CheckSessionID returns a session id as the store keys it, or a
// validation error (which repeats only a prefix of a malformed id).
func CheckSessionID(id string) (string, error) {
	if id == "" {
		return "", invalid("session_id", "a session id is required")
	}
	canon, ok := canonicalID(id)
	if !ok {
		return "", invalid("session_id", "%q is not a UUID (want 8-4-4-4-12 hex digits)", clip(id))
	}
	return canon, nil
}

// canonicalID returns a session id in the one spelling the store keys it
// by: a UUID written 8-4-4-4-12, lower case. ok is false for anything else.
func canonicalID(id string) (canon string, ok bool) {
	if len(id) != 36 {
		return "", false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// lookupID is the id to look a session up by: the canonical spelling of a
// UUID, so that a client that minted an upper-case id finds its session;
// anything else is looked up as given (and is not found).
func lookupID(id string) string {
	if canon, ok := canonicalID(id); ok {
		return canon
	}
	return id
}

// validateRepo is api.ValidateRepo, whose messages repeat the value whole,
// behind a length check that repeats only a prefix: a megabyte-long name
// must not come back in an error message (nor make the reply too large to
// relay).
func validateRepo(owner, name string) error {
	switch {
	case len(owner) > maxOwnerLen:
		return invalid("repo_owner", "%q is longer than %d characters", clip(owner), maxOwnerLen)
	case len(name) > maxNameLen:
		return invalid("repo_name", "%q is longer than %d characters", clip(name), maxNameLen)
	}
	return api.ValidateRepo(owner, name)
}

// maxOwnerLen and maxNameLen are GitHub's limits, which api.ValidateRepo
// checks with a message that repeats the value.
const (
	maxOwnerLen = 39
	maxNameLen  = 100
)

// maxEcho is how much of a caller's value an error message repeats.
const maxEcho = 200

// clip shortens a caller's value that an error message repeats.
func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(truncated, %d bytes)", len(s))
}

// sessionEvent checks the session id and the time of a heartbeat or an end,
// and returns the id as the store keeps it and the time (nil means now).
func (t *Tracker) sessionEvent(id string, at *time.Time) (string, time.Time, error) {
	canon, err := CheckSessionID(id)
	if err != nil {
		return "", time.Time{}, err
	}
	when, err := t.resolveAt("at", at)
	return canon, when, err
}

// Heartbeat records that the session is still being worked on. A heartbeat
// for a browser session that is already past its idle deadline abandons it
// and fails with api.ErrConflict (the client starts a new session).
func (t *Tracker) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	id, when, err := t.sessionEvent(id, at)
	if err != nil {
		return api.Session{}, fmt.Errorf("heartbeat: %w", err)
	}
	var out localdb.Session
	var conflict error
	changed := false
	err = t.db.Update(ctx, func(tx *localdb.Tx) error {
		s, ok, err := tx.Session(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", api.ErrNotFound, clip(id))
		}
		if s.Status != api.StatusActive {
			return fmt.Errorf("%w: session %s is %s", api.ErrConflict, id, s.Status)
		}
		if t.overdue(s, when) {
			out, err = abandon(tx, s)
			changed = true
			conflict = fmt.Errorf("%w: session %s was abandoned after %s without a heartbeat", api.ErrConflict, id, t.IdleTimeout())
			return err
		}
		if when.Before(s.StartTime) {
			return invalid("at", "%s is before the session's start %s", when.Format(time.RFC3339), s.StartTime.Format(time.RFC3339))
		}
		if s.LastHeartbeatAt != nil && !when.After(*s.LastHeartbeatAt) {
			out = s // an older or repeated heartbeat changes nothing
			return nil
		}
		out, err = tx.Heartbeat(s, when)
		changed = true
		return err
	})
	if err != nil {
		return api.Session{}, fmt.Errorf("heartbeat: %w", err)
	}
	if conflict != nil {
		t.notify() // abandoned
		return out.Session, fmt.Errorf("heartbeat: %w", conflict)
	}
	if changed {
		t.notifyHooks()
	}
	return out.Session, nil
}

// End completes the session at at (nil means now). Ending an ended session
// returns it unchanged. A browser session past its idle deadline is
// abandoned at its last heartbeat instead.
//
// A browser session is never ended before its last heartbeat: an at
// between the start and the last heartbeat is moved to the last heartbeat.
// The heartbeat was acknowledged, so the time up to it is kept rather than
// the end refused; a client ending "at the last time I know of" (the host
// when its port closes, a replayed start's start time) gets the time the
// store knows of. An at before the start is still refused.
func (t *Tracker) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	id, when, err := t.sessionEvent(id, at)
	if err != nil {
		return api.Session{}, fmt.Errorf("end: %w", err)
	}
	var out localdb.Session
	changed := false
	err = t.db.Update(ctx, func(tx *localdb.Tx) error {
		s, ok, err := tx.Session(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", api.ErrNotFound, clip(id))
		}
		if s.Status != api.StatusActive {
			out = s
			return nil
		}
		changed = true
		if t.overdue(s, when) {
			out, err = abandon(tx, s)
			return err
		}
		if when.Before(s.StartTime) {
			changed = false
			return invalid("at", "end %s is before the session's start %s", when.Format(time.RFC3339), s.StartTime.Format(time.RFC3339))
		}
		if s.Source == api.SourceBrowser && s.LastHeartbeatAt != nil && when.Before(*s.LastHeartbeatAt) {
			when = *s.LastHeartbeatAt
		}
		out, err = finish(tx, s, when, api.StatusCompleted)
		return err
	})
	if err != nil {
		return api.Session{}, fmt.Errorf("end: %w", err)
	}
	if changed {
		t.notify()
	}
	return out.Session, nil
}

// Active returns the device's active session, or nil.
func (t *Tracker) Active(ctx context.Context) (*api.Session, error) {
	device, err := t.DeviceID(ctx)
	if err != nil {
		return nil, err
	}
	active, err := t.db.ActiveSessions(ctx, device)
	if err != nil {
		return nil, fmt.Errorf("active: %w", err)
	}
	if len(active) == 0 {
		return nil, nil
	}
	s := active[len(active)-1].Session
	return &s, nil
}

// Session returns one session by id.
func (t *Tracker) Session(ctx context.Context, id string) (api.Session, error) {
	id = lookupID(id)
	s, err := t.db.Session(ctx, id)
	if errors.Is(err, localdb.ErrNotFound) {
		return api.Session{}, fmt.Errorf("session: %w: %s", api.ErrNotFound, clip(id))
	}
	if err != nil {
		return api.Session{}, fmt.Errorf("session: %w", err)
	}
	return s.Session, nil
}

// ReapAbandoned abandons the device's browser sessions that are past their
// idle deadline and returns when the next one is due (zero if no browser
// session is active).
func (t *Tracker) ReapAbandoned(ctx context.Context) (next time.Time, err error) {
	device, err := t.DeviceID(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := t.now()
	// Most wake-ups find nothing due: answer those from a read, without
	// taking the store's write lock from the writers the reaper follows.
	active, err := t.db.ActiveSessions(ctx, device)
	if err != nil {
		return time.Time{}, fmt.Errorf("reap: %w", err)
	}
	due := false
	next = time.Time{}
	for _, s := range active {
		if s.Source != api.SourceBrowser {
			continue
		}
		if t.overdue(s, now) {
			due = true
			break
		}
		if d := t.deadline(s); next.IsZero() || d.Before(next) {
			next = d
		}
	}
	if !due {
		return next, nil
	}
	reaped := 0
	err = t.db.Update(ctx, func(tx *localdb.Tx) error {
		next, reaped = time.Time{}, 0
		active, err := tx.ActiveSessions(device)
		if err != nil {
			return err
		}
		for _, s := range active {
			if s.Source != api.SourceBrowser {
				continue
			}
			if t.overdue(s, now) {
				if _, err := abandon(tx, s); err != nil {
					return err
				}
				reaped++
				t.log.Info("session abandoned", "id", s.ID, "idle_timeout", t.IdleTimeout())
				continue
			}
			if d := t.deadline(s); next.IsZero() || d.Before(next) {
				next = d
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("reap: %w", err)
	}
	if reaped > 0 {
		t.notify()
	}
	return next, nil
}

// RunReaper abandons idle browser sessions until ctx is cancelled. It sleeps
// until the next deadline (or, with no browser session active, until a local
// change), so it never polls.
func (t *Tracker) RunReaper(ctx context.Context) error {
	for {
		next, err := t.ReapAbandoned(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			t.log.Error("reaper", "err", err)
			next = t.clock.Now().Add(time.Minute) // retry later
		}
		var timerC <-chan time.Time
		var timer clock.Timer
		if !next.IsZero() {
			timer = t.clock.NewTimer(next.Sub(t.clock.Now()))
			timerC = timer.C()
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case <-t.changed:
		case <-timerC:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
