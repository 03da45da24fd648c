package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"modernc.org/sqlite"
)

// stateChangeSeq is the state key of the store-wide change counter.
const stateChangeSeq = "change_seq"

// Report is what Inspect found in a store file.
type Report struct {
	// Path is the file inspected.
	Path string
	// Exists is false when there is no store yet (nothing to check).
	Exists bool
	// SchemaVersion is the file's schema version (0 for a new file).
	SchemaVersion int
	// Sessions is the number of sessions, -1 when they cannot be counted.
	Sessions int64
	// Problems is what PRAGMA integrity_check reported (at most 100
	// lines); empty when the file is sound.
	Problems []string
}

// Inspect checks the store at path through a read-only connection with
// PRAGMA integrity_check, the most thorough check SQLite has (about 1.5 s
// on the 500,000-session history, see BenchmarkOpenCheck). It never writes to the file. A file that
// is too new or foreign is an error (ErrTooNew, ErrForeign); damage is
// reported in Problems, not as an error.
func Inspect(ctx context.Context, path string) (Report, error) {
	rep := Report{Path: path, Sessions: -1}
	ok, err := hasContent(path)
	if errors.Is(err, ErrCorrupt) {
		rep.Exists = true
		rep.Problems = []string{err.Error()}
		return rep, nil
	}
	if err != nil {
		return rep, fmt.Errorf("localdb.Inspect: %w", err)
	}
	if !ok {
		// Missing, or empty: what worktime creates before its first write.
		_, statErr := os.Stat(path)
		rep.Exists, rep.Sessions = statErr == nil, 0
		return rep, nil
	}
	rep.Exists = true
	ro, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return rep, fmt.Errorf("localdb.Inspect: %w", err)
	}
	defer ro.Close()
	ro.SetMaxOpenConns(1)
	version, err := schemaVersion(ctx, ro)
	if errors.Is(err, ErrCorrupt) {
		rep.Problems = []string{err.Error()}
		return rep, nil
	}
	if err != nil {
		return rep, fmt.Errorf("localdb.Inspect: %w", err)
	}
	rep.SchemaVersion = max(version, 0)
	rep.Problems, err = pragmaCheck(ctx, ro, `PRAGMA integrity_check(100)`)
	if err != nil {
		return rep, fmt.Errorf("localdb.Inspect: %w", err)
	}
	if version < 0 {
		rep.Sessions = 0 // a store being created
	} else {
		var n int64
		if err := ro.QueryRowContext(ctx, `SELECT COUNT(*) FROM time_sessions`).Scan(&n); err == nil {
			rep.Sessions = n
		}
	}
	return rep, nil
}

// RepairResult says what Repair did.
type RepairResult struct {
	// Aside is the copy of the damaged file (its WAL, if any, is Aside +
	// "-wal"); it is never deleted.
	Aside string
	// Sessions is the number of sessions the new store holds.
	Sessions int
	// Lost counts sessions whose id could be read but not the session
	// itself (or only with values the store refuses).
	Lost int
}

// repairRow is a time_sessions row with every column, as it is copied.
type repairRow struct {
	id, device, source, owner, name, status, quarantineReason         string
	pr, start, created, updated, changeSeq, pushedSeq, quarantinedSeq int64
	end, dur, hb, syncedStart                                         sql.NullInt64
}

const repairCols = `id, device_id, source, repo_owner, repo_name, pr_number, start_time, end_time, duration_seconds,
	status, last_heartbeat_at, created_at, updated_at, change_seq, pushed_seq, quarantined_seq, quarantine_reason, synced_start`

func (r *repairRow) scan(s scanner) error {
	return s.Scan(&r.id, &r.device, &r.source, &r.owner, &r.name, &r.pr, &r.start, &r.end, &r.dur,
		&r.status, &r.hb, &r.created, &r.updated, &r.changeSeq, &r.pushedSeq, &r.quarantinedSeq, &r.quarantineReason, &r.syncedStart)
}

// Repair replaces the store at path with a new one holding every session
// that can still be read from it. The damaged file (and its WAL) is first
// copied to path.damaged-TIME, which is kept. Sessions are read along the
// primary key and, past damage there, found through both indexes and read
// one by one; a session that cannot be read, or whose values break the
// schema's rules, is counted in Lost. The state table (device id, sync
// cursors and account) is kept as far as it can be read; daily_stats is
// rebuilt from the sessions. Sync bookkeeping is kept, so pushed sessions
// are not pushed again. No other process may use the store meanwhile (the
// daemon must be stopped). The new store is written beside path and
// renamed over it when complete.
func Repair(ctx context.Context, path string, opts Options) (RepairResult, error) {
	if opts.Clock == nil {
		return RepairResult{}, errors.New("localdb.Repair: Options.Clock is required")
	}
	var res RepairResult
	if _, err := os.Stat(path); err != nil {
		return res, fmt.Errorf("localdb.Repair: %w", err)
	}
	res.Aside = path + ".damaged-" + opts.Clock.Now().UTC().Format("20060102T150405Z")
	if err := copyFile(path, res.Aside); err != nil {
		return res, fmt.Errorf("localdb.Repair: %w", err)
	}
	if err := copyFile(path+"-wal", res.Aside+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("localdb.Repair: %w", err)
	}
	tmp := path + ".repair"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("localdb.Repair: %w", err)
		}
	}
	err := salvage(ctx, res.Aside, tmp, opts, &res)
	// Reading the copy leaves SQLite's index of its WAL (and an empty WAL)
	// beside it; they hold nothing of the damaged file.
	os.Remove(res.Aside + "-shm")
	if st, statErr := os.Stat(res.Aside + "-wal"); statErr == nil && st.Size() == 0 {
		os.Remove(res.Aside + "-wal")
	}
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("localdb.Repair: %w", err)
	}
	// The damaged file's WAL must not meet the new file: SQLite would
	// apply its frames to it. Both are in the copy.
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("localdb.Repair: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return res, fmt.Errorf("localdb.Repair: %w", err)
	}
	return res, nil
}

