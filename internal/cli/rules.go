package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/rules"
)

const rulesUsage = `rules [--json]
       worktimed rules add MATCH --action dont_track|dont_sync|track
       worktimed rules remove MATCH
       worktimed rules default track|dont_sync|dont_track
       worktimed rules private on|off
       worktimed rules check OWNER/NAME
       worktimed rules withdraw [--dry-run] [--yes]`

// cmdRules shows and changes the [rules] of config.toml: which
// repositories are tracked and synced, and the private switch.
func cmdRules(ctx context.Context, e *Env, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "add":
			return rulesAdd(e, args[1:])
		case "remove":
			return rulesChange(e, "rules remove", "rules remove MATCH", args[1:], func(r *rules.Rules, v string) error {
				for i, rule := range r.Repos {
					if strings.EqualFold(rule.Match, v) {
						r.Repos = append(r.Repos[:i], r.Repos[i+1:]...)
						return nil
					}
				}
				return usageErrorf("rules remove: no rule matches %q; see 'worktimed rules'", v)
			})
		case "default":
			return rulesChange(e, "rules default", "rules default track|dont_sync|dont_track", args[1:], func(r *rules.Rules, v string) error {
				r.Default = rules.Action(v)
				return nil
			})
		case "private":
			return rulesChange(e, "rules private", "rules private on|off", args[1:], func(r *rules.Rules, v string) error {
				switch v {
				case "on":
					r.Private = true
				case "off":
					r.Private = false
				default:
					return usageErrorf("rules private: want on or off, not %q", v)
				}
				return nil
			})
		case "check":
			return rulesCheck(e, args[1:])
		case "withdraw":
			return rulesWithdraw(ctx, e, args[1:])
		}
		return usageErrorf("rules: unknown subcommand %q; want add, remove, default, private, check or withdraw", args[0])
	}
	fs := e.newFlagSet("rules", rulesUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	r := e.Config.Rules
	if *asJSON {
		if r.Repos == nil {
			r.Repos = []rules.Rule{}
		}
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printRules(e, r)
}

func printRules(e *Env, r rules.Rules) error {
	def := r.Default
	if def == "" {
		def = rules.Track
	}
	private := "off"
	if r.Private {
		private = "on: nothing is synced until 'worktimed rules private off'"
	}
	fmt.Fprintf(e.Stdout, "Private: %s\nDefault: %s\n", private, def)
	if len(r.Repos) == 0 {
		fmt.Fprintln(e.Stdout, "No rules: every repository gets the default.")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tMATCH\tACTION")
	for i, rule := range r.Repos {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", i+1, rule.Match, rule.Action)
	}
	return tw.Flush()
}

// rulesChange applies fn to the rules with the one argument given, then
// saves config.toml (which validates the result).
func rulesChange(e *Env, name, usage string, args []string, fn func(r *rules.Rules, v string) error) error {
	fs := e.newFlagSet(name, usage)
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("%s: want one argument; usage: worktimed %s", name, usage)
	}
	return saveRules(e, func(r *rules.Rules) error { return fn(r, pos[0]) })
}

func rulesAdd(e *Env, args []string) error {
	fs := e.newFlagSet("rules add", "rules add MATCH --action dont_track|dont_sync|track")
	action := fs.String("action", "", "what the rule decides (required): dont_track, dont_sync or track")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("rules add: want one MATCH (ORG, ORG/REPO or a glob like */secret-*), got %d arguments", len(pos))
	}
	if *action == "" {
		return usageErrorf("rules add: --action dont_track|dont_sync|track is required")
	}
	return saveRules(e, func(r *rules.Rules) error {
		r.Repos = append(r.Repos, rules.Rule{Match: pos[0], Action: rules.Action(*action)})
		return nil
	})
}

// saveRules changes the rules in config.toml, keeping every other key. A
// running daemon reads them at its next start of a session and its next
// sync run.
func saveRules(e *Env, fn func(r *rules.Rules) error) error {
	if err := e.LoadConfig(); err != nil {
		return err
	}
	c, err := config.Load(e.Paths.Config)
	if err != nil {
		return err
	}
	if err := fn(&c.Rules); err != nil {
		return err
	}
	if err := c.Rules.Validate(); err != nil {
		return usageErrorf("rules: %v", err)
	}
	if err := config.Save(e.Paths.Config, c); err != nil {
		return err
	}
	if err := printRules(e, c.Rules); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, "Saved in config.toml; in force at once.")
	return nil
}

func rulesCheck(e *Env, args []string) error {
	fs := e.newFlagSet("rules check", "rules check OWNER/NAME")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("rules check: want one OWNER/NAME")
	}
	owner, name, err := api.ParseRepo(pos[0])
	if err != nil {
		return usageErrorf("rules check: %v", err)
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, e.Config.Rules.Why(owner, name))
	return nil
}

// rulesWithdraw takes off the server the sessions it holds of repositories
// the rules no longer sync, keeping them on this device; it asks first
// unless --yes (the other devices lose them too).
func rulesWithdraw(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("rules withdraw", "rules withdraw [--dry-run] [--yes] [--json]")
	dry := fs.Bool("dry-run", false, "list what would be withdrawn without changing anything")
	yes := fs.Bool("yes", false, "withdraw without asking")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	b, loc, err := e.openBackend(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	plan, err := b.WithdrawSessions(ctx, api.WithdrawRequest{DryRun: true})
	if err != nil {
		return fmt.Errorf("rules withdraw: %w", err)
	}
	if *dry || len(plan.Withdrawn) == 0 {
		return printWithdrawn(e, plan, *asJSON, loc)
	}
	if !*yes {
		if err := printWithdrawn(e, plan, false, loc); err != nil {
			return err
		}
		ok, err := confirm(bufio.NewReader(e.Stdin), e.Stdout, fmt.Sprintf("Take these %d sessions off the server and your other devices (they stay here)?", len(plan.Withdrawn)))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("rules withdraw: not confirmed; nothing changed (--yes withdraws without asking)")
		}
	}
	reply, err := b.WithdrawSessions(ctx, api.WithdrawRequest{})
	if err != nil {
		return fmt.Errorf("rules withdraw: %w", err)
	}
	return printWithdrawn(e, reply, *asJSON, loc)
}

func printWithdrawn(e *Env, r api.EditReply, asJSON bool, loc *time.Location) error {
	if asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	if len(r.Withdrawn) == 0 {
		fmt.Fprintln(e.Stdout, "The server holds no session the rules keep off it; nothing to withdraw.")
		return nil
	}
	verb := "Withdrawn"
	if r.DryRun {
		verb = "Would withdraw"
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	for _, s := range r.Withdrawn {
		fmt.Fprintf(tw, "%s\t%s\t%s/%s\t#%d\t%s\t%s\n", verb, s.ID, s.RepoOwner, s.RepoName, s.PRNumber,
			s.StartTime.In(loc).Format("2006-01-02 15:04:05"), fmtDuration(s.DurationSeconds))
	}
	return tw.Flush()
}
