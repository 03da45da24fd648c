package daemon

import (
	"context"
	"errors"
	"testing"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/rules"
)

// TestPutRulesAppliesAtOnce: rules saved through the local API (the
// dashboard's Settings) land in config.toml with every other key kept and
// refuse the next start of an excluded repository; an invalid set is
// bad_request and changes nothing.
func TestPutRulesAppliesAtOnce(t *testing.T) {
	ctx := context.Background()
	_, c, opts := runDaemon(t, ctx, clock.NewFake(settingsT0))
	got, err := c.Rules(ctx)
	if err != nil || got.Repos == nil || len(got.Repos) != 0 || got.Private {
		t.Fatalf("rules at first: %+v, %v", got, err)
	}
	want := rules.Rules{Default: rules.Track, Private: true, Repos: []rules.Rule{{Match: "octo/*", Action: rules.DontTrack}}}
	if got, err = c.SetRules(ctx, want); err != nil || !got.Private || len(got.Repos) != 1 {
		t.Fatalf("SetRules: %+v, %v", got, err)
	}
	if _, err := c.Start(ctx, api.StartRequest{RepoOwner: "octo", RepoName: "app", PRNumber: 1}); !errors.Is(err, api.ErrExcluded) {
		t.Fatalf("start after the rule: %v", err)
	}
	if st, err := c.Status(ctx); err != nil || st.Active != nil {
		t.Fatalf("something was recorded: %+v, %v", st, err)
	}
	bad := want
	bad.Repos = []rules.Rule{{Match: "a/b/c", Action: rules.Track}}
	if _, err := c.SetRules(ctx, bad); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("an invalid rule: %v", err)
	}
	cfg, err := config.Load(opts.Paths.Config)
	if err != nil || cfg.TimeZone != opts.Config.TimeZone || len(cfg.Rules.Repos) != 1 || cfg.Rules.Repos[0].Match != "octo/*" {
		t.Fatalf("config.toml: %+v, %v", cfg, err)
	}
}
