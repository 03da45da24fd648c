// Package synce2e runs worktime's sync end to end: the real worktimed binary
// (daemon and CLI) with a temporary WORKTIME_HOME, the real worker in local
// workerd (worker/scripts/start-local.mjs) and the GitHub fake, the only
// stand-in. A fault-injecting proxy sits between the daemon and the worker
// where a test needs one.
package synce2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/fakes/github"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

const (
	clientID = "Iv1.worktime-e2e"
	// clientSecret is the OAuth app's secret: the worker checks with it that
	// a GitHub token was issued to the app.
	clientSecret = "worktime-e2e-client-secret"
	timeZone     = "Europe/Berlin"
)

// worktimedBin is the binary built once by TestMain.
var worktimedBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "worktime-e2e-sync-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := synctest.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	worktimedBin = filepath.Join(dir, "worktimed")
	build := exec.Command("go", "build", "-o", worktimedBin, "./cmd/worktimed")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building worktimed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// stack is a worker and the GitHub fake it signs users in with.
type stack struct {
	gh      *github.Server
	worker  *synctest.Worker
	persist string
	port    int
	secret  string
	ttl     string
	// shards is the number of D1 databases the worker binds (0: one).
	shards int
}

// newStack starts the GitHub fake and a worker (persisted, so it can be
// restarted with its data).
func newStack(t testing.TB, jwtTTL string) *stack {
	t.Helper()
	return newShardedStack(t, jwtTTL, 1)
}

// newShardedStack is newStack with a worker of shards D1 databases.
func newShardedStack(t testing.TB, jwtTTL string, shards int) *stack {
	t.Helper()
	s := &stack{
		shards:  shards,
		gh:      github.New(t, github.Options{ClientID: clientID, ClientSecret: clientSecret, Interval: 1}),
		persist: t.TempDir(),
		port:    freePort(t),
		secret:  uuid.NewString() + uuid.NewString(),
		ttl:     jwtTTL,
	}
	s.start(t)
	return s
}

func (s *stack) start(t testing.TB) {
	t.Helper()
	vars := []string{"DEV_LOGIN=1", "GITHUB_CLIENT_ID=" + clientID, "GITHUB_CLIENT_SECRET=" + clientSecret, "GITHUB_API_BASE=" + s.gh.APIBase(),
		"GITHUB_OAUTH_BASE=" + s.gh.URL, "JWT_SECRET=" + s.secret}
	if s.ttl != "" {
		vars = append(vars, "JWT_TTL_SECONDS="+s.ttl)
	}
	s.worker = synctest.StartShardedWorker(t, s.persist, s.port, s.shards, vars...)
}

// stop stops the worker (its data stays in the persist dir).
func (s *stack) stop() { s.worker.Stop() }

func (s *stack) url() string { return s.worker.URL }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// device is one worktimed home with its daemon.
type device struct {
	t      testing.TB
	name   string
	home   string
	env    []string
	cmd    *exec.Cmd
	done   chan error
	client *localclient.Client
	log    *syncWriter
}

// tuning makes sync react fast enough for tests.
var tuning = []string{
	"WORKTIME_SYNC_DEBOUNCE=100ms",
	"WORKTIME_SYNC_BACKOFF_BASE=200ms",
	"WORKTIME_SYNC_BACKOFF_MAX=1s",
	"WORKTIME_SYNC_TIMEOUT=2s",
}

func newDevice(t testing.TB, name string, s *stack, extraEnv ...string) *device {
	t.Helper()
	home := t.TempDir()
	cfg := fmt.Sprintf("time_zone = %q\n\n[sync]\nserver_url = %q\ngithub_client_id = %q\ninterval = \"10m\"\n",
		timeZone, s.url(), clientID)
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// No session bus: the daemon keeps its token in credentials.json (which
	// the tests read), never in the keychain of the desktop running them.
	env := append(os.Environ(), "WORKTIME_HOME="+home, "WORKTIME_GITHUB_OAUTH_BASE="+s.gh.URL, "TZ=UTC",
		"DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR="+home)
	env = append(env, tuning...)
	env = append(env, extraEnv...)
	return &device{t: t, name: name, home: home, env: env, client: localclient.New(filepath.Join(home, "worktimed.sock"))}
}

