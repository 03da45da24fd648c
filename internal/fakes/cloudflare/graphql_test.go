package cloudflare

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// gql posts a GraphQL query and returns the status and the decoded answer.
func gql(t *testing.T, s *Server, tok, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.URL()+"graphql", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %q is not JSON: %v", raw, err)
	}
	return res.StatusCode, out
}

const d1Query = `query Q($accountTag: string!, $start: Date, $end: Date) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      d1AnalyticsAdaptiveGroups(limit: 10000, filter: { date_geq: $start, date_leq: $end }, orderBy: [date_ASC]) {
        sum { rowsRead rowsWritten }
        dimensions { date databaseId }
      }
      d1StorageAdaptiveGroups(limit: 10000, filter: { date_geq: $start, date_leq: $end }) {
        max { databaseSizeBytes }
        dimensions { databaseId }
      }
    }
  }
}`

func TestGraphQLDatasets(t *testing.T) {
	s := newServer(t)
	s.AddD1Analytics("2026-11-20", "db-a", 10, 1, 1.5)
	s.AddD1Analytics("2026-11-20", "db-a", 5, 2, 1.5) // same group: summed
	s.AddD1Analytics("2026-11-21", "db-b", 7, 3, 1.5)
	s.AddD1Analytics("2026-11-30", "db-a", 1000, 1000, 1.5) // outside the filter
	s.AddD1Storage("2026-11-20", "db-a", 100)
	s.AddD1Storage("2026-11-21", "db-a", 300) // grouped by databaseId only: the max
	status, out := gql(t, s, token, d1Query, map[string]any{"accountTag": acct, "start": "2026-11-20", "end": "2026-11-21"})
	if status != 200 || out["errors"] != nil {
		t.Fatalf("status %d, errors %v", status, out["errors"])
	}
	if _, ok := out["errors"]; !ok {
		t.Error("the answer has no errors member (documented as null without errors)")
	}
	account := out["data"].(map[string]any)["viewer"].(map[string]any)["accounts"].([]any)[0].(map[string]any)
	got, _ := json.Marshal(account)
	want := `{"d1AnalyticsAdaptiveGroups":[{"dimensions":{"databaseId":"db-a","date":"2026-11-20"},"sum":{"rowsRead":15,"rowsWritten":3}},` +
		`{"dimensions":{"databaseId":"db-b","date":"2026-11-21"},"sum":{"rowsRead":7,"rowsWritten":3}}],` +
		`"d1StorageAdaptiveGroups":[{"dimensions":{"databaseId":"db-a"},"max":{"databaseSizeBytes":300}}]}`
	if string(got) != want {
		t.Errorf("account =\n%s\nwant\n%s", got, want)
	}
}

func TestGraphQLRefusals(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"another account", d1Query, map[string]any{"accountTag": "ffffffffffffffffffffffffffffffff"}, "not authorized for that account"},
		{"unknown dataset", `{ viewer { accounts(filter: {accountTag: "` + acct + `"}) { d1Nope(limit: 1) { count } } } }`, nil, `unknown field "d1Nope"`},
		{"unknown value", `{ viewer { accounts(filter: {accountTag: "` + acct + `"}) { d1StorageAdaptiveGroups(limit: 1) { max { rowsRead } } } } }`, nil, `unknown field "rowsRead"`},
		{"unknown filter", `{ viewer { accounts(filter: {accountTag: "` + acct + `"}) { workersInvocationsAdaptive(limit: 1, filter: {databaseId: "x"}) { sum { requests } } } } }`, nil, `unknown filter field "databaseId"`},
		{"no limit", `{ viewer { accounts(filter: {accountTag: "` + acct + `"}) { d1StorageAdaptiveGroups { max { databaseSizeBytes } } } } }`, nil, "limit must be between 1 and 10000"},
		{"not GraphQL", `{ viewer { accounts(`, nil, "error parsing query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := gql(t, s, token, tt.query, tt.vars)
			errs, _ := out["errors"].([]any)
			if status != 200 || out["data"] != nil || len(errs) != 1 {
				t.Fatalf("status %d, answer %v: want 200, data null and one error", status, out)
			}
			e := errs[0].(map[string]any)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q, want %q", msg, tt.want)
			}
		})
	}

	t.Run("token without analytics", func(t *testing.T) {
		s.SetPermissions(AllPermissions()...)
		_, out := gql(t, s, token, d1Query, map[string]any{"accountTag": acct})
		if errs, _ := out["errors"].([]any); len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["message"].(string), "not authorized") {
			t.Errorf("answer %v", out)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		status, _ := gql(t, s, "wrong", d1Query, map[string]any{"accountTag": acct})
		if status != 401 {
			t.Errorf("status %d, want 401", status)
		}
	})
}

func TestGraphQLWorkersByScript(t *testing.T) {
	s := newServer(t)
	s.AddWorkerInvocations("2026-11-20", "worktime", 100, 2)
	s.AddWorkerInvocations("2026-11-20", "other", 9, 0)
	s.AddWorkerInvocations("2026-11-21", "worktime", 50, 0)
	q := `query W($a: string!, $s: string!) { viewer { accounts(filter: {accountTag: $a}) {
	  workersInvocationsAdaptive(limit: 100, filter: {scriptName: $s, date_geq: "2026-11-20"}) { sum { requests errors } dimensions { date } } } } }`
	_, out := gql(t, s, token, q, map[string]any{"a": acct, "s": "worktime"})
	rows := out["data"].(map[string]any)["viewer"].(map[string]any)["accounts"].([]any)[0].(map[string]any)["workersInvocationsAdaptive"]
	got, _ := json.Marshal(rows)
	want := `[{"dimensions":{"date":"2026-11-20"},"sum":{"errors":2,"requests":100}},{"dimensions":{"date":"2026-11-21"},"sum":{"errors":0,"requests":50}}]`
	if string(got) != want {
		t.Errorf("rows = %s, want %s", got, want)
	}
	if r := s.Requests(); len(r) != 1 || r[0].Route != "graphql" || r[0].Write {
		t.Errorf("recorded %+v", r)
	}
}
