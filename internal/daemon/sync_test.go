package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/daemon"
)

func TestSyncTuningFrom(t *testing.T) {
	cfg := config.Default()
	tests := []struct {
		name    string
		env     map[string]string
		want    daemon.SyncTuning
		wantErr string
	}{
		{"defaults", nil, daemon.SyncTuning{Interval: config.DefaultSyncInterval}, ""},
		{"overrides", map[string]string{
			daemon.EnvSyncDebounce: "100ms", daemon.EnvSyncInterval: "2s", daemon.EnvSyncBackoffBase: "50ms",
			daemon.EnvSyncBackoffMax: "1s", daemon.EnvSyncTimeout: "3s", daemon.EnvSyncIdleInterval: "20s",
		}, daemon.SyncTuning{Debounce: 100 * time.Millisecond, Interval: 2 * time.Second, IdleInterval: 20 * time.Second, BackoffBase: 50 * time.Millisecond,
			BackoffMax: time.Second, Timeout: 3 * time.Second}, ""},
		{"not a duration", map[string]string{daemon.EnvSyncDebounce: "soon"}, daemon.SyncTuning{}, daemon.EnvSyncDebounce},
		{"negative", map[string]string{daemon.EnvSyncTimeout: "-1s"}, daemon.SyncTuning{}, daemon.EnvSyncTimeout},
		{"zero", map[string]string{daemon.EnvSyncBackoffMax: "0s"}, daemon.SyncTuning{}, daemon.EnvSyncBackoffMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := daemon.SyncTuningFrom(cfg, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("tuning = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAuthServiceURLs(t *testing.T) {
	p := config.Paths{Home: t.TempDir()}
	cfg := config.Default()
	cfg.Sync.GitHubClientID = "Iv1.x"
	cfg.Sync.ServerURL = "https://worktime.example"
	svc := daemon.AuthService(p, cfg, func(k string) string {
		if k == daemon.EnvGitHubOAuthBase {
			return "http://127.0.0.1:9/"
		}
		return ""
	}, nil)
	if svc.GitHub.DeviceAuthURL != "http://127.0.0.1:9/login/device/code" || svc.GitHub.TokenURL != "http://127.0.0.1:9/login/oauth/access_token" {
		t.Errorf("GitHub URLs = %q, %q", svc.GitHub.DeviceAuthURL, svc.GitHub.TokenURL)
	}
	if svc.GitHub.ClientID != "Iv1.x" || svc.DefaultServerURL != "https://worktime.example" {
		t.Errorf("service = %+v", svc)
	}
	def := daemon.AuthService(p, cfg, func(string) string { return "" }, nil)
	if def.GitHub.DeviceAuthURL != "" || def.GitHub.TokenURL != "" {
		t.Errorf("without the override the URLs must stay GitHub's defaults, got %q, %q", def.GitHub.DeviceAuthURL, def.GitHub.TokenURL)
	}
}

// TestAuthServiceClockAndTimeout checks that the sign-in service stamps
// sign-ins with the injected clock and bounds its requests with
// WORKTIME_SYNC_TIMEOUT (the default otherwise).
func TestAuthServiceClockAndTimeout(t *testing.T) {
	p := config.Paths{Home: t.TempDir()}
	at := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	clk := clock.NewFake(at)
	svc := daemon.AuthService(p, config.Default(), func(k string) string {
		if k == daemon.EnvSyncTimeout {
			return "250ms"
		}
		return ""
	}, clk)
	if svc.Now == nil || !svc.Now().Equal(at) {
		t.Errorf("the service does not tell the time with the injected clock")
	}
	if svc.Server.Timeout != 250*time.Millisecond || svc.GitHub.HTTP == nil || svc.GitHub.HTTP.Timeout != 250*time.Millisecond {
		t.Errorf("timeouts: server %v, GitHub %+v; want 250ms", svc.Server.Timeout, svc.GitHub.HTTP)
	}
	def := daemon.AuthService(p, config.Default(), func(string) string { return "" }, clk)
	if def.Server.Timeout != auth.DefaultServerTimeout {
		t.Errorf("default server timeout = %v, want %v", def.Server.Timeout, auth.DefaultServerTimeout)
	}
}
