package cloud

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	cffake "github.com/worktime/worktime/internal/fakes/cloudflare"
)

func TestDeployClean(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.GitHubClientID = "Iv1.abc"
	o.GitHubClientSecret = "gh-client-secret"
	res := h.mustDeploy(o)
	h.assertDeployed()
	if res.URL != "https://worktime.alice.workers.dev" || !res.ConfigUpdated {
		t.Errorf("result = %+v", res)
	}
	if len(res.Applied) != len(h.bundle.Migrations) {
		t.Errorf("applied %v, want all %d", res.Applied, len(h.bundle.Migrations))
	}
	sc, _ := h.fake.Script("worktime")
	if sc.Secrets[SecretGitHubClient] != "gh-client-secret" {
		t.Errorf("GITHUB_CLIENT_SECRET = %q", sc.Secrets[SecretGitHubClient])
	}
	var clientID string
	for _, b := range sc.Bindings {
		if b["name"] == VarGitHubClientID {
			clientID, _ = b["text"].(string)
		}
	}
	if clientID != "Iv1.abc" {
		t.Errorf("GITHUB_CLIENT_ID = %q", clientID)
	}
	if !slices.Equal(sc.Crons, []string{"*/5 * * * *"}) {
		t.Errorf("Cron Triggers = %q, want the bundle's", sc.Crons)
	}
	out := h.out.String()
	last := -1
	for i, title := range []string{"D1 database worktime", "KV namespace worktime-kv", "D1 migrations", "Worker worktime", "Secrets", "Cron Triggers", "workers.dev route", "Daemon config"} {
		at := strings.Index(out, fmt.Sprintf("[%d/8] %s: ", i+1, title))
		if at <= last {
			t.Errorf("step %d (%s) missing or out of order:\n%s", i+1, title, out)
		}
		last = at
	}
	for _, want := range []string{"D1 database worktime: created (", "KV namespace worktime-kv: created (", "  - created D1 database worktime\n", "uploaded worker 0.1.0+", "generated JWT_SECRET", "Backend: https://worktime.alice.workers.dev"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDeployRerunChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.mustDeploy(h.opts())
	first, _ := h.fake.Script("worktime")
	rowsBefore := h.migrationRows()
	h.fake.ResetRequests()
	h.out.Reset()

	res := h.mustDeploy(h.opts())
	if w := h.fake.Writes(); len(w) != 0 {
		t.Fatalf("re-run wrote: %v", routes(w))
	}
	if len(res.Changes) != 0 {
		t.Errorf("re-run changes = %v", res.Changes)
	}
	second, _ := h.fake.Script("worktime")
	if second.Secrets[SecretJWT] != first.Secrets[SecretJWT] || second.Uploads != 1 {
		t.Errorf("JWT secret or upload changed: uploads %d", second.Uploads)
	}
	if got := h.migrationRows(); len(got) != len(rowsBefore) {
		t.Errorf("d1_migrations grew: %v", got)
	}
	if !strings.Contains(h.out.String(), "Nothing to change") || !strings.Contains(h.out.String(), "JWT_SECRET kept") {
		t.Errorf("output:\n%s", h.out)
	}
	h.assertDeployed()
}

func TestDeployNewVersionKeepsSecrets(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.GitHubClientID = "Iv1.first"
	o.GitHubClientSecret = "gh-secret"
	h.mustDeploy(o)
	first, _ := h.fake.Script("worktime")

	h.bundle = testBundle(t, "0.2.0")
	h.mustDeploy(h.opts()) // no client id or secret given this time
	second, _ := h.fake.Script("worktime")
	if second.Uploads != 2 || second.Tag != h.bundle.Version {
		t.Fatalf("uploads %d tag %q, want the new version uploaded", second.Uploads, second.Tag)
	}
	if second.Secrets[SecretJWT] != first.Secrets[SecretJWT] || second.Secrets[SecretGitHubClient] != "gh-secret" {
		t.Error("an upload dropped or changed the secrets")
	}
	for _, b := range second.Bindings {
		if b["name"] == VarGitHubClientID && b["text"] != "Iv1.first" {
			t.Errorf("GITHUB_CLIENT_ID = %v, want the deployed one kept", b["text"])
		}
	}
	h.assertDeployed()
}

// TestDeployResumesAfterFailure injects a failure at each step; the next
// run completes and leaves what a clean deploy leaves, with the JWT secret
// generated exactly once.
func TestDeployResumesAfterFailure(t *testing.T) {
	h0 := newHarness(t)
	tests := []struct {
		name  string
		fault cffake.Fault
	}{
		{"list databases", cffake.Fault{Route: "d1.list"}},
		{"create database", cffake.Fault{Route: "d1.create"}},
		{"list namespaces", cffake.Fault{Route: "kv.list"}},
		{"create namespace", cffake.Fault{Route: "kv.create"}},
		{"create migrations table", cffake.Fault{Route: "d1.query"}},
		{"read applied migrations", cffake.Fault{Route: "d1.query", Skip: 1}},
		{"first migration", cffake.Fault{Route: "d1.query", Skip: 2}},
		{"last migration", cffake.Fault{Route: "d1.query", Skip: 1 + len(h0.bundle.Migrations)}},
		{"read script", cffake.Fault{Route: "script.settings"}},
		{"upload script", cffake.Fault{Route: "script.upload"}},
		{"list secrets", cffake.Fault{Route: "secret.list"}},
		{"put JWT secret", cffake.Fault{Route: "secret.put"}},
		{"put GitHub secret", cffake.Fault{Route: "secret.put", Skip: 1}},
		{"account subdomain", cffake.Fault{Route: "account.subdomain"}},
		{"read route", cffake.Fault{Route: "subdomain.get"}},
		{"enable route", cffake.Fault{Route: "subdomain.set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.AddFault(tt.fault)
			o := h.opts()
			o.GitHubClientSecret = "gh-secret"
			_, err := h.deploy(o)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != 500 {
				t.Fatalf("first run: err = %v, want the injected 500", err)
			}
			if !strings.Contains(err.Error(), "injected fault") {
				t.Errorf("error %q lacks Cloudflare's message", err)
			}
			jwtBefore := ""
			if sc, ok := h.fake.Script("worktime"); ok {
				jwtBefore = sc.Secrets[SecretJWT]
			}
			h.mustDeploy(o)
			h.assertDeployed()
			sc, _ := h.fake.Script("worktime")
			if jwtBefore != "" && sc.Secrets[SecretJWT] != jwtBefore {
				t.Error("the re-run regenerated JWT_SECRET")
			}
			if sc.Secrets[SecretGitHubClient] != "gh-secret" {
				t.Error("GITHUB_CLIENT_SECRET not set")
			}
		})
	}
}

func TestDeployAuthErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness) (token string)
		check func(t *testing.T, err error)
	}{
		{"invalid token (401)", func(h *harness) string { return "wrong-token" }, func(t *testing.T, err error) {
			if !errors.Is(err, ErrBadToken) {
				t.Errorf("err = %v, want ErrBadToken", err)
			}
		}},
		{"malformed token (400, 6003)", func(h *harness) string {
			h.fake.AddFault(cffake.Fault{Route: "d1.list", Status: 400, Code: 6003, Message: "Invalid request headers"})
			return testToken
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrBadToken) {
				t.Errorf("err = %v, want ErrBadToken", err)
			}
		}},
		{"other 400 is not about the token", func(h *harness) string {
			h.fake.AddFault(cffake.Fault{Route: "d1.list", Status: 400, Code: 7400, Message: "The request is malformed"})
			return testToken
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if errors.Is(err, ErrBadToken) || !errors.As(err, &apiErr) || apiErr.Code != 7400 {
				t.Errorf("err = %v, want an APIError with code 7400", err)
			}
		}},
		{"no D1 permission (403)", func(h *harness) string {
			h.fake.SetPermissions(cffake.PermKV, cffake.PermScripts)
			return testToken
		}, wantPermission(PermD1)},
		{"no KV permission (403)", func(h *harness) string {
			h.fake.SetPermissions(cffake.PermD1, cffake.PermScripts)
			return testToken
		}, wantPermission(PermKV)},
		{"no Workers Scripts permission (403)", func(h *harness) string {
			h.fake.SetPermissions(cffake.PermD1, cffake.PermKV)
			return testToken
		}, wantPermission(PermScripts)},
		{"no workers.dev subdomain", func(h *harness) string {
			h.fake.SetSubdomain("")
			return testToken
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrNoSubdomain) {
				t.Errorf("err = %v, want ErrNoSubdomain", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			token := tt.setup(h)
			_, err := h.deployer(token).Deploy(context.Background(), h.opts())
			if err == nil {
				t.Fatal("deploy succeeded")
			}
			tt.check(t, err)
			if strings.Contains(err.Error(), testToken) || strings.Contains(h.out.String(), testToken) {
				t.Error("the token leaked into the error or the output")
			}
		})
	}
}

