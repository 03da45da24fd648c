package benchdata

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/localdb"
)

// BenchmarkOpenCheck measures what each integrity check costs on the
// 500,000-session history: an open by the CLI or the native messaging host
// (localdb.CheckTables), the daemon's open at start (CheckFile), doctor's
// integrity_check, and PRAGMA quick_check of daily_stats alone for
// reference. WORKTIME_BENCH_DIR keeps the history between runs.
func BenchmarkOpenCheck(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("WORKTIME_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path, err := Cached(ctx, dir, Default())
	if err != nil {
		b.Fatal(err)
	}
	open := func(daemon bool) func(b *testing.B) {
		return func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC, DaemonStart: daemon})
				if err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
		}
	}
	b.Run("open", open(false))
	b.Run("daemon-start", open(true))
	b.Run("doctor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if rep, err := localdb.Inspect(ctx, path); err != nil || len(rep.Problems) > 0 {
				b.Fatalf("Inspect = %+v, %v", rep, err)
			}
		}
	})
	b.Run("quick_check-daily_stats", func(b *testing.B) {
		ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			b.Fatal(err)
		}
		defer ro.Close()
		for i := 0; i < b.N; i++ {
			var r string
			if err := ro.QueryRow(`PRAGMA quick_check(daily_stats)`).Scan(&r); err != nil || r != "ok" {
				b.Fatalf("quick_check = %q, %v", r, err)
			}
		}
	})
}
