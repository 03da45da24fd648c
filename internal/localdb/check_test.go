package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/clock"
)

// historyStore writes n ended sessions over n/3 days and pull requests (a
// few hundred daily_stats rows) and folds the WAL into the file, so that
// the file alone holds the store.
func historyStore(t *testing.T, path string, n int) {
	t.Helper()
	db := openTest(t, path, nil, nil)
	err := db.Update(context.Background(), func(tx *Tx) error {
		for i := 0; i < n; i++ {
			st := t0.Add(-time.Duration(i/3) * 24 * time.Hour).Add(time.Duration(i%3) * time.Hour)
			s := ended(fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), st, st.Add(time.Duration(20+i%40)*time.Minute))
			s.RepoName = fmt.Sprintf("repo-%d", i%7)
			s.PRNumber = 1 + i%23
			if _, err := tx.Put(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// leafPages lists the leaf pages of table (or index) name.
func leafPages(t *testing.T, path, name string) []int {
	t.Helper()
	db := openTest(t, path, nil, nil)
	defer db.Close()
	rows, err := db.sql.Query(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var pages []int
	for rows.Next() {
		var p int
		rows.Scan(&p)
		pages = append(pages, p)
	}
	if len(pages) < 2 {
		t.Fatalf("%s has %d leaf pages; the test needs a few", name, len(pages))
	}
	return pages
}

// damage writes 1 KiB of random bytes at the end of page pageno, where
// SQLite keeps the cells (the rows) of a b-tree page.
func damage(t *testing.T, path string, pageno int, seed int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	end := pageno * pageSize
	rand.New(rand.NewSource(seed)).Read(b[end-1024 : end])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A daily_stats page overwritten with random bytes is refused by every open
// (the daemon's and the CLI's) before anything is written: the file is left
// as it was.
func TestOpenRefusesDamagedDailyStats(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.db")
	historyStore(t, clean, 300)
	pages := leafPages(t, clean, "daily_stats")
	orig, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	for _, daemon := range []bool{false, true} {
		for _, pg := range []int{pages[0], pages[len(pages)/2], pages[len(pages)-1]} {
			t.Run(fmt.Sprintf("daemon=%v/page%d", daemon, pg), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "worktime.db")
				if err := os.WriteFile(path, orig, 0o600); err != nil {
					t.Fatal(err)
				}
				damage(t, path, pg, int64(pg))
				before := hashFile(t, path)
				db, err := Open(ctx, path, Options{DaemonStart: daemon})
				if err == nil {
					db.Close()
				}
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Open = %v, want ErrCorrupt", err)
				}
				if hashFile(t, path) != before {
					t.Fatal("Open modified a damaged file")
				}
			})
		}
	}
}

// Damage in the sessions themselves is found by the daemon's check at start.
func TestDaemonStartRefusesDamagedSessions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	historyStore(t, path, 300)
	pages := leafPages(t, path, "time_sessions")
	damage(t, path, pages[len(pages)/2], 1)
	before := hashFile(t, path)
	if _, err := Open(ctx, path, Options{DaemonStart: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open at daemon start = %v, want ErrCorrupt", err)
	}
	if hashFile(t, path) != before {
		t.Fatal("Open modified a damaged file")
	}
}

// The daemon, two native messaging hosts and a CLI opening a home that does
// not exist yet, at the same instant: every open succeeds and they agree on
// one device id.
func TestConcurrentFirstOpens(t *testing.T) {
	ctx := context.Background()
	const rounds, openers = 40, 16
	for r := 0; r < rounds; r++ {
		path := filepath.Join(t.TempDir(), "home", "worktime.db")
		start := make(chan struct{})
		type result struct {
			device string
			err    error
		}
		results := make(chan result, openers)
		for i := 0; i < openers; i++ {
			go func() {
				<-start
				db, err := Open(ctx, path, Options{DaemonStart: i == 0})
				if err != nil {
					results <- result{err: err}
					return
				}
				defer db.Close()
				dev, err := db.DeviceID(ctx)
				if err == nil {
					err = db.Update(ctx, func(tx *Tx) error {
						s := ended(fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), t0, t0.Add(time.Minute))
						s.DeviceID = dev
						_, err := tx.Put(s)
						return err
					})
				}
				results <- result{device: dev, err: err}
			}()
		}
		close(start)
		devices := map[string]bool{}
		for i := 0; i < openers; i++ {
			res := <-results
			if res.err != nil {
				t.Fatalf("round %d: concurrent first open: %v", r, res.err)
			}
			devices[res.device] = true
		}
		if len(devices) != 1 {
			t.Fatalf("round %d: %d device ids minted, want 1", r, len(devices))
		}
		db := openTest(t, path, nil, nil)
		if n, err := db.CountSessions(ctx, ExportFilter{}); err != nil || n != openers {
			t.Fatalf("round %d: %d sessions, %v; want %d", r, n, err, openers)
		}
		db.Close()
	}
}

// walSize is the size of path's WAL (0 when there is none).
func walSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// A write that fails for lack of space truncates the WAL. SQLite's page
// limit (max_page_count) stands for the full disk here: it fails the write
// with the same SQLITE_FULL as a full file system, without mounting one.
func TestWriteFailingForSpaceTruncatesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	first := openTest(t, path, nil, nil)
	var pages int
	if err := first.sql.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	first.Close()
	// Every pooled connection gets the limit.
	raw, err := sql.Open("sqlite", dsn(path, false)+fmt.Sprintf("&_pragma=max_page_count(%d)", pages+3))
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{sql: raw, path: path, loc: time.UTC, clock: clock.NewFake(t0), log: slog.New(slog.DiscardHandler)}
	defer db.Close()
	acked := 0
	for i := 0; i < 5000 && err == nil; i++ {
		err = db.Update(ctx, func(tx *Tx) error {
			s := ended(fmt.Sprintf("0190a000-0000-7000-8000-%012d-with-a-long-tail-to-fill-pages", i), t0, t0.Add(time.Minute))
			s.RepoName = fmt.Sprintf("repo-%d", i)
			_, err := tx.Put(s)
			return err
		})
		if err == nil {
			acked++
		}
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("write past the limit = %v, want ErrDiskFull", err)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("WAL is %d bytes after the failed write, want it truncated", n)
	}
	if n, err := db.CountSessions(ctx, ExportFilter{}); err != nil || n != int64(acked) {
		t.Fatalf("%d sessions, %v; want the %d acknowledged", n, err, acked)
	}
}

// The daemon's start truncates a WAL left behind (here by a process that
// did not close the store, so SQLite could not fold it in).
func TestDaemonStartTruncatesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	left := openTest(t, path, nil, nil)
	for i := 0; i < 50; i++ {
		put(t, left, ended(fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), t0, t0.Add(time.Minute)))
	}
	if walSize(t, path) == 0 {
		t.Fatal("no WAL to truncate; the test needs one")
	}
	// left stays open (as a crashed process's file would hold the frames).
	db, err := Open(ctx, path, Options{DaemonStart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := walSize(t, path); n != 0 {
		t.Fatalf("WAL is %d bytes after the daemon's start, want 0", n)
	}
	if n, err := db.CountSessions(ctx, ExportFilter{}); err != nil || n != 50 {
		t.Fatalf("%d sessions, %v; want 50", n, err)
	}
}

// openerEnv makes the test binary a process that opens a store: it waits
// for its standard input to close (all of them start together), opens the
// store named by the variable, mints the device id, writes one session and
// prints the device id.
const openerEnv = "WORKTIME_TEST_OPENER_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(openerEnv); path != "" {
		os.Exit(runOpener(path))
	}
	os.Exit(m.Run())
}

