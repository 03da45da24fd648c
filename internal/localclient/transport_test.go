package localclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/worktime/worktime/internal/localclient"
)

// rawDaemon serves handler on a Unix socket with a plain http.Server, so a
// test can stop it and start another on the same socket.
type rawDaemon struct {
	socket string
	srv    *http.Server
	done   chan struct{}
}

func serveRaw(t *testing.T, socket string, handler http.HandlerFunc) *rawDaemon {
	t.Helper()
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	d := &rawDaemon{socket: socket, srv: &http.Server{Handler: handler}, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.srv.Serve(ln)
	}()
	t.Cleanup(d.stop)
	return d
}

// stop closes the listener and every connection, as a daemon that exits.
func (d *rawDaemon) stop() {
	d.srv.Close()
	<-d.done
}

// countingClient returns a client of socket that counts its dials.
func countingClient(socket string) (*localclient.Client, *atomic.Int64) {
	c := localclient.New(socket)
	var dials atomic.Int64
	dial := c.Dial
	c.Dial = func(ctx context.Context) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx)
	}
	return c, &dials
}

func okHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, `{"session":{"id":"s1","status":"active"}}`)
}

func TestKeepAlive(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "d.sock")
	serveRaw(t, socket, okHandler)
	c, dials := countingClient(socket)
	ctx := context.Background()
	for i := range 20 {
		if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d dials for 20 requests, want 1", n)
	}
}

// A daemon that restarted closed the kept-alive connection: the request
// never reached it and is sent again on a new connection.
func TestDaemonRestarted(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "d.sock")
	var served atomic.Int64
	count := func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		okHandler(w, r)
	}
	d := serveRaw(t, socket, count)
	c, dials := countingClient(socket)
	ctx := context.Background()
	if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
		t.Fatal(err)
	}
	d.stop()
	serveRaw(t, socket, count)
	if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
		t.Fatalf("heartbeat after the restart: %v", err)
	}
	if n, s := dials.Load(), served.Load(); n != 2 || s != 2 {
		t.Fatalf("%d dials, %d requests served; want 2 and 2", n, s)
	}
}

// A daemon that stopped for good: the request is unavailable, so the relay
// may record it directly.
func TestDaemonStopped(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "d.sock")
	d := serveRaw(t, socket, okHandler)
	c := localclient.New(socket)
	ctx := context.Background()
	if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
		t.Fatal(err)
	}
	d.stop()
	if _, err := c.Heartbeat(ctx, "s1", nil); !localclient.IsUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

// A daemon that read the request and closed the connection without a reply
// may have processed it: the client reports an error and does not resend it.
func TestClosedAfterRequest(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "d.sock")
	var served atomic.Int64
	serveRaw(t, socket, func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == 2 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		okHandler(w, r)
	})
	c := localclient.New(socket)
	ctx := context.Background()
	if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
		t.Fatal(err)
	}
	_, err := c.Heartbeat(ctx, "s1", nil)
	if err == nil || localclient.IsUnavailable(err) {
		t.Fatalf("err = %v, want a failed request that is not unavailable", err)
	}
	if n := served.Load(); n != 2 {
		t.Fatalf("%d requests served, want 2 (no resend)", n)
	}
	if _, err := c.Heartbeat(ctx, "s1", nil); err != nil {
		t.Fatalf("next heartbeat: %v", err)
	}
}

func TestCancelled(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "d.sock")
	release := make(chan struct{})
	serveRaw(t, socket, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			<-release
		}
		okHandler(w, r)
	})
	t.Cleanup(func() { close(release) })
	c := localclient.New(socket)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Do(ctx, "GET", "sessions/active?slow=1", nil, nil) }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := c.Heartbeat(context.Background(), "s1", nil); err != nil {
		t.Fatalf("heartbeat after a cancelled request: %v", err)
	}
}
