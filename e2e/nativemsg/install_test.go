package nativemsge2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree lists every path under root.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInstallUninstall runs `worktimed install` and `uninstall` against a
// temporary HOME with no user service manager reachable: exactly the
// expected files appear, then go again.
func TestInstallUninstall(t *testing.T) {
	home := t.TempDir()
	wtHome := filepath.Join(home, "wt")
	if err := os.MkdirAll(filepath.Join(home, ".config", "chromium"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(worktimed, args...)
		// No PATH (no browser programs found), no user manager.
		cmd.Env = []string{"HOME=" + home, "WORKTIME_HOME=" + wtHome, "PATH="}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("worktimed %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	before := tree(t, home)

	out := run("install", "--dry-run")
	if got := tree(t, home); !slices.Equal(got, before) {
		t.Fatalf("--dry-run wrote files: %q", got)
	}
	for _, want := range []string{".config/chromium/NativeMessagingHosts/com.worktime.host.json", "WantedBy=default.target", "worktimed.service", `Environment="WORKTIME_HOME=` + wtHome} {
		if !strings.Contains(out, want) {
			t.Errorf("--dry-run output lacks %q:\n%s", want, out)
		}
	}

	run("install")
	var added []string
	for _, p := range tree(t, home) {
		if !slices.Contains(before, p) {
			added = append(added, p)
		}
	}
	want := []string{
		".config/chromium/NativeMessagingHosts",
		".config/chromium/NativeMessagingHosts/com.worktime.host.json",
		".config/systemd",
		".config/systemd/user",
		".config/systemd/user/default.target.wants",
		".config/systemd/user/default.target.wants/worktimed.service",
		".config/systemd/user/worktimed.service",
		"wt",
		"wt/install-record.json",
		"wt/worktimed-host",
	}
	if !slices.Equal(added, want) {
		t.Fatalf("install added:\n%s\nwant:\n%s", strings.Join(added, "\n"), strings.Join(want, "\n"))
	}
	b, err := os.ReadFile(filepath.Join(home, ".config/chromium/NativeMessagingHosts/com.worktime.host.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name           string   `json:"name"`
		Path           string   `json:"path"`
		Type           string   `json:"type"`
		AllowedOrigins []string `json:"allowed_origins"`
	}
	launcher := filepath.Join(wtHome, "worktimed-host")
	if err := json.Unmarshal(b, &m); err != nil || m.Name != "com.worktime.host" || m.Path != launcher || m.Type != "stdio" || !slices.Equal(m.AllowedOrigins, []string{origin}) {
		t.Fatalf("manifest %s: %v", b, err)
	}
	// The browser starts the launcher without WORKTIME_HOME; the host still
	// records in the installed home.
	w := &world{home: wtHome}
	h := w.startHostCmd(t, exec.Command(m.Path, origin), []string{"HOME=" + home, "PATH=/usr/bin:/bin"})
	if r := h.call(t, `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`); !r.OK {
		t.Fatalf("host through the launcher: %+v (%s)", r.Error, h.stderr)
	}
	if code := h.close(t); code != 0 {
		t.Fatalf("launcher exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(wtHome, "worktime.db")); err != nil {
		t.Fatalf("the host did not record in the installed home: %v", err)
	}
	os.Remove(filepath.Join(wtHome, "worktime.db"))
	os.Remove(filepath.Join(wtHome, "worktime.db-wal"))
	os.Remove(filepath.Join(wtHome, "worktime.db-shm"))
	if st := run("service", "status"); !strings.Contains(st, "installed") {
		t.Fatalf("service status: %s", st)
	}

	run("uninstall")
	got := tree(t, home)
	if !slices.Equal(got, append(slices.Clone(before), "wt")) {
		t.Fatalf("after uninstall:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
}
