package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/localdb/dbtest"
)

// A home whose daily_stats page was overwritten with random bytes: stats is
// refused with exit 5 and the file is left as it was; doctor reports the
// damage (exit 5); doctor --repair keeps a copy and rebuilds the store, after
// which stats answers again with the sessions' time.
func TestDoctorReportsAndRepairsDamage(t *testing.T) {
	h := newCLI(t)
	path := filepath.Join(h.home, "worktime.db")
	dbtest.History(t, path, 300, t0)
	b := dbtest.Damage(t, path, "daily_stats", 1)

	code, _, errs := h.run("stats", "--json")
	if code != ExitDatabase || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "worktimed doctor") || strings.Contains(errs, "localdb.") {
		t.Fatalf("stats on a damaged file: exit %d, stderr %q; want %d with one error line naming doctor", code, errs, ExitDatabase)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(b) {
		t.Fatal("stats modified the damaged file")
	}
	code, out, errs2 := h.run("doctor")
	if code != ExitDatabase || !strings.Contains(out, "damaged") || !strings.Contains(errs2, "doctor --repair") {
		t.Fatalf("doctor: exit %d, stdout %q, stderr %q; want the damage reported with exit 5", code, out, errs2)
	}
	out = h.ok("doctor", "--repair")
	if !strings.Contains(out, "300 sessions kept, 0 could not be read") {
		t.Fatalf("doctor --repair printed %q", out)
	}
	if out := h.ok("doctor"); !strings.Contains(out, "ok (schema version") {
		t.Fatalf("doctor after repair printed %q", out)
	}
	if out := h.ok("stats", "--days", "1"); !strings.Contains(out, "30m") {
		t.Fatalf("stats after repair printed %q", out)
	}
	aside, _ := filepath.Glob(path + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("copies aside: %v, want one", aside)
	}
}
