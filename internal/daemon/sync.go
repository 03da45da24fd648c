package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/httpremote"
	"github.com/worktime/worktime/internal/tracker"
)

// Environment variables that tune sync, for tests and local development.
// Durations are Go duration strings.
const (
	EnvSyncDebounce     = "WORKTIME_SYNC_DEBOUNCE"      // wait after the first ended session before pushing (60s)
	EnvSyncInterval     = "WORKTIME_SYNC_INTERVAL"      // periodic check while in use, overrides sync.interval
	EnvSyncIdleInterval = "WORKTIME_SYNC_IDLE_INTERVAL" // periodic check otherwise (1h)
	EnvSyncBackoffBase  = "WORKTIME_SYNC_BACKOFF_BASE"  // first retry delay (2s)
	EnvSyncBackoffMax   = "WORKTIME_SYNC_BACKOFF_MAX"   // retry delay cap (10m)
	EnvSyncTimeout      = "WORKTIME_SYNC_TIMEOUT"       // per request (30s)
	EnvGitHubOAuthBase  = "WORKTIME_GITHUB_OAUTH_BASE"  // GitHub's sign-in host (https://github.com)
)

// CredentialsFile is where the JWT is kept under the worktime home.
func CredentialsFile(p config.Paths) string { return filepath.Join(p.Home, "credentials.json") }

// SyncTuning are the engine's timings.
type SyncTuning struct {
	Debounce, Interval, IdleInterval, BackoffBase, BackoffMax, Timeout time.Duration
}

// SyncTuningFrom reads the tuning from config and the environment
// variables above; an unreadable value is an error naming the variable.
func SyncTuningFrom(cfg config.Config, getenv func(string) string) (SyncTuning, error) {
	t := SyncTuning{Interval: cfg.Sync.Interval.Duration}
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{
		{EnvSyncDebounce, &t.Debounce}, {EnvSyncInterval, &t.Interval}, {EnvSyncIdleInterval, &t.IdleInterval},
		{EnvSyncBackoffBase, &t.BackoffBase},
		{EnvSyncBackoffMax, &t.BackoffMax}, {EnvSyncTimeout, &t.Timeout},
	} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return t, fmt.Errorf("%s=%q is not a positive duration (e.g. 500ms)", v.name, s)
		}
		*v.dst = d
	}
	return t, nil
}

// AuthService builds the sign-in service for the CLI and the daemon; clk
// stamps sign-ins. Every request to GitHub and to the server is bounded by
// WORKTIME_SYNC_TIMEOUT (auth.DefaultServerTimeout when unset; an
// unreadable value is reported by SyncTuningFrom, and leaves the default
// here).
func AuthService(p config.Paths, cfg config.Config, getenv func(string) string, clk clock.Clock) *auth.Service {
	if clk == nil {
		clk = clock.Real()
	}
	timeout := auth.DefaultServerTimeout
	if tun, err := SyncTuningFrom(cfg, getenv); err == nil && tun.Timeout > 0 {
		timeout = tun.Timeout
	}
	gh := auth.GitHubConfig{ClientID: cfg.Sync.GitHubClientID, Scopes: []string{"read:user"},
		HTTP: &http.Client{Timeout: timeout}}
	if base := strings.TrimRight(getenv(EnvGitHubOAuthBase), "/"); base != "" {
		gh.DeviceAuthURL = base + "/login/device/code"
		gh.TokenURL = base + "/login/oauth/access_token"
	}
	return &auth.Service{
		Store:            auth.NewUserStore(CredentialsFile(p), getenv),
		GitHub:           gh,
		Server:           auth.ServerClient{Timeout: timeout},
		DefaultServerURL: cfg.Sync.ServerURL,
		Now:              clk.Now,
	}
}

// Sync wires the sync engine and sign-in into the daemon: a component that
// runs the engine, the local API's sync service and its login routes.
type Sync struct {
	auth   *auth.Service
	tuning SyncTuning
	ready  chan struct{} // closed once engine is set
	engine *syncer.Engine
}

// NewSync prepares sync for a daemon with these paths and config; clk is
// the daemon's clock.
func NewSync(p config.Paths, cfg config.Config, getenv func(string) string, clk clock.Clock) (*Sync, error) {
	tun, err := SyncTuningFrom(cfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("daemon.NewSync: %w", err)
	}
	s := &Sync{auth: AuthService(p, cfg, getenv, clk), tuning: tun, ready: make(chan struct{})}
	s.auth.OnChange = func() {
		select {
		case <-s.ready:
			s.engine.AccountChanged()
		default: // the engine reads the account when it starts
		}
	}
	return s, nil
}

// Apply adds sync to daemon options.
func (s *Sync) Apply(o *Options) {
	o.Sync = s
	o.Routes = append(o.Routes, s.Routes()...)
	o.Components = append(o.Components, Component{Name: "sync", Run: s.run})
}

func (s *Sync) run(ctx context.Context, d *Daemon) error {
	eng, err := NewEngine(d.DB, s.auth, s.tuning, EngineEnv{Location: d.Tracker.Location, Clock: d.Clock, Logger: d.Logger, Version: d.Version})
	if err != nil {
		return err
	}
	d.Tracker.OnChange(eng.Notify)
	s.engine = eng
	close(s.ready)
	return eng.Run(ctx)
}

