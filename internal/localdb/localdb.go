// Package localdb is worktime's local SQLite store: sessions, the daily_stats
// materialised from them, durable key/value state and the bookkeeping that
// tells the sync engine what to push.
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL, so every committed
// transaction is fsynced to the WAL before Commit returns: a write that was
// acknowledged survives a power cut. busy_timeout lets the daemon, the CLI and
// the native messaging host share the file; foreign keys are on; every write
// transaction is BEGIN IMMEDIATE, so two writers never deadlock on an upgrade
// from a read lock.
//
// # Migrations
//
// migrations/NNNN_name.sql are embedded in the binary, forward-only, and
// numbered by the schema version they produce. Open applies the missing ones
// in a single transaction and records each in schema_migrations and in PRAGMA
// user_version. A file whose schema_migrations or user_version is newer than
// this binary knows (ErrTooNew), a file that is not an SQLite database or is
// damaged (ErrCorrupt), and an SQLite file that is not a worktime store
// (ErrForeign) are refused before anything is written to them: they are
// probed through a read-only connection first. Opens made at the same
// instant by several processes on a new file all succeed: the probe reads
// one snapshot, and an open that meets a lock SQLite does not wait for is
// repeated.
//
// # Integrity checks
//
// The probe runs PRAGMA quick_check: over the whole file at the daemon's
// start (Options.DaemonStart) and before a migration, over every table but
// time_sessions at every other open (CheckTables; the figures are in
// BenchmarkOpenCheck). Inspect reports on a file and Repair rebuilds a damaged
// one from every session that can still be read, after copying it aside.
//
// # Full disk
//
// A write that fails for lack of space returns ErrDiskFull and folds the WAL
// into the database and truncates it (the WAL keeps its largest size until
// then, which is what fills a nearly full disk); the daemon's start does the
// same.
//
// # Times
//
// start_time, end_time and last_heartbeat_at are INTEGER unix seconds (UTC,
// truncated); updated_at is INTEGER unix milliseconds and decides
// last-writer-wins between devices. A local write never moves updated_at
// backwards, so a local change always wins over the value it replaced.
//
// # daily_stats
//
// daily_stats has one row per local calendar day, repository and pull request
// (the seed's per-repository rows are sums over it). Only ended sessions
// (completed, abandoned) count. A session [start, end) is split at every local
// midnight inside it (see SplitDays), in the zone given by Options.Location;
// each day gets the seconds of its part, and session_count counts sessions
// with a part of at least one second on that day (a zero-length session counts
// on its start day). Every write that changes a session updates daily_stats in
// the same transaction, so daily_stats always equals the aggregate recomputed
// from time_sessions. The zone the table was built in is kept in the state
// table; Open rebuilds it when the configured zone differs, and SetLocation
// rebuilds it when the zone changes while the store is open.
//
// # Change bookkeeping (push)
//
// A store-wide counter (state key "change_seq") is incremented by every local
// change, and the changed row records the new value in change_seq. A row is
// pending while change_seq > pushed_seq. PendingSessions returns pending rows
// oldest change first; MarkPushed(id → change_seq read) sets pushed_seq only
// if change_seq still equals the value that was read, so a change made while
// a push was in flight stays pending. Quarantine parks a row at one
// change_seq (the server refused it for good); the next local change to the
// row lifts the quarantine. ApplyRemote (pull) writes rows without making them
// pending.
package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/worktime/worktime/internal/clock"
)

// Errors returned by Open; check them with errors.Is.
var (
	// ErrTooNew: the file was written by a newer worktime.
	ErrTooNew = errors.New("database was written by a newer version of worktime")
	// ErrCorrupt: the file is not an SQLite database or is damaged.
	ErrCorrupt = errors.New("database file is corrupt or not an SQLite database")
	// ErrForeign: an SQLite database that is not a worktime store.
	ErrForeign = errors.New("file is an SQLite database but not a worktime store")
	// ErrNotFound: no row with that id.
	ErrNotFound = errors.New("not found")
	// ErrInvalidSession: a session that breaks the store's invariants.
	ErrInvalidSession = errors.New("invalid session")
	// ErrDiskFull: a write failed for lack of space; nothing of it was
	// written.
	ErrDiskFull = errors.New("disk is full")
)

