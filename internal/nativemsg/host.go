package nativemsg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

// closeTimeout bounds the work done after the port closes (ending the
// sessions the port started).
const closeTimeout = 10 * time.Second

// CloseGrace is how long before its port closes a session's last start or
// heartbeat may have been received for the session to count until the
// close. The protocol asks for a heartbeat every minute while the pull
// request has the focus (the reference extension sends it at its first
// 15-second tick after the minute), and an extension that stops tracking
// sends session.end, which the host answers before it sees the port close.
// So a session whose last event came this recently was being worked on when
// the browser quit or crashed, and it ends that much later than its last
// acknowledged time; ending it at its last heartbeat would drop up to a
// minute of it (a 50-second session counted 0 s). One with an older last
// event was not being fed (the computer slept, the browser hung): it ends
// at its last heartbeat.
const CloseGrace = 2 * time.Minute

// Clock is the part of internal/clock the host uses.
type Clock interface {
	Now() time.Time
}

// HostOptions are the host's dependencies.
type HostOptions struct {
	Backend Backend      // required
	Clock   Clock        // required
	Logger  *slog.Logger // nil discards
	Version string       // worktime's version, sent in hello
}

// Host serves protocol v1 on one port (one browser connection).
type Host struct {
	backend Backend
	clock   Clock
	log     *slog.Logger
	version string

	// open holds the sessions started through this port that are not known
	// to be ended. Only one goroutine at a time touches it: Serve's reader,
	// or Serve itself once the reader is done.
	open map[string]openSession
}

// openSession is what the host knows of a session its port works on.
type openSession struct {
	at       time.Time // its last acknowledged start or heartbeat time (the extension's clock)
	received time.Time // when the host received that start or heartbeat (the host's clock)
}

// NewHost returns a host for one port.
func NewHost(opts HostOptions) *Host {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Host{backend: opts.Backend, clock: opts.Clock, log: log, version: opts.Version, open: map[string]openSession{}}
}

// Serve answers the frames read from r on w until the browser closes the port
// (EOF or a truncated frame on r, or a closed pipe on w, which return nil)
// or ctx is cancelled. When it returns, every session started through this
// port that is still active has been ended (see CloseGrace for when).
func (h *Host) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	// The port is served on a goroutine of its own, so that Serve returns
	// when ctx is cancelled while that goroutine waits for the browser (a
	// read from stdin cannot be interrupted). It reads, answers and writes
	// each message itself: a message is not handed between goroutines, which
	// would cost a wake-up of another thread on every heartbeat.
	//
	// A browser that closes the host's stdout closes the port: the next
	// reply fails with EPIPE, which must end Serve like EOF on stdin, with
	// the port's sessions ended. Without a handler the Go runtime kills a
	// process whose write to stdout fails that way (SIGPIPE) before the
	// error is seen.
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)

	var mu sync.Mutex // held while a message is answered, and by the final endOpen
	stopped := false  // guarded by mu: no message is answered after it is set
	errc := make(chan error, 1)
	go func() {
		fr := NewFrameReader(r)
		for {
			msg, err := fr.ReadFrame()
			mu.Lock()
			if stopped {
				mu.Unlock()
				return
			}
			var out []byte
			switch {
			case err == nil:
				out = h.Handle(ctx, msg)
			case errors.Is(err, ErrFrameTooLarge):
				out = errorReply(nil, api.CodeTooLarge, "message is larger than 1 MiB")
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				mu.Unlock()
				errc <- nil
				return
			default:
				mu.Unlock()
				errc <- fmt.Errorf("nativemsg: read: %w", err)
				return
			}
			err = WriteFrame(w, out)
			if errors.Is(err, ErrFrameTooLarge) {
				// Handle keeps replies under MaxFrame; should one slip
				// through, the browser gets an error, not a dead host.
				err = WriteFrame(w, errorReply(nil, api.CodeTooLarge, "reply would be larger than 1 MiB"))
			}
			mu.Unlock()
			if err != nil {
				if portClosed(err) {
					h.log.Debug("the browser closed the port's output", "err", err)
					err = nil
				}
				errc <- err
				return
			}
		}
	}()

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	h.endOpen(ctx)
	return err
}

