package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
)

// sessionsSubcommands change history; `sessions` with flags only lists.
var sessionsSubcommands = map[string]func(ctx context.Context, e *Env, args []string) error{
	"edit":   sessionsEdit,
	"split":  sessionsSplit,
	"merge":  sessionsMerge,
	"add":    sessionsAdd,
	"delete": sessionsDelete,
}

// parseWhen reads a time of history: RFC 3339, or a local "YYYY-MM-DD
// HH:MM[:SS]", or a local "HH:MM[:SS]" of today.
func parseWhen(flagName, v string, loc *time.Location, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			d := now.In(loc)
			return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
		}
	}
	return time.Time{}, usageErrorf("--%s %q is not a time: give RFC 3339 (2026-11-25T14:00:00Z), \"2026-11-25 14:00\" or \"14:00\" (today), local time", flagName, v)
}

// timeFlag parses a non-empty time flag into *out.
func timeFlag(flagName, v string, loc *time.Location, now time.Time, out **time.Time) error {
	if v == "" {
		return nil
	}
	t, err := parseWhen(flagName, v, loc, now)
	if err != nil {
		return err
	}
	*out = &t
	return nil
}

// printEdit prints what a change did (or, for a dry run, would do).
func printEdit(e *Env, reply api.EditReply, asJSON bool, loc *time.Location) error {
	if asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reply)
	}
	verb, del := "", "Deleted"
	if reply.DryRun {
		verb, del = "Would be ", "Would delete"
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	row := func(tag string, s api.Session) {
		end := "-"
		if s.EndTime != nil {
			end = s.EndTime.In(loc).Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s/%s\t#%d\t%s\t%s\t%s\n", tag, s.ID, s.RepoOwner, s.RepoName, s.PRNumber,
			s.StartTime.In(loc).Format("2006-01-02 15:04:05"), end, fmtDuration(s.DurationSeconds))
	}
	for _, s := range reply.Sessions {
		row(verb+"now", s)
	}
	for _, s := range reply.Deleted {
		row(del, s)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(reply.Sessions) == 0 && len(reply.Deleted) == 0 {
		fmt.Fprintln(e.Stdout, "No sessions match; nothing changed.")
	} else if reply.DryRun {
		fmt.Fprintln(e.Stdout, "Dry run: nothing changed.")
	}
	return nil
}

// change makes one change to history with the backend (the daemon when it
// runs, else the store; the configuration is loaded already) and prints what
// it did in loc. Its errors are named after the command. A nil reply is a
// change that did not happen (a bulk delete declined or matching nothing),
// with nothing more to print.
func (e *Env) change(ctx context.Context, name string, asJSON bool, loc *time.Location, call func(backend.Backend) (*api.EditReply, error)) error {
	b, err := backend.Open(ctx, e.backendOptions())
	if err != nil {
		return err
	}
	defer b.Close()
	reply, err := call(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if reply == nil {
		return nil
	}
	return printEdit(e, *reply, asJSON, loc)
}

// made is a backend's reply as change takes it.
func made(r api.EditReply, err error) (*api.EditReply, error) { return &r, err }

func sessionsEdit(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions edit", "sessions edit ID [--repo OWNER/NAME] [--pr N] [--start TIME] [--end TIME] [--dry-run] [--json]")
	repo := fs.String("repo", "", "move the session to this repository, `OWNER/NAME`")
	pr := fs.Int("pr", 0, "move the session to this pull request `number`")
	start := fs.String("start", "", "new start `time`: RFC 3339, \"YYYY-MM-DD HH:MM\" or \"HH:MM\" (today), local")
	end := fs.String("end", "", "new end `time`, as --start")
	dry := fs.Bool("dry-run", false, "show the change without making it")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("sessions edit: want one session ID, got %d arguments", len(pos))
	}
	req := api.EditRequest{DryRun: *dry}
	if *repo != "" {
		owner, name, err := api.ParseRepo(*repo)
		if err != nil {
			return usageErrorf("sessions edit: --repo: %v", err)
		}
		req.RepoOwner, req.RepoName = &owner, &name
	}
	if isSet(fs, "pr") {
		if *pr <= 0 {
			return usageErrorf("sessions edit: --pr %d must be a positive pull request number", *pr)
		}
		req.PRNumber = pr
	}
	loc, err := e.zone()
	if err != nil {
		return err
	}
	now := e.Clock.Now()
	if err := timeFlag("start", *start, loc, now, &req.StartTime); err != nil {
		return err
	}
	if err := timeFlag("end", *end, loc, now, &req.EndTime); err != nil {
		return err
	}
	if req.RepoOwner == nil && req.PRNumber == nil && req.StartTime == nil && req.EndTime == nil {
		return usageErrorf("sessions edit: nothing to change; give --repo, --pr, --start or --end")
	}
	return e.change(ctx, "sessions edit", *asJSON, loc, func(b backend.Backend) (*api.EditReply, error) {
		return made(b.EditSession(ctx, pos[0], req))
	})
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func sessionsSplit(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions split", "sessions split ID --at TIME [--dry-run] [--json]")
	at := fs.String("at", "", "where to cut (required): RFC 3339, \"YYYY-MM-DD HH:MM\" or \"HH:MM\" (today), local")
	dry := fs.Bool("dry-run", false, "show the change without making it")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("sessions split: want one session ID, got %d arguments", len(pos))
	}
	if *at == "" {
		return usageErrorf("sessions split: --at TIME is required")
	}
	loc, err := e.zone()
	if err != nil {
		return err
	}
	when, err := parseWhen("at", *at, loc, e.Clock.Now())
	if err != nil {
		return err
	}
	return e.change(ctx, "sessions split", *asJSON, loc, func(b backend.Backend) (*api.EditReply, error) {
		return made(b.SplitSession(ctx, pos[0], api.SplitRequest{At: when, DryRun: *dry}))
	})
}

func sessionsMerge(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions merge", "sessions merge ID ID... [--dry-run] [--json]")
	dry := fs.Bool("dry-run", false, "show the change without making it")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usageErrorf("sessions merge: want at least two session IDs, got %d", len(pos))
	}
	loc, err := e.zone()
	if err != nil {
		return err
	}
	return e.change(ctx, "sessions merge", *asJSON, loc, func(b backend.Backend) (*api.EditReply, error) {
		return made(b.MergeSessions(ctx, api.MergeRequest{IDs: pos, DryRun: *dry}))
	})
}

