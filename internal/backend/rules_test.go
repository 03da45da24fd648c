package backend_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

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
