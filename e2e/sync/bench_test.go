package synce2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// BenchmarkSync100k: 100,000 sessions tracked while offline, then a daemon
// signed in to the worker in local workerd syncs them. Reported: the time
// from the daemon's start until nothing is pending, the requests that
// reached the worker, sessions per request and the daemon's peak RSS.
//
//	go test -run '^$' -bench Sync100k -benchtime 1x ./e2e/sync
func BenchmarkSync100k(b *testing.B) {
	n := 100_000
	if v := os.Getenv("WORKTIME_BENCH_SESSIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("WORKTIME_BENCH_SESSIONS=%q is not a positive number", v)
		}
	}
	for i := 0; i < b.N; i++ {
		benchOnce(b, n)
	}
}

func benchOnce(b *testing.B, n int) {
	b.StopTimer()
	s := newStack(b, "")
	p := newProxy(b, s.url(), "/nothing-is-faulted/")
	d := newDevice(b, "bench", s, "WORKTIME_SYNC_BACKOFF_MAX=2s", "WORKTIME_SYNC_TIMEOUT=30s")
	trackOffline(b, d, n)
	d.mustRun("login", "--server", p.URL(), "--dev-user", "bench")

	start := time.Now()
	b.StartTimer()
	d.startDaemon()
	d.waitFor("all sessions to sync", 10*time.Minute, func() (bool, string) {
		st, err := d.client.Status(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return st.Sync.Pending == 0 && st.Sync.State == "idle" && st.Sync.LastSuccessAt != nil, fmt.Sprintf("%+v", st.Sync)
	})
	b.StopTimer()
	elapsed := time.Since(start)
	rss := peakRSS(b, d.cmd.Process.Pid)
	pushes, pulls := p.count("/api/sync/push"), p.count("/api/sync/pull")
	workerTime := p.workerTime()
	reqs := pushes + pulls
	b.ReportMetric(elapsed.Seconds(), "s_total")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "sessions/s")
	b.ReportMetric(float64(reqs), "requests")
	b.ReportMetric(float64(n)/float64(max(reqs, 1)), "sessions/request")
	b.ReportMetric(float64(rss)/(1<<20), "peak_rss_MB")
	b.ReportMetric(workerTime.Seconds(), "s_in_worker")
	// The rest is the daemon's own share: starting, reading and marking
	// the store, encoding, the local hop through the proxy.
	b.ReportMetric((elapsed - workerTime).Seconds(), "s_outside_worker")
	b.Logf("%d sessions in %v: %d pushes, %d pulls (%d answered 429), peak RSS %.1f MB, %v waiting for the worker, %v outside it",
		n, elapsed, pushes, pulls, p.count("HTTP 429"), float64(rss)/(1<<20), workerTime.Round(time.Millisecond),
		(elapsed - workerTime).Round(time.Millisecond))
	// One request checks every day (listing 100,000 sessions would run
	// into the worker's per-user rate limit).
	compareStats(b, d.localStats(62), serverDaily(b, s.url(), d.token(), 62))
	d.stopDaemon()
	s.stop()
}

// trackOffline writes n completed sessions over the last 60 days into the
// device's store, the way the tracker does while no server is reachable.
func trackOffline(tb testing.TB, d *device, n int) {
	tb.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation(timeZone)
	db, err := localdb.Open(ctx, filepath.Join(d.home, "worktime.db"), localdb.Options{Location: loc})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	dev, err := db.DeviceID(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	first := dayStart(61)
	for done := 0; done < n; {
		err := db.Update(ctx, func(tx *localdb.Tx) error {
			for k := 0; k < 5000 && done < n; k, done = k+1, done+1 {
				st := first.Add(time.Duration(done) * 50 * time.Second)
				end := st.Add(time.Duration(30+done%600) * time.Second)
				if _, err := tx.Put(localdb.Session{Session: api.Session{
					ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "bench", RepoName: fmt.Sprintf("repo%d", done%20),
					PRNumber: 1 + done%50, StartTime: st, EndTime: &end, Status: api.StatusCompleted, DeviceID: dev,
				}, Source: api.SourceManual}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// peakRSS reads VmHWM (peak resident set) of pid from /proc.
func peakRSS(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatalf("reading peak RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc status")
	return 0
}