// Options configure a DB.
type Options struct {
	// Location is the zone daily_stats days are counted in; nil means UTC.
	Location *time.Location
	// Clock stamps updated_at and created_at; nil means the real clock.
	Clock clock.Clock
	// Logger receives migration and rebuild notices; nil discards them.
	Logger *slog.Logger
	// DaemonStart marks the daemon's open at start: the whole file is
	// checked (CheckFile) and the WAL is folded into the database and
	// truncated. Every other open (CLI, native messaging host) checks the
	// small tables only (CheckTables).
	DaemonStart bool
}

// DB is an open local store. It is safe for concurrent use.
type DB struct {
	sql  *sql.DB
	path string
	// loc is the zone daily_stats is counted in. SetLocation changes it
	// holding both writeMu and locMu, so a write transaction (which holds
	// writeMu) reads it directly and counts every part in one zone; other
	// readers go through Location.
	loc   *time.Location
	locMu sync.RWMutex
	clock clock.Clock
	log   *slog.Logger
	// writeMu serialises this process's write transactions so that they
	// queue in Go instead of in SQLite's busy handler.
	writeMu sync.Mutex

	stmtMu sync.Mutex // guards stmts
	stmts  map[string]*sql.Stmt
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Open opens (creating if needed) the store at path and migrates it to the
// latest schema version.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("localdb.Open: %w", err)
	}
	// Processes opening a new store at the same instant (the daemon, the
	// native messaging hosts, a CLI) contend for locks that SQLite's busy
	// handler does not wait for: switching a new file to WAL and
	// recovering the WAL index answer SQLITE_BUSY at once. Every step of
	// an open is read-only or one transaction, so the open is repeated.
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		db, err := open(ctx, path, opts)
		if err == nil || !isBusy(err) || attempt == openAttempts {
			return db, err
		}
		// Real time, not opts.Clock: the other process releases its lock
		// in real time, as busy_timeout waits in real time.
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("localdb.Open: %w", ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

// openAttempts bounds the retries of a contended open (about 10 s).
const openAttempts = 110

func open(ctx context.Context, path string, opts Options) (*DB, error) {
	check := CheckTables
	if opts.DaemonStart {
		check = CheckFile
	}
	if err := probe(ctx, path, check); err != nil {
		return nil, fmt.Errorf("localdb.Open %s: %w", path, err)
	}
	sdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("localdb.Open: %w", err)
	}
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	db := &DB{sql: sdb, path: path, loc: opts.Location, clock: opts.Clock, log: opts.Logger}
	if err := db.init(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("localdb.Open %s: %w", path, err)
	}
	if opts.DaemonStart {
		// A WAL left large by a full disk (or by a crash) is given back
		// before the daemon writes again.
		db.truncateWAL(ctx)
	}
	return db, nil
}

// isBusy reports whether err is SQLite's "the file is locked by another
// connection".
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

func dsn(path string, readOnly bool) string {
	u := url.URL{Scheme: "file", Opaque: path}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		q.Set("_fk", "1")
		q.Set("_txlock", "immediate")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// classify maps SQLite's corruption codes to ErrCorrupt and a full disk to
// ErrDiskFull.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %v", ErrDiskFull, err)
		}
	}
	return err
}

func (db *DB) init(ctx context.Context) error {
	if err := db.migrate(ctx); err != nil {
		return classify(err)
	}
	if err := db.ensureStatsZone(ctx); err != nil {
		return classify(err)
	}
	return nil
}

// Close closes the store.
func (db *DB) Close() error {
	db.closeStmts()
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("localdb.Close: %w", err)
	}
	return nil
}

// Path is the file the store lives in.
func (db *DB) Path() string { return db.path }

// Location is the zone daily_stats is counted in.
func (db *DB) Location() *time.Location {
	db.locMu.RLock()
	defer db.locMu.RUnlock()
	return db.loc
}

// update runs fn in one write transaction, serialised with this process's
// other writes.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return db.failed(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return db.failed(ctx, err)
	}
	return nil
}
