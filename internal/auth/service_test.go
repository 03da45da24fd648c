package auth_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
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
	if st.State != api.LoginPending || st.UserCode == "" {
		t.Fatalf("StartLogin = %+v", st)
	}
	if got := svc.LoginStatus(ctx); got.State != api.LoginPending || got.UserCode != st.UserCode {
		t.Errorf("LoginStatus while pending = %+v", got)
	}
	if err := gh.Deny(st.UserCode); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var got api.LoginStatus
	for time.Now().Before(deadline) {
		// The flow polls GitHub in the background once a second.
		if got = svc.LoginStatus(ctx); got.State != api.LoginPending {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.State != api.LoginFailed || !strings.Contains(got.Error, "denied") {
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
	if st := down.LoginStatus(ctx); st.State != api.LoginIdle {
		t.Errorf("LoginStatus signed out = %+v, want idle", st)
	}
}

// TestLogoutServerNeverAnswers checks that a server that accepts the
// request but never answers cannot hang sign-out, and that the local
// credentials are gone anyway.
func TestLogoutServerNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	svc := &auth.Service{
		Store:  auth.NewFileStore(filepath.Join(t.TempDir(), "credentials.json")),
		Server: auth.ServerClient{Timeout: 100 * time.Millisecond},
	}
	ctx := context.Background()
	if err := svc.Store.Save(ctx, auth.Credentials{ServerURL: srv.URL, Token: "jwt", Login: "octocat"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Logout(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Logout hangs on a server that never answers")
	}
	if !errors.Is(err, auth.ErrNotRevoked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Logout err = %v, want ErrNotRevoked and a deadline", err)
	}
	if _, lerr := svc.Store.Load(ctx); !errors.Is(lerr, auth.ErrSignedOut) {
		t.Errorf("credentials after Logout: %v, want them deleted", lerr)
	}
}

func TestSignInServerNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := auth.ServerClient{Timeout: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() {
		_, err := c.DevLogin(context.Background(), srv.URL, "octocat")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("DevLogin err = %v, want a deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DevLogin hangs on a server that never answers")
	}
}
