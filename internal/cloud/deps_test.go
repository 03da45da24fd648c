package cloud_test

import (
	"os/exec"
	"strings"
	"testing"
)

// cloudflareGo is the SDK's module path; its root package builds a client
// of every Cloudflare service, so linking it compiles over a hundred of the
// SDK's packages into worktimed.
const cloudflareGo = "github.com/cloudflare/cloudflare-go/v6"

// TestWorktimedLinksOnlyTheServicesItUses keeps the binary light: worktimed
// may link the SDK's plumbing and the D1, KV and Workers services that
// cloud deploy, status and destroy call, never the SDK's root package.
func TestWorktimedLinksOnlyTheServicesItUses(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go command not found:", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/worktime/worktime/cmd/worktimed").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	allowed := []string{"internal", "option", "shared", "packages/", "d1", "kv", "workers"}
	n := 0
	for _, dep := range strings.Fields(string(out)) {
		if dep == cloudflareGo {
			t.Errorf("worktimed links %s, which builds a client of every Cloudflare service; build clients from the services' own constructors", dep)
			continue
		}
		sub, ok := strings.CutPrefix(dep, cloudflareGo+"/")
		if !ok {
			continue
		}
		n++
		if !hasAllowedPrefix(sub, allowed) {
			t.Errorf("worktimed links %s, a Cloudflare service it does not use", dep)
		}
	}
	if n == 0 {
		t.Errorf("worktimed links no package of %s: the check would pass vacuously (was the module path changed?)", cloudflareGo)
	}
}

func hasAllowedPrefix(sub string, allowed []string) bool {
	for _, a := range allowed {
		if sub == a || strings.HasPrefix(sub, strings.TrimSuffix(a, "/")+"/") {
			return true
		}
	}
	return false
}
