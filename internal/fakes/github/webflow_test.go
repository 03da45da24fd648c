package github_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/fakes/github"
)

// noRedirect is a client that shows GitHub's redirects instead of following
// them, as a test of the authorize step must.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize opens GET /login/oauth/authorize with q as the browser does and
// returns the status, the Location (parsed; nil without one) and the body.
func authorize(t *testing.T, gh *github.Server, q url.Values) (int, *url.URL, string) {
	t.Helper()
	resp, err := noRedirect.Get(gh.AuthorizeURL() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var loc *url.URL
	if l := resp.Header.Get("Location"); l != "" {
		if loc, err = url.Parse(l); err != nil {
			t.Fatalf("Location %q: %v", l, err)
		}
	}
	return resp.StatusCode, loc, string(body)
}

// without is u with no query: where a redirect sends the browser.
func without(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}

// TestRedirectURLRules checks GitHub's documented redirect URL examples
// (https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#redirect-urls
// and #loopback-redirect-urls): a good redirect_uri gets the code, a bad one
// sends the browser to the registered callback URL with
// redirect_uri_mismatch.
func TestRedirectURLRules(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret"})
	gh.SignInWeb("octocat")
	tests := []struct {
		callback, redirect string
		good               bool
	}{
		// GitHub's examples for the callback URL http://example.com/path.
		{"http://example.com/path", "http://example.com/path", true},
		{"http://example.com/path", "http://example.com/path/subdir/other", true},
		{"http://example.com/path", "http://oauth.example.com/path", true},
		{"http://example.com/path", "http://oauth.example.com/path/subdir/other", true},
		{"http://example.com/path", "http://example.com/bar", false},
		{"http://example.com/path", "http://example.com/", false},
		{"http://example.com/path", "http://example.com:8080/path", false},
		{"http://example.com/path", "http://oauth.example.com:8080/path", false},
		{"http://example.com/path", "http://example.org", false},
		// A loopback callback URL allows any port, not another path.
		{"http://127.0.0.1/path", "http://127.0.0.1:1234/path", true},
		{"http://127.0.0.1/path", "http://127.0.0.1:1234/other", false},
		// A subdirectory, not a longer name; the same scheme; a written
		// default port is the same port; another host ending alike is not a
		// sub-domain.
		{"http://example.com/path", "http://example.com/pathology", false},
		{"http://example.com/path", "https://example.com/path", false},
		{"http://example.com/path", "http://example.com:80/path/x", true},
		{"http://example.com/path", "http://badexample.com/path", false},
		{"http://127.0.0.1:8787/auth/github/callback", "http://127.0.0.1:8787/auth/github/callback", true},
		{"https://worktime.example/auth/github/callback", "https://worktime.example/auth/github/callback?x=1", true},
		{"https://worktime.example/auth/github/callback", "not a url", false},
	}
	for _, tt := range tests {
		t.Run(tt.callback+" "+tt.redirect, func(t *testing.T) {
			gh.SetCallbackURL(tt.callback)
			status, loc, body := authorize(t, gh, url.Values{"client_id": {"Iv1.app"}, "redirect_uri": {tt.redirect}, "state": {"st 1/2"}})
			if status != http.StatusFound || loc == nil {
				t.Fatalf("status %d, Location %v, body %q: want a 302", status, loc, body)
			}
			q := loc.Query()
			if q.Get("state") != "st 1/2" {
				t.Errorf("state = %q, want it unchanged", q.Get("state"))
			}
			if tt.good {
				want, _ := url.Parse(tt.redirect)
				if without(loc) != without(want) || q.Get("code") == "" || q.Get("error") != "" {
					t.Errorf("redirect to %s, want %s with a code", loc, tt.redirect)
				}
				if want.RawQuery != "" && q.Get("x") != want.Query().Get("x") {
					t.Errorf("redirect to %s lost the redirect_uri's own query", loc)
				}
				return
			}
			if without(loc) != tt.callback || q.Get("code") != "" {
				t.Errorf("redirect to %s, want the registered callback %s without a code", loc, tt.callback)
			}
			if q.Get("error") != "redirect_uri_mismatch" ||
				q.Get("error_description") != "The redirect_uri MUST match the registered callback URL for this application." ||
				!strings.HasSuffix(q.Get("error_uri"), "troubleshooting-authorization-request-errors#redirect-uri-mismatch") {
				t.Errorf("error parameters %v, want GitHub's redirect_uri_mismatch", q)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	const callback = "http://127.0.0.1:8787/auth/github/callback"
	tests := []struct {
		name     string
		callback string // registered ("" for none)
		user     func(*github.Server)
		query    url.Values
		status   int
		location string            // where the 302 goes ("" for no redirect)
		params   map[string]string // expected Location parameters ("*" any non-empty)
		page     string            // text the HTML page must show
	}{
		{
			name: "signed in, no redirect_uri: the callback URL", callback: callback,
			user:   func(s *github.Server) { s.SignInWeb("octocat") },
			query:  url.Values{"client_id": {"Iv1.app"}, "scope": {"read:user"}, "state": {"xyz"}},
			status: 302, location: callback, params: map[string]string{"code": "*", "state": "xyz"},
		},
		{
			name: "signed in, without state", callback: callback,
			user:   func(s *github.Server) { s.SignInWeb("octocat") },
			query:  url.Values{"client_id": {"Iv1.app"}},
			status: 302, location: callback, params: map[string]string{"code": "*", "state": ""},
		},
		{
			name: "the user cancels", callback: callback,
			user:   func(s *github.Server) { s.DenyWeb() },
			query:  url.Values{"client_id": {"Iv1.app"}, "redirect_uri": {callback + "/sub"}, "state": {"xyz"}},
			status: 302, location: callback + "/sub", params: map[string]string{
				"code": "", "state": "xyz", "error": "access_denied",
				"error_description": "The user has denied your application access.",
				"error_uri":         "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors#access-denied",
			},
		},
		{
			name: "nobody signed in", callback: callback,
			user:   func(*github.Server) {},
			query:  url.Values{"client_id": {"Iv1.app"}, "state": {"xyz"}},
			status: 200, page: "nobody is signed in",
		},
		{
			name: "signed out again", callback: callback,
			user:   func(s *github.Server) { s.SignInWeb("octocat"); s.SignInWeb("") },
			query:  url.Values{"client_id": {"Iv1.app"}},
			status: 200, page: "nobody is signed in",
		},
		{
			name: "a mismatch is told before anyone signs in", callback: callback,
			user:   func(*github.Server) {},
			query:  url.Values{"client_id": {"Iv1.app"}, "redirect_uri": {"http://127.0.0.1:8787/elsewhere"}, "state": {"xyz"}},
			status: 302, location: callback, params: map[string]string{"error": "redirect_uri_mismatch", "state": "xyz", "code": ""},
		},
		{
			name: "another app's client_id", callback: callback,
			user:   func(s *github.Server) { s.SignInWeb("octocat") },
			query:  url.Values{"client_id": {"Iv1.other"}, "state": {"xyz"}},
			status: 404, page: "Page not found",
		},
		{
			name: "no client_id", callback: callback,
			user:   func(s *github.Server) { s.SignInWeb("octocat") },
			query:  url.Values{"state": {"xyz"}},
			status: 404, page: "Page not found",
		},
		{
			name:   "no callback URL registered",
			user:   func(s *github.Server) { s.SignInWeb("octocat") },
			query:  url.Values{"client_id": {"Iv1.app"}},
			status: 500, page: "SetCallbackURL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret", CallbackURL: tt.callback})
			tt.user(gh)
			status, loc, body := authorize(t, gh, tt.query)
			if status != tt.status {
				t.Fatalf("status %d (%q), want %d", status, body, tt.status)
			}
			if tt.location == "" {
				if loc != nil {
					t.Errorf("redirected to %s, want no redirect", loc)
				}
				if !strings.Contains(body, tt.page) || !strings.HasPrefix(body, "<!DOCTYPE html>") {
					t.Errorf("page %q, want an HTML page saying %q", body, tt.page)
				}
				return
			}
			if loc == nil || without(loc) != tt.location {
				t.Fatalf("redirected to %v, want %s", loc, tt.location)
			}
			q := loc.Query()
			for k, want := range tt.params {
				if got := q.Get(k); (want == "*" && got == "") || (want != "*" && got != want) {
					t.Errorf("%s = %q, want %q (Location %s)", k, got, want, loc)
				}
			}
		})
	}
}

// exchange posts the code exchange as JSON (as the worker does) or as a
// form, asking for JSON, and returns the decoded reply.
func exchange(t *testing.T, gh *github.Server, asJSON bool, p map[string]string) (int, map[string]any) {
	t.Helper()
	var req *http.Request
	if asJSON {
		b, _ := json.Marshal(p)
		req, _ = http.NewRequest("POST", gh.TokenURL(), strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
	} else {
		form := url.Values{}
		for k, v := range p {
			form.Set(k, v)
		}
		req, _ = http.NewRequest("POST", gh.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	resp, m := doJSON(t, req)
	return resp.StatusCode, m
}

// codeFor runs the authorize step signed in as login and returns the code.
func codeFor(t *testing.T, gh *github.Server, login, redirectURI string) string {
	t.Helper()
	gh.SignInWeb(login)
	q := url.Values{"client_id": {"Iv1.app"}, "scope": {"read:user user:email"}, "state": {"s"}}
	if redirectURI != "" {
		q.Set("redirect_uri", redirectURI)
	}
	status, loc, body := authorize(t, gh, q)
	if status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %v %q, want a redirect with a code", status, loc, body)
	}
	return loc.Query().Get("code")
}

func TestCodeExchange(t *testing.T) {
	const (
		callback = "http://127.0.0.1:8787/auth/github/callback"
		sub      = callback + "/extension"
	)
	clk := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret", CallbackURL: callback, Clock: clk})
	// Device Flow left disabled touches only the device flow.
	gh.SetDeviceFlowFault(github.DeviceFlowDisabled)
	app := func(code, redirectURI string) map[string]string {
		p := map[string]string{"client_id": "Iv1.app", "client_secret": "s3cret", "code": code}
		if redirectURI != "" {
			p["redirect_uri"] = redirectURI
		}
		return p
	}
	used := codeFor(t, gh, "hubot", "")
	if _, m := exchange(t, gh, true, app(used, "")); m["access_token"] == nil {
		t.Fatalf("first exchange: %v, want a token", m)
	}
	tests := []struct {
		name    string
		json    bool
		params  func() map[string]string
		advance time.Duration
		error   string
	}{
		{name: "JSON body", json: true, params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), "") }},
		{name: "form body", params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), "") }},
		{name: "grant_type authorization_code", json: true, params: func() map[string]string {
			p := app(codeFor(t, gh, "octocat", ""), "")
			p["grant_type"] = "authorization_code"
			return p
		}},
		{name: "the same redirect_uri as at authorize", json: true, params: func() map[string]string { return app(codeFor(t, gh, "octocat", sub), sub) }},
		{name: "a redirect_uri only here, one GitHub accepts", params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), callback) }},
		{name: "just before 10 minutes", json: true, advance: 10*time.Minute - time.Second,
			params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), "") }},

		{name: "10 minutes later", json: true, advance: 10 * time.Minute, error: "bad_verification_code",
			params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), "") }},
		{name: "a used code", json: true, error: "bad_verification_code", params: func() map[string]string { return app(used, "") }},
		{name: "an unknown code", error: "bad_verification_code", params: func() map[string]string { return app("0123456789abcdef0123", "") }},
		{name: "no code", json: true, error: "bad_verification_code", params: func() map[string]string { return app("", "") }},
		{name: "a wrong secret", json: true, error: "incorrect_client_credentials", params: func() map[string]string {
			p := app(codeFor(t, gh, "octocat", ""), "")
			p["client_secret"] = "wrong"
			return p
		}},
		{name: "no secret", error: "incorrect_client_credentials", params: func() map[string]string {
			p := app(codeFor(t, gh, "octocat", ""), "")
			delete(p, "client_secret")
			return p
		}},
		{name: "another client id", json: true, error: "incorrect_client_credentials", params: func() map[string]string {
			p := app(codeFor(t, gh, "octocat", ""), "")
			p["client_id"] = "Iv1.other"
			return p
		}},
		{name: "another redirect_uri than at authorize", json: true, error: "redirect_uri_mismatch",
			params: func() map[string]string { return app(codeFor(t, gh, "octocat", sub), callback) }},
		{name: "no redirect_uri though authorize had one", error: "redirect_uri_mismatch",
			params: func() map[string]string { return app(codeFor(t, gh, "octocat", sub), "") }},
		{name: "a redirect_uri only here, one GitHub refuses", json: true, error: "redirect_uri_mismatch",
			params: func() map[string]string { return app(codeFor(t, gh, "octocat", ""), "http://127.0.0.1:8787/elsewhere") }},
		{name: "another grant type", json: true, error: "unsupported_grant_type", params: func() map[string]string {
			p := app(codeFor(t, gh, "octocat", ""), "")
			p["grant_type"] = "refresh_token"
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params()
			clk.Advance(tt.advance)
			status, m := exchange(t, gh, tt.json, p)
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200 as GitHub answers errors too", status)
			}
			if tt.error != "" {
				uri, _ := m["error_uri"].(string)
				if m["error"] != tt.error || m["error_description"] == nil || !strings.HasPrefix(uri, "https://docs.github.com/") || m["access_token"] != nil {
					t.Errorf("reply %v, want the error %s with its description and error_uri", m, tt.error)
				}
				return
			}
			tok, _ := m["access_token"].(string)
			if tok == "" || m["token_type"] != "bearer" || m["scope"] != "read:user,user:email" {
				t.Fatalf("reply %v, want a bearer token with the scopes asked for, comma-separated", m)
			}
			// The token is the app's, for the signed-in login.
			if resp, body := checkToken(t, gh, "Iv1.app", "s3cret", tok); resp.StatusCode != 200 {
				t.Errorf("check a token: %d %v, want 200", resp.StatusCode, body)
			}
			req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if _, u := doJSON(t, req); u["login"] != "octocat" {
				t.Errorf("GET /user = %v, want octocat", u)
			}
			// A code is good once.
			if _, again := exchange(t, gh, tt.json, p); again["error"] != "bad_verification_code" {
				t.Errorf("second exchange of the code: %v, want bad_verification_code", again)
			}
		})
	}
}

