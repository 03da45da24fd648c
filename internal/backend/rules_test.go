package backend_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/rules"
)

// TestRelayRulesApplyAtOnce: a rule the host adds (the popup's "don't
// track this repository") is saved in config.toml, keeping the other keys,
// and refuses the next start at once, through the daemon and without it;
// nothing is written.
func TestRelayRulesApplyAtOnce(t *testing.T) {
	ctx := context.Background()
	o := options(t)
	if err := config.Save(o.Paths.Config, o.Config); err != nil {
		t.Fatal(err)
	}
	r := backend.NewRelay(o)
	defer r.Close()
	if _, err := r.Start(ctx, api.StartRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 1, Source: api.SourceBrowser}); err != nil {
		t.Fatal(err) // opens the store directly, with the rules of the start
	}
	got, err := r.AddRule(ctx, rules.Rule{Match: "octo/app", Action: rules.DontTrack})
	if err != nil || len(got.Repos) != 1 {
		t.Fatalf("AddRule: %+v, %v", got, err)
	}
	if _, err := r.AddRule(ctx, rules.Rule{Match: "octo/app", Action: "hide"}); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("an invalid rule: %v", err)
	}
	c, err := config.Load(o.Paths.Config)
	if err != nil || c.TimeZone != "UTC" || len(c.Rules.Repos) != 1 {
		t.Fatalf("config after AddRule: %+v, %v", c, err)
	}
	if _, err := r.Start(ctx, api.StartRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 2, Source: api.SourceBrowser}); !errors.Is(err, api.ErrExcluded) {
		t.Fatalf("direct start after the rule: %v", err)
	}
	runDaemon(t, o)
	if _, err := r.Start(ctx, api.StartRequest{RepoOwner: "Octo", RepoName: "App", PRNumber: 3, Source: api.SourceBrowser}); !errors.Is(err, api.ErrExcluded) {
		t.Fatalf("start through the daemon: %v", err)
	}
	a, err := r.Active(ctx)
	if err != nil || a == nil || a.PRNumber != 1 {
		t.Fatalf("active %+v, %v; want the session from before the rule", a, err)
	}
	b, _ := os.ReadFile(o.Paths.Config)
	if !strings.Contains(string(b), `match = "octo/app"`) {
		t.Fatalf("config.toml:\n%s", b)
	}
}

// TestRelayGoals: the goals the popup shows are config.toml's, read at
// every request (a change applies at once); a broken config.toml is an
// error, not "no goal".
func TestRelayGoals(t *testing.T) {
	ctx := context.Background()
	o := options(t)
	r := backend.NewRelay(o)
	defer r.Close()
	for _, tc := range []struct {
		toml          string
		daily, weekly time.Duration
	}{
		{"", 0, 0},
		{"daily_goal = \"4h\"\n", 4 * time.Hour, 0},
		{"daily_goal = \"90m\"\nweekly_goal = \"20h\"\n", 90 * time.Minute, 20 * time.Hour},
	} {
		if err := os.WriteFile(o.Paths.Config, []byte(tc.toml), 0o600); err != nil {
			t.Fatal(err)
		}
		daily, weekly, err := r.Goals(ctx)
		if err != nil || daily != tc.daily || weekly != tc.weekly {
			t.Errorf("%q: Goals = %v, %v, %v; want %v, %v", tc.toml, daily, weekly, err, tc.daily, tc.weekly)
		}
	}
	if err := os.WriteFile(o.Paths.Config, []byte("daily_goal = \"forever\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Goals(ctx); err == nil {
		t.Error("a malformed daily_goal gave no error")
	}
}
