package synce2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// TestSignInTrackSyncAgree: sign in with the device flow, track sessions on
// several days (some across local midnight), sync; the server's sessions
// and daily stats agree exactly with the local ones.
func TestSignInTrackSyncAgree(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	if st := d.status(); st.Sync.State != "signed_out" || st.SignedIn {
		t.Fatalf("before login: sync %+v, signed in %v; want signed_out", st.Sync, st.SignedIn)
	}
	d.login(s, "octocat", s.url())
	var want []api.Session
	for day := 5; day >= 1; day-- {
		base := dayStart(day)
		want = append(want,
			d.track("worktime/worktime", 12, base.Add(9*time.Hour), 47*time.Minute+13*time.Second),
			d.track("acme/api", 3, base.Add(13*time.Hour+5*time.Minute), 2*time.Hour+1*time.Second),
		)
		if day > 1 {
			// Across local midnight: 23:30 to 00:45 the next day.
			want = append(want, d.track("worktime/worktime", 12, base.Add(23*time.Hour+30*time.Minute), 75*time.Minute))
		}
	}
	out := d.mustRun("sync")
	if !strings.Contains(out, "Sync: idle") || !strings.Contains(out, "Pending: 0") {
		t.Fatalf("worktimed sync printed %q, want idle with nothing pending", out)
	}
	st := d.status()
	if !st.SignedIn || st.User == nil || st.User.Login != "octocat" || st.Sync.LastSuccessAt == nil || st.Sync.ServerURL != s.url() {
		t.Errorf("status after sync = %+v", st)
	}
	tok := d.token()
	compareSessions(t, want, serverSessions(t, s.url(), tok))
	local := d.localStats(7)
	server := serverDailyFull(t, s.url(), tok, 7)
	compareStats(t, local, server.Days)
	compareRepos(t, local, server)
}

// TestOfflineThousandSessions: the worker is down while 1,000 sessions are
// tracked over six days; once it is back every one arrives exactly once
// and the server's stats for the earlier days are exact.
func TestOfflineThousandSessions(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	d.login(s, "offline-user", s.url())
	d.waitSynced()
	s.stop()

	var want []api.Session
	for i := 0; i < 1000; i++ {
		day := 6 - i/200 // 200 a day over days -6..-2 (local)
		start := dayStart(day).Add(time.Duration(i%200)*7*time.Minute + 30*time.Second)
		dur := time.Duration(60+(i*37)%300) * time.Second
		if i%200 == 199 {
			// The last of each day runs past local midnight, up to just
			// before the next day's first (a device's sessions may not
			// overlap).
			start = dayStart(day).Add(23*time.Hour + 50*time.Minute)
			dur = 10*time.Minute + 20*time.Second
		}
		want = append(want, d.track("worktime/offline", 1+i%5, start, dur))
	}
	d.waitFor("sync to notice the server is down", 30*time.Second, func() (bool, string) {
		st, err := d.client.Status(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return st.Sync.State == "backoff" && st.Sync.Pending == 1000 && st.Sync.LastError != "" && st.Sync.NextAttemptAt != nil,
			strings.TrimSpace(st.Sync.State + " " + st.Sync.LastError)
	})

	s.start(t) // same port, same data, same JWT secret
	d.waitSynced()
	tok := d.token()
	compareSessions(t, want, serverSessions(t, s.url(), tok))
	compareStats(t, d.localStats(8), serverDaily(t, s.url(), tok, 8))
	// A manual sync afterwards sends nothing twice, and says so.
	if out := d.mustRun("sync"); !strings.Contains(out, "This run: pushed 0, pulled 0 sessions in 1 request\n") {
		t.Errorf("worktimed sync after everything arrived printed %q, want a run that pushed and pulled nothing", out)
	}
	if n := len(serverSessions(t, s.url(), tok)); n != 1000 {
		t.Errorf("server has %d sessions after another sync, want 1000", n)
	}
}
