package github_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/fakes/github"
)

// postJSON posts a JSON control and returns its status and body.
func postJSON(t *testing.T, gh *github.Server, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(gh.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// getUser is GET /user with token and the User-Agent ua ("" sends none).
func getUser(t *testing.T, gh *github.Server, token, ua string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", ua) // Go sends no User-Agent when it is set empty
	return doJSON(t, req)
}

func TestFixtureControls(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret", Controls: true})
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"user", "/_fake/users", `{"id":583231,"login":"octocat","email":"octocat@example.com","avatar_url":"https://avatars.example/u/583231"}`, 204, ""},
		{"user without email", "/_fake/users", `{"id":1000001,"login":"hubot","email":null}`, 204, ""},
		{"user with a bad login", "/_fake/users", `{"id":1,"login":"-x"}`, 400, "not a GitHub username"},
		{"user without id", "/_fake/users", `{"login":"x"}`, 400, "not a positive GitHub user id"},
		{"user with an unknown field", "/_fake/users", `{"id":1,"login":"x","admin":true}`, 400, "unknown field"},
		{"user not JSON", "/_fake/users", `octocat`, 400, "read JSON"},
		{"app token", "/_fake/tokens", `{"token":"gho_good","login":"octocat","kind":"app"}`, 204, ""},
		{"other app's token", "/_fake/tokens", `{"token":"gho_foreign","login":"octocat","kind":"other-app"}`, 204, ""},
		{"personal token", "/_fake/tokens", `{"token":"ghp_pat","login":"octocat","kind":"personal"}`, 204, ""},
		{"primary limit", "/_fake/tokens", `{"token":"gho_limited","login":"octocat","kind":"app","rate_limit":"primary"}`, 204, ""},
		{"secondary limit", "/_fake/tokens", `{"token":"gho_secondary","login":"hubot","kind":"app","rate_limit":"secondary"}`, 204, ""},
		{"unknown limit", "/_fake/tokens", `{"token":"gho_x","login":"octocat","kind":"app","rate_limit":"tertiary"}`, 400, "not primary or secondary"},
		{"unknown user", "/_fake/tokens", `{"token":"gho_x","login":"nobody","kind":"app"}`, 400, `no user "nobody"`},
		{"unknown kind", "/_fake/tokens", `{"token":"gho_x","login":"octocat","kind":"oauth"}`, 400, "not app, other-app or personal"},
		{"personal token as gho_", "/_fake/tokens", `{"token":"gho_x","login":"octocat","kind":"personal"}`, 400, "starts with ghp_"},
		{"app token as ghp_", "/_fake/tokens", `{"token":"ghp_x","login":"octocat","kind":"app"}`, 400, "starts with gho_"},
		{"not a token", "/_fake/tokens", `{"token":"good","login":"octocat","kind":"app"}`, 400, "not a GitHub token"},
		{"code", "/_fake/codes", `{"login":"octocat"}`, 200, `"code":"`},
		{"code for a bad login", "/_fake/codes", `{"login":"octo cat"}`, 400, "not a GitHub username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := postJSON(t, gh, tt.path, tt.body); status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("POST %s %s: %d %q, want %d with %q", tt.path, tt.body, status, body, tt.status, tt.want)
			}
		})
	}

	t.Run("GET /user answers the user's fields", func(t *testing.T) {
		for _, tc := range []struct {
			token       string
			login       string
			email       any
			avatar      string
			checkStatus int
		}{
			{"gho_good", "octocat", "octocat@example.com", "https://avatars.example/u/583231", 200},
			{"gho_foreign", "octocat", "octocat@example.com", "https://avatars.example/u/583231", 404},
			{"ghp_pat", "octocat", "octocat@example.com", "https://avatars.example/u/583231", 404},
		} {
			resp, u := getUser(t, gh, tc.token, "worktime-test")
			if resp.StatusCode != 200 || u["login"] != tc.login || u["email"] != tc.email || u["avatar_url"] != tc.avatar || u["id"] != float64(583231) {
				t.Errorf("GET /user with %s: %d %v", tc.token, resp.StatusCode, u)
			}
			if resp, _ := checkToken(t, gh, "Iv1.app", "s3cret", tc.token); resp.StatusCode != tc.checkStatus {
				t.Errorf("check %s: %d, want %d", tc.token, resp.StatusCode, tc.checkStatus)
			}
		}
	})
	t.Run("a user without a public email answers null and the default avatar", func(t *testing.T) {
		if status, body := postJSON(t, gh, "/_fake/tokens", `{"token":"gho_hubot","login":"hubot","kind":"app"}`); status != 204 {
			t.Fatalf("add token: %d %q", status, body)
		}
		_, u := getUser(t, gh, "gho_hubot", "worktime-test")
		if email, ok := u["email"]; !ok || email != nil || u["avatar_url"] != "https://avatars.githubusercontent.com/u/1000001" {
			t.Errorf("GET /user = %v, want email null and GitHub's default avatar", u)
		}
	})
	t.Run("rate limits are the token's own", func(t *testing.T) {
		resp, m := getUser(t, gh, "gho_limited", "worktime-test")
		if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("primary-limited token: %d %v, want 403 with x-ratelimit-remaining 0", resp.StatusCode, m)
		}
		resp, m = checkToken(t, gh, "Iv1.app", "s3cret", "gho_secondary")
		if msg, _ := m["message"].(string); resp.StatusCode != 403 || !strings.Contains(msg, "secondary rate limit") || resp.Header.Get("X-RateLimit-Remaining") != "" {
			t.Errorf("secondary-limited token check: %d %v, want 403 with the secondary limit's message and no headers", resp.StatusCode, m)
		}
		if resp, m := getUser(t, gh, "gho_good", "worktime-test"); resp.StatusCode != 200 {
			t.Errorf("another token of the limited user: %d %v, want 200", resp.StatusCode, m)
		}
	})
	t.Run("GET /user without a User-Agent is refused", func(t *testing.T) {
		if resp, m := getUser(t, gh, "gho_good", ""); resp.StatusCode != 403 {
			t.Errorf("GET /user without User-Agent: %d %v, want 403", resp.StatusCode, m)
		}
	})
	t.Run("a code from the control is exchanged once at the callback URL", func(t *testing.T) {
		gh.SetCallbackURL("http://worker.test/auth/github/callback")
		code, err := gh.IssueWebCode("octocat")
		if err != nil {
			t.Fatal(err)
		}
		p := map[string]string{"client_id": "Iv1.app", "client_secret": "s3cret", "code": code, "redirect_uri": "http://worker.test/auth/github/callback"}
		if _, m := exchange(t, gh, true, p); m["access_token"] == nil {
			t.Fatalf("exchange = %v, want a token", m)
		} else if _, u := getUser(t, gh, m["access_token"].(string), "worktime-test"); u["id"] != float64(583231) || u["email"] != "octocat@example.com" {
			t.Errorf("GET /user with the exchanged token = %v, want the added user", u)
		}
		if _, m := exchange(t, gh, true, p); m["error"] != "bad_verification_code" {
			t.Errorf("second exchange = %v, want bad_verification_code", m)
		}
		code, _ = gh.IssueWebCode("octocat")
		p["code"], p["redirect_uri"] = code, "http://elsewhere.test/auth/github/callback"
		if _, m := exchange(t, gh, true, p); m["error"] != "redirect_uri_mismatch" {
			t.Errorf("exchange at another redirect_uri = %v, want redirect_uri_mismatch", m)
		}
	})
}
