package nativemsge2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCLIThroughDaemon: with the daemon running, stats, sessions and export
// go through its local API and print exactly what the store gives directly
// once the daemon is stopped; track start/stop through the daemon lands in
// the store.
func TestCLIThroughDaemon(t *testing.T) {
	w := newWorld(t)
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(worktimed, args...)
		cmd.Env = w.env()
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("worktimed %v: %v\n%s%s", args, err, out, stderr)
		}
		return string(out)
	}
	h := w.startHost(t)
	start := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	for i := 0; i < 3; i++ {
		at := start.Add(time.Duration(i) * 10 * time.Minute)
		r := h.call(t, fmt.Sprintf(`{"id":%d,"type":"session.start","repo_owner":"octo","repo_name":"r%d","pr_number":%d,"at":"%s"}`, i, i%2, i+1, rfc(at)))
		if !r.OK {
			t.Fatalf("start: %+v", r.Error)
		}
		if r = h.call(t, fmt.Sprintf(`{"id":%d,"type":"session.end","session_id":"%s","at":"%s"}`, i, r.Session.ID, rfc(at.Add(5*time.Minute)))); !r.OK {
			t.Fatalf("end: %+v", r.Error)
		}
	}
	if code := h.close(t); code != 0 {
		t.Fatalf("host exit %d", code)
	}

	queries := [][]string{
		{"stats", "--json", "--days", "2"},
		{"sessions", "--json"},
		{"sessions", "--json", "--repo", "octo/r1"},
		{"export", "--format", "csv"},
		{"export", "--format", "json"},
	}
	d := w.startDaemon(t)
	if st := cli("status", "--json"); !strings.Contains(st, `"running":true`) {
		t.Fatalf("status: %s", st)
	}
	if started := cli("track", "start", "--repo", "octo/r9", "--pr", "9"); strings.TrimSpace(started) == "" {
		t.Fatal("track start printed nothing")
	}
	cli("track", "stop")
	viaDaemon := make([]string, len(queries))
	for i, q := range queries {
		viaDaemon[i] = cli(q...)
	}
	d.stop()
	for i, q := range queries {
		if direct := cli(q...); direct != viaDaemon[i] {
			t.Errorf("worktimed %v differs through the daemon:\n%s\ndirectly:\n%s", q, viaDaemon[i], direct)
		}
	}
	if got := strings.ReplaceAll(cli("sessions", "--json", "--repo", "octo/r9"), " ", ""); !strings.Contains(got, `"pr_number":9`) || !strings.Contains(got, `"completed"`) {
		t.Fatalf("session tracked through the daemon: %s", got)
	}
	cmd := exec.Command(worktimed, "status")
	cmd.Env = w.env()
	if err := cmd.Run(); err == nil {
		t.Fatal("status succeeds with the daemon stopped")
	} else if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Fatalf("status exit: %v, want 7", err)
	}
}
