package localapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

// serve runs the API over a real store and returns an HTTP client dialing
// its socket.
func serve(t *testing.T) *http.Client {
	t.Helper()
	dir := t.TempDir()
	db, err := localdb.Open(context.Background(), filepath.Join(dir, "worktime.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	socket := filepath.Join(dir, "worktimed.sock")
	ln, err := localapi.Listen(socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- localapi.New(localapi.Options{Tracker: tracker.New(db, tracker.Options{})}).Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
}

func TestRequestChecks(t *testing.T) {
	c := serve(t)
	tests := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		status  int
		code    string
	}{
		{"plain request", "GET", "http://local-worktimed.sock/localapi/v1/sessions/active", nil, 200, ""},
		{"Origin header", "GET", "http://local-worktimed.sock/localapi/v1/sessions/active", map[string]string{"Origin": "https://evil.example"}, 403, api.CodeForbidden},
		{"Referer header", "GET", "http://local-worktimed.sock/localapi/v1/sessions/active", map[string]string{"Referer": "https://evil.example/page"}, 403, api.CodeForbidden},
		{"foreign Host (DNS rebinding)", "GET", "http://evil.example/localapi/v1/sessions/active", nil, 403, api.CodeForbidden},
		{"localhost Host", "GET", "http://localhost/localapi/v1/status", nil, 403, api.CodeForbidden},
		{"unknown path", "GET", "http://local-worktimed.sock/localapi/v2/status", nil, 404, api.CodeNotFound},
		{"wrong method", "DELETE", "http://local-worktimed.sock/localapi/v1/sessions/active", nil, 404, api.CodeNotFound},
		{"start with an empty body", "POST", "http://local-worktimed.sock/localapi/v1/sessions/start", nil, 400, api.CodeBadRequest},
		{"stats days not a number", "GET", "http://local-worktimed.sock/localapi/v1/stats?days=abc", nil, 400, api.CodeBadRequest},
		{"stats repo not owner/name", "GET", "http://local-worktimed.sock/localapi/v1/stats?repo=a/b/c", nil, 400, api.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			var er api.ErrorReply
			if err := json.Unmarshal(body, &er); err != nil || er.Error == nil || er.Error.Code != tt.code || er.Error.Message == "" {
				t.Fatalf("body %s, want code %s", body, tt.code)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestStatusCodes(t *testing.T) {
	tests := map[string]int{
		api.CodeBadRequest: 400, api.CodeUnknownType: 400, api.CodeForbidden: 403, api.CodeNotFound: 404,
		api.CodeConflict: 409, api.CodeTooLarge: 413, api.CodeUnavailable: 503, api.CodeInternal: 500,
	}
	for code, want := range tests {
		if got := localapi.StatusCode(code); got != want {
			t.Errorf("StatusCode(%s) = %d, want %d", code, got, want)
		}
	}
}
