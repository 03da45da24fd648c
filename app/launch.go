package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localclient"
)

// ErrNoDaemonBinary means worktimed was found neither beside the dashboard
// nor on PATH.
var ErrNoDaemonBinary = errors.New("worktimed not found beside the dashboard or on PATH")

// Launcher starts the daemon when the dashboard finds it not running: first
// through the installed per-user service (when UseService), else by spawning
// `worktimed run` detached from the dashboard.
type Launcher struct {
	// Executable is worktimed's path; "" means FindDaemonBinary.
	Executable string
	// UseService tries `worktimed service start` first.
	UseService bool
	// Home, when set, is passed as --home (the daemon of that home).
	Home string
	// Log receives the spawned daemon's output; nil discards it.
	Log *os.File
	// Spawned, when set, is told about each daemon process started.
	Spawned func(p *os.Process)
}

// FindDaemonBinary looks for worktimed beside the running executable, then on
// PATH.
func FindDaemonBinary() (string, error) {
	name := "worktimed"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("find worktimed: %w", ErrNoDaemonBinary)
	}
	return p, nil
}

// Start launches the daemon and returns without waiting for it to listen.
// The channel delivers the spawned process's end (nil channel when the
// service manager started it).
func (l *Launcher) Start(ctx context.Context) (<-chan error, error) {
	exe := l.Executable
	if exe == "" {
		var err error
		if exe, err = FindDaemonBinary(); err != nil {
			return nil, err
		}
	}
	var global []string
	if l.Home != "" {
		global = []string{"--home", l.Home}
	}
	if l.UseService {
		cmd := exec.CommandContext(ctx, exe, append(global, "service", "start")...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if cmd.Run() == nil {
			return nil, nil
		}
	}
	cmd := exec.Command(exe, append(global, "run")...)
	cmd.Stdin = nil
	if l.Log != nil {
		cmd.Stdout, cmd.Stderr = l.Log, l.Log
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("spawn %s run: %w", exe, err)
	}
	if l.Spawned != nil {
		l.Spawned(cmd.Process)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return exited, nil
}

// SetStartAtLogin registers the daemon to start at login (`worktimed
// install`: the per-user service and the browser host) or removes that
// (`worktimed uninstall`).
func (l *Launcher) SetStartAtLogin(ctx context.Context, on bool) error {
	exe := l.Executable
	if exe == "" {
		var err error
		if exe, err = FindDaemonBinary(); err != nil {
			return err
		}
	}
	var args []string
	if l.Home != "" {
		args = []string{"--home", l.Home}
	}
	verb := "uninstall"
	if on {
		verb = "install"
	}
	out, err := exec.CommandContext(ctx, exe, append(args, verb)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("worktimed %s: %w: %s", verb, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// waitForDaemon polls the daemon until it answers, the spawned process
// exits, or ctx ends. The daemon gives no other signal that its socket is
// ready, so polling (with growing pauses) is the only way.
func waitForDaemon(ctx context.Context, d Daemon, clk clock.Clock, exited <-chan error) (api.Status, error) {
	pause := 50 * time.Millisecond
	for {
		st, err := d.Status(ctx)
		if err == nil {
			return st, nil
		}
		if !localclient.IsUnavailable(err) {
			return api.Status{}, err
		}
		t := clk.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return api.Status{}, fmt.Errorf("worktimed did not start listening: %w", ctx.Err())
		case err := <-exited:
			t.Stop()
			if err == nil {
				err = errors.New("exited")
			}
			return api.Status{}, fmt.Errorf("worktimed run ended before it was ready: %w", err)
		case <-t.C():
		}
		if pause < time.Second {
			pause *= 2
		}
	}
}
