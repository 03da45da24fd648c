// Package github is the only stand-in for GitHub in worktime's tests: an
// httptest server that speaks GitHub's documented OAuth device flow
// (POST /login/device/code, POST /login/oauth/access_token with the
// authorization_pending, slow_down, expired_token, access_denied and
// device_flow_disabled errors), the OAuth web application flow (GET
// /login/oauth/authorize with GitHub's redirect URL rules and its
// redirect_uri_mismatch and access_denied redirects, then the code exchanged
// at POST /login/oauth/access_token with the incorrect_client_credentials,
// bad_verification_code and redirect_uri_mismatch errors,
// https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow),
// the REST API's GET /user (401 for a bad token) and the OAuth app's "Check a
// token" (POST /applications/{client_id}/token with the app's client id and
// secret as basic auth: 200 for a token of that app, 404 for any other,
// https://docs.github.com/rest/apps/oauth-applications#check-a-token).
// The token endpoint reads form and JSON bodies, as GitHub does.
// Tests decide what the user does on the verification page with Approve and
// Deny, or let every code be approved as soon as it is issued; in the web
// flow, whether the browser is signed in to GitHub (SignInWeb) or the user
// cancels (DenyWeb). They can issue tokens of another OAuth app and personal
// access tokens, add users and tokens of known values (AddUser, AddToken),
// switch the whole REST API or a single token into a primary or secondary
// rate limit, and make the app's Device Flow setting fail as GitHub does.
// GET /user refuses a request without a User-Agent, as GitHub does. With
// Options.Controls the server also answers test controls under /_fake/, a
// prefix GitHub does not have, for tests that drive the fake as a process
// (the fakegithub command).
package github

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/clock"
)

// User is a GitHub account known to the fake, with the fields of GitHub's
// GET /user that worktime reads
// (https://docs.github.com/rest/users/users#get-the-authenticated-user).
type User struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
	// Email is the public email; "" answers null, as GitHub does for a
	// user who keeps it private.
	Email string `json:"email"`
	// AvatarURL is "" for GitHub's default, avatars.githubusercontent.com/u/{id}.
	AvatarURL string `json:"avatar_url"`
}

// avatar is the user's avatar_url as GET /user answers it.
func (u User) avatar() string {
	if u.AvatarURL != "" {
		return u.AvatarURL
	}
	return "https://avatars.githubusercontent.com/u/" + fmt.Sprint(u.ID)
}

// Options configure a Server.
type Options struct {
	// ClientID is the only OAuth app client id accepted; empty accepts any.
	ClientID string
	// ClientSecret is the app's secret, required (with ClientID) as basic
	// auth by the token check and in the web flow's code exchange; empty
	// refuses every token check and every exchange.
	ClientSecret string
	// Interval is the polling interval announced, in seconds (GitHub: 5).
	Interval int
	// ExpiresIn is the device code lifetime announced, in seconds (GitHub: 900).
	ExpiresIn int
	// AutoApprove, when non-empty, approves every new device code as this
	// login, as if the user had entered it at once.
	AutoApprove string
	// CallbackURL is the app's registered "Authorization callback URL" for
	// the web flow; SetCallbackURL changes it later.
	CallbackURL string
	// Clock tells the time codes expire by; nil is the system clock.
	Clock clock.Clock
	// Controls serves the test controls under /_fake/ (see controls.go).
	Controls bool
}

// Server is a running fake. Its URL serves both the OAuth endpoints
// (github.com) and the REST API (api.github.com).
type Server struct {
	URL  string
	srv  *httptest.Server
	opts Options

	mu        sync.Mutex
	codes     map[string]*deviceCode // device_code → state
	byUser    map[string]string      // user_code → device_code
	tokens    map[string]token       // access token → owner and issuing app
	users     map[string]User        // login → user
	nextID    int64
	slowDown  int // answer this many pending polls with slow_down
	polls     int
	lastCode  string
	fault     DeviceFlowFault
	rateLimit RateLimit
	callback  string              // the registered callback URL ("" until set)
	browser   browser             // what the user does at /login/oauth/authorize
	webCodes  map[string]*webCode // web flow code → its grant
}