// endOpen ends the sessions this port started and did not end: the browser
// quit or crashed, or the extension disconnected. See CloseGrace for when.
func (h *Host) endOpen(ctx context.Context) {
	if len(h.open) == 0 {
		return
	}
	closedAt := h.clock.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	for id, o := range h.open {
		at := closeTime(o, closedAt)
		if _, err := h.backend.End(ctx, id, &at); err != nil {
			h.log.Warn("ending session after the port closed", "session", id, "err", err)
			continue
		}
		delete(h.open, id)
	}
}

// closeTime is when a session ends whose port closes at closedAt (the
// host's clock): its last acknowledged time plus the seconds the host's
// clock moved on since it received that event (counted between whole
// seconds, as the extension truncates its times: an event of 10:00:00.9
// sent as 10:00:00 and a close at 10:00:47.1 end the session at 10:00:47),
// when that is at most CloseGrace; else that last time. The time since is
// measured on the host's clock only, so an extension whose clock differs
// from the host's, or that sends back-dated events, gets no more than the
// time its port stayed open after them (rounded up to the second). An event
// that reached the host less than promptLag after its own time (the
// extension and the host share a clock, the usual case) ends at the close's
// second, where the extension's own end would have: an event of 10:00:00.9
// received at 10:00:01.05 does not lose the second it crossed on its way.
func closeTime(o openSession, closedAt time.Time) time.Time {
	since := closedAt.Truncate(time.Second).Sub(o.received.Truncate(time.Second))
	if since <= 0 || closedAt.Sub(o.received) > CloseGrace {
		return o.at
	}
	end := o.at.Add(since)
	if lag := o.received.Sub(o.at); lag >= 0 && lag < promptLag {
		if t := closedAt.Truncate(time.Second); t.After(end) {
			end = t
		}
	}
	return end
}

// promptLag is how long after its own (whole-second) time an event may
// reach the host and still count as sent on the host's clock.
const promptLag = 2 * time.Second

// Handle answers one message. It never fails: every problem is an error
// reply, and no reply is larger than MaxFrame.
func (h *Host) Handle(ctx context.Context, msg []byte) []byte {
	id, out := h.handle(ctx, msg)
	return fit(id, out)
}

// fit returns out, or a too_large error reply in its place when out is over
// MaxFrame (Chrome would drop the port). The error echoes id unless the id
// alone makes it too large.
func fit(id json.RawMessage, out []byte) []byte {
	if len(out) <= MaxFrame {
		return out
	}
	if e := errorReply(id, api.CodeTooLarge, "reply would be larger than 1 MiB"); len(e) <= MaxFrame {
		return e
	}
	return errorReply(nil, api.CodeTooLarge, "reply would be larger than 1 MiB")
}

// handle answers one message; it returns the message's id (nil if it has
// none) for fit.
func (h *Host) handle(ctx context.Context, msg []byte) (json.RawMessage, []byte) {
	id, typ, errFrame := parse(msg)
	if errFrame != nil {
		return id, errFrame
	}
	var payload any
	var bad []byte
	switch typ {
	case TypeHello:
		payload, bad = h.hello(ctx, id, msg)
	case TypeSessionStart:
		payload, bad = h.start(ctx, id, msg)
	case TypeSessionBeat, TypeSessionEnd:
		payload, bad = h.heartbeatOrEnd(ctx, id, typ, msg)
	case TypeSessionActive:
		s, err := h.backend.Active(ctx)
		if err != nil {
			return id, backendError(id, typ, err)
		}
		payload = api.SessionReply{Session: s}
	case TypeStatsSummary:
		payload, bad = h.stats(ctx, id, msg)
	case TypeRulesCheck, TypeRulesAdd:
		payload, bad = h.rules(ctx, id, typ, msg)
	case TypeSessionsImport:
		payload, bad = h.importSessions(ctx, id, msg)
	default:
		return id, errorReply(id, api.CodeUnknownType, "unknown message type %s", quote(typ))
	}
	if bad != nil {
		return id, bad
	}
	out, err := okReply(id, payload)
	if err != nil {
		return id, errorReply(id, api.CodeInternal, "%v", err)
	}
	return id, out
}