// run runs a worktimed command and returns its stdout; a failure is
// returned with stderr.
func (d *device) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, worktimedBin, args...)
	cmd.Env = d.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("worktimed %s: %w\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

func (d *device) mustRun(args ...string) string {
	d.t.Helper()
	out, err := d.run(args...)
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// startDaemon runs `worktimed run` and waits for its local API.
func (d *device) startDaemon() {
	d.t.Helper()
	d.log = &syncWriter{w: &bytes.Buffer{}}
	d.cmd = exec.Command(worktimedBin, "run", "-log-level", "debug")
	d.cmd.Env = d.env
	d.cmd.Stdout = io.Discard
	d.cmd.Stderr = d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait() }()
	d.t.Cleanup(d.stopDaemon)
	d.waitFor("the daemon's local API", 30*time.Second, func() (bool, string) {
		_, err := d.client.Status(context.Background())
		return err == nil, fmt.Sprint(err)
	})
}

func (d *device) stopDaemon() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
	d.cmd = nil
}

// waitFor polls cond (the daemon is another process and cannot signal the
// test) until it holds or the timeout passes.
func (d *device) waitFor(what string, timeout time.Duration, cond func() (bool, string)) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: timed out waiting for %s (last: %s)\ndaemon log:\n%s", d.name, what, last, d.logTail())
		}
		<-tick.C
	}
}

func (d *device) logTail() string {
	if d.log == nil {
		return ""
	}
	d.log.mu.Lock()
	s := d.log.w.String()
	d.log.mu.Unlock()
	if len(s) > 6000 {
		s = s[len(s)-6000:]
	}
	return s
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

var userCodeRe = regexp.MustCompile(`enter the code ([A-Z0-9]{4}-[A-Z0-9]{4})`)

// login signs d in through GitHub's device flow (the fake approves the code
// as login once the CLI has printed it) against server.
func (d *device) login(s *stack, login, server string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, worktimedBin, "login", "--server", server, "--no-browser")
	cmd.Env = d.env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		d.t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var out strings.Builder
	approved := false
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if m := userCodeRe.FindStringSubmatch(line); m != nil && !approved {
			if !strings.Contains(line, s.gh.VerificationURI()) {
				d.t.Errorf("login printed %q, want the verification URI %s", line, s.gh.VerificationURI())
			}
			if err := s.gh.Approve(m[1], login); err != nil {
				d.t.Fatal(err)
			}
			approved = true
		}
	}
	if err := cmd.Wait(); err != nil {
		d.t.Fatalf("worktimed login: %v\n%s\n%s", err, out.String(), errb.String())
	}
	if !approved {
		d.t.Fatalf("login printed no user code:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Signed in as "+login) {
		d.t.Fatalf("login output = %q, want 'Signed in as %s'", out.String(), login)
	}
}

// credentials returns the stored JWT.
func (d *device) token() string {
	d.t.Helper()
	b, err := os.ReadFile(filepath.Join(d.home, "credentials.json"))
	if err != nil {
		d.t.Fatal(err)
	}
	var c struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		d.t.Fatal(err)
	}
	return c.Token
}

// syncState runs `worktimed status --json` and returns its sync part.
func (d *device) status() api.Status {
	d.t.Helper()
	out, err := d.run("status", "--json")
	if err != nil {
		d.t.Fatal(err)
	}
	var st struct {
		Running bool `json:"running"`
		api.Status
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		d.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st.Status
}

// waitSynced waits until nothing is pending and the last run succeeded.
func (d *device) waitSynced() {
	d.t.Helper()
	d.waitFor("sync to finish", 60*time.Second, func() (bool, string) {
		st, err := d.client.Status(context.Background())
		if err != nil {
			return false, err.Error()
		}
		s := st.Sync
		return s.State == "idle" && s.Pending == 0 && s.LastError == "", fmt.Sprintf("%+v", s)
	})
}

// track records a completed session [start, start+dur) through the
// daemon's local API, as the extension and the CLI do.
func (d *device) track(repo string, pr int, start time.Time, dur time.Duration) api.Session {
	d.t.Helper()
	owner, name, _ := strings.Cut(repo, "/")
	ctx := context.Background()
	st := start.UTC()
	s, err := d.client.Start(ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, At: &st, Source: api.SourceManual})
	if err != nil {
		d.t.Fatalf("start: %v", err)
	}
	end := st.Add(dur)
	s, err = d.client.End(ctx, s.ID, &end)
	if err != nil {
		d.t.Fatalf("end: %v", err)
	}
	return s
}

// localStats is the daemon's stats for the last days.
func (d *device) localStats(days int) api.Stats {
	d.t.Helper()
	st, err := d.client.Stats(context.Background(), localclient.StatsQuery{Days: days})
	if err != nil {
		d.t.Fatal(err)
	}
	return st
}

