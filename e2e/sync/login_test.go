package synce2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/fakes/github"
)

// TestDashboardLoginAndLogout drives sign-in and sign-out through the
// daemon's local API, as the dashboard does.
func TestDashboardLoginAndLogout(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	ctx := context.Background()
	start, err := d.client.LoginStart(ctx, api.LoginStartRequest{ServerURL: s.url()})
	if err != nil {
		t.Fatalf("login/start: %v", err)
	}
	if start.State != api.LoginPending || start.UserCode == "" || start.VerificationURI != s.gh.VerificationURI() || start.ExpiresAt == nil {
		t.Fatalf("login/start = %+v", start)
	}
	if err := s.gh.Approve(start.UserCode, "dashboard-user"); err != nil {
		t.Fatal(err)
	}
	d.waitFor("login/status signed_in", 30*time.Second, func() (bool, string) {
		st, err := d.client.LoginStatus(ctx)
		if err != nil {
			return false, err.Error()
		}
		return st.State == api.LoginSignedIn && st.Login == "dashboard-user", fmt.Sprintf("%+v", st)
	})
	want := d.track("acme/dash", 4, dayStart(1).Add(10*time.Hour), 42*time.Minute)
	d.waitSynced()
	tok := d.token()
	if got := serverSessions(t, s.url(), tok); len(got) != 1 || got[0].ID != want.ID {
		t.Fatalf("server sessions = %+v, want the tracked one", got)
	}

	out, err := d.client.Logout(ctx)
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	if out.State != api.SyncSignedOut || out.Warning != "" {
		t.Errorf("logout = %v", out)
	}
	if _, err := os.Stat(filepath.Join(d.home, "credentials.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("credentials still stored after logout: %v", err)
	}
	if code := statusOf(t, s.url(), tok); code != http.StatusUnauthorized {
		t.Errorf("the old token still works at the server: HTTP %d", code)
	}
	st := d.status()
	if st.SignedIn || st.Sync.State != "signed_out" {
		t.Errorf("status after logout: signed in %v, sync %+v", st.SignedIn, st.Sync)
	}
	if ss, err := d.client.Sessions(ctx, localclientQuery()); err != nil || len(ss) != 1 {
		t.Errorf("local sessions after logout: %d, %v; want the 1 kept", len(ss), err)
	}
}

// TestCLILogoutAndDevLogin: `worktimed logout` revokes the token at the
// server and deletes it; `login --dev-user` signs in without GitHub when the
// worker allows it.
func TestCLILogoutAndDevLogin(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	out := d.mustRun("login", "--server", s.url(), "--dev-user", "alice")
	if !strings.Contains(out, "Signed in as alice at "+s.url()) {
		t.Fatalf("login --dev-user printed %q", out)
	}
	tok := d.token()
	if code := statusOf(t, s.url(), tok); code != 200 {
		t.Fatalf("the dev token is refused: HTTP %d", code)
	}
	out = d.mustRun("logout")
	if !strings.Contains(out, "Signed out") {
		t.Errorf("logout printed %q", out)
	}
	if code := statusOf(t, s.url(), tok); code != http.StatusUnauthorized {
		t.Errorf("the token still works after logout: HTTP %d", code)
	}
	if out, err := d.run("sync"); err == nil || !strings.Contains(out, "signed_out") {
		t.Errorf("sync after logout: %v, %q; want a failure naming signed_out", err, out)
	}
	// A second logout is not an error.
	d.mustRun("logout")
	// Bad usage is reported.
	if _, err := d.run("login", "--server", "ftp://x"); err == nil {
		t.Error("login with an ftp:// server succeeded")
	}
}

// TestGitHubTokenMustBelongToTheApp: the worker trades only GitHub tokens
// issued to its OAuth app. A token of another OAuth app or a personal access
// token of the same user (both good for GitHub's /user) is refused, and
// GitHub's rate limit is reported as GitHub being unavailable, not as a
// rejected token.
func TestGitHubTokenMustBelongToTheApp(t *testing.T) {
	s := newStack(t, "")
	exchange := func(token string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"access_token": token})
		resp, err := http.Post(s.url()+"/auth/github/token", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error.Code + ": " + e.Error.Message
	}
	for name, tok := range map[string]string{
		"another app's token":     s.gh.IssueForeignToken("mallory-target"),
		"a personal access token": s.gh.IssuePersonalToken("mallory-target"),
	} {
		if code, msg := exchange(tok); code != http.StatusUnauthorized || !strings.Contains(msg, "not issued to this app") {
			t.Errorf("%s: HTTP %d %q, want 401 naming the app", name, code, msg)
		}
	}
	own := s.gh.IssueToken("mallory-target")
	for _, rl := range []github.RateLimit{github.PrimaryRateLimit, github.SecondaryRateLimit} {
		s.gh.SetRateLimit(rl)
		if code, msg := exchange(own); code != http.StatusBadGateway || !strings.Contains(msg, "rate limit") {
			t.Errorf("rate limit %d: HTTP %d %q, want 502 naming the rate limit", rl, code, msg)
		}
	}
	s.gh.SetRateLimit(github.NotLimited)
	if code, msg := exchange(own); code != http.StatusOK {
		t.Errorf("the app's own token: HTTP %d %q, want 200", code, msg)
	}
}

// TestLoginWithDeviceFlowDisabled: when the OAuth app does not allow the
// device flow, `worktimed login` and the dashboard's sign-in say to enable
// it in the app's settings.
func TestLoginWithDeviceFlowDisabled(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	for _, fault := range []github.DeviceFlowFault{github.DeviceFlowDisabled, github.DeviceFlowUnauthorizedClient, github.DeviceFlowNoVerificationURI} {
		s.gh.SetDeviceFlowFault(fault)
		out, err := d.run("login", "--server", s.url(), "--no-browser")
		if err == nil || !strings.Contains(err.Error(), "Enable Device Flow") {
			t.Errorf("fault %d: login = %q, %v; want a failure telling to enable Device Flow", fault, out, err)
		}
	}
	s.gh.SetDeviceFlowFault(github.DeviceFlowDisabled)
	d.startDaemon()
	_, err := d.client.LoginStart(context.Background(), api.LoginStartRequest{ServerURL: s.url()})
	if err == nil || !strings.Contains(err.Error(), "Enable Device Flow") {
		t.Errorf("login/start: %v; want an error telling to enable Device Flow", err)
	}
	// Once enabled, the same device signs in.
	s.gh.SetDeviceFlowFault(github.DeviceFlowOK)
	d.stopDaemon()
	d.login(s, "enabled-later", s.url())
}

// statusOf is the HTTP status of GET /api/sessions with token.
func statusOf(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/sessions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
