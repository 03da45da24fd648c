package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// DailyStat is one daily_stats row.
type DailyStat struct {
	Date       string
	RepoOwner  string
	RepoName   string
	PRNumber   int
	Seconds    int64
	Sessions   int64
	AvgSeconds int64
}

// statKey identifies a daily_stats row.
type statKey struct {
	Date, Owner, Name string
	PR                int
}

// ensureStatsZone rebuilds daily_stats when it was built in another zone.
func (db *DB) ensureStatsZone(ctx context.Context) error {
	zone := db.loc.String()
	cur, ok, err := db.State(ctx, stateStatsZone)
	if err != nil {
		return err
	}
	if ok && cur == zone {
		return nil
	}
	if ok {
		db.log.Info("rebuilding daily stats for a new time zone", "from", cur, "to", zone)
	}
	return db.RebuildDailyStats(ctx)
}

// RebuildDailyStats recomputes daily_stats from time_sessions in the store's
// zone, in one transaction.
func (db *DB) RebuildDailyStats(ctx context.Context) error {
	err := db.update(ctx, func(tx *sql.Tx) error { return db.rebuildTx(ctx, tx, db.loc) })
	if err != nil {
		return fmt.Errorf("localdb.RebuildDailyStats: %w", err)
	}
	return nil
}

// rebuildTx replaces daily_stats with the aggregate of time_sessions in loc
// and records loc as the zone the table is built in. The caller holds
// writeMu; Open (through ensureStatsZone) and SetLocation both rebuild with
// it.
func (db *DB) rebuildTx(ctx context.Context, tx *sql.Tx, loc *time.Location) error {
	agg, err := aggregate(ctx, tx, loc)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM daily_stats`); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO daily_stats (date, repo_owner, repo_name, pr_number,
		total_duration_seconds, session_count, avg_session_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for k, v := range agg {
		var avg int64
		if v.Sessions > 0 {
			avg = v.Seconds / v.Sessions
		}
		if _, err := stmt.ExecContext(ctx, k.Date, k.Owner, k.Name, k.PR, v.Seconds, v.Sessions, avg); err != nil {
			return err
		}
	}
	return setState(ctx, tx, stateStatsZone, loc.String())
}

// aggregate computes daily_stats from time_sessions, independently of the
// incremental updates.
func aggregate(ctx context.Context, q querier, loc *time.Location) (map[statKey]DailyStat, error) {
	rows, err := q.QueryContext(ctx, `SELECT repo_owner, repo_name, pr_number, start_time, end_time
		FROM time_sessions WHERE status != 'active'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	agg := map[statKey]DailyStat{}
	for rows.Next() {
		var owner, name string
		var pr int
		var start, end int64
		if err := rows.Scan(&owner, &name, &pr, &start, &end); err != nil {
			return nil, err
		}
		for _, p := range SplitDays(time.Unix(start, 0), time.Unix(end, 0), loc) {
			k := statKey{p.Date, owner, name, pr}
			v := agg[k]
			v.Seconds += p.Seconds
			if p.Counts {
				v.Sessions++
			}
			agg[k] = v
		}
	}
	return agg, rows.Err()
}

// RecomputedDailyStats returns the daily_stats rows recomputed from
// time_sessions, sorted like DailyStats. The invariant is that both are
// equal.
func (db *DB) RecomputedDailyStats(ctx context.Context) ([]DailyStat, error) {
	agg, err := aggregate(ctx, db.sql, db.Location())
	if err != nil {
		return nil, fmt.Errorf("localdb.RecomputedDailyStats: %w", classify(err))
	}
	out := make([]DailyStat, 0, len(agg))
	for k, v := range agg {
		v.Date, v.RepoOwner, v.RepoName, v.PRNumber = k.Date, k.Owner, k.Name, k.PR
		if v.Sessions > 0 {
			v.AvgSeconds = v.Seconds / v.Sessions
		}
		out = append(out, v)
	}
	sortStats(out)
	return out, nil
}

func sortStats(s []DailyStat) {
	less := func(a, b DailyStat) bool {
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.RepoOwner != b.RepoOwner {
			return a.RepoOwner < b.RepoOwner
		}
		if a.RepoName != b.RepoName {
			return a.RepoName < b.RepoName
		}
		return a.PRNumber < b.PRNumber
	}
	sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) })
}

// DailyStats returns the daily_stats rows with from <= date <= to (dates
// YYYY-MM-DD; empty means unbounded), optionally for one repository, sorted
// by date, repository and pull request.
func (db *DB) DailyStats(ctx context.Context, from, to, owner, name string) ([]DailyStat, error) {
	q := `SELECT date, repo_owner, repo_name, pr_number, total_duration_seconds, session_count, avg_session_seconds
		FROM daily_stats WHERE date >= ? AND date <= ?`
	if to == "" {
		to = "9999-12-31"
	}
	args := []any{from, to}
	if owner != "" {
		q += ` AND repo_owner = ? AND repo_name = ?`
		args = append(args, owner, name)
	}
	q += ` ORDER BY date, repo_owner, repo_name, pr_number`
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("localdb.DailyStats: %w", classify(err))
	}
	defer rows.Close()
	out := []DailyStat{}
	for rows.Next() {
		var d DailyStat
		if err := rows.Scan(&d.Date, &d.RepoOwner, &d.RepoName, &d.PRNumber, &d.Seconds, &d.Sessions, &d.AvgSeconds); err != nil {
			return nil, fmt.Errorf("localdb.DailyStats: %w", classify(err))
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("localdb.DailyStats: %w", classify(err))
	}
	return out, nil
}
