// Package github is the only stand-in for GitHub in worktime's tests: an
// httptest server that speaks GitHub's documented OAuth device flow
// (POST /login/device/code, POST /login/oauth/access_token with the
// authorization_pending, slow_down, expired_token and access_denied errors)
// and the REST API's GET /user, including its 401 reply for a bad token.
// Tests decide what the user does on the verification page with Approve and
// Deny, or let every code be approved as soon as it is issued.
package github

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// User is a GitHub account known to the fake.
type User struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// Options configure a Server.
type Options struct {
	// ClientID is the only OAuth app client id accepted; empty accepts any.
	ClientID string
	// Interval is the polling interval announced, in seconds (GitHub: 5).
	Interval int
	// ExpiresIn is the device code lifetime announced, in seconds (GitHub: 900).
	ExpiresIn int
	// AutoApprove, when non-empty, approves every new device code as this
	// login, as if the user had entered it at once.
	AutoApprove string
}

// Server is a running fake. Its URL serves both the OAuth endpoints
// (github.com) and the REST API (api.github.com).
type Server struct {
	URL  string
	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	codes    map[string]*deviceCode // device_code → state
	byUser   map[string]string      // user_code → device_code
	tokens   map[string]User        // access token → user
	users    map[string]User        // login → user
	nextID   int64
	slowDown int // answer this many pending polls with slow_down
	polls    int
	lastCode string
}

type deviceCode struct {
	userCode string
	expires  time.Time
	state    string // "pending", "approved", "denied", "expired", "used"
	login    string
}

// New starts a fake on 127.0.0.1; it is closed when the test ends.
func New(tb interface{ Cleanup(func()) }, opts Options) *Server {
	if opts.Interval <= 0 {
		opts.Interval = 1
	}
	if opts.ExpiresIn <= 0 {
		opts.ExpiresIn = 900
	}
	s := &Server{
		opts:   opts,
		codes:  map[string]*deviceCode{},
		byUser: map[string]string{},
		tokens: map[string]User{},
		users:  map[string]User{},
		nextID: 1000,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/device/code", s.deviceCode)
	mux.HandleFunc("POST /login/oauth/access_token", s.accessToken)
	mux.HandleFunc("GET /user", s.user)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// DeviceCodeURL, TokenURL and APIBase are the endpoints to configure.
func (s *Server) DeviceCodeURL() string { return s.URL + "/login/device/code" }

// TokenURL is the device flow's token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/login/oauth/access_token" }

// APIBase is the REST API base (GET {APIBase}/user).
func (s *Server) APIBase() string { return s.URL }

// VerificationURI is the page users are sent to.
func (s *Server) VerificationURI() string { return s.URL + "/login/device" }

// Approve marks userCode as entered and authorized by login.
func (s *Server) Approve(userCode, login string) error {
	return s.setState(userCode, "approved", login)
}

// Deny marks userCode as refused by the user.
func (s *Server) Deny(userCode string) error { return s.setState(userCode, "denied", "") }

// Expire makes userCode's device code expire now.
func (s *Server) Expire(userCode string) error { return s.setState(userCode, "expired", "") }

// SlowDown answers the next n polls of a pending code with slow_down.
func (s *Server) SlowDown(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowDown = n
}

// LastUserCode is the user code issued most recently ("" before any).
func (s *Server) LastUserCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastCode
}

// Polls is the number of token requests received.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// IssueToken returns a valid access token for login without a device flow.
func (s *Server) IssueToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(login)
}

// RevokeToken makes an access token invalid (GET /user answers 401).
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

func (s *Server) setState(userCode, state, login string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dc, ok := s.byUser[strings.ToUpper(userCode)]
	if !ok {
		return fmt.Errorf("github fake: unknown user code %q", userCode)
	}
	c := s.codes[dc]
	c.state, c.login = state, login
	return nil
}

