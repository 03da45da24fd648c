package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the command itself: with
// FAKEGITHUB_AS_MAIN=1 the test binary is fakegithub.
func TestMain(m *testing.M) {
	if os.Getenv("FAKEGITHUB_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestBadCommandLines(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", nil, "-client-id is required"},
		{"no secret", []string{"-client-id", "Iv1.app"}, "-client-secret is required"},
		{"unknown flag", []string{"-client-id", "Iv1.app", "-client-secret", "s", "-port", "80"}, "flag provided but not defined: -port"},
		{"an argument", []string{"-client-id", "Iv1.app", "-client-secret", "s", "serve"}, `unexpected argument "serve"`},
		{"a relative callback URL", []string{"-client-id", "Iv1.app", "-client-secret", "s", "-callback-url", "/auth/github/callback"}, "not an absolute http(s) URL"},
		{"a login GitHub refuses", []string{"-client-id", "Iv1.app", "-client-secret", "s", "-sign-in", "octo--cat"}, "not a GitHub username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Fatalf("run: %v, want a usage error", err)
			}
			if !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "-client-secret") {
				t.Errorf("stderr %q, want %q and the usage", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// start runs the command as a process and returns it, its stdin and the URL
// it printed.
func start(t *testing.T, args ...string) (*exec.Cmd, io.WriteCloser, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAKEGITHUB_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v (stderr %q)", err, stderr.String())
	}
	m := regexp.MustCompile(`^FAKE_GITHUB_URL=(http://127\.0\.0\.1:[0-9]+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q, want FAKE_GITHUB_URL=http://127.0.0.1:PORT", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return cmd, stdin, m[1]
}

// wait waits for cmd to end and returns its exit code.
func wait(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not end")
		return -1
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorizeLocation is where the fake's authorize step sends the browser.
func authorizeLocation(t *testing.T, base string) *url.URL {
	t.Helper()
	resp, err := noRedirect.Get(base + "/login/oauth/authorize?client_id=Iv1.app&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc
}

func TestProcess(t *testing.T) {
	cmd, stdin, base := start(t, "-client-id", "Iv1.app", "-client-secret", "s3cret",
		"-callback-url", "http://127.0.0.1:8787/auth/github/callback", "-sign-in", "octocat")

	// Signed in by the flag: a code, exchanged with the worker's JSON body.
	loc := authorizeLocation(t, base)
	code := loc.Query().Get("code")
	if code == "" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("authorize sent the browser to %s, want a code and the state", loc)
	}
	body, _ := json.Marshal(map[string]string{"client_id": "Iv1.app", "client_secret": "s3cret", "code": code})
	req, _ := http.NewRequest("POST", base+"/login/oauth/access_token", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok["access_token"] == nil {
		t.Fatalf("exchange: %v %v, want a token", tok, err)
	}

	// The controls switch the callback URL and the user's answer.
	post := func(path, body string) int {
		resp, err := http.Post(base+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post("/_fake/callback-url", "http://127.0.0.1:9999/cb"); s != 204 {
		t.Fatalf("POST /_fake/callback-url: %d", s)
	}
	if s := post("/_fake/deny", ""); s != 204 {
		t.Fatalf("POST /_fake/deny: %d", s)
	}
	loc = authorizeLocation(t, base)
	if loc.Host != "127.0.0.1:9999" || loc.Query().Get("error") != "access_denied" {
		t.Errorf("after the controls the browser goes to %s, want access_denied at the new callback", loc)
	}
	if s := post("/_fake/sign-in", "not a login!"); s != 400 {
		t.Errorf("POST /_fake/sign-in with a bad login: %d, want 400", s)
	}

	// Closing stdin ends it.
	stdin.Close()
	if code := wait(t, cmd); code != 0 {
		t.Errorf("exit code %d after stdin closed, want 0", code)
	}
}

func TestProcessEnds(t *testing.T) {
	t.Run("on SIGTERM", func(t *testing.T) {
		cmd, _, base := start(t, "-client-id", "Iv1.app", "-client-secret", "s3cret")
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := wait(t, cmd); code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
		if _, err := http.Get(base + "/user"); err == nil {
			t.Error("the fake still answers after it ended")
		}
	})
	t.Run("with status 2 on bad flags", func(t *testing.T) {
		cmd := exec.Command(os.Args[0], "-client-id", "Iv1.app")
		cmd.Env = append(os.Environ(), "FAKEGITHUB_AS_MAIN=1")
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "-client-secret is required") {
			t.Errorf("exit code %d, output %q; want 2 and the reason", code, out)
		}
	})
}
