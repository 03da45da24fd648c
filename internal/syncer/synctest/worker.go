package synctest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Worker is the real worker running in local workerd, started with the
// project's worker/scripts/start-local.mjs.
type Worker struct {
	URL   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
	log   *lockedWriter
}

// RepoRoot finds the module root (the directory holding go.mod) above the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// StartWorker starts the worker (worker/ of this module, or
// $WORKTIME_WORKER_DIR) with vars (K=V) and persistence in
// persistDir ("" for none). It fails the test if the worker cannot start
// (node and `npm ci` in worker/ are required) and stops it when the test
// ends.
func StartWorker(t testing.TB, persistDir string, port int, vars ...string) *Worker {
	t.Helper()
	w, err := LaunchWorker(persistDir, port, vars...)
	if err != nil {
		t.Fatalf("starting the worker: %v", err)
	}
	t.Cleanup(func() { w.Stop() })
	return w
}

// StartShardedWorker is StartWorker with shards D1 databases bound as DB,
// DB_1, … (start-local.mjs --shards; worker/README.md: Shards).
func StartShardedWorker(t testing.TB, persistDir string, port, shards int, vars ...string) *Worker {
	t.Helper()
	w, err := launchWorker(persistDir, port, shards, vars)
	if err != nil {
		t.Fatalf("starting the worker: %v", err)
	}
	t.Cleanup(func() { w.Stop() })
	return w
}

// LaunchWorker is StartWorker without a test; the caller must Stop it.
func LaunchWorker(persistDir string, port int, vars ...string) (*Worker, error) {
	return launchWorker(persistDir, port, 1, vars)
}

func launchWorker(persistDir string, port, shards int, vars []string) (*Worker, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "worker")
	if d := os.Getenv("WORKTIME_WORKER_DIR"); d != "" {
		// Another checkout of the worker (to measure a change, say).
		dir = d
	}
	script := filepath.Join(dir, "scripts", "start-local.mjs")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		return nil, fmt.Errorf("worker dependencies are missing: run `npm ci` in worker/ (make setup does): %w", err)
	}
	args := []string{script, "--port", fmt.Sprint(port)}
	if shards > 1 {
		args = append(args, "--shards", fmt.Sprint(shards))
	}
	if persistDir != "" {
		args = append(args, "--persist-to", persistDir)
	}
	for _, v := range vars {
		args = append(args, "--var", v)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "WRANGLER_SEND_METRICS=false", "CLOUDFLARE_CF_FETCH_ENABLED=false")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	log := &lockedWriter{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node %s: %w", script, err)
	}
	w := &Worker{cmd: cmd, stdin: stdin, done: make(chan error, 1), log: log}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "WORKTIME_WORKER_URL="); ok {
				urlc <- u
			}
		}
	}()
	go func() { w.done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	select {
	case u := <-urlc:
		w.URL = u
		return w, nil
	case err := <-w.done:
		w.done <- err
		return nil, fmt.Errorf("the worker exited before it was ready: %v\n%s", err, log.String())
	case <-ctx.Done():
		w.Stop()
		return nil, fmt.Errorf("the worker was not ready within 90s\n%s", log.String())
	}
}

// Stop stops the worker and workerd (its whole process group) and waits.
func (w *Worker) Stop() {
	if w.cmd.Process == nil {
		return
	}
	w.stdin.Close()
	_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
		<-w.done
	}
	w.done <- nil // later Stops return at once
}

// Log is what the worker wrote to stderr.
func (w *Worker) Log() string { return w.log.String() }

type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
