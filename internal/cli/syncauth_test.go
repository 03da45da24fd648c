package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// silentServer accepts requests and never answers them; hit receives one
// value per request.
func silentServer(t *testing.T) (*httptest.Server, chan struct{}) {
	hit := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv, hit
}

func (h *cliHarness) signIn(serverURL string) string {
	h.t.Helper()
	path := filepath.Join(h.home, "credentials.json")
	b, _ := json.Marshal(map[string]any{"server_url": serverURL, "token": "jwt", "login": "octocat", "signed_in_at": t0})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		h.t.Fatal(err)
	}
	return path
}

// TestSyncInterruptedWithoutDaemon interrupts a one-off `worktimed sync`
// (no daemon) while it waits for the server: it must exit with the
// interrupted code and not claim an idle state with nothing pending.
func TestSyncInterruptedWithoutDaemon(t *testing.T) {
	h := newCLI(t)
	srv, hit := silentServer(t)
	h.signIn(srv.URL)
	h.ok("track", "start", "--repo", "acme/web", "--pr", "1", "--at", t0.Add(-time.Hour).Format(time.RFC3339))
	h.ok("track", "stop", "--at", t0.Add(-30*time.Minute).Format(time.RFC3339))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sync"}, Options{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: h.clk,
			Getenv:     func(k string) string { return h.env[k] },
			IsTerminal: func(io.Writer) bool { return false },
		})
	}()
	select {
	case <-hit:
	case <-time.After(10 * time.Second):
		t.Fatal("sync never reached the server")
	}
	cancel() // Ctrl-C
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sync did not stop when interrupted")
	}
	if code != ExitInterrupted {
		t.Errorf("exit %d, want %d; stdout %q, stderr %q", code, ExitInterrupted, out.String(), errb.String())
	}
	if strings.Contains(out.String(), "idle") || strings.Contains(out.String(), "Pending: 0") {
		t.Errorf("an interrupted sync reports %q", out.String())
	}
}

// TestLogoutServerNeverAnswers signs out against a server that never
// answers: the command must end (WORKTIME_SYNC_TIMEOUT bounds the request),
// delete the local credentials and say the server was not told.
func TestLogoutServerNeverAnswers(t *testing.T) {
	h := newCLI(t)
	srv, _ := silentServer(t)
	creds := h.signIn(srv.URL)
	h.env["WORKTIME_SYNC_TIMEOUT"] = "200ms"
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := h.run("logout")
		done <- result{code, out, errs}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logout hangs on a server that never answers")
	}
	if r.code != ExitOK {
		t.Errorf("exit %d, want 0 (signed out locally); stderr %q", r.code, r.err)
	}
	if _, err := os.Stat(creds); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("credentials.json after logout: %v, want it deleted", err)
	}
	if !strings.Contains(r.out, "Signed out") || !strings.Contains(r.err, "server could not be told") {
		t.Errorf("logout output: stdout %q, stderr %q; want the sign-out and a warning that the server was not told", r.out, r.err)
	}
}

// TestSyncProgressOnTerminal: a one-off sync that takes a while shows its
// progress on a terminal, on one line it erases before the result.
func TestSyncProgressOnTerminal(t *testing.T) {
	h := newCLI(t)
	srv, hit := silentServer(t)
	h.signIn(srv.URL)
	h.ok("track", "start", "acme/web#1", "--at", t0.Add(-time.Hour).Format(time.RFC3339))
	h.ok("track", "stop", "--at", t0.Add(-30*time.Minute).Format(time.RFC3339))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sync"}, Options{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: errb, Clock: h.clk,
			Getenv:     func(k string) string { return h.env[k] },
			IsTerminal: func(w io.Writer) bool { return w == io.Writer(errb) },
		})
	}()
	select {
	case <-hit:
	case <-time.After(10 * time.Second):
		t.Fatal("sync never reached the server")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errb.String(), "\rSyncing: pushed 0, pulled 0 sessions in 0 requests") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line on the terminal while the server is silent: %q", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sync did not stop when interrupted")
	}
	if e := errb.String(); !strings.Contains(e, "\r\033[K") || strings.Index(e, "\r\033[K") < strings.LastIndex(e, "Syncing:") {
		t.Errorf("the progress line is not erased before the result: %q", e)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
