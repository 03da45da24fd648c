package nativemsge2e

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/localdb/dbtest"
)

// TestSameCodeWithDaemonUpAndDown: a malformed frame gets the same error
// code whether the host relays it to the daemon or records it itself, and
// the message quotes only a prefix of the bad value.
func TestSameCodeWithDaemonUpAndDown(t *testing.T) {
	hugeID := strings.Repeat("z", 1_000_000)
	tests := []struct {
		name string
		msg  func(active string) string
	}{
		{"repo name of 1,040,000 <", func(string) string {
			return `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"` + strings.Repeat("<", 1_040_000) + `","pr_number":1}`
		}},
		{"repo name of 500,000 U+0080", func(string) string {
			return `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"` + strings.Repeat("\u0080", 500_000) + `","pr_number":1}`
		}},
		{"start with a 1 MB session_id", func(string) string {
			return `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"` + hugeID + `"}`
		}},
		{"heartbeat with a 1 MB session_id", func(string) string {
			return `{"id":1,"type":"session.heartbeat","session_id":"` + hugeID + `"}`
		}},
		{"end with a 1 MB session_id", func(string) string {
			return `{"id":1,"type":"session.end","session_id":"` + hugeID + `"}`
		}},
		{"end with a short non-UUID session_id", func(string) string {
			return `{"id":1,"type":"session.end","session_id":"not-a-uuid"}`
		}},
		{"start at the zero time", func(string) string {
			return `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":2,"at":"0001-01-01T00:00:00Z"}`
		}},
		{"heartbeat at the zero time", func(active string) string {
			return `{"id":1,"type":"session.heartbeat","session_id":"` + active + `","at":"0001-01-01T00:00:00Z"}`
		}},
		{"end at the zero time", func(active string) string {
			return `{"id":1,"type":"session.end","session_id":"` + active + `","at":"0001-01-01T00:00:00Z"}`
		}},
	}
	modes(t, func(t *testing.T, w *world, _ bool) {
		h := w.startHost(t)
		r := h.call(t, `{"id":0,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`)
		if !r.OK {
			t.Fatalf("start: %+v", r.Error)
		}
		active := r.Session.ID
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := h.call(t, tt.msg(active))
				if r.OK || r.Error == nil || r.Error.Code != api.CodeBadRequest {
					t.Fatalf("reply %+v, want bad_request", r.Error)
				}
				if n := len(r.Error.Message); n > 1000 {
					t.Fatalf("message is %d bytes: %.200s", n, r.Error.Message)
				}
			})
		}
		if r := h.call(t, `{"id":2,"type":"session.active"}`); !r.OK || r.Session == nil || r.Session.ID != active {
			t.Fatalf("active after the refused frames: %+v %+v", r.Session, r.Error)
		}
		if code := h.close(t); code != 0 {
			t.Fatalf("exit %d (stderr %s)", code, h.stderr)
		}
	})
}

