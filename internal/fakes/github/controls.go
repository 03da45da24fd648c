package github

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// ControlPrefix is where a fake started with Options.Controls answers test
// controls. GitHub has no such path, so a control can never be mistaken for
// a request GitHub would answer.
const ControlPrefix = "/_fake/"

// loginPattern is GitHub's rule for usernames: alphanumerics and single
// hyphens, neither first nor last, at most 39 characters.
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// ValidateLogin reports why login cannot be a GitHub username, or nil.
func ValidateLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return fmt.Errorf("login %q is not a GitHub username (letters, digits and single inner hyphens, at most 39)", login)
	}
	return nil
}

// ValidateCallbackURL reports why u cannot be an app's authorization
// callback URL (an absolute http or https URL), or nil.
func ValidateCallbackURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("callback URL %q: %w", u, err)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("callback URL %q is not an absolute http(s) URL", u)
	}
	return nil
}

// tokenPattern is the shape of GitHub's OAuth and personal access tokens: a
// prefix naming the kind (gho_ for an OAuth app's, ghp_ for a personal
// one) then letters, digits and underscores
// (https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/).
var tokenPattern = regexp.MustCompile(`^gh[op]_[A-Za-z0-9_]{1,251}$`)

// TokenKind is who a token registered with AddToken was issued to.
type TokenKind string

// The kinds: a token of this OAuth app (Options.ClientID), of another OAuth
// app, and a personal access token. All three work on GET /user; only the
// first passes this app's "Check a token".
const (
	AppToken      TokenKind = "app"
	OtherAppToken TokenKind = "other-app"
	PersonalToken TokenKind = "personal"
)

// otherAppClientID is the OAuth app that foreign tokens were issued to.
const otherAppClientID = "Iv1.another-app"

// AddUser makes u a GitHub account (replacing the account of the same
// login), so that tokens and codes for u.Login answer GET /user with u's
// fields.
func (s *Server) AddUser(u User) error {
	if err := ValidateLogin(u.Login); err != nil {
		return err
	}
	if u.ID <= 0 {
		return fmt.Errorf("user %s: id %d is not a positive GitHub user id", u.Login, u.ID)
	}
	if u.Name == "" {
		u.Name = u.Login
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Login] = u
	return nil
}

