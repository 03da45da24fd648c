package coste2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/daemon"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/httpremote"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

// Targets per active user-day (an 8-hour day of 20 pull-request sessions on
// one device, a second device signed in and idle).
const (
	maxRequests        = 100
	maxRowsWritten     = 50
	maxRowsRead        = 1_000
	maxMonthly50k      = 106.0 // $ for 50,000 active users
	maxBytesPerSession = 200
)

// dayStart is midnight of the simulated day (UTC, the devices' zone).
var dayStart = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

// TestCostPerUserDay drives one user-day and checks it against the
// targets; it logs the figures README shows (`go test -v`, or `make
// bench`). WORKTIME_COST_SESSIONS sets how many sessions are stored to
// measure bytes per session (default 2,000; `make bench` uses 20,000).
func TestCostPerUserDay(t *testing.T) {
	stored := 2_000
	if v := os.Getenv("WORKTIME_COST_SESSIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 500 {
			t.Fatalf("WORKTIME_COST_SESSIONS=%q: want a number of at least 500", v)
		}
		stored = n
	}
	persist := t.TempDir()
	w := synctest.StartWorker(t, persist, 0, "DEV_LOGIN=1", "COST_HEADER=1")
	m := newMeter(t, w.URL)
	day, routes := simulateDay(t, m)
	perSession := bytesPerSession(t, w, m, persist, stored)

	t.Logf("one active user-day (24 h: 20 sessions in 8 h on one device, heartbeats every 60 s; a second device idle):\n%s", routeTable(routes))
	t.Logf("per user-day: %d requests, %d D1 queries, %d D1 rows read, %d D1 rows written, %.1f ms D1 time, %d KV reads, %d KV writes; %.0f bytes per stored session",
		day.Requests, day.D1Queries, day.RowsRead, day.RowsWritten, day.D1Millis, day.KVReads, day.KVWrites, perSession)
	t.Logf("at the spec's prices:\n%s", scenarioTable(day, perSession))
	t.Logf("capacity model (docs/capacity.md), at Cloudflare's list prices:\n%s", capacityReport(routes, perSession))

	if day.Requests > maxRequests {
		t.Errorf("%d requests a user-day, target ≤ %d", day.Requests, maxRequests)
	}
	if day.RowsWritten > maxRowsWritten {
		t.Errorf("%d D1 rows written a user-day, target ≤ %d", day.RowsWritten, maxRowsWritten)
	}
	if day.RowsRead > maxRowsRead {
		t.Errorf("%d D1 rows read a user-day, target ≤ %d", day.RowsRead, maxRowsRead)
	}
	if day.KVWrites != 0 {
		t.Errorf("%d KV writes a user-day, target none", day.KVWrites)
	}
	if got := price(day, perSession, 50_000).Total; got > maxMonthly50k {
		t.Errorf("50,000 active users cost $%.2f a month, target ≤ $%.0f", got, maxMonthly50k)
	}
	// One database is the default; the smallest scenario must fit it.
	if c := capacityFor(day, perSession, capacityUsers[0]); c.Databases != 1 {
		t.Errorf("%d active users need %d D1 databases, want 1", c.Users, c.Databases)
	}
	if perSession > maxBytesPerSession {
		t.Errorf("%.0f bytes per stored session, target ≤ %d", perSession, maxBytesPerSession)
	}
	// The day must have happened: every session reached the server.
	if day.Requests == 0 || day.RowsWritten == 0 {
		t.Errorf("the day cost nothing (%+v): nothing reached the worker", day)
	}
}

// device is one worktimed daemon run in-process on the shared fake clock.
type device struct {
	name   string
	client *localclient.Client
	stop   func()
}

