package localclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/tracker"
)

// TestEditRoutes changes history through the local API and checks that
// each route answers what the tracker does, refusals with the same
// sentinel errors.
func TestEditRoutes(t *testing.T) {
	h := start(t, localapi.Options{DeviceID: "dev"})
	ctx := context.Background()
	c := h.client
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	r, err := c.AddSession(ctx, api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 42, StartTime: at(-120), EndTime: at(-50)})
	if err != nil || len(r.Sessions) != 1 || r.Sessions[0].DurationSeconds != 70*60 {
		t.Fatalf("add: %+v, %v", r, err)
	}
	id := r.Sessions[0].ID
	end := at(-60)
	if r, err = c.EditSession(ctx, id, api.EditRequest{EndTime: &end, DryRun: true}); err != nil || !r.DryRun || r.Sessions[0].DurationSeconds != 3600 {
		t.Fatalf("edit dry run: %+v, %v", r, err)
	}
	if r, err = c.EditSession(ctx, id, api.EditRequest{EndTime: &end}); err != nil || r.DryRun {
		t.Fatalf("edit: %+v, %v", r, err)
	}
	if r, err = c.SplitSession(ctx, id, api.SplitRequest{At: at(-90)}); err != nil || len(r.Sessions) != 2 {
		t.Fatalf("split: %+v, %v", r, err)
	}
	second := r.Sessions[1].ID
	if r, err = c.MergeSessions(ctx, api.MergeRequest{IDs: []string{id, second}}); err != nil || len(r.Deleted) != 1 || r.Deleted[0].ID != second {
		t.Fatalf("merge: %+v, %v", r, err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"edit unknown", func() error {
			_, err := c.EditSession(ctx, "01234567-89ab-cdef-0123-456789abcdef", api.EditRequest{EndTime: &end})
			return err
		}, api.ErrNotFound},
		{"edit into the future", func() error {
			e := at(1)
			_, err := c.EditSession(ctx, id, api.EditRequest{EndTime: &e})
			return err
		}, api.ErrInvalid},
		{"add overlapping", func() error {
			_, err := c.AddSession(ctx, api.AddRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 1, StartTime: at(-100), EndTime: at(-95)})
			return err
		}, api.ErrConflict},
		{"delete nothing", func() error { _, err := c.DeleteSessions(ctx, api.DeleteRequest{}); return err }, api.ErrInvalid},
		{"split merged-away session", func() error {
			_, err := c.SplitSession(ctx, second, api.SplitRequest{At: at(-80)})
			return err
		}, api.ErrNotFound},
	} {
		if err := tc.call(); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if r, err = c.DeleteSessions(ctx, api.DeleteRequest{Repo: "octo/app"}); err != nil || len(r.Deleted) != 1 || r.Deleted[0].ID != id {
		t.Fatalf("delete: %+v, %v", r, err)
	}
	if list, err := h.tr.Sessions(ctx, tracker.SessionQuery{}); err != nil || len(list) != 0 {
		t.Fatalf("left: %+v, %v", list, err)
	}
	_, err = c.DeleteSessions(ctx, api.DeleteRequest{})
	if err == nil || !strings.Contains(err.Error(), "give session ids or a filter") {
		t.Fatalf("empty delete: %v", err)
	}
}