// serverGet GETs a worker API path with token and decodes the reply.
func serverGet(t testing.TB, base, token, path string, out any) {
	t.Helper()
	var resp *http.Response
	var b []byte
	// The worker limits each user to 100 requests a minute; a test that has
	// just synced a lot waits for the window to pass.
	for deadline := time.Now().Add(90 * time.Second); ; {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		var err error
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second) // a rate-limit window is wall-clock time
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d: %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

type serverDay struct {
	Date     string `json:"date"`
	Seconds  int64  `json:"seconds"`
	Sessions int64  `json:"sessions"`
}

// serverDaily is the worker's /api/stats/daily.
func serverDaily(t testing.TB, base, token string, days int) []serverDay {
	t.Helper()
	return serverDailyFull(t, base, token, days).Days
}

type serverStats struct {
	TimeZone string      `json:"time_zone"`
	Days     []serverDay `json:"days"`
	Repos    []struct {
		Owner   string `json:"repo_owner"`
		Name    string `json:"repo_name"`
		Seconds int64  `json:"seconds"`
	} `json:"repos"`
}

// serverDailyFull is the whole /api/stats/daily reply.
func serverDailyFull(t testing.TB, base, token string, days int) serverStats {
	t.Helper()
	var r serverStats
	serverGet(t, base, token, fmt.Sprintf("/api/stats/daily?days=%d", days), &r)
	if r.TimeZone != timeZone {
		t.Errorf("server time zone = %q, want %q", r.TimeZone, timeZone)
	}
	return r
}

// compareRepos checks per-repository totals.
func compareRepos(t testing.TB, local api.Stats, server serverStats) {
	t.Helper()
	want := map[string]int64{}
	for _, r := range local.Repos {
		if r.Seconds > 0 {
			want[r.Repo] = r.Seconds
		}
	}
	got := map[string]int64{}
	for _, r := range server.Repos {
		if r.Seconds > 0 {
			got[r.Owner+"/"+r.Name] = r.Seconds
		}
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("repository totals: local %v, server %v", want, got)
	}
}

type serverSession struct {
	ID              string  `json:"id"`
	StartTime       string  `json:"start_time"`
	EndTime         *string `json:"end_time"`
	DurationSeconds int64   `json:"duration_seconds"`
	Status          string  `json:"status"`
	DeviceID        string  `json:"device_id"`
}

// serverSessions pages through the worker's /api/sessions.
func serverSessions(t testing.TB, base, token string) []serverSession {
	t.Helper()
	var all []serverSession
	for off := 0; ; off += 200 {
		var r struct {
			Sessions []serverSession `json:"sessions"`
		}
		serverGet(t, base, token, fmt.Sprintf("/api/sessions?limit=200&offset=%d", off), &r)
		all = append(all, r.Sessions...)
		if len(r.Sessions) < 200 {
			return all
		}
	}
}

// compareStats checks the server's daily stats against local ones, day by
// day.
func compareStats(t testing.TB, local api.Stats, server []serverDay) {
	t.Helper()
	if len(local.Days) != len(server) {
		t.Fatalf("local has %d days, server %d", len(local.Days), len(server))
	}
	for i := range server {
		l, s := local.Days[i], server[i]
		if l.Date != s.Date || l.Seconds != s.Seconds || l.Sessions != s.Sessions {
			t.Errorf("day %d: local %+v, server %+v", i, l, s)
		}
	}
}

// compareSessions checks that the server holds exactly want (by id, times,
// duration and status), each once.
func compareSessions(t testing.TB, want []api.Session, got []serverSession) {
	t.Helper()
	seen := map[string]int{}
	byID := map[string]serverSession{}
	for _, s := range got {
		seen[s.ID]++
		byID[s.ID] = s
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("server lists session %s %d times", id, n)
		}
	}
	if len(byID) != len(want) {
		t.Errorf("server has %d sessions, want %d", len(byID), len(want))
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Errorf("session %s missing on the server", w.ID)
			continue
		}
		if g.StartTime != w.StartTime.UTC().Format(time.RFC3339) || g.EndTime == nil ||
			*g.EndTime != w.EndTime.UTC().Format(time.RFC3339) || g.DurationSeconds != w.DurationSeconds || g.Status != w.Status {
			t.Errorf("session %s: server %+v, local %+v", w.ID, g, w)
		}
	}
}

func sortedIDs(ss []api.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	sort.Strings(out)
	return out
}

// dayStart is local midnight daysAgo days before today in the test zone.
func dayStart(daysAgo int) time.Time {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		panic(err)
	}
	now := time.Now().In(loc)
	return time.Date(now.Year(), now.Month(), now.Day()-daysAgo, 0, 0, 0, 0, loc)
}

func localclientQuery() localclient.SessionsQuery { return localclient.SessionsQuery{Limit: 1000} }
