package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/github"
)

// Device flow outcomes the user has to act on.
var (
	ErrAccessDenied = errors.New("the sign-in was denied on GitHub")
	ErrCodeExpired  = errors.New("the sign-in code expired before it was entered")
	// ErrDeviceFlowDisabled: the GitHub OAuth app (sync.github_client_id)
	// does not allow the device flow. GitHub says so with
	// device_flow_disabled, with unauthorized_client, or with a device code
	// reply that has no verification_uri; only the app's owner can fix it.
	ErrDeviceFlowDisabled = errors.New("the GitHub OAuth app does not allow the Device Flow: " +
		"its owner must tick \"Enable Device Flow\" in the app's settings on GitHub " +
		"(Settings → Developer settings → OAuth Apps → the app), then sign in again")
)

// deviceFlowRefused reports whether a GitHub error code means the app does
// not allow the device flow.
func deviceFlowRefused(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && (re.ErrorCode == "device_flow_disabled" || re.ErrorCode == "unauthorized_client")
}

// GitHubConfig says how to reach GitHub's device flow. The zero URLs mean
// github.com; tests point them at the fake.
type GitHubConfig struct {
	ClientID      string
	DeviceAuthURL string
	TokenURL      string
	Scopes        []string
	HTTP          *http.Client
}

// DeviceCode is what the user must enter, and where.
type DeviceCode struct {
	UserCode        string    `json:"user_code"`
	VerificationURI string    `json:"verification_uri"`
	ExpiresAt       time.Time `json:"expires_at"`

	resp *oauth2.DeviceAuthResponse
}

func (g GitHubConfig) oauth() (*oauth2.Config, error) {
	if g.ClientID == "" {
		return nil, errors.New("no GitHub client id is configured (sync.github_client_id in config.toml)")
	}
	ep := github.Endpoint
	ep.AuthStyle = oauth2.AuthStyleInParams
	if g.DeviceAuthURL != "" {
		ep.DeviceAuthURL = g.DeviceAuthURL
	}
	if g.TokenURL != "" {
		ep.TokenURL = g.TokenURL
	}
	return &oauth2.Config{ClientID: g.ClientID, Endpoint: ep, Scopes: g.Scopes}, nil
}

func (g GitHubConfig) ctx(ctx context.Context) context.Context {
	if g.HTTP != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, g.HTTP)
	}
	return ctx
}

// StartDeviceFlow asks GitHub for a device and user code.
func (g GitHubConfig) StartDeviceFlow(ctx context.Context) (DeviceCode, error) {
	cfg, err := g.oauth()
	if err != nil {
		return DeviceCode{}, fmt.Errorf("auth.StartDeviceFlow: %w", err)
	}
	da, err := cfg.DeviceAuth(g.ctx(ctx))
	if deviceFlowRefused(err) {
		return DeviceCode{}, fmt.Errorf("auth.StartDeviceFlow: client id %s: %w", g.ClientID, ErrDeviceFlowDisabled)
	}
	if err != nil {
		return DeviceCode{}, fmt.Errorf("auth.StartDeviceFlow: %w", err)
	}
	if da.VerificationURI == "" {
		// GitHub's answer when the app does not offer the device flow (a
		// 200 without the page to send the user to).
		return DeviceCode{}, fmt.Errorf("auth.StartDeviceFlow: client id %s: %w", g.ClientID, ErrDeviceFlowDisabled)
	}
	if da.UserCode == "" || da.DeviceCode == "" {
		return DeviceCode{}, errors.New("auth.StartDeviceFlow: GitHub's reply has no device code, user code or verification URI")
	}
	return DeviceCode{UserCode: da.UserCode, VerificationURI: da.VerificationURI, ExpiresAt: da.Expiry, resp: da}, nil
}

// WaitForToken polls GitHub until the user has entered the code, and
// returns the GitHub access token. It honours slow_down and stops with
// ErrAccessDenied or ErrCodeExpired, or when ctx ends.
func (g GitHubConfig) WaitForToken(ctx context.Context, dc DeviceCode) (string, error) {
	cfg, err := g.oauth()
	if err != nil {
		return "", fmt.Errorf("auth.WaitForToken: %w", err)
	}
	if dc.resp == nil {
		return "", errors.New("auth.WaitForToken: the device code was not issued by StartDeviceFlow")
	}
	tok, err := cfg.DeviceAccessToken(g.ctx(ctx), dc.resp)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "access_denied":
				return "", fmt.Errorf("auth.WaitForToken: %w", ErrAccessDenied)
			case "expired_token":
				return "", fmt.Errorf("auth.WaitForToken: %w", ErrCodeExpired)
			}
		}
		if deviceFlowRefused(err) {
			return "", fmt.Errorf("auth.WaitForToken: client id %s: %w", g.ClientID, ErrDeviceFlowDisabled)
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return "", fmt.Errorf("auth.WaitForToken: %w", ErrCodeExpired)
		}
		return "", fmt.Errorf("auth.WaitForToken: %w", err)
	}
	return tok.AccessToken, nil
}
