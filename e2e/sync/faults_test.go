package synce2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/auth"
)

// TestFaultsExactlyOnce: each fault is injected into a push between the
// daemon and the worker; after recovery the server holds every session
// exactly once and its daily stats are exact.
func TestFaultsExactlyOnce(t *testing.T) {
	s := newStack(t, "")
	p := newProxy(t, s.url(), "/api/sync/")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	d.login(s, "faulty", p.URL())
	d.waitSynced()

	var want []api.Session
	faults := []fault{faultReset, fault500, fault429, faultLostAfterCommit, faultSlow}
	for i, f := range faults {
		t.Run(f.String(), func(t *testing.T) {
			p.inject(f)
			base := dayStart(1 + i%3).Add(time.Duration(8+i) * time.Hour)
			for k := 0; k < 3; k++ {
				want = append(want, d.track("acme/faults", 1+i, base.Add(time.Duration(k)*20*time.Minute), 15*time.Minute+time.Duration(k)*time.Second))
			}
			select {
			case got := <-p.done:
				if got != f {
					t.Fatalf("applied %v, want %v", got, f)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("the daemon never pushed through the proxy\n%s", d.logTail())
			}
			d.waitSynced()
			if st := d.status(); st.Sync.LastSuccessAt == nil {
				t.Errorf("no last success after recovering from %v", f)
			}
		})
	}
	tok := d.token()
	compareSessions(t, want, serverSessions(t, s.url(), tok))
	compareStats(t, d.localStats(5), serverDaily(t, s.url(), tok, 5))
}

// TestTwoDevicesConverge: two daemons with their own homes, one user; each
// tracks its own sessions, and after syncing both show the same stats,
// equal to the server's.
func TestTwoDevicesConverge(t *testing.T) {
	s := newStack(t, "")
	a := newDevice(t, "desktop", s)
	b := newDevice(t, "laptop", s)
	a.startDaemon()
	b.startDaemon()
	a.login(s, "two-devices", s.url())
	b.login(s, "two-devices", s.url())
	for day := 3; day >= 1; day-- {
		base := dayStart(day)
		a.track("worktime/worktime", 5, base.Add(9*time.Hour), 50*time.Minute)
		b.track("worktime/worktime", 5, base.Add(11*time.Hour), 20*time.Minute+7*time.Second)
		b.track("acme/api", 9, base.Add(22*time.Hour+40*time.Minute), 90*time.Minute)
	}
	a.mustRun("sync")
	b.mustRun("sync")
	a.mustRun("sync")
	sa, sb := a.localStats(5), b.localStats(5)
	if fmt.Sprint(sa.Days) != fmt.Sprint(sb.Days) || fmt.Sprint(sa.Repos) != fmt.Sprint(sb.Repos) || fmt.Sprint(sa.PRs) != fmt.Sprint(sb.PRs) {
		t.Fatalf("devices disagree:\ndesktop %+v\nlaptop  %+v", sa, sb)
	}
	var total int64
	for _, day := range sa.Days {
		total += day.Sessions
	}
	if total < 9 {
		t.Errorf("merged stats count %d sessions, want at least 9", total)
	}
	compareStats(t, sa, serverDaily(t, s.url(), a.token(), 5))
	// Each device lists the other's sessions too.
	la, err := a.client.Sessions(context.Background(), localclientQuery())
	if err != nil {
		t.Fatal(err)
	}
	if len(la) != 9 {
		t.Errorf("desktop lists %d sessions, want all 9", len(la))
	}
}

// TestRevokedAndExpiredToken: a JWT revoked at the server, then one that
// expires, each pause sync with sign_in_required without touching local
// data; signing in again resumes and nothing is lost.
func TestRevokedAndExpiredToken(t *testing.T) {
	s := newStack(t, "4")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	d.login(s, "revoked", s.url())
	d.waitSynced()
	var want []api.Session

	// Revoked: signed out elsewhere (the token is refused from now on).
	req, _ := http.NewRequest("POST", s.url()+"/auth/logout", nil)
	req.Header.Set("Authorization", "Bearer "+d.token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("revoking: HTTP %d", resp.StatusCode)
	}
	want = append(want, d.track("acme/auth", 1, dayStart(1).Add(10*time.Hour), 30*time.Minute))
	waitSignInRequired(t, d, 1)
	out, err := d.run("sync")
	if err == nil || !strings.Contains(out, "sign_in_required") {
		t.Errorf("worktimed sync while refused: err %v, output %q; want a failure naming sign_in_required", err, out)
	}
	d.login(s, "revoked", s.url())
	d.waitSynced()

	// Expired: the worker issues 4-second tokens here; once this one
	// expires the next request is refused.
	exp := tokenExpiry(t, d.token())
	want = append(want, d.track("acme/auth", 2, dayStart(1).Add(12*time.Hour), 10*time.Minute))
	time.Sleep(time.Until(exp) + time.Second) // a JWT's expiry is a wall-clock event
	want = append(want, d.track("acme/auth", 3, dayStart(1).Add(14*time.Hour), 10*time.Minute))
	waitSignInRequired(t, d, 1)
	d.login(s, "revoked", s.url())
	d.waitSynced()
	// The daemon's token may expire any moment: check with a fresh one.
	tok := freshToken(t, s, "revoked")
	compareSessions(t, want, serverSessions(t, s.url(), tok))
	compareStats(t, d.localStats(3), serverDaily(t, s.url(), tok, 3))
}

func waitSignInRequired(t *testing.T, d *device, pending int64) {
	t.Helper()
	d.waitFor("sign_in_required", 30*time.Second, func() (bool, string) {
		st, err := d.client.Status(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return st.Sync.State == "sign_in_required" && st.Sync.Pending >= pending, fmt.Sprintf("%+v", st.Sync)
	})
}

// tokenExpiry reads the exp claim of a JWT.
func tokenExpiry(t *testing.T, jwt string) time.Time {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Exp == 0 {
		t.Fatalf("JWT claims %s: %v", b, err)
	}
	return time.Unix(c.Exp, 0)
}

// freshToken signs login in at the worker directly (a GitHub token from the
// fake traded at POST /auth/github/token) and returns the JWT.
func freshToken(t *testing.T, s *stack, login string) string {
	t.Helper()
	c, err := auth.ServerClient{}.ExchangeGitHubToken(context.Background(), s.url(), s.gh.IssueToken(login))
	if err != nil {
		t.Fatal(err)
	}
	return c.Token
}
