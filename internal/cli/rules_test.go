package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/rules"
)

// TestRulesCommandAndDontTrack: rules set with the CLI land in
// config.toml, keep the other keys, and a "dont_track" repository is then
// refused on the direct-to-store path with nothing written.
func TestRulesCommandAndDontTrack(t *testing.T) {
	h := newCLI(t)
	h.ok("rules", "add", "octo", "--action", "dont_track")
	h.ok("rules", "add", "*/secret-*", "--action", "dont_sync")
	h.ok("rules", "private", "on")
	c, err := config.Load(filepath.Join(h.home, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Rules{Private: true, Repos: []rules.Rule{{Match: "octo", Action: rules.DontTrack}, {Match: "*/secret-*", Action: rules.DontSync}}}
	if c.TimeZone != "UTC" || c.Rules.Private != want.Private || len(c.Rules.Repos) != 2 || c.Rules.Repos[0] != want.Repos[0] || c.Rules.Repos[1] != want.Repos[1] {
		t.Fatalf("config %+v", c)
	}
	if out := h.ok("rules", "check", "Octo/App"); !strings.Contains(out, "dont_track by the rule \"octo\"") {
		t.Fatalf("check: %q", out)
	}
	code, _, errs := h.run("track", "start", "--repo", "octo/app", "--pr", "1")
	if code != ExitConflict || !strings.Contains(errs, "excluded") {
		t.Fatalf("start of an excluded repository: exit %d, %q", code, errs)
	}
	if code, _, _ := h.run("sessions", "add", "--repo", "octo/app", "--pr", "1", "--start", "07:00", "--end", "08:00"); code != ExitConflict {
		t.Fatalf("add of an excluded repository: exit %d", code)
	}
	var r api.SessionsReply
	if err := json.Unmarshal([]byte(h.ok("sessions", "--json")), &r); err != nil || len(r.Sessions) != 0 {
		t.Fatalf("sessions %+v, %v", r, err)
	}
	// A dont_sync repository is recorded.
	h.ok("sessions", "add", "--repo", "acme/secret-x", "--pr", "1", "--start", "07:00", "--end", "08:00")
	h.ok("rules", "remove", "octo")
	h.ok("rules", "private", "off")
	h.ok("track", "start", "--repo", "octo/app", "--pr", "1")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"rules", "add", "octo"}, "--action dont_track|dont_sync|track is required"},
		{[]string{"rules", "add", "octo", "--action", "hide"}, "must be track, dont_sync or dont_track"},
		{[]string{"rules", "add", "a/b/c", "--action", "track"}, "want ORG, ORG/REPO"},
		{[]string{"rules", "add", "octo/[", "--action", "track"}, "syntax error"},
		{[]string{"rules", "add", "--action", "track"}, "want one MATCH"},
		{[]string{"rules", "remove", "nobody"}, "no rule matches"},
		{[]string{"rules", "default", "sometimes"}, "must be track, dont_sync or dont_track"},
		{[]string{"rules", "private", "maybe"}, "want on or off"},
		{[]string{"rules", "check", "octo"}, "OWNER/NAME"},
		{[]string{"rules", "frob"}, "unknown subcommand"},
		{[]string{"rules", "withdraw", "--nope"}, "flag provided but not defined"},
	} {
		code, _, errs := h.run(tc.args...)
		if code != ExitUsage || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, errs, tc.msg)
		}
	}
	// Nothing was ever synced: nothing to withdraw, and nothing asked.
	if out := h.ok("rules", "withdraw"); !strings.Contains(out, "nothing to withdraw") {
		t.Fatalf("withdraw: %q", out)
	}
	b, _ := os.ReadFile(filepath.Join(h.home, "config.toml"))
	if strings.Contains(string(b), "hide") {
		t.Fatalf("a refused rule was saved:\n%s", b)
	}
}