func TestDeployRefusesNewerDatabase(t *testing.T) {
	h := newHarness(t)
	h.mustDeploy(h.opts())
	if _, err := h.openDB().Exec("INSERT INTO d1_migrations (name) VALUES ('9500_from_the_future.sql')"); err != nil {
		t.Fatal(err)
	}
	h.fake.ResetRequests()
	h.bundle = testBundle(t, "0.0.9")
	_, err := h.deploy(h.opts())
	if !errors.Is(err, ErrNewerDatabase) || !strings.Contains(err.Error(), "9500_from_the_future.sql") {
		t.Fatalf("err = %v, want ErrNewerDatabase naming the migration", err)
	}
	if w := h.fake.Writes(); len(w) != 0 {
		t.Errorf("deploy over a newer database wrote %v", routes(w))
	}
}

func TestDeployUnknownAccount(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.AccountID = strings.Repeat("f", 32)
	_, err := h.deploy(o)
	if !errors.Is(err, ErrNoAccount) {
		t.Fatalf("err = %v, want ErrNoAccount", err)
	}
}

func wantPermission(p Permission) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var pe *PermissionError
		if !errors.As(err, &pe) || pe.Permission != p {
			t.Fatalf("err = %v, want a PermissionError for %q", err, p)
		}
		if !strings.Contains(err.Error(), string(p)) {
			t.Errorf("message %q does not name the permission", err)
		}
	}
}

