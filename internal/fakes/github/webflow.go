package github

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The web application flow, as GitHub documents it for OAuth apps:
// https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow
// Its errors at the authorize step:
// https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors
// and at the code exchange:
// https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors

// webCodeLifetime is how long a web flow code may be exchanged: "The code
// will expire after 10 minutes" (authorizing-oauth-apps, step 2).
const webCodeLifetime = 10 * time.Minute

// authorizeErrors is where GitHub's authorize redirects point error_uri.
const authorizeErrors = "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors"

// browser is what the user's browser does at GET /login/oauth/authorize.
type browser struct {
	// login is the account the browser is signed in to GitHub as, having
	// authorized the app already; "" is nobody signed in.
	login string
	// denies: the user clicks Cancel on the authorization page.
	denies bool
}

// webCode is a code issued by the authorize step: single use, bound to the
// client and to the redirect_uri given there ("" when none was).
type webCode struct {
	clientID    string
	redirectURI string
	login       string
	scope       string
	expires     time.Time
	used        bool
}

// SetCallbackURL changes the app's registered "Authorization callback URL"
// (tests learn the worker's address after starting the fake).
func (s *Server) SetCallbackURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback = u
}

// SignInWeb makes the browser signed in to GitHub as login with the app
// already authorized: GitHub skips the consent page and redirects back at
// once with a code. SignInWeb("") signs the browser out again.
func (s *Server) SignInWeb(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.browser = browser{login: login}
}

// DenyWeb makes the user click Cancel on the authorization page: GitHub
// redirects back with error=access_denied.
func (s *Server) DenyWeb() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.browser = browser{denies: true}
}

// AuthorizeURL is the web flow's authorize endpoint.
func (s *Server) AuthorizeURL() string { return s.URL + "/login/oauth/authorize" }

// redirectAllowed reports whether redirectURI may be used with the app's
// callback URL, by GitHub's documented rule ("Redirect URLs"): the host,
// excluding sub-domains, and the port must exactly match the callback URL's,
// and the path must be the callback's or a subdirectory of it. A loopback
// callback URL allows any port ("Loopback redirect urls"). The scheme must
// match too: GitHub's examples never vary it, and a fake that let
// https become http would hide a bug.
func redirectAllowed(callback, redirectURI string) bool {
	cb, err := url.Parse(callback)
	if err != nil || cb.Host == "" {
		return false
	}
	ru, err := url.Parse(redirectURI)
	if err != nil || ru.Host == "" || ru.User != nil || ru.Fragment != "" {
		return false
	}
	if !strings.EqualFold(cb.Scheme, ru.Scheme) {
		return false
	}
	cbHost, ruHost := strings.ToLower(cb.Hostname()), strings.ToLower(ru.Hostname())
	if ruHost != cbHost && !strings.HasSuffix(ruHost, "."+cbHost) {
		return false
	}
	if !isLoopback(cbHost) && port(cb) != port(ru) {
		return false
	}
	base := strings.TrimSuffix(cb.EscapedPath(), "/")
	p := ru.EscapedPath()
	return p == base || p == base+"/" || strings.HasPrefix(p, base+"/")
}