func (h *Host) hello(ctx context.Context, id json.RawMessage, msg []byte) (any, []byte) {
	var req helloRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	if req.Protocol == nil {
		return nil, missing(id, "protocol")
	}
	if *req.Protocol != ProtocolVersion {
		return nil, badRequest(id, "protocol %d is not supported (this host speaks %d)", *req.Protocol, ProtocolVersion)
	}
	var st api.Status
	var daemonRunning *bool
	var err error
	if ds, ok := h.backend.(DaemonStatuser); ok {
		var running bool
		st, running, err = ds.StatusWithDaemon(ctx)
		daemonRunning = &running
	} else {
		st, err = h.backend.Status(ctx)
	}
	if err != nil {
		return nil, backendError(id, TypeHello, err)
	}
	version := st.Version
	if version == "" {
		version = h.version
	}
	return api.HelloReply{
		Protocol: ProtocolVersion,
		Version:  version,
		SignedIn: st.SignedIn,
		User:     st.User,
		Sync: api.HelloSync{
			State:         st.Sync.State,
			Pending:       st.Sync.Pending,
			LastSuccessAt: st.Sync.LastSuccessAt,
			LastError:     st.Sync.LastError,
		},
		DaemonRunning: daemonRunning,
	}, nil
}

func (h *Host) start(ctx context.Context, id json.RawMessage, msg []byte) (any, []byte) {
	var req startRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	switch {
	case req.RepoOwner == nil:
		return nil, missing(id, "repo_owner")
	case req.RepoName == nil:
		return nil, missing(id, "repo_name")
	case req.PRNumber == nil:
		return nil, missing(id, "pr_number")
	case *req.RepoOwner == "":
		return nil, badRequest(id, `field "repo_owner" must not be empty`)
	case *req.RepoName == "":
		return nil, badRequest(id, `field "repo_name" must not be empty`)
	case *req.PRNumber <= 0:
		return nil, badRequest(id, `field "pr_number" must be a positive integer`)
	}
	sr := api.StartRequest{
		RepoOwner: *req.RepoOwner,
		RepoName:  *req.RepoName,
		PRNumber:  *req.PRNumber,
		Source:    api.SourceBrowser,
	}
	// An omitted time stays omitted: the tracker reads its clock under the
	// store's write lock. A time read here, before another host's start
	// or heartbeat took the lock, could fall inside the session that one
	// recorded.
	if req.At != nil {
		at := req.At.UTC()
		sr.At = &at
	}
	if req.SessionID != nil {
		sr.SessionID = *req.SessionID
	}
	s, err := h.backend.Start(ctx, sr)
	if err != nil {
		return nil, backendError(id, TypeSessionStart, err)
	}
	// A new session's last acknowledged time is its start. A replayed start
	// (a session_id already stored) returns the stored session, whose last
	// heartbeat may be an hour later; the protocol's session carries no
	// last_heartbeat_at, so the host records the start only as a lower
	// bound: track never lowers a time this port already acknowledged, and
	// the backend's End never ends a browser session before its stored last
	// heartbeat (tracker.Tracker.End), so endOpen keeps that hour.
	h.track(s, s.StartTime)
	return api.SessionReply{Session: &s}, nil
}

func (h *Host) heartbeatOrEnd(ctx context.Context, id json.RawMessage, typ string, msg []byte) (any, []byte) {
	var req sessionRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	if req.SessionID == nil {
		return nil, missing(id, "session_id")
	}
	if *req.SessionID == "" {
		return nil, badRequest(id, `field "session_id" must not be empty`)
	}
	// An omitted time is filled in here, so that the host knows exactly when
	// the last heartbeat it acknowledged happened. Unlike a start's, this
	// time cannot make sessions overlap: a heartbeat or an end only ever
	// touches the one active session, and one that another writer ended
	// meanwhile is refused (heartbeat) or left as it is (end).
	at := h.nowSecond()
	if req.At != nil {
		at = req.At.UTC()
	}
	var s api.Session
	var err error
	if typ == TypeSessionBeat {
		s, err = h.backend.Heartbeat(ctx, *req.SessionID, &at)
	} else {
		s, err = h.backend.End(ctx, *req.SessionID, &at)
	}
	if err != nil {
		return nil, backendError(id, typ, err)
	}
	h.track(s, at)
	return api.SessionReply{Session: &s}, nil
}