func sessionsAdd(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions add", "sessions add OWNER/NAME#N|PULL-REQUEST-URL --start TIME --end TIME [--dry-run] [--json]\n       worktimed sessions add --repo OWNER/NAME --pr N --start TIME --end TIME [--dry-run] [--json]")
	repo := fs.String("repo", "", "the repository, `OWNER/NAME` (with --pr, instead of a reference)")
	pr := fs.Int("pr", 0, "the pull request `number` (with --repo)")
	start := fs.String("start", "", "start `time` (required): RFC 3339, \"YYYY-MM-DD HH:MM\" or \"HH:MM\" (today), local")
	end := fs.String("end", "", "end `time` (required), as --start")
	dry := fs.Bool("dry-run", false, "show the change without making it")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	ref, err := prTarget("sessions add", rest, *repo, *pr, fs)
	if err != nil {
		return err
	}
	if *start == "" || *end == "" {
		return usageErrorf("sessions add: --start TIME and --end TIME are required")
	}
	loc, err := e.zone()
	if err != nil {
		return err
	}
	now := e.Clock.Now()
	from, err := parseWhen("start", *start, loc, now)
	if err != nil {
		return err
	}
	to, err := parseWhen("end", *end, loc, now)
	if err != nil {
		return err
	}
	req := api.AddRequest{RepoOwner: ref.Owner, RepoName: ref.Name, PRNumber: ref.Number, StartTime: from, EndTime: to, DryRun: *dry}
	return e.change(ctx, "sessions add", *asJSON, loc, func(b backend.Backend) (*api.EditReply, error) {
		return made(b.AddSession(ctx, req))
	})
}

