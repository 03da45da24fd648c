package localclient_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoStoreDependency keeps the client light: the dashboard and the host
// relay link it, and neither should carry the daemon's handlers, its session
// rules or SQLite. Shared constants and types belong in internal/api.
func TestNoStoreDependency(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go command not found:", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/worktime/worktime/internal/localclient").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/worktime/worktime/internal/localapi",
		"github.com/worktime/worktime/internal/tracker",
		"github.com/worktime/worktime/internal/localdb",
		"sqlite",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(dep, f) {
				t.Errorf("localclient depends on %s", dep)
			}
		}
	}
}
