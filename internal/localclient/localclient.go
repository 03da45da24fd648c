// Package localclient is the typed client of the daemon's local API
// (internal/localapi): the host relay, the CLI and the dashboard all use it.
// It must not depend on the daemon's packages (localapi, tracker, localdb),
// so that the dashboard does not link SQLite; deps_test.go enforces it.
package localclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

// Client talks to the daemon on its Unix socket. It is safe for concurrent
// use; create it with New.
type Client struct {
	// Dial connects to the daemon; New sets it to dial the socket. Tests may
	// replace it before the first request.
	Dial func(ctx context.Context) (net.Conn, error)

	socket string
	http   *http.Client
}

// New returns a client of the daemon listening on socketPath.
func New(socketPath string) *Client {
	c := &Client{socket: socketPath}
	c.Dial = func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socketPath)
	}
	c.http = &http.Client{Transport: &transport{dial: func(ctx context.Context) (net.Conn, error) {
		conn, err := c.Dial(ctx)
		if err != nil {
			return nil, &UnavailableError{Socket: socketPath, Err: err}
		}
		return conn, nil
	}}}
	return c
}

// CloseIdleConnections closes the connections kept alive for the next
// request; the client stays usable.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// UnavailableError means the daemon could not be reached: it is not running
// (or not yet listening). The request was not processed.
type UnavailableError struct {
	Socket string
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("worktimed is not running (socket %s): %v", e.Socket, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// IsUnavailable reports whether err means the daemon is not running, so the
// request was certainly not processed and may be done another way.
func IsUnavailable(err error) bool {
	var ue *UnavailableError
	return errors.As(err, &ue)
}

// do sends a request and decodes a JSON reply into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	resp, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("localclient: %s %s: decode reply: %w", method, path, err)
		}
	}
	// Reading the reply to its end keeps the connection for the next request.
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// send performs the request; a non-2xx reply is returned as *api.Error.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("localclient: %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	u := "http://" + api.LocalAPIHost + api.LocalAPIPrefix + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("localclient: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// A failed dial means no daemon: nothing was sent.
		var ue *UnavailableError
		if errors.As(err, &ue) {
			return nil, ue
		}
		return nil, fmt.Errorf("localclient: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var er api.ErrorReply
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &er) != nil || er.Error == nil {
			// The path and a reply that is not an error reply may hold a
			// caller's value of any size: repeat 200 characters at most.
			return nil, &api.Error{Code: api.CodeInternal, Message: fmt.Sprintf("%s %.200s: HTTP %d: %.200s", method, path, resp.StatusCode, bytes.TrimSpace(b))}
		}
		return nil, er.Error
	}
	return resp, nil
}

// Status is the daemon's state.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var st api.Status
	err := c.do(ctx, "GET", "status", nil, nil, &st)
	return st, err
}

// Start starts a session (idempotent with req.SessionID).
func (c *Client) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	var r api.SessionReply
	if err := c.do(ctx, "POST", "sessions/start", nil, req, &r); err != nil {
		return api.Session{}, err
	}
	return sessionOf(r, "sessions/start")
}

// Heartbeat records a heartbeat at at (nil: now).
func (c *Client) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	var r api.SessionReply
	if err := c.do(ctx, "POST", "sessions/"+url.PathEscape(id)+"/heartbeat", nil, api.AtRequest{At: at}, &r); err != nil {
		return api.Session{}, err
	}
	return sessionOf(r, "heartbeat")
}

// End ends a session at at (nil: now); ending an ended session returns it.
func (c *Client) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	var r api.SessionReply
	if err := c.do(ctx, "POST", "sessions/"+url.PathEscape(id)+"/end", nil, api.AtRequest{At: at}, &r); err != nil {
		return api.Session{}, err
	}
	return sessionOf(r, "end")
}

func sessionOf(r api.SessionReply, op string) (api.Session, error) {
	if r.Session == nil {
		return api.Session{}, fmt.Errorf("localclient: %s: reply without a session", op)
	}
	return *r.Session, nil
}