// token is an access token: its user and the OAuth app it was issued to
// ("" for a personal access token).
type token struct {
	user     User
	clientID string
	// rateLimit, when set, is how the REST API answers this token alone
	// (GitHub counts the limit per user or token, not per server).
	rateLimit RateLimit
}

// DeviceFlowFault is how GitHub answers a device flow the app is not set up
// for.
type DeviceFlowFault int

// The faults: Device Flow left disabled in the OAuth app's settings (GitHub's
// device_flow_disabled, "Device flow has not been enabled in the app's
// settings", at POST /login/device/code and at every poll), a client GitHub
// does not allow the flow (unauthorized_client at /login/device/code), and a
// device code reply without a verification_uri.
const (
	DeviceFlowOK DeviceFlowFault = iota
	DeviceFlowDisabled
	DeviceFlowUnauthorizedClient
	DeviceFlowNoVerificationURI
)

// RateLimit is the state of the fake REST API's rate limit.
type RateLimit int

// Primary: 403 with x-ratelimit-remaining 0; secondary: 403 with GitHub's
// "secondary rate limit" message and no rate-limit headers.
const (
	NotLimited RateLimit = iota
	PrimaryRateLimit
	SecondaryRateLimit
)

type deviceCode struct {
	userCode string
	expires  time.Time
	state    string // "pending", "approved", "denied", "expired", "used"
	login    string
}

// New starts a fake on 127.0.0.1; it is closed when the test ends.
func New(tb interface{ Cleanup(func()) }, opts Options) *Server {
	s := Start(opts)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake on 127.0.0.1 that serves until Close.
func Start(opts Options) *Server {
	if opts.Interval <= 0 {
		opts.Interval = 1
	}
	if opts.ExpiresIn <= 0 {
		opts.ExpiresIn = 900
	}
	s := &Server{
		opts:     opts,
		codes:    map[string]*deviceCode{},
		byUser:   map[string]string{},
		tokens:   map[string]token{},
		users:    map[string]User{},
		nextID:   1000,
		callback: opts.CallbackURL,
		webCodes: map[string]*webCode{},
	}
	if opts.Clock == nil {
		s.opts.Clock = clock.Real()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/device/code", s.deviceCode)
	mux.HandleFunc("GET /login/oauth/authorize", s.authorize)
	mux.HandleFunc("POST /login/oauth/access_token", s.accessToken)
	mux.HandleFunc("GET /user", s.user)
	mux.HandleFunc("POST /applications/{client_id}/token", s.checkToken)
	if opts.Controls {
		s.handleControls(mux)
	}
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
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

// ApproveDevices approves every device code issued from now on as login, as
// Options.AutoApprove does from the start: the user enters each code at once.
func (s *Server) ApproveDevices(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.AutoApprove = login
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

// IssueToken returns a valid access token of the app (Options.ClientID) for
// login without a device flow.
func (s *Server) IssueToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(login, s.opts.ClientID)
}

// IssueForeignToken returns a valid OAuth token for login issued to another
// OAuth app: GET /user accepts it, the app's token check does not.
func (s *Server) IssueForeignToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(login, otherAppClientID)
}

// IssuePersonalToken returns a personal access token (ghp_) of login: GET
// /user accepts it, no app's token check does.
func (s *Server) IssuePersonalToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.issueLocked(login, "")
	t := s.tokens[tok]
	delete(s.tokens, tok)
	tok = "ghp_" + strings.TrimPrefix(tok, "gho_")
	s.tokens[tok] = t
	return tok
}

// SetDeviceFlowFault makes the device flow fail as f from now on.
func (s *Server) SetDeviceFlowFault(f DeviceFlowFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetRateLimit puts the REST API (GET /user and the token check) into rl.
func (s *Server) SetRateLimit(rl RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = rl
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

func (s *Server) issueLocked(login, clientID string) string {
	u, ok := s.users[login]
	if !ok {
		s.nextID++
		u = User{ID: s.nextID, Login: login, Name: login}
		s.users[login] = u
	}
	tok := "gho_" + randHex(18)
	s.tokens[tok] = token{user: u, clientID: clientID}
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
	form := url.Values{}
	for k, val := range v {
		form.Set(k, fmt.Sprint(val))
	}
	_, _ = w.Write([]byte(form.Encode()))
}

// Where GitHub documents the token endpoint's errors: the device flow's, and
// the web flow's code exchange ("Troubleshooting OAuth app access token
// request errors").
const (
	deviceFlowErrors = "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
	exchangeErrors   = "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
)

// oauthError answers the token endpoint's errors as GitHub does: HTTP 200
// with error, error_description and error_uri.
func oauthError(w http.ResponseWriter, r *http.Request, code, desc, uri string) {
	reply(w, r, http.StatusOK, map[string]any{
		"error":             code,
		"error_description": desc,
		"error_uri":         uri,
	})
}

// params reads an OAuth endpoint's parameters from a form or a JSON object
// body (GitHub accepts both; the worker sends JSON), plus the query string.
func params(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("read form: %w", err)
		}
		return r.Form, nil
	}
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("read JSON body: %w", err)
	}
	v := r.URL.Query()
	for k, val := range body {
		switch val := val.(type) {
		case string:
			v.Set(k, val)
		case float64, bool:
			v.Set(k, fmt.Sprint(val))
		case nil:
		default:
			return nil, fmt.Errorf("read JSON body: %s is not a string", k)
		}
	}
	return v, nil
}

