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
		req, _ := http.NewRequest("POST", gh.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
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
