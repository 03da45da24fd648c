package cloudflare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

const (
	acct  = "0123456789abcdef0123456789abcdef"
	token = "tok"
)

func newServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Options{Dir: t.TempDir(), AccountID: acct, Token: token, Subdomain: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	Status     int
	Success    bool            `json:"success"`
	Errors     []apiMessage    `json:"errors"`
	Messages   []apiMessage    `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo map[string]any  `json:"result_info"`
	Header     http.Header     `json:"-"`
	Raw        map[string]any  `json:"-"`
}

func call(t *testing.T, s *Server, method, path, tok string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL()+"accounts/"+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	if err := json.Unmarshal(raw, &r.Raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"success", "errors", "messages", "result"} {
		if _, ok := r.Raw[k]; !ok {
			t.Errorf("%s %s: envelope lacks %q: %s", method, path, k, raw)
		}
	}
	r.Status, r.Header = res.StatusCode, res.Header
	return r
}

func TestEnvelopeAndAuth(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name   string
		path   string
		tok    string
		status int
		code   int
	}{
		{"ok", acct + "/d1/database", token, 200, 0},
		{"unknown token", acct + "/d1/database", "nope", 401, 10000},
		{"unknown account", strings.Repeat("f", 32) + "/d1/database", token, 404, 7003},
		{"unknown route", acct + "/nothing", token, 404, 7000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "GET", tt.path, tt.tok, nil)
			if r.Status != tt.status || r.Success != (tt.status == 200) {
				t.Fatalf("status %d success %v", r.Status, r.Success)
			}
			if tt.code != 0 && (len(r.Errors) != 1 || r.Errors[0].Code != tt.code) {
				t.Errorf("errors = %+v, want code %d", r.Errors, tt.code)
			}
		})
	}
	s.SetPermissions(PermKV)
	if r := call(t, s, "GET", acct+"/d1/database", token, nil); r.Status != 403 || r.Errors[0].Code != 10000 {
		t.Errorf("without D1 permission: %d %+v", r.Status, r.Errors)
	}
}

func createDB(t *testing.T, s *Server, name string) string {
	t.Helper()
	r := call(t, s, "POST", acct+"/d1/database", token, map[string]string{"name": name})
	var db struct{ UUID string }
	if r.Status != 200 || json.Unmarshal(r.Result, &db) != nil || db.UUID == "" {
		t.Fatalf("create: %d %s", r.Status, r.Result)
	}
	return db.UUID
}

func TestD1Query(t *testing.T) {
	s := newServer(t)
	id := createDB(t, s, "db")
	q := func(body any) reply { return call(t, s, "POST", acct+"/d1/database/"+id+"/query", token, body) }

	r := q(map[string]any{"batch": []map[string]any{
		{"sql": "CREATE TABLE t (n INTEGER, s TEXT); INSERT INTO t VALUES (1, 'a')"},
		{"sql": "INSERT INTO t VALUES (?1, ?2)", "params": []string{"2", "it's"}},
		{"sql": "SELECT n, s, typeof(n) AS ty FROM t WHERE n = ?1", "params": []string{"2"}},
	}})
	if r.Status != 200 {
		t.Fatalf("batch: %d %+v", r.Status, r.Errors)
	}
	var results []queryResult
	json.Unmarshal(r.Result, &results)
	// One result per statement: the first item holds two.
	if len(results) != 4 || len(results[3].Results) != 1 {
		t.Fatalf("results = %+v", results)
	}
	row := results[3].Results[0]
	// A string parameter lands as an integer in an INTEGER column, as in D1.
	if row["s"] != "it's" || row["ty"] != "integer" || !results[2].Meta.ChangedDB {
		t.Errorf("row = %v meta %+v", row, results[2].Meta)
	}
	if len(s.Writes()) != 2 { // the create and the batch
		t.Errorf("writes = %+v", s.Writes())
	}

	tests := []struct {
		name string
		body any
		want string
	}{
		{"number param", map[string]any{"sql": "SELECT ?1", "params": []any{1}}, "must be a string"},
		{"no sql", map[string]any{"sql": " "}, "has no sql"},
		{"bad JSON", "not an object", "malformed JSON"},
		{"SQL error rolls back the batch", map[string]any{"batch": []map[string]any{
			{"sql": "INSERT INTO t VALUES (3, 'c')"}, {"sql": "INSERT INTO nope VALUES (1)"},
		}}, "no such table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := q(tt.body)
			if r.Status != 400 || r.Success || !strings.Contains(fmt.Sprint(r.Errors), tt.want) {
				t.Fatalf("%d %+v, want 400 %q", r.Status, r.Errors, tt.want)
			}
		})
	}
	r = q(map[string]any{"sql": "SELECT count(*) AS c FROM t"})
	json.Unmarshal(r.Result, &results)
	if results[0].Results[0]["c"] != float64(2) {
		t.Errorf("rows after the failed batch = %v, want 2 (rolled back)", results[0].Results[0]["c"])
	}
	if results[0].Meta.ChangedDB {
		t.Error("a SELECT reported a change")
	}
}

// The API answers a query of several statements with one result per
// statement, as wrangler's tests of it expect ("Executed 3 commands").
func TestD1QueryOneResultPerStatement(t *testing.T) {
	for _, perItem := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneResultPerItem=%v", perItem), func(t *testing.T) {
			s, err := New(Options{Dir: t.TempDir(), AccountID: acct, Token: token, OneResultPerItem: perItem})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			id := createDB(t, s, "db")
			r := call(t, s, "POST", acct+"/d1/database/"+id+"/query", token, map[string]any{"sql": "select 1; select 2; select 3;"})
			var results []queryResult
			if err := json.Unmarshal(r.Result, &results); err != nil || r.Status != 200 {
				t.Fatalf("%d %s %v", r.Status, r.Result, err)
			}
			want := 3
			if perItem {
				want = 1
			}
			if len(results) != want {
				t.Fatalf("%d results, want %d: %s", len(results), want, r.Result)
			}
			if last := results[len(results)-1].Results[0]["3"]; last != float64(3) {
				t.Errorf("last result %v, want the third statement's", results[len(results)-1].Results)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		sql  string
		want []string
	}{
		{"select 1; select 2; select 3;", []string{"select 1", "select 2", "select 3"}},
		{"select 1", []string{"select 1"}},
		{"INSERT INTO t VALUES ('a;b', \"c;\"\"d\", [e;f], `g;h`); -- x;y\n/* p;q */ ;", []string{"INSERT INTO t VALUES ('a;b', \"c;\"\"d\", [e;f], `g;h`)"}},
		{"SELECT 'it''s; fine';\n-- trailing comment", []string{"SELECT 'it''s; fine'"}},
		{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET n = CASE WHEN n > 1 THEN 1 ELSE 2 END; DELETE FROM u; END; SELECT 1",
			[]string{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET n = CASE WHEN n > 1 THEN 1 ELSE 2 END; DELETE FROM u; END", "SELECT 1"}},
		{" ; -- nothing\n ;", nil},
	}
	for _, tt := range tests {
		if got := splitStatements(tt.sql); !slices.Equal(got, tt.want) {
			t.Errorf("splitStatements(%q)\n got %q\nwant %q", tt.sql, got, tt.want)
		}
	}
}

func TestListsPageAndFilter(t *testing.T) {
	s := newServer(t)
	for i := 0; i < 25; i++ {
		call(t, s, "POST", acct+"/storage/kv/namespaces", token, map[string]string{"title": fmt.Sprintf("ns-%02d", i)})
	}
	seen := 0
	for page := 1; ; page++ {
		r := call(t, s, "GET", fmt.Sprintf("%s/storage/kv/namespaces?page=%d", acct, page), token, nil)
		var items []kvJSON
		json.Unmarshal(r.Result, &items)
		if len(items) == 0 {
			break
		}
		seen += len(items)
		if r.ResultInfo["total_count"] != float64(25) {
			t.Errorf("result_info = %v", r.ResultInfo)
		}
	}
	if seen != 25 {
		t.Errorf("paged through %d namespaces, want 25", seen)
	}
	if r := call(t, s, "POST", acct+"/storage/kv/namespaces", token, map[string]string{"title": "ns-00"}); r.Status != 400 {
		t.Errorf("duplicate title: %d", r.Status)
	}
	createDB(t, s, "worktime")
	createDB(t, s, "worktime-old")
	r := call(t, s, "GET", acct+"/d1/database?name=worktime", token, nil)
	var dbs []d1JSON
	json.Unmarshal(r.Result, &dbs)
	if len(dbs) != 2 {
		t.Errorf("name filter matched %d, want both (the API searches substrings)", len(dbs))
	}
	if r := call(t, s, "GET", acct+"/d1/database?page=x", token, nil); r.Status != 400 {
		t.Errorf("bad page: %d", r.Status)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	s.AddFault(Fault{Route: "d1.list", Skip: 1, Times: 2, Status: 429, RetryAfter: "5"})
	var got []int
	for i := 0; i < 4; i++ {
		r := call(t, s, "GET", acct+"/d1/database", token, nil)
		got = append(got, r.Status)
		if r.Status == 429 && r.Header.Get("Retry-After") != "5" {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
	}
	if fmt.Sprint(got) != "[200 429 429 200]" {
		t.Errorf("statuses = %v", got)
	}
}

func TestSecretsNeedScript(t *testing.T) {
	s := newServer(t)
	r := call(t, s, "PUT", acct+"/workers/scripts/nope/secrets", token, map[string]string{"name": "A", "text": "b", "type": "secret_text"})
	if r.Status != 404 || r.Errors[0].Code != 10007 {
		t.Errorf("secret on a missing script: %d %+v", r.Status, r.Errors)
	}
	if r := call(t, s, "GET", acct+"/workers/subdomain", token, nil); r.Status != 200 {
		t.Errorf("subdomain: %d", r.Status)
	}
	s.SetSubdomain("")
	if r := call(t, s, "GET", acct+"/workers/subdomain", token, nil); r.Status != 404 {
		t.Errorf("no subdomain: %d", r.Status)
	}
}

// upload sends a module Worker with the given metadata as the API takes
// it: a multipart form with a metadata part and one module part.
func upload(t *testing.T, s *Server, name string, meta map[string]any) reply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	m, _ := json.Marshal(meta)
	if err := mw.WriteField("metadata", string(m)); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="worker.js"; filename="worker.js"`)
	h.Set("Content-Type", "application/javascript+module")
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write([]byte(`export default { fetch() { return new Response("ok"); } };`))
	mw.Close()
	req, _ := http.NewRequest("PUT", s.URL()+"accounts/"+acct+"/workers/scripts/"+name, &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r reply
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	r.Status = res.StatusCode
	return r
}