// badRequest answers a body the fake cannot read.
func badRequest(w http.ResponseWriter, err error) {
	http.Error(w, "github fake: "+err.Error(), http.StatusBadRequest)
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	form, err := params(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	cid := form.Get("client_id")
	if cid == "" || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		// GitHub: 404-like error for an unknown client.
		reply(w, r, http.StatusBadRequest, map[string]any{"error": "incorrect_client_credentials", "error_description": "The client_id is not valid."})
		return
	}
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	switch fault {
	case DeviceFlowDisabled:
		reply(w, r, http.StatusBadRequest, map[string]any{
			"error":             "device_flow_disabled",
			"error_description": "Device Flow must be explicitly enabled for this App",
			"error_uri":         "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow",
		})
		return
	case DeviceFlowUnauthorizedClient:
		reply(w, r, http.StatusBadRequest, map[string]any{
			"error":             "unauthorized_client",
			"error_description": "The client is not authorized to request a device code.",
		})
		return
	}
	s.mu.Lock()
	dc := randHex(20)
	uc := strings.ToUpper(randHex(2) + "-" + randHex(2))
	c := &deviceCode{userCode: uc, expires: s.opts.Clock.Now().Add(time.Duration(s.opts.ExpiresIn) * time.Second), state: "pending"}
	if s.opts.AutoApprove != "" {
		c.state, c.login = "approved", s.opts.AutoApprove
	}
	s.codes[dc] = c
	s.byUser[uc] = dc
	s.lastCode = uc
	s.mu.Unlock()
	body := map[string]any{
		"device_code":      dc,
		"user_code":        uc,
		"verification_uri": s.VerificationURI(),
		"expires_in":       s.opts.ExpiresIn,
		"interval":         s.opts.Interval,
	}
	if fault == DeviceFlowNoVerificationURI {
		delete(body, "verification_uri")
	}
	reply(w, r, http.StatusOK, body)
}

// accessToken is the token endpoint of both flows: the device flow polls
// it with grant_type device_code, the web flow exchanges its code with no
// grant_type or authorization_code.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	form, err := params(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	cid := form.Get("client_id")
	if cid == "" || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		oauthError(w, r, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", exchangeErrors+"#incorrect-client-credentials")
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.pollDeviceCodeLocked(w, r, form, cid)
	case "", "authorization_code":
		s.exchangeCodeLocked(w, r, form, cid)
	default:
		oauthError(w, r, "unsupported_grant_type", "The grant type must be urn:ietf:params:oauth:grant-type:device_code.", deviceFlowErrors)
	}
}

