package localdb

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SetLocation switches the zone daily_stats is counted in while the store is
// open: it rebuilds daily_stats in loc in one write transaction (the rebuild
// Open runs when the configured zone differs) and makes loc the store's zone
// once that transaction has committed. Setting the zone the store already
// uses does nothing.
//
// It holds the store's write lock from before the rebuild until the switch,
// so every other write transaction of this process runs entirely before it
// (in the old zone, and the rebuild recounts what it wrote) or entirely after
// it (in the new zone): no daily_stats row is built from both. If the
// rebuild fails, nothing changes. Another process with the file open keeps
// counting in the zone it was opened with.
func (db *DB) SetLocation(ctx context.Context, loc *time.Location) error {
	if loc == nil {
		return errors.New("localdb.SetLocation: nil location")
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if loc.String() == db.loc.String() {
		return nil
	}
	// update's transaction, run here because the lock must still be held
	// when loc is switched after the commit.
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("localdb.SetLocation: %w", db.failed(ctx, err))
	}
	if err := db.rebuildTx(ctx, tx, loc); err != nil {
		tx.Rollback()
		return fmt.Errorf("localdb.SetLocation: %w", db.failed(ctx, err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("localdb.SetLocation: %w", db.failed(ctx, err))
	}
	db.locMu.Lock()
	from := db.loc
	db.loc = loc
	db.locMu.Unlock()
	db.log.Info("rebuilt daily stats for a new time zone", "from", from.String(), "to", loc.String())
	return nil
}
