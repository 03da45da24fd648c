package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/api"
)

// runIn is run with stdin.
func (h *cliHarness) runIn(stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Options{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: h.clk,
		Getenv:     func(k string) string { return h.env[k] },
		IsTerminal: func(io.Writer) bool { return false },
	})
	return code, out.String(), errb.String()
}

// edit runs a history command with --json and decodes its reply.
func (h *cliHarness) edit(args ...string) api.EditReply {
	h.t.Helper()
	out := h.ok(append(args, "--json")...)
	var r api.EditReply
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		h.t.Fatalf("worktimed %v: %v in %q", args, err, out)
	}
	return r
}

func (h *cliHarness) list() []api.Session {
	h.t.Helper()
	var r api.SessionsReply
	if err := json.Unmarshal([]byte(h.ok("sessions", "--json")), &r); err != nil {
		h.t.Fatal(err)
	}
	return r.Sessions
}

func TestSessionsEditCommands(t *testing.T) {
	h := newCLI(t)
	// t0 is 10:00 UTC, and the config's zone is UTC.
	added := h.edit("sessions", "add", "octo/app#42", "--start", "07:00", "--end", "08:10")
	if len(added.Sessions) != 1 || added.Sessions[0].DurationSeconds != 70*60 ||
		added.Sessions[0].RepoOwner != "octo" || added.Sessions[0].RepoName != "app" || added.Sessions[0].PRNumber != 42 {
		t.Fatalf("add: %+v", added)
	}
	id := added.Sessions[0].ID
	dry := h.edit("sessions", "edit", id, "--end", "2026-11-25 08:00", "--dry-run")
	if !dry.DryRun || dry.Sessions[0].DurationSeconds != 3600 {
		t.Fatalf("dry run: %+v", dry)
	}
	if got := h.list(); got[0].DurationSeconds != 70*60 {
		t.Fatalf("the dry run changed the session: %+v", got[0])
	}
	h.edit("sessions", "edit", "--pr", "43", id, "--end", "2026-11-25T08:00:00Z")
	if got := h.list(); got[0].PRNumber != 43 || got[0].DurationSeconds != 3600 {
		t.Fatalf("after edit: %+v", got[0])
	}
	split := h.edit("sessions", "split", id, "--at", "07:30")
	if len(split.Sessions) != 2 {
		t.Fatalf("split: %+v", split)
	}
	second := split.Sessions[1].ID
	merged := h.edit("sessions", "merge", id, second)
	if len(merged.Deleted) != 1 || merged.Sessions[0].DurationSeconds != 3600 {
		t.Fatalf("merge: %+v", merged)
	}
	out := h.ok("sessions", "delete", id)
	if !strings.Contains(out, "Deleted") || !strings.Contains(out, id) {
		t.Fatalf("delete printed %q", out)
	}
	if got := h.list(); len(got) != 0 {
		t.Fatalf("left: %+v", got)
	}
	// The export holds what the store holds: the deleted session is gone.
	if out := h.ok("export", "--format", "json"); strings.Contains(out, id) || strings.Contains(out, second) {
		t.Fatalf("export lists a deleted session: %s", out)
	}
	if out := h.ok("stats", "--json"); !strings.Contains(out, `"today_seconds":0`) && !strings.Contains(out, `"today_seconds": 0`) {
		t.Fatalf("stats after deleting everything: %s", out)
	}
}

