package synce2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fault is what the proxy does to one matching request.
type fault int

const (
	faultReset           fault = iota // the connection is reset before the request reaches the worker
	fault500                          // the worker is not asked; 500
	fault429                          // the worker is not asked; 429 with Retry-After: 1
	faultLostAfterCommit              // the worker carries the request out; its reply is lost (reset)
	faultSlow                         // the worker carries it out; the reply comes after the client gave up
)

func (f fault) String() string {
	return [...]string{"connection reset", "HTTP 500", "HTTP 429 + Retry-After", "reply lost after commit", "reply slower than the client timeout"}[f]
}

// proxy forwards to the worker and injects queued faults into requests
// whose path starts with prefix.
type proxy struct {
	srv    *httptest.Server
	target string
	prefix string

	mu      sync.Mutex
	counts  map[string]int // requests per path
	upTime  time.Duration  // time spent waiting for the worker
	queue   []fault
	applied []fault
	done    chan fault // receives each fault once applied
}

func newProxy(t testing.TB, target, prefix string) *proxy {
	p := &proxy{target: target, prefix: prefix, done: make(chan fault, 16), counts: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *proxy) URL() string { return p.srv.URL }

func (p *proxy) inject(f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, f)
}

// count returns how many requests reached the proxy for path.
func (p *proxy) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[path]
}

// workerTime is the total time requests spent in the worker.
func (p *proxy) workerTime() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.upTime
}

func (p *proxy) next(path string) (fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[path]++
	if !strings.HasPrefix(path, p.prefix) || len(p.queue) == 0 {
		return 0, false
	}
	f := p.queue[0]
	p.queue = p.queue[1:]
	p.applied = append(p.applied, f)
	return f, true
}

// forward sends r to the worker and returns its reply, fully read.
func (p *proxy) forward(r *http.Request) (*http.Response, []byte, error) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequest(r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	start := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	p.mu.Lock()
	p.upTime += time.Since(start)
	p.mu.Unlock()
	return resp, b, err
}

func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("proxy: no hijacker")
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST instead of FIN
	}
	c.Close()
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	f, faulty := p.next(r.URL.Path)
	if faulty {
		defer func() { p.done <- f }()
		switch f {
		case faultReset:
			reset(w)
			return
		case fault500:
			http.Error(w, `{"error":{"code":"internal","message":"injected"}}`, http.StatusInternalServerError)
			return
		case fault429:
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"rate_limited","message":"injected"}}`, http.StatusTooManyRequests)
			return
		case faultLostAfterCommit:
			if _, _, err := p.forward(r); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			reset(w)
			return
		case faultSlow:
			resp, b, err := p.forward(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			<-r.Context().Done() // the client timed out and went away
			w.WriteHeader(resp.StatusCode)
			_, _ = w.Write(b)
			return
		}
	}
	resp, b, err := p.forward(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		p.mu.Lock()
		p.counts[fmt.Sprintf("HTTP %d", resp.StatusCode)]++
		p.mu.Unlock()
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(b)
}