// A code is bound to the client that asked for it, even when the fake
// accepts any client id.
func TestCodeBoundToClient(t *testing.T) {
	gh := github.New(t, github.Options{ClientSecret: "s3cret", CallbackURL: "http://127.0.0.1:8787/cb"})
	gh.SignInWeb("octocat")
	_, loc, _ := authorize(t, gh, url.Values{"client_id": {"Iv1.first"}})
	code := loc.Query().Get("code")
	_, m := exchange(t, gh, true, map[string]string{"client_id": "Iv1.second", "client_secret": "s3cret", "code": code})
	if m["error"] != "bad_verification_code" {
		t.Errorf("exchange by another client: %v, want bad_verification_code", m)
	}
	_, m = exchange(t, gh, true, map[string]string{"client_id": "Iv1.first", "client_secret": "s3cret", "code": code})
	if m["access_token"] == nil {
		t.Errorf("exchange by the client that asked: %v, want a token", m)
	}
}

func TestTokenEndpointBodies(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret", CallbackURL: "http://127.0.0.1:8787/cb"})
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    string // in the reply
	}{
		{"malformed JSON", "application/json", `{"client_id":`, 400, "read JSON body"},
		{"JSON that is not an object", "application/json; charset=utf-8", `["Iv1.app"]`, 400, "read JSON body"},
		{"a JSON field that is not a string", "application/json", `{"client_id":{"a":1}}`, 400, "client_id is not a string"},
		{"a JSON device flow poll", "application/json", `{"client_id":"Iv1.app","device_code":"nope","grant_type":"urn:ietf:params:oauth:grant-type:device_code"}`, 200, "incorrect_device_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(gh.TokenURL(), tt.contentType, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Errorf("%d %q, want %d with %q", resp.StatusCode, b, tt.status, tt.want)
			}
		})
	}
	// Without Accept: application/json GitHub answers form-encoded.
	gh.SignInWeb("octocat")
	_, loc, _ := authorize(t, gh, url.Values{"client_id": {"Iv1.app"}, "scope": {"read:user"}})
	resp, err := http.PostForm(gh.TokenURL(), url.Values{"client_id": {"Iv1.app"}, "client_secret": {"s3cret"}, "code": {loc.Query().Get("code")}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	form, err := url.ParseQuery(string(b))
	if err != nil || !strings.HasPrefix(form.Get("access_token"), "gho_") || form.Get("scope") != "read:user" || form.Get("token_type") != "bearer" {
		t.Errorf("form reply %q (%v), want access_token, scope and token_type", b, err)
	}
}

func TestControls(t *testing.T) {
	post := func(t *testing.T, gh *github.Server, path, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(gh.URL+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	t.Run("off unless asked for", func(t *testing.T) {
		gh := github.New(t, github.Options{ClientID: "Iv1.app"})
		if status, _ := post(t, gh, "/_fake/deny", ""); status != 404 {
			t.Errorf("POST /_fake/deny without Controls: %d, want 404", status)
		}
	})
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret", Controls: true})
	tests := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/_fake/callback-url", "", 400, "not an absolute http(s) URL"},
		{"/_fake/callback-url", "/auth/github/callback", 400, "not an absolute http(s) URL"},
		{"/_fake/callback-url", "chrome-extension://abc/cb", 400, "not an absolute http(s) URL"},
		{"/_fake/callback-url", "http://127.0.0.1:8787/auth/github/callback\n", 204, ""},
		{"/_fake/sign-in", "", 400, "not a GitHub username"},
		{"/_fake/sign-in", "-octocat", 400, "not a GitHub username"},
		{"/_fake/sign-in", "octo cat", 400, "not a GitHub username"},
		{"/_fake/sign-in", strings.Repeat("a", 40), 400, "not a GitHub username"},
		{"/_fake/sign-in", "octo-cat", 204, ""},
		{"/_fake/approve-devices", "", 400, "not a GitHub username"},
		{"/_fake/approve-devices", "octo cat", 400, "not a GitHub username"},
	}
	for _, tt := range tests {
		if status, body := post(t, gh, tt.path, tt.body); status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("POST %s %q: %d %q, want %d with %q", tt.path, tt.body, status, body, tt.status, tt.want)
		}
	}
	_, loc, _ := authorize(t, gh, url.Values{"client_id": {"Iv1.app"}})
	if loc == nil || without(loc) != "http://127.0.0.1:8787/auth/github/callback" || loc.Query().Get("code") == "" {
		t.Fatalf("after the controls, authorize redirected to %v; want the callback set with a code", loc)
	}
	_, m := exchange(t, gh, true, map[string]string{"client_id": "Iv1.app", "client_secret": "s3cret", "code": loc.Query().Get("code")})
	tok, _ := m["access_token"].(string)
	req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if _, u := doJSON(t, req); u["login"] != "octo-cat" {
		t.Errorf("GET /user = %v, want the login signed in by the control", u)
	}
	// A device code issued after approve-devices is approved for that login at once.
	if status, body := post(t, gh, "/_fake/approve-devices", "octo-cat"); status != 204 {
		t.Fatalf("POST /_fake/approve-devices: %d %q, want 204", status, body)
	}
	dreq, _ := http.NewRequest("POST", gh.DeviceCodeURL(), strings.NewReader(url.Values{"client_id": {"Iv1.app"}, "scope": {"read:user"}}.Encode()))
	dreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	dreq.Header.Set("Accept", "application/json")
	_, dc := doJSON(t, dreq)
	treq, _ := http.NewRequest("POST", gh.TokenURL(), strings.NewReader(url.Values{"client_id": {"Iv1.app"}, "device_code": {dc["device_code"].(string)}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}}.Encode()))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.Header.Set("Accept", "application/json")
	if _, m := doJSON(t, treq); m["access_token"] == nil {
		t.Errorf("device token after approve-devices = %v, want an access token", m)
	}
	if status, _ := post(t, gh, "/_fake/deny", ""); status != 204 {
		t.Fatalf("POST /_fake/deny: %d, want 204", status)
	}
	if _, loc, _ := authorize(t, gh, url.Values{"client_id": {"Iv1.app"}}); loc == nil || loc.Query().Get("error") != "access_denied" {
		t.Errorf("after deny, authorize redirected to %v; want access_denied", loc)
	}
	resp, err := http.Get(gh.URL + "/_fake/deny")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /_fake/deny: %d, want 405", resp.StatusCode)
	}
}
