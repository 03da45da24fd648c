package cloud

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestStatus(t *testing.T) {
	t.Run("empty account", func(t *testing.T) {
		h := newHarness(t)
		st, err := h.deployer(testToken).Status(context.Background(), h.opts().Target)
		if err != nil {
			t.Fatal(err)
		}
		if st.Database != nil || st.KV != nil || st.Worker != nil {
			t.Errorf("status = %+v, want nothing", st)
		}
		for _, want := range []string{"D1 database worktime: missing", "KV namespace worktime-kv: missing", "Worker worktime: missing"} {
			if !strings.Contains(h.out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, h.out)
			}
		}
	})
	t.Run("deployed, same version", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		h.fake.ResetRequests()
		h.out.Reset()
		st, err := h.deployer(testToken).Status(context.Background(), h.opts().Target)
		if err != nil {
			t.Fatal(err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Errorf("status wrote: %v", routes(w))
		}
		if st.Database == nil || st.Database.Size <= 0 || len(st.Database.Pending) != 0 || len(st.Database.Applied) != len(h.bundle.Migrations) {
			t.Fatalf("database status = %+v", st.Database)
		}
		for _, table := range []string{"d1_migrations", "users", "sessions", "revoked_tokens"} {
			if !containsString(st.Database.Tables, table) {
				t.Errorf("tables %v lack %s", st.Database.Tables, table)
			}
		}
		if st.KV == nil || st.Worker == nil || !st.Worker.Matches || st.URL != "https://worktime.alice.workers.dev" {
			t.Errorf("status = %+v / %+v", st, st.Worker)
		}
		if !containsString(st.Worker.Secrets, SecretJWT) {
			t.Errorf("secrets = %v", st.Worker.Secrets)
		}
		for _, want := range []string{"of the 500 MB Workers Free cap", "of the 10 GB Workers Paid cap", "matches this binary", "route: https://worktime.alice.workers.dev"} {
			if !strings.Contains(h.out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, h.out)
			}
		}
	})
	t.Run("older deployment", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		old := h.bundle.Version
		h.bundle = testBundle(t, "0.4.0")
		h.bundle.Migrations = append(h.bundle.Migrations, Migration{Name: "9999_next.sql", SQL: "CREATE TABLE next (id INTEGER);"})
		h.out.Reset()
		st, err := h.deployer(testToken).Status(context.Background(), h.opts().Target)
		if err != nil {
			t.Fatal(err)
		}
		if st.Worker.Matches || st.Worker.Version != old {
			t.Errorf("worker status = %+v, want the old version, not matching", st.Worker)
		}
		if len(st.Database.Pending) != 1 || st.Database.Pending[0] != "9999_next.sql" {
			t.Errorf("pending = %v", st.Database.Pending)
		}
		if !strings.Contains(h.out.String(), "run worktimed cloud deploy to update") {
			t.Errorf("output:\n%s", h.out)
		}
	})
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {86016, "84 kB"}, {D1CapFree, "500 MB"}, {D1CapPaid, "10 GB"}, {1536 << 20, "1.5 GB"}}
	for _, tt := range tests {
		if got := humanBytes(tt.n); got != tt.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestDestroy(t *testing.T) {
	t.Run("without --yes changes nothing", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		h.fake.ResetRequests()
		h.out.Reset()
		err := h.deployer(testToken).Destroy(context.Background(), h.opts().Target, false)
		if !errors.Is(err, ErrNeedYes) {
			t.Fatalf("err = %v, want ErrNeedYes", err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Fatalf("destroy without --yes wrote: %v", routes(w))
		}
		if !strings.Contains(h.out.String(), "WARNING: deleting the D1 database deletes every synced session") {
			t.Errorf("no warning:\n%s", h.out)
		}
		h.assertDeployed()
	})
	t.Run("with --yes removes everything, database last", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		h.fake.ResetRequests()
		if err := h.deployer(testToken).Destroy(context.Background(), h.opts().Target, true); err != nil {
			t.Fatal(err)
		}
		got := routes(h.fake.Writes())
		want := []string{"script.delete", "kv.delete", "d1.delete"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("writes = %v, want %v", got, want)
		}
		if len(h.fake.Databases())+len(h.fake.Namespaces())+len(h.fake.Scripts()) != 0 {
			t.Error("something survived destroy")
		}
		// The warning is printed before the first delete.
		out := h.out.String()
		if strings.Index(out, "WARNING") > strings.Index(out, "Deleted Worker") {
			t.Errorf("warning after the deletes:\n%s", out)
		}
	})
	t.Run("interrupted destroy completes", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		h.fake.AddFault(faultOn("kv.delete"))
		if err := h.deployer(testToken).Destroy(context.Background(), h.opts().Target, true); err == nil {
			t.Fatal("destroy succeeded through a fault")
		}
		if len(h.fake.Databases()) != 1 {
			t.Fatal("the database went before the namespace")
		}
		if err := h.deployer(testToken).Destroy(context.Background(), h.opts().Target, true); err != nil {
			t.Fatal(err)
		}
		if len(h.fake.Databases())+len(h.fake.Namespaces())+len(h.fake.Scripts()) != 0 {
			t.Error("something survived destroy")
		}
	})
	t.Run("nothing to destroy", func(t *testing.T) {
		h := newHarness(t)
		if err := h.deployer(testToken).Destroy(context.Background(), h.opts().Target, true); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(h.out.String(), "Nothing to destroy") {
			t.Errorf("output:\n%s", h.out)
		}
	})
}

