package backend_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/daemon"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localdb/dbtest"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const unknownID = "0190a000-0000-7000-8000-00000000ffff"

// options are a fresh worktime home in a temporary folder, with no
// environment (so no keychain is reached) and a fake clock.
func options(t *testing.T) backend.Options {
	t.Helper()
	noenv := func(string) string { return "" }
	p, err := config.PathsFor(t.TempDir(), config.Env{Getenv: noenv})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.TimeZone = "UTC"
	return backend.Options{Paths: p, Config: cfg, Clock: clock.NewFake(t0), Getenv: noenv, Version: "direct"}
}

// runDaemon serves the daemon's local API over o's store, as `worktimed
// run` does, until the returned stop is called (or the test ends). The
// socket listens when it returns.
func runDaemon(t *testing.T, o backend.Options) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := daemon.New(ctx, daemon.Options{Paths: o.Paths, Config: o.Config, Clock: o.Clock, Getenv: o.Getenv, Version: "daemon"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := localapi.Listen(o.Paths.Socket)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- localapi.New(localapi.Options{Tracker: d.Tracker, Version: d.Version, DeviceID: d.DeviceID}).Serve(ctx, ln)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		d.Close()
	}
	t.Cleanup(stop)
	return stop
}

func TestRelayChoosesPerCall(t *testing.T) {
	ctx := context.Background()
	o := options(t)
	r := backend.NewRelay(o)
	defer r.Close()

	st, err := r.Status(ctx)
	if err != nil || st.Version != "direct" || st.Sync.State != api.SyncDisabled || st.DeviceID == "" {
		t.Fatalf("status without a daemon: %+v, %v", st, err)
	}
	s, err := r.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 7, Source: api.SourceBrowser})
	if err != nil {
		t.Fatal(err)
	}
	// An active session is not pending: only ended sessions go to the server.
	if st, err = r.Status(ctx); err != nil || st.Sync.Pending != 0 || st.Active == nil || st.Active.ID != s.ID {
		t.Fatalf("status after a direct start: %+v, %v", st, err)
	}

	stop := runDaemon(t, o)
	if st, err = r.Status(ctx); err != nil || st.Version != "daemon" || st.Active == nil || st.Active.ID != s.ID {
		t.Fatalf("status with the daemon: %+v, %v", st, err)
	}
	if _, err := r.Heartbeat(ctx, s.ID, nil); err != nil {
		t.Fatalf("heartbeat through the daemon: %v", err)
	}

	stop()
	if a, err := r.Active(ctx); err != nil || a == nil || a.ID != s.ID {
		t.Fatalf("active after the daemon stopped: %+v, %v", a, err)
	}
	_, err = r.End(ctx, unknownID, nil)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != api.CodeNotFound || !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("end of an unknown session: %v, want a not_found *api.Error", err)
	}
}

func TestErrorsMatchWhicheverBackendAnswers(t *testing.T) {
	for _, withDaemon := range []bool{false, true} {
		name := "direct"
		if withDaemon {
			name = "daemon"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			o := options(t)
			if withDaemon {
				runDaemon(t, o)
			}
			b, err := backend.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if _, isDaemon := b.(*backend.Daemon); isDaemon != withDaemon {
				t.Fatalf("Open = %T, want the daemon: %v", b, withDaemon)
			}
			s, err := b.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 7, Source: api.SourceManual})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.End(ctx, s.ID, nil); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				what string
				call func() error
				want error
			}{
				{"end of an unknown session", func() error { _, err := b.End(ctx, unknownID, nil); return err }, api.ErrNotFound},
				{"heartbeat of an ended session", func() error { _, err := b.Heartbeat(ctx, s.ID, nil); return err }, api.ErrConflict},
				{"start on a bad repository", func() error {
					_, err := b.Start(ctx, api.StartRequest{RepoOwner: "ac me", RepoName: "web", PRNumber: 1})
					return err
				}, api.ErrInvalid},
			} {
				err := tc.call()
				for _, other := range []error{api.ErrNotFound, api.ErrConflict, api.ErrInvalid} {
					if errors.Is(err, other) != (other == tc.want) {
						t.Errorf("%s: %v; errors.Is(%v) = %v", tc.what, err, other, !(other == tc.want))
					}
				}
			}
		})
	}
}

func TestSyncWithoutDaemonOrAccount(t *testing.T) {
	st, err := backend.Sync(context.Background(), options(t), nil)
	if err != nil || st.State != api.SyncSignedOut {
		t.Fatalf("sync signed out without a daemon: %+v, %v", st, err)
	}
}

// TestRelayCodesDoNotDependOnTheDaemon: a request the tracker refuses on
// its face gets bad_request from the relay whether the daemon runs or not.
// Through the daemon, a repository name JSON escapes to six times its size
// (over the local API's body limit) and a session id goes into the URL; the
// relay refuses both before sending.
func TestRelayCodesDoNotDependOnTheDaemon(t *testing.T) {
	ctx := context.Background()
	hugeID := strings.Repeat("z", 1<<20)
	calls := map[string]func(b *backend.Relay) error{
		"name of <": func(b *backend.Relay) error {
			_, err := b.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: strings.Repeat("<", 1_040_000), PRNumber: 1})
			return err
		},
		"name of U+0080": func(b *backend.Relay) error {
			_, err := b.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: strings.Repeat("\u0080", 500_000), PRNumber: 1})
			return err
		},
		"heartbeat id": func(b *backend.Relay) error { _, err := b.Heartbeat(ctx, hugeID, nil); return err },
		"end id":       func(b *backend.Relay) error { _, err := b.End(ctx, hugeID, nil); return err },
	}
	for _, up := range []bool{false, true} {
		o := options(t)
		if up {
			runDaemon(t, o)
		}
		r := backend.NewRelay(o)
		t.Cleanup(func() { r.Close() })
		for name, call := range calls {
			err := call(r)
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Code != api.CodeBadRequest || len(ae.Message) > 1000 {
				t.Errorf("daemon running %v, %s: %.300v; want a short bad_request", up, name, err)
			}
		}
	}
}

// With the daemon down, a damaged store is refused with unavailable (not
// internal) and the file is left as it was.
func TestRelayRefusesDamagedStore(t *testing.T) {
	ctx := context.Background()
	o := options(t)
	dbtest.History(t, o.Paths.DB, 300, t0)
	want := dbtest.Damage(t, o.Paths.DB, "daily_stats", 1)
	r := backend.NewRelay(o)
	defer r.Close()

	_, err := r.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 7, Source: api.SourceBrowser})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "doctor") {
		t.Fatalf("start on a damaged store: %v, want unavailable naming doctor", err)
	}
	got, err := os.ReadFile(o.Paths.DB)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the damaged store was modified")
	}
}
