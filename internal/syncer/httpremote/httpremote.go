// Package httpremote is syncer.Remote over the worker's HTTP API:
// POST /api/sync/push and GET /api/sync/pull with a bearer JWT. It maps
// every failure to a classified syncer.Error: no response, a timeout, 5xx,
// 408 and 429 are retryable (with Retry-After), 401 means sign-in required,
// 413 means split the batch, anything else is permanent.
package httpremote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/syncer"
)

// Options configure a Remote.
type Options struct {
	// ServerURL is the worker's base URL, without a trailing slash.
	ServerURL string
	// Token is the worker's JWT.
	Token string
	// HTTP is the client used; nil means one with Timeout.
	HTTP *http.Client
	// Timeout bounds each request when HTTP is nil; 0 means 30 s.
	Timeout time.Duration
	// Now tells the time for HTTP-date Retry-After values; nil: time.Now.
	Now func() time.Time
	// UserAgent is sent with every request.
	UserAgent string
}

// Remote talks to one worker as one user.
type Remote struct {
	o Options
}

var _ syncer.Remote = (*Remote)(nil)

// New returns a Remote.
func New(o Options) *Remote {
	o.ServerURL = strings.TrimRight(o.ServerURL, "/")
	if o.HTTP == nil {
		if o.Timeout <= 0 {
			o.Timeout = 30 * time.Second
		}
		o.HTTP = &http.Client{Timeout: o.Timeout}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "worktimed"
	}
	return &Remote{o: o}
}

const (
	secondsLayout = "2006-01-02T15:04:05Z"
	millisLayout  = "2006-01-02T15:04:05.000Z"
)

type wireSession struct {
	ID              string  `json:"id"`
	RepoOwner       string  `json:"repo_owner"`
	RepoName        string  `json:"repo_name"`
	PRNumber        int     `json:"pr_number"`
	StartTime       string  `json:"start_time"`
	EndTime         *string `json:"end_time"`
	DurationSeconds int64   `json:"duration_seconds"`
	Status          string  `json:"status"`
	UpdatedAt       string  `json:"updated_at"`
	DeviceID        string  `json:"device_id,omitempty"`
	// PrevStartTime is the start the server holds a moved session at.
	PrevStartTime *string `json:"prev_start_time,omitempty"`
}

// wireDeletion is a deletion: in a push, with the starts the server may
// hold the session at; in a pull, the id and version only.
type wireDeletion struct {
	ID            string  `json:"id"`
	StartTime     string  `json:"start_time,omitempty"`
	PrevStartTime *string `json:"prev_start_time,omitempty"`
	UpdatedAt     string  `json:"updated_at"`
	DeviceID      string  `json:"device_id,omitempty"`
}

type pushBody struct {
	DeviceID string `json:"device_id"`
	TimeZone string `json:"time_zone,omitempty"`
	// Since is always sent: "" is the beginning, a cursor like any other.
	Since    string         `json:"since"`
	Sessions []wireSession  `json:"sessions"`
	Deleted  []wireDeletion `json:"deleted,omitempty"`
}

type pushReply struct {
	Accepted json.RawMessage `json:"accepted"`
	Rejected []struct {
		ID     string          `json:"id"`
		Error  json.RawMessage `json:"error"`
		Reason string          `json:"reason"`
	} `json:"rejected"`
	Cursor string `json:"cursor"`
	// Changed is absent from servers older than the per-user sequence.
	Changed *bool `json:"changed"`
}

type pullReply struct {
	Sessions []wireSession  `json:"sessions"`
	Deleted  []wireDeletion `json:"deleted"`
	Cursor   string         `json:"cursor"`
	More     bool           `json:"more"`
}

