package localdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the ordered list of embedded migrations; migrations[i]
// produces version i+1. It is computed once from the embedded files and
// never changes.
var migrations = mustLoadMigrations()

func mustLoadMigrations() []migration {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		panic(err)
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d as its NNNN_ prefix", n, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	return ms, nil
}

// SchemaVersion is the schema version this binary produces.
func SchemaVersion() int { return len(migrations) }

// migrate applies every missing migration in one transaction.
func (db *DB) migrate(ctx context.Context) error {
	return db.migrateTo(ctx, len(migrations))
}

// migrateTo brings the schema to version target (tests build databases at
// earlier versions with it).
func (db *DB) migrateTo(ctx context.Context, target int) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var cur int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if cur > len(migrations) {
			return fmt.Errorf("migrate: %w: schema version %d, this worktimed knows up to %d", ErrTooNew, cur, len(migrations))
		}
		var userVersion int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&userVersion); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if userVersion > len(migrations) {
			return fmt.Errorf("migrate: %w: user_version %d, this worktimed knows up to %d", ErrTooNew, userVersion, len(migrations))
		}
		if cur >= target {
			return nil // up to date: open writes nothing
		}
		for _, m := range migrations[cur:target] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, db.clock.Now().Unix()); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
			db.log.Info("applied migration", "version", m.version, "name", m.name)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}
