package nativemsg_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/tracker"
)

// TestSessionsImport: the extension's handover of its direct-mode sessions
// is stored once, whatever how often it is sent, and each refused session
// comes back with its reason.
func TestSessionsImport(t *testing.T) {
	h, tr, clk := newHost(t)
	clk.Set(t0.Add(2 * time.Hour))
	msg := `{"id":7,"type":"sessions.import","sessions":[` +
		`{"id":"0190a000-0000-7000-8000-000000000001","repo_owner":"octo","repo_name":"hello","pr_number":1,"start_time":"2026-11-25T10:00:00Z","end_time":"2026-11-25T10:10:00Z"},` +
		`{"id":"0190a000-0000-7000-8000-000000000002","repo_owner":"octo","repo_name":"hello","pr_number":0,"start_time":"2026-11-25T10:20:00Z","end_time":"2026-11-25T10:30:00Z"}]}`
	for i := 0; i < 2; i++ {
		out := h.Handle(context.Background(), []byte(msg))
		var r struct {
			ID       json.RawMessage      `json:"id"`
			OK       bool                 `json:"ok"`
			Accepted []string             `json:"accepted"`
			Rejected []api.ImportRejected `json:"rejected"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if !r.OK || string(r.ID) != "7" || fmt.Sprint(r.Accepted) != "[0190a000-0000-7000-8000-000000000001]" ||
			len(r.Rejected) != 1 || r.Rejected[0].ID != "0190a000-0000-7000-8000-000000000002" || !strings.Contains(r.Rejected[0].Error, "pr_number") {
			t.Fatalf("import %d: %s", i+1, out)
		}
	}
	st, err := tr.Stats(context.Background(), tracker.StatsQuery{Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st.TodaySeconds != 600 {
		t.Fatalf("today %d s, want 600", st.TodaySeconds)
	}
}

func TestSessionsImportBadRequest(t *testing.T) {
	h, _, _ := newHost(t)
	many := `[` + strings.TrimSuffix(strings.Repeat(`{},`, api.MaxImportSessions+1), ",") + `]`
	for _, tc := range []struct{ name, msg, want string }{
		{"no sessions", `{"id":1,"type":"sessions.import"}`, `"sessions"`},
		{"not a list", `{"id":1,"type":"sessions.import","sessions":{}}`, `"sessions"`},
		{"a bad time", `{"id":1,"type":"sessions.import","sessions":[{"start_time":"yesterday"}]}`, "RFC 3339"},
		{"too many", `{"id":1,"type":"sessions.import","sessions":` + many + `}`, "at most 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := handle(t, h, tc.msg)
			if r.OK || r.Error == nil || r.Error.Code != api.CodeBadRequest || !strings.Contains(r.Error.Message, tc.want) {
				t.Fatalf("reply %+v, want bad_request with %q", r.Error, tc.want)
			}
		})
	}
}