// TestDeployHonoursRetryAfter: a 429 waits exactly Retry-After on the
// injected clock, then the call is retried and deploy completes.
func TestDeployHonoursRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.fake.AddFault(cffake.Fault{Route: "kv.create", Status: 429, Code: 971, Message: "Please wait and consider throttling your request speed", RetryAfter: "7"})
	done := make(chan error, 1)
	go func() {
		_, err := h.deploy(h.opts())
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("no retry timer: %v", err)
	}
	if at, _ := h.clk.NextDeadline(); !at.Equal(t0.Add(7 * time.Second)) {
		t.Fatalf("retry at %v, want Retry-After 7s after %v", at, t0)
	}
	select {
	case err := <-done:
		t.Fatalf("deploy returned before the wait was over: %v", err)
	default:
	}
	h.clk.Advance(7 * time.Second)
	if err := <-done; err != nil {
		t.Fatalf("deploy: %v", err)
	}
	h.assertDeployed()
	var kvCreates int
	for _, r := range h.fake.Requests() {
		if r.Route == "kv.create" {
			kvCreates++
		}
	}
	if kvCreates != 2 {
		t.Errorf("kv.create called %d times, want 2 (429 then retry)", kvCreates)
	}
}

func TestDeployStopsWaitingWhenCancelled(t *testing.T) {
	h := newHarness(t)
	h.fake.AddFault(cffake.Fault{Route: "d1.list", Status: 429, RetryAfter: "60"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.deployer(testToken).Deploy(ctx, h.opts())
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := h.clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-wctx.Done():
		t.Fatal("deploy kept waiting after its context was cancelled")
	}
	if h.clk.PendingTimers() != 0 {
		t.Error("the retry timer was not stopped")
	}
}

func TestDeployPersistentRateLimit(t *testing.T) {
	h := newHarness(t)
	h.fake.AddFault(cffake.Fault{Route: "d1.list", Status: 429, Times: 100, RetryAfter: "3"})
	done := make(chan error, 1)
	go func() {
		_, err := h.deploy(h.opts())
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		select {
		case err := <-done:
			var rl *RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
				t.Fatalf("err = %v, want a RateLimitError with Retry-After 3s", err)
			}
			if !strings.Contains(err.Error(), "try again in 3s") {
				t.Errorf("message %q", err)
			}
			if n := len(h.fake.Requests()); n != 5 {
				t.Errorf("%d requests, want 5 (1 + 4 retries)", n)
			}
			return
		default:
		}
		wctx, wcancel := context.WithTimeout(ctx, 50*time.Millisecond)
		if h.clk.WaitForTimers(wctx, 1) == nil {
			h.clk.Advance(3 * time.Second)
		}
		wcancel()
		if ctx.Err() != nil {
			t.Fatal("deploy did not give up")
		}
	}
}

