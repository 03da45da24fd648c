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
	ctx := context.Background()
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
	ids := func(f SessionFilter) []string {
		t.Helper()
		got, err := db.ListSessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, s := range got {
			out = append(out, s.ID)
		}
		return out
	}
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
