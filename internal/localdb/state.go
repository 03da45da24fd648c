package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// State reads a durable key; ok is false if it was never set.
func (db *DB) State(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("localdb.State %s: %w", key, classify(err))
	}
	return value, true, nil
}

// SetState durably sets key to value.
func (db *DB) SetState(ctx context.Context, key, value string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		return setState(ctx, tx, key, value)
	})
	if err != nil {
		return fmt.Errorf("localdb.SetState %s: %w", key, err)
	}
	return nil
}

// DeleteState removes key.
func (db *DB) DeleteState(ctx context.Context, key string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM state WHERE key = ?`, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("localdb.DeleteState %s: %w", key, err)
	}
	return nil
}

func setState(ctx context.Context, ex execer, key, value string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO state(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Keys of the state table used by this package.
const (
	stateDeviceID  = "device_id"
	stateStatsZone = "daily_stats_zone"
)

// DeviceID returns this store's device id, minting a UUIDv7 the first time.
func (db *DB) DeviceID(ctx context.Context) (string, error) {
	if v, ok, err := db.State(ctx, stateDeviceID); err != nil || ok {
		return v, err
	}
	var id string
	err := db.update(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, stateDeviceID).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		u, err := uuid.NewV7()
		if err != nil {
			return err
		}
		id = u.String()
		return setState(ctx, tx, stateDeviceID, id)
	})
	if err != nil {
		return "", fmt.Errorf("localdb.DeviceID: %w", err)
	}
	return id, nil
}
