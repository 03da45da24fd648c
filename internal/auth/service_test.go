package auth_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/fakes/github"
)

func newService(t *testing.T, gh *github.Server, server string) *auth.Service {
	return &auth.Service{
		Store:            auth.NewFileStore(filepath.Join(t.TempDir(), "credentials.json")),
		GitHub:           ghConfig(gh, "Iv1.svc"),
		DefaultServerURL: server,
	}
}

// closedURL is an http URL on which nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

func TestStartLoginDeniedReportsFailure(t *testing.T) {
	gh := github.New(t, github.Options{Interval: 1})
	svc := newService(t, gh, closedURL(t))
	changed := 0
	svc.OnChange = func() { changed++ }
	ctx := context.Background()
	st, err := svc.StartLogin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != auth.LoginPending || st.UserCode == "" {
		t.Fatalf("StartLogin = %+v", st)
	}
	if got := svc.LoginStatus(ctx); got.State != auth.LoginPending || got.UserCode != st.UserCode {
		t.Errorf("LoginStatus while pending = %+v", got)
	}
	if err := gh.Deny(st.UserCode); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var got auth.LoginStatus
	for time.Now().Before(deadline) {
		// The flow polls GitHub in the background once a second.
		if got = svc.LoginStatus(ctx); got.State != auth.LoginPending {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.State != auth.LoginFailed || !strings.Contains(got.Error, "denied") {
		t.Errorf("LoginStatus after a denial = %+v, want failed naming the denial", got)
	}
	if changed != 0 {
		t.Errorf("OnChange called %d times for a failed sign-in", changed)
	}
	if _, err := svc.Current(ctx); !errors.Is(err, auth.ErrSignedOut) {
		t.Errorf("Current after a failed sign-in: %v, want ErrSignedOut", err)
	}
}

func TestServiceErrors(t *testing.T) {
	gh := github.New(t, github.Options{Interval: 1})
	ctx := context.Background()
	noServer := newService(t, gh, "")
	if _, err := noServer.Login(ctx, "", nil); err == nil || !strings.Contains(err.Error(), "server") {
		t.Errorf("Login without a server: %v", err)
	}
	if _, err := noServer.DevLogin(ctx, "", "alice"); err == nil {
		t.Error("DevLogin without a server succeeded")
	}
	down := newService(t, gh, closedURL(t))
	if _, err := down.DevLogin(ctx, "", "alice"); err == nil {
		t.Error("DevLogin against a closed port succeeded")
	}
	if _, err := down.DevLogin(ctx, "", " "); err == nil {
		t.Error("DevLogin with a blank user succeeded")
	}
	// Signed out: logout is a no-op.
	if err := down.Logout(ctx); err != nil {
		t.Errorf("Logout while signed out: %v", err)
	}
	// The server is unreachable: the token is deleted anyway, and the
	// error says the server was not told.
	if err := down.Store.Save(ctx, auth.Credentials{ServerURL: down.DefaultServerURL, Token: "jwt", Login: "a"}); err != nil {
		t.Fatal(err)
	}
	err := down.Logout(ctx)
	if err == nil || !strings.Contains(err.Error(), "signed out locally") {
		t.Errorf("Logout with the server down: %v", err)
	}
	if _, err := down.Current(ctx); !errors.Is(err, auth.ErrSignedOut) {
		t.Errorf("credentials kept after logout: %v", err)
	}
	if st := down.LoginStatus(ctx); st.State != auth.LoginIdle {
		t.Errorf("LoginStatus signed out = %+v, want idle", st)
	}
}