func TestSessionsBulkDeleteAsks(t *testing.T) {
	h := newCLI(t)
	h.edit("sessions", "add", "--repo", "octo/app", "--pr", "1", "--start", "07:00", "--end", "07:10")
	h.edit("sessions", "add", "--repo", "octo/app", "--pr", "2", "--start", "08:00", "--end", "08:10")
	keep := h.edit("sessions", "add", "--repo", "octo/web", "--pr", "1", "--start", "09:00", "--end", "09:10")

	// No answer (stdin at its end) is no.
	code, out, errs := h.runIn("", "sessions", "delete", "--repo", "octo/app")
	if code != ExitFailure || !strings.Contains(errs, "not confirmed") || !strings.Contains(out, "Delete these 2 sessions (20m00s)") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, errs)
	}
	code, _, _ = h.runIn("n\n", "sessions", "delete", "--day", "2026-11-25")
	if code != ExitFailure || len(h.list()) != 3 {
		t.Fatalf("an answer of n deleted: exit %d, %d left", code, len(h.list()))
	}
	// A dry run does not ask.
	if out := h.ok("sessions", "delete", "--repo", "octo/app", "--dry-run"); !strings.Contains(out, "Would delete") || len(h.list()) != 3 {
		t.Fatalf("dry run: %q", out)
	}
	code, _, errs = h.runIn("y\n", "sessions", "delete", "--repo", "octo/app")
	if code != 0 {
		t.Fatalf("yes: exit %d, %s", code, errs)
	}
	if left := h.list(); len(left) != 1 || left[0].ID != keep.Sessions[0].ID {
		t.Fatalf("left %+v", left)
	}
	// --yes does not ask; a filter matching nothing changes nothing.
	if out := h.ok("sessions", "delete", "--repo", "octo/none", "--yes"); !strings.Contains(out, "nothing changed") {
		t.Fatalf("%q", out)
	}
	h.ok("sessions", "delete", "--since", "2026-11-25 00:00", "--until", "2026-11-26 00:00", "--yes")
	if left := h.list(); len(left) != 0 {
		t.Fatalf("left %+v", left)
	}
}

func TestSessionsEditBadFlags(t *testing.T) {
	h := newCLI(t)
	r := h.edit("sessions", "add", "--repo", "octo/app", "--pr", "1", "--start", "07:00", "--end", "08:00")
	id := r.Sessions[0].ID
	other := h.edit("sessions", "add", "--repo", "octo/app", "--pr", "2", "--start", "08:30", "--end", "09:00").Sessions[0].ID
	tests := []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"edit without id", []string{"sessions", "edit", "--pr", "2"}, ExitUsage, "want one session ID"},
		{"edit two ids", []string{"sessions", "edit", id, other, "--pr", "2"}, ExitUsage, "want one session ID"},
		{"edit nothing", []string{"sessions", "edit", id}, ExitUsage, "nothing to change"},
		{"edit bad repo", []string{"sessions", "edit", id, "--repo", "octo"}, ExitUsage, "OWNER/NAME"},
		{"edit bad owner", []string{"sessions", "edit", id, "--repo", "-octo/app"}, ExitUsage, "repo_owner"},
		{"edit pr zero", []string{"sessions", "edit", id, "--pr", "0"}, ExitUsage, "positive"},
		{"edit pr not a number", []string{"sessions", "edit", id, "--pr", "x"}, ExitUsage, "invalid value"},
		{"edit bad time", []string{"sessions", "edit", id, "--end", "soon"}, ExitUsage, "is not a time"},
		{"edit end in the future", []string{"sessions", "edit", id, "--end", "11:00"}, ExitUsage, "in the future"},
		{"edit end before start", []string{"sessions", "edit", id, "--end", "06:00"}, ExitUsage, "must be after start"},
		{"edit into another session", []string{"sessions", "edit", id, "--end", "08:45"}, ExitConflict, "overlaps session " + other},
		{"edit unknown", []string{"sessions", "edit", "01234567-89ab-cdef-0123-456789abcdef", "--pr", "2"}, ExitNotFound, "not found"},
		{"edit bad id", []string{"sessions", "edit", "nope", "--pr", "2"}, ExitUsage, "not a UUID"},
		{"edit unknown flag", []string{"sessions", "edit", id, "--colour", "red"}, ExitUsage, "flag provided but not defined"},
		{"split without at", []string{"sessions", "split", id}, ExitUsage, "--at TIME is required"},
		{"split without id", []string{"sessions", "split", "--at", "07:30"}, ExitUsage, "want one session ID"},
		{"split outside", []string{"sessions", "split", id, "--at", "08:20"}, ExitUsage, "is not inside"},
		{"split bad time", []string{"sessions", "split", id, "--at", "half past"}, ExitUsage, "is not a time"},
		{"merge one", []string{"sessions", "merge", id}, ExitUsage, "at least two"},
		{"merge different prs", []string{"sessions", "merge", id, other}, ExitConflict, "different pull requests"},
		{"add without repo", []string{"sessions", "add", "--pr", "1", "--start", "05:00", "--end", "06:00"}, ExitUsage, "name the pull request: OWNER/NAME#N, its URL, or --repo OWNER/NAME --pr N"},
		{"add bad reference", []string{"sessions", "add", "octo/app#x", "--start", "05:00", "--end", "06:00"}, ExitUsage, `"octo/app#x" is not a pull request`},
		{"add without pr", []string{"sessions", "add", "--repo", "octo/app", "--start", "05:00", "--end", "06:00"}, ExitUsage, "--pr N is required"},
		{"add without end", []string{"sessions", "add", "--repo", "octo/app", "--pr", "1", "--start", "05:00"}, ExitUsage, "--end TIME are required"},
		{"add overlapping", []string{"sessions", "add", "--repo", "octo/app", "--pr", "1", "--start", "07:30", "--end", "07:40"}, ExitConflict, "overlaps"},
		{"add reference and --repo", []string{"sessions", "add", "octo/app#1", "--repo", "octo/app"}, ExitUsage, "not both"},
		{"delete nothing", []string{"sessions", "delete"}, ExitUsage, "give session IDs or a filter"},
		{"delete ids and filter", []string{"sessions", "delete", id, "--day", "2026-11-25"}, ExitUsage, "not both"},
		{"delete bad day", []string{"sessions", "delete", "--day", "25/11/2026", "--yes"}, ExitUsage, "is not a day"},
		{"delete pr without repo", []string{"sessions", "delete", "--pr", "3"}, ExitUsage, "--pr needs --repo"},
		{"delete bad repo", []string{"sessions", "delete", "--repo", "octo"}, ExitUsage, "OWNER/NAME"},
		{"delete bad since", []string{"sessions", "delete", "--since", "monday"}, ExitUsage, "is not a time"},
		{"delete until before since", []string{"sessions", "delete", "--since", "08:00", "--until", "07:00", "--yes"}, ExitUsage, "is not after since"},
		{"delete unknown", []string{"sessions", "delete", "01234567-89ab-cdef-0123-456789abcdef"}, ExitNotFound, "not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := h.run(tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.message) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errs, tc.code, tc.message)
			}
		})
	}
	if got := h.list(); len(got) != 2 || got[0].ID != other || got[1].ID != id || got[1].DurationSeconds != 3600 {
		t.Fatalf("a refused command changed the sessions: %+v", got)
	}
	// The active session can only be ended.
	h.ok("track", "start", "--repo", "octo/app", "--pr", "9")
	active := h.list()[0].ID
	if code, _, errs := h.run("sessions", "edit", active, "--pr", "2"); code != ExitConflict || !strings.Contains(errs, "can only be ended") {
		t.Fatalf("edit of the active session: exit %d, %q", code, errs)
	}
	if code, _, errs := h.run("sessions", "delete", active); code != ExitConflict || !strings.Contains(errs, "can only be ended") {
		t.Fatalf("delete of the active session: exit %d, %q", code, errs)
	}
}

