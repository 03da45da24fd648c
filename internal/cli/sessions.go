package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/tracker"
)

func cmdSessions(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sessions", "sessions [--repo OWNER/NAME] [--since YYYY-MM-DD] [--status S] [--limit N] [--json]")
	repo := fs.String("repo", "", "only this repository, `OWNER/NAME`")
	since := fs.String("since", "", "only sessions started on or after this `day` (YYYY-MM-DD, local)")
	status := fs.String("status", "", "only sessions with this `status`: active, completed or abandoned")
	limit := fs.Int("limit", tracker.DefaultSessionLimit, "at most `N` sessions")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if *repo != "" {
		if _, _, err := api.ParseRepo(*repo); err != nil {
			return usageErrorf("sessions: --repo: %v", err)
		}
	}
	switch *status {
	case "", api.StatusActive, api.StatusCompleted, api.StatusAbandoned:
	default:
		return usageErrorf("sessions: --status %q must be active, completed or abandoned", *status)
	}
	if *limit <= 0 {
		return usageErrorf("sessions: --limit %d must be positive", *limit)
	}
	b, loc, err := e.openBackend(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	sinceT, err := parseDay("since", *since, loc)
	if err != nil {
		return err
	}
	list, err := b.Sessions(ctx, tracker.SessionQuery{Repo: *repo, Since: sinceT, Status: *status, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(api.SessionsReply{Sessions: list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.Stdout, "No sessions.")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREPOSITORY\tPR\tSTART\tEND\tDURATION\tSTATUS")
	now := e.Clock.Now()
	for _, s := range list {
		end := "-"
		dur := s.DurationSeconds
		if s.EndTime != nil {
			end = humanTime(*s.EndTime, loc)
		} else {
			dur = int64(now.Sub(s.StartTime) / time.Second)
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t#%d\t%s\t%s\t%s\t%s\n", s.ID, s.RepoOwner, s.RepoName, s.PRNumber,
			humanTime(s.StartTime, loc), end, fmtDuration(dur), s.Status)
	}
	return tw.Flush()
}
