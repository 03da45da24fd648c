package localclient_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localclient"
)

// TestImportRoute hands sessions to the daemon as the relay does for
// sessions.import: stored once, a second import accepted without a change,
// a refused session named with its reason.
func TestImportRoute(t *testing.T) {
	h := start(t, localapi.Options{DeviceID: "dev"})
	ctx := context.Background()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	req := api.ImportRequest{Sessions: []api.ImportedSession{
		{ID: "0190a000-0000-7000-8000-000000000001", RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: at(-60), EndTime: at(-50)},
		{ID: "0190a000-0000-7000-8000-000000000002", RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: at(-40), EndTime: at(-45)},
	}}
	for i := 0; i < 2; i++ {
		r, err := h.client.ImportSessions(ctx, req)
		if err != nil || fmt.Sprint(r.Accepted) != "[0190a000-0000-7000-8000-000000000001]" || len(r.Rejected) != 1 || !strings.Contains(r.Rejected[0].Error, "end") {
			t.Fatalf("import %d: %+v, %v", i+1, r, err)
		}
	}
	list, err := h.client.Sessions(ctx, localclient.SessionsQuery{})
	if err != nil || len(list) != 1 || list[0].DurationSeconds != 600 {
		t.Fatalf("sessions after two imports: %+v, %v", list, err)
	}
}