func runOpener(path string) int {
	ctx := context.Background()
	io.Copy(io.Discard, os.Stdin)
	db, err := Open(ctx, path, Options{DaemonStart: os.Getenv(openerEnv+"_DAEMON") != ""})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	dev, err := db.DeviceID(ctx)
	if err == nil {
		err = db.Update(ctx, func(tx *Tx) error {
			s := ended(fmt.Sprintf("0190a000-0000-7000-8000-%012d", os.Getpid()), t0, t0.Add(time.Minute))
			s.DeviceID = dev
			_, err := tx.Put(s)
			return err
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Print(dev)
	return 0
}

// The same as TestConcurrentFirstOpens with processes: a daemon, hosts and
// CLIs are separate processes, each with its own SQLite locks.
func TestConcurrentFirstOpensAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	const rounds, openers = 25, 10
	for r := 0; r < rounds; r++ {
		path := filepath.Join(t.TempDir(), "home", "worktime.db")
		var cmds []*exec.Cmd
		var gates []io.WriteCloser
		outs := make([]*strings.Builder, openers)
		for i := 0; i < openers; i++ {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), openerEnv+"="+path)
			if i == 0 {
				cmd.Env = append(cmd.Env, openerEnv+"_DAEMON=1")
			}
			outs[i] = &strings.Builder{}
			cmd.Stdout, cmd.Stderr = outs[i], outs[i]
			gate, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, gates = append(cmds, cmd), append(gates, gate)
		}
		for _, g := range gates {
			g.Close()
		}
		devices := map[string]bool{}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("round %d: opener %d: %v: %s", r, i, err, outs[i])
			}
			devices[outs[i].String()] = true
		}
		if len(devices) != 1 {
			t.Fatalf("round %d: device ids %v, want one", r, devices)
		}
		db := openTest(t, path, nil, nil)
		if n, err := db.CountSessions(ctx, ExportFilter{}); err != nil || n != openers {
			t.Fatalf("round %d: %d sessions, %v; want %d", r, n, err, openers)
		}
		db.Close()
	}
}
