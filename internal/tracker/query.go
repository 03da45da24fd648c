package tracker

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// StatsQuery selects the stats window: Days local days (default 7, at most
// MaxStatsDays) ending on End (YYYY-MM-DD; "" for today, never after
// today), optionally one repository ("owner/name").
type StatsQuery struct {
	Days int
	Repo string
	End  string
}

// MaxStatsDays bounds StatsQuery.Days.
const MaxStatsDays = 3660

// TopPRs is how many pull requests Stats lists.
const TopPRs = 10

// Stats summarises ended sessions over the window: today's total, every day
// (including days with nothing), repositories and the top pull requests by
// time, plus the active session.
func (t *Tracker) Stats(ctx context.Context, q StatsQuery) (api.Stats, error) {
	if q.Days == 0 {
		q.Days = 7
	}
	if q.Days < 0 || q.Days > MaxStatsDays {
		return api.Stats{}, fmt.Errorf("stats: %w", invalid("days", "%d must be between 1 and %d", q.Days, MaxStatsDays))
	}
	var owner, name string
	if q.Repo != "" {
		var err error
		if owner, name, err = api.ParseRepo(q.Repo); err != nil {
			return api.Stats{}, fmt.Errorf("stats: %w", err)
		}
	}
	// The zone and the daily_stats rows are read under zoneMu, so both are
	// from before a time zone change or both from after it.
	t.zoneMu.RLock()
	loc := t.loc
	now := t.clock.Now().In(loc)
	y, m, d := now.Date()
	// Dates are named from noon: where the clock skips midnight (Santiago,
	// Havana), time.Date's 00:00 falls back to the previous day.
	today := time.Date(y, m, d, 12, 0, 0, 0, loc)
	todayStr := today.Format(localdb.DateLayout)
	// This week, Monday first, for the goals' progress.
	monday := time.Date(y, m, d-(int(today.Weekday())+6)%7, 12, 0, 0, 0, loc)
	mondayStr := monday.Format(localdb.DateLayout)
	ey, em, ed := y, m, d
	if q.End != "" {
		end, err := time.Parse(localdb.DateLayout, q.End)
		if err != nil {
			t.zoneMu.RUnlock()
			return api.Stats{}, fmt.Errorf("stats: %w", invalid("end", "%q is not a YYYY-MM-DD date", q.End))
		}
		if q.End > todayStr {
			t.zoneMu.RUnlock()
			return api.Stats{}, fmt.Errorf("stats: %w", invalid("end", "%s is after today (%s)", q.End, todayStr))
		}
		ey, em, ed = end.Date()
	}
	last := time.Date(ey, em, ed, 12, 0, 0, 0, loc)
	first := time.Date(ey, em, ed-(q.Days-1), 12, 0, 0, 0, loc)
	lastStr, firstStr := last.Format(localdb.DateLayout), first.Format(localdb.DateLayout)

	rows, err := t.db.DailyStats(ctx, firstStr, lastStr, owner, name)
	var week []localdb.DailyStat
	if err == nil {
		week, err = t.db.DailyStats(ctx, mondayStr, todayStr, owner, name)
	}
	t.zoneMu.RUnlock()
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	out := api.Stats{Days: make([]api.DayStats, 0, q.Days), Repos: []api.RepoStat{}, PRs: []api.PRStat{}, WeekStart: mondayStr}
	for _, r := range week {
		out.WeekSeconds += r.Seconds
		if r.Date == todayStr {
			out.TodaySeconds += r.Seconds
		}
	}
	dayIdx := make(map[string]int, q.Days)
	for i := 0; i < q.Days; i++ {
		ds := time.Date(ey, em, ed-(q.Days-1)+i, 12, 0, 0, 0, loc).Format(localdb.DateLayout)
		dayIdx[ds] = i
		out.Days = append(out.Days, api.DayStats{Date: ds})
	}
	type prKey struct {
		repo string
		pr   int
	}
	repos := map[string]int64{}
	prs := map[prKey]int64{}
	for _, r := range rows {
		if i, ok := dayIdx[r.Date]; ok {
			out.Days[i].Seconds += r.Seconds
			out.Days[i].Sessions += r.Sessions
		}
		repo := r.RepoOwner + "/" + r.RepoName
		repos[repo] += r.Seconds
		prs[prKey{repo, r.PRNumber}] += r.Seconds
	}
	for r, s := range repos {
		out.Repos = append(out.Repos, api.RepoStat{Repo: r, Seconds: s})
	}
	sort.Slice(out.Repos, func(i, j int) bool {
		if out.Repos[i].Seconds != out.Repos[j].Seconds {
			return out.Repos[i].Seconds > out.Repos[j].Seconds
		}
		return out.Repos[i].Repo < out.Repos[j].Repo
	})
	for k, s := range prs {
		out.PRs = append(out.PRs, api.PRStat{Repo: k.repo, PRNumber: k.pr, Seconds: s})
	}
	sort.Slice(out.PRs, func(i, j int) bool {
		a, b := out.PRs[i], out.PRs[j]
		if a.Seconds != b.Seconds {
			return a.Seconds > b.Seconds
		}
		if a.Repo != b.Repo {
			return a.Repo < b.Repo
		}
		return a.PRNumber < b.PRNumber
	})
	if len(out.PRs) > TopPRs {
		out.PRs = out.PRs[:TopPRs]
	}
	active, err := t.Active(ctx)
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	if active != nil && (owner == "" || active.RepoOwner == owner && active.RepoName == name) {
		out.Active = active
	}
	return out, nil
}