func toWire(s syncer.Session) wireSession {
	w := wireSession{
		ID: s.ID, RepoOwner: s.RepoOwner, RepoName: s.RepoName, PRNumber: s.PRNumber,
		StartTime: s.StartTime.UTC().Format(secondsLayout), DurationSeconds: s.DurationSeconds,
		Status: s.Status, UpdatedAt: s.UpdatedAt.UTC().Format(millisLayout),
	}
	if s.EndTime != nil {
		e := s.EndTime.UTC().Format(secondsLayout)
		w.EndTime = &e
	}
	w.PrevStartTime = prevStart(s)
	return w
}

func prevStart(s syncer.Session) *string {
	if s.PrevStartTime == nil {
		return nil
	}
	p := s.PrevStartTime.UTC().Format(secondsLayout)
	return &p
}

func fromWire(w wireSession) (syncer.Session, error) {
	start, err := time.Parse(time.RFC3339Nano, w.StartTime)
	if err != nil {
		return syncer.Session{}, fmt.Errorf("session %s: start_time: %w", w.ID, err)
	}
	upd, err := time.Parse(time.RFC3339Nano, w.UpdatedAt)
	if err != nil {
		return syncer.Session{}, fmt.Errorf("session %s: updated_at: %w", w.ID, err)
	}
	s := syncer.Session{
		ID: w.ID, RepoOwner: w.RepoOwner, RepoName: w.RepoName, PRNumber: w.PRNumber,
		StartTime: start.UTC(), DurationSeconds: w.DurationSeconds, Status: w.Status,
		UpdatedAt: upd.UTC(), DeviceID: w.DeviceID,
	}
	if w.EndTime != nil {
		end, err := time.Parse(time.RFC3339Nano, *w.EndTime)
		if err != nil {
			return syncer.Session{}, fmt.Errorf("session %s: end_time: %w", w.ID, err)
		}
		end = end.UTC()
		s.EndTime = &end
	}
	return s, nil
}

// Push implements syncer.Remote.
func (r *Remote) Push(ctx context.Context, req syncer.PushRequest) (syncer.PushResult, error) {
	body := pushBody{DeviceID: req.DeviceID, TimeZone: req.TimeZone, Since: req.Since, Sessions: make([]wireSession, 0, len(req.Sessions))}
	for _, s := range req.Sessions {
		if s.Deleted {
			body.Deleted = append(body.Deleted, wireDeletion{ID: s.ID, StartTime: s.StartTime.UTC().Format(secondsLayout),
				PrevStartTime: prevStart(s), UpdatedAt: s.UpdatedAt.UTC().Format(millisLayout)})
			continue
		}
		body.Sessions = append(body.Sessions, toWire(s))
	}
	b, err := json.Marshal(body)
	if err != nil {
		return syncer.PushResult{}, syncer.Errorf("push", syncer.KindPermanent, "encoding: %w", err)
	}
	if len(req.Sessions) > syncer.MaxBatchSessions || len(b) > syncer.MaxBatchBytes {
		return syncer.PushResult{}, &syncer.Error{Op: "push", Kind: syncer.KindTooLarge,
			Err: fmt.Errorf("%d sessions, %d bytes", len(req.Sessions), len(b))}
	}
	var reply pushReply
	if err := r.do(ctx, "push", http.MethodPost, "/api/sync/push", b, &reply); err != nil {
		return syncer.PushResult{}, err
	}
	var res syncer.PushResult
	for _, rj := range reply.Rejected {
		res.Rejected = append(res.Rejected, syncer.Rejection{ID: rj.ID, Reason: rejectionText(rj.Error, rj.Reason)})
	}
	// accepted is a list of ids (or, from older servers, a count).
	var ids []string
	var n int
	switch {
	case json.Unmarshal(reply.Accepted, &ids) == nil:
		res.Accepted = len(ids)
	case json.Unmarshal(reply.Accepted, &n) == nil:
		res.Accepted = n
	default:
		res.Accepted = len(req.Sessions) - len(res.Rejected)
	}
	res.Cursor = normalizeCursor(reply.Cursor)
	// A server that does not say whether anything else changed may have
	// changes to pull.
	res.Changed = reply.Changed == nil || *reply.Changed
	return res, nil
}

