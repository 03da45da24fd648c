package localdb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// A limited list must stop after its first rows: every filter's plan walks
// an index in the list's order, with no sort of the whole selection (a
// sort reads the full history before the first row, seconds at 500,000
// sessions).
func TestListSessionsPlanNeedsNoSort(t *testing.T) {
	db := openTest(t, "", nil, nil)
	since := t0.Add(-24 * time.Hour)
	for _, f := range []SessionFilter{
		{Limit: 3},
		{},
		{RepoOwner: "acme", RepoName: "web", Limit: 3},
		{Since: since, Limit: 3},
		{Status: api.StatusAbandoned, Limit: 3},
		{RepoOwner: "acme", RepoName: "web", Since: since, Status: api.StatusCompleted, Limit: 3},
	} {
		q, args := f.query()
		plan := queryPlan(t, db, q, args...)
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") || !strings.Contains(joined, "INDEX idx_sessions_") {
			t.Errorf("filter %+v: plan %q sorts or reads no index", f, joined)
		}
	}
}

func TestListSessionsOrderFiltersAndLimit(t *testing.T) {
	db := openTest(t, "", nil, nil)
	// Several sessions start in the same second: id breaks the tie.
	var want []string
	for i := 0; i < 6; i++ {
		s := ended(fmt.Sprintf("0190a000-0000-7000-8000-00000000000%d", i), t0.Add(time.Duration(i/2)*time.Hour), t0.Add(time.Duration(i/2)*time.Hour+time.Minute))
		if i%3 == 2 {
			s.RepoName = "api"
		}
		put(t, db, s)
		want = append([]string{s.ID}, want...)
	}
	ids := func(f SessionFilter) []string { return listIDs(t, db, f) }
	if got := ids(SessionFilter{}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("all = %v, want %v", got, want)
	}
	if got := ids(SessionFilter{Limit: 3}); fmt.Sprint(got) != fmt.Sprint(want[:3]) {
		t.Errorf("limit 3 = %v, want %v", got, want[:3])
	}
	web := []string{want[1], want[2], want[4], want[5]} // ids 4, 3, 1, 0 (2 and 5 are acme/api)
	if got := ids(SessionFilter{RepoOwner: "acme", RepoName: "web", Limit: 3}); fmt.Sprint(got) != fmt.Sprint(web[:3]) {
		t.Errorf("acme/web limit 3 = %v, want %v", got, web[:3])
	}
	if got := ids(SessionFilter{RepoOwner: "acme", RepoName: "web", Since: t0.Add(time.Hour)}); fmt.Sprint(got) != fmt.Sprint(web[:2]) {
		t.Errorf("acme/web since 11:00 = %v, want %v", got, web[:2])
	}
}

// The sessions view shows a long list a page at a time with its true size,
// offers every repository that has a session, and exports one repository.
func TestListSessionsPagesCountReposAndExportByRepo(t *testing.T) {
	db := openTest(t, "", nil, nil)
	ctx := context.Background()
	var all []string // newest first
	for i := 0; i < 7; i++ {
		s := ended(fmt.Sprintf("0190a000-0000-7000-8000-00000000000%d", i), t0.Add(time.Duration(i)*time.Hour), t0.Add(time.Duration(i)*time.Hour+time.Minute))
		if i%2 == 1 {
			s.RepoOwner, s.RepoName = "tools", "cli"
		}
		put(t, db, s)
		all = append([]string{s.ID}, all...)
	}
	page := func(f SessionFilter) []string { return listIDs(t, db, f) }
	for _, tc := range []struct {
		name string
		f    SessionFilter
		want []string
	}{
		{"first page", SessionFilter{Limit: 3}, all[:3]},
		{"second page", SessionFilter{Limit: 3, Offset: 3}, all[3:6]},
		{"last page", SessionFilter{Limit: 3, Offset: 6}, all[6:]},
		{"past the end", SessionFilter{Limit: 3, Offset: 9}, []string{}},
		{"offset without limit", SessionFilter{Offset: 5}, all[5:]},
	} {
		if got := page(tc.f); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    SessionFilter
		want int64
	}{
		{SessionFilter{Limit: 2, Offset: 1}, 7},
		{SessionFilter{RepoOwner: "tools", RepoName: "cli", Limit: 1}, 3},
		{SessionFilter{Since: t0.Add(5 * time.Hour)}, 2},
		{SessionFilter{Status: api.StatusActive}, 0},
	} {
		if n, err := db.CountMatching(ctx, tc.f); err != nil || n != tc.want {
			t.Errorf("CountMatching(%+v) = %d, %v; want %d", tc.f, n, err, tc.want)
		}
	}
	repos, err := db.Repos(ctx)
	if err != nil || fmt.Sprint(repos) != "[acme/web tools/cli]" {
		t.Errorf("Repos = %v, %v; want [acme/web tools/cli]", repos, err)
	}
	var exported int
	if err := db.Export(ctx, ExportFilter{RepoOwner: "tools", RepoName: "cli"}, func(s Session) error {
		exported++
		if s.RepoOwner != "tools" || s.RepoName != "cli" {
			t.Errorf("export of tools/cli holds %s/%s", s.RepoOwner, s.RepoName)
		}
		return nil
	}); err != nil || exported != 3 {
		t.Errorf("export of tools/cli: %d sessions, %v; want 3", exported, err)
	}
}

// queryPlan is the detail column of EXPLAIN QUERY PLAN for q.
func queryPlan(t *testing.T, db *DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.sql.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// listIDs lists the ids ListSessions returns for f, in its order.
func listIDs(t *testing.T, db *DB, f SessionFilter) []string {
	t.Helper()
	got, err := db.ListSessions(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, s := range got {
		out = append(out, s.ID)
	}
	return out
}
