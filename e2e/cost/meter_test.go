// Package coste2e measures what one user-day costs in the cloud: real
// worktimed daemons (their local API, tracker and sync engine, run
// in-process) against the real worker in local workerd, with a metering
// proxy in between that counts requests and sums the cost the worker
// reports in its Worktime-Cost header (D1 rows read and written, D1 time,
// KV reads and writes, from D1's own result meta). The day runs on a fake
// clock that drives every timer of both daemons, so 24 hours take seconds.
package coste2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// cost is what requests cost, summed.
type cost struct {
	Requests    int64
	D1Queries   int64
	RowsRead    int64
	RowsWritten int64
	D1Millis    float64
	KVReads     int64
	KVWrites    int64
}

func (c *cost) add(o cost) {
	c.Requests += o.Requests
	c.D1Queries += o.D1Queries
	c.RowsRead += o.RowsRead
	c.RowsWritten += o.RowsWritten
	c.D1Millis += o.D1Millis
	c.KVReads += o.KVReads
	c.KVWrites += o.KVWrites
}

// parseCost reads a Worktime-Cost header:
// d1_queries=N;d1_rows_read=N;d1_rows_written=N;d1_ms=X;kv_reads=N;kv_writes=N.
func parseCost(h string) (cost, error) {
	c := cost{Requests: 1}
	if h == "" {
		return c, fmt.Errorf("no Worktime-Cost header (is COST_HEADER=1 set?)")
	}
	for _, kv := range strings.Split(h, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return c, fmt.Errorf("Worktime-Cost %q: %q is not k=v", h, kv)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return c, fmt.Errorf("Worktime-Cost %q: %s: %w", h, k, err)
		}
		switch k {
		case "d1_queries":
			c.D1Queries = int64(f)
		case "d1_rows_read":
			c.RowsRead = int64(f)
		case "d1_rows_written":
			c.RowsWritten = int64(f)
		case "d1_ms":
			c.D1Millis = f
		case "kv_reads":
			c.KVReads = int64(f)
		case "kv_writes":
			c.KVWrites = int64(f)
		}
	}
	return c, nil
}

// meter is a reverse proxy in front of the worker that counts what every
// request costs, per route.
type meter struct {
	URL      string
	inflight atomic.Int64

	mu     sync.Mutex
	routes map[string]*cost
	errs   []error
}

func newMeter(t testing.TB, workerURL string) *meter {
	t.Helper()
	target, err := url.Parse(workerURL)
	if err != nil {
		t.Fatal(err)
	}
	m := &meter{routes: map[string]*cost{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		c, err := parseCost(resp.Header.Get("Worktime-Cost"))
		route := resp.Request.Method + " " + resp.Request.URL.Path
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			m.errs = append(m.errs, fmt.Errorf("%s: %w", route, err))
		}
		if m.routes[route] == nil {
			m.routes[route] = &cost{}
		}
		m.routes[route].add(c)
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inflight.Add(1)
		defer m.inflight.Add(-1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// take returns the costs so far per route and starts over.
func (m *meter) take() (map[string]cost, []error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]cost, len(m.routes))
	for k, v := range m.routes {
		out[k] = *v
	}
	errs := m.errs
	m.routes, m.errs = map[string]*cost{}, nil
	return out, errs
}

func total(routes map[string]cost) cost {
	var t cost
	for _, c := range routes {
		t.add(c)
	}
	return t
}

func routeTable(routes map[string]cost) string {
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "| route | requests | D1 queries | D1 rows read | D1 rows written | D1 ms | KV reads | KV writes |\n|---|---|---|---|---|---|---|---|\n")
	for _, k := range keys {
		c := routes[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.1f | %d | %d |\n", k, c.Requests, c.D1Queries, c.RowsRead, c.RowsWritten, c.D1Millis, c.KVReads, c.KVWrites)
	}
	return b.String()
}
