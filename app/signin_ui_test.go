//go:build dashboardui

package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/fakes/github"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

// TestSignInUI drives the device-flow sign-in in the dashboard's page: the
// development build (DASHBOARD_DEV_BIN) in Chromium (frontend/e2e/
// signin.flow.mjs) against a real daemon, the real worker and the GitHub
// fake, which approves the code the page shows. scripts/test-dashboard.sh
// runs it inside its Xvfb session with -tags dashboardui.
func TestSignInUI(t *testing.T) {
	devBin := os.Getenv("DASHBOARD_DEV_BIN")
	if devBin == "" {
		t.Fatal("DASHBOARD_DEV_BIN is not set; run scripts/test-dashboard.sh")
	}
	root, err := synctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	const clientID = "Iv1.worktime-dashboard-ui"
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
	env := []string{"WORKTIME_GITHUB_OAUTH_BASE=" + gh.URL, "WORKTIME_SYNC_DEBOUNCE=1h"}
	d := startDaemonIn(t, home, env...)
	now := time.Now().UTC().Truncate(time.Second)
	d.seed(t, "acme/api", 5, now.Add(-2*time.Hour), now.Add(-time.Hour))

	// The development build serves the page and its Go side.
	port := freePort(t)
	var appLog bytes.Buffer
	app := exec.Command(devBin, "-devserver", fmt.Sprintf("127.0.0.1:%d", port), "-assetdir", filepath.Join(root, "frontend", "dist"), "-loglevel", "Warning")
	app.Env = append(append(os.Environ(), "WORKTIME_HOME="+home), env...)
	app.Stdout, app.Stderr = &appLog, &appLog
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	appDone := make(chan error, 1)
	go func() { appDone <- app.Wait() }()
	t.Cleanup(func() {
		app.Process.Kill()
		<-appDone
		if t.Failed() {
			t.Logf("dashboard log:\n%s", appLog.String())
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for {
		// The dev server gives no signal that it listens but answering.
		if resp, err := http.Get(url + "/"); err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the development build did not serve its page")
		case err := <-appDone:
			appDone <- err
			t.Fatalf("the development build exited: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}

	// The page prints the code it shows; approve it on the GitHub fake then,
	// as a user would.
	node := exec.CommandContext(ctx, "node", "--test", "e2e/signin.flow.mjs")
	node.Dir = filepath.Join(root, "frontend")
	node.Env = append(os.Environ(), "DASHBOARD_URL="+url, "VERIFICATION_URI="+gh.VerificationURI(), "WORKTIME_HOME="+home)
	stdout, err := node.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var nodeErr bytes.Buffer
	node.Stderr = &nodeErr
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	approved := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if _, code, ok := strings.Cut(line, "WORKTIME_USER_CODE="); ok && approved == "" {
			code = strings.TrimSpace(code)
			if code != gh.LastUserCode() {
				t.Errorf("the page shows %q, GitHub issued %q", code, gh.LastUserCode())
			}
			if err := gh.Approve(code, "octocat"); err != nil {
				t.Fatal(err)
			}
			approved = code
		}
	}
	if err := node.Wait(); err != nil {
		t.Fatalf("sign-in in the page: %v\n%s\n%s", err, out.String(), nodeErr.String())
	}
	if approved == "" {
		t.Fatalf("the page showed no code:\n%s", out.String())
	}
	st, err := d.client.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !st.SignedIn || st.User == nil || st.User.Login != "octocat" || st.Sync.Pending != 0 {
		t.Fatalf("daemon after the page's sign-in and sync: signed in %v, user %+v, pending %d", st.SignedIn, st.User, st.Sync.Pending)
	}
}
