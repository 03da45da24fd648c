// Package config reads and writes worktime's config.toml and knows where
// worktime keeps its files on each platform (or under WORKTIME_HOME).
//
// Every key is optional; a missing file means all defaults:
//
//	time_zone = ""                  # IANA zone for daily numbers; "" = the system's
//	idle_timeout = "10m"            # a browser session with no heartbeat for this long is abandoned:
//	                                # a safety net for a crashed or sleeping browser; when the user is
//	                                # away is the extension's idle threshold (2 minutes, its Settings page)
//	allowed_extension_ids = ["bgjaichghhjgafncimbkcknkmplbcdmi"]
//	start_at_login = false
//	log_level = "info"              # debug, info, warn, error
//	daily_goal = "0s"               # time to track a day, e.g. "4h"; "0s" = no goal
//	weekly_goal = "0s"              # time to track a week (Monday to Sunday), e.g. "20h"
//
//	[sync]
//	server_url = ""                 # "" = sync off
//	github_client_id = ""
//	interval = "5m"
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

// DefaultExtensionID is the id of the reference extension (fixed by its key).
const DefaultExtensionID = "bgjaichghhjgafncimbkcknkmplbcdmi"

// Defaults.
const (
	DefaultIdleTimeout  = 10 * time.Minute
	DefaultSyncInterval = 5 * time.Minute
	DefaultLogLevel     = "info"
)

// ErrInvalid marks a config that fails validation; the message says which
// key and why.
var ErrInvalid = errors.New("invalid config")

// Duration is a time.Duration written as a Go duration string ("10m").
type Duration struct{ time.Duration }

// MarshalText writes the duration as "10m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (use e.g. \"10m\" or \"90s\")", string(b))
	}
	d.Duration = v
	return nil
}

// SyncConfig is the [sync] table.
type SyncConfig struct {
	ServerURL      string   `toml:"server_url"`
	GitHubClientID string   `toml:"github_client_id"`
	Interval       Duration `toml:"interval"`
}

// Config is config.toml.
type Config struct {
	TimeZone            string     `toml:"time_zone"`
	IdleTimeout         Duration   `toml:"idle_timeout"`
	AllowedExtensionIDs []string   `toml:"allowed_extension_ids"`
	StartAtLogin        bool       `toml:"start_at_login"`
	LogLevel            string     `toml:"log_level"`
	DailyGoal           Duration   `toml:"daily_goal"`
	WeeklyGoal          Duration   `toml:"weekly_goal"`
	Sync                SyncConfig `toml:"sync"`
	// Rules keep repositories out of tracking or out of sync, and pause
	// sync (private); the zero value tracks and syncs everything.
	Rules rules.Rules `toml:"rules"`
}

// Default returns the configuration used when config.toml is missing.
func Default() Config {
	return Config{
		IdleTimeout:         Duration{DefaultIdleTimeout},
		AllowedExtensionIDs: []string{DefaultExtensionID},
		LogLevel:            DefaultLogLevel,
		Sync:                SyncConfig{Interval: Duration{DefaultSyncInterval}},
	}
}

// Load reads path over the defaults. A missing file is not an error.
// Unknown keys and invalid values are errors that name the key.
func Load(path string) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config.Load: %w", err)
	}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return Config{}, fmt.Errorf("config.Load %s: %w: %v", path, ErrInvalid, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return Config{}, fmt.Errorf("config.Load %s: %w: unknown key(s) %s", path, ErrInvalid, strings.Join(keys, ", "))
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("config.Load %s: %w", path, err)
	}
	return c, nil
}

// Validate checks every value and says which key is wrong.
func (c Config) Validate() error {
	if err := c.Rules.Validate(); err != nil {
		return fmt.Errorf("%w: [rules]: %v", ErrInvalid, err)
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			return fmt.Errorf("%w: time_zone %q is not an IANA time zone (e.g. \"Europe/Paris\")", ErrInvalid, c.TimeZone)
		}
	}
	if c.IdleTimeout.Duration < time.Minute || c.IdleTimeout.Duration > 24*time.Hour {
		return fmt.Errorf("%w: idle_timeout %s must be between 1m and 24h", ErrInvalid, c.IdleTimeout.Duration)
	}
	for _, id := range c.AllowedExtensionIDs {
		if !api.IsExtensionID(id) {
			return fmt.Errorf("%w: allowed_extension_ids: %q is not an extension id (32 letters a-p)", ErrInvalid, id)
		}
	}
	if g := c.DailyGoal.Duration; g != 0 && (g < time.Minute || g > 24*time.Hour) {
		return fmt.Errorf("%w: daily_goal %s must be 0s (no goal) or between 1m and 24h", ErrInvalid, g)
	}
	if g := c.WeeklyGoal.Duration; g != 0 && (g < time.Minute || g > 7*24*time.Hour) {
		return fmt.Errorf("%w: weekly_goal %s must be 0s (no goal) or between 1m and 168h", ErrInvalid, g)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("%w: log_level %q must be debug, info, warn or error", ErrInvalid, c.LogLevel)
	}
	if u := c.Sync.ServerURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("%w: sync.server_url %q must start with https:// (or http:// for a local server)", ErrInvalid, u)
	}
	if c.Sync.Interval.Duration < 10*time.Second {
		return fmt.Errorf("%w: sync.interval %s must be at least 10s", ErrInvalid, c.Sync.Interval.Duration)
	}
	return nil
}

// Location is LocationWith(os.Getenv), for callers that have no injected
// environment.
func (c Config) Location() (*time.Location, error) { return c.LocationWith(os.Getenv) }

// LocationWith resolves TimeZone; "" is the system's zone, named by its
// IANA name when it can be found (TZ read through getenv, /etc/timezone,
// the /etc/localtime link).
func (c Config) LocationWith(getenv func(string) string) (*time.Location, error) {
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("config: %w: time_zone %q: %v", ErrInvalid, c.TimeZone, err)
		}
		return loc, nil
	}
	if name := SystemZoneName(getenv); name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return time.Local, nil
}

// SystemZoneName finds the system zone's IANA name, or "": TZ read through
// getenv (nil: no environment), then /etc/timezone, then the /etc/localtime
// link.
func SystemZoneName(getenv func(string) string) string {
	tz := ""
	if getenv != nil {
		tz = getenv("TZ")
	}
	if tz != "" {
		return strings.TrimPrefix(tz, ":")
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s
		}
	}
	if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return ""
}

// Save writes c to path atomically (temp file + rename), after validating.
func Save(path string, c Config) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString("# worktime configuration; see docs/cli.md for every key.\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("config.Save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("config.Save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config.Save: %w", err)
	}
	return nil
}
