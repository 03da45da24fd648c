// Package nativemsge2e drives the real worktimed binary the way a browser does:
// it starts it with an extension's origin as argv[1] and speaks native
// messaging framing on its stdin and stdout, with the daemon running and
// without it. It holds only tests and benchmarks.
package nativemsge2e

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localdb"
)

// worktimed is the binary built once by TestMain.
var worktimed string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "worktimed-nativemsg-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	worktimed = filepath.Join(dir, "worktimed")
	build := exec.Command("go", "build", "-o", worktimed, "github.com/worktime/worktime/cmd/worktimed")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building worktimed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// origin is how Chrome names the reference extension to its host.
var origin = "chrome-extension://" + config.DefaultExtensionID + "/"

// world is one user's worktime home.
type world struct {
	home string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return &world{home: t.TempDir()}
}

func (w *world) env() []string {
	return append(os.Environ(), "WORKTIME_HOME="+w.home, "TZ=UTC")
}

// daemon is a running `worktimed run`.
type daemon struct {
	cmd     *exec.Cmd
	done    chan error
	stopped sync.Once
}

// startDaemon runs the daemon and returns once its local API listens (it
// logs that line after the socket is bound).
func (w *world) startDaemon(t testing.TB) *daemon {
	t.Helper()
	cmd := exec.Command(worktimed, "run", "-log-level", "info")
	cmd.Env = w.env()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "local API listening") {
				close(ready)
				signalled = true
			}
		}
		if !signalled {
			close(ready)
		}
		d.done <- cmd.Wait()
	}()
	<-ready
	if _, err := os.Stat(filepath.Join(w.home, "worktimed.sock")); err != nil {
		t.Fatalf("daemon did not start: %v", err)
	}
	t.Cleanup(func() { d.stop() })
	return d
}

// stop ends the daemon with SIGTERM and waits for it to exit; it may be
// called again, and after kill9.
func (d *daemon) stop() {
	d.stopped.Do(func() {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		<-d.done
	})
}

// kill9 kills the daemon without letting it clean up.
func (d *daemon) kill9() {
	d.stopped.Do(func() {
		_ = d.cmd.Process.Kill()
		<-d.done
	})
}

// host is one native messaging port: a worktimed started as a browser does.
type host struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	// stdoutPipe is stdout's read end, which a browser may close first.
	stdoutPipe io.ReadCloser
	stderr     *strings.Builder
}

func (w *world) startHost(t testing.TB, args ...string) *host {
	t.Helper()
	if len(args) == 0 {
		args = []string{origin}
	}
	return w.startHostCmd(t, exec.Command(worktimed, args...), w.env())
}

// startHostCmd starts cmd as a host with the environment env.
func (w *world) startHostCmd(t testing.TB, cmd *exec.Cmd, env []string) *host {
	t.Helper()
	cmd.Env = env
	cmd.Dir = filepath.Dir(cmd.Path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &host{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stdoutPipe: stdout, stderr: &strings.Builder{}}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return h
}

func (h *host) sendRaw(b []byte) error {
	_, err := h.stdin.Write(b)
	return err
}

func frame(msg []byte) []byte {
	b := make([]byte, 4, 4+len(msg))
	binary.NativeEndian.PutUint32(b, uint32(len(msg)))
	return append(b, msg...)
}

func (h *host) send(msg string) error { return h.sendRaw(frame([]byte(msg))) }

// reply is any protocol reply.
type reply struct {
	ID       json.RawMessage `json:"id"`
	OK       bool            `json:"ok"`
	Error    *api.Error      `json:"error"`
	Session  *api.Session    `json:"session"`
	Protocol int             `json:"protocol"`
	Version  string          `json:"version"`
	SignedIn *bool           `json:"signed_in"`
	User     json.RawMessage `json:"user"`
	// DaemonRunning is hello's: whether the daemon answered.
	DaemonRunning *bool `json:"daemon_running"`
	Sync          *struct {
		Pending       *int64          `json:"pending"`
		LastSuccessAt json.RawMessage `json:"last_success_at"`
		LastError     *string         `json:"last_error"`
	} `json:"sync"`
	TodaySeconds *int64 `json:"today_seconds"`
	// WeekSeconds and the goals are stats.summary's progress towards the goals.
	WeekSeconds       *int64            `json:"week_seconds"`
	DailyGoalSeconds  *int64            `json:"daily_goal_seconds"`
	WeeklyGoalSeconds *int64            `json:"weekly_goal_seconds"`
	Days              []json.RawMessage `json:"days"`
	Repos             []struct {
		RepoOwner string `json:"repo_owner"`
		RepoName  string `json:"repo_name"`
		Seconds   int64  `json:"seconds"`
	} `json:"repos"`
}

func (h *host) recv() (reply, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(h.stdout, hdr[:]); err != nil {
		return reply{}, err
	}
	n := binary.NativeEndian.Uint32(hdr[:])
	if n > 1<<20 {
		return reply{}, fmt.Errorf("reply of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(h.stdout, b); err != nil {
		return reply{}, err
	}
	var r reply
	if err := json.Unmarshal(b, &r); err != nil {
		return reply{}, fmt.Errorf("reply %q: %w", b, err)
	}
	return r, nil
}

// call sends one message and reads its reply.
func (h *host) call(t testing.TB, msg string) reply {
	t.Helper()
	if err := h.send(msg); err != nil {
		t.Fatalf("send %s: %v (stderr %s)", msg, err, h.stderr)
	}
	r, err := h.recv()
	if err != nil {
		t.Fatalf("reply to %s: %v (stderr %s)", msg, err, h.stderr)
	}
	return r
}

// close closes the port as the browser does and waits for the host to
// exit, returning its exit code.
func (h *host) close(t testing.TB) int {
	t.Helper()
	h.stdin.Close()
	rest, _ := io.ReadAll(h.stdout)
	if len(rest) > 0 {
		t.Errorf("host wrote %d unexpected bytes after the last reply: %q", len(rest), rest)
	}
	err := h.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// openStore opens the world's store (beside any running process).
func (w *world) openStore(t testing.TB) *localdb.DB {
	t.Helper()
	db, err := localdb.Open(context.Background(), filepath.Join(w.home, "worktime.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// integrityCheck runs PRAGMA integrity_check on the store.
func (w *world) integrityCheck(t testing.TB) {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+filepath.Join(w.home, "worktime.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var res string
	if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatal(err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
}
