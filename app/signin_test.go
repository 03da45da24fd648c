package app

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/fakes/github"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

// TestSignInAndSyncThroughDashboard signs in with the device flow through
// the dashboard's services (the daemon talks to the real worker in workerd
// and the GitHub fake), then syncs.
func TestSignInAndSyncThroughDashboard(t *testing.T) {
	const clientID = "Iv1.worktime-dashboard-test"
	const clientSecret = "dashboard-test-client-secret"
	gh := github.New(t, github.Options{ClientID: clientID, ClientSecret: clientSecret, Interval: 1})
	worker := synctest.StartWorker(t, "", freePort(t),
		"DEV_LOGIN=1", "GITHUB_CLIENT_ID="+clientID, "GITHUB_CLIENT_SECRET="+clientSecret, "GITHUB_API_BASE="+gh.APIBase(),
		"GITHUB_OAUTH_BASE="+gh.URL, "JWT_SECRET="+uuid.NewString()+uuid.NewString())

	home := shortHome(t)
	cfg := fmt.Sprintf("time_zone = \"UTC\"\n\n[sync]\nserver_url = %q\ngithub_client_id = %q\ninterval = \"10m\"\n", worker.URL, clientID)
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemonIn(t, home, "WORKTIME_GITHUB_OAUTH_BASE="+gh.URL, "WORKTIME_SYNC_DEBOUNCE=1h")
	ui := newRecordingUI("")
	dash := NewDashboard(t.Context(), Options{Daemon: d.client, UI: ui})

	now := time.Now().UTC().Truncate(time.Second)
	d.seed(t, "acme/api", 5, now.Add(-2*time.Hour), now.Add(-time.Hour))

	st, err := dash.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.SignedIn {
		t.Fatal("signed in before signing in")
	}
	if st.Sync.Pending < 1 {
		t.Fatalf("pending = %d before signing in, want the seeded session", st.Sync.Pending)
	}

	l, err := dash.LoginStart()
	if err != nil {
		t.Fatal(err)
	}
	if l.State != "pending" || l.UserCode == "" || l.VerificationURI != gh.VerificationURI() {
		t.Fatalf("LoginStart = %+v, want a pending sign-in with a code and %s", l, gh.VerificationURI())
	}
	if got, err := dash.LoginStatus(); err != nil || got.State != "pending" || got.UserCode != l.UserCode {
		t.Fatalf("LoginStatus before approval = %+v, %v", got, err)
	}
	if err := gh.Approve(l.UserCode, "octocat"); err != nil {
		t.Fatal(err)
	}
	// The daemon polls GitHub on its own schedule; so does the dashboard.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := dash.LoginStatus()
		if err != nil {
			t.Fatal(err)
		}
		if got.State == "signed_in" {
			if got.Login != "octocat" {
				t.Fatalf("signed in as %q", got.Login)
			}
			break
		}
		if got.State != "pending" || time.Now().After(deadline) {
			t.Fatalf("sign-in ended as %+v", got)
		}
		time.Sleep(200 * time.Millisecond)
	}

	st, err = dash.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.SignedIn || st.User == nil || st.User.Login != "octocat" {
		t.Fatalf("status after sign-in: signed_in %v, user %+v", st.SignedIn, st.User)
	}
	ss, err := dash.SyncNow()
	if err != nil {
		t.Fatal(err)
	}
	if ss.Pending != 0 || ss.LastError != "" || ss.LastSuccessAt == nil {
		t.Fatalf("after Sync now: %+v", ss)
	}
	select {
	case e := <-ui.events:
		if e != ChangedEvent {
			t.Fatalf("event %q", e)
		}
	default:
		t.Fatal("Sync now emitted no change event")
	}

	// Settings' rules: acme no longer syncs, and Withdraw takes its session
	// already on the server off it; it stays on this device.
	if _, err := dash.SaveRules(rules.Rules{Repos: []rules.Rule{{Match: "acme", Action: rules.DontSync}}}); err != nil {
		t.Fatal(err)
	}
	w, err := dash.WithdrawSessions()
	if err != nil || len(w.Withdrawn) != 1 || w.Withdrawn[0].RepoName != "api" {
		t.Fatalf("withdraw: %+v, %v", w, err)
	}
	if page, err := dash.Sessions(SessionFilter{Repo: "acme/api", Count: true}); err != nil || page.Total != 1 {
		t.Fatalf("the withdrawn session left this device: %+v, %v", page, err)
	}
	if _, err := dash.SyncNow(); err != nil {
		t.Fatal(err)
	}
	if w, err := dash.WithdrawSessions(); err != nil || len(w.Withdrawn) != 0 {
		t.Fatalf("a second withdraw after the sync: %+v, %v", w, err)
	}

	out, err := dash.Logout()
	if err != nil || out.State != "signed_out" {
		t.Fatalf("Logout = %+v, %v", out, err)
	}
	if st, err = dash.Status(); err != nil || st.SignedIn {
		t.Fatalf("after sign-out: %+v, %v", st, err)
	}
	if st.Sync.State != "signed_out" {
		t.Errorf("sync state after sign-out = %q, want signed_out", st.Sync.State)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
