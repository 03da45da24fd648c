//go:build unix

package localclient_test

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localapi"
)

// BenchmarkHeartbeat is the daemon's half of a native messaging heartbeat:
// client → local API over the Unix socket → tracker → durable commit →
// reply, in one process (profile it with -cpuprofile). It also checks that
// the client keeps one connection alive instead of dialling per request.
func BenchmarkHeartbeat(b *testing.B) {
	h := start(b, localapi.Options{DeviceID: "dev"})
	var dials atomic.Int64
	dial := h.client.Dial
	h.client.Dial = func(ctx context.Context) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx)
	}
	ctx := context.Background()
	begin := t0.Add(-time.Duration(b.N+60) * time.Second)
	s, err := h.client.Start(ctx, api.StartRequest{RepoOwner: "bench", RepoName: "mark", PRNumber: 1, Source: api.SourceBrowser, At: &begin})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	began, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		at := begin.Add(time.Duration(i+1) * time.Second)
		if _, err := h.client.Heartbeat(ctx, s.ID, &at); err != nil {
			b.Fatalf("heartbeat %d: %v", i, err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "events/s")
	// Wall time follows the disk's fsync and the machine's load; the CPU
	// the client, server and store spend per heartbeat does not.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	b.StopTimer()
	if n := dials.Load(); n != 1 {
		b.Errorf("%d dials for %d requests, want 1 (a kept-alive connection)", n, b.N+1)
	}
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
