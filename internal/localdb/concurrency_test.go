package localdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Two handles on one file stand for the daemon and a CLI process (or the
// native messaging host): their writes queue on busy_timeout instead of
// failing with SQLITE_BUSY.
func TestTwoHandlesWriteConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worktime.db")
	a := openTest(t, path, nil, nil)
	b := openTest(t, path, nil, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for hi, db := range []*DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				id := fmt.Sprintf("h%d-%d", hi, i)
				err := db.Update(context.Background(), func(tx *Tx) error {
					_, err := tx.Put(ended(id, t0, t0.Add(time.Duration(i)*time.Second)))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write failed: %v", err)
	}
	n, err := a.CountSessions(context.Background(), ExportFilter{})
	if err != nil || n != 80 {
		t.Fatalf("%d sessions, %v; want 80", n, err)
	}
	p, _ := b.PendingSessions(context.Background(), 100)
	seen := map[int64]bool{}
	for _, s := range p {
		if seen[s.ChangeSeq] {
			t.Fatalf("change_seq %d given twice", s.ChangeSeq)
		}
		seen[s.ChangeSeq] = true
	}
}

// Damage in data pages of an up-to-date file is reported as ErrCorrupt
// when it is read.
func TestDamageFoundOnRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worktime.db")
	db := openTest(t, path, nil, nil)
	for i := 0; i < 2000; i++ {
		put(t, db, ended(fmt.Sprintf("session-%05d-with-a-long-id-to-fill-pages", i), t0, t0.Add(time.Minute)))
	}
	db.Close()
	// Fold the WAL into the file, then damage the second half of it.
	raw := openTest(t, path, nil, nil)
	if _, err := raw.sql.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) / 2; i < len(b); i++ {
		b[i] = 0x5A
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(ctx, path, Options{})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open = %v, want ErrCorrupt or success", err)
		}
		return
	}
	defer db2.Close()
	err = db2.Export(ctx, ExportFilter{}, func(Session) error { return nil })
	if err == nil {
		_, err = db2.RecomputedDailyStats(ctx)
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reading a damaged file = %v, want ErrCorrupt", err)
	}
}
