package app

import (
	"errors"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dayTotal is the daemon's total for one repository over the last 7 days.
func repoTotal(t *testing.T, dash *Dashboard, repo string) int64 {
	t.Helper()
	st, err := dash.Stats(7, repo)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range st.Repos {
		n += r.Seconds
	}
	return n
}

func TestEditAndUndoAgainstDaemon(t *testing.T) {
	d := startDaemon(t)
	dash := NewDashboard(t.Context(), Options{Daemon: d.client})
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	a := d.seed(t, "acme/web", 7, day.Add(9*time.Hour), day.Add(10*time.Hour))
	b := d.seed(t, "acme/web", 7, day.Add(10*time.Hour), day.Add(11*time.Hour))
	d.seed(t, "acme/api", 1, day.Add(12*time.Hour), day.Add(13*time.Hour))

	// Edit: another pull request, shorter; undo edits it back.
	c, err := dash.EditSession(a.ID, SessionEdit{Repo: "octo/app", PR: 42, Start: rfc(day.Add(9 * time.Hour)), End: rfc(day.Add(9*time.Hour + 30*time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Reply.Sessions[0]; got.RepoOwner != "octo" || got.PRNumber != 42 || got.DurationSeconds != 1800 || c.Undo == "" {
		t.Fatalf("edit: %+v undo %q", got, c.Undo)
	}
	if got := repoTotal(t, dash, "octo/app"); got != 1800 {
		t.Fatalf("octo/app after edit: %d s", got)
	}
	if _, err := dash.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := repoTotal(t, dash, "acme/web"); got != 7200 {
		t.Fatalf("acme/web after undoing the edit: %d s, want 7200", got)
	}
	if _, err := dash.Undo(); !errors.Is(err, ErrNothingToUndo) || ToBindingError(err).Code != api.CodeNotFound {
		t.Fatalf("second undo: %v", err)
	}

	// Overlap: the daemon's conflict reaches the frontend as such.
	_, err = dash.EditSession(a.ID, SessionEdit{Repo: "acme/web", PR: 7, Start: rfc(day.Add(9 * time.Hour)), End: rfc(day.Add(12*time.Hour + 30*time.Minute))})
	if be := ToBindingError(err); be == nil || be.Code != api.CodeConflict {
		t.Fatalf("overlapping edit: %v", err)
	}

	// Merge, then undo: two sessions again, same total.
	m, err := dash.MergeSessions([]string{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Reply.Sessions) != 1 || m.Reply.Sessions[0].DurationSeconds != 7200 || len(m.Reply.Deleted) != 1 {
		t.Fatalf("merge: %+v", m.Reply)
	}
	if _, err := dash.Undo(); err != nil {
		t.Fatal(err)
	}
	page, err := dash.Sessions(SessionFilter{Repo: "acme/web", Count: true})
	if err != nil || page.Total != 2 || repoTotal(t, dash, "acme/web") != 7200 {
		t.Fatalf("after undoing the merge: %+v %v", page, err)
	}

	// Split at 9:20, undo merges it back.
	s, err := dash.SplitSession(a.ID, rfc(day.Add(9*time.Hour+20*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Reply.Sessions) != 2 || s.Reply.Sessions[0].DurationSeconds != 1200 || s.Reply.Sessions[1].DurationSeconds != 2400 {
		t.Fatalf("split: %+v", s.Reply)
	}
	if _, err := dash.Undo(); err != nil {
		t.Fatal(err)
	}
	if page, _ := dash.Sessions(SessionFilter{Repo: "acme/web", Count: true}); page.Total != 2 {
		t.Fatalf("after undoing the split: %d sessions", page.Total)
	}

	// Add after the fact, undo deletes it.
	add, err := dash.AddSession(SessionEdit{Repo: "octo/app", PR: 42, Start: rfc(day.Add(14 * time.Hour)), End: rfc(day.Add(15*time.Hour + 10*time.Minute))})
	if err != nil || add.Reply.Sessions[0].DurationSeconds != 4200 {
		t.Fatalf("add: %+v %v", add, err)
	}
	if got := repoTotal(t, dash, "octo/app"); got != 4200 {
		t.Fatalf("octo/app after add: %d", got)
	}
	if _, err := dash.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := repoTotal(t, dash, "octo/app"); got != 0 {
		t.Fatalf("octo/app after undoing the add: %d", got)
	}

	// Delete two, undo adds them back (as new sessions).
	all, _ := dash.Sessions(SessionFilter{Repo: "acme/web"})
	ids := []string{all.Sessions[0].ID, all.Sessions[1].ID}
	del, err := dash.DeleteSessions(ids)
	if err != nil || len(del.Reply.Deleted) != 2 || del.Undo != "deletion of 2 sessions" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := repoTotal(t, dash, "acme/web"); got != 0 {
		t.Fatalf("acme/web after delete: %d", got)
	}
	if _, err := dash.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := repoTotal(t, dash, "acme/web"); got != 7200 {
		t.Fatalf("acme/web after undoing the delete: %d", got)
	}
}

func TestEditRejectsBadInput(t *testing.T) {
	d := startDaemon(t)
	dash := NewDashboard(t.Context(), Options{Daemon: d.client})
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	a := d.seed(t, "acme/web", 7, day.Add(9*time.Hour), day.Add(10*time.Hour))
	ok := SessionEdit{Repo: "acme/web", PR: 7, Start: rfc(day.Add(9 * time.Hour)), End: rfc(day.Add(10 * time.Hour))}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"bad repository", func() error { e := ok; e.Repo = "acme"; _, err := dash.EditSession(a.ID, e); return err }, api.CodeBadRequest},
		{"pull request 0", func() error { e := ok; e.PR = 0; _, err := dash.AddSession(e); return err }, api.CodeBadRequest},
		{"bad time", func() error { e := ok; e.Start = "14:00"; _, err := dash.EditSession(a.ID, e); return err }, api.CodeBadRequest},
		{"end before start (daemon)", func() error {
			e := ok
			e.End = rfc(day.Add(8 * time.Hour))
			_, err := dash.EditSession(a.ID, e)
			return err
		}, api.CodeBadRequest},
		{"in the future (daemon)", func() error {
			e := ok
			e.Start, e.End = rfc(time.Now().Add(time.Hour)), rfc(time.Now().Add(2*time.Hour))
			_, err := dash.AddSession(e)
			return err
		}, api.CodeBadRequest},
		{"split outside (daemon)", func() error { _, err := dash.SplitSession(a.ID, rfc(day.Add(11*time.Hour))); return err }, api.CodeBadRequest},
		{"merge one", func() error { _, err := dash.MergeSessions([]string{a.ID}); return err }, api.CodeBadRequest},
		{"delete none", func() error { _, err := dash.DeleteSessions(nil); return err }, api.CodeBadRequest},
		{"overlap on add (daemon)", func() error { _, err := dash.AddSession(ok); return err }, api.CodeConflict},
		{"bad rule", func() error {
			_, err := dash.SaveRules(rules.Rules{Repos: []rules.Rule{{Match: "a/b/c", Action: rules.DontSync}}})
			return err
		}, api.CodeBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := ToBindingError(tc.call())
			if be == nil || be.Code != tc.code {
				t.Fatalf("got %v, want code %s", be, tc.code)
			}
		})
	}
	if got := repoTotal(t, dash, "acme/web"); got != 3600 {
		t.Fatalf("refused changes changed the total: %d", got)
	}
}

func TestRulesRoundTrip(t *testing.T) {
	d := startDaemon(t)
	dash := NewDashboard(t.Context(), Options{Daemon: d.client})
	r, err := dash.Rules()
	if err != nil || r.Repos == nil || r.Private {
		t.Fatalf("initial rules: %+v %v", r, err)
	}
	want := rules.Rules{Default: rules.Track, Private: true, Repos: []rules.Rule{{Match: "secret/*", Action: rules.DontTrack}, {Match: "*/internal-*", Action: rules.DontSync}}}
	if _, err := dash.SaveRules(want); err != nil {
		t.Fatal(err)
	}
	got, err := dash.Rules()
	if err != nil || !got.Private || len(got.Repos) != 2 || got.Repos[0] != want.Repos[0] || got.Repos[1] != want.Repos[1] {
		t.Fatalf("rules read back: %+v %v", got, err)
	}
	// dont_track is in force at once: a session of that repository is refused.
	_, err = dash.StartTracking("secret", "x", 1)
	if err == nil {
		t.Fatal("a dont_track repository was tracked")
	}
	if _, err := dash.AddSession(SessionEdit{Repo: "secret/x", PR: 1, Start: rfc(time.Now().Add(-2 * time.Hour)), End: rfc(time.Now().Add(-time.Hour))}); err == nil {
		t.Fatal("a dont_track repository was added")
	}
}
