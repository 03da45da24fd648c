package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Paths are where worktime keeps its files.
type Paths struct {
	Home   string // the root: WORKTIME_HOME, --home, or the platform data dir
	Config string // config.toml
	DB     string // worktime.db
	Socket string // worktimed.sock, the local API
	LogDir string
}

// Env is what DefaultPaths reads from the environment; tests fill it in.
type Env struct {
	GOOS    string
	Getenv  func(string) string
	UserDir string // the user's home directory
}

// DefaultPaths picks the paths: --home (homeFlag) wins over WORKTIME_HOME,
// which wins over the platform's standard places.
func DefaultPaths(homeFlag string) (Paths, error) {
	home, err := os.UserHomeDir()
	if err != nil && homeFlag == "" && os.Getenv("WORKTIME_HOME") == "" {
		return Paths{}, fmt.Errorf("config.DefaultPaths: %w (set WORKTIME_HOME or --home)", err)
	}
	return PathsFor(homeFlag, Env{GOOS: runtime.GOOS, Getenv: os.Getenv, UserDir: home})
}

// PathsFor is DefaultPaths for a given environment.
func PathsFor(homeFlag string, env Env) (Paths, error) {
	root := homeFlag
	if root == "" {
		root = env.Getenv("WORKTIME_HOME")
	}
	if root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return Paths{}, fmt.Errorf("config.PathsFor: %w", err)
		}
		return underHome(abs), nil
	}
	if env.UserDir == "" {
		return Paths{}, errors.New("config.PathsFor: no home directory; set WORKTIME_HOME or --home")
	}
	get := func(k, def string) string {
		if v := env.Getenv(k); v != "" && filepath.IsAbs(v) {
			return v
		}
		return def
	}
	switch env.GOOS {
	case "darwin":
		dir := filepath.Join(env.UserDir, "Library", "Application Support", "worktime")
		return Paths{
			Home:   dir,
			Config: filepath.Join(dir, "config.toml"),
			DB:     filepath.Join(dir, "worktime.db"),
			Socket: filepath.Join(dir, "worktimed.sock"),
			LogDir: filepath.Join(env.UserDir, "Library", "Logs", "worktime"),
		}, nil
	case "windows":
		appData := get("AppData", filepath.Join(env.UserDir, "AppData", "Roaming"))
		local := get("LocalAppData", filepath.Join(env.UserDir, "AppData", "Local"))
		dir := filepath.Join(appData, "worktime")
		return Paths{
			Home:   dir,
			Config: filepath.Join(dir, "config.toml"),
			DB:     filepath.Join(dir, "worktime.db"),
			Socket: filepath.Join(local, "worktime", "worktimed.sock"),
			LogDir: filepath.Join(local, "worktime", "logs"),
		}, nil
	default: // Linux and the other Unixes: XDG base directories
		cfg := filepath.Join(get("XDG_CONFIG_HOME", filepath.Join(env.UserDir, ".config")), "worktime")
		data := filepath.Join(get("XDG_DATA_HOME", filepath.Join(env.UserDir, ".local", "share")), "worktime")
		state := filepath.Join(get("XDG_STATE_HOME", filepath.Join(env.UserDir, ".local", "state")), "worktime")
		sock := filepath.Join(data, "worktimed.sock")
		if rt := get("XDG_RUNTIME_DIR", ""); rt != "" {
			sock = filepath.Join(rt, "worktime", "worktimed.sock")
		}
		return Paths{
			Home:   data,
			Config: filepath.Join(cfg, "config.toml"),
			DB:     filepath.Join(data, "worktime.db"),
			Socket: sock,
			LogDir: filepath.Join(state, "logs"),
		}, nil
	}
}

func underHome(dir string) Paths {
	return Paths{
		Home:   dir,
		Config: filepath.Join(dir, "config.toml"),
		DB:     filepath.Join(dir, "worktime.db"),
		Socket: filepath.Join(dir, "worktimed.sock"),
		LogDir: filepath.Join(dir, "logs"),
	}
}
