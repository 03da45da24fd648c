// Package memremote is an in-memory sync server with the worker's semantics:
// per-user session storage keyed by id with last-writer-wins on updated_at,
// a change sequence per user for cursor-based pulls and the push reply's
// changed flag, token checks and injectable faults.
// Engine tests use it in place of the worker; it passes the same shared
// suite (synctest) as the HTTP implementation.
package memremote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/worktime/worktime/internal/syncer"
)

// Server holds every user's sessions.
type Server struct {
	mu     sync.Mutex
	tokens map[string]string // token → login
	users  map[string]*user  // login → data
	faults []fault
	calls  map[string]int
}

type user struct {
	sessions map[string]*stored
	// seq is the user's change sequence: the last number given to a
	// stored change. No other user's write moves it.
	seq int64
}

// stored is a session's latest version, or its deletion (s.Deleted, with
// only the id, the version and the deleting device kept).
type stored struct {
	s   syncer.Session
	seq int64
}

type fault struct {
	op          string
	afterCommit bool
	err         error
}

// New returns an empty server.
func New() *Server {
	return &Server{tokens: map[string]string{}, users: map[string]*user{}, calls: map[string]int{}}
}

// AddToken makes token valid for login, creating the user when needed.
func (s *Server) AddToken(login, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = login
	if s.users[login] == nil {
		s.users[login] = &user{sessions: map[string]*stored{}}
	}
}

// Revoke makes token invalid.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// FailNext makes the next call of op ("push" or "pull") fail with err. When
// afterCommit is true the call is carried out and only its reply is lost,
// as when a connection drops after the server committed.
func (s *Server) FailNext(op string, err error, afterCommit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{op: op, afterCommit: afterCommit, err: err})
}

// Calls returns how many calls of op reached the server (failed ones too).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Sessions returns a copy of login's sessions, ordered by id; deletions
// are left out (Tombstones lists them).
func (s *Server) Sessions(login string) []syncer.Session {
	return s.list(login, false)
}

// Tombstones returns login's deletions, ordered by id.
func (s *Server) Tombstones(login string) []syncer.Session {
	return s.list(login, true)
}

func (s *Server) list(login string, deleted bool) []syncer.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[login]
	if u == nil {
		return nil
	}
	out := make([]syncer.Session, 0, len(u.sessions))
	for _, st := range u.sessions {
		if st.s.Deleted == deleted {
			out = append(out, st.s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Remote returns the sync API as seen with token.
func (s *Server) Remote(token string) syncer.Remote { return &remote{srv: s, token: token} }

type remote struct {
	srv   *Server
	token string
}

var _ syncer.Remote = (*remote)(nil)

// takeFault removes and returns the first fault for op and stage. Must hold mu.
func (s *Server) takeFault(op string, afterCommit bool) error {
	for i, f := range s.faults {
		if f.op == op && f.afterCommit == afterCommit {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f.err
		}
	}
	return nil
}

func (s *Server) userFor(op, token string) (*user, error) {
	login, ok := s.tokens[token]
	if !ok {
		return nil, &syncer.Error{Op: op, Kind: syncer.KindUnauthorized, StatusCode: 401, Err: errors.New("invalid or expired token")}
	}
	return s.users[login], nil
}

func (r *remote) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	if err := ctx.Err(); err != nil {
		return syncer.PushResult{}, fmt.Errorf("push: %w", err)
	}
	s := r.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["push"]++
	if err := s.takeFault("push", false); err != nil {
		return syncer.PushResult{}, err
	}
	u, err := s.userFor("push", r.token)
	if err != nil {
		return syncer.PushResult{}, err
	}
	if req.DeviceID == "" {
		return syncer.PushResult{}, syncer.Errorf("push", syncer.KindPermanent, "device_id is required")
	}
	if len(req.Sessions) > syncer.MaxBatchSessions {
		return syncer.PushResult{}, &syncer.Error{Op: "push", Kind: syncer.KindTooLarge, StatusCode: 413, Err: fmt.Errorf("%d sessions in one batch", len(req.Sessions))}
	}
	if b, err := json.Marshal(req.Sessions); err == nil && len(b) > syncer.MaxBatchBytes {
		return syncer.PushResult{}, &syncer.Error{Op: "push", Kind: syncer.KindTooLarge, StatusCode: 413, Err: fmt.Errorf("%d bytes in one batch", len(b))}
	}
	var res syncer.PushResult
	// Like the worker: a since that is not a cursor of this server is not
	// an error (the push is still stored), it only cannot say unchanged.
	since, sinceOK := parseCursor(req.Since)
	res.Changed = !sinceOK || since != u.seq
	for _, sess := range req.Sessions {
		if err := syncer.Validate(sess); err != nil {
			res.Rejected = append(res.Rejected, syncer.Rejection{ID: sess.ID, Reason: err.Error()})
			continue
		}
		res.Accepted++
		sess.DeviceID = req.DeviceID
		sess.UpdatedAt = sess.UpdatedAt.UTC()
		old, ok := u.sessions[sess.ID]
		switch {
		case ok && old.s.Deleted:
			continue // a deletion wins over every version
		case sess.Deleted:
			sess = syncer.Session{ID: sess.ID, UpdatedAt: sess.UpdatedAt, DeviceID: sess.DeviceID, Deleted: true}
		case ok && !sess.UpdatedAt.After(old.s.UpdatedAt):
			continue
		}
		sess.PrevStartTime = nil
		u.seq++
		u.sessions[sess.ID] = &stored{s: sess, seq: u.seq}
	}
	res.Cursor = cursorOf(u.seq)
	if err := s.takeFault("push", true); err != nil {
		return syncer.PushResult{}, err
	}
	return res, nil
}

func (r *remote) Pull(ctx context.Context, cursor string, limit int) (syncer.PullResult, error) {
	if err := ctx.Err(); err != nil {
		return syncer.PullResult{}, fmt.Errorf("pull: %w", err)
	}
	s := r.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["pull"]++
	if err := s.takeFault("pull", false); err != nil {
		return syncer.PullResult{}, err
	}
	u, err := s.userFor("pull", r.token)
	if err != nil {
		return syncer.PullResult{}, err
	}
	since, ok := parseCursor(cursor)
	if !ok {
		return syncer.PullResult{}, syncer.Errorf("pull", syncer.KindPermanent, "bad cursor %q", cursor)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var changed []*stored
	for _, st := range u.sessions {
		if st.seq > since {
			changed = append(changed, st)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].seq < changed[j].seq })
	res := syncer.PullResult{Cursor: cursor}
	if len(changed) > limit {
		changed, res.More = changed[:limit], true
	}
	for _, st := range changed {
		res.Sessions = append(res.Sessions, st.s)
		res.Cursor = cursorOf(st.seq)
	}
	if err := s.takeFault("pull", true); err != nil {
		return syncer.PullResult{}, err
	}
	return res, nil
}

// parseCursor reads a cursor cursorOf spelled.
func parseCursor(c string) (int64, bool) {
	if c == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(c, 10, 64)
	return n, err == nil && n >= 0
}

// cursorOf spells a position; the beginning is "" as syncer.Remote requires.
func cursorOf(seq int64) string {
	if seq == 0 {
		return ""
	}
	return strconv.FormatInt(seq, 10)
}
