package cli

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// A home whose daily_stats page was overwritten with random bytes: stats is
// refused with exit 5 and the file is left as it was; doctor reports the
// damage (exit 5); doctor --repair keeps a copy and rebuilds the store, after
// which stats answers again with the sessions' time.
func TestDoctorReportsAndRepairsDamage(t *testing.T) {
	h := newCLI(t)
	ctx := context.Background()
	path := filepath.Join(h.home, "worktime.db")
	db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *localdb.Tx) error {
		for i := 0; i < 300; i++ {
			st := t0.Add(-time.Duration(i) * 24 * time.Hour)
			end := st.Add(30 * time.Minute)
			_, err := tx.Put(localdb.Session{Session: api.Session{ID: fmt.Sprintf("0190a000-0000-7000-8000-%012d", i),
				RepoOwner: "acme", RepoName: fmt.Sprintf("repo-%d", i%9), PRNumber: 1 + i%17, StartTime: st, EndTime: &end,
				Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual})
			if err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var page int
	err = raw.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'daily_stats' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1`).Scan(&page)
	if err == nil {
		_, err = raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rand.New(rand.NewSource(1)).Read(b[page*4096-1024 : page*4096])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	code, _, errs := h.run("stats", "--json")
	if code != ExitDatabase || strings.Count(errs, "\n") != 2 || !strings.Contains(errs, "worktimed doctor") {
		t.Fatalf("stats on a damaged file: exit %d, stderr %q; want %d with one error line and a hint naming doctor", code, errs, ExitDatabase)
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
