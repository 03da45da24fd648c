package daemon

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
)

// CredentialsFile is where the JWT is kept under the worktime home.
func CredentialsFile(p config.Paths) string { return filepath.Join(p.Home, "credentials.json") }

// AuthService builds the sign-in service for the CLI and the daemon; clk
// stamps sign-ins. Every request to GitHub and to the server is bounded by
// WORKTIME_SYNC_TIMEOUT (auth.DefaultServerTimeout when unset; an
// unreadable value is reported by SyncTuningFrom, and leaves the default
// here).
func AuthService(p config.Paths, cfg config.Config, getenv func(string) string, clk clock.Clock) *auth.Service {
	if clk == nil {
		clk = clock.Real()
	}
	timeout := auth.DefaultServerTimeout
	if tun, err := SyncTuningFrom(cfg, getenv); err == nil && tun.Timeout > 0 {
		timeout = tun.Timeout
	}
	gh := auth.GitHubConfig{ClientID: cfg.Sync.GitHubClientID, Scopes: []string{"read:user"},
		HTTP: &http.Client{Timeout: timeout}}
	if base := strings.TrimRight(getenv(EnvGitHubOAuthBase), "/"); base != "" {
		gh.DeviceAuthURL = base + "/login/device/code"
		gh.TokenURL = base + "/login/oauth/access_token"
	}
	return &auth.Service{
		Store:            auth.NewUserStore(CredentialsFile(p), getenv),
		GitHub:           gh,
		Server:           auth.ServerClient{Timeout: timeout},
		DefaultServerURL: cfg.Sync.ServerURL,
		Now:              clk.Now,
	}
}
