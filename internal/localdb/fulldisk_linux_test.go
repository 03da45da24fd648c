//go:build linux

package localdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
)

// On a real file system that fills up (a 2 MiB tmpfs; mounting needs root,
// which CI has), the heartbeat that finds no space fails with ErrDiskFull
// and gives the WAL's space back, so the next heartbeat is written without
// anything else being freed; every acknowledged heartbeat is kept, and the
// daemon's next start finds no WAL.
func TestFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a size-limited tmpfs needs root; TestWriteFailingForSpaceTruncatesWAL covers the same path without it")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Fatalf("mount a tmpfs as root: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	path := filepath.Join(dir, "worktime.db")
	historyStore(t, path, 200)
	clk := clock.NewFake(t0)
	db, err := Open(ctx, path, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const id = "0190a000-0000-7000-8000-00000000aaaa"
	err = db.Update(ctx, func(tx *Tx) error {
		_, err := tx.Put(Session{Session: api.Session{ID: id, RepoOwner: "acme", RepoName: "web", PRNumber: 1,
			StartTime: t0, Status: api.StatusActive, DeviceID: "dev"}, Source: api.SourceBrowser})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	// Leave 64 KiB free: room for a few heartbeats in the WAL.
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, free-64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	heartbeat := func(i int) error {
		return db.Update(ctx, func(tx *Tx) error {
			cur, _, err := tx.Session(id)
			if err != nil {
				return err
			}
			_, err = tx.Heartbeat(cur, t0.Add(time.Duration(i)*time.Second))
			return err
		})
	}
	acked := 0
	for ; acked < 1000; acked++ {
		if err = heartbeat(acked + 1); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("after %d heartbeats: %v, want ErrDiskFull", acked, err)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("WAL is %d bytes after the write that found the disk full, want it truncated", n)
	}
	if err := heartbeat(acked + 1); err != nil {
		t.Fatalf("heartbeat after the WAL was truncated: %v", err)
	}
	acked++
	db.Close()
	db, err = Open(ctx, path, Options{DaemonStart: true, Clock: clk})
	if err != nil {
		t.Fatalf("reopen on the full disk: %v", err)
	}
	defer db.Close()
	s, err := db.Session(ctx, id)
	if err != nil || s.LastHeartbeatAt == nil || !s.LastHeartbeatAt.Equal(t0.Add(time.Duration(acked)*time.Second)) {
		t.Fatalf("after reopen: %+v, %v; want the last of %d acknowledged heartbeats", s, err, acked)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("WAL is %d bytes after the daemon's start, want 0", n)
	}
}