// Active is the active session, or nil.
func (c *Client) Active(ctx context.Context) (*api.Session, error) {
	var r api.SessionReply
	if err := c.do(ctx, "GET", "sessions/active", nil, nil, &r); err != nil {
		return nil, err
	}
	return r.Session, nil
}

// SessionsQuery filters Sessions; empty fields do not filter. Since is
// RFC 3339 or YYYY-MM-DD.
type SessionsQuery struct {
	Repo   string
	Since  string
	Status string
	Limit  int
	PR     int  // with Repo: one pull request
	Offset int  // sessions skipped first (the next page)
	Count  bool // ask for the filter's total (SessionsPage's Total)
}

func (q SessionsQuery) values() url.Values {
	v := url.Values{}
	setIf(v, "repo", q.Repo)
	setIf(v, "since", q.Since)
	setIf(v, "status", q.Status)
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.PR != 0 {
		v.Set("pr", strconv.Itoa(q.PR))
	}
	if q.Offset != 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Count {
		v.Set("count", "true")
	}
	return v
}

// SessionsPage is one page of the sessions list and, when q.Count, the
// number of sessions the filter matches.
func (c *Client) SessionsPage(ctx context.Context, q SessionsQuery) (api.SessionsReply, error) {
	var r api.SessionsReply
	if err := c.do(ctx, "GET", "sessions", q.values(), nil, &r); err != nil {
		return api.SessionsReply{}, err
	}
	if r.Sessions == nil {
		r.Sessions = []api.Session{}
	}
	return r, nil
}

// Repos lists every repository ("owner/name") with a session.
func (c *Client) Repos(ctx context.Context) ([]string, error) {
	var r api.ReposReply
	if err := c.do(ctx, "GET", "repos", nil, nil, &r); err != nil {
		return nil, err
	}
	return r.Repos, nil
}

// Sessions lists sessions, newest first.
func (c *Client) Sessions(ctx context.Context, q SessionsQuery) ([]api.Session, error) {
	var r api.SessionsReply
	if err := c.do(ctx, "GET", "sessions", q.values(), nil, &r); err != nil {
		return nil, err
	}
	return r.Sessions, nil
}

// StatsQuery selects Stats; Days 0 means the default (7).
type StatsQuery struct {
	Days int
	Repo string
	End  string // YYYY-MM-DD, the window's last day; "" for today
}

// Stats summarises Days days ending on End (today by default).
func (c *Client) Stats(ctx context.Context, q StatsQuery) (api.Stats, error) {
	v := url.Values{}
	if q.Days != 0 {
		v.Set("days", strconv.Itoa(q.Days))
	}
	setIf(v, "repo", q.Repo)
	setIf(v, "end", q.End)
	var st api.Stats
	err := c.do(ctx, "GET", "stats", v, nil, &st)
	return st, err
}

// ExportQuery selects an export: Format "csv" (default) or "json" (one
// session per line); Since and Until are RFC 3339 or YYYY-MM-DD.
type ExportQuery struct {
	Format string
	Since  string
	Until  string
	Repo   string // "owner/name": one repository's sessions; "" for all
}

// Export streams the export to w.
func (c *Client) Export(ctx context.Context, q ExportQuery, w io.Writer) error {
	_, err := c.ExportCounted(ctx, q, w)
	return err
}

// ExportCounted streams the export to w and returns how many sessions it
// held.
func (c *Client) ExportCounted(ctx context.Context, q ExportQuery, w io.Writer) (int64, error) {
	v := url.Values{}
	setIf(v, "format", q.Format)
	setIf(v, "since", q.Since)
	setIf(v, "until", q.Until)
	setIf(v, "repo", q.Repo)
	resp, err := c.send(ctx, "GET", "export", v, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, fmt.Errorf("localclient: export: %w", err)
	}
	if msg := resp.Trailer.Get(api.ExportErrorTrailer); msg != "" {
		return 0, &api.Error{Code: api.CodeInternal, Message: "export incomplete: " + msg}
	}
	n, err := strconv.ParseInt(resp.Trailer.Get(api.ExportCountTrailer), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("localclient: export: the daemon sent no session count: %w", err)
	}
	return n, nil
}

