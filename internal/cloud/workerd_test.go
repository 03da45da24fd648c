package cloud

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDeployedBundleRunsInWorkerd deploys the bundle embedded in this
// binary to the fake, takes the module and bindings the fake received, and
// runs exactly those in local workerd with the bundle's migrations: the
// bundle that would be uploaded is the one that answers /health.
//
// It needs the bundle (scripts/bundle-worker.sh, run by make build) and
// worker/node_modules (cd worker && npm ci); without them it fails and says so.
func TestDeployedBundleRunsInWorkerd(t *testing.T) {
	b, err := Embedded()
	if errors.Is(err, ErrNoBundle) {
		t.Fatal("the worker bundle is not embedded: run scripts/bundle-worker.sh (make build) before go test")
	}
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed; this test runs the bundle in workerd through Miniflare")
	}
	if _, err := os.Stat(filepath.Join(root, "worker", "node_modules", "miniflare", "package.json")); err != nil {
		t.Fatal("worker/node_modules is missing: run 'cd worker && npm ci' (or make setup) before go test")
	}
	assertBundleFresh(t, b, filepath.Join(root, "worker", "migrations"))

	h := newHarness(t)
	h.bundle = b
	o := h.opts()
	o.Shards = 2 // two D1 bindings, DB and DB_1, each migrated
	h.mustDeploy(o)
	sc, ok := h.fake.Script("worktime")
	if !ok {
		t.Fatal("nothing uploaded")
	}
	if !bytes.Equal(sc.Modules[ModuleName], b.Script) {
		t.Fatal("the uploaded module differs from the embedded bundle")
	}
	// The scheduled handler that finishes account deletions runs only if
	// deploy sets wrangler.jsonc's Cron Triggers.
	if len(sc.Crons) == 0 || !slices.Equal(sc.Crons, b.Config.Triggers.Crons) {
		t.Fatalf("Cron Triggers set %q, bundle has %q", sc.Crons, b.Config.Triggers.Crons)
	}

	dir := t.TempDir()
	script := filepath.Join(dir, ModuleName)
	write(t, script, sc.Modules[ModuleName])
	upload, _ := json.Marshal(map[string]any{
		"compatibility_date":  sc.CompatibilityDate,
		"compatibility_flags": sc.CompatibilityFlag,
		"bindings":            sc.Bindings,
		"secrets":             sc.Secrets,
	})
	write(t, filepath.Join(dir, "upload.json"), upload)
	migDir := filepath.Join(dir, "migrations")
	os.Mkdir(migDir, 0o700)
	for _, m := range b.Migrations {
		write(t, filepath.Join(migDir, m.Name), []byte(m.SQL))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.Command(node, filepath.Join(root, "scripts", "run-bundle-local.mjs"),
		"--script", script, "--upload", filepath.Join(dir, "upload.json"), "--migrations", migDir)
	cmd.Env = append(os.Environ(), "CI=true", "WRANGLER_SEND_METRICS=false", "CLOUDFLARE_CF_FETCH_ENABLED=false")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		stdin.Close() // the runner stops when stdin closes
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	var url, migrations string
	for url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the runner exited before the worker was up:\n%s", stderr.String())
			}
			if v, ok := strings.CutPrefix(l, "WORKTIME_WORKER_URL="); ok {
				url = v
			}
			if v, ok := strings.CutPrefix(l, "MIGRATIONS="); ok {
				migrations = v
			}
		case <-ctx.Done():
			t.Fatalf("the worker did not start in time:\n%s", stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()

	res, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/health = %d %s", res.StatusCode, body)
	}
	// The deployed JWT_SECRET is the one the runtime verifies with: a token
	// it signed gets past the signature check to the user lookup (D1, KV and
	// the rate limiter all answer), one signed with another secret does not.
	// A token of shard 1 reaches DB_1 (migrated: the user lookup runs); one
	// of shard 2, which this deploy does not bind, is an internal error.
	for _, tc := range []struct {
		secret string
		shard  int
		status int
		want   string
	}{
		{sc.Secrets[SecretJWT], 0, 401, "user no longer exists"},
		{sc.Secrets[SecretJWT], 1, 401, "user no longer exists"},
		{sc.Secrets[SecretJWT], 2, 500, "internal error"},
		{"some-other-secret-of-enough-length", 0, 401, "invalid token"},
	} {
		req, _ := http.NewRequest("GET", url+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+signJWT(tc.secret, tc.shard, time.Now()))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("/api/me (shard %d) = %d %s, want %d %q", tc.shard, res.StatusCode, body, tc.status, tc.want)
		}
	}

	var names []string
	for _, r := range h.migrationRows() {
		names = append(names, r.Name)
	}
	if migrations != strings.Join(names, ",") {
		t.Errorf("workerd applied %q, deploy recorded %q", migrations, names)
	}
	t.Logf("/health: %s (worker %s)", bytes.TrimSpace(body), b.Version)
}

// assertBundleFresh fails when the embedded migrations are not the worker's.
func assertBundleFresh(t *testing.T, b *Bundle, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			want = append(want, e.Name())
		}
	}
	var got []string
	for _, m := range b.Migrations {
		got = append(got, m.Name)
		src, err := os.ReadFile(filepath.Join(dir, m.Name))
		if err != nil || string(src) != m.SQL {
			t.Fatalf("embedded migration %s differs from worker/migrations: run scripts/bundle-worker.sh (make build)", m.Name)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("embedded migrations %v, worker/migrations has %v: run scripts/bundle-worker.sh (make build)", got, want)
	}
}

// signJWT makes an HS256 token for user 1 of a shard the way the worker's
// own are made.
func signJWT(secret string, shard int, now time.Time) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{
		"sub": "1", "login": "octocat", "shard": shard, "iat": now.Unix() - 5, "exp": now.Unix() + 3600, "jti": "test-jti",
	})
	signing := head + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
