package synce2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// TestEditsAndDeletesConverge: two daemons of one user. While the laptop
// is offline (its daemon stopped) the desktop moves one session (start and
// end) and deletes another; the laptop, offline, edits the deleted one
// (through the store directly, as the CLI does without a daemon). Back
// online, both devices and the server agree: the laptop's older version of
// the moved session gives way to the desktop's edit, and the deletion wins
// over the laptop's later edit (a deleted session never comes back).
func TestEditsAndDeletesConverge(t *testing.T) {
	s := newStack(t, "")
	a := newDevice(t, "desktop", s)
	b := newDevice(t, "laptop", s)
	a.startDaemon()
	b.startDaemon()
	a.login(s, "edit-devices", s.url())
	b.login(s, "edit-devices", s.url())
	base := dayStart(2)
	moved := a.track("worktime/worktime", 5, base.Add(9*time.Hour), 50*time.Minute)
	doomed := a.track("worktime/worktime", 6, base.Add(11*time.Hour), 30*time.Minute)
	kept := b.track("acme/api", 9, base.Add(23*time.Hour+30*time.Minute), time.Hour)
	a.mustRun("sync")
	b.mustRun("sync")
	a.mustRun("sync")
	if la := a.list(); len(la) != 3 {
		t.Fatalf("desktop has %d sessions before the edits, want 3", len(la))
	}

	b.stopDaemon()
	rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	a.mustRun("sessions", "edit", moved.ID, "--start", rfc(base.Add(9*time.Hour+10*time.Minute)), "--end", rfc(base.Add(10*time.Hour+5*time.Minute)), "--pr", "8")
	a.mustRun("sessions", "delete", doomed.ID)
	a.mustRun("sync")
	// Offline, after the desktop's delete: the laptop's edit is the later
	// version, and still loses.
	b.mustRun("sessions", "edit", doomed.ID, "--pr", "77", "--end", rfc(base.Add(11*time.Hour+45*time.Minute)))
	b.startDaemon()
	b.mustRun("sync")
	a.mustRun("sync")
	b.mustRun("sync")

	la, lb := a.list(), b.list()
	if fmt.Sprint(sortedIDs(la)) != fmt.Sprint(sortedIDs(lb)) {
		t.Fatalf("devices list different sessions:\ndesktop %+v\nlaptop  %+v", la, lb)
	}
	for _, s := range append(la, lb...) {
		if s.ID == doomed.ID {
			t.Fatalf("the deleted session came back: %+v", s)
		}
	}
	byID := map[string]api.Session{}
	for _, s := range la {
		byID[s.ID] = s
	}
	if _, ok := byID[kept.ID]; !ok || len(la) != 2 {
		t.Fatalf("desktop sessions %+v, want the moved and the kept one", la)
	}
	for _, l := range [][]api.Session{la, lb} {
		for _, s := range l {
			if s.ID == moved.ID && (s.PRNumber != 8 || s.DurationSeconds != 55*60 || !s.StartTime.Equal(base.Add(9*time.Hour+10*time.Minute))) {
				t.Errorf("moved session: %+v", s)
			}
		}
	}
	sa, sb := a.localStats(5), b.localStats(5)
	if fmt.Sprint(sa.Days) != fmt.Sprint(sb.Days) || fmt.Sprint(sa.Repos) != fmt.Sprint(sb.Repos) || fmt.Sprint(sa.PRs) != fmt.Sprint(sb.PRs) {
		t.Fatalf("devices disagree:\ndesktop %+v\nlaptop  %+v", sa, sb)
	}
	server := serverDailyFull(t, s.url(), a.token(), 5)
	compareStats(t, sa, server.Days)
	compareRepos(t, sa, server)
	compareSessions(t, la, serverSessions(t, s.url(), a.token()))
	for _, st := range []api.Status{a.status(), b.status()} {
		if st.Sync.Pending != 0 {
			t.Errorf("pending after sync: %+v", st.Sync)
		}
	}
}

// list is every session the daemon holds.
func (d *device) list() []api.Session {
	d.t.Helper()
	ss, err := d.client.Sessions(context.Background(), localclientQuery())
	if err != nil {
		d.t.Fatal(err)
	}
	return ss
}
