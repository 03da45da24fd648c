package nativemsge2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// reportLatencies adds p50, p99 and throughput to a benchmark's result.
func reportLatencies(b *testing.B, lat []time.Duration, total time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/total.Seconds(), "events/s")
}

// benchHeartbeats sends b.N session.heartbeat messages on one port, each
// answered only after its durable commit.
func benchHeartbeats(b *testing.B, withDaemon bool) {
	w := newWorld(b)
	// Every heartbeat carries a time one second after the previous one, so
	// each is a real write (a repeated time changes nothing and is not
	// written). They start hours ago; the idle timeout is raised so that
	// the session is not abandoned meanwhile.
	if err := os.WriteFile(filepath.Join(w.home, "config.toml"), []byte("idle_timeout = \"24h\"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	if withDaemon {
		w.startDaemon(b)
	}
	h := w.startHost(b)
	start := time.Now().UTC().Truncate(time.Second).Add(-time.Duration(b.N+60) * time.Second)
	r := h.call(b, fmt.Sprintf(`{"id":0,"type":"session.start","repo_owner":"bench","repo_name":"mark","pr_number":1,"at":"%s"}`, rfc(start)))
	if !r.OK {
		b.Fatalf("start: %+v", r.Error)
	}
	id := r.Session.ID
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		msg := fmt.Sprintf(`{"id":%d,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, i+1, id, rfc(start.Add(time.Duration(i+1)*time.Second)))
		t := time.Now()
		if r := h.call(b, msg); !r.OK {
			b.Fatalf("heartbeat %d: %+v", i, r.Error)
		}
		lat = append(lat, time.Since(t))
	}
	total := time.Since(began)
	b.StopTimer()
	reportLatencies(b, lat, total)
	if code := h.close(b); code != 0 {
		b.Fatalf("host exit %d", code)
	}
	// Every heartbeat was committed: the last one is in the store.
	s, err := w.openStore(b).Session(context.Background(), id)
	if err != nil || s.LastHeartbeatAt == nil || !s.LastHeartbeatAt.Equal(start.Add(time.Duration(b.N)*time.Second)) {
		b.Fatalf("stored session: %+v, %v", s, err)
	}
}

// BenchmarkHostHeartbeat: browser → host → local API → daemon → durable
// commit → reply. Run with -benchtime 10000x for the documented figure.
func BenchmarkHostHeartbeat(b *testing.B) { benchHeartbeats(b, true) }

// BenchmarkHostHeartbeatNoDaemon: the same with the daemon down; the host
// commits to the store itself.
func BenchmarkHostHeartbeatNoDaemon(b *testing.B) { benchHeartbeats(b, false) }

// BenchmarkHostStart measures from starting the host process to reading
// its first reply (hello), as a browser's connectNative does.
func BenchmarkHostStart(b *testing.B) {
	for _, withDaemon := range []bool{true, false} {
		name := "daemon"
		if !withDaemon {
			name = "no-daemon"
		}
		b.Run(name, func(b *testing.B) {
			w := newWorld(b)
			if withDaemon {
				w.startDaemon(b)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			began := time.Now()
			for i := 0; i < b.N; i++ {
				t := time.Now()
				h := w.startHost(b)
				if r := h.call(b, `{"id":1,"type":"hello","protocol":1}`); !r.OK {
					b.Fatalf("hello: %+v", r.Error)
				}
				lat = append(lat, time.Since(t))
				b.StopTimer()
				if code := h.close(b); code != 0 {
					b.Fatalf("host exit %d", code)
				}
				b.StartTimer()
			}
			reportLatencies(b, lat, time.Since(began))
		})
	}
}
