package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/fakes/github"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "home", "credentials.json")
	st := auth.NewFileStore(path)
	if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
		t.Fatalf("Load of a missing file: err = %v, want ErrSignedOut", err)
	}
	want := auth.Credentials{ServerURL: "http://127.0.0.1:8787", Token: "jwt.value.sig", Login: "octocat"}
	if err := st.Save(ctx, want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := st.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.ServerURL != want.ServerURL || got.Token != want.Token || got.Login != want.Login {
		t.Errorf("Load = %+v, want %+v", got, want)
	}
	if err := st.Delete(ctx); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := st.Delete(ctx); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
		t.Errorf("Load after Delete: err = %v, want ErrSignedOut", err)
	}
}

func TestFileStoreRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, content string
		mode          os.FileMode
		signedOut     bool
	}{
		{"world readable", `{"server_url":"http://x","token":"t"}`, 0o644, false},
		{"not json", `{{{`, 0o600, false},
		{"no token", `{"server_url":"http://x"}`, 0o600, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials.json")
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := auth.NewFileStore(path).Load(ctx)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if errors.Is(err, auth.ErrSignedOut) != tt.signedOut {
				t.Errorf("Load err = %v; ErrSignedOut = %v, want %v", err, errors.Is(err, auth.ErrSignedOut), tt.signedOut)
			}
		})
	}
	if err := auth.NewFileStore(filepath.Join(t.TempDir(), "c.json")).Save(ctx, auth.Credentials{ServerURL: "http://x"}); err == nil {
		t.Error("Save without a token succeeded")
	}
}

func TestNormalizeServerURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://127.0.0.1:8787/", "http://127.0.0.1:8787", true},
		{"https://worktime.example.workers.dev", "https://worktime.example.workers.dev", true},
		{" https://a.example/base/ ", "https://a.example/base", true},
		{"ftp://a.example", "", false},
		{"127.0.0.1:8787", "", false},
		{"", "", false},
		{"http://a.example/?x=1", "", false},
	}
	for _, tt := range tests {
		got, err := auth.NormalizeServerURL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeServerURL(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func ghConfig(gh *github.Server, clientID string) auth.GitHubConfig {
	return auth.GitHubConfig{ClientID: clientID, DeviceAuthURL: gh.DeviceCodeURL(), TokenURL: gh.TokenURL()}
}

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name    string
		act     func(gh *github.Server, code string) error
		wantErr error
		wantTok bool
	}{
		{"approved", func(gh *github.Server, code string) error { return gh.Approve(code, "octocat") }, nil, true},
		{"denied", func(gh *github.Server, code string) error { return gh.Deny(code) }, auth.ErrAccessDenied, false},
		{"expired", func(gh *github.Server, code string) error { return gh.Expire(code) }, auth.ErrCodeExpired, false},
		// Device Flow disabled in the app's settings after the code was
		// issued: the poll says device_flow_disabled.
		{"disabled while polling", func(gh *github.Server, code string) error {
			gh.SetDeviceFlowFault(github.DeviceFlowDisabled)
			return nil
		}, auth.ErrDeviceFlowDisabled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := github.New(t, github.Options{ClientID: "Iv1.test", Interval: 1})
			cfg := ghConfig(gh, "Iv1.test")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			dc, err := cfg.StartDeviceFlow(ctx)
			if err != nil {
				t.Fatalf("StartDeviceFlow: %v", err)
			}
			if dc.UserCode == "" || !strings.HasSuffix(dc.VerificationURI, "/login/device") || dc.ExpiresAt.Before(time.Now()) {
				t.Fatalf("DeviceCode = %+v", dc)
			}
			if err := tt.act(gh, dc.UserCode); err != nil {
				t.Fatal(err)
			}
			tok, err := cfg.WaitForToken(ctx, dc)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("WaitForToken err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("WaitForToken: %v", err)
			}
			if !strings.HasPrefix(tok, "gho_") {
				t.Errorf("token = %q, want a GitHub token", tok)
			}
		})
	}
}

func TestDeviceFlowPendingThenSlowDown(t *testing.T) {
	gh := github.New(t, github.Options{Interval: 1})
	cfg := ghConfig(gh, "Iv1.any")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dc, err := cfg.StartDeviceFlow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gh.SlowDown(1)
	done := make(chan error, 1)
	go func() {
		_, err := cfg.WaitForToken(ctx, dc)
		done <- err
	}()
	// The first poll gets slow_down, the following ones authorization_pending
	// until the code is approved.
	for gh.Polls() < 2 {
		select {
		case err := <-done:
			t.Fatalf("WaitForToken returned early: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := gh.Approve(dc.UserCode, "octocat"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitForToken: %v", err)
	}
	if p := gh.Polls(); p < 3 {
		t.Errorf("polls = %d, want at least 3 (slow_down, pending, approved)", p)
	}
}

func TestDeviceFlowErrors(t *testing.T) {
	gh := github.New(t, github.Options{ClientID: "Iv1.right"})
	ctx := context.Background()
	if _, err := ghConfig(gh, "Iv1.wrong").StartDeviceFlow(ctx); err == nil {
		t.Error("StartDeviceFlow with an unknown client id succeeded")
	}
	if _, err := ghConfig(gh, "").StartDeviceFlow(ctx); err == nil || !strings.Contains(err.Error(), "client id") {
		t.Errorf("StartDeviceFlow without a client id: err = %v", err)
	}
	if _, err := ghConfig(gh, "Iv1.right").WaitForToken(ctx, auth.DeviceCode{}); err == nil {
		t.Error("WaitForToken with a made-up code succeeded")
	}
}

// TestDeviceFlowNotEnabled: each way GitHub says the OAuth app does not
// allow the device flow ends in ErrDeviceFlowDisabled, whose message tells
// the user what to change in the app's settings.
func TestDeviceFlowNotEnabled(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault github.DeviceFlowFault
	}{
		{"device_flow_disabled", github.DeviceFlowDisabled},
		{"unauthorized_client", github.DeviceFlowUnauthorizedClient},
		{"no verification_uri", github.DeviceFlowNoVerificationURI},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gh := github.New(t, github.Options{ClientID: "Iv1.test"})
			gh.SetDeviceFlowFault(tt.fault)
			_, err := ghConfig(gh, "Iv1.test").StartDeviceFlow(context.Background())
			if !errors.Is(err, auth.ErrDeviceFlowDisabled) {
				t.Fatalf("StartDeviceFlow err = %v, want ErrDeviceFlowDisabled", err)
			}
			for _, want := range []string{"Enable Device Flow", "Iv1.test"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}
