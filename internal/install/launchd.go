package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

// Runner runs a program and returns its combined output and exit status.
// err is for a program that could not be run at all; a non-zero exit is
// reported in code.
type Runner func(ctx context.Context, name string, args ...string) (out string, code int, err error)

// ExecRunner runs programs with os/exec.
func ExecRunner(ctx context.Context, name string, args ...string) (string, int, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode(), nil
	}
	if err != nil {
		return string(out), -1, fmt.Errorf("%s: %w", name, err)
	}
	return string(out), 0, nil
}

// launchctl exit statuses that mean "this job is not loaded" (ESRCH from
// bootout, "Could not find service" from print and kickstart) and "it is
// already loaded" (EIO from bootstrap: "Bootstrap failed: 5: Input/output
// error", the same failure the legacy `launchctl load` reports as "Load
// failed: 5: Input/output error").
const (
	launchctlNoSuchProcess = 3
	launchctlNotFound      = 113
	launchctlIOError       = 5
)

// LaunchAgentManager registers the service as a LaunchAgent and drives it
// with launchctl's domain subcommands (bootstrap, kickstart, bootout,
// print in the gui/<uid> domain). kardianos/service v1.3.0 uses the legacy
// `launchctl load`/`unload`, which macOS 13 and later refuse for a job that
// is already loaded ("Load failed: 5: Input/output error").
type LaunchAgentManager struct {
	// UID is the user whose gui domain the agent lives in.
	UID int
	// Run runs launchctl; nil means ExecRunner.
	Run Runner
}

var _ Manager = LaunchAgentManager{}

func (m LaunchAgentManager) domain() string { return fmt.Sprintf("gui/%d", m.UID) }

func (m LaunchAgentManager) target(s Service) string { return m.domain() + "/" + s.Name }

// launchctl runs launchctl with args; a run that could not start is an
// error, any exit status is returned.
func (m LaunchAgentManager) launchctl(ctx context.Context, args ...string) (string, int, error) {
	run := m.Run
	if run == nil {
		run = ExecRunner
	}
	return run(ctx, "launchctl", args...)
}

// launchctlError is the error for launchctl args that exited with code.
func launchctlError(args []string, code int, out string) error {
	return fmt.Errorf("launchctl %s: exit status %d: %s", strings.Join(args, " "), code, strings.TrimSpace(out))
}

// call runs launchctl and turns any exit status but ok into an error.
func (m LaunchAgentManager) call(ctx context.Context, ok []int, args ...string) (int, error) {
	out, code, err := m.launchctl(ctx, args...)
	if err != nil {
		return code, err
	}
	if code == 0 {
		return 0, nil
	}
	for _, c := range ok {
		if code == c {
			return code, nil
		}
	}
	return code, launchctlError(args, code, out)
}

// Install writes the plist. The agent starts at the next login (RunAtLoad)
// or with Start.
func (LaunchAgentManager) Install(_ context.Context, s Service) error {
	return writeUnit(s)
}

// Uninstall unloads the agent (if loaded) and removes the plist.
func (m LaunchAgentManager) Uninstall(ctx context.Context, s Service) error {
	if err := m.Stop(ctx, s); err != nil {
		return fmt.Errorf("install: uninstall service: %w", err)
	}
	if err := os.Remove(s.UnitPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("install: uninstall service: %w", err)
	}
	return nil
}

// loaded reports whether the agent is loaded in the user's gui domain, and
// whether it is running.
func (m LaunchAgentManager) loaded(ctx context.Context, s Service) (loaded, running bool, err error) {
	args := []string{"print", m.target(s)}
	out, code, err := m.launchctl(ctx, args...)
	switch {
	case err != nil:
		return false, false, err
	case code == launchctlNotFound:
		return false, false, nil
	case code != 0:
		return false, false, launchctlError(args, code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "state = running" {
			return true, true, nil
		}
	}
	return true, false, nil
}

// Start loads the agent with `launchctl bootstrap`, which starts it
// (RunAtLoad), or, when it is already loaded, starts it with `launchctl
// kickstart`. A bootstrap that fails with EIO is a job loaded in between:
// it is kickstarted too.
func (m LaunchAgentManager) Start(ctx context.Context, s Service) error {
	loaded, _, err := m.loaded(ctx, s)
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	if !loaded {
		code, err := m.call(ctx, []int{launchctlIOError}, "bootstrap", m.domain(), s.UnitPath)
		if err != nil {
			return fmt.Errorf("service start: %w", err)
		}
		if code == 0 {
			return nil
		}
	}
	if _, err := m.call(ctx, nil, "kickstart", m.target(s)); err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	return nil
}

// Stop unloads the agent with `launchctl bootout`, as the legacy unload
// did; an agent that is not loaded is already stopped.
func (m LaunchAgentManager) Stop(ctx context.Context, s Service) error {
	if _, err := m.call(ctx, []int{launchctlNoSuchProcess, launchctlNotFound}, "bootout", m.target(s)); err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	return nil
}

// Status is "running", "stopped" or "not installed".
func (m LaunchAgentManager) Status(ctx context.Context, s Service) (string, error) {
	loaded, running, err := m.loaded(ctx, s)
	if err != nil {
		return "", fmt.Errorf("service status: %w", err)
	}
	switch {
	case running:
		return "running", nil
	case loaded:
		return "stopped", nil
	}
	if _, err := os.Stat(s.UnitPath); err != nil {
		return "not installed", nil
	}
	return "stopped", nil
}
