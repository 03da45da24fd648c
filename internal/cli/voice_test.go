package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// Messages as the layers below wrap them, and the one line a user reads.
func TestMessageVoice(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"daemon's not found stutter",
			fmt.Errorf("track stop: %w", &api.Error{Code: api.CodeNotFound, Message: "end: session not found: nope: session not found"}),
			"track stop: session not found: nope"},
		{"daemon's conflict",
			fmt.Errorf("track start: %w", &api.Error{Code: api.CodeConflict, Message: "start: conflict: start 09:00 is before the active session's start; stop it first: conflict"}),
			"track start: start 09:00 is before the active session's start; stop it first"},
		{"internal names",
			fmt.Errorf("login: %w", fmt.Errorf("auth.Login: %w", fmt.Errorf("auth.StartDeviceFlow: %w", errors.New("no GitHub client id is configured")))),
			"login: no GitHub client id is configured"},
		{"nothing but a code",
			fmt.Errorf("sync: %w", errors.New("unavailable")),
			"sync: unavailable"},
		{"hint closes the line",
			fmt.Errorf("stats: localdb.Open: %w", localdb.ErrCorrupt),
			"stats: " + localdb.ErrCorrupt.Error() + " (" + hintFor(localdb.ErrCorrupt) + ")"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := message(tc.err); got != tc.want {
				t.Errorf("message = %q\n         want %q", got, tc.want)
			}
		})
	}
}

// closedPort is a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// An unreachable server is exit 7 with the server named and what to do, not
// the transport's raw chain (the error is a real refused connection).
func TestUnreachableServerIsUnavailable(t *testing.T) {
	addr := closedPort(t)
	resp, err := http.Post("http://"+addr+"/api/sync/push", "application/json", nil)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("POST to closed %s succeeded", addr)
	}
	err = fmt.Errorf("sync: %w", fmt.Errorf("syncer.Push: %w", err))
	if code := ExitCode(err); code != ExitUnavailable {
		t.Errorf("ExitCode(%v) = %d, want %d", err, code, ExitUnavailable)
	}
	got := message(err)
	want := "sync: cannot reach " + addr + ": connection refused (check the network and sync.server_url"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "dial tcp") {
		t.Errorf("message = %q, want it to start %q", got, want)
	}
}

func TestLogoutWhenNeverSignedIn(t *testing.T) {
	h := newCLI(t)
	out := h.ok("logout")
	if !strings.Contains(out, "Not signed in") || strings.Contains(out, "Signed out.") {
		t.Errorf("logout without credentials says %q", out)
	}
}

func TestServiceSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"service", "-h"}, {"service", "start", "-h"}, {"service", "status", "--help"}} {
		h := newCLI(t)
		code, out, errs := h.run(args...)
		if code != ExitOK || !strings.Contains(out, "Usage: worktimed service") || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the usage and 0", args, code, out, errs)
		}
	}
}

// Help shows every flag a command takes, and no value as a default that is
// not one.
func TestHelpTextsNameTheirFlags(t *testing.T) {
	tests := []struct {
		args      []string
		want, not string
	}{
		{[]string{"track", "start", "-h"}, "[--session-id UUID]", ""},
		{[]string{"track", "-h"}, "[--session-id UUID]", ""},
		{[]string{"export", "-h"}, "no default", "  -format csv\n"},
	}
	for _, tc := range tests {
		h := newCLI(t)
		code, out, errs := h.run(tc.args...)
		if code != ExitOK || !strings.Contains(out+errs, tc.want) || (tc.not != "" && strings.Contains(out+errs, tc.not)) {
			t.Errorf("%v: exit %d, output %q; want %q without %q", tc.args, code, out+errs, tc.want, tc.not)
		}
	}
}
