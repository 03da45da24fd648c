package localclient

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// maxIdleConns is how many kept-alive connections a Client holds; one is
// enough for the host relay and the CLI, a second for a dashboard that
// refreshes while an export streams.
const maxIdleConns = 2

// transport is the Client's http.RoundTripper: HTTP/1.1 over kept-alive
// connections to the daemon, each used by one request at a time and driven
// by the caller's goroutine. net/http's Transport gives every connection a
// reader and a writer goroutine and hands each request and reply between
// them and the caller; for a client that sends small requests one at a time
// over a Unix socket (the host relays every heartbeat of a browser port)
// those hand-offs cost more CPU than the request itself.
type transport struct {
	dial func(ctx context.Context) (net.Conn, error)

	mu   sync.Mutex
	idle []*persistConn // guarded by mu; at most maxIdleConns
}

// persistConn is one connection and its buffers.
type persistConn struct {
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

func (t *transport) get() *persistConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.idle); n > 0 {
		pc := t.idle[n-1]
		t.idle = t.idle[:n-1]
		return pc
	}
	return nil
}

func (t *transport) put(pc *persistConn) {
	t.mu.Lock()
	if len(t.idle) < maxIdleConns {
		t.idle = append(t.idle, pc)
		pc = nil
	}
	t.mu.Unlock()
	if pc != nil {
		pc.conn.Close()
	}
}

// CloseIdleConnections closes the kept-alive connections (http.Client's
// CloseIdleConnections calls it).
func (t *transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, pc := range idle {
		pc.conn.Close()
	}
}

func (t *transport) dialConn(ctx context.Context) (*persistConn, error) {
	conn, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	return &persistConn{conn: conn, br: bufio.NewReader(conn), bw: bufio.NewWriter(conn)}, nil
}

// RoundTrip sends req on a kept-alive connection (or a new one) and reads
// the reply's header; the body is read from the connection as the caller
// reads it, and the connection is kept once the body has been read to its
// end.
//
// A kept-alive connection may have been closed by a daemon that stopped or
// restarted since. On a Unix socket the write then fails: the request never
// reached a daemon, so it is sent again on a new connection (whose dial
// failing means the daemon is not running). A connection that closes after
// the request was written is an error: the daemon may have processed it.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	pc := t.get()
	reused := pc != nil
	if !reused {
		var err error
		if pc, err = t.dialConn(ctx); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, written, err := t.roundTrip(ctx, pc, req)
	if err == nil || !reused || written || ctx.Err() != nil {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, err
		}
		body, gerr := req.GetBody()
		if gerr != nil {
			return nil, err
		}
		req = req.Clone(ctx)
		req.Body = body
	}
	if pc, err = t.dialConn(ctx); err != nil {
		closeBody(req)
		return nil, err
	}
	resp, _, err = t.roundTrip(ctx, pc, req)
	return resp, err
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// roundTrip runs one exchange on pc; written reports whether the request
// was written in full (and so may have been processed). On error pc is
// closed.
func (t *transport) roundTrip(ctx context.Context, pc *persistConn, req *http.Request) (resp *http.Response, written bool, err error) {
	// Cancelling ctx unblocks the connection's reads and writes; a
	// connection whose exchange was cut short is never reused.
	stop := context.AfterFunc(ctx, func() { pc.conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		pc.conn.Close()
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return nil, written, err
	}
	werr := req.Write(pc.bw)
	if werr == nil {
		werr = pc.bw.Flush()
	}
	written = werr == nil
	resp, err = http.ReadResponse(pc.br, req)
	if err != nil {
		if werr != nil {
			return fail(werr)
		}
		return fail(fmt.Errorf("read reply: %w", err))
	}
	// The daemon may answer before reading all of the request (a body over
	// its limit) and close the connection: the reply stands.
	keep := werr == nil && !resp.Close && !req.Close
	resp.Body = &bodyReader{body: resp.Body, done: func(eof bool) {
		// stop is false when ctx fired: the deadline is set, drop pc.
		if stop() && eof && keep {
			t.put(pc)
			return
		}
		pc.conn.Close()
	}}
	return resp, true, nil
}

// bodyReader hands the connection back (done(true)) once the body has been
// read to its end, or closes it (done(false)) when the body is closed first.
type bodyReader struct {
	body io.ReadCloser
	done func(eof bool)
	once sync.Once
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if err != nil {
		b.once.Do(func() { b.done(errors.Is(err, io.EOF)) })
	}
	return n, err
}

func (b *bodyReader) Close() error {
	err := b.body.Close()
	b.once.Do(func() { b.done(false) })
	return err
}