// isLoopback: the loopback literals and localhost, which GitHub's loopback
// rule names.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// port is u's port, the scheme's default when none is written.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// withQuery adds the query parameters v to target.
func withQuery(target string, v url.Values) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", target, err)
	}
	q := u.Query()
	for k, vals := range v {
		for _, val := range vals {
			q.Add(k, val)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// page writes an HTML page, as GitHub answers a browser.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

// redirectBack answers the authorize step with a 302 to target carrying v.
func redirectBack(w http.ResponseWriter, r *http.Request, target string, v url.Values) {
	loc, err := withQuery(target, v)
	if err != nil {
		page(w, http.StatusInternalServerError, "Callback URL", "github fake: "+err.Error())
		return
	}
	http.Redirect(w, r, loc, http.StatusFound)
}

// redirectError sends the browser to target with one of GitHub's
// authorization errors (its code, description and the anchor of its
// documentation) and the state, as GitHub does.
func redirectError(w http.ResponseWriter, r *http.Request, target string, state url.Values, code, description, anchor string) {
	v := url.Values{"error": {code}, "error_description": {description}, "error_uri": {authorizeErrors + anchor}}
	for k, val := range state {
		v[k] = val
	}
	redirectBack(w, r, target, v)
}

// authorize is GET /login/oauth/authorize.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cid := q.Get("client_id")
	if cid == "" || (s.opts.ClientID != "" && cid != s.opts.ClientID) {
		// GitHub shows its HTML "Page not found" for an unknown client_id.
		page(w, http.StatusNotFound, "Page not found · GitHub", "This is not the web page you are looking for.")
		return
	}
	s.mu.Lock()
	callback, b := s.callback, s.browser
	s.mu.Unlock()
	if callback == "" {
		page(w, http.StatusInternalServerError, "No callback URL",
			"github fake: the app has no authorization callback URL; set Options.CallbackURL or call SetCallbackURL first.")
		return
	}
	state := url.Values{}
	if st, ok := q["state"]; ok {
		state.Set("state", st[0])
	}
	target := callback
	redirectURI := q.Get("redirect_uri")
	if redirectURI != "" {
		if !redirectAllowed(callback, redirectURI) {
			// GitHub sends the browser to the registered callback URL.
			redirectError(w, r, callback, state, "redirect_uri_mismatch",
				"The redirect_uri MUST match the registered callback URL for this application.", "#redirect-uri-mismatch")
			return
		}
		target = redirectURI
	}
	switch {
	case b.denies:
		redirectError(w, r, target, state, "access_denied", "The user has denied your application access.", "#access-denied")
	case b.login == "":
		// GitHub shows its sign-in form; the test has not signed anyone in.
		page(w, http.StatusOK, "Sign in to GitHub",
			"github fake: nobody is signed in; call SignInWeb (or POST /_fake/sign-in) or DenyWeb (POST /_fake/deny).")
	default:
		code := randHex(10)
		s.mu.Lock()
		s.webCodes[code] = &webCode{
			clientID:    cid,
			redirectURI: redirectURI,
			login:       b.login,
			scope:       q.Get("scope"),
			expires:     s.opts.Clock.Now().Add(webCodeLifetime),
		}
		s.mu.Unlock()
		v := url.Values{"code": {code}}
		for k, val := range state {
			v[k] = val
		}
		redirectBack(w, r, target, v)
	}
}

// exchangeCodeLocked is the web flow's POST /login/oauth/access_token with
// client_id, client_secret, code and redirect_uri; s.mu is held.
func (s *Server) exchangeCodeLocked(w http.ResponseWriter, r *http.Request, form url.Values, cid string) {
	if s.opts.ClientSecret == "" || form.Get("client_secret") != s.opts.ClientSecret {
		oauthError(w, r, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", exchangeErrors+"#incorrect-client-credentials")
		return
	}
	c, ok := s.webCodes[form.Get("code")]
	if !ok || c.used || c.clientID != cid || !s.opts.Clock.Now().Before(c.expires) {
		oauthError(w, r, "bad_verification_code", "The code passed is incorrect or expired.", exchangeErrors+"#bad-verification-code")
		return
	}
	redirectURI := form.Get("redirect_uri")
	mismatch := redirectURI != c.redirectURI
	if c.redirectURI == "" && redirectURI != "" {
		// The authorize step used the callback URL: a redirect_uri here
		// must still be one GitHub would have accepted there.
		mismatch = !redirectAllowed(s.callback, redirectURI)
	}
	if mismatch {
		oauthError(w, r, "redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", exchangeErrors+"#redirect-uri-mismatch")
		return
	}
	c.used = true
	tok := s.issueLocked(c.login, cid)
	reply(w, r, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "scope": grantedScope(c.scope)})
}

// grantedScope is the scope the exchange reports: the scopes asked for at
// authorize (space-delimited there) joined by commas, as in GitHub's example
// reply "scope=repo%2Cgist".
func grantedScope(asked string) string {
	return strings.Join(strings.FieldsFunc(asked, func(r rune) bool { return r == ' ' || r == ',' }), ",")
}
