// Package localapi is the daemon's HTTP+JSON API under /localapi/v1/, served
// on a Unix domain socket that only the user can reach. It is the one way the
// host relay, the CLI and the dashboard talk to a running daemon; its typed
// client is internal/localclient.
//
// Requests carrying an Origin or Referer header are refused (no web page may
// reach it), and the Host header must be HostName.
package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/tracker"
)

// Prefix is the versioned path every route lives under (api.LocalAPIPrefix).
const Prefix = api.LocalAPIPrefix

// HostName is the Host header every request must carry (api.LocalAPIHost).
const HostName = api.LocalAPIHost

// maxBody bounds request bodies.
const maxBody = 1 << 20

// Tracker is the session state machine behind the session routes
// (*tracker.Tracker). Every method that changes something returns only after
// the change is durably committed. Its errors carry their code as
// api.AsError reads it.
type Tracker interface {
	api.SessionWriter
	api.SessionEditor
	api.SessionImporter
	Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error)
	CountSessions(ctx context.Context, q tracker.SessionQuery) (int64, error)
	Repos(ctx context.Context) ([]string, error)
	Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error)
	WriteExport(ctx context.Context, w io.Writer, format string, q tracker.ExportQuery, progress func(done int64)) error
}

var _ Tracker = (*tracker.Tracker)(nil)

// SyncService is the sync engine as the API sees it. A nil SyncService means
// sync is not configured: status reports "disabled" and POST sync answers
// unavailable.
type SyncService interface {
	// SyncStatus is the sync state and the signed-in user (nil when signed out).
	SyncStatus(ctx context.Context) (api.SyncState, *api.User, error)
	// SyncNow runs one push/pull and returns the state after it.
	SyncNow(ctx context.Context) (api.SyncState, error)
}

// Settings reads and writes the user-editable parts of config.toml; the
// daemon applies what it can live.
type Settings interface {
	Settings(ctx context.Context) (api.Settings, error)
	SetSettings(ctx context.Context, s api.Settings) (api.Settings, error)
}

// RuleStore reads and saves the include/exclude rules ([rules] of
// config.toml), which the tracker and the sync engine read at every start
// and every run.
type RuleStore interface {
	Rules(ctx context.Context) (rules.Rules, error)
	// SetRules validates and saves r (an invalid r is bad_request and
	// nothing changes) and returns the rules as saved.
	SetRules(ctx context.Context, r rules.Rules) (rules.Rules, error)
}

// SignIn is the device-flow sign-in behind the login routes
// (*auth.Service). A nil SignIn means sync is not configured: the routes
// answer unavailable.
type SignIn interface {
	// StartLogin begins a sign-in that finishes in the background;
	// serverURL "" means the configured server.
	StartLogin(ctx context.Context, serverURL string) (api.LoginStatus, error)
	// LoginStatus is the progress of the sign-in, or whether the user is
	// signed in when none is in progress.
	LoginStatus(ctx context.Context) api.LoginStatus
	// Logout forgets the credentials on this machine even when it fails to
	// tell the server; the error says what did not happen.
	Logout(ctx context.Context) error
}

// Route is one line of the route table. Path is relative to Prefix, e.g.
// "login/start".
type Route struct {
	Method  string
	Path    string
	Handler http.HandlerFunc
}

// Options are the server's dependencies.
type Options struct {
	Tracker  Tracker      // required
	Settings Settings     // nil: GET/PUT config answer unavailable
	Rules    RuleStore    // nil: GET/PUT rules answer unavailable
	Sync     SyncService  // nil: sync disabled
	SignIn   SignIn       // nil: the login routes answer unavailable
	Version  string       // worktime's version
	DeviceID string       // this device's id
	Logger   *slog.Logger // nil discards
}