// Cursors are "c1." + the worker's change sequence in base 36; the
// beginning is spelled "" as syncer.Remote requires.
func decodeCursor(c string) (int64, bool) {
	if c == "" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(c, "c1.")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 36, 64)
	return n, err == nil && n >= 0
}

func encodeCursor(n int64) string {
	if n == 0 {
		return ""
	}
	return "c1." + strconv.FormatInt(n, 36)
}

func normalizeCursor(c string) string {
	if n, ok := decodeCursor(c); ok {
		return encodeCursor(n)
	}
	return c
}

// Pull implements syncer.Remote.
func (r *Remote) Pull(ctx context.Context, cursor string, limit int) (syncer.PullResult, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("since", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(min(limit, 1000)))
	}
	var reply pullReply
	if err := r.do(ctx, "pull", http.MethodGet, "/api/sync/pull?"+q.Encode(), nil, &reply); err != nil {
		return syncer.PullResult{}, err
	}
	res := syncer.PullResult{Cursor: normalizeCursor(reply.Cursor), More: reply.More, Sessions: make([]syncer.Session, 0, len(reply.Sessions))}
	for _, w := range reply.Sessions {
		s, err := fromWire(w)
		if err != nil {
			return syncer.PullResult{}, syncer.Errorf("pull", syncer.KindPermanent, "unreadable reply: %w", err)
		}
		res.Sessions = append(res.Sessions, s)
	}
	for _, d := range reply.Deleted {
		upd, err := time.Parse(time.RFC3339Nano, d.UpdatedAt)
		if err != nil {
			return syncer.PullResult{}, syncer.Errorf("pull", syncer.KindPermanent, "unreadable reply: deletion %s: updated_at: %w", d.ID, err)
		}
		res.Sessions = append(res.Sessions, syncer.Session{ID: d.ID, UpdatedAt: upd.UTC(), DeviceID: d.DeviceID, Deleted: true})
	}
	return res, nil
}

func (r *Remote) do(ctx context.Context, op, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.o.ServerURL+path, rd)
	if err != nil {
		return syncer.Errorf(op, syncer.KindPermanent, "%w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", r.o.UserAgent)
	if r.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.o.Token)
	}
	resp, err := r.o.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		// No response: unreachable, reset, or timed out. The request may
		// or may not have been carried out; push and pull are safe to repeat.
		return &syncer.Error{Op: op, Kind: syncer.KindRetryable, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return &syncer.Error{Op: op, Kind: syncer.KindRetryable, StatusCode: resp.StatusCode, Err: fmt.Errorf("reading the reply: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return syncer.StatusError(op, resp.StatusCode, syncer.ParseRetryAfter(resp.Header.Get("Retry-After"), r.o.Now()), errorText(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		// A proxy's HTML page or a cut-off body: worth another try.
		return &syncer.Error{Op: op, Kind: syncer.KindRetryable, StatusCode: resp.StatusCode, Err: fmt.Errorf("unreadable reply: %w", err)}
	}
	return nil
}

func rejectionText(raw json.RawMessage, reason string) string {
	if reason != "" {
		return reason
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return s
	}
	var o struct{ Code, Message string }
	if json.Unmarshal(raw, &o) == nil && o.Message != "" {
		return o.Message
	}
	if len(raw) > 0 {
		return string(raw)
	}
	return "rejected"
}

func errorText(b []byte) string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && (e.Error.Message != "" || e.Error.Code != "") {
		return strings.TrimSpace(e.Error.Code + ": " + e.Error.Message)
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

var errNoServer = errors.New("no server URL")

// Check reports whether o can build a Remote.
func (o Options) Check() error {
	if o.ServerURL == "" {
		return fmt.Errorf("httpremote: %w", errNoServer)
	}
	return nil
}
