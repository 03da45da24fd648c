package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/worktime/worktime/internal/config"
)

// goalKeys are the keys `worktimed config` sets. The daemon reads them
// from config.toml at every request, so a change shows at once in the
// dashboard and the tray; the other keys are set in config.toml or in the
// dashboard's Settings, which apply them to the running daemon.
var goalKeys = []string{"daily_goal", "weekly_goal"}

func cmdConfig(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("config", "config [daily_goal|weekly_goal [DURATION]]\n\nShows the daily and weekly goals, or sets one (e.g. 4h, 20h; 0s for none).")
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return errHelpShown
	}
	if err != nil {
		return usageErrorf("config: %v; see 'worktimed config -h'", err)
	}
	rest := fs.Args()
	if len(rest) > 2 {
		return usageErrorf("config: unexpected argument %q; see 'worktimed config -h'", rest[2])
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	c := e.Config
	if len(rest) == 0 {
		for _, k := range goalKeys {
			fmt.Fprintf(e.Stdout, "%s = %s\n", k, goalText(goalOf(&c, k)))
		}
		return nil
	}
	key := rest[0]
	goal := goalOf(&c, key)
	if goal == nil {
		return usageErrorf("config: unknown key %q: this command sets %s (the others: edit %s, or the dashboard's Settings)", key, strings.Join(goalKeys, " and "), e.Paths.Config)
	}
	if len(rest) == 1 {
		fmt.Fprintln(e.Stdout, goalText(goal))
		return nil
	}
	var d config.Duration
	if err := d.UnmarshalText([]byte(rest[1])); err != nil {
		return usageErrorf("config: %s: %v", key, err)
	}
	*goal = d
	if err := c.Validate(); err != nil {
		return usageErrorf("config: %s", strings.TrimPrefix(err.Error(), config.ErrInvalid.Error()+": "))
	}
	if err := config.Save(e.Paths.Config, c); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	fmt.Fprintf(e.Stdout, "%s = %s\n", key, goalText(goal))
	return nil
}

func goalOf(c *config.Config, key string) *config.Duration {
	switch key {
	case "daily_goal":
		return &c.DailyGoal
	case "weekly_goal":
		return &c.WeeklyGoal
	}
	return nil
}

func goalText(d *config.Duration) string {
	if d.Duration == 0 {
		return `"0s" (no goal)`
	}
	return fmt.Sprintf("%q", d.Duration.String())
}
