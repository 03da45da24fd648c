package localdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func openTest(t *testing.T, path string, loc *time.Location, clk clock.Clock) *DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "worktime.db")
	}
	if clk == nil {
		clk = clock.NewFake(t0)
	}
	db, err := Open(context.Background(), path, Options{Location: loc, Clock: clk})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ended(id string, start, end time.Time) Session {
	e := end
	return Session{
		Session: api.Session{ID: id, RepoOwner: "acme", RepoName: "web", PRNumber: 1, StartTime: start,
			EndTime: &e, Status: api.StatusCompleted, DeviceID: "dev"},
		Source: api.SourceManual,
	}
}

func put(t *testing.T, db *DB, s Session) Session {
	t.Helper()
	var out Session
	err := db.Update(context.Background(), func(tx *Tx) error {
		var err error
		out, err = tx.Put(s)
		return err
	})
	if err != nil {
		t.Fatalf("Put %s: %v", s.ID, err)
	}
	return out
}

func TestPragmas(t *testing.T) {
	db := openTest(t, "", nil, nil)
	ctx := context.Background()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"user_version", "7"},
	}
	for _, tc := range tests {
		t.Run(tc.pragma, func(t *testing.T) {
			// Every pooled connection must carry the settings; hold several at once.
			var conns []*sql.Conn
			for i := 0; i < 3; i++ {
				c, err := db.sql.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, tc.pragma, got, tc.want)
				}
			}
			for _, c := range conns {
				c.Close()
			}
		})
	}
	if SchemaVersion() != 7 {
		t.Fatalf("SchemaVersion = %d; update this test's user_version", SchemaVersion())
	}
}

func hashFile(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestOpenRefusesWithoutModifying(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		want    error
	}{
		{"not sqlite", func(t *testing.T, path string) {
			os.WriteFile(path, bytes.Repeat([]byte("this is not a database\n"), 200), 0o600)
		}, ErrCorrupt},
		{"short file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("SQLite"), 0o600)
		}, ErrCorrupt},
		{"damaged pages", func(t *testing.T, path string) {
			db := openTest(t, path, nil, nil)
			for i := 0; i < 300; i++ {
				put(t, db, ended(string(rune('a'+i%26))+time.Duration(i).String(), t0, t0.Add(time.Minute)))
			}
			db.Close()
			b, _ := os.ReadFile(path)
			// Keep the header, overwrite the schema page and beyond.
			for i := 100; i < len(b); i++ {
				b[i] = 0xA5
			}
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			os.WriteFile(path, b, 0o600)
		}, ErrCorrupt},
		{"too new", func(t *testing.T, path string) {
			db := openTest(t, path, nil, nil)
			if _, err := db.sql.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'future', 0)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, ErrTooNew},
		{"newer user_version", func(t *testing.T, path string) {
			db := openTest(t, path, nil, nil)
			if _, err := db.sql.Exec(`PRAGMA user_version = 99`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, ErrTooNew},
		{"foreign sqlite", func(t *testing.T, path string) {
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(`CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('hello')`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, ErrForeign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "worktime.db")
			tc.prepare(t, path)
			before := hashFile(t, path)
			_, err := Open(ctx, path, Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if after := hashFile(t, path); after != before {
				t.Fatal("Open modified a refused file")
			}
		})
	}
}

func TestDurableAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worktime.db")
	db := openTest(t, path, nil, nil)
	want := put(t, db, ended("s1", t0, t0.Add(90*time.Second)))
	db.Close()
	db2 := openTest(t, path, nil, nil)
	got, err := db2.Session(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got.DurationSeconds != 90 || !got.UpdatedAt.Equal(want.UpdatedAt) || got.ChangeSeq != want.ChangeSeq {
		t.Fatalf("reopened row %+v, want %+v", got, want)
	}
	if _, err := db2.Session(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Session(nope) = %v, want ErrNotFound", err)
	}
}

func TestPutNormalizesAndValidates(t *testing.T) {
	db := openTest(t, "", nil, nil)
	s := ended("s1", t0.Add(500*time.Millisecond), t0.Add(61*time.Second+900*time.Millisecond))
	got := put(t, db, s)
	if !got.StartTime.Equal(t0) || got.DurationSeconds != 61 {
		t.Fatalf("times not truncated: %+v", got)
	}
	bad := []struct {
		name string
		mod  func(*Session)
	}{
		{"empty id", func(s *Session) { s.ID = "" }},
		{"no repo", func(s *Session) { s.RepoName = "" }},
		{"pr zero", func(s *Session) { s.PRNumber = 0 }},
		{"bad source", func(s *Session) { s.Source = "robot" }},
		{"bad status", func(s *Session) { s.Status = "paused" }},
		{"active with end", func(s *Session) { s.Status = api.StatusActive }},
		{"completed without end", func(s *Session) { s.EndTime = nil }},
		{"end before start", func(s *Session) { e := s.StartTime.Add(-time.Second); s.EndTime = &e }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			s := ended("s2", t0, t0.Add(time.Minute))
			tc.mod(&s)
			err := db.Update(context.Background(), func(tx *Tx) error { _, err := tx.Put(s); return err })
			if !errors.Is(err, ErrInvalidSession) {
				t.Fatalf("Put = %v, want ErrInvalidSession", err)
			}
		})
	}
}

func TestUpdatedAtNeverGoesBackwards(t *testing.T) {
	clk := clock.NewFake(t0)
	db := openTest(t, "", nil, clk)
	a := put(t, db, ended("s1", t0, t0.Add(time.Minute)))
	clk.Set(t0.Add(-time.Hour)) // the wall clock jumps back
	b := put(t, db, ended("s1", t0, t0.Add(2*time.Minute)))
	if !b.UpdatedAt.After(a.UpdatedAt) {
		t.Fatalf("updated_at %v not after %v", b.UpdatedAt, a.UpdatedAt)
	}
	if b.ChangeSeq <= a.ChangeSeq {
		t.Fatalf("change_seq %d not after %d", b.ChangeSeq, a.ChangeSeq)
	}
}

func TestStateAndDeviceID(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	db := openTest(t, path, nil, nil)
	if _, ok, err := db.State(ctx, "cursor"); err != nil || ok {
		t.Fatalf("State(unset) = %v, %v", ok, err)
	}
	if err := db.SetState(ctx, "cursor", "42"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetState(ctx, "cursor", "43"); err != nil {
		t.Fatal(err)
	}
	id1, err := db.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(id1) != 36 || id1[14] != '7' {
		t.Fatalf("device id %q is not a UUIDv7", id1)
	}
	db.Close()
	db = openTest(t, path, nil, nil)
	if v, ok, err := db.State(ctx, "cursor"); err != nil || !ok || v != "43" {
		t.Fatalf("State after reopen = %q %v %v", v, ok, err)
	}
	id2, _ := db.DeviceID(ctx)
	if id2 != id1 {
		t.Fatalf("device id changed across reopen: %s → %s", id1, id2)
	}
	if err := db.DeleteState(ctx, "cursor"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.State(ctx, "cursor"); ok {
		t.Fatal("DeleteState left the key")
	}
}