func TestDryRunMakesNoWriteCall(t *testing.T) {
	t.Run("empty account", func(t *testing.T) {
		h := newHarness(t)
		o := h.opts()
		o.DryRun = true
		o.GitHubClientSecret = "gh"
		res, err := h.deploy(o)
		if err != nil {
			t.Fatal(err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Fatalf("dry run wrote: %v", routes(w))
		}
		for _, r := range h.fake.Requests() {
			if r.Method != "GET" {
				t.Errorf("dry run on an empty account called %s %s", r.Method, r.Path)
			}
		}
		if len(h.fake.Databases()) != 0 || len(h.fake.Scripts()) != 0 || len(h.fake.Namespaces()) != 0 {
			t.Error("dry run created something")
		}
		if u, _ := h.cfg.ServerURL(); u != "" {
			t.Errorf("dry run wrote the config: %q", u)
		}
		for _, want := range []string{"would create D1 database worktime", "would create KV namespace worktime-kv", "would apply 0001_", "would upload worker", "would generate JWT_SECRET", "would set GITHUB_CLIENT_SECRET", "would enable https://worktime.alice.workers.dev", "would set server_url"} {
			if !strings.Contains(strings.Join(res.Changes, "\n"), want) {
				t.Errorf("plan lacks %q: %v", want, res.Changes)
			}
		}
	})
	t.Run("deployed account, new version", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		path, _ := h.fake.DatabaseFile("worktime")
		before := fileSum(t, path)
		h.fake.ResetRequests()
		h.bundle = testBundle(t, "0.3.0")
		o := h.opts()
		o.DryRun = true
		res, err := h.deploy(o)
		if err != nil {
			t.Fatal(err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Fatalf("dry run wrote: %v", routes(w))
		}
		if fileSum(t, path) != before {
			t.Error("dry run changed the D1 file")
		}
		if len(res.Changes) != 1 || !strings.Contains(res.Changes[0], "would update worker 0.1.0+") {
			t.Errorf("plan = %v, want only the worker update", res.Changes)
		}
	})
	t.Run("deployed account, same version", func(t *testing.T) {
		h := newHarness(t)
		h.mustDeploy(h.opts())
		h.fake.ResetRequests()
		h.out.Reset()
		o := h.opts()
		o.DryRun = true
		if _, err := h.deploy(o); err != nil {
			t.Fatal(err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Fatalf("dry run wrote: %v", routes(w))
		}
		if !strings.Contains(h.out.String(), "deploy would change nothing") {
			t.Errorf("output:\n%s", h.out)
		}
	})
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestDeployConfig(t *testing.T) {
	const url = "https://worktime.alice.workers.dev"
	tests := []struct {
		name     string
		existing string
		answer   *bool // nil: must not ask
		want     string
		// The client ID follows the server URL when it points here.
		wantClientID string
	}{
		{"empty is set without asking", "", nil, url, "Iv1.new"},
		{"same is left alone", url, nil, url, "Iv1.new"},
		{"other replaced on yes", "https://old.example", ptr(true), url, "Iv1.new"},
		{"other kept on no", "https://old.example", ptr(false), "https://old.example", "Iv1.old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.cfg.url, h.cfg.clientID = tt.existing, "Iv1.old"
			d := h.deployer(testToken)
			asked := false
			d.Confirm = func(q string) (bool, error) {
				asked = true
				if !strings.Contains(q, tt.existing) || !strings.Contains(q, url) {
					t.Errorf("question %q names neither URL", q)
				}
				return *tt.answer, nil
			}
			o := h.opts()
			o.GitHubClientID = "Iv1.new"
			if _, err := d.Deploy(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			if asked != (tt.answer != nil) {
				t.Errorf("asked = %v", asked)
			}
			if h.cfg.url != tt.want || h.cfg.clientID != tt.wantClientID {
				t.Errorf("config = %q, %q; want %q, %q", h.cfg.url, h.cfg.clientID, tt.want, tt.wantClientID)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDeployRefusesWithoutBundle(t *testing.T) {
	h := newHarness(t)
	d := h.deployer(testToken)
	d.Bundle = nil
	_, err := d.Deploy(context.Background(), h.opts())
	if !errors.Is(err, ErrNoBundle) || !strings.Contains(err.Error(), "built without the worker bundle: run make build") {
		t.Fatalf("err = %v", err)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("%d API calls without a bundle", n)
	}
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		want   string
	}{
		{"no account", Target{Name: "worktime"}, "--account-id is required"},
		{"short account", Target{AccountID: "abc", Name: "worktime"}, "not 32 hexadecimal digits"},
		{"upper-case name", Target{AccountID: testAccount, Name: "WorkTime"}, "lowercase"},
		{"dash at the end", Target{AccountID: testAccount, Name: "worktime-"}, "lowercase"},
		{"empty name", Target{AccountID: testAccount}, "lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.target.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if err := (Target{AccountID: testAccount, Name: "my-backend2"}).Validate(); err != nil {
		t.Fatalf("valid target refused: %v", err)
	}
}

func TestTokenFromEnv(t *testing.T) {
	if _, err := TokenFromEnv(func(string) string { return "  " }); !errors.Is(err, ErrNoToken) {
		t.Fatalf("blank token: err = %v", err)
	}
	got, err := TokenFromEnv(func(k string) string {
		if k == TokenEnv {
			return "tok\n"
		}
		return ""
	})
	if err != nil || got != "tok" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestClientSendsOnlyTheToken(t *testing.T) {
	t.Setenv("CLOUDFLARE_API_KEY", "legacy-key")
	t.Setenv("CLOUDFLARE_EMAIL", "a@example.com")
	h := newHarness(t)
	h.mustDeploy(h.opts())
	h.assertDeployed()
}

// Every kind of binding the bundle can ask for reaches the upload with its
// fields, including a non-string var (a json binding) and compatibility
// flags, which the worker's own configuration does not use today.
func TestDeployUploadsEveryBindingKind(t *testing.T) {
	h := newHarness(t)
	h.bundle.Config.Vars["LIMITS"] = map[string]any{"max": 5.0}
	h.bundle.Config.CompatibilityFlags = []string{"nodejs_compat"}
	h.mustDeploy(h.opts())
	sc, ok := h.fake.Script("worktime")
	if !ok {
		t.Fatal("no script uploaded")
	}
	byName := map[string]map[string]any{}
	for _, b := range sc.Bindings {
		byName[b["name"].(string)] = b
	}
	dbID, _ := h.fake.DatabaseID("worktime")
	var kvID string
	for id, title := range h.fake.Namespaces() {
		if title == "worktime-kv" {
			kvID = id
		}
	}
	checks := []struct {
		name, field string
		want        any
	}{
		{"DB", "type", "d1"}, {"DB", "database_id", dbID},
		{"KV", "type", "kv_namespace"}, {"KV", "namespace_id", kvID},
		{"RATE_LIMITER", "type", "ratelimit"}, {"RATE_LIMITER", "namespace_id", "1001"},
		{"RATE_LIMITER", "simple", map[string]any{"limit": 100.0, "period": 60.0}},
		{"GITHUB_API_BASE", "type", "plain_text"}, {"GITHUB_API_BASE", "text", "https://api.github.com"},
		{"LIMITS", "type", "json"}, {"LIMITS", "json", map[string]any{"max": 5.0}},
	}
	for _, c := range checks {
		if got := byName[c.name][c.field]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("binding %s: %s = %#v, want %#v", c.name, c.field, got, c.want)
		}
	}
	if !reflect.DeepEqual(sc.CompatibilityFlag, []string{"nodejs_compat"}) {
		t.Errorf("compatibility flags = %v", sc.CompatibilityFlag)
	}
	if got := byName[VarWorkerVersion]["text"]; got != h.bundle.Version {
		t.Errorf("%s = %v, want %s", VarWorkerVersion, got, h.bundle.Version)
	}
	// The first deploy's JWT secret made a version without annotations;
	// an upload that changes no secret keeps them.
	h.bundle = testBundle(t, "0.2.0")
	h.mustDeploy(h.opts())
	sc, _ = h.fake.Script("worktime")
	if sc.Tag != h.bundle.Version || sc.Message != "worktimed cloud deploy "+h.bundle.Version {
		t.Errorf("annotations = %q, %q", sc.Tag, sc.Message)
	}
}

// A secret change deploys a version without the upload's workers/tag, as the
// API does: deploy and status must still know the deployed bundle.
func TestDeployAfterSecretChangeChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.mustDeploy(h.opts())
	o := h.opts()
	o.GitHubClientSecret = "gh-secret"
	h.mustDeploy(o)
	if sc, _ := h.fake.Script("worktime"); sc.Tag != "" || sc.TriggeredBy != "secret" {
		t.Fatalf("the fake kept the tag %q after a secret change (triggered by %q)", sc.Tag, sc.TriggeredBy)
	}
	h.fake.ResetRequests()
	res := h.mustDeploy(h.opts())
	if w := h.fake.Writes(); len(w) != 0 || len(res.Changes) != 0 {
		t.Fatalf("re-run after a secret change wrote %v (changes %v)", routes(w), res.Changes)
	}
	if sc, _ := h.fake.Script("worktime"); sc.Uploads != 1 {
		t.Errorf("uploads = %d, want 1", sc.Uploads)
	}
	h.out.Reset()
	st, err := h.deployer(testToken).Status(context.Background(), h.opts().Target)
	if err != nil {
		t.Fatal(err)
	}
	if st.Worker == nil || st.Worker.Version != h.bundle.Version || !st.Worker.Matches {
		t.Errorf("status worker = %+v, want %s matching\n%s", st.Worker, h.bundle.Version, h.out)
	}
	if strings.Contains(h.out.String(), "not deployed by worktimed") {
		t.Errorf("status output:\n%s", h.out)
	}
}

// Migrations apply and their results check out whether D1 answers one
// result per statement (the API) or one per query.
func TestDeployMigrationsEitherResultShape(t *testing.T) {
	for _, perItem := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneResultPerItem=%v", perItem), func(t *testing.T) {
			h := newHarnessWith(t, cffake.Options{Subdomain: "alice", OneResultPerItem: perItem})
			res := h.mustDeploy(h.opts())
			if len(res.Applied) != len(h.bundle.Migrations) {
				t.Errorf("applied %v", res.Applied)
			}
			h.assertDeployed()
			h.fake.ResetRequests()
			h.mustDeploy(h.opts())
			if w := h.fake.Writes(); len(w) != 0 {
				t.Fatalf("re-run wrote: %v", routes(w))
			}
		})
	}
}

func TestMigrationQuery(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"CREATE TABLE a (x);\n", "CREATE TABLE a (x);\nINSERT INTO d1_migrations (name) VALUES ('0001_o''k.sql');"},
		{"CREATE TABLE a (x)", "CREATE TABLE a (x)\n;\nINSERT INTO d1_migrations (name) VALUES ('0001_o''k.sql');"},
		{"CREATE TABLE a (x);\n-- done", "CREATE TABLE a (x);\n-- done\n;\nINSERT INTO d1_migrations (name) VALUES ('0001_o''k.sql');"},
	}
	for _, tt := range tests {
		if got := migrationQuery(Migration{Name: "0001_o'k.sql", SQL: tt.sql}); got != tt.want {
			t.Errorf("migrationQuery(%q)\n got %q\nwant %q", tt.sql, got, tt.want)
		}
	}
}

// An account without a workers.dev subdomain is recognised by error code
// 10007 whatever the HTTP status, as wrangler does, and by a 404.
func TestDeployMissingSubdomain(t *testing.T) {
	for _, status := range []int{404, 400, 200} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			h := newHarness(t)
			h.fake.AddFault(cffake.Fault{Route: "account.subdomain", Status: status, Code: 10007, Message: "haven't registered workers.dev"})
			_, err := h.deploy(h.opts())
			if !errors.Is(err, ErrNoSubdomain) {
				t.Fatalf("err = %v, want ErrNoSubdomain", err)
			}
		})
	}
}

