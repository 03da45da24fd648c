package httpremote_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/httpremote"
	"github.com/worktime/worktime/internal/syncer/synctest"
)

// TestSuite runs the shared contract suite against the real worker in
// local workerd.
func TestSuite(t *testing.T) {
	w := synctest.StartWorker(t, "", 0, "DEV_LOGIN=1")
	var n atomic.Int64
	synctest.Run(t, synctest.Harness{
		NewUser: func(t *testing.T) syncer.Remote {
			login := fmt.Sprintf("suite-%d-%d", time.Now().UnixNano()%100000, n.Add(1))
			c, err := auth.ServerClient{}.DevLogin(context.Background(), w.URL, login)
			if err != nil {
				t.Fatalf("dev login: %v\n%s", err, w.Log())
			}
			return httpremote.New(httpremote.Options{ServerURL: w.URL, Token: c.Token})
		},
		Unauthorized: func(t *testing.T) syncer.Remote {
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
			if syncer.IsRetryable(err) != tt.retry || syncer.IsUnauthorized(err) != tt.unauthorized || syncer.IsTooLarge(err) != tt.tooLarge {
				t.Errorf("err %v: retry=%v unauthorized=%v tooLarge=%v", err, syncer.IsRetryable(err), syncer.IsUnauthorized(err), syncer.IsTooLarge(err))
			}
			if ra, _ := syncer.RetryAfter(err); ra != tt.retryAfter {
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
	_, err := r.Push(context.Background(), syncer.PushRequest{DeviceID: "d"})
	if !syncer.IsRetryable(err) {
		t.Fatalf("a timed-out push: err = %v, want retryable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.Pull(ctx, "", 1)
	if !errors.Is(err, context.Canceled) || syncer.IsRetryable(err) {
		t.Errorf("a cancelled pull: err = %v, want context.Canceled and not retryable", err)
	}
}

func TestMalformedReplies(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"bad start_time", `{"sessions":[{"id":"x","repo_owner":"a","repo_name":"b","pr_number":1,"start_time":"yesterday","end_time":null,"duration_seconds":0,"status":"active","updated_at":"2026-11-25T10:00:00.000Z","device_id":"d"}],"cursor":"c1.1","more":false}`},
		{"bad updated_at", `{"sessions":[{"id":"x","repo_owner":"a","repo_name":"b","pr_number":1,"start_time":"2026-11-25T10:00:00Z","end_time":null,"duration_seconds":0,"status":"active","updated_at":"","device_id":"d"}],"cursor":"c1.1","more":false}`},
		{"bad end_time", `{"sessions":[{"id":"x","repo_owner":"a","repo_name":"b","pr_number":1,"start_time":"2026-11-25T10:00:00Z","end_time":"later","duration_seconds":0,"status":"completed","updated_at":"2026-11-25T10:00:00.000Z","device_id":"d"}],"cursor":"c1.1","more":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := httpremote.New(httpremote.Options{ServerURL: srv.URL, Token: "t"}).Pull(context.Background(), "", 10)
			if err == nil || syncer.IsRetryable(err) || syncer.IsUnauthorized(err) {
				t.Errorf("Pull of a malformed reply: err = %v, want a permanent error", err)
			}
		})
	}
}

func TestCursorsAndChanged(t *testing.T) {
	// The server answers with the reply of the test case under way; old
	// servers leave changed out.
	reply := make(chan string, 1)
	sinces := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/sync/pull" {
			if r.URL.Query().Get("since") != "" {
				t.Errorf("pull from the beginning sent since=%q", r.URL.Query().Get("since"))
			}
			w.Write([]byte(`{"sessions":[],"cursor":"c1.0","more":false}`))
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("push body: %v", err)
		}
		since, ok := body["since"].(string)
		if !ok {
			t.Errorf("push body %v has no since", body)
		}
		sinces <- since
		w.Write([]byte(<-reply))
	}))
	defer srv.Close()
	r := httpremote.New(httpremote.Options{ServerURL: srv.URL, Token: "t"})
	res, err := r.Pull(context.Background(), "", 10)
	if err != nil || res.Cursor != "" {
		t.Errorf("Pull from the beginning: cursor %q, err %v; want the beginning spelled \"\"", res.Cursor, err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, since, reply string
		wantChanged        bool
	}{
		{"unchanged", "c1.x", `{"accepted":["a"],"rejected":[],"cursor":"c1.z","changed":false}`, false},
		{"changed", "c1.x", `{"accepted":["a"],"rejected":[],"cursor":"c1.z","changed":true}`, true},
		{"old server", "", `{"accepted":["a"],"rejected":[],"cursor":"c1.z"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply <- tt.reply
			pr, err := r.Push(context.Background(), syncer.PushRequest{DeviceID: "d", Since: tt.since,
				Sessions: []syncer.Session{synctest.Completed(base, 1, base.Add(time.Hour))}})
			if err != nil {
				t.Fatal(err)
			}
			if got := <-sinces; got != tt.since {
				t.Errorf("push sent since %q, want %q", got, tt.since)
			}
			if pr.Accepted != 1 || pr.Cursor != "c1.z" || pr.Changed != tt.wantChanged {
				t.Errorf("Push = %+v, want 1 accepted, cursor c1.z, changed %v", pr, tt.wantChanged)
			}
		})
	}
}