func startDevice(t *testing.T, name, serverURL, login string, clk *clock.Fake) *device {
	t.Helper()
	ctx := context.Background()
	home := t.TempDir()
	env := map[string]string{"TZ": "UTC", "XDG_RUNTIME_DIR": home}
	getenv := func(k string) string { return env[k] }
	paths, err := config.PathsFor(home, config.Env{GOOS: runtime.GOOS, Getenv: getenv, UserDir: home})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.TimeZone = "UTC"
	cfg.Sync.ServerURL = serverURL
	if _, err := daemon.AuthService(paths, cfg, getenv, clk).DevLogin(ctx, serverURL, login); err != nil {
		t.Fatalf("%s: dev login: %v", name, err)
	}
	opts := daemon.Options{Paths: paths, Config: cfg, Clock: clk, Getenv: getenv, Version: "cost"}
	s, err := daemon.NewSync(paths, cfg, getenv, clk)
	if err != nil {
		t.Fatal(err)
	}
	s.Apply(&opts)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- daemon.Run(runCtx, opts) }()
	d := &device{name: name, client: localclient.New(paths.Socket)}
	d.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: daemon: %v", name, err)
		}
	}
	t.Cleanup(func() {
		if d.stop != nil {
			d.stop()
		}
	})
	// Wait for the local API (real time: the daemon starts in real time).
	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, ccancel := context.WithTimeout(ctx, time.Second)
		_, err := d.client.Status(cctx)
		ccancel()
		if err == nil {
			return d
		}
		select {
		case err := <-done:
			t.Fatalf("%s: daemon exited: %v", name, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: local API not up: %v", name, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until no request is on its way to the worker for a few
// milliseconds of real time, so that runs a timer started happen at about
// the fake time they were due. A run that starts later is still counted;
// only its fake time drifts.
func settle(m *meter, quiet time.Duration) {
	calm := time.Now()
	for time.Since(calm) < quiet {
		time.Sleep(time.Millisecond)
		if m.inflight.Load() != 0 {
			calm = time.Now()
		}
	}
}

// simulateDay runs 24 hours from midnight: the laptop tracks 20 pull-request
// sessions of 24 minutes from 09:00 to 17:00, with a heartbeat every 60 s
// as the extension sends them, and the dashboard's stats read once an hour;
// the desktop is signed in to the same account and idle all day. It
// returns what reached the worker, in total and per route, after the
// daemons' start-up.
func simulateDay(t *testing.T, m *meter) (cost, map[string]cost) {
	ctx := context.Background()
	clk := clock.NewFake(dayStart)
	login := "cost-" + uuid.NewString()[:8]
	laptop := startDevice(t, "laptop", m.URL, login, clk)
	desktop := startDevice(t, "desktop", m.URL, login, clk)
	settle(m, 200*time.Millisecond)
	m.take() // sign-ins are not part of a day

	step := func(d time.Duration) {
		clk.Advance(d)
		settle(m, 3*time.Millisecond)
	}
	call := func(what string, err error) {
		if err != nil {
			t.Fatalf("laptop: %s at %s: %v", what, clk.Now().Format("15:04"), err)
		}
	}
	for clk.Now().Before(dayStart.Add(9 * time.Hour)) {
		step(time.Minute)
	}
	var ids []string
	for i := 0; i < 20; i++ {
		if i%3 == 0 {
			_, err := laptop.client.Stats(ctx, localclient.StatsQuery{})
			call("stats", err)
		}
		s, err := laptop.client.Start(ctx, api.StartRequest{RepoOwner: "worktime", RepoName: "worktime", PRNumber: 100 + i,
			SessionID: uuid.Must(uuid.NewV7()).String(), Source: api.SourceBrowser})
		call("start", err)
		ids = append(ids, s.ID)
		for j := 0; j < 23; j++ {
			step(time.Minute)
			_, err := laptop.client.Heartbeat(ctx, s.ID, nil)
			call("heartbeat", err)
		}
		step(time.Minute)
		_, err = laptop.client.End(ctx, s.ID, nil)
		call("end", err)
	}
	for clk.Now().Before(dayStart.Add(24 * time.Hour)) {
		step(time.Minute)
	}
	settle(m, 500*time.Millisecond)
	routes, errs := m.take()
	for _, err := range errs {
		t.Error(err)
	}
	// Both devices hold every session, and nothing waits to be sent.
	for _, d := range []*device{laptop, desktop} {
		st, err := d.client.Sync(ctx)
		if err != nil {
			t.Fatalf("%s: sync: %v", d.name, err)
		}
		if st.Pending != 0 || st.State != api.SyncIdle {
			t.Errorf("%s after the day: %+v, want idle with nothing pending", d.name, st)
		}
		ss, err := d.client.Sessions(ctx, localclient.SessionsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) != len(ids) {
			t.Errorf("%s holds %d sessions after the day, want %d", d.name, len(ss), len(ids))
		}
	}
	m.take() // the checks above are not part of the day
	return total(routes), routes
}

// bytesPerSession stores n sessions for one more user, stops the worker and
// measures D1's file: the copy is VACUUMed, then emptied and VACUUMed
// again; the difference over the sessions stored is the cost of one
// session with its indexes.
func bytesPerSession(t *testing.T, w *synctest.Worker, m *meter, persist string, n int) float64 {
	ctx := context.Background()
	c, err := auth.ServerClient{}.DevLogin(ctx, m.URL, "bulk-"+uuid.NewString()[:8])
	if err != nil {
		t.Fatal(err)
	}
	r := httpremote.New(httpremote.Options{ServerURL: m.URL, Token: c.Token})
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	dev := uuid.NewString()
	for done := 0; done < n; {
		batch := make([]syncer.Session, 0, syncer.MaxBatchSessions)
		for ; done < n && len(batch) < syncer.MaxBatchSessions; done++ {
			at := start.Add(time.Duration(done/20)*24*time.Hour + time.Duration(done%20)*24*time.Minute)
			s := synctest.Completed(at, 20, at.Add(time.Hour))
			s.RepoOwner, s.RepoName, s.PRNumber = "worktime", fmt.Sprintf("repo-%d", done%7), 1+done%300
			batch = append(batch, s)
		}
		if _, err := r.Push(ctx, syncer.PushRequest{DeviceID: dev, TimeZone: "UTC", Sessions: batch}); err != nil {
			t.Fatalf("bulk push: %v", err)
		}
	}
	m.take()
	w.Stop()

	src := findD1(t, persist)
	dst := filepath.Join(t.TempDir(), "d1.sqlite")
	copyFile(t, src, dst)
	for _, sfx := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(src + sfx); err == nil {
			copyFile(t, src+sfx, dst+sfx)
		}
	}
	db, err := sql.Open("sqlite", dst)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	table := sessionTable(t, db)
	var sessions int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	full := vacuumedSize(t, db, dst)
	tables := userTables(t, db)
	for _, tb := range tables {
		if _, err := db.Exec(`DELETE FROM "` + tb + `"`); err != nil {
			t.Fatalf("emptying %s: %v", tb, err)
		}
	}
	empty := vacuumedSize(t, db, dst)
	t.Logf("D1 file: %d bytes with %d sessions, %d bytes empty (tables %s)", full, sessions, empty, strings.Join(tables, ", "))
	return float64(full-empty) / float64(sessions)
}

// findD1 is the D1 database's file: the largest SQLite file under the
// worker's D1 persistence directory.
func findD1(t *testing.T, root string) string {
	var found string
	var size int64
	err := filepath.WalkDir(filepath.Join(root, "d1"), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".sqlite") {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		if fi.Size() > size {
			found, size = p, fi.Size()
		}
		return nil
	})
	if err != nil || found == "" {
		t.Fatalf("no D1 SQLite file under %s (%v)", root, err)
	}
	return found
}

func copyFile(t *testing.T, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func sessionTable(t *testing.T, db *sql.DB) string {
	for _, name := range []string{"sessions", "time_sessions"} {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return name
		}
	}
	t.Fatal("the D1 file has no sessions table")
	return ""
}

// userTables are the tables the worker's data lives in (not SQLite's, D1's
// or the migrations' bookkeeping).
func userTables(t *testing.T, db *sql.DB) []string {
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func vacuumedSize(t *testing.T, db *sql.DB, path string) int64 {
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`VACUUM`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
