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

func cmdStats(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("stats", "stats [--days N] [--repo OWNER/NAME] [--json]")
	days := fs.Int("days", 7, "the last `N` days, today included")
	repo := fs.String("repo", "", "only this repository, `OWNER/NAME`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if *days < 1 || *days > tracker.MaxStatsDays {
		return usageErrorf("stats: --days %d must be between 1 and %d", *days, tracker.MaxStatsDays)
	}
	if *repo != "" {
		if _, _, err := api.ParseRepo(*repo); err != nil {
			return usageErrorf("stats: --repo: %v", err)
		}
	}
	b, loc, err := e.openBackend(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	st, err := b.Stats(ctx, tracker.StatsQuery{Days: *days, Repo: *repo})
	if err != nil {
		return err
	}
	if *asJSON {
		st.Active = nil // the documented shape: today, days, repos, prs
		enc := json.NewEncoder(e.Stdout)
		return enc.Encode(st)
	}
	w := e.Stdout
	fmt.Fprintf(w, "Today: %s\n", fmtDuration(st.TodaySeconds))
	if st.Active != nil {
		a := st.Active
		fmt.Fprintf(w, "Active: %s/%s#%d since %s (%s, not counted yet)\n", a.RepoOwner, a.RepoName, a.PRNumber,
			humanTime(a.StartTime, loc), fmtDuration(int64(e.Clock.Now().Sub(a.StartTime)/time.Second)))
	}
	fmt.Fprintf(w, "\nLast %d days:\n", *days)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, d := range st.Days {
		unit := "sessions"
		if d.Sessions == 1 {
			unit = "session"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d %s\n", d.Date, fmtDuration(d.Seconds), d.Sessions, unit)
	}
	tw.Flush()
	if len(st.Repos) > 0 {
		fmt.Fprintln(w, "\nRepositories:")
		for _, r := range st.Repos {
			fmt.Fprintf(tw, "  %s\t%s\n", r.Repo, fmtDuration(r.Seconds))
		}
		tw.Flush()
	}
	if len(st.PRs) > 0 {
		fmt.Fprintln(w, "\nTop pull requests:")
		for _, p := range st.PRs {
			fmt.Fprintf(tw, "  %s#%d\t%s\n", p.Repo, p.PRNumber, fmtDuration(p.Seconds))
		}
		tw.Flush()
	}
	return nil
}
