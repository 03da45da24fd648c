package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
)

// Detect describes the running system for the user whose home is home.
func Detect(home string) (Platform, error) {
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return Platform{}, fmt.Errorf("install: %w", err)
		}
		home = h
	}
	return Platform{
		OS:           runtime.GOOS,
		Home:         home,
		LocalAppData: os.Getenv("LOCALAPPDATA"),
		AppData:      os.Getenv("APPDATA"),
		ConfigHome:   os.Getenv("XDG_CONFIG_HOME"),
		Exists: func(p string) bool {
			_, err := os.Stat(p)
			return !errors.Is(err, fs.ErrNotExist) && err == nil
		},
		LookPath: exec.LookPath,
	}, nil
}

// SystemManagerFor picks the service manager for the running system:
// launchctl's domain subcommands on macOS, kardianos/service where a
// systemd user manager answers, the Run key on Windows, and FileManager
// otherwise.
func SystemManagerFor(p Platform) Manager {
	switch p.OS {
	case "windows":
		return RunKeyManager{Reg: SystemRegistry()}
	case "darwin":
		return LaunchAgentManager{UID: os.Getuid(), Run: ExecRunner}
	case "linux":
		if UserManagerReachable() {
			return SystemManager{}
		}
	}
	return FileManager{}
}