// track remembers an active session this port works on, and forgets one
// that has ended.
func (h *Host) track(s api.Session, at time.Time) {
	if s.Status != api.StatusActive {
		delete(h.open, s.ID)
		return
	}
	if prev, ok := h.open[s.ID]; ok && prev.at.After(at) {
		return
	}
	h.open[s.ID] = openSession{at: at, received: h.clock.Now()}
}

func (h *Host) stats(ctx context.Context, id json.RawMessage, msg []byte) (any, []byte) {
	var req statsRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	days := defaultSummaryDays
	if req.Days != nil {
		days = *req.Days
		if days < 1 || days > maxSummaryDays {
			return nil, badRequest(id, `field "days" must be between 1 and %d`, maxSummaryDays)
		}
	}
	st, err := h.backend.Stats(ctx, days)
	if err != nil {
		return nil, backendError(id, TypeStatsSummary, err)
	}
	daily, weekly, err := h.backend.Goals(ctx)
	if err != nil {
		return nil, backendError(id, TypeStatsSummary, err)
	}
	return summary(st, daily, weekly), nil
}

// importSessions answers sessions.import: the extension hands over the
// sessions it recorded in direct mode and forgets those accepted.
func (h *Host) importSessions(ctx context.Context, id json.RawMessage, msg []byte) (any, []byte) {
	var req importRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	if req.Sessions == nil {
		return nil, missing(id, "sessions")
	}
	if len(*req.Sessions) > api.MaxImportSessions {
		return nil, badRequest(id, `field "sessions" holds at most %d sessions, got %d`, api.MaxImportSessions, len(*req.Sessions))
	}
	r, err := h.backend.ImportSessions(ctx, api.ImportRequest{Sessions: *req.Sessions})
	if err != nil {
		return nil, backendError(id, TypeSessionsImport, err)
	}
	return r, nil
}

// rules answers rules.check (what the rules decide for a repository, so the
// extension can show that a page is excluded) and rules.add (the popup's
// "don't track this repository": a rule for exactly that repository).
func (h *Host) rules(ctx context.Context, id json.RawMessage, typ string, msg []byte) (any, []byte) {
	var req repoRequest
	if err := decodeFields(msg, &req); err != nil {
		return nil, badRequest(id, "%v", err)
	}
	if req.RepoOwner == nil {
		return nil, missing(id, "repo_owner")
	}
	if req.RepoName == nil {
		return nil, missing(id, "repo_name")
	}
	if err := api.ValidateRepo(*req.RepoOwner, *req.RepoName); err != nil && len(*req.RepoOwner)+len(*req.RepoName) < maxEcho {
		return nil, badRequest(id, "%v", err)
	} else if err != nil {
		return nil, badRequest(id, "repository %s/%s is not a GitHub repository", quote(*req.RepoOwner), quote(*req.RepoName))
	}
	var r rules.Rules
	var err error
	if typ == TypeRulesAdd {
		if req.Action == nil {
			return nil, missing(id, "action")
		}
		match := *req.RepoOwner + "/" + *req.RepoName
		if req.Scope != nil {
			switch *req.Scope {
			case scopeRepo:
			case scopeOrg:
				match = *req.RepoOwner
			default:
				return nil, badRequest(id, `field "scope" must be %q or %q, not %s`, scopeRepo, scopeOrg, quote(*req.Scope))
			}
		}
		r, err = h.backend.AddRule(ctx, rules.Rule{Match: match, Action: rules.Action(*req.Action)})
	} else {
		r, err = h.backend.Rules(ctx)
	}
	if err != nil {
		return nil, backendError(id, typ, err)
	}
	a, rule := r.Decide(*req.RepoOwner, *req.RepoName)
	match := ""
	if rule != nil {
		match = rule.Match
	}
	return api.RuleReply{Action: string(a), Tracked: a != rules.DontTrack, Synced: a == rules.Track && !r.Private,
		Private: r.Private, Reason: r.Why(*req.RepoOwner, *req.RepoName), Match: match}, nil
}