func sessionsDelete(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions delete", "sessions delete [ID...] [--day YYYY-MM-DD] [--repo OWNER/NAME [--pr N]] [--since TIME] [--until TIME] [--dry-run] [--yes] [--json]")
	day := fs.String("day", "", "every session that started on this local `day` (YYYY-MM-DD)")
	repo := fs.String("repo", "", "every session of this repository, `OWNER/NAME`")
	pr := fs.Int("pr", 0, "with --repo: only this pull request `number`")
	since := fs.String("since", "", "sessions that started at or after this `time`")
	until := fs.String("until", "", "sessions that started before this `time`")
	dry := fs.Bool("dry-run", false, "show what would be deleted without deleting")
	yes := fs.Bool("yes", false, "delete more than one session without asking")
	asJSON := fs.Bool("json", false, "print JSON")
	ids, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	req := api.DeleteRequest{IDs: ids, Day: *day, DryRun: *dry}
	if *repo != "" {
		if _, _, err := api.ParseRepo(*repo); err != nil {
			return usageErrorf("sessions delete: --repo: %v", err)
		}
		req.Repo = *repo
	}
	if isSet(fs, "pr") {
		if *pr <= 0 {
			return usageErrorf("sessions delete: --pr %d must be a positive pull request number", *pr)
		}
		if *repo == "" {
			return usageErrorf("sessions delete: --pr needs --repo")
		}
		req.PRNumber = *pr
	}
	filtered := *day != "" || *repo != "" || *since != "" || *until != ""
	if len(ids) > 0 && filtered {
		return usageErrorf("sessions delete: give session IDs or a filter (--day, --repo, --since, --until), not both")
	}
	if len(ids) == 0 && !filtered {
		return usageErrorf("sessions delete: give session IDs or a filter (--day, --repo, --since, --until)")
	}
	loc, err := e.zone()
	if err != nil {
		return err
	}
	now := e.Clock.Now()
	if err := timeFlag("since", *since, loc, now, &req.Since); err != nil {
		return err
	}
	if err := timeFlag("until", *until, loc, now, &req.Until); err != nil {
		return err
	}
	return e.change(ctx, "sessions delete", *asJSON, loc, func(b backend.Backend) (*api.EditReply, error) {
		if !*dry && !*yes && (filtered || len(ids) > 1) {
			ok, err := confirmDelete(ctx, e, b, req, loc)
			if err != nil || !ok {
				return nil, err
			}
		}
		return made(b.DeleteSessions(ctx, req))
	})
}

// errNotConfirmed is a bulk delete the user did not confirm.
var errNotConfirmed = errors.New("not confirmed; nothing was deleted (--yes deletes without asking)")

// confirmDelete shows what a bulk delete would remove and asks. ok is
// true to go ahead; nothing matching is not an error.
func confirmDelete(ctx context.Context, e *Env, b backend.Backend, req api.DeleteRequest, loc *time.Location) (bool, error) {
	dry := req
	dry.DryRun = true
	plan, err := b.DeleteSessions(ctx, dry)
	if err != nil {
		return false, err
	}
	if len(plan.Deleted) == 0 {
		fmt.Fprintln(e.Stdout, "No sessions match; nothing changed.")
		return false, nil
	}
	if err := printEdit(e, plan, false, loc); err != nil {
		return false, err
	}
	var secs int64
	for _, s := range plan.Deleted {
		secs += s.DurationSeconds
	}
	ok, err := confirm(bufio.NewReader(e.Stdin), e.Stdout, fmt.Sprintf("Delete these %d sessions (%s) on every device?", len(plan.Deleted), fmtDuration(secs)))
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errNotConfirmed
	}
	return true, nil
}

// sessionsUsage is the sessions command's usage line, subcommands included.
const sessionsUsage = `sessions [--repo OWNER/NAME] [--since YYYY-MM-DD] [--status S] [--limit N] [--json]
       worktimed sessions edit ID [--repo OWNER/NAME] [--pr N] [--start TIME] [--end TIME] [--dry-run]
       worktimed sessions split ID --at TIME [--dry-run]
       worktimed sessions merge ID ID... [--dry-run]
       worktimed sessions add --repo OWNER/NAME --pr N --start TIME --end TIME [--dry-run]
       worktimed sessions delete [ID...] [--day YYYY-MM-DD] [--repo OWNER/NAME [--pr N]] [--since TIME] [--until TIME] [--dry-run] [--yes]`
