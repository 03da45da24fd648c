package github_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/fakes/github"
)

func TestUserEndpoint(t *testing.T) {
	gh := github.New(t, github.Options{})
	good := gh.IssueToken("octocat")
	tests := []struct {
		name, auth string
		status     int
		login      string
	}{
		{"bearer", "Bearer " + good, 200, "octocat"},
		{"token scheme", "token " + good, 200, "octocat"},
		{"bad token", "Bearer gho_nope", 401, ""},
		{"no header", "", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 401 && body["message"] != "Bad credentials" {
				t.Errorf("401 body = %v, want GitHub's Bad credentials", body)
			}
			if tt.login != "" && body["login"] != tt.login {
				t.Errorf("login = %v, want %s", body["login"], tt.login)
			}
		})
	}
	gh.RevokeToken(good)
	req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+good)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("revoked token: status = %d, want 401", resp.StatusCode)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.a"})
	post := func(form url.Values) map[string]any {
		_, m := postForm(t, gh.TokenURL(), form)
		return m
	}
	grant := "urn:ietf:params:oauth:grant-type:device_code"
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong client", url.Values{"client_id": {"x"}, "grant_type": {grant}, "device_code": {"d"}}, "incorrect_client_credentials"},
		{"wrong grant", url.Values{"client_id": {"Iv1.a"}, "grant_type": {"password"}, "device_code": {"d"}}, "unsupported_grant_type"},
		{"unknown code", url.Values{"client_id": {"Iv1.a"}, "grant_type": {grant}, "device_code": {"d"}}, "incorrect_device_code"},
	}
	for _, tt := range tests {
		if got := post(tt.form)["error"]; got != tt.want {
			t.Errorf("%s: error = %v, want %s", tt.name, got, tt.want)
		}
	}
	if err := gh.Approve("NOPE-NOPE", "x"); err == nil {
		t.Error("Approve of an unknown code succeeded")
	}
}

// checkToken calls "Check a token" as the app with secret.
func checkToken(t *testing.T, gh *github.Server, clientID, secret, token string) (*http.Response, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"access_token": token})
	req, _ := http.NewRequest("POST", gh.APIBase()+"/applications/"+clientID+"/token", strings.NewReader(string(body)))
	req.SetBasicAuth(clientID, secret)
	req.Header.Set("Accept", "application/vnd.github+json")
	return doJSON(t, req)
}

// postForm posts form as the OAuth clients do and decodes the JSON reply.
func postForm(t *testing.T, u string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return doJSON(t, req)
}

// doJSON sends req and decodes its JSON reply.
func doJSON(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return resp, m
}

func TestCheckToken(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret"})
	own := gh.IssueToken("octocat")
	foreign := gh.IssueForeignToken("octocat")
	pat := gh.IssuePersonalToken("octocat")
	if !strings.HasPrefix(pat, "ghp_") {
		t.Errorf("personal token %q, want the ghp_ prefix", pat)
	}
	tests := []struct {
		name, clientID, secret, token string
		status                        int
	}{
		{"the app's token", "Iv1.app", "s3cret", own, 200},
		{"another app's token", "Iv1.app", "s3cret", foreign, 404},
		{"a personal access token", "Iv1.app", "s3cret", pat, 404},
		{"an unknown token", "Iv1.app", "s3cret", "gho_nope", 404},
		{"a wrong secret", "Iv1.app", "wrong", own, 401},
		{"another client id", "Iv1.other", "s3cret", own, 401},
	}
	for _, tt := range tests {
		resp, body := checkToken(t, gh, tt.clientID, tt.secret, tt.token)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status = %d, want %d (%v)", tt.name, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.status == 200 {
			user, _ := body["user"].(map[string]any)
			app, _ := body["app"].(map[string]any)
			if user["login"] != "octocat" || app["client_id"] != "Iv1.app" {
				t.Errorf("%s: body = %v, want octocat's authorization of Iv1.app", tt.name, body)
			}
		}
	}
	// Every token is still good for GET /user: only the app check tells them apart.
	for _, tok := range []string{own, foreign, pat} {
		req, _ := http.NewRequest("GET", gh.APIBase()+"/user", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET /user with %s: status %d, want 200", tok[:4], resp.StatusCode)
		}
	}
}

func TestRateLimits(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app", ClientSecret: "s3cret"})
	own := gh.IssueToken("octocat")
	gh.SetRateLimit(github.PrimaryRateLimit)
	resp, body := checkToken(t, gh, "Iv1.app", "s3cret", own)
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("primary limit: status %d, remaining %q; want 403 and 0", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	gh.SetRateLimit(github.SecondaryRateLimit)
	resp, body = checkToken(t, gh, "Iv1.app", "s3cret", own)
	if msg, _ := body["message"].(string); resp.StatusCode != 403 || !strings.Contains(msg, "secondary rate limit") || resp.Header.Get("X-RateLimit-Remaining") != "" {
		t.Errorf("secondary limit: status %d, body %v, headers %v", resp.StatusCode, body, resp.Header)
	}
	gh.SetRateLimit(github.NotLimited)
	if resp, _ := checkToken(t, gh, "Iv1.app", "s3cret", own); resp.StatusCode != 200 {
		t.Errorf("after the limit: status %d, want 200", resp.StatusCode)
	}
}

func TestDeviceFlowFaults(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.app"})
	code := func() (int, map[string]any) {
		resp, m := postForm(t, gh.DeviceCodeURL(), url.Values{"client_id": {"Iv1.app"}})
		return resp.StatusCode, m
	}
	for _, tt := range []struct {
		fault  github.DeviceFlowFault
		status int
		error  string
	}{
		{github.DeviceFlowDisabled, 400, "device_flow_disabled"},
		{github.DeviceFlowUnauthorizedClient, 400, "unauthorized_client"},
		{github.DeviceFlowNoVerificationURI, 200, ""},
		{github.DeviceFlowOK, 200, ""},
	} {
		gh.SetDeviceFlowFault(tt.fault)
		status, body := code()
		if status != tt.status || (tt.error != "" && body["error"] != tt.error) {
			t.Errorf("fault %d: %d %v, want %d %s", tt.fault, status, body, tt.status, tt.error)
		}
		_, hasURI := body["verification_uri"]
		if want := tt.fault == github.DeviceFlowOK; hasURI != want {
			t.Errorf("fault %d: verification_uri present = %v, want %v", tt.fault, hasURI, want)
		}
	}
}