// pollDeviceCodeLocked answers a device flow poll; s.mu is held.
func (s *Server) pollDeviceCodeLocked(w http.ResponseWriter, r *http.Request, form url.Values, cid string) {
	if s.fault == DeviceFlowDisabled {
		oauthError(w, r, "device_flow_disabled", "Device Flow must be explicitly enabled for this App", deviceFlowErrors)
		return
	}
	c, ok := s.codes[form.Get("device_code")]
	if !ok {
		oauthError(w, r, "incorrect_device_code", "The device_code provided is not valid.", deviceFlowErrors)
		return
	}
	if c.state == "pending" && s.opts.Clock.Now().After(c.expires) {
		c.state = "expired"
	}
	switch c.state {
	case "pending":
		if s.slowDown > 0 {
			s.slowDown--
			oauthError(w, r, "slow_down", "Too many requests have been made in the same timeframe.", deviceFlowErrors)
			return
		}
		oauthError(w, r, "authorization_pending", "The authorization request is still pending.", deviceFlowErrors)
	case "denied":
		oauthError(w, r, "access_denied", "The authorization request was denied.", deviceFlowErrors)
	case "expired":
		oauthError(w, r, "expired_token", "The device_code has expired.", deviceFlowErrors)
	case "used":
		oauthError(w, r, "incorrect_device_code", "The device_code provided is not valid.", deviceFlowErrors)
	case "approved":
		c.state = "used"
		tok := s.issueLocked(c.login, cid)
		reply(w, r, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "scope": form.Get("scope")})
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
	t, ok := s.tokens[tok]
	rl := s.rateLimit
	s.mu.Unlock()
	u := t.user
	if writeRateLimited(w, rl) || writeRateLimited(w, t.rateLimit) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if ok && r.Header.Get("User-Agent") == "" {
		// "All API requests must include a valid User-Agent header.
		// Requests with no User-Agent header will be rejected."
		// (https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent)
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
		})
		return
	}
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"message":           "Bad credentials",
			"documentation_url": "https://docs.github.com/rest",
			"status":            "401",
		})
		return
	}
	var email any // null unless the user made an email public
	if u.Email != "" {
		email = u.Email
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"login": u.Login, "id": u.ID, "name": u.Name, "type": "User",
		"email": email, "avatar_url": u.avatar(),
	})
}

// writeRateLimited answers a rate-limited REST request as GitHub does and
// reports whether it did.
func writeRateLimited(w http.ResponseWriter, rl RateLimit) bool {
	var msg string
	switch rl {
	case PrimaryRateLimit:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(10*time.Minute).Unix()))
		msg = "API rate limit exceeded for user ID 1."
	case SecondaryRateLimit:
		msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
	default:
		return false
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
	})
	return true
}

// checkToken is "Check a token": the app authenticates with its client id
// and secret (basic auth) and learns whether access_token was issued to it.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("client_id")
	user, pass, ok := r.BasicAuth()
	s.mu.Lock()
	rl := s.rateLimit
	s.mu.Unlock()
	if writeRateLimited(w, rl) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if !ok || user != cid || s.opts.ClientSecret == "" || pass != s.opts.ClientSecret || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest/apps/oauth-applications#check-a-token"})
		return
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AccessToken == "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest/apps/oauth-applications#check-a-token"})
		return
	}
	s.mu.Lock()
	t, found := s.tokens[body.AccessToken]
	s.mu.Unlock()
	if found && writeRateLimited(w, t.rateLimit) {
		return
	}
	if !found || t.clientID != cid {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/apps/oauth-applications#check-a-token"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id":               1,
		"token":            body.AccessToken,
		"token_last_eight": body.AccessToken[max(0, len(body.AccessToken)-8):],
		"scopes":           []string{"read:user"},
		"app":              map[string]any{"client_id": cid, "name": "worktime", "url": "https://worktime.example"},
		"user": map[string]any{
			"login": t.user.Login, "id": t.user.ID, "type": "User",
			"avatar_url": t.user.avatar(),
		},
	})
}