// SessionQuery filters Sessions. Repo is "owner/name"; Since is compared
// with start times; Status is active, completed or abandoned; Limit <= 0
// means DefaultSessionLimit; Offset skips that many sessions of the list
// (the next page).
type SessionQuery struct {
	Repo   string
	Since  time.Time
	Status string
	Limit  int
	Offset int
	PR     int // with Repo: one pull request; 0 for any
}

// DefaultSessionLimit is the default number of sessions listed.
const DefaultSessionLimit = 50

// Sessions lists sessions newest first.
func (t *Tracker) Sessions(ctx context.Context, q SessionQuery) ([]api.Session, error) {
	f, err := q.filter()
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	if f.Limit == 0 {
		f.Limit = DefaultSessionLimit
	}
	rows, err := t.db.ListSessions(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	out := make([]api.Session, len(rows))
	for i, r := range rows {
		out[i] = r.Session
	}
	return out, nil
}

func (q SessionQuery) filter() (localdb.SessionFilter, error) {
	f := localdb.SessionFilter{Since: q.Since, Status: q.Status, Limit: q.Limit, Offset: q.Offset, PRNumber: q.PR}
	if q.Repo != "" {
		var err error
		if f.RepoOwner, f.RepoName, err = api.ParseRepo(q.Repo); err != nil {
			return localdb.SessionFilter{}, err
		}
	}
	if q.PR < 0 || q.PR > 0 && q.Repo == "" {
		return localdb.SessionFilter{}, invalid("pr", "%d needs a repository and a positive number", q.PR)
	}
	switch q.Status {
	case "", api.StatusActive, api.StatusCompleted, api.StatusAbandoned:
	default:
		return localdb.SessionFilter{}, invalid("status", "%q must be active, completed or abandoned", q.Status)
	}
	if f.Limit < 0 {
		return localdb.SessionFilter{}, invalid("limit", "%d must be positive", q.Limit)
	}
	if f.Offset < 0 {
		return localdb.SessionFilter{}, invalid("offset", "%d must not be negative", q.Offset)
	}
	return f, nil
}

// CountSessions is how many sessions Sessions would list for q without its
// Limit and Offset.
func (t *Tracker) CountSessions(ctx context.Context, q SessionQuery) (int64, error) {
	f, err := q.filter()
	if err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	n, err := t.db.CountMatching(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return n, nil
}

// Repos lists every repository ("owner/name") that has a session, sorted.
func (t *Tracker) Repos(ctx context.Context) ([]string, error) {
	out, err := t.db.Repos(ctx)
	if err != nil {
		return nil, fmt.Errorf("repos: %w", err)
	}
	return out, nil
}

// ExportQuery selects sessions by start time: Since <= start < Until (zero
// means unbounded), of one repository ("owner/name") or of all ("").
type ExportQuery struct {
	Since, Until time.Time
	Repo         string
}

func (q ExportQuery) filter() (localdb.ExportFilter, error) {
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return localdb.ExportFilter{}, invalid("until", "%s must be after since %s", q.Until.Format(time.RFC3339), q.Since.Format(time.RFC3339))
	}
	f := localdb.ExportFilter{Since: q.Since, Until: q.Until}
	if q.Repo != "" {
		var err error
		if f.RepoOwner, f.RepoName, err = api.ParseRepo(q.Repo); err != nil {
			return localdb.ExportFilter{}, err
		}
	}
	return f, nil
}

// Export streams the selected sessions, oldest first, to fn without holding
// them in memory.
func (t *Tracker) Export(ctx context.Context, q ExportQuery, fn func(api.Session) error) error {
	f, err := q.filter()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = t.db.Export(ctx, f, func(s localdb.Session) error {
		return fn(s.Session)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// ExportCount is how many sessions Export would stream.
func (t *Tracker) ExportCount(ctx context.Context, q ExportQuery) (int64, error) {
	f, err := q.filter()
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n, err := t.db.CountSessions(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
