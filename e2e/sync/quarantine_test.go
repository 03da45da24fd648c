package synce2e

import (
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// TestRejectedSessionIsQuarantined: a session the worker refuses (longer
// than it accepts) is quarantined and reported; the sessions around it
// sync normally and the queue never stalls.
func TestRejectedSessionIsQuarantined(t *testing.T) {
	s := newStack(t, "")
	d := newDevice(t, "laptop", s)
	d.startDaemon()
	d.login(s, "quarantine", s.url())
	var want []api.Session
	want = append(want, d.track("acme/q", 1, dayStart(3).Add(9*time.Hour), 20*time.Minute))
	tooLong := d.track("acme/q", 2, dayStart(45), 32*24*time.Hour)
	want = append(want, d.track("acme/q", 3, dayStart(2).Add(9*time.Hour), 30*time.Minute))
	d.waitFor("the refused session to be quarantined", 60*time.Second, func() (bool, string) {
		st := d.status()
		return st.Sync.State == "idle" && st.Sync.Pending == 0 && st.Sync.Quarantined == 1, strings.TrimSpace(st.Sync.State)
	})
	out := d.mustRun("status")
	if !strings.Contains(out, "1 refused by the server") {
		t.Errorf("status does not report the refused session:\n%s", out)
	}
	if !strings.Contains(d.logTail(), tooLong.ID) {
		t.Errorf("the daemon log does not name the refused session %s", tooLong.ID)
	}
	// Later sessions still go through.
	want = append(want, d.track("acme/q", 4, dayStart(1).Add(9*time.Hour), 5*time.Minute))
	d.waitSynced()
	compareSessions(t, want, serverSessions(t, s.url(), d.token()))
	if st := d.status(); st.Sync.Quarantined != 1 {
		t.Errorf("quarantined = %d, want 1", st.Sync.Quarantined)
	}
}
