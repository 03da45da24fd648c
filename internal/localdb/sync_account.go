package localdb

import (
	"context"
	"database/sql"
	"fmt"
)

// ResetPushed makes every locally written row pending again (and lifts
// quarantines), because sync now pushes to a different server or account
// that has none of them. Rows pulled from other devices and never changed
// here stay as they are: their own devices push them. It returns the number
// of rows that became pending.
func (db *DB) ResetPushed(ctx context.Context) (int64, error) {
	var n int64
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE time_sessions SET pushed_seq = 0, quarantined_seq = 0, quarantine_reason = ''
			WHERE change_seq > 0 AND (pushed_seq != 0 OR quarantined_seq != 0)`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("localdb.ResetPushed: %w", err)
	}
	return n, nil
}
