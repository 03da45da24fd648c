package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadMissingFileIsDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("Load(missing) = %+v, want defaults", c)
	}
	if c.IdleTimeout.Duration != 10*time.Minute || c.AllowedExtensionIDs[0] != DefaultExtensionID {
		t.Fatalf("defaults wrong: %+v", c)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string // substring; "" means success
		check   func(t *testing.T, c Config)
	}{
		{"full", `time_zone = "Europe/Paris"
idle_timeout = "15m"
allowed_extension_ids = ["abcdefghijklmnopabcdefghijklmnop"]
start_at_login = true
log_level = "debug"
[sync]
server_url = "https://worktime.example.com"
github_client_id = "Iv1.abc"
interval = "2m"
`, "", func(t *testing.T, c Config) {
			if c.TimeZone != "Europe/Paris" || c.IdleTimeout.Duration != 15*time.Minute || !c.StartAtLogin ||
				c.Sync.ServerURL != "https://worktime.example.com" || c.Sync.Interval.Duration != 2*time.Minute ||
				c.Sync.GitHubClientID != "Iv1.abc" || c.LogLevel != "debug" {
				t.Fatalf("parsed %+v", c)
			}
		}},
		{"partial keeps defaults", `time_zone = "UTC"`, "", func(t *testing.T, c Config) {
			if c.IdleTimeout.Duration != DefaultIdleTimeout || c.Sync.Interval.Duration != DefaultSyncInterval {
				t.Fatalf("defaults lost: %+v", c)
			}
		}},
		{"bad toml", `time_zone = `, "invalid config", nil},
		{"unknown key", `idle = "5m"`, "unknown key(s) idle", nil},
		{"unknown nested key", "[sync]\nurl = \"x\"", "sync.url", nil},
		{"bad zone", `time_zone = "Mars/Olympus"`, "time_zone", nil},
		{"bad duration", `idle_timeout = "ten minutes"`, "not a duration", nil},
		{"idle too short", `idle_timeout = "10s"`, "idle_timeout", nil},
		{"idle too long", `idle_timeout = "48h"`, "idle_timeout", nil},
		{"bad extension id", `allowed_extension_ids = ["xyz"]`, "allowed_extension_ids", nil},
		{"bad log level", `log_level = "loud"`, "log_level", nil},
		{"bad server url", "[sync]\nserver_url = \"ftp://x\"", "sync.server_url", nil},
		{"sync interval too short", "[sync]\ninterval = \"1s\"", "sync.interval", nil},
		{"wrong type", `start_at_login = "yes"`, "invalid config", nil},
		{"rules", "[rules]\ndefault = \"dont_track\"\nprivate = true\n[[rules.repo]]\nmatch = \"work/*\"\naction = \"track\"\n", "", func(t *testing.T, c Config) {
			if c.Rules.Default != "dont_track" || !c.Rules.Private || len(c.Rules.Repos) != 1 || !c.Rules.Tracked("Work", "app") || c.Rules.Tracked("octo", "app") {
				t.Fatalf("rules %+v", c.Rules)
			}
		}},
		{"bad rule action", "[[rules.repo]]\nmatch = \"octo\"\naction = \"hide\"\n", "[rules]", nil},
		{"bad rule match", "[[rules.repo]]\nmatch = \"a/b/c\"\naction = \"track\"\n", "want ORG, ORG/REPO", nil},
		{"unknown rules key", "[rules]\nblock = [\"octo\"]\n", "rules.block", nil},
		{"goals", "daily_goal = \"4h\"\nweekly_goal = \"20h\"", "", func(t *testing.T, c Config) {
			if c.DailyGoal.Duration != 4*time.Hour || c.WeeklyGoal.Duration != 20*time.Hour {
				t.Fatalf("goals %s, %s; want 4h, 20h", c.DailyGoal.Duration, c.WeeklyGoal.Duration)
			}
		}},
		{"no goals by default", `time_zone = "UTC"`, "", func(t *testing.T, c Config) {
			if c.DailyGoal.Duration != 0 || c.WeeklyGoal.Duration != 0 {
				t.Fatalf("goals %s, %s; want none", c.DailyGoal.Duration, c.WeeklyGoal.Duration)
			}
		}},
		{"daily goal too short", `daily_goal = "30s"`, "daily_goal", nil},
		{"daily goal over a day", `daily_goal = "25h"`, "daily_goal", nil},
		{"daily goal negative", `daily_goal = "-1h"`, "daily_goal", nil},
		{"weekly goal over a week", `weekly_goal = "169h"`, "weekly_goal", nil},
		{"weekly goal not a duration", `weekly_goal = "20 hours"`, "not a duration", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.toml")
			os.WriteFile(p, []byte(tc.body), 0o600)
			c, err := Load(p)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, c)
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load = %v, want ErrInvalid mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestSaveRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "config.toml")
	c := Default()
	c.TimeZone = "Asia/Tokyo"
	c.Sync.ServerURL = "http://127.0.0.1:8787"
	if err := Save(p, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip %+v != %+v", got, c)
	}
	c.IdleTimeout.Duration = time.Second
	if err := Save(p, c); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Save(invalid) = %v, want ErrInvalid", err)
	}
	if again, _ := Load(p); !reflect.DeepEqual(again, got) {
		t.Fatal("a refused Save changed the file")
	}
}

