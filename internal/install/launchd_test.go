package install

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scriptedLaunchctl answers launchctl subcommands from a table and records
// every command line.
type scriptedLaunchctl struct {
	answers map[string][]answer // by subcommand, consumed in order
	calls   []string
}

type answer struct {
	code int
	out  string
}

func (s *scriptedLaunchctl) run(_ context.Context, name string, args ...string) (string, int, error) {
	s.calls = append(s.calls, name+" "+strings.Join(args, " "))
	q := s.answers[args[0]]
	if len(q) == 0 {
		return "", 0, nil
	}
	s.answers[args[0]] = q[1:]
	return q[0].out, q[0].code, nil
}

func TestLaunchAgentCommandLines(t *testing.T) {
	const (
		plist  = "/Users/u/Library/LaunchAgents/worktimed.plist"
		target = "gui/501/worktimed"
	)
	notFound := answer{113, "Could not find service \"worktimed\" in domain for user gui: 501"}
	tests := []struct {
		name    string
		op      func(m LaunchAgentManager, s Service) (string, error)
		answers map[string][]answer
		want    []string
		result  string
		wantErr string
	}{
		{"start when not loaded bootstraps", start, map[string][]answer{"print": {notFound}},
			[]string{"launchctl print " + target, "launchctl bootstrap gui/501 " + plist}, "", ""},
		{"start when loaded kickstarts", start, map[string][]answer{"print": {{0, "gui/501/worktimed = {\n\tstate = not running\n}"}}},
			[]string{"launchctl print " + target, "launchctl kickstart " + target}, "", ""},
		{"bootstrap's EIO (already loaded) kickstarts", start, map[string][]answer{
			"print": {notFound}, "bootstrap": {{5, "Bootstrap failed: 5: Input/output error"}}},
			[]string{"launchctl print " + target, "launchctl bootstrap gui/501 " + plist, "launchctl kickstart " + target}, "", ""},
		{"a kickstart failure is reported", start, map[string][]answer{
			"print": {notFound}, "bootstrap": {{5, "Bootstrap failed: 5: Input/output error"}}, "kickstart": {notFound}},
			[]string{"launchctl print " + target, "launchctl bootstrap gui/501 " + plist, "launchctl kickstart " + target}, "", "exit status 113"},
		{"another bootstrap failure is reported", start, map[string][]answer{
			"print": {notFound}, "bootstrap": {{122, "Bootstrap failed: 122: Path had bad ownership/permissions"}}},
			[]string{"launchctl print " + target, "launchctl bootstrap gui/501 " + plist}, "", "bad ownership"},
		{"stop boots out", stop, nil, []string{"launchctl bootout " + target}, "", ""},
		{"stop when not loaded", stop, map[string][]answer{"bootout": {{3, "Boot-out failed: 3: No such process"}}},
			[]string{"launchctl bootout " + target}, "", ""},
		{"status running", status, map[string][]answer{"print": {{0, "gui/501/worktimed = {\n\tactive count = 1\n\tstate = running\n}"}}},
			[]string{"launchctl print " + target}, "running", ""},
		{"status loaded, not running", status, map[string][]answer{"print": {{0, "gui/501/worktimed = {\n\tstate = not running\n}"}}},
			[]string{"launchctl print " + target}, "stopped", ""},
		{"status not loaded, no plist", status, map[string][]answer{"print": {notFound}},
			[]string{"launchctl print " + target}, "not installed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers := map[string][]answer{}
			for k, v := range tt.answers {
				answers[k] = v
			}
			lc := &scriptedLaunchctl{answers: answers}
			m := LaunchAgentManager{UID: 501, Run: lc.run}
			got, err := tt.op(m, Service{Name: "worktimed", Kind: "launch-agent", UnitPath: plist})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got != tt.result {
				t.Errorf("result %q, want %q", got, tt.result)
			}
			if !slices.Equal(lc.calls, tt.want) {
				t.Errorf("commands\n got %q\nwant %q", lc.calls, tt.want)
			}
		})
	}
}

func start(m LaunchAgentManager, s Service) (string, error) {
	return "", m.Start(context.Background(), s)
}
func stop(m LaunchAgentManager, s Service) (string, error) {
	return "", m.Stop(context.Background(), s)
}
func status(m LaunchAgentManager, s Service) (string, error) {
	return m.Status(context.Background(), s)
}

// Install writes the plist and loads nothing; uninstall boots the agent
// out and removes the plist; neither uses the legacy load/unload.
func TestLaunchAgentInstallUninstall(t *testing.T) {
	home := t.TempDir()
	plan, err := MakePlan(Platform{OS: "darwin", Home: home}, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"chrome"}})
	if err != nil {
		t.Fatal(err)
	}
	lc := &scriptedLaunchctl{answers: map[string][]answer{"print": {{113, "Could not find service"}}}}
	m := LaunchAgentManager{UID: 501, Run: lc.run}
	ctx := context.Background()
	if err := m.Install(ctx, plan.Service); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(home, "Library/LaunchAgents/worktimed.plist"))
	if err != nil || string(b) != plan.Service.Unit {
		t.Fatalf("plist %q, %v", b, err)
	}
	if st, err := m.Status(ctx, plan.Service); err != nil || st != "stopped" {
		t.Errorf("status after install = %q, %v", st, err)
	}
	if err := m.Uninstall(ctx, plan.Service); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(plan.Service.UnitPath); !os.IsNotExist(err) {
		t.Errorf("plist left: %v", err)
	}
	want := []string{"launchctl print gui/501/worktimed", "launchctl bootout gui/501/worktimed"}
	if !slices.Equal(lc.calls, want) {
		t.Errorf("commands %q, want %q", lc.calls, want)
	}
}

func TestSystemManagerForMacUsesLaunchctlDomains(t *testing.T) {
	m, ok := SystemManagerFor(Platform{OS: "darwin"}).(LaunchAgentManager)
	if !ok || m.UID != os.Getuid() || m.Run == nil {
		t.Fatalf("manager %#v, want a LaunchAgentManager for this user", m)
	}
}

func TestExecRunnerReportsExitStatus(t *testing.T) {
	out, code, err := ExecRunner(context.Background(), "sh", "-c", "echo 'Bootstrap failed: 5: Input/output error'; exit 5")
	if err != nil || code != 5 || !strings.Contains(out, "Input/output error") {
		t.Fatalf("out %q code %d err %v", out, code, err)
	}
	if _, _, err := ExecRunner(context.Background(), filepath.Join(t.TempDir(), "no-such-launchctl")); err == nil {
		t.Fatal("a missing program is not an error")
	}
}
