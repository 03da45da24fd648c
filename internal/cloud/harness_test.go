package cloud

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/worktime/worktime/internal/clock"
	cffake "github.com/worktime/worktime/internal/fakes/cloudflare"
)

const (
	testAccount = "0123456789abcdef0123456789abcdef"
	// testToken is distinctive so a leak anywhere is easy to find.
	testToken = "cf-TOKEN-never-printed-7c1e9a"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// memConfig is an in-memory DaemonConfig.
type memConfig struct {
	mu       sync.Mutex
	url      string
	clientID string
}

func (m *memConfig) GitHubClientID() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clientID, nil
}

func (m *memConfig) SetGitHubClientID(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clientID = id
	return nil
}

func (m *memConfig) ServerURL() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.url, nil
}

func (m *memConfig) SetServerURL(u string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.url = u
	return nil
}

type harness struct {
	t      testing.TB
	dir    string
	fake   *cffake.Server
	clk    *clock.Fake
	cfg    *memConfig
	bundle *Bundle
	out    *bytes.Buffer
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, cffake.Options{Subdomain: "alice"})
}

// newHarnessWith uses the fake's options opts, with the test's folder,
// account and token.
func newHarnessWith(t testing.TB, opts cffake.Options) *harness {
	t.Helper()
	dir := t.TempDir()
	opts.Dir, opts.AccountID, opts.Token = dir, testAccount, testToken
	fake, err := cffake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return &harness{t: t, dir: dir, fake: fake, clk: clock.NewFake(t0), cfg: &memConfig{}, bundle: testBundle(t, "0.1.0"), out: &bytes.Buffer{}}
}

// deployer returns a Deployer talking to the fake with token.
func (h *harness) deployer(token string) *Deployer {
	h.t.Helper()
	api, err := NewClient(ClientOptions{Token: token, BaseURL: h.fake.URL(), Clock: h.clk})
	if err != nil {
		h.t.Fatal(err)
	}
	return &Deployer{API: api, Bundle: h.bundle, Out: h.out, Config: h.cfg}
}

func (h *harness) opts() DeployOptions {
	return DeployOptions{Target: Target{AccountID: testAccount, Name: "worktime"}}
}

func (h *harness) deploy(o DeployOptions) (*DeployResult, error) {
	h.t.Helper()
	return h.deployer(testToken).Deploy(context.Background(), o)
}

func (h *harness) mustDeploy(o DeployOptions) *DeployResult {
	h.t.Helper()
	res, err := h.deploy(o)
	if err != nil {
		h.t.Fatalf("deploy: %v\noutput:\n%s", err, h.out)
	}
	return res
}

// testScript is a tiny module Worker; the real bundle runs in workerd in
// TestDeployedBundleRunsInWorkerd.
const testScript = `export default { async fetch() { return new Response("ok"); } };`