// TestEditCommandsCheckTheCommandLineFirst: a bad time or a missing change
// is a usage error (exit 2) before the store is opened, even one that is
// refused (exit 5), and the damaged file is not touched.
func TestEditCommandsCheckTheCommandLineFirst(t *testing.T) {
	h := newCLI(t)
	db := filepath.Join(h.home, "worktime.db")
	damaged := []byte(strings.Repeat("not a database\n", 100))
	if err := os.WriteFile(db, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"sessions", "edit", "01935f3e-8a00-7000-8000-000000000001", "--start", "yesterday"},
		{"sessions", "edit", "01935f3e-8a00-7000-8000-000000000001"},
		{"sessions", "split", "01935f3e-8a00-7000-8000-000000000001", "--at", "25:99"},
		{"sessions", "add", "octo/app#1", "--start", "07:00", "--end", "soon"},
		{"sessions", "delete", "--since", "last week"},
	} {
		if code, _, errs := h.run(args...); code != ExitUsage {
			t.Errorf("worktimed %v: exit %d (%q), want %d", args, code, errs, ExitUsage)
		}
	}
	// The store itself is still refused, and left as it was.
	if code, _, _ := h.run("sessions", "merge", "01935f3e-8a00-7000-8000-000000000001", "01935f3e-8a00-7000-8000-000000000002"); code != ExitDatabase {
		t.Errorf("merge on a damaged store: exit %d, want %d", code, ExitDatabase)
	}
	if got, err := os.ReadFile(db); err != nil || !bytes.Equal(got, damaged) {
		t.Errorf("the damaged store changed (%v)", err)
	}
}
