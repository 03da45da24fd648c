package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localclient"
)

// worktimedBin is the daemon built once for the package's tests from
// ./cmd/worktimed.
var worktimedBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wtapp")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdir:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	worktimedBin = filepath.Join(dir, "worktimed")
	cmd := exec.Command("go", "build", "-o", worktimedBin, "../cmd/worktimed")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build worktimed: %v\n%s", err, out)
		return 2
	}
	return m.Run()
}

// shortHome is a fresh WORKTIME_HOME short enough for a Unix socket path.
func shortHome(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := "time_zone = \"UTC\"\n"
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testDaemon is a real `worktimed run` on a temporary home.
type testDaemon struct {
	home   string
	client *localclient.Client
}

// startDaemon runs worktimed on a fresh home until the test ends.
func startDaemon(t testing.TB) *testDaemon {
	t.Helper()
	return startDaemonIn(t, shortHome(t))
}

// startDaemonIn runs worktimed on home, with extra environment variables.
func startDaemonIn(t testing.TB, home string, env ...string) *testDaemon {
	t.Helper()
	cmd := exec.Command(worktimedBin, "--home", home, "run", "-log-level", "info")
	cmd.Env = append(append(os.Environ(), "WORKTIME_HOME="+home), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worktimed: %v", err)
	}
	exited := make(chan error, 1)
	running := make(chan struct{})
	var logs strings.Builder
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		seen := false
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if !seen && strings.Contains(sc.Text(), "local API listening") {
				seen = true
				close(running)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-logDone
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("worktimed log:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case <-running:
	case err := <-exited:
		t.Fatalf("worktimed exited before running: %v\n%s", err, logs.String())
	case <-ctx.Done():
		t.Fatalf("worktimed did not start:\n%s", logs.String())
	}
	c := localclient.New(filepath.Join(home, "worktimed.sock"))
	// The socket listens once that line is logged, so this answers at once.
	if _, err := waitForDaemon(ctx, c, clock.Real(), nil); err != nil {
		t.Fatalf("worktimed not answering: %v", err)
	}
	return &testDaemon{home: home, client: c}
}

// seed records a completed manual session [start, end) through the local API.
func (d *testDaemon) seed(t testing.TB, repo string, pr int, start, end time.Time) api.Session {
	t.Helper()
	owner, name, _ := strings.Cut(repo, "/")
	ctx := context.Background()
	s, err := d.client.Start(ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, At: &start, Source: api.SourceManual})
	if err != nil {
		t.Fatalf("seed start %s#%d: %v", repo, pr, err)
	}
	s, err = d.client.End(ctx, s.ID, &end)
	if err != nil {
		t.Fatalf("seed end %s#%d: %v", repo, pr, err)
	}
	return s
}

// recordingUI is the window system for tests: it records what the
// dashboard asked of it.
type recordingUI struct {
	savePath string
	events   chan string
	shown    int
}

func newRecordingUI(savePath string) *recordingUI {
	return &recordingUI{savePath: savePath, events: make(chan string, 64)}
}

func (u *recordingUI) SaveFileDialog(string, string) (string, error) { return u.savePath, nil }
func (u *recordingUI) Emit(e string)                                 { u.events <- e }
func (u *recordingUI) Show()                                         { u.shown++ }
func (u *recordingUI) Quit()                                         {}
