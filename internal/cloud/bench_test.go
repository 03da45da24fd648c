package cloud

import (
	"context"
	"testing"
)

// BenchmarkDeployRerun measures an idempotent re-run (every step reads and
// finds nothing to change) against the fake on 127.0.0.1: the cost of
// deploy's own work and of cloudflare-go per run, without network latency.
func BenchmarkDeployRerun(b *testing.B) {
	h := newHarness(b)
	d := h.deployer(testToken)
	if _, err := d.Deploy(context.Background(), h.opts()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.out.Reset()
		res, err := d.Deploy(context.Background(), h.opts())
		if err != nil || len(res.Changes) != 0 {
			b.Fatalf("re-run: %v %v", err, res.Changes)
		}
	}
	b.ReportMetric(float64(len(h.fake.Requests()))/float64(b.N+1), "requests/run")
}