// EngineEnv is what NewEngine takes from its surroundings.
type EngineEnv struct {
	// Location returns the zone days are counted in; the daemon's follows
	// the settings.
	Location func() *time.Location
	Clock    clock.Clock
	Logger   *slog.Logger
	Version  string
}

// NewEngine builds the sync engine over store for the account in a.
func NewEngine(store syncer.Store, a *auth.Service, tun SyncTuning, env EngineEnv) (*syncer.Engine, error) {
	tz := func() string {
		if env.Location == nil {
			return ""
		}
		if name := env.Location().String(); name != "Local" {
			return name
		}
		return ""
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	return syncer.New(syncer.Options{
		Store: store,
		Account: func(ctx context.Context) (syncer.Account, error) {
			c, err := a.Current(ctx)
			if errors.Is(err, auth.ErrSignedOut) {
				return syncer.Account{}, fmt.Errorf("%w", syncer.ErrSignedOut)
			}
			if err != nil {
				return syncer.Account{}, err
			}
			return syncer.Account{ServerURL: c.ServerURL, Token: c.Token, Login: c.Login}, nil
		},
		NewRemote: func(a syncer.Account) syncer.Remote {
			return httpremote.New(httpremote.Options{ServerURL: a.ServerURL, Token: a.Token, Timeout: tun.Timeout,
				UserAgent: "worktimed/" + env.Version})
		},
		Clock:        env.Clock,
		Logger:       env.Logger.With("component", "sync"),
		TimeZone:     tz,
		Interval:     tun.Interval,
		IdleInterval: tun.IdleInterval,
		Debounce:     tun.Debounce,
		Backoff:      syncer.Backoff{Base: tun.BackoffBase, Max: tun.BackoffMax},
		AfterRun: func(st api.SyncState) {
			env.Logger.Debug("sync run", "state", st.State, "pending", st.Pending, "quarantined", st.Quarantined, "err", st.LastError)
		},
	})
}

func (s *Sync) wait(ctx context.Context) (*syncer.Engine, error) {
	select {
	case <-s.ready:
		return s.engine, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Used tells the engine the device is in use (see syncer.Engine.Used); it
// does nothing before the engine runs.
func (s *Sync) Used() {
	select {
	case <-s.ready:
		s.engine.Used()
	default:
	}
}

// usageTracker is the local API's tracker; reading sessions or stats
// through it counts as using the device, so sync keeps what is shown fresh.
type usageTracker struct {
	localapi.Tracker
	used func()
}

func (u usageTracker) Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error) {
	u.used()
	return u.Tracker.Sessions(ctx, q)
}

func (u usageTracker) Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error) {
	u.used()
	return u.Tracker.Stats(ctx, q)
}

// localAPITracker is d's tracker as the local API uses it.
func (d *Daemon) localAPITracker() localapi.Tracker {
	if u, ok := d.sync.(interface{ Used() }); ok {
		return usageTracker{Tracker: d.Tracker, used: u.Used}
	}
	return d.Tracker
}

// SyncStatus implements localapi.SyncService.
func (s *Sync) SyncStatus(ctx context.Context) (api.SyncState, *api.User, error) {
	eng, err := s.wait(ctx)
	if err != nil {
		return api.SyncState{}, nil, err
	}
	st := eng.State(ctx)
	var user *api.User
	if c, err := s.auth.Current(ctx); err == nil {
		user = &api.User{Login: c.Login}
		st.ServerURL = c.ServerURL
	}
	return st, user, nil
}

// SyncNow implements localapi.SyncService.
func (s *Sync) SyncNow(ctx context.Context) (api.SyncState, error) {
	eng, err := s.wait(ctx)
	if err != nil {
		return api.SyncState{}, err
	}
	return eng.SyncNow(ctx)
}

// LoginStartRequest is the body of POST login/start (all optional).
type LoginStartRequest struct {
	ServerURL string `json:"server_url,omitempty"`
}

// Routes are the dashboard's sign-in routes: POST login/start,
// GET login/status and POST logout.
func (s *Sync) Routes() []localapi.Route {
	return []localapi.Route{
		{Method: http.MethodPost, Path: "login/start", Handler: s.loginStart},
		{Method: http.MethodGet, Path: "login/status", Handler: s.loginStatus},
		{Method: http.MethodPost, Path: "logout", Handler: s.logout},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, api.ErrorReply{Error: &api.Error{Code: code, Message: msg}})
}

func (s *Sync) loginStart(w http.ResponseWriter, r *http.Request) {
	var req LoginStartRequest
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			writeErr(w, http.StatusBadRequest, api.CodeBadRequest, "body: "+err.Error())
			return
		}
	}
	st, err := s.auth.StartLogin(r.Context(), req.ServerURL)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, api.CodeUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Sync) loginStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.auth.LoginStatus(r.Context()))
}

func (s *Sync) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.auth.Logout(r.Context()); err != nil {
		// Signed out locally regardless; say what did not happen.
		writeJSON(w, http.StatusOK, map[string]string{"state": "signed_out", "warning": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"state": "signed_out"})
}
