package daemon

import (
	"fmt"
	"time"

	"github.com/worktime/worktime/internal/config"
)

// Environment variables that tune sync, for tests and local development.
// Durations are Go duration strings.
const (
	EnvSyncDebounce     = "WORKTIME_SYNC_DEBOUNCE"      // wait after the first ended session before pushing (60s)
	EnvSyncInterval     = "WORKTIME_SYNC_INTERVAL"      // periodic check while in use, overrides sync.interval
	EnvSyncIdleInterval = "WORKTIME_SYNC_IDLE_INTERVAL" // periodic check otherwise (1h)
	EnvSyncBackoffBase  = "WORKTIME_SYNC_BACKOFF_BASE"  // first retry delay (2s)
	EnvSyncBackoffMax   = "WORKTIME_SYNC_BACKOFF_MAX"   // retry delay cap (10m)
	EnvSyncTimeout      = "WORKTIME_SYNC_TIMEOUT"       // per request (30s)
	EnvGitHubOAuthBase  = "WORKTIME_GITHUB_OAUTH_BASE"  // GitHub's sign-in host (https://github.com)
)

// SyncTuning are the engine's timings.
type SyncTuning struct {
	Debounce, Interval, IdleInterval, BackoffBase, BackoffMax, Timeout time.Duration
}

// SyncTuningFrom reads the tuning from config and the environment
// variables above; an unreadable value is an error naming the variable.
func SyncTuningFrom(cfg config.Config, getenv func(string) string) (SyncTuning, error) {
	t := SyncTuning{Interval: cfg.Sync.Interval.Duration}
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{
		{EnvSyncDebounce, &t.Debounce}, {EnvSyncInterval, &t.Interval}, {EnvSyncIdleInterval, &t.IdleInterval},
		{EnvSyncBackoffBase, &t.BackoffBase},
		{EnvSyncBackoffMax, &t.BackoffMax}, {EnvSyncTimeout, &t.Timeout},
	} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return t, fmt.Errorf("%s=%q is not a positive duration (e.g. 500ms)", v.name, s)
		}
		*v.dst = d
	}
	return t, nil
}