// testBundle builds a bundle from the worker's real migrations plus one
// whose name needs quoting, with the worker's binding layout.
func testBundle(t testing.TB, version string) *Bundle {
	t.Helper()
	fsys := fstest.MapFS{
		"worker.js": {Data: []byte(testScript + "// " + version + "\n")},
		"version":   {Data: []byte(version + "\n")},
		"worker.json": {Data: []byte(`{
  "name": "worktime",
  "compatibility_date": "2026-04-20",
  "placement": {"mode": "smart"},
  "observability": {"enabled": true},
  "triggers": {"crons": ["*/5 * * * *"]},
  "d1_databases": [{"binding": "DB", "database_name": "worktime"}],
  "kv_namespaces": [{"binding": "KV"}],
  "ratelimits": [{"name": "RATE_LIMITER", "namespace_id": "1001", "simple": {"limit": 100, "period": 60}}],
  "vars": {"GITHUB_OAUTH_BASE": "https://github.com", "GITHUB_API_BASE": "https://api.github.com",
           "GITHUB_CLIENT_ID": "", "ALLOWED_ORIGINS": "", "JWT_TTL_SECONDS": "604800", "DEV_LOGIN": "0"}
}`)},
	}
	src := filepath.Join("..", "..", "worker", "migrations")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatalf("read the worker's migrations: %v", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			fsys["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	// A name with a quote: recorded through a bound parameter, never
	// spliced into SQL.
	fsys["migrations/9000_o'brien.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\nINSERT INTO notes (body) VALUES ('it''s; fine');\n")}
	b, err := LoadBundle(fsys)
	if err != nil {
		t.Fatalf("test bundle: %v", err)
	}
	return b
}

// openDB opens the fake's SQLite file of the D1 database.
func (h *harness) openDB() *sql.DB {
	h.t.Helper()
	path, ok := h.fake.DatabaseFile("worktime")
	if !ok {
		h.t.Fatal("no D1 database worktime")
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

type migrationRow struct {
	ID        int64
	Name      string
	AppliedAt string
}

func (h *harness) migrationRows() []migrationRow {
	h.t.Helper()
	rows, err := h.openDB().Query("SELECT id, name, applied_at FROM d1_migrations ORDER BY id")
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.ID, &r.Name, &r.AppliedAt); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (h *harness) tables() []string {
	h.t.Helper()
	rows, err := h.openDB().Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// assertDeployed checks the account holds exactly what a complete deploy of
// h.bundle leaves.
func (h *harness) assertDeployed() {
	h.t.Helper()
	if got := h.fake.Databases(); len(got) != 1 || got[0] != "worktime" {
		h.t.Fatalf("databases = %v, want [worktime]", got)
	}
	ns := h.fake.Namespaces()
	var nsID string
	for id, title := range ns {
		if title == "worktime-kv" {
			nsID = id
		}
	}
	if len(ns) != 1 || nsID == "" {
		h.t.Fatalf("namespaces = %v, want one worktime-kv", ns)
	}
	var names []string
	for _, m := range h.bundle.Migrations {
		names = append(names, m.Name)
	}
	rows := h.migrationRows()
	var got []string
	for i, r := range rows {
		got = append(got, r.Name)
		if r.ID != int64(i+1) || r.AppliedAt == "" {
			h.t.Errorf("d1_migrations row %d = %+v, want id %d and applied_at set", i, r, i+1)
		}
	}
	if strings.Join(got, "|") != strings.Join(names, "|") {
		h.t.Fatalf("d1_migrations = %q, want %q", got, names)
	}
	for _, table := range []string{"users", "sessions", "revoked_tokens", "notes"} {
		if !containsString(h.tables(), table) {
			h.t.Errorf("table %s missing; tables %v", table, h.tables())
		}
	}
	var body string
	if err := h.openDB().QueryRow("SELECT body FROM notes").Scan(&body); err != nil || body != "it's; fine" {
		h.t.Errorf("notes row = %q, %v; want the quoted text applied once", body, err)
	}
	sc, ok := h.fake.Script("worktime")
	if !ok {
		h.t.Fatal("no script worktime")
	}
	if !bytes.Equal(sc.Modules[ModuleName], h.bundle.Script) || sc.MainModule != ModuleName {
		h.t.Errorf("uploaded module %q (main %q) is not the bundle's script", sc.Modules[ModuleName], sc.MainModule)
	}
	if sc.ContentTypes[ModuleName] != "application/javascript+module" {
		h.t.Errorf("content type %q", sc.ContentTypes[ModuleName])
	}
	if sc.CompatibilityDate != "2026-04-20" {
		h.t.Errorf("compatibility date %q", sc.CompatibilityDate)
	}
	dbID, _ := h.fake.DatabaseID("worktime")
	want := map[string]string{
		"DB": "d1:" + dbID, "KV": "kv_namespace:" + nsID, "RATE_LIMITER": "ratelimit:1001",
		"GITHUB_OAUTH_BASE": "plain_text:https://github.com", "GITHUB_API_BASE": "plain_text:https://api.github.com",
		"ALLOWED_ORIGINS": "plain_text:", "JWT_TTL_SECONDS": "plain_text:604800", "DEV_LOGIN": "plain_text:0",
		VarWorkerVersion: "plain_text:" + h.bundle.Version,
	}
	have := map[string]string{}
	for _, b := range sc.Bindings {
		name, typ := b["name"].(string), b["type"].(string)
		switch typ {
		case "d1":
			have[name] = typ + ":" + b["database_id"].(string)
		case "kv_namespace", "ratelimit":
			have[name] = typ + ":" + b["namespace_id"].(string)
		case "plain_text":
			have[name] = typ + ":" + b["text"].(string)
		}
	}
	for k, v := range want {
		if have[k] != v {
			h.t.Errorf("binding %s = %q, want %q", k, have[k], v)
		}
	}
	if s := sc.Secrets[SecretJWT]; len(s) != 43 {
		h.t.Errorf("JWT_SECRET = %d chars, want 43 (32 random bytes)", len(s))
	}
	if !sc.Subdomain {
		h.t.Error("workers.dev route not enabled")
	}
	if sc.Placement != "smart" {
		h.t.Errorf("placement = %q, want smart", sc.Placement)
	}
	if sc.Observability == nil || !sc.Observability.Enabled {
		h.t.Errorf("observability = %+v, want enabled", sc.Observability)
	}
	if u, _ := h.cfg.ServerURL(); u != "https://worktime.alice.workers.dev" {
		h.t.Errorf("config server URL = %q", u)
	}
}

func routes(reqs []cffake.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Route)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func faultOn(route string) cffake.Fault { return cffake.Fault{Route: route} }
