package benchdata

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// checkpoint moves the WAL's content into the database file and removes the
// WAL, so the file can be renamed on its own.
func checkpoint(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE`); err != nil {
		return fmt.Errorf("benchdata: checkpoint: %w", err)
	}
	db.Close()
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	return nil
}