// salvage writes a new store at dst from what can be read of src.
func salvage(ctx context.Context, src, dst string, opts Options, res *RepairResult) error {
	ro, err := sql.Open("sqlite", dsn(src, true))
	if err != nil {
		return err
	}
	defer ro.Close()
	ro.SetMaxOpenConns(1)
	db, err := Open(ctx, dst, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	// A file older than migration 0007 has no synced_start: as the
	// migration does, the server holds its sessions (if at all) at their
	// start.
	srcCols := repairCols
	var has int
	if ro.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('time_sessions') WHERE name = 'synced_start'`).Scan(&has); has == 0 {
		srcCols = strings.Replace(repairCols, "synced_start", "start_time", 1)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO time_sessions (`+repairCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		have := map[string]bool{}
		var maxSeq int64
		keep := func(r repairRow) error {
			_, err := ins.ExecContext(ctx, r.id, r.device, r.source, r.owner, r.name, r.pr, r.start, r.end, r.dur,
				r.status, r.hb, r.created, r.updated, r.changeSeq, r.pushedSeq, r.quarantinedSeq, r.quarantineReason, r.syncedStart)
			if err != nil {
				if errors.Is(classify(err), ErrCorrupt) {
					return err
				}
				res.Lost++ // a value the schema refuses: the row is garbage
				return nil
			}
			have[r.id] = true
			maxSeq = max(maxSeq, r.changeSeq)
			return nil
		}
		// Along the primary key, until the end or the first damage.
		if err := eachRow(ctx, ro, `SELECT `+srcCols+` FROM time_sessions ORDER BY id`, func(s scanner) error {
			var r repairRow
			if err := r.scan(s); err != nil {
				return err
			}
			return keep(r)
		}); err != nil && !isDamage(err) {
			return err
		}
		// Every id the indexes know that the scan did not reach.
		var missing []string
		for _, q := range []string{
			`SELECT id FROM time_sessions INDEXED BY idx_sessions_start_cover ORDER BY start_time`,
			`SELECT id FROM time_sessions INDEXED BY idx_sessions_repo_start ORDER BY repo_owner, repo_name, start_time, id`,
		} {
			if err := eachRow(ctx, ro, q, func(s scanner) error {
				var id string
				if err := s.Scan(&id); err != nil {
					return err
				}
				if !have[id] {
					have[id] = true // listed once
					missing = append(missing, id)
				}
				return nil
			}); err != nil && !isDamage(err) {
				return err
			}
		}
		sort.Strings(missing)
		for _, id := range missing {
			delete(have, id)
			var r repairRow
			err := r.scan(ro.QueryRowContext(ctx, `SELECT `+srcCols+` FROM time_sessions WHERE id = ?`, id))
			if err != nil {
				if !isDamage(err) && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				res.Lost++
				continue
			}
			if err := keep(r); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM time_sessions`).Scan(&res.Sessions); err != nil {
			return err
		}
		if err := salvageState(ctx, ro, tx, maxSeq); err != nil {
			return err
		}
		return db.rebuildTx(ctx, tx, db.loc)
	})
	if err != nil {
		return err
	}
	return db.Close()
}

// salvageState copies the readable state keys but the daily_stats zone
// (the new store's is current) and makes change_seq at least the largest
// kept one, so the next change sorts after every kept row.
func salvageState(ctx context.Context, ro *sql.DB, tx *sql.Tx, maxSeq int64) error {
	err := eachRow(ctx, ro, `SELECT key, value FROM state`, func(s scanner) error {
		var k, v string
		if err := s.Scan(&k, &v); err != nil {
			return err
		}
		switch k {
		case stateStatsZone:
			return nil
		case stateChangeSeq:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				maxSeq = max(maxSeq, n)
			}
			return nil
		}
		return setState(ctx, tx, k, v)
	})
	if err != nil && !isDamage(err) {
		return err
	}
	return setState(ctx, tx, stateChangeSeq, strconv.FormatInt(maxSeq, 10))
}

// eachRow calls fn for every row of q until the end, an error of fn, or
// an error reading the rows.
func eachRow(ctx context.Context, ro *sql.DB, q string, fn func(scanner) error) error {
	rows, err := ro.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// isDamage reports whether err is SQLite meeting damage in the file (or a
// value of the wrong type where damage replaced it).
func isDamage(err error) bool {
	if errors.Is(classify(err), ErrCorrupt) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return false // another SQLite error: I/O, busy
	}
	// A scan error: a damaged record holds a value of the wrong type.
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// copyFile copies src to a new file dst (never over an existing one) and
// syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