// TestTokenNeverInOutputOrFiles runs every command and error path and then
// looks for the token in the output, the errors and every file written.
func TestTokenNeverInOutputOrFiles(t *testing.T) {
	h := newHarness(t)
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	o := h.opts()
	o.GitHubClientSecret = "gh"
	_, err := h.deploy(o)
	collect(err)
	h.fake.AddFault(faultOn("script.upload"))
	h.bundle = testBundle(t, "0.5.0")
	_, err = h.deploy(o)
	collect(err)
	_, err = h.deployer(testToken).Status(context.Background(), o.Target)
	collect(err)
	h.fake.SetPermissions()
	_, err = h.deploy(o)
	collect(err)
	collect(h.deployer(testToken).Destroy(context.Background(), o.Target, true))
	if len(errs) < 3 {
		t.Fatalf("want the fault and permission paths to fail, got %v", errs)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error carries the token: %v", err)
		}
	}
	if strings.Contains(h.out.String(), testToken) {
		t.Error("output carries the token")
	}
	if u, _ := h.cfg.ServerURL(); strings.Contains(u, testToken) {
		t.Error("config carries the token")
	}
	scanned := 0
	err = filepath.WalkDir(h.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		if strings.Contains(string(b), testToken) {
			t.Errorf("%s carries the token", path)
		}
		return nil
	})
	if err != nil || scanned == 0 {
		t.Fatalf("scanned %d files: %v", scanned, err)
	}
}

func TestLoadBundleErrors(t *testing.T) {
	good := func() fstest.MapFS {
		return fstest.MapFS{
			"worker.js":             {Data: []byte(testScript)},
			"version":               {Data: []byte("1.2.3\n")},
			"worker.json":           {Data: []byte(`{"compatibility_date":"2026-04-20","d1_databases":[{"binding":"DB"}],"kv_namespaces":[{"binding":"KV"}]}`)},
			"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x);")},
		}
	}
	b, err := LoadBundle(good())
	if err != nil {
		t.Fatalf("good bundle: %v", err)
	}
	if !strings.HasPrefix(b.Version, "1.2.3+") || len(b.Version) != len("1.2.3+")+12 {
		t.Errorf("version = %q", b.Version)
	}
	tests := []struct {
		name   string
		change func(m fstest.MapFS)
		want   string
	}{
		{"no worker.js", func(m fstest.MapFS) { delete(m, "worker.js") }, "built without the worker bundle"},
		{"empty worker.js", func(m fstest.MapFS) { m["worker.js"] = &fstest.MapFile{} }, "worker.js is empty"},
		{"no version", func(m fstest.MapFS) { delete(m, "version") }, "read version"},
		{"bad version", func(m fstest.MapFS) { m["version"] = &fstest.MapFile{Data: []byte("1.0 beta")} }, "is not a version"},
		{"no worker.json", func(m fstest.MapFS) { delete(m, "worker.json") }, "read worker.json"},
		{"bad worker.json", func(m fstest.MapFS) { m["worker.json"] = &fstest.MapFile{Data: []byte("{")} }, "worker.json"},
		{"no compatibility date", func(m fstest.MapFS) {
			m["worker.json"] = &fstest.MapFile{Data: []byte(`{"d1_databases":[{"binding":"DB"}],"kv_namespaces":[{"binding":"KV"}]}`)}
		}, "compatibility_date"},
		{"no D1 binding", func(m fstest.MapFS) {
			m["worker.json"] = &fstest.MapFile{Data: []byte(`{"compatibility_date":"x","kv_namespaces":[{"binding":"KV"}]}`)}
		}, "d1_databases"},
		{"no KV binding", func(m fstest.MapFS) {
			m["worker.json"] = &fstest.MapFile{Data: []byte(`{"compatibility_date":"x","d1_databases":[{"binding":"DB"}]}`)}
		}, "kv_namespaces"},
		{"bad ratelimit", func(m fstest.MapFS) {
			m["worker.json"] = &fstest.MapFile{Data: []byte(`{"compatibility_date":"x","d1_databases":[{"binding":"DB"}],"kv_namespaces":[{"binding":"KV"}],"ratelimits":[{"name":"RL"}]}`)}
		}, "ratelimit"},
		{"bad cron trigger", func(m fstest.MapFS) {
			m["worker.json"] = &fstest.MapFile{Data: []byte(`{"compatibility_date":"x","d1_databases":[{"binding":"DB"}],"kv_namespaces":[{"binding":"KV"}],"triggers":{"crons":["every 5 minutes"]}}`)}
		}, "cron trigger"},
		{"no migrations folder", func(m fstest.MapFS) { delete(m, "migrations/0001_a.sql") }, "migrations/ is missing"},
		{"badly named migration", func(m fstest.MapFS) { m["migrations/init.sql"] = &fstest.MapFile{Data: []byte("x")} }, "not named NNNN_name.sql"},
		{"duplicate number", func(m fstest.MapFS) { m["migrations/0001_b.sql"] = &fstest.MapFile{Data: []byte("x")} }, "share number 0001"},
		{"empty migration", func(m fstest.MapFS) { m["migrations/0002_b.sql"] = &fstest.MapFile{Data: []byte(" \n")} }, "0002_b.sql is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(m)
			_, err := LoadBundle(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
