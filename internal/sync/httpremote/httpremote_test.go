package httpremote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/sync"
	"github.com/worktime/worktime/internal/sync/httpremote"
	"github.com/worktime/worktime/internal/sync/synctest"
)

// TestSuite runs the shared contract suite against the real worker in
// local workerd.
func TestSuite(t *testing.T) {
	w := synctest.StartWorker(t, "", 0, "DEV_LOGIN=1")
	var n atomic.Int64
	synctest.Run(t, synctest.Harness{
		NewUser: func(t *testing.T) sync.Remote {
			login := fmt.Sprintf("suite-%d-%d", time.Now().UnixNano()%100000, n.Add(1))
			c, err := auth.ServerClient{}.DevLogin(context.Background(), w.URL, login)
			if err != nil {
				t.Fatalf("dev login: %v\n%s", err, w.Log())
			}
			return httpremote.New(httpremote.Options{ServerURL: w.URL, Token: c.Token})
		},
		Unauthorized: func(t *testing.T) sync.Remote {
			return httpremote.New(httpremote.Options{ServerURL: w.URL, Token: "not.a.jwt"})
		},
	})
}

// TestErrorMapping checks how replies without a usable body are classified,
// with a plain HTTP server standing in for a failing network path.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name                          string
		handler                       http.HandlerFunc
		retry, unauthorized, tooLarge bool
		retryAfter                    time.Duration
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, true, false, false, 0},
		{"502 html", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "<html>bad gateway</html>", 502) }, true, false, false, 0},
		{"429 retry-after", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "12")
			http.Error(w, `{"error":{"code":"rate_limited","message":"slow down"}}`, 429)
		}, true, false, false, 12 * time.Second},
		{"401", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{"code":"unauthorized","message":"token revoked"}}`, 401)
		}, false, true, false, 0},
		{"413", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "too large", 413) }, false, false, true, 0},
		{"400", func(w http.ResponseWriter, r *http.Request) { http.Error(w, `{"error":{"code":"bad_request"}}`, 400) }, false, false, false, 0},
		{"200 not json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, true, false, false, 0},
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
		}, true, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			r := httpremote.New(httpremote.Options{ServerURL: srv.URL, Token: "t"})
			_, err := r.Pull(context.Background(), "", 10)
			if err == nil {
				t.Fatal("Pull succeeded")
			}
			if sync.IsRetryable(err) != tt.retry || sync.IsUnauthorized(err) != tt.unauthorized || sync.IsTooLarge(err) != tt.tooLarge {
				t.Errorf("err %v: retry=%v unauthorized=%v tooLarge=%v", err, sync.IsRetryable(err), sync.IsUnauthorized(err), sync.IsTooLarge(err))
			}
			if ra, _ := sync.RetryAfter(err); ra != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", ra, tt.retryAfter)
			}
		})
	}
}

func TestTimeoutIsRetryable(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r := httpremote.New(httpremote.Options{ServerURL: srv.URL, Token: "t", Timeout: 200 * time.Millisecond})
	_, err := r.Push(context.Background(), sync.PushRequest{DeviceID: "d"})
	if !sync.IsRetryable(err) {
		t.Fatalf("a timed-out push: err = %v, want retryable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.Pull(ctx, "", 1)
	if !errors.Is(err, context.Canceled) || sync.IsRetryable(err) {
		t.Errorf("a cancelled pull: err = %v, want context.Canceled and not retryable", err)
	}
}