// A script uploaded without Smart Placement and Workers Logs (an older
// worktimed, or changed in the dashboard) is uploaded again with them; then
// a re-run is a no-op again.
func TestDeployRestoresPlacementAndObservability(t *testing.T) {
	h := newHarness(t)
	placement, obs := h.bundle.Config.Placement, h.bundle.Config.Observability
	if placement == nil || obs == nil {
		t.Fatal("the test bundle asks for no placement or observability")
	}
	h.bundle.Config.Placement, h.bundle.Config.Observability = nil, nil
	h.mustDeploy(h.opts())
	if sc, _ := h.fake.Script("worktime"); sc.Placement != "" || sc.Observability != nil {
		t.Fatalf("uploaded placement %q, observability %+v without asking", sc.Placement, sc.Observability)
	}

	h.bundle.Config.Placement, h.bundle.Config.Observability = placement, obs
	res := h.mustDeploy(h.opts())
	if !slices.ContainsFunc(res.Changes, func(c string) bool { return strings.HasPrefix(c, "uploaded worker") }) {
		t.Errorf("changes = %v, want the worker uploaded again", res.Changes)
	}
	h.assertDeployed()

	h.fake.ResetRequests()
	res = h.mustDeploy(h.opts())
	if w := h.fake.Writes(); len(w) != 0 || len(res.Changes) != 0 {
		t.Errorf("re-run wrote %v, changes %v", routes(w), res.Changes)
	}
}

// Cron Triggers removed (or changed) in the dashboard are set back to the
// bundle's; a deploy that finds them current changes nothing.
func TestDeployRestoresCronTriggers(t *testing.T) {
	h := newHarness(t)
	h.mustDeploy(h.opts())
	h.fake.SetCrons("worktime", nil)
	h.fake.ResetRequests()
	res := h.mustDeploy(h.opts())
	if w := routes(h.fake.Writes()); !slices.Equal(w, []string{"schedules.set"}) {
		t.Errorf("writes = %v, want only schedules.set", w)
	}
	if !slices.Equal(res.Changes, []string{"set Cron Triggers: */5 * * * *"}) {
		t.Errorf("changes = %q", res.Changes)
	}
	if sc, _ := h.fake.Script("worktime"); !slices.Equal(sc.Crons, []string{"*/5 * * * *"}) {
		t.Errorf("Cron Triggers = %q", sc.Crons)
	}
	h.fake.ResetRequests()
	if res := h.mustDeploy(h.opts()); len(res.Changes) != 0 || len(h.fake.Writes()) != 0 {
		t.Errorf("a current deploy changed %q", res.Changes)
	}
}