// Placement and observability are taken from the upload metadata, kept
// with the script and answered by its settings; what the API refuses is
// refused.
func TestScriptPlacementAndObservability(t *testing.T) {
	s := newServer(t)
	base := func() map[string]any {
		return map[string]any{"main_module": "worker.js", "compatibility_date": "2026-04-20"}
	}
	m := base()
	m["placement"] = map[string]any{"mode": "smart"}
	m["observability"] = map[string]any{"enabled": true, "head_sampling_rate": 0.5}
	if r := upload(t, s, "w", m); r.Status != 200 || !r.Success {
		t.Fatalf("upload: %d %+v", r.Status, r.Errors)
	}
	sc, _ := s.Script("w")
	if sc.Placement != "smart" || sc.Observability == nil || !sc.Observability.Enabled || *sc.Observability.HeadSamplingRate != 0.5 {
		t.Errorf("recorded placement %q, observability %+v", sc.Placement, sc.Observability)
	}
	r := call(t, s, "GET", acct+"/workers/scripts/w/settings", token, nil)
	var st struct {
		Placement     map[string]any `json:"placement"`
		Observability map[string]any `json:"observability"`
	}
	if err := json.Unmarshal(r.Result, &st); err != nil {
		t.Fatal(err)
	}
	if st.Placement["mode"] != "smart" || st.Observability["enabled"] != true || st.Observability["head_sampling_rate"] != 0.5 {
		t.Errorf("settings placement %v, observability %v", st.Placement, st.Observability)
	}

	// An upload without them makes a version without them.
	if r := upload(t, s, "w", base()); r.Status != 200 {
		t.Fatalf("plain upload: %d %+v", r.Status, r.Errors)
	}
	r = call(t, s, "GET", acct+"/workers/scripts/w/settings", token, nil)
	if strings.Contains(string(r.Result), `"placement"`) || strings.Contains(string(r.Result), `"observability"`) {
		t.Errorf("settings after a plain upload: %s", r.Result)
	}

	for _, bad := range []struct {
		key string
		val any
		msg string
	}{
		{"placement", map[string]any{"mode": "nowhere"}, "placement mode"},
		{"observability", map[string]any{"head_sampling_rate": 1}, "observability.enabled is required"},
		{"observability", map[string]any{"enabled": true, "head_sampling_rate": 2}, "head_sampling_rate"},
	} {
		m := base()
		m[bad.key] = bad.val
		r := upload(t, s, "w", m)
		if r.Status != 400 || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, bad.msg) {
			t.Errorf("%s %v: %d %+v, want 400 naming %q", bad.key, bad.val, r.Status, r.Errors, bad.msg)
		}
	}
}
