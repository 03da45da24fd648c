package install

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// RunKeyManager starts the daemon at logon on Windows through the HKCU Run
// key, which needs no administrator rights (a Windows service would).
type RunKeyManager struct {
	Reg Registry // required
}

var _ Manager = RunKeyManager{}

// Install sets the Run value.
func (m RunKeyManager) Install(_ context.Context, s Service) error {
	if m.Reg == nil {
		return ErrNoRegistry
	}
	if err := m.Reg.SetString(s.RunKey.Key, s.RunKey.Name, s.RunKey.Value); err != nil {
		return fmt.Errorf("install: set HKCU\\%s: %w", s.RunKey.Key, err)
	}
	return nil
}

// Uninstall deletes the Run value.
func (m RunKeyManager) Uninstall(_ context.Context, s Service) error {
	if m.Reg == nil {
		return ErrNoRegistry
	}
	if err := m.Reg.DeleteValue(s.RunKey.Key, s.RunKey.Name); err != nil {
		return fmt.Errorf("install: delete HKCU\\%s %s: %w", s.RunKey.Key, s.RunKey.Name, err)
	}
	return nil
}

// Start starts the daemon now, detached from this process.
func (RunKeyManager) Start(_ context.Context, s Service) error {
	cmd := exec.Command(s.Executable, s.Args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("install: start: %w", err)
	}
	return cmd.Process.Release()
}

// ErrStopUnsupported is returned by RunKeyManager.Stop.
var ErrStopUnsupported = errors.New("stopping the daemon is done from the tray or with the task manager on Windows")

// Stop is not offered by the Run key.
func (RunKeyManager) Stop(context.Context, Service) error { return ErrStopUnsupported }

// Status reports the Run registration only.
func (RunKeyManager) Status(context.Context, Service) (string, error) {
	return "registered at logon (HKCU Run)", nil
}