func TestLocation(t *testing.T) {
	c := Default()
	c.TimeZone = "America/New_York"
	loc, err := c.Location()
	if err != nil || loc.String() != "America/New_York" {
		t.Fatalf("Location = %v, %v", loc, err)
	}
	c.TimeZone = ""
	t.Setenv("TZ", "Asia/Kolkata")
	if loc, err := c.Location(); err != nil || loc.String() != "Asia/Kolkata" {
		t.Fatalf("system zone from TZ = %v, %v", loc, err)
	}
	c.TimeZone = "Nowhere/Land"
	if _, err := c.Location(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Location(bad) = %v", err)
	}
}

func TestPathsFor(t *testing.T) {
	env := func(goos string, vars map[string]string) Env {
		return Env{GOOS: goos, UserDir: "/home/ann", Getenv: func(k string) string { return vars[k] }}
	}
	tests := []struct {
		name string
		flag string
		env  Env
		want Paths
	}{
		{"linux defaults", "", env("linux", nil), Paths{
			Home: "/home/ann/.local/share/worktime", Config: "/home/ann/.config/worktime/config.toml",
			DB: "/home/ann/.local/share/worktime/worktime.db", Socket: "/home/ann/.local/share/worktime/worktimed.sock",
			LogDir: "/home/ann/.local/state/worktime/logs"}},
		{"linux xdg", "", env("linux", map[string]string{"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d", "XDG_STATE_HOME": "/s", "XDG_RUNTIME_DIR": "/run/user/1000"}), Paths{
			Home: "/d/worktime", Config: "/c/worktime/config.toml", DB: "/d/worktime/worktime.db",
			Socket: "/run/user/1000/worktime/worktimed.sock", LogDir: "/s/worktime/logs"}},
		{"linux relative xdg ignored", "", env("linux", map[string]string{"XDG_CONFIG_HOME": "rel"}), Paths{
			Home: "/home/ann/.local/share/worktime", Config: "/home/ann/.config/worktime/config.toml",
			DB: "/home/ann/.local/share/worktime/worktime.db", Socket: "/home/ann/.local/share/worktime/worktimed.sock",
			LogDir: "/home/ann/.local/state/worktime/logs"}},
		{"macos", "", env("darwin", nil), Paths{
			Home: "/home/ann/Library/Application Support/worktime", Config: "/home/ann/Library/Application Support/worktime/config.toml",
			DB: "/home/ann/Library/Application Support/worktime/worktime.db", Socket: "/home/ann/Library/Application Support/worktime/worktimed.sock",
			LogDir: "/home/ann/Library/Logs/worktime"}},
		{"windows", "", env("windows", map[string]string{"AppData": "/w/Roaming", "LocalAppData": "/w/Local"}), Paths{
			Home: "/w/Roaming/worktime", Config: "/w/Roaming/worktime/config.toml", DB: "/w/Roaming/worktime/worktime.db",
			Socket: "/w/Local/worktime/worktimed.sock", LogDir: "/w/Local/worktime/logs"}},
		{"WORKTIME_HOME", "", env("linux", map[string]string{"WORKTIME_HOME": "/tmp/wt"}), Paths{
			Home: "/tmp/wt", Config: "/tmp/wt/config.toml", DB: "/tmp/wt/worktime.db", Socket: "/tmp/wt/worktimed.sock", LogDir: "/tmp/wt/logs"}},
		{"--home wins", "/srv/x", env("darwin", map[string]string{"WORKTIME_HOME": "/tmp/wt"}), Paths{
			Home: "/srv/x", Config: "/srv/x/config.toml", DB: "/srv/x/worktime.db", Socket: "/srv/x/worktimed.sock", LogDir: "/srv/x/logs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PathsFor(tc.flag, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("PathsFor = %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, err := PathsFor("", Env{GOOS: "linux", Getenv: func(string) string { return "" }}); err == nil {
		t.Fatal("no home directory and no WORKTIME_HOME: want an error")
	}
	t.Setenv("WORKTIME_HOME", "/tmp/wt-env")
	if p, err := DefaultPaths(""); err != nil || p.DB != "/tmp/wt-env/worktime.db" {
		t.Fatalf("DefaultPaths with WORKTIME_HOME = %+v, %v", p, err)
	}
	if p, err := DefaultPaths("/tmp/flag"); err != nil || p.DB != "/tmp/flag/worktime.db" {
		t.Fatalf("DefaultPaths(flag) = %+v, %v", p, err)
	}
}

// TestLocationWithInjectedEnv checks that TZ is read through the injected
// getenv, not from the process environment.
func TestLocationWithInjectedEnv(t *testing.T) {
	t.Setenv("TZ", "Asia/Kolkata") // the process's; must be ignored
	getenv := func(tz string) func(string) string {
		return func(k string) string {
			if k == "TZ" {
				return tz
			}
			return ""
		}
	}
	tests := []struct{ tz, want string }{
		{"America/Santiago", "America/Santiago"},
		{":Europe/Paris", "Europe/Paris"},
	}
	for _, tt := range tests {
		t.Run(tt.tz, func(t *testing.T) {
			if got := SystemZoneName(getenv(tt.tz)); got != tt.want {
				t.Errorf("SystemZoneName = %q, want %q", got, tt.want)
			}
			loc, err := Default().LocationWith(getenv(tt.tz))
			if err != nil || loc.String() != tt.want {
				t.Errorf("LocationWith = %v, %v; want %s", loc, err, tt.want)
			}
		})
	}
	if got := SystemZoneName(getenv("")); got == "Asia/Kolkata" {
		t.Errorf("SystemZoneName read the process's TZ through os.Getenv")
	}
}
