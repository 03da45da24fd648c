package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kardianos/service"
)

// FileManager registers a systemd user unit or a LaunchAgent by writing its
// files only: the unit and the default.target.wants link that `systemctl
// --user enable` would create. It is used where no service manager is
// reachable (a container, a session without a user manager); the unit is
// picked up at the next login. Start and Stop are not available.
type FileManager struct{}

var _ Manager = FileManager{}

// writeUnit writes the service's unit file (or plist).
func writeUnit(s Service) error {
	if s.UnitPath == "" {
		return fmt.Errorf("install: %s service has no unit file", s.Kind)
	}
	if err := os.MkdirAll(filepath.Dir(s.UnitPath), 0o755); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if err := writeFileAtomic(s.UnitPath, []byte(s.Unit), 0o644); err != nil {
		return fmt.Errorf("install: write %s: %w", s.UnitPath, err)
	}
	return nil
}

// Install writes the unit and enables it.
func (FileManager) Install(_ context.Context, s Service) error {
	if err := writeUnit(s); err != nil {
		return err
	}
	if s.EnableLink != "" {
		if err := os.MkdirAll(filepath.Dir(s.EnableLink), 0o755); err != nil {
			return fmt.Errorf("install: %w", err)
		}
		if err := os.Remove(s.EnableLink); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("install: %w", err)
		}
		if err := os.Symlink(s.UnitPath, s.EnableLink); err != nil {
			return fmt.Errorf("install: enable: %w", err)
		}
	}
	return nil
}

// Uninstall removes the link and the unit, and the wants folder if the link
// was all it held.
func (FileManager) Uninstall(_ context.Context, s Service) error {
	var errs []error
	for _, p := range []string{s.EnableLink, s.UnitPath} {
		if p == "" {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if s.EnableLink != "" {
		dir := filepath.Dir(s.EnableLink)
		if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
			if err := os.Remove(dir); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("install: uninstall service: %w", errors.Join(errs...))
	}
	return nil
}

// ErrNoServiceManager is returned by FileManager's Start and Stop.
var ErrNoServiceManager = errors.New("no user service manager is reachable; start the daemon with `worktimed run`")

// Start is not available without a service manager.
func (FileManager) Start(context.Context, Service) error { return ErrNoServiceManager }

// Stop is not available without a service manager.
func (FileManager) Stop(context.Context, Service) error { return ErrNoServiceManager }

// Status reports whether the unit is installed.
func (FileManager) Status(_ context.Context, s Service) (string, error) {
	if _, err := os.Stat(s.UnitPath); err != nil {
		return "not installed", nil
	}
	return "installed (no service manager reachable)", nil
}

// SystemManager registers the service with github.com/kardianos/service as
// a user service: systemctl --user on Linux (with worktime's own unit, wanted
// by default.target). macOS uses LaunchAgentManager instead: the library's
// launchd support uses the legacy `launchctl load`.
type SystemManager struct{}

var _ Manager = SystemManager{}

type noopProgram struct{}

func (noopProgram) Start(service.Service) error { return nil }
func (noopProgram) Stop(service.Service) error  { return nil }

func (SystemManager) service(s Service) (service.Service, error) {
	env := map[string]string{}
	for _, e := range s.Env {
		for i := 0; i < len(e); i++ {
			if e[i] == '=' {
				env[e[:i]] = e[i+1:]
				break
			}
		}
	}
	opts := service.KeyValue{
		"UserService": true,
		"RunAtLoad":   true,
	}
	// The unit is rendered by worktime; it holds no template directives, so
	// the library writes it as it is.
	switch s.Kind {
	case "systemd-user":
		opts["SystemdScript"] = s.Unit
	case "launch-agent":
		opts["LaunchdConfig"] = s.Unit
	}
	if s.LogDir != "" {
		opts["LogDirectory"] = s.LogDir
	}
	svc, err := service.New(noopProgram{}, &service.Config{
		Name:        s.Name,
		DisplayName: "worktime daemon",
		Description: "worktime: time tracking for pull requests",
		Executable:  s.Executable,
		Arguments:   s.Args,
		EnvVars:     env,
		Option:      opts,
	})
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	return svc, nil
}

// Install writes the unit and enables it.
func (m SystemManager) Install(_ context.Context, s Service) error {
	svc, err := m.service(s)
	if err != nil {
		return err
	}
	if err := svc.Install(); err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	return nil
}

// Uninstall stops the service, disables it and removes the unit.
func (m SystemManager) Uninstall(_ context.Context, s Service) error {
	svc, err := m.service(s)
	if err != nil {
		return err
	}
	_ = svc.Stop() // not running is fine
	if err := svc.Uninstall(); err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	return nil
}

// Start starts the service now.
func (m SystemManager) Start(_ context.Context, s Service) error {
	svc, err := m.service(s)
	if err != nil {
		return err
	}
	if err := svc.Start(); err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	return nil
}

// Stop stops the service.
func (m SystemManager) Stop(_ context.Context, s Service) error {
	svc, err := m.service(s)
	if err != nil {
		return err
	}
	if err := svc.Stop(); err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	return nil
}

// Status is "running", "stopped" or "not installed".
func (m SystemManager) Status(_ context.Context, s Service) (string, error) {
	svc, err := m.service(s)
	if err != nil {
		return "", err
	}
	st, err := svc.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed", nil
	case err != nil:
		return "", fmt.Errorf("service status: %w", err)
	case st == service.StatusRunning:
		return "running", nil
	case st == service.StatusStopped:
		return "stopped", nil
	}
	return "unknown", nil
}

// UserManagerReachable reports whether a systemd user manager (Linux) can
// be talked to; without one, FileManager is the fallback.
func UserManagerReachable() bool {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return false
	}
	rt := os.Getenv("XDG_RUNTIME_DIR")
	if rt == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(rt, "systemd", "private"))
	return err == nil
}