// TestClosedStdoutIsAClosedPort: a browser that closes the host's stdout
// closes the port. The host's next reply fails; it must exit cleanly (not
// die of SIGPIPE) and end the session it started, as when stdin closes.
func TestClosedStdoutIsAClosedPort(t *testing.T) {
	modes(t, func(t *testing.T, w *world, _ bool) {
		h := w.startHost(t)
		start := time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
		r := h.call(t, fmt.Sprintf(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":9,"at":"%s"}`, rfc(start)))
		if !r.OK {
			t.Fatalf("start: %+v", r.Error)
		}
		id := r.Session.ID
		h.stdoutPipe.Close()
		// The heartbeat is recorded; its reply finds the pipe closed.
		if err := h.send(fmt.Sprintf(`{"id":2,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, id, rfc(start.Add(30*time.Second)))); err != nil {
			t.Fatal(err)
		}
		err := h.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("host exited with %v (stderr %s)", ee, h.stderr)
		} else if err != nil {
			t.Fatal(err)
		}
		s, err := w.openStore(t).Session(context.Background(), id)
		// It ends at the heartbeat, plus a second if the host's clock went
		// into the next second before the port closed.
		if err != nil || s.Status != api.StatusCompleted || s.EndTime == nil || s.EndTime.Before(start.Add(30*time.Second)) || s.EndTime.After(start.Add(31*time.Second)) {
			t.Fatalf("after stdout closed: %+v (end %v), %v", s, s.EndTime, err)
		}
	})
}

// TestRepeatedBackdatedPairCountsOnce: the same back-dated start/stop pair
// run again is refused (exit code 4), so the day counts 23 h 59 min, not
// that times the number of runs.
func TestRepeatedBackdatedPairCountsOnce(t *testing.T) {
	w := newWorld(t)
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	for i := 0; i < 3; i++ {
		code := w.cliCode(t, "track", "start", "--repo", "octo/r", "--pr", "1", "--at", rfc(day))
		if i == 0 && code == 0 {
			code = w.cliCode(t, "track", "stop", "--at", rfc(day.Add(23*time.Hour+59*time.Minute)))
		}
		if want := map[bool]int{true: 0, false: 4}[i == 0]; code != want {
			t.Fatalf("run %d: exit %d, want %d", i, code, want)
		}
	}
	all, err := w.openStore(t).ListSessions(context.Background(), localdb.SessionFilter{})
	if err != nil || len(all) != 1 || all[0].DurationSeconds != int64((23*time.Hour+59*time.Minute)/time.Second) {
		t.Fatalf("sessions %+v, %v; want the one pair", all, err)
	}
}

// cliCode runs worktimed with args and returns its exit code.
func (w *world) cliCode(t testing.TB, args ...string) int {
	t.Helper()
	cmd := exec.Command(worktimed, args...)
	cmd.Env = w.env()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatalf("worktimed %v: %v\n%s", args, err, out)
	}
	return 0
}

// TestConcurrentWritersNeverOverlap: five hosts and CLI writers record
// sessions of one device at once with the daemon down, starting "now" and a
// little in the past. Each start is accepted or refused as a conflict; no
// two sessions of the device ever cover the same second.
func TestConcurrentWritersNeverOverlap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	w := newWorld(t)
	// The store exists before the writers race: this test is about their
	// sessions, not about creating the store.
	w.openStore(t)
	const hosts, rounds = 5, 12
	var wg sync.WaitGroup
	errc := make(chan error, 1000)
	accepted := make(chan string, 1000)
	for i := 0; i < hosts; i++ {
		h := w.startHost(t)
		wg.Add(1)
		go func(i int, h *host) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				at := ""
				if r%2 == 1 {
					// Back-dated: may fall inside a session another
					// writer recorded meanwhile.
					at = fmt.Sprintf(`,"at":"%s"`, rfc(time.Now().Add(-time.Duration(1+r%5)*time.Second)))
				}
				if err := h.send(fmt.Sprintf(`{"id":%d,"type":"session.start","repo_owner":"o","repo_name":"r%d","pr_number":%d%s}`, r, i, r+1, at)); err != nil {
					errc <- err
					return
				}
				rep, err := h.recv()
				if err != nil {
					errc <- err
					return
				}
				if !rep.OK {
					if rep.Error.Code != api.CodeConflict {
						errc <- fmt.Errorf("host %d start: %+v", i, rep.Error)
					}
					continue
				}
				accepted <- rep.Session.ID
				msg := fmt.Sprintf(`{"id":%d,"type":"session.heartbeat","session_id":"%s"}`, r, rep.Session.ID)
				if r%3 == 0 {
					msg = fmt.Sprintf(`{"id":%d,"type":"session.end","session_id":"%s"}`, r, rep.Session.ID)
				}
				if err := h.send(msg); err != nil {
					errc <- err
					return
				}
				if rep, err = h.recv(); err != nil {
					errc <- err
					return
				} else if !rep.OK && rep.Error.Code != api.CodeConflict {
					errc <- fmt.Errorf("host %d: %+v", i, rep.Error)
				}
			}
			if code := h.close(t); code != 0 {
				errc <- fmt.Errorf("host %d exit %d (stderr %s)", i, code, h.stderr)
			}
		}(i, h)
	}
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for r := 0; r < rounds/2; r++ {
				args := []string{"track", "start", "--repo", fmt.Sprintf("cli/r%d", c), "--pr", fmt.Sprint(r + 1)}
				if r%2 == 1 {
					args = append(args, "--at", rfc(time.Now().Add(-2*time.Second)))
				}
				if code := w.cliCode(t, args...); code != 0 && code != 4 {
					errc <- fmt.Errorf("cli %d: %v exit %d", c, args, code)
				}
				if code := w.cliCode(t, "track", "stop"); code != 0 && code != 3 && code != 4 {
					errc <- fmt.Errorf("cli %d: stop exit %d", c, code)
				}
			}
		}(c)
	}
	wg.Wait()
	close(errc)
	close(accepted)
	for err := range errc {
		t.Error(err)
	}
	n := 0
	for range accepted {
		n++
	}
	all, err := w.openStore(t).ListSessions(context.Background(), localdb.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n < hosts || len(all) < n {
		t.Fatalf("%d starts accepted, %d sessions stored", n, len(all))
	}
	if prev, cur, ok := dbtest.Overlap(all); ok {
		t.Errorf("session %s (%s to %v, %s) overlaps %s (from %s)", prev.ID, rfc(prev.StartTime), prev.EndTime, prev.Status, cur.ID, rfc(cur.StartTime))
	}
	if t.Failed() {
		for _, s := range all {
			t.Logf("%s %s %v %s %s", s.ID, rfc(s.StartTime), s.EndTime, s.Status, s.Source)
		}
	}
	t.Logf("%d starts accepted, %d sessions", n, len(all))
}