// AddToken makes value a valid token of the account login (added with
// AddUser), issued as kind, whose REST API requests answer rl. A test
// that needs a token of a known value (a fixture) uses it instead of
// IssueToken. The prefix must fit the kind: ghp_ for a personal token, gho_
// otherwise. Registering a value again replaces it.
func (s *Server) AddToken(value, login string, kind TokenKind, rl RateLimit) error {
	if !tokenPattern.MatchString(value) {
		return fmt.Errorf("token %q is not a GitHub token (gho_ or ghp_, then letters, digits and underscores)", value)
	}
	var clientID string
	switch kind {
	case AppToken:
		clientID = s.opts.ClientID
	case OtherAppToken:
		clientID = otherAppClientID
	case PersonalToken:
	default:
		return fmt.Errorf("token kind %q is not app, other-app or personal", kind)
	}
	if personal := strings.HasPrefix(value, "ghp_"); personal != (kind == PersonalToken) {
		return fmt.Errorf("token %q: a %s token starts with %s", value, kind, map[bool]string{true: "ghp_", false: "gho_"}[kind == PersonalToken])
	}
	if rl < NotLimited || rl > SecondaryRateLimit {
		return fmt.Errorf("token %q: unknown rate limit %d", value, rl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[login]
	if !ok {
		return fmt.Errorf("token %q: no user %q (add it first)", value, login)
	}
	s.tokens[value] = token{user: u, clientID: clientID, rateLimit: rl}
	return nil
}

// IssueWebCode is a shortcut of the web flow's authorize step: the code
// GitHub would redirect back with after login (a user added with AddUser,
// or a new one) authorized the app at GET /login/oauth/authorize without a
// redirect_uri, so the exchange must use the callback URL or a path below
// it. Unlike SignInWeb it changes no shared browser state, so tests running
// concurrently against one fake each get their own codes.
func (s *Server) IssueWebCode(login string) (string, error) {
	if err := ValidateLogin(login); err != nil {
		return "", err
	}
	code := randHex(10)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webCodes[code] = &webCode{clientID: s.opts.ClientID, login: login, expires: s.opts.Clock.Now().Add(webCodeLifetime)}
	return code, nil
}

// parseRateLimit reads a control's rate limit: "", "primary" or "secondary".
func parseRateLimit(v string) (RateLimit, error) {
	switch v {
	case "":
		return NotLimited, nil
	case "primary":
		return PrimaryRateLimit, nil
	case "secondary":
		return SecondaryRateLimit, nil
	}
	return NotLimited, fmt.Errorf("rate_limit %q is not primary or secondary", v)
}

// handleControls serves the test controls: the app's callback URL, what
// the browser does at the authorize step, and fixtures (users, tokens of
// known values, web flow codes).
//
//	POST /_fake/callback-url  body: the URL     → SetCallbackURL
//	POST /_fake/sign-in       body: the login   → SignInWeb
//	POST /_fake/deny                            → DenyWeb
//	POST /_fake/approve-devices  body: the login → ApproveDevices
//	POST /_fake/users   JSON {"id","login","email","avatar_url"} → AddUser
//	POST /_fake/tokens  JSON {"token","login","kind","rate_limit"} → AddToken
//	    (kind "app", "other-app" or "personal"; rate_limit "", "primary" or "secondary")
//	POST /_fake/codes   JSON {"login"} → 200 {"code"}, IssueWebCode
//
// A body that is not a URL, a login or the JSON above is refused with 400
// and the reason; success is 204 unless the control answers a value.
func (s *Server) handleControls(mux *http.ServeMux) {
	// fixture serves a JSON control: decode reads the body into its own
	// value and returns what to answer (nil: 204) or why it refuses.
	fixture := func(name string, decode func(*json.Decoder) (any, error)) {
		mux.HandleFunc("POST "+ControlPrefix+name, func(w http.ResponseWriter, r *http.Request) {
			dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
			dec.DisallowUnknownFields()
			out, err := decode(dec)
			if err != nil {
				badRequest(w, fmt.Errorf("%s: %w", name, err))
				return
			}
			if out == nil {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(out)
		})
	}
	fixture("users", func(dec *json.Decoder) (any, error) {
		var u struct {
			ID        int64   `json:"id"`
			Login     string  `json:"login"`
			Name      string  `json:"name"`
			Email     *string `json:"email"`
			AvatarURL *string `json:"avatar_url"`
		}
		if err := dec.Decode(&u); err != nil {
			return nil, fmt.Errorf("read JSON: %w", err)
		}
		user := User{ID: u.ID, Login: u.Login, Name: u.Name}
		if u.Email != nil {
			user.Email = *u.Email
		}
		if u.AvatarURL != nil {
			user.AvatarURL = *u.AvatarURL
		}
		return nil, s.AddUser(user)
	})
	fixture("tokens", func(dec *json.Decoder) (any, error) {
		var t struct {
			Token     string `json:"token"`
			Login     string `json:"login"`
			Kind      string `json:"kind"`
			RateLimit string `json:"rate_limit"`
		}
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("read JSON: %w", err)
		}
		rl, err := parseRateLimit(t.RateLimit)
		if err != nil {
			return nil, err
		}
		return nil, s.AddToken(t.Token, t.Login, TokenKind(t.Kind), rl)
	})
	fixture("codes", func(dec *json.Decoder) (any, error) {
		var c struct {
			Login string `json:"login"`
		}
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("read JSON: %w", err)
		}
		code, err := s.IssueWebCode(c.Login)
		if err != nil {
			return nil, err
		}
		return map[string]string{"code": code}, nil
	})
	// valued serves a control whose body is a value that check must accept.
	valued := func(name string, check func(string) error, apply func(string)) {
		mux.HandleFunc("POST "+ControlPrefix+name, func(w http.ResponseWriter, r *http.Request) {
			v, err := controlBody(r)
			if err == nil {
				err = check(v)
			}
			if err != nil {
				badRequest(w, err)
				return
			}
			apply(v)
			w.WriteHeader(http.StatusNoContent)
		})
	}
	valued("callback-url", ValidateCallbackURL, s.SetCallbackURL)
	valued("sign-in", ValidateLogin, s.SignInWeb)
	valued("approve-devices", ValidateLogin, s.ApproveDevices)
	mux.HandleFunc("POST "+ControlPrefix+"deny", func(w http.ResponseWriter, r *http.Request) {
		s.DenyWeb()
		w.WriteHeader(http.StatusNoContent)
	})
}

// controlBody is a control's plain-text body, without surrounding space.
func controlBody(r *http.Request) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		return "", fmt.Errorf("read body: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
