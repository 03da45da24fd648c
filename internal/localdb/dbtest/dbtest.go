// Package dbtest holds what the tests of several packages need from a
// store: a history of ended sessions, random bytes written over one page of
// a table (as a failing disk or a bad copy leaves it), and the check that
// no two sessions of a device cover the same second.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// History writes n ended sessions of 30 minutes, one an hour back from
// end, over 9 repositories and 17 pull requests, and folds the WAL into the
// file so that the file alone holds the store.
func History(t testing.TB, path string, n int, end time.Time) {
	t.Helper()
	ctx := context.Background()
	db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *localdb.Tx) error {
		for i := 0; i < n; i++ {
			st := end.Add(-time.Duration(i+1) * time.Hour)
			e := st.Add(30 * time.Minute)
			_, err := tx.Put(localdb.Session{Session: api.Session{ID: fmt.Sprintf("0190a000-0000-7000-8000-%012d", i),
				RepoOwner: "acme", RepoName: fmt.Sprintf("repo-%d", i%9), PRNumber: 1 + i%17, StartTime: st, EndTime: &e,
				Status: api.StatusCompleted, DeviceID: "dev"}, Source: api.SourceManual})
			if err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

// Damage writes 1 KiB of random bytes at the end of the middle leaf page of
// table (where SQLite keeps a page's rows) and returns the file's new
// content.
func Damage(t testing.TB, path, table string, seed int64) []byte {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	rows, err := raw.Query(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`, table)
	if err == nil {
		for rows.Next() {
			var p int
			rows.Scan(&p)
			pages = append(pages, p)
		}
		err = rows.Close()
	}
	var pageSize int
	if err == nil {
		err = raw.QueryRow(`PRAGMA page_size`).Scan(&pageSize)
	}
	raw.Close()
	if err != nil || len(pages) == 0 {
		t.Fatalf("leaf pages of %s: %v, %v", table, pages, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := pages[len(pages)/2] * pageSize
	rand.New(rand.NewSource(seed)).Read(b[end-1024 : end])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// Overlap returns the first two sessions of one device that cover the same
// second (an active session covers everything from its start on); ok is
// false when there are none. A zero-length session covers no second.
func Overlap(sessions []localdb.Session) (prev, cur localdb.Session, ok bool) {
	byDevice := map[string][]localdb.Session{}
	for _, s := range sessions {
		if s.EndTime == nil || s.EndTime.After(s.StartTime) {
			byDevice[s.DeviceID] = append(byDevice[s.DeviceID], s)
		}
	}
	for _, ss := range byDevice {
		sort.Slice(ss, func(i, j int) bool { return ss[i].StartTime.Before(ss[j].StartTime) })
		for i := 1; i < len(ss); i++ {
			if ss[i-1].EndTime == nil || ss[i-1].EndTime.After(ss[i].StartTime) {
				return ss[i-1], ss[i], true
			}
		}
	}
	return localdb.Session{}, localdb.Session{}, false
}
