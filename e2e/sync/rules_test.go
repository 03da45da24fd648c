package synce2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// TestRulesKeepRepositoriesOut: with the daemon running, a "dont_track"
// repository is refused with nothing written, a "dont_sync" one is recorded
// and never reaches the worker, the private switch holds everything back
// while signed in, and withdraw takes sessions off the worker while this
// device keeps them.
func TestRulesKeepRepositoriesOut(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	d.login(s, "rules-user", s.url())
	d.mustRun("rules", "add", "octo", "--action", "dont_track")
	d.mustRun("rules", "add", "*/secret-*", "--action", "dont_sync")

	_, err := d.run("track", "start", "--repo", "octo/app", "--pr", "1")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 || !strings.Contains(err.Error(), "excluded") {
		t.Fatalf("start of a dont_track repository through the daemon: %v", err)
	}
	if _, err := d.client.Start(context.Background(), api.StartRequest{RepoOwner: "octo", RepoName: "web", PRNumber: 2, Source: api.SourceBrowser}); !errors.Is(err, api.ErrExcluded) {
		t.Fatalf("start through the local API: %v", err)
	}
	base := dayStart(1)
	secret := d.track("acme/secret-plans", 3, base.Add(9*time.Hour), 20*time.Minute)
	open := d.track("acme/web", 4, base.Add(10*time.Hour), 30*time.Minute)
	d.mustRun("sync")
	d.waitSynced()
	for _, l := range d.list() {
		if l.RepoOwner == "octo" {
			t.Fatalf("an excluded repository was recorded: %+v", l)
		}
	}
	on := serverSessions(t, s.url(), d.token())
	if len(on) != 1 || on[0].ID != open.ID {
		t.Fatalf("server sessions %+v, want only %s (not %s)", on, open.ID, secret.ID)
	}

	// Private: held back, still signed in.
	d.mustRun("rules", "private", "on")
	later := d.track("acme/web", 5, base.Add(12*time.Hour), 10*time.Minute)
	d.run("sync") // exits non-zero or zero; the state is what counts
	if st := d.status(); st.Sync.State != api.SyncPrivate || !st.SignedIn || st.Sync.Pending != 1 {
		t.Fatalf("private: %+v", st)
	}
	if on := serverSessions(t, s.url(), d.token()); len(on) != 1 {
		t.Fatalf("a private device pushed: %+v", on)
	}
	d.mustRun("rules", "private", "off")
	d.mustRun("sync")
	d.waitSynced()
	if on := serverSessions(t, s.url(), d.token()); len(on) != 2 {
		t.Fatalf("after private off the server has %+v", on)
	}

	// Withdraw acme/web from the server; the laptop keeps it.
	d.mustRun("rules", "add", "acme/web", "--action", "dont_sync")
	out := d.mustRun("rules", "withdraw", "--yes")
	if !strings.Contains(out, open.ID) || !strings.Contains(out, later.ID) {
		t.Fatalf("withdraw printed %q", out)
	}
	d.mustRun("sync")
	d.waitSynced()
	if on := serverSessions(t, s.url(), d.token()); len(on) != 0 {
		t.Fatalf("after withdraw the server has %+v", on)
	}
	if n := len(d.list()); n != 3 {
		t.Fatalf("the laptop lists %d sessions after withdraw, want 3", n)
	}
}