// Server serves the local API.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns a server; Handler serves it and Serve runs it on a listener.
func New(opts Options) *Server {
	s := &Server{opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.mux = http.NewServeMux()
	for _, r := range s.routes() {
		s.mux.HandleFunc(r.Method+" "+Prefix+r.Path, r.Handler)
	}
	return s
}

// routes is the route table: one route per line.
func (s *Server) routes() []Route {
	return []Route{
		{"GET", "status", s.status},
		{"POST", "sessions/start", s.start},
		{"POST", "sessions/{id}/heartbeat", s.heartbeat},
		{"POST", "sessions/{id}/end", s.end},
		{"GET", "sessions/active", s.active},
		{"PATCH", "sessions/{id}", s.editSession},
		{"POST", "sessions/{id}/split", s.splitSession},
		{"POST", "sessions/merge", s.mergeSessions},
		{"POST", "sessions/add", s.addSession},
		{"POST", "sessions/import", s.importSessions},
		{"POST", "sessions/delete", s.deleteSessions},
		{"POST", "sessions/withdraw", s.withdrawSessions},
		{"GET", "sessions", s.sessions},
		{"GET", "repos", s.repos},
		{"GET", "stats", s.stats},
		{"GET", "export", s.export},
		{"POST", "sync", s.sync},
		{"GET", "config", s.getConfig},
		{"PUT", "config", s.putConfig},
		{"GET", "rules", s.getRules},
		{"PUT", "rules", s.putRules},
		{"POST", "login/start", s.loginStart},
		{"GET", "login/status", s.loginStatus},
		{"POST", "logout", s.logout},
	}
}

// ServeHTTP checks that the request comes from a local client, not a browser.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" || r.Header.Get("Referer") != "" {
		WriteError(w, http.StatusForbidden, &api.Error{Code: api.CodeForbidden, Message: "requests from web pages are refused"})
		return
	}
	if r.Host != HostName {
		WriteError(w, http.StatusForbidden, &api.Error{Code: api.CodeForbidden, Message: fmt.Sprintf("unexpected Host %q", r.Host)})
		return
	}
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		WriteError(w, http.StatusNotFound, &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("no route %s %s", r.Method, r.URL.Path)})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}

// Serve runs the API on ln until ctx is cancelled, then shuts down.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("localapi: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("localapi: serve: %w", err)
	}
	return nil
}

// StatusCode is the HTTP status of an error code.
func StatusCode(code string) int {
	switch code {
	case api.CodeBadRequest, api.CodeUnknownType:
		return http.StatusBadRequest
	case api.CodeForbidden, api.CodeExcluded:
		return http.StatusForbidden
	case api.CodeNotFound:
		return http.StatusNotFound
	case api.CodeConflict:
		return http.StatusConflict
	case api.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case api.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// WriteJSON writes v as the reply.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return // the client went away
	}
}

// WriteError writes an error reply.
func WriteError(w http.ResponseWriter, status int, e *api.Error) {
	WriteJSON(w, status, api.ErrorReply{Error: e})
}

// Fail writes err as an error reply, with the code api.AsError gives it.
func Fail(w http.ResponseWriter, err error) {
	ae := api.AsError(err)
	WriteError(w, StatusCode(ae.Code), ae)
}

// badRequest builds a bad_request error.
func badRequest(format string, args ...any) *api.Error {
	return &api.Error{Code: api.CodeBadRequest, Message: fmt.Sprintf(format, args...)}
}

// DecodeBody decodes a JSON request body into v; an empty body leaves v
// as it is when allowEmpty.
func DecodeBody(r *http.Request, v any, allowEmpty bool) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return &api.Error{Code: api.CodeTooLarge, Message: "request body is larger than 1 MiB"}
		case errors.Is(err, io.EOF) && allowEmpty:
			return nil
		case errors.Is(err, io.EOF):
			return badRequest("request body is empty")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return badRequest("field %q has the wrong type (want %s)", te.Field, te.Type)
		}
		return badRequest("invalid request body: %v", err)
	}
	if dec.More() {
		return badRequest("request body holds more than one JSON value")
	}
	return nil
}
