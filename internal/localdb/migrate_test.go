package localdb

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/worktime/worktime/internal/clock"
)

// fixtures are rows written by a worktime at each schema version (the key):
// what a real user's file held before upgrading.
var fixtures = map[int]string{
	1: `INSERT INTO time_sessions (id, device_id, source, repo_owner, repo_name, pr_number, start_time, end_time,
			duration_seconds, status, last_heartbeat_at, created_at, updated_at) VALUES
		('0190a000-0000-7000-8000-000000000001', 'dev-1', 'manual', 'acme', 'web', 7, 1764064800, 1764068400, 3600, 'completed', NULL, 1764064800, 1764068400000),
		('0190a000-0000-7000-8000-000000000002', 'dev-1', 'browser', 'acme', 'api', 3, 1764070000, 1764070600, 600, 'abandoned', 1764070600, 1764070000, 1764071300000),
		('0190a000-0000-7000-8000-000000000003', 'dev-1', 'browser', 'acme', 'api', 4, 1764072000, NULL, NULL, 'active', 1764072100, 1764072000, 1764072100000);
		INSERT INTO daily_stats VALUES ('2025-11-25', 'acme', 'web', 7, 3600, 1, 3600), ('2025-11-25', 'acme', 'api', 3, 600, 1, 600);
		INSERT INTO state VALUES ('device_id', 'dev-1'), ('daily_stats_zone', 'UTC');
		INSERT INTO users (github_user_id, github_username, created_at, last_active) VALUES ('42', 'octo', 1, 1);`,
	2: pushedFixture,
	3: pushedFixture,
	4: pushedFixture,
	5: pushedFixture,
	6: pushedFixture,
}

// pushedFixture is a pushed session, as versions 2 to 6 wrote it (their
// session columns are the same).
const pushedFixture = `INSERT INTO time_sessions (id, device_id, source, repo_owner, repo_name, pr_number, start_time, end_time,
			duration_seconds, status, last_heartbeat_at, created_at, updated_at, change_seq, pushed_seq) VALUES
		('0190a000-0000-7000-8000-000000000001', 'dev-1', 'manual', 'acme', 'web', 7, 1764064800, 1764068400, 3600, 'completed', NULL, 1764064800, 1764068400000, 1, 1);
		INSERT INTO daily_stats VALUES ('2025-11-25', 'acme', 'web', 7, 3600, 1, 3600);
		INSERT INTO state VALUES ('device_id', 'dev-1'), ('daily_stats_zone', 'UTC');
		UPDATE state SET value = '1' WHERE key = 'change_seq';`

// createAt builds a database at schema version v, with v's fixture rows.
func createAt(t *testing.T, path string, v int) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	db := &DB{sql: raw, path: path, loc: time.UTC, clock: clock.NewFake(t0), log: slog.New(slog.DiscardHandler)}
	if v == 0 {
		return // an empty file: what a first run finds
	}
	if err := db.migrateTo(ctx, v); err != nil {
		t.Fatalf("migrateTo(%d): %v", v, err)
	}
	if _, err := raw.Exec(fixtures[v]); err != nil {
		t.Fatalf("fixture v%d: %v", v, err)
	}
}

func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	ctx := context.Background()
	for v := 0; v < SchemaVersion(); v++ {
		t.Run("v"+string(rune('0'+v)), func(t *testing.T) {
			if v > 0 && fixtures[v] == "" {
				t.Fatalf("no fixture for schema version %d: add one", v)
			}
			path := filepath.Join(t.TempDir(), "worktime.db")
			createAt(t, path, v)
			db, err := Open(ctx, path, Options{Location: time.UTC, Clock: clock.NewFake(t0)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			var version, applied int
			db.sql.QueryRow(`SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&version, &applied)
			if version != SchemaVersion() || applied != SchemaVersion() {
				t.Fatalf("after Open: version %d with %d migrations recorded, want %d", version, applied, SchemaVersion())
			}
			if v == 0 {
				return
			}
			s, err := db.Session(ctx, "0190a000-0000-7000-8000-000000000001")
			if err != nil {
				t.Fatalf("fixture row lost: %v", err)
			}
			if s.DurationSeconds != 3600 || s.RepoName != "web" || s.PRNumber != 7 || s.Source != "manual" {
				t.Fatalf("fixture row changed: %+v", s)
			}
			got, _ := db.DailyStats(ctx, "", "", "", "")
			want, _ := db.RecomputedDailyStats(ctx)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("daily_stats %+v, recomputed %+v", got, want)
			}
			dev, _ := db.DeviceID(ctx)
			if dev != "dev-1" {
				t.Fatalf("device id %q, want dev-1 kept", dev)
			}
			pending, err := db.PendingSessions(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if v < 2 {
				// Rows from before change bookkeeping were never pushed: the
				// ended ones are pending, in the order they were last
				// updated; the active one waits until it ends.
				if len(pending) != 2 || pending[0].ID[35] != '1' || pending[1].ID[35] != '2' {
					t.Fatalf("pending after upgrade from v%d: %+v", v, pending)
				}
				if n, err := db.PendingCount(ctx); err != nil || n != 2 {
					t.Fatalf("PendingCount after upgrade from v%d = %d, %v; want 2", v, n, err)
				}
				// A new change must sort after every migrated row.
				n := put(t, db, ended("0190a000-0000-7000-8000-000000000009", t0, t0.Add(time.Minute)))
				active, err := db.Session(ctx, "0190a000-0000-7000-8000-000000000003")
				if err != nil {
					t.Fatal(err)
				}
				if n.ChangeSeq <= active.ChangeSeq || n.ChangeSeq <= pending[1].ChangeSeq {
					t.Fatalf("new change_seq %d not after migrated %d", n.ChangeSeq, active.ChangeSeq)
				}
			} else if len(pending) != 0 {
				t.Fatalf("pushed row pending after reopen: %+v", pending)
			}
		})
	}
}

func TestLoadMigrationsRejectsGaps(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		ok    bool
	}{
		{"in order", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0002_b.sql": {}}, true},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}, false},
		{"no prefix", fstest.MapFS{"migrations/init.sql": {}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMigrations(tc.files)
			if (err == nil) != tc.ok {
				t.Fatalf("loadMigrations err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