// Sync runs one sync and returns the state after it.
func (c *Client) Sync(ctx context.Context) (api.SyncState, error) {
	var st api.SyncState
	err := c.do(ctx, "POST", "sync", nil, struct{}{}, &st)
	return st, err
}

// Settings reads the user-editable configuration.
func (c *Client) Settings(ctx context.Context) (api.Settings, error) {
	var st api.Settings
	err := c.do(ctx, "GET", "config", nil, nil, &st)
	return st, err
}

// SetSettings writes the configuration and returns it as applied.
func (c *Client) SetSettings(ctx context.Context, s api.Settings) (api.Settings, error) {
	var st api.Settings
	err := c.do(ctx, "PUT", "config", nil, s, &st)
	return st, err
}

// LoginStart begins the device-flow sign-in; the reply carries the code to
// show and the page to open.
func (c *Client) LoginStart(ctx context.Context, req api.LoginStartRequest) (api.LoginStatus, error) {
	var st api.LoginStatus
	err := c.do(ctx, "POST", "login/start", nil, req, &st)
	return st, err
}

// LoginStatus reports the sign-in started by LoginStart, or whether the
// user is signed in.
func (c *Client) LoginStatus(ctx context.Context) (api.LoginStatus, error) {
	var st api.LoginStatus
	err := c.do(ctx, "GET", "login/status", nil, nil, &st)
	return st, err
}

// Logout signs out of the sync server; local data is kept.
func (c *Client) Logout(ctx context.Context) (api.LogoutReply, error) {
	var r api.LogoutReply
	err := c.do(ctx, "POST", "logout", nil, struct{}{}, &r)
	return r, err
}

// Do sends any request and decodes the reply into out; body and out may be
// nil. Every route has a typed method: Do is for what they cannot send
// (tests of malformed requests and unknown routes).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.do(ctx, method, path, nil, body, out)
}

func setIf(v url.Values, k, val string) {
	if val != "" {
		v.Set(k, val)
	}
}

// EditSession changes an ended session (PATCH sessions/{id}).
func (c *Client) EditSession(ctx context.Context, id string, req api.EditRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "PATCH", "sessions/"+url.PathEscape(id), nil, req, &r)
	return r, err
}

// SplitSession cuts an ended session in two.
func (c *Client) SplitSession(ctx context.Context, id string, req api.SplitRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "POST", "sessions/"+url.PathEscape(id)+"/split", nil, req, &r)
	return r, err
}

// MergeSessions joins adjacent sessions of one pull request.
func (c *Client) MergeSessions(ctx context.Context, req api.MergeRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "POST", "sessions/merge", nil, req, &r)
	return r, err
}

// ImportSessions stores the extension's direct-mode sessions, idempotent by id.
func (c *Client) ImportSessions(ctx context.Context, req api.ImportRequest) (api.ImportReply, error) {
	var r api.ImportReply
	err := c.do(ctx, "POST", "sessions/import", nil, req, &r)
	return r, err
}

// AddSession records an ended session after the fact.
func (c *Client) AddSession(ctx context.Context, req api.AddRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "POST", "sessions/add", nil, req, &r)
	return r, err
}

// DeleteSessions deletes sessions by id or by filter.
func (c *Client) DeleteSessions(ctx context.Context, req api.DeleteRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "POST", "sessions/delete", nil, req, &r)
	return r, err
}

// WithdrawSessions takes the sessions the rules no longer sync off the
// server, keeping them here.
func (c *Client) WithdrawSessions(ctx context.Context, req api.WithdrawRequest) (api.EditReply, error) {
	var r api.EditReply
	err := c.do(ctx, "POST", "sessions/withdraw", nil, req, &r)
	return r, err
}

// Rules are the include/exclude rules in force (GET rules).
func (c *Client) Rules(ctx context.Context) (rules.Rules, error) {
	var r rules.Rules
	err := c.do(ctx, "GET", "rules", nil, nil, &r)
	return r, err
}

// SetRules saves the rules (PUT rules) and returns them as saved.
func (c *Client) SetRules(ctx context.Context, in rules.Rules) (rules.Rules, error) {
	var r rules.Rules
	err := c.do(ctx, "PUT", "rules", nil, in, &r)
	return r, err
}
