package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// Service signs the user in and out. The CLI uses Login (blocking); the
// dashboard, through the local API, uses StartLogin and LoginStatus.
type Service struct {
	Store  Store
	GitHub GitHubConfig
	Server ServerClient
	// DefaultServerURL is the configured server, used when a sign-in names
	// none.
	DefaultServerURL string
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// OnChange, when set, is called after every sign-in and sign-out.
	OnChange func()

	mu      sync.Mutex
	pending *pendingLogin
}

type pendingLogin struct {
	cancel context.CancelFunc
	status api.LoginStatus
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) serverURL(override string) (string, error) {
	u := override
	if u == "" {
		u = s.DefaultServerURL
	}
	if u == "" {
		return "", errors.New("no server URL: pass --server or set sync.server_url in config.toml")
	}
	return NormalizeServerURL(u)
}

func (s *Service) changed() {
	if s.OnChange != nil {
		s.OnChange()
	}
}

// Login runs the whole device flow: show is called with the code to enter,
// then Login waits until the user has entered it, exchanges the GitHub token
// for the server's JWT and stores it.
func (s *Service) Login(ctx context.Context, serverURL string, show func(DeviceCode)) (Credentials, error) {
	base, err := s.serverURL(serverURL)
	if err != nil {
		return Credentials{}, fmt.Errorf("auth.Login: %w", err)
	}
	dc, err := s.GitHub.StartDeviceFlow(ctx)
	if err != nil {
		return Credentials{}, fmt.Errorf("auth.Login: %w", err)
	}
	if show != nil {
		show(dc)
	}
	return s.finish(ctx, base, dc)
}

func (s *Service) finish(ctx context.Context, base string, dc DeviceCode) (Credentials, error) {
	gh, err := s.GitHub.WaitForToken(ctx, dc)
	if err != nil {
		return Credentials{}, fmt.Errorf("auth.Login: %w", err)
	}
	c, err := s.Server.ExchangeGitHubToken(ctx, base, gh)
	if err != nil {
		return Credentials{}, fmt.Errorf("auth.Login: %w", err)
	}
	return s.save(ctx, c)
}

func (s *Service) save(ctx context.Context, c Credentials) (Credentials, error) {
	c.SignedIn = s.now().UTC().Truncate(time.Second)
	if err := s.Store.Save(ctx, c); err != nil {
		return Credentials{}, fmt.Errorf("auth.Login: %w", err)
	}
	s.changed()
	return c, nil
}

// DevLogin signs in as user through a local worker's development route.
func (s *Service) DevLogin(ctx context.Context, serverURL, user string) (Credentials, error) {
	base, err := s.serverURL(serverURL)
	if err != nil {
		return Credentials{}, fmt.Errorf("auth.DevLogin: %w", err)
	}
	c, err := s.Server.DevLogin(ctx, base, user)
	if err != nil {
		return Credentials{}, err
	}
	return s.save(ctx, c)
}

// ErrNotRevoked is wrapped by Logout when the local credentials were
// deleted but the server could not be told (unreachable, too slow, or it
// refused): the token may stay valid there until it expires.
var ErrNotRevoked = errors.New("signed out locally, but the server was not told")

// Logout deletes the JWT locally, then revokes it at the server. The local
// copy goes first, so that a server that never answers (or an interrupted
// command) cannot leave the user signed in; when the revocation fails an
// error wrapping ErrNotRevoked is returned.
func (s *Service) Logout(ctx context.Context) error {
	s.mu.Lock()
	if s.pending != nil && s.pending.status.State == api.LoginPending {
		s.pending.cancel()
	}
	s.pending = nil
	s.mu.Unlock()
	c, err := s.Store.Load(ctx)
	if errors.Is(err, ErrSignedOut) {
		return nil
	}
	if derr := s.Store.Delete(ctx); derr != nil {
		return fmt.Errorf("auth.Logout: %w", derr)
	}
	s.changed()
	if err != nil {
		// Unreadable credentials: deleted, but there is no token to revoke.
		return nil
	}
	if rerr := s.Server.Logout(ctx, c.ServerURL, c.Token); rerr != nil {
		return fmt.Errorf("auth.Logout: %w: %w", ErrNotRevoked, rerr)
	}
	return nil
}

// Current returns the stored credentials (an error wrapping ErrSignedOut
// when there are none).
func (s *Service) Current(ctx context.Context) (Credentials, error) { return s.Store.Load(ctx) }

// StartLogin begins a device flow that finishes in the background; poll
// LoginStatus for its outcome. The flow lives until the code expires, the
// user finishes, Logout is called or another StartLogin replaces it;
// ctx's values are kept but not its cancellation, since the request that
// started it ends at once.
func (s *Service) StartLogin(ctx context.Context, serverURL string) (api.LoginStatus, error) {
	base, err := s.serverURL(serverURL)
	if err != nil {
		return api.LoginStatus{}, fmt.Errorf("auth.StartLogin: %w", err)
	}
	dc, err := s.GitHub.StartDeviceFlow(ctx)
	if err != nil {
		return api.LoginStatus{}, fmt.Errorf("auth.StartLogin: %w", err)
	}
	deadline := dc.ExpiresAt
	if deadline.IsZero() {
		deadline = s.now().Add(15 * time.Minute)
	}
	fctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	exp := dc.ExpiresAt
	p := &pendingLogin{cancel: cancel, status: api.LoginStatus{
		State: api.LoginPending, ServerURL: base, UserCode: dc.UserCode, VerificationURI: dc.VerificationURI, ExpiresAt: &exp,
	}}
	s.mu.Lock()
	if s.pending != nil {
		s.pending.cancel()
	}
	s.pending = p
	st := p.status
	s.mu.Unlock()
	go func() {
		defer cancel()
		c, err := s.finish(fctx, base, dc)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.pending != p {
			return // replaced or cancelled
		}
		if err != nil {
			p.status.State, p.status.Error = api.LoginFailed, err.Error()
			return
		}
		p.status.State, p.status.Login = api.LoginSignedIn, c.Login
	}()
	return st, nil
}

// LoginStatus reports the flow started by StartLogin, or, when there is
// none, whether the user is signed in.
func (s *Service) LoginStatus(ctx context.Context) api.LoginStatus {
	s.mu.Lock()
	if s.pending != nil {
		st := s.pending.status
		s.mu.Unlock()
		return st
	}
	s.mu.Unlock()
	c, err := s.Store.Load(ctx)
	if err != nil {
		return api.LoginStatus{State: api.LoginIdle}
	}
	return api.LoginStatus{State: api.LoginSignedIn, Login: c.Login, ServerURL: c.ServerURL}
}
