package localdb

import (
	"context"
	"database/sql"
	"fmt"
)

// BulkLoad writes many sessions in one transaction, as already pushed (like
// rows pulled from the server), then rebuilds daily_stats in the same
// transaction. It is for restoring a history and for benchmarks: it is far
// faster than one Put per session. next returns the sessions one by one and
// false when done. An id that already exists fails the load and nothing is
// written.
func (db *DB) BulkLoad(ctx context.Context, next func() (Session, bool)) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *sql.Tx) error {
		// A large page cache for the load keeps the indexes in memory; the
		// connection goes back to SQLite's default afterwards.
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, `PRAGMA cache_size = -2000`)
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO time_sessions (id, device_id, source, repo_owner, repo_name,
			pr_number, start_time, end_time, duration_seconds, status, last_heartbeat_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := db.clock.Now().Unix()
		for {
			s, ok := next()
			if !ok {
				break
			}
			if err := normalize(&s); err != nil {
				return err
			}
			var end, dur, hb any
			if s.EndTime != nil {
				end, dur = s.EndTime.Unix(), s.DurationSeconds
			}
			if s.LastHeartbeatAt != nil {
				hb = s.LastHeartbeatAt.Unix()
			}
			if _, err := stmt.ExecContext(ctx, s.ID, s.DeviceID, s.Source, s.RepoOwner, s.RepoName, s.PRNumber,
				s.StartTime.Unix(), end, dur, s.Status, hb, now, s.UpdatedAt.UnixMilli()); err != nil {
				return fmt.Errorf("session %s: %w", s.ID, err)
			}
			n++
		}
		return db.rebuildTx(ctx, tx, db.loc)
	})
	if err != nil {
		return 0, fmt.Errorf("localdb.BulkLoad: %w", err)
	}
	return n, nil
}
