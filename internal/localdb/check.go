package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Check is how much of an existing file Open verifies, through a read-only
// connection, before it writes anything to it.
type Check int

const (
	// CheckTables runs PRAGMA quick_check over every table and index but
	// time_sessions and its indexes: the schema, schema_migrations, state
	// and daily_stats (about 10 ms on the 500,000-session history, see
	// BenchmarkOpenCheck). daily_stats is checked because damage there
	// would go unnoticed (it is summed, never read row by row); damage in
	// time_sessions is met as SQLITE_CORRUPT when its pages are read,
	// before anything is written over them.
	CheckTables Check = iota
	// CheckFile runs PRAGMA quick_check over the whole file (about a
	// second on the 500,000-session history): the daemon at start.
	CheckFile
)

// probe inspects an existing file through a read-only connection and refuses
// it (without writing to it) if it is corrupt, foreign or too new. A missing
// or empty file passes. A file whose migration is due is checked whole
// whatever check says: the migration is about to write to all of it.
func probe(ctx context.Context, path string, check Check) error {
	ok, err := hasContent(path)
	if err != nil || !ok {
		return err
	}
	ro, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return err
	}
	defer ro.Close()
	// One connection, one read transaction: every answer below comes from
	// the same snapshot, even while another process creates the store.
	tx, err := ro.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	version, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if version < 0 {
		return nil // a new, empty database
	}
	if version < len(migrations) {
		check = CheckFile
	}
	problems, err := quickCheck(ctx, tx, check)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(problems)-1)
		}
		return fmt.Errorf("%w: integrity check: %s%s; run 'worktimed doctor'", ErrCorrupt, problems[0], more)
	}
	return nil
}

// hasContent reports whether path is a non-empty file that starts like an
// SQLite database: false for a missing or empty file, ErrCorrupt for one
// that is not SQLite.
func hasContent(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, err
	}
	if st.IsDir() {
		return false, fmt.Errorf("%s is a directory", path)
	}
	if st.Size() == 0 {
		return false, nil
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.HasPrefix(hdr, sqliteMagic) {
		return false, fmt.Errorf("%w: missing SQLite header; run 'worktimed doctor', move the file away (worktime will create a new one) or restore it from a backup", ErrCorrupt)
	}
	return true, nil
}

// schemaVersion is the file's schema version: -1 for a database without
// tables (a store being created), ErrForeign for tables without
// schema_migrations, ErrTooNew when schema_migrations or PRAGMA
// user_version is newer than this binary.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var hasMigrations, tables, userVersion int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM sqlite_schema WHERE name = 'schema_migrations'),
		(SELECT COUNT(*) FROM sqlite_schema),
		(SELECT user_version FROM pragma_user_version)`).Scan(&hasMigrations, &tables, &userVersion); err != nil {
		return 0, classify(err)
	}
	latest := len(migrations)
	if userVersion > latest {
		return 0, fmt.Errorf("%w: user_version %d, this worktimed knows up to %d; upgrade worktimed", ErrTooNew, userVersion, latest)
	}
	if hasMigrations == 0 {
		if tables > 0 {
			return 0, fmt.Errorf("%w: no schema_migrations table; point worktime at another file", ErrForeign)
		}
		return -1, nil
	}
	var version int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, classify(err)
	}
	if version > latest {
		return 0, fmt.Errorf("%w: schema version %d, this worktimed knows up to %d; upgrade worktimed", ErrTooNew, version, latest)
	}
	return version, nil
}

// quickCheck runs PRAGMA quick_check at the given extent and returns what it
// reports (nothing when the file is sound). SQLite stops a check at damage
// it cannot walk past with SQLITE_CORRUPT; that is reported as a problem too.
func quickCheck(ctx context.Context, q querier, check Check) ([]string, error) {
	if check == CheckFile {
		return pragmaCheck(ctx, q, `PRAGMA quick_check(100)`)
	}
	names, err := smallTables(ctx, q)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return []string{err.Error()}, nil
		}
		return nil, err
	}
	var all []string
	for _, n := range names {
		p, err := pragmaCheck(ctx, q, `PRAGMA quick_check("`+n+`")`)
		if err != nil {
			return nil, err
		}
		all = append(all, p...)
	}
	return all, nil
}

// smallTables names every table CheckTables covers: all but time_sessions.
func smallTables(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'time_sessions'
		UNION ALL SELECT 'sqlite_schema' ORDER BY 1`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, classify(err)
		}
		names = append(names, n)
	}
	return names, classify(rows.Err())
}

// pragmaCheck runs one of SQLite's check pragmas and collects its rows but
// "ok".
func pragmaCheck(ctx context.Context, q querier, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		if err := classify(err); errors.Is(err, ErrCorrupt) {
			return []string{err.Error()}, nil
		}
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		if r == "ok" {
			continue
		}
		// One row may hold several problems, a line each, under a
		// heading naming the schema ("*** in database main ***").
		for _, line := range strings.Split(r, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "***") {
				problems = append(problems, line)
			}
		}
	}
	if err := classify(rows.Err()); err != nil {
		if errors.Is(err, ErrCorrupt) {
			return append(problems, err.Error()), nil
		}
		return nil, err
	}
	return problems, nil
}

// failed classifies the error of a write transaction. A write that failed
// for lack of space has the WAL folded into the database and truncated: the
// WAL holds the disk's last free space (it keeps its largest size until it
// is truncated), and giving it back lets the next write succeed.
func (db *DB) failed(ctx context.Context, err error) error {
	err = classify(err)
	if errors.Is(err, ErrDiskFull) {
		db.truncateWAL(ctx)
	}
	return err
}

// truncateWAL copies the WAL into the database and truncates it to zero
// bytes. It is best effort: it waits for readers (busy_timeout) and fails
// if the database itself cannot grow; the failure is logged, and the next
// write (or start) tries again.
func (db *DB) truncateWAL(ctx context.Context) {
	var busy, logFrames, moved int
	err := db.sql.QueryRowContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &moved)
	if err != nil || busy != 0 {
		db.log.Warn("could not truncate the WAL", "db", db.path, "err", err, "busy", busy != 0)
		return
	}
	db.log.Info("truncated the WAL", "db", db.path, "frames", moved)
}
