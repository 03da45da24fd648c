package cli

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	cffake "github.com/worktime/worktime/internal/fakes/cloudflare"
)

const (
	cloudAccount = "0123456789abcdef0123456789abcdef"
	cloudToken   = "cf-TOKEN-cli-never-printed-41d2"
)

type cloudHarness struct {
	t      *testing.T
	home   string
	bundle string
	fake   *cffake.Server
	env    map[string]string
}

func newCloudHarness(t *testing.T) *cloudHarness {
	t.Helper()
	h := &cloudHarness{t: t, home: t.TempDir(), bundle: t.TempDir()}
	fake, err := cffake.New(cffake.Options{Dir: t.TempDir(), AccountID: cloudAccount, Token: cloudToken, Subdomain: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	h.fake = fake
	h.env = map[string]string{
		"WORKTIME_HOME":         h.home,
		"CLOUDFLARE_API_TOKEN":  cloudToken,
		"CLOUDFLARE_BASE_URL":   fake.URL(),
		"CLOUDFLARE_ACCOUNT_ID": cloudAccount,
	}
	files := map[string]string{
		"worker.js":                `export default { fetch() { return new Response("ok"); } };`,
		"version":                  "0.1.0\n",
		"worker.json":              `{"compatibility_date":"2026-04-20","d1_databases":[{"binding":"DB"}],"kv_namespaces":[{"binding":"KV"}],"vars":{"GITHUB_CLIENT_ID":""}}`,
		"migrations/0001_init.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);",
	}
	for name, body := range files {
		p := filepath.Join(h.bundle, name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *cloudHarness) run(stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Options{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: clock.NewFake(t0),
		Getenv:     func(k string) string { return h.env[k] },
		IsTerminal: func(io.Writer) bool { return false },
	})
	return code, out.String(), errb.String()
}

func (h *cloudHarness) serverURL() string {
	h.t.Helper()
	c, err := config.Load(filepath.Join(h.home, "config.toml"))
	if err != nil {
		h.t.Fatal(err)
	}
	return c.Sync.ServerURL
}

func (h *cloudHarness) setServerURL(u string) {
	h.t.Helper()
	c := config.Default()
	c.TimeZone = "UTC"
	c.Sync.ServerURL = u
	if err := config.Save(filepath.Join(h.home, "config.toml"), c); err != nil {
		h.t.Fatal(err)
	}
}

const bobURL = "https://worktime.bob.workers.dev"

func TestCloudDeployWritesConfig(t *testing.T) {
	h := newCloudHarness(t)
	code, out, errs := h.run("", "cloud", "deploy", "--bundle", h.bundle, "--github-client-id", "Iv1.cli")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	c, err := config.Load(filepath.Join(h.home, "config.toml"))
	if err != nil || c.Sync.ServerURL != bobURL || c.Sync.GitHubClientID != "Iv1.cli" {
		t.Errorf("config sync = %+v, %v", c.Sync, err)
	}
	if !strings.Contains(out, "[8/8] Daemon config: set server_url to "+bobURL) {
		t.Errorf("stdout:\n%s", out)
	}
	// Status and a second deploy run cleanly; the second changes nothing.
	if code, out, errs := h.run("", "cloud", "status", "--bundle", h.bundle); code != 0 || !strings.Contains(out, "matches this binary") {
		t.Fatalf("status exit %d: %s\n%s", code, errs, out)
	}
	h.fake.ResetRequests()
	if code, out, _ := h.run("", "cloud", "deploy", "--bundle", h.bundle); code != 0 || !strings.Contains(out, "Nothing to change") {
		t.Fatalf("re-run exit %d:\n%s", code, out)
	}
	if w := h.fake.Writes(); len(w) != 0 {
		t.Errorf("re-run wrote %v", w)
	}
}

func TestCloudDeployShards(t *testing.T) {
	h := newCloudHarness(t)
	code, out, errs := h.run("", "cloud", "deploy", "--bundle", h.bundle, "--shards", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if got := h.fake.Databases(); strings.Join(got, ",") != "worktime,worktime-shard-1" {
		t.Errorf("databases = %v", got)
	}
	code, out, errs = h.run("", "cloud", "status", "--bundle", h.bundle)
	if code != 0 || !strings.Contains(out, "shard 1 of 2)") || !strings.Contains(out, "D1 shards: 2, ") {
		t.Fatalf("status exit %d: %s\n%s", code, errs, out)
	}
}

func TestCloudUsage(t *testing.T) {
	h := newCloudHarness(t)
	if code, _, errs := h.run("", "cloud", "deploy", "--bundle", h.bundle); code != 0 {
		t.Fatalf("deploy: %s", errs)
	}
	id, _ := h.fake.DatabaseID("worktime")
	day := t0.UTC().AddDate(0, 0, -1).Format("2006-01-02")
	h.fake.AddWorkerInvocations(day, "worktime", 2950, 0)
	h.fake.AddD1Analytics(day, id, 28400, 2050, 340)
	h.fake.AddD1Storage(day, id, 3<<20)
	code, out, errs := h.run("", "cloud", "usage")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	for _, want := range []string{day + "        2950        0           28400             2050        3 MB       340ms          0.00%", "Workers Free: fits", "Workers Paid: $5.00/month"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	h.fake.SetPermissions(cffake.PermD1, cffake.PermKV, cffake.PermScripts)
	if code, _, errs := h.run("", "cloud", "usage"); code != ExitFailure || !strings.Contains(errs, "Account Analytics") {
		t.Errorf("without the analytics permission: exit %d, stderr %q", code, errs)
	}
}

// TestCloudDeployPrompt feeds the replace-the-server-URL question through stdin.
func TestCloudDeployPrompt(t *testing.T) {
	const old = "https://old.example"
	tests := []struct {
		name, stdin, want string
	}{
		{"yes", "y\n", bobURL},
		{"YES", "YES\n", bobURL},
		{"no", "n\n", old},
		{"enter", "\n", old},
		{"end of input", "", old},
		{"anything else", "sure\n", old},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newCloudHarness(t)
			h.setServerURL(old)
			code, out, errs := h.run(tt.stdin, "cloud", "deploy", "--bundle", h.bundle)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, "The daemon syncs with "+old+". Replace it with "+bobURL+"? [y/N]") {
				t.Errorf("no question:\n%s", out)
			}
			if got := h.serverURL(); got != tt.want {
				t.Errorf("server_url = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCloudErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *cloudHarness)
		args  []string
		code  int
		want  string
	}{
		{"no subcommand", nil, []string{"cloud"}, ExitUsage, "want a subcommand"},
		{"unknown subcommand", nil, []string{"cloud", "launch"}, ExitUsage, `unknown subcommand "launch"`},
		{"no token", func(h *cloudHarness) { delete(h.env, "CLOUDFLARE_API_TOKEN") }, []string{"cloud", "deploy"}, ExitUsage, "set CLOUDFLARE_API_TOKEN"},
		{"no account", func(h *cloudHarness) { delete(h.env, "CLOUDFLARE_ACCOUNT_ID") }, []string{"cloud", "status"}, ExitUsage, "--account-id is required"},
		{"bad account", nil, []string{"cloud", "status", "--account-id", "xyz"}, ExitUsage, "not 32 hexadecimal digits"},
		{"bad name", nil, []string{"cloud", "status", "--name", "Bad_Name"}, ExitUsage, "lowercase"},
		{"token as an argument", nil, []string{"cloud", "deploy", "--token", "x"}, ExitUsage, "flag provided but not defined"},
		{"bundle folder without worker.js", nil, []string{"cloud", "deploy", "--bundle", "/nonexistent"}, ExitFailure, "no worker.js there"},
		{"destroy without --yes", func(h *cloudHarness) {
			if code, _, errs := h.run("", "cloud", "deploy", "--bundle", h.bundle); code != 0 {
				h.t.Fatalf("deploy: %s", errs)
			}
		}, []string{"cloud", "destroy"}, ExitUsage, "run again with --yes"},
		{"missing permission", func(h *cloudHarness) { h.fake.SetPermissions(cffake.PermD1, cffake.PermScripts) }, []string{"cloud", "deploy", "--bundle", "BUNDLE"}, ExitFailure, "Workers KV Storage · Edit"},
		{"shards out of range", nil, []string{"cloud", "deploy", "--bundle", "BUNDLE", "--shards", "65"}, ExitUsage, "--shards 65: want 1 to 64"},
		{"fewer shards", func(h *cloudHarness) {
			if code, _, errs := h.run("", "cloud", "deploy", "--bundle", h.bundle, "--shards", "3"); code != 0 {
				h.t.Fatalf("deploy: %s", errs)
			}
		}, []string{"cloud", "deploy", "--bundle", "BUNDLE", "--shards", "2"}, ExitFailure, "shards can be added, never removed"},
		{"rate limited", func(h *cloudHarness) {
			h.fake.AddFault(cffake.Fault{Route: "d1.list", Status: 429, Times: 10, RetryAfter: "600"})
		}, []string{"cloud", "deploy", "--bundle", "BUNDLE"}, ExitUnavailable, "try again in 10m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newCloudHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			args := append([]string(nil), tt.args...)
			for i, a := range args {
				if a == "BUNDLE" {
					args[i] = h.bundle
				}
			}
			code, out, errs := h.run("", args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d stderr %q, want %d and %q (stdout %q)", code, errs, tt.code, tt.want, out)
			}
			if strings.Contains(out+errs, cloudToken) {
				t.Error("the token was printed")
			}
		})
	}
}

// TestCloudTokenNeverWritten deploys, checks status and destroys, then looks
// for the token in everything printed and every file under the home folder.
func TestCloudTokenNeverWritten(t *testing.T) {
	h := newCloudHarness(t)
	h.env["GITHUB_CLIENT_SECRET"] = "gh-secret"
	var all strings.Builder
	for _, args := range [][]string{
		{"cloud", "deploy", "--bundle", h.bundle, "--github-client-id", "Iv1.x"},
		{"cloud", "status", "--bundle", h.bundle},
		{"cloud", "destroy", "--yes"},
		{"version"},
	} {
		code, out, errs := h.run("", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		all.WriteString(out + errs)
	}
	if strings.Contains(all.String(), cloudToken) {
		t.Error("the token was printed")
	}
	if !strings.Contains(all.String(), "Deleted D1 database worktime") || !strings.Contains(all.String(), "\nworker ") {
		t.Errorf("output:\n%s", all.String())
	}
	files := 0
	filepath.WalkDir(h.home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		files++
		if bytes.Contains(b, []byte(cloudToken)) {
			t.Errorf("%s contains the token", p)
		}
		return nil
	})
	if files == 0 {
		t.Fatal("deploy wrote no config")
	}
}