func (s *Server) issueLocked(login string) string {
	u, ok := s.users[login]
	if !ok {
		s.nextID++
		u = User{ID: s.nextID, Login: login, Name: login}
		s.users[login] = u
	}
	tok := "gho_" + randHex(18)
	s.tokens[tok] = u
	return tok
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// reply writes JSON when the client asked for it (as GitHub does) and a
// form-encoded body otherwise.
func reply(w http.ResponseWriter, r *http.Request, status int, v map[string]any) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
		return
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w.WriteHeader(status)
	var parts []string
	for k, val := range v {
		parts = append(parts, k+"="+fmt.Sprint(val))
	}
	_, _ = w.Write([]byte(strings.Join(parts, "&")))
}

func oauthError(w http.ResponseWriter, r *http.Request, code, desc string) {
	// GitHub answers device flow errors with 200 and an error field.
	reply(w, r, http.StatusOK, map[string]any{
		"error":             code,
		"error_description": desc,
		"error_uri":         "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow",
	})
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cid := r.PostForm.Get("client_id")
	if cid == "" || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		// GitHub: 404-like error for an unknown client.
		reply(w, r, http.StatusBadRequest, map[string]any{"error": "incorrect_client_credentials", "error_description": "The client_id is not valid."})
		return
	}
	s.mu.Lock()
	dc := randHex(20)
	uc := strings.ToUpper(randHex(2) + "-" + randHex(2))
	c := &deviceCode{userCode: uc, expires: time.Now().Add(time.Duration(s.opts.ExpiresIn) * time.Second), state: "pending"}
	if s.opts.AutoApprove != "" {
		c.state, c.login = "approved", s.opts.AutoApprove
	}
	s.codes[dc] = c
	s.byUser[uc] = dc
	s.lastCode = uc
	s.mu.Unlock()
	reply(w, r, http.StatusOK, map[string]any{
		"device_code":      dc,
		"user_code":        uc,
		"verification_uri": s.VerificationURI(),
		"expires_in":       s.opts.ExpiresIn,
		"interval":         s.opts.Interval,
	})
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	cid := r.PostForm.Get("client_id")
	if cid == "" || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		oauthError(w, r, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:device_code" {
		oauthError(w, r, "unsupported_grant_type", "The grant type must be urn:ietf:params:oauth:grant-type:device_code.")
		return
	}
	c, ok := s.codes[r.PostForm.Get("device_code")]
	if !ok {
		oauthError(w, r, "incorrect_device_code", "The device_code provided is not valid.")
		return
	}
	if c.state == "pending" && time.Now().After(c.expires) {
		c.state = "expired"
	}
	switch c.state {
	case "pending":
		if s.slowDown > 0 {
			s.slowDown--
			oauthError(w, r, "slow_down", "Too many requests have been made in the same timeframe.")
			return
		}
		oauthError(w, r, "authorization_pending", "The authorization request is still pending.")
	case "denied":
		oauthError(w, r, "access_denied", "The authorization request was denied.")
	case "expired":
		oauthError(w, r, "expired_token", "The device_code has expired.")
	case "used":
		oauthError(w, r, "incorrect_device_code", "The device_code provided is not valid.")
	case "approved":
		c.state = "used"
		tok := s.issueLocked(c.login)
		reply(w, r, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "scope": r.PostForm.Get("scope")})
	}
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	tok := ""
	for _, p := range []string{"Bearer ", "bearer ", "token ", "Token "} {
		if strings.HasPrefix(h, p) {
			tok = strings.TrimPrefix(h, p)
		}
	}
	s.mu.Lock()
	u, ok := s.tokens[tok]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"message":           "Bad credentials",
			"documentation_url": "https://docs.github.com/rest",
			"status":            "401",
		})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"login": u.Login, "id": u.ID, "name": u.Name, "type": "User",
		"avatar_url": "https://avatars.githubusercontent.com/u/" + fmt.Sprint(u.ID),
	})
}
