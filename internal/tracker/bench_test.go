package tracker

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/localdb/benchdata"
)

// benchDir holds the generated history for this run (WORKTIME_BENCH_DIR to
// share it between runs); it is set once by TestMain.
var benchDir string

func TestMain(m *testing.M) {
	dir := os.Getenv("WORKTIME_BENCH_DIR")
	cleanup := false
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "worktime-bench-"); err != nil {
			panic(err)
		}
		cleanup = true
	}
	benchDir = dir
	code := m.Run()
	if cleanup {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// openHistory opens the 500,000-session history (generating it on first
// use) with the clock at its last day.
func openHistory(b *testing.B) (*Tracker, *localdb.DB) {
	b.Helper()
	ctx := context.Background()
	path, err := benchdata.Cached(ctx, benchDir, benchdata.Default())
	if err != nil {
		b.Fatal(err)
	}
	clk := clock.NewFake(benchdata.End)
	db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC, Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return New(db, Options{Location: time.UTC, Clock: clk}), db
}

// BenchmarkDurableEvents is benchmark (a): single events (start, heartbeat,
// end in turn), each its own durable transaction (WAL, synchronous=FULL) on
// the real disk.
func BenchmarkDurableEvents(b *testing.B) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	dir, err := os.MkdirTemp(".", ".bench-db-") // the package directory: a real disk, never tmpfs
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	db, err := localdb.Open(ctx, filepath.Join(dir, "worktime.db"), localdb.Options{Location: time.UTC, Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tr := New(db, Options{Location: time.UTC, Clock: clk})
	var id string
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		clk.Advance(time.Second)
		switch i % 3 {
		case 0:
			s, err := tr.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1 + i%7, Source: api.SourceBrowser})
			if err != nil {
				b.Fatal(err)
			}
			id = s.ID
		case 1:
			if _, err := tr.Heartbeat(ctx, id, nil); err != nil {
				b.Fatal(err)
			}
		case 2:
			if _, err := tr.End(ctx, id, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
}

// BenchmarkStats30Days is benchmark (b): `stats` for 30 days with repositories
// and top pull requests over the 500,000-session history.
func BenchmarkStats30Days(b *testing.B) {
	tr, _ := openHistory(b)
	ctx := context.Background()
	if st, err := tr.Stats(ctx, StatsQuery{Days: 30}); err != nil || st.Days[29].Seconds == 0 || len(st.PRs) == 0 {
		b.Fatalf("stats over the history look empty: %+v, %v", st, err)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if _, err := tr.Stats(ctx, StatsQuery{Days: 30}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t))
	}
	b.StopTimer()
	reportPercentiles(b, durs)
}

// BenchmarkExport is benchmark (c): exporting the 500,000 sessions (peak
// RSS is measured on the worktimed process by bench/export-rss.sh).
func BenchmarkExport(b *testing.B) {
	for _, format := range []string{FormatCSV, FormatJSON} {
		b.Run(format, func(b *testing.B) {
			tr, _ := openHistory(b)
			ctx := context.Background()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				var n int64
				cw := &countWriter{}
				if err := tr.WriteExport(ctx, cw, format, ExportQuery{}, func(d int64) { n = d }); err != nil {
					b.Fatal(err)
				}
				if n != int64(benchdata.Default().Sessions) {
					b.Fatalf("exported %d sessions", n)
				}
				b.SetBytes(cw.n)
			}
			// Wall time suffers when other work shares the machine; CPU
			// time per export does not.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

func reportPercentiles(b *testing.B, durs []time.Duration) {
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	pct := func(p float64) float64 {
		return float64(durs[int(p*float64(len(durs)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkStartEndOverHistory: a start (with its overlap checks) and an
// end over the 500,000-session history, each its own durable transaction.
func BenchmarkStartEndOverHistory(b *testing.B) {
	_, db := openHistory(b)
	ctx := context.Background()
	// After the history and after the sessions of an earlier round (the
	// benchmark runs more than once over the same store).
	from := benchdata.End.Add(24 * time.Hour)
	if last, err := db.ListSessions(ctx, localdb.SessionFilter{Limit: 1}); err != nil {
		b.Fatal(err)
	} else if len(last) == 1 && last[0].EndTime != nil && last[0].EndTime.After(from) {
		from = *last[0].EndTime
	}
	clk := clock.NewFake(from)
	tr := New(db, Options{Location: time.UTC, Clock: clk})
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(time.Minute)
		t := time.Now()
		s, err := tr.Start(ctx, api.StartRequest{RepoOwner: "acme", RepoName: "web", PRNumber: 1 + i%7, Source: api.SourceManual})
		if err != nil {
			b.Fatal(err)
		}
		clk.Advance(time.Minute)
		if _, err := tr.End(ctx, s.ID, nil); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t))
	}
	b.StopTimer()
	reportPercentiles(b, durs)
}

// BenchmarkSessionsLimit3 is `sessions --limit 3` over the 500,000-session
// history, unfiltered and with each filter: the list must read only its
// first rows of an index, not sort the history.
func BenchmarkSessionsLimit3(b *testing.B) {
	tr, _ := openHistory(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    SessionQuery
	}{
		{"all", SessionQuery{Limit: 3}},
		{"repo", SessionQuery{Repo: "org1/repo-01", Limit: 3}},
		{"status", SessionQuery{Status: api.StatusAbandoned, Limit: 3}},
		{"since", SessionQuery{Since: benchdata.End.AddDate(0, -1, 0), Limit: 3}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if got, err := tr.Sessions(ctx, c.q); err != nil || len(got) != 3 {
				b.Fatalf("Sessions(%+v) = %d sessions, %v; want 3", c.q, len(got), err)
			}
			durs := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t := time.Now()
				if _, err := tr.Sessions(ctx, c.q); err != nil {
					b.Fatal(err)
				}
				durs = append(durs, time.Since(t))
			}
			b.StopTimer()
			reportPercentiles(b, durs)
		})
	}
}
