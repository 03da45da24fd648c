package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type cliHarness struct {
	t    *testing.T
	home string
	clk  *clock.Fake
	term bool // pretend stderr is a terminal
	env  map[string]string
}

func newCLI(t *testing.T) *cliHarness {
	h := &cliHarness{t: t, home: t.TempDir(), clk: clock.NewFake(t0)}
	h.env = map[string]string{"WORKTIME_HOME": h.home}
	os.WriteFile(filepath.Join(h.home, "config.toml"), []byte("time_zone = \"UTC\"\n"), 0o600)
	return h
}

// run runs worktimed with args and returns the exit code, stdout and stderr.
func (h *cliHarness) run(args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Options{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: h.clk,
		Getenv:     func(k string) string { return h.env[k] },
		IsTerminal: func(w io.Writer) bool { return h.term && w == io.Writer(&errb) },
	})
	return code, out.String(), errb.String()
}

func (h *cliHarness) ok(args ...string) string {
	h.t.Helper()
	code, out, errs := h.run(args...)
	if code != 0 {
		h.t.Fatalf("worktimed %v: exit %d, stderr %q", args, code, errs)
	}
	return out
}

func TestErrorPaths(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(h *cliHarness)
		args    []string
		code    int
		message string // stderr must contain it
	}{
		{"no command", nil, nil, ExitUsage, "no command given"},
		{"unknown command", nil, []string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{"unknown global flag", nil, []string{"--nope", "version"}, ExitUsage, "flag provided but not defined"},
		{"version extra arg", nil, []string{"version", "x"}, ExitUsage, `unexpected argument "x"`},
		{"track without subcommand", nil, []string{"track"}, ExitUsage, "want a subcommand"},
		{"track unknown subcommand", nil, []string{"track", "pause"}, ExitUsage, `unknown subcommand "pause"`},
		{"start without repo", nil, []string{"track", "start", "--pr", "1"}, ExitUsage, "name the pull request: OWNER/NAME#N, its URL, or --repo OWNER/NAME --pr N"},
		{"start without anything", nil, []string{"track", "start"}, ExitUsage, "name the pull request"},
		{"start bad reference", nil, []string{"track", "start", "acme/web#x"}, ExitUsage, `"acme/web#x" is not a pull request`},
		{"start issue URL", nil, []string{"track", "start", "https://github.com/acme/web/issues/3"}, ExitUsage, "is not a pull request"},
		{"start reference bad owner", nil, []string{"track", "start", "--", "-acme/web#1"}, ExitUsage, "repo_owner"},
		{"start reference and flags", nil, []string{"track", "start", "acme/web#1", "--repo", "acme/web"}, ExitUsage, "not both"},
		{"start reference and pr", nil, []string{"track", "start", "--pr", "2", "acme/web#1"}, ExitUsage, "not both"},
		{"start two references", nil, []string{"track", "start", "acme/web#1", "acme/web#2"}, ExitUsage, "want one pull request, got 2 arguments"},
		{"start huge reference", nil, []string{"track", "start", strings.Repeat("a", 100000) + "#1"}, ExitUsage, "…"},
		{"start bad repo", nil, []string{"track", "start", "--repo", "acme", "--pr", "1"}, ExitUsage, "must be OWNER/NAME"},
		{"start bad owner", nil, []string{"track", "start", "--repo", "-acme/web", "--pr", "1"}, ExitUsage, "repo_owner"},
		{"start bad name", nil, []string{"track", "start", "--repo", "acme/we b", "--pr", "1"}, ExitUsage, "repo_name"},
		{"start without pr", nil, []string{"track", "start", "--repo", "acme/web"}, ExitUsage, "--pr N is required"},
		{"start negative pr", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "-3"}, ExitUsage, "pull request number from 1 to 2147483647"},
		{"start pr too large", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "2147483648"}, ExitUsage, "pull request number from 1 to 2147483647"},
		{"start pr not a number", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "x"}, ExitUsage, "invalid value"},
		{"start bad at", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "1", "--at", "yesterday"}, ExitUsage, "RFC 3339"},
		{"start future at", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "1", "--at", "2026-11-25T10:06:00Z"}, ExitUsage, "in the future"},
		{"start bad session id", nil, []string{"track", "start", "--repo", "acme/web", "--pr", "1", "--session-id", "abc"}, ExitUsage, "session_id"},
		{"start before active", func(h *cliHarness) { h.ok("track", "start", "--repo", "acme/web", "--pr", "1") },
			[]string{"track", "start", "--repo", "acme/web", "--pr", "2", "--at", "2026-11-25T09:00:00Z"}, ExitConflict, "before the start of the active session"},
		{"stop with nothing active", nil, []string{"track", "stop"}, ExitNotFound, "no active session"},
		{"stop unknown session", nil, []string{"track", "stop", "--session", "0190a000-0000-7000-8000-000000000000"}, ExitNotFound, "not found"},
		{"stop before start", func(h *cliHarness) { h.ok("track", "start", "--repo", "acme/web", "--pr", "1") },
			[]string{"track", "stop", "--at", "2026-11-25T09:00:00Z"}, ExitUsage, "before the session's start"},
		{"stop bad at", nil, []string{"track", "stop", "--at", "noon"}, ExitUsage, "RFC 3339"},
		{"heartbeat with nothing active", nil, []string{"track", "heartbeat"}, ExitNotFound, "no active session"},
		{"heartbeat bad at", nil, []string{"track", "heartbeat", "--at", "2026-13-01"}, ExitUsage, "RFC 3339"},
		{"heartbeat on ended", func(h *cliHarness) {
			h.ok("track", "start", "--repo", "acme/web", "--pr", "1", "--session-id", "0190a000-0000-7000-8000-000000000001")
			h.ok("track", "stop")
		}, []string{"track", "heartbeat", "--session", "0190a000-0000-7000-8000-000000000001"}, ExitConflict, "is completed"},
		{"sessions bad status", nil, []string{"sessions", "--status", "paused"}, ExitUsage, `--status "paused"`},
		{"sessions bad limit", nil, []string{"sessions", "--limit", "0"}, ExitUsage, "--limit 0"},
		{"sessions bad since", nil, []string{"sessions", "--since", "last week"}, ExitUsage, "not a date"},
		{"sessions bad repo", nil, []string{"sessions", "--repo", "a/b/c"}, ExitUsage, "OWNER/NAME"},
		{"stats bad days", nil, []string{"stats", "--days", "0"}, ExitUsage, "--days 0"},
		{"stats too many days", nil, []string{"stats", "--days", "100000"}, ExitUsage, "--days 100000"},
		{"stats bad repo", nil, []string{"stats", "--repo", "nope"}, ExitUsage, "OWNER/NAME"},
		{"export without format", nil, []string{"export"}, ExitUsage, "--format csv or --format json is required"},
		{"export bad format", nil, []string{"export", "--format", "xml"}, ExitUsage, `--format "xml"`},
		{"export bad since", nil, []string{"export", "--format", "csv", "--since", "soon"}, ExitUsage, "not a date"},
		{"export until before since", nil, []string{"export", "--format", "csv", "--since", "2026-11-20", "--until", "2026-11-10"}, ExitUsage, "before --since"},
		{"export to missing dir", nil, []string{"export", "--format", "csv", "-o", "/nonexistent/dir/out.csv"}, ExitFailure, "no such file"},
		{"export bad until", nil, []string{"export", "--format", "json", "--until", "later"}, ExitUsage, "--until"},
		{"export extra argument", nil, []string{"export", "--format", "json", "all"}, ExitUsage, `unexpected argument "all"`},
		{"heartbeat unknown session", nil, []string{"track", "heartbeat", "--session", "0190a000-0000-7000-8000-000000000000"}, ExitNotFound, "not found"},
		{"start id reused for another pr", func(h *cliHarness) {
			h.ok("track", "start", "--repo", "acme/web", "--pr", "1", "--session-id", "0190a000-0000-7000-8000-000000000001")
		}, []string{"track", "start", "--repo", "acme/web", "--pr", "2", "--session-id", "0190a000-0000-7000-8000-000000000001"}, ExitConflict, "already exists"},
		{"run bad log level", nil, []string{"run", "--log-level", "loud"}, ExitUsage, "-log-level"},
		{"invalid config", func(h *cliHarness) {
			os.WriteFile(filepath.Join(h.home, "config.toml"), []byte("idle_timeout = \"1s\"\n"), 0o600)
		}, []string{"stats"}, ExitConfig, "idle_timeout"},
		{"unknown config key", func(h *cliHarness) {
			os.WriteFile(filepath.Join(h.home, "config.toml"), []byte("colour = \"red\"\n"), 0o600)
		}, []string{"sessions"}, ExitConfig, "unknown key(s) colour"},
		{"corrupt database", func(h *cliHarness) {
			os.WriteFile(filepath.Join(h.home, "worktime.db"), bytes.Repeat([]byte("garbage!"), 100), 0o600)
		}, []string{"stats"}, ExitDatabase, "corrupt"},
		{"database too new", func(h *cliHarness) {
			h.ok("stats")
			db, err := localdb.Open(context.Background(), filepath.Join(h.home, "worktime.db"), localdb.Options{})
			if err != nil {
				h.t.Fatal(err)
			}
			db.SetState(context.Background(), "x", "y")
			db.Close()
			bumpSchema(h.t, filepath.Join(h.home, "worktime.db"))
		}, []string{"sessions"}, ExitDatabase, "newer version"},
		{"home is a file", func(h *cliHarness) {
			f := filepath.Join(h.home, "file")
			os.WriteFile(f, nil, 0o600)
			h.env["WORKTIME_HOME"] = f
		}, []string{"stats"}, ExitFailure, "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newCLI(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			code, _, errs := h.run(tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errs)
			}
			if !strings.Contains(errs, tc.message) {
				t.Fatalf("stderr %q does not contain %q", errs, tc.message)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if last := lines[len(lines)-1]; len(last) > 500 {
				t.Errorf("the error is %d bytes; a bad value is quoted by a short prefix", len(last))
			}
			if !strings.HasPrefix(errs, "worktimed: ") && tc.args != nil {
				t.Fatalf("stderr %q does not start with the program name", errs)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	h := newCLI(t)
	for _, args := range [][]string{{"help"}, {"-h"}, {"stats", "-h"}, {"track", "start", "-h"}, {"track", "help"}} {
		code, out, errs := h.run(args...)
		if code != 0 || !strings.Contains(out, "Usage: worktimed") || errs != "" {
			t.Errorf("%v: exit %d, out %q, err %q", args, code, out, errs)
		}
	}
	out := h.ok("version")
	if !strings.HasPrefix(out, "worktimed "+Version) {
		t.Fatalf("version printed %q", out)
	}
}

// TestHelpOnce: -h prints a command's usage once, to stdout, and exits 0
// (docs/cli.md, "Exit codes"). The flag package calls the usage function
// itself on -h, so printing it again after Parse doubled it.
func TestHelpOnce(t *testing.T) {
	h := newCLI(t)
	var cmds [][]string
	for _, c := range (&Env{}).commands() {
		cmds = append(cmds, []string{c.Name})
	}
	cmds = append(cmds, []string{"track", "start"}, []string{"track", "heartbeat"}, []string{"track", "stop"},
		[]string{"cloud", "deploy"}, []string{"cloud", "status"}, []string{"cloud", "destroy"})
	for _, cmd := range cmds {
		for _, flag := range []string{"-h", "--help"} {
			args := append(append([]string{}, cmd...), flag)
			code, out, errs := h.run(args...)
			if code != ExitOK || errs != "" {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and no stderr", args, code, errs, ExitOK)
			}
			if n := strings.Count(out, "Usage: worktimed"); n != 1 {
				t.Errorf("%v: usage printed %d times:\n%s", args, n, out)
			}
		}
	}
}

// TestBadFlagNoUsage: a flag mistake is reported on stderr only; stdout,
// which may be redirected to a file (export), stays empty.
func TestBadFlagNoUsage(t *testing.T) {
	h := newCLI(t)
	code, out, errs := h.run("export", "--format", "csv", "--nope")
	if code != ExitUsage || out != "" || !strings.Contains(errs, "flag provided but not defined: -nope") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestTrackStatsSessionsFlow(t *testing.T) {
	h := newCLI(t)
	id := strings.TrimSpace(h.ok("track", "start", "--repo", "acme/web", "--pr", "12", "--at", "2026-11-25T08:00:00Z"))
	if len(id) != 36 {
		t.Fatalf("start printed %q, want a session id", id)
	}
	h.ok("track", "heartbeat", "--at", "2026-11-25T08:30:00Z")
	stop := h.ok("track", "stop", "--at", "2026-11-25T09:15:30Z")
	if !strings.Contains(stop, id+" completed 1h15m30s") {
		t.Fatalf("stop printed %q", stop)
	}
	// A session the day before, crossing midnight.
	h.ok("track", "start", "--repo", "octo/cat", "--pr", "3", "--at", "2026-11-24T23:00:00Z")
	h.ok("track", "stop", "--at", "2026-11-25T00:30:00Z")
	// Idempotent stop by id.
	if out := h.ok("track", "stop", "--session", id); !strings.Contains(out, "completed 1h15m30s") {
		t.Fatalf("second stop printed %q", out)
	}

	var st api.Stats
	if err := json.Unmarshal([]byte(h.ok("stats", "--days", "2", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.TodaySeconds != 4530+1800 || len(st.Days) != 2 || st.Days[0].Date != "2026-11-24" || st.Days[0].Seconds != 3600 ||
		st.Days[1].Sessions != 2 || len(st.Repos) != 2 || st.Repos[0].Repo != "octo/cat" || st.PRs[0].PRNumber != 3 || st.PRs[1].Seconds != 4530 {
		t.Fatalf("stats %+v", st)
	}
	var raw map[string]any
	json.Unmarshal([]byte(h.ok("stats", "--json")), &raw)
	for _, k := range []string{"today_seconds", "days", "repos", "prs"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("stats --json lacks %q: %v", k, raw)
		}
	}
	if out := h.ok("stats", "--repo", "octo/cat"); !strings.Contains(out, "Today: 30m00s") || strings.Contains(out, "acme/web") {
		t.Fatalf("stats --repo printed %q", out)
	}
	text := h.ok("stats")
	for _, want := range []string{"Today: 1h45m30s", "acme/web#12", "Repositories:", "2026-11-24"} {
		if !strings.Contains(text, want) {
			t.Fatalf("stats output lacks %q:\n%s", want, text)
		}
	}

	var list api.SessionsReply
	json.Unmarshal([]byte(h.ok("sessions", "--json")), &list)
	if len(list.Sessions) != 2 || list.Sessions[0].RepoName != "web" {
		t.Fatalf("sessions %+v", list)
	}
	json.Unmarshal([]byte(h.ok("sessions", "--json", "--since", "2026-11-25")), &list)
	if len(list.Sessions) != 1 {
		t.Fatalf("sessions --since: %+v", list)
	}
	json.Unmarshal([]byte(h.ok("sessions", "--json", "--repo", "octo/cat", "--status", "completed", "--limit", "1")), &list)
	if len(list.Sessions) != 1 || list.Sessions[0].RepoOwner != "octo" {
		t.Fatalf("sessions --repo: %+v", list)
	}
	if out := h.ok("sessions", "--status", "abandoned"); !strings.Contains(out, "No sessions.") {
		t.Fatalf("empty list printed %q", out)
	}
	if out := h.ok("sessions"); !strings.Contains(out, "acme/web") || !strings.Contains(out, "1h15m30s") {
		t.Fatalf("sessions table %q", out)
	}
}

func TestExport(t *testing.T) {
	h := newCLI(t)
	for i := 0; i < 3; i++ {
		at := t0.Add(time.Duration(-72+24*i) * time.Hour)
		h.ok("track", "start", "--repo", "acme/web", "--pr", "1", "--at", at.Format(time.RFC3339))
		h.ok("track", "stop", "--at", at.Add(time.Hour).Format(time.RFC3339))
	}
	r := csv.NewReader(strings.NewReader(h.ok("export", "--format", "csv")))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "id" || recs[1][6] != "3600" || recs[1][4] != "2026-11-22T10:00:00Z" {
		t.Fatalf("csv %v", recs)
	}
	var js []api.Session
	if err := json.Unmarshal([]byte(h.ok("export", "--format", "json", "--since", "2026-11-23", "--until", "2026-11-23")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].StartTime.Day() != 23 {
		t.Fatalf("json export with an inclusive day range: %+v", js)
	}
	out := filepath.Join(t.TempDir(), "out.json")
	if o := h.ok("export", "--format", "json", "-o", out); o != "" {
		t.Fatalf("export -o wrote %q to stdout", o)
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &js); err != nil || len(js) != 3 {
		t.Fatalf("export file: %v, %d sessions", err, len(js))
	}
	var empty []api.Session
	if err := json.Unmarshal([]byte(h.ok("export", "--format", "json", "--since", "2030-01-01")), &empty); err != nil || len(empty) != 0 {
		t.Fatalf("empty export: %v %v", empty, err)
	}
}

func TestExportProgressBarOnTerminal(t *testing.T) {
	h := newCLI(t)
	h.term = true
	h.ok("stats") // create the store
	db, err := localdb.Open(context.Background(), filepath.Join(h.home, "worktime.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []localdb.Session
	for i := 0; i < progressMin+500; i++ {
		st := t0.Add(-time.Duration(i) * time.Hour)
		en := st.Add(time.Minute)
		rows = append(rows, localdb.Session{Session: api.Session{ID: "id-" + itoa(int64(i)), RepoOwner: "a", RepoName: "b",
			PRNumber: 1, StartTime: st, EndTime: &en, Status: api.StatusCompleted, DeviceID: "d"}, Source: api.SourceBrowser, UpdatedAt: t0})
	}
	if _, err := db.ApplyRemote(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "all.csv")
	code, _, errs := h.run("export", "--format", "csv", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "100% 10500/10500") || !strings.Contains(errs, "\r[") {
		t.Fatalf("no progress bar on the terminal: %q", errs)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	summary := fmt.Sprintf("Exported 10,500 sessions (%.1f kB) to %s.\n", float64(fi.Size())/1000, out)
	if !strings.HasSuffix(errs, "\n"+summary) {
		t.Errorf("stderr on a terminal %q does not end with the summary %q", errs, summary)
	}
	h.term = false
	code, _, errs = h.run("export", "--format", "csv", "-o", out)
	if code != 0 || errs != summary {
		t.Fatalf("not a terminal: exit %d, stderr %q; want only the summary %q", code, errs, summary)
	}
	// Data on standard output: no summary unless stderr is a terminal.
	code, stdout, errs := h.run("export", "--format", "csv")
	if code != 0 || errs != "" || int64(len(stdout)) != fi.Size() {
		t.Fatalf("export to stdout: exit %d, %d bytes, stderr %q", code, len(stdout), errs)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	h := newCLI(t)
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	done := make(chan int, 1)
	ready := make(chan struct{})
	go func() {
		done <- Run(ctx, []string{"run", "--log-level", "info"}, Options{Stdout: io.Discard, Stderr: &errb, Clock: h.clk,
			Getenv: func(k string) string { return h.env[k] }, DaemonReady: func() { close(ready) }})
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("run exited early with %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(h.home, "worktime.db")); err != nil {
		t.Fatalf("daemon running without its store: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("run exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop on cancel")
	}
}

func TestExitCodeMapping(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{nil, ExitOK},
		{usageErrorf("x"), ExitUsage},
		{&api.Error{Code: api.CodeUnavailable, Message: "daemon down"}, ExitUnavailable},
		{&api.Error{Code: api.CodeNotFound}, ExitNotFound},
		{&api.Error{Code: api.CodeConflict}, ExitConflict},
		{&api.Error{Code: api.CodeBadRequest}, ExitUsage},
		{&api.Error{Code: api.CodeInternal}, ExitFailure},
		{context.Canceled, ExitInterrupted},
		{io.ErrUnexpectedEOF, ExitFailure},
	}
	for _, tc := range tests {
		if got := ExitCode(tc.err); got != tc.code {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
	}
}

func TestHomeFlagWinsOverEnv(t *testing.T) {
	h := newCLI(t)
	other := t.TempDir()
	h.ok("--home", other, "track", "start", "--repo", "acme/web", "--pr", "1")
	if _, err := os.Stat(filepath.Join(other, "worktime.db")); err != nil {
		t.Fatalf("--home did not hold the store: %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.home, "worktime.db")); err == nil {
		t.Fatal("WORKTIME_HOME was used although --home was given")
	}
	if out := h.ok("sessions"); !strings.Contains(out, "No sessions.") {
		t.Fatalf("WORKTIME_HOME store sees the --home session: %q", out)
	}
	if out := h.ok("--home", other, "sessions"); !strings.Contains(out, "acme/web") {
		t.Fatalf("--home store lost its session: %q", out)
	}
}

func TestDirectBackendAbandonsOverdueBrowserSession(t *testing.T) {
	h := newCLI(t)
	h.ok("stats")
	db, err := localdb.Open(context.Background(), filepath.Join(h.home, "worktime.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := db.DeviceID(context.Background())
	hb := t0.Add(-time.Hour)
	err = db.Update(context.Background(), func(tx *localdb.Tx) error {
		_, err := tx.Put(localdb.Session{Session: api.Session{ID: "0190a000-0000-7000-8000-0000000000b1", RepoOwner: "acme",
			RepoName: "web", PRNumber: 5, StartTime: t0.Add(-2 * time.Hour), Status: api.StatusActive, DeviceID: dev},
			Source: api.SourceBrowser, LastHeartbeatAt: &hb})
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The browser stopped an hour ago and no daemon ran: the CLI reports
	// the session abandoned at its last heartbeat, with that hour counted.
	var st api.Stats
	json.Unmarshal([]byte(h.ok("stats", "--days", "1", "--json")), &st)
	if st.TodaySeconds != 3600 {
		t.Fatalf("today = %d, want 3600 (start to last heartbeat)", st.TodaySeconds)
	}
	var list api.SessionsReply
	json.Unmarshal([]byte(h.ok("sessions", "--json")), &list)
	if len(list.Sessions) != 1 || list.Sessions[0].Status != api.StatusAbandoned {
		t.Fatalf("sessions %+v, want the session abandoned", list.Sessions)
	}
}

// TestTrackStartReference: a pull request is named as users copy it, with
// flags before or after it, and stored as with --repo and --pr.
func TestTrackStartReference(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		owner string
		name  string
		pr    int
	}{
		{[]string{"octo/app#42"}, "octo", "app", 42},
		{[]string{"https://github.com/octo/app.js/pull/7/files", "--at", "2026-11-25T09:00:00Z"}, "octo", "app.js", 7},
		{[]string{"--at", "2026-11-25T09:00:00Z", "octo/app", "8"}, "octo", "app", 8},
		{[]string{"--", "octo/app#9"}, "octo", "app", 9},
		{[]string{"--repo", "octo/app", "--pr", "10"}, "octo", "app", 10},
	} {
		h := newCLI(t)
		id := strings.TrimSpace(h.ok(append([]string{"track", "start"}, tc.args...)...))
		out := h.ok("sessions", "--json")
		var list struct{ Sessions []api.Session }
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("%v: sessions --json: %v in %q", tc.args, err, out)
		}
		got := list.Sessions
		if len(got) != 1 || got[0].ID != id || got[0].RepoOwner != tc.owner || got[0].RepoName != tc.name || got[0].PRNumber != tc.pr {
			t.Errorf("track start %v stored %+v, want %s/%s#%d", tc.args, got, tc.owner, tc.name, tc.pr)
		}
	}
}

// TestHumanTimesCarryTheirZone: human output shows local time (the
// configured zone) with the zone's name; JSON carries RFC 3339 in UTC.
func TestHumanTimesCarryTheirZone(t *testing.T) {
	h := newCLI(t)
	os.WriteFile(filepath.Join(h.home, "config.toml"), []byte("time_zone = \"Europe/Berlin\"\n"), 0o600)
	h.ok("track", "start", "octo/app#1", "--at", "2026-11-25T08:00:00Z")
	h.ok("track", "stop", "--at", "2026-11-25T08:30:00Z")
	h.ok("track", "start", "octo/app#2", "--at", "2026-11-25T09:00:00Z")
	out := h.ok("sessions")
	for _, want := range []string{"2026-11-25 09:00:00 CET", "2026-11-25 09:30:00 CET", "2026-11-25 10:00:00 CET"} {
		if !strings.Contains(out, want) {
			t.Errorf("sessions output lacks %q:\n%s", want, out)
		}
	}
	if out := h.ok("stats"); !strings.Contains(out, "since 2026-11-25 10:00:00 CET") {
		t.Errorf("stats output lacks the active session's start in local time with zone:\n%s", out)
	}
	if out := h.ok("sessions", "--json"); !strings.Contains(out, `"start_time": "2026-11-25T08:00:00Z"`) {
		t.Errorf("sessions --json does not carry RFC 3339 UTC:\n%s", out)
	}
}
