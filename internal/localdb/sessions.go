package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// Session is a stored session with the fields sync needs beyond the wire
// type: where it came from, its last heartbeat, when it was last written (ms
// precision, decides last-writer-wins) and its change sequence.
type Session struct {
	api.Session
	Source          string
	LastHeartbeatAt *time.Time
	UpdatedAt       time.Time
	ChangeSeq       int64
	// SyncedStart is the start_time the server holds for the session (the
	// one it was last pushed or pulled with); nil when it never was there.
	// A push of a session whose start moved sends it as prev_start_time.
	SyncedStart *time.Time
	// Deleted marks a tombstone (PendingSessions, ApplyRemote): only ID,
	// StartTime, SyncedStart (the server's start, when it differs),
	// UpdatedAt and ChangeSeq mean anything.
	Deleted bool
}

const sessionCols = `id, device_id, source, repo_owner, repo_name, pr_number, start_time, end_time,
	duration_seconds, status, last_heartbeat_at, updated_at, change_seq, synced_start`

type scanner interface{ Scan(dest ...any) error }

func scanSession(r scanner) (Session, error) {
	var s Session
	var start, updated int64
	var end, dur, hb, synced sql.NullInt64
	if err := r.Scan(&s.ID, &s.DeviceID, &s.Source, &s.RepoOwner, &s.RepoName, &s.PRNumber, &start, &end,
		&dur, &s.Status, &hb, &updated, &s.ChangeSeq, &synced); err != nil {
		return Session{}, err
	}
	if synced.Valid {
		t := time.Unix(synced.Int64, 0).UTC()
		s.SyncedStart = &t
	}
	s.StartTime = time.Unix(start, 0).UTC()
	if end.Valid {
		t := time.Unix(end.Int64, 0).UTC()
		s.EndTime = &t
	}
	s.DurationSeconds = dur.Int64
	if hb.Valid {
		t := time.Unix(hb.Int64, 0).UTC()
		s.LastHeartbeatAt = &t
	}
	s.UpdatedAt = time.UnixMilli(updated).UTC()
	return s, nil
}

// normalize truncates times to whole seconds in UTC, fills duration and
// checks the invariants the schema enforces, with a clear message.
func normalize(s *Session) error {
	s.StartTime = s.StartTime.UTC().Truncate(time.Second)
	if s.EndTime != nil {
		t := s.EndTime.UTC().Truncate(time.Second)
		s.EndTime = &t
	}
	if s.LastHeartbeatAt != nil {
		t := s.LastHeartbeatAt.UTC().Truncate(time.Second)
		s.LastHeartbeatAt = &t
	}
	switch {
	case s.ID == "":
		return fmt.Errorf("%w: empty id", ErrInvalidSession)
	case s.RepoOwner == "" || s.RepoName == "":
		return fmt.Errorf("%w %s: empty repository", ErrInvalidSession, s.ID)
	case s.PRNumber <= 0:
		return fmt.Errorf("%w %s: pr_number %d must be positive", ErrInvalidSession, s.ID, s.PRNumber)
	case s.Source != api.SourceBrowser && s.Source != api.SourceManual:
		return fmt.Errorf("%w %s: source %q must be %q or %q", ErrInvalidSession, s.ID, s.Source, api.SourceBrowser, api.SourceManual)
	}
	switch s.Status {
	case api.StatusActive:
		if s.EndTime != nil {
			return fmt.Errorf("%w %s: an active session has no end_time", ErrInvalidSession, s.ID)
		}
		s.DurationSeconds = 0
	case api.StatusCompleted, api.StatusAbandoned:
		if s.EndTime == nil {
			return fmt.Errorf("%w %s: a %s session needs an end_time", ErrInvalidSession, s.ID, s.Status)
		}
		if s.EndTime.Before(s.StartTime) {
			return fmt.Errorf("%w %s: end_time %s is before start_time %s", ErrInvalidSession, s.ID,
				s.EndTime.Format(time.RFC3339), s.StartTime.Format(time.RFC3339))
		}
		s.DurationSeconds = s.EndTime.Unix() - s.StartTime.Unix()
	default:
		return fmt.Errorf("%w %s: status %q must be active, completed or abandoned", ErrInvalidSession, s.ID, s.Status)
	}
	return nil
}

// Tx is one write transaction. Every change to a session goes through Put,
// which keeps daily_stats and the change bookkeeping in step.
type Tx struct {
	db  *DB
	tx  *sql.Tx
	ctx context.Context
}

// Update runs fn in one durable write transaction: when Update returns nil
// the changes are on disk. fn must not keep tx.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return db.update(ctx, func(stx *sql.Tx) error {
		return fn(&Tx{db: db, tx: stx, ctx: ctx})
	})
}

// Session returns the session with id; ok is false if there is none.
func (tx *Tx) Session(id string) (s Session, ok bool, err error) {
	return getSession(tx.ctx, tx, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func getSession(ctx context.Context, q querier, id string) (Session, bool, error) {
	s, err := scanSession(q.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM time_sessions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("session %s: %w", id, err)
	}
	return s, true, nil
}

// ActiveSessions returns the active sessions of deviceID, oldest first.
// There is at most one unless the store was written by a broken client.
func (tx *Tx) ActiveSessions(deviceID string) ([]Session, error) {
	return activeSessions(tx.ctx, tx, deviceID)
}

// querySessions runs query, which selects sessionCols, and returns the rows
// keep accepts (every row when keep is nil), never nil.
func querySessions(ctx context.Context, q querier, keep func(Session) bool, query string, args ...any) ([]Session, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(s) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

func activeSessions(ctx context.Context, q querier, deviceID string) ([]Session, error) {
	out, err := querySessions(ctx, q, nil, `SELECT `+sessionCols+` FROM time_sessions
		WHERE device_id = ? AND status = 'active' ORDER BY start_time, id`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("active sessions: %w", err)
	}
	return out, nil
}

// EndedSessionCovering returns an ended session of deviceID that covers the
// second at (start_time <= at < end_time) and started at most longest
// before at; ok is false if there is none. It reads only the start_time
// index, from at back to at - longest: longest bounds the read in a
// history of many devices and many years.
func (tx *Tx) EndedSessionCovering(deviceID string, at time.Time, longest time.Duration) (s Session, ok bool, err error) {
	var id string
	err = tx.QueryRowContext(tx.ctx, `SELECT id FROM time_sessions
		WHERE start_time <= ?2 AND start_time >= ?3 AND device_id = ?1 AND status != 'active' AND end_time > ?2
		ORDER BY start_time DESC LIMIT 1`, deviceID, at.Unix(), at.Add(-longest).Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("session covering %s: %w", at.Format(time.RFC3339), err)
	}
	return tx.Session(id)
}

// NextSessionStart returns the start of deviceID's first session, other
// than id, that starts after after and before before and covers at least a
// second; ok is false if there is none.
func (tx *Tx) NextSessionStart(deviceID, id string, after, before time.Time) (start time.Time, ok bool, err error) {
	var sec int64
	err = tx.QueryRowContext(tx.ctx, `SELECT start_time FROM time_sessions
		WHERE start_time > ?2 AND start_time < ?3 AND device_id = ?1 AND id != ?4
		AND (end_time IS NULL OR end_time > start_time)
		ORDER BY start_time LIMIT 1`, deviceID, after.Unix(), before.Unix(), id).Scan(&sec)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next session after %s: %w", after.Format(time.RFC3339), err)
	}
	return time.Unix(sec, 0).UTC(), true, nil
}

// Put inserts or replaces a session as a local change: it stamps updated_at
// (never earlier than the stored value + 1 ms), assigns the next change
// sequence (making the row pending) and moves the session's contribution in
// daily_stats. It returns the row as stored.
func (tx *Tx) Put(s Session) (Session, error) {
	if err := normalize(&s); err != nil {
		return Session{}, err
	}
	old, existed, err := tx.Session(s.ID)
	if err != nil {
		return Session{}, fmt.Errorf("put: %w", err)
	}
	if err := tx.stamp(&s, existed, old); err != nil {
		return Session{}, fmt.Errorf("put: %w", err)
	}
	if err := tx.write(s, existed, old, false); err != nil {
		return Session{}, fmt.Errorf("put %s: %w", s.ID, err)
	}
	return s, nil
}

// stamp sets s's updated_at (never earlier than old's + 1 ms) and assigns it
// the next change sequence, making it a local change.
func (tx *Tx) stamp(s *Session, existed bool, old Session) error {
	now := tx.db.clock.Now().UTC().Truncate(time.Millisecond)
	if existed && !now.After(old.UpdatedAt) {
		now = old.UpdatedAt.Add(time.Millisecond)
	}
	s.UpdatedAt = now
	if err := tx.QueryRowContext(tx.ctx, `UPDATE state SET value = CAST(value AS INTEGER) + 1
		WHERE key = 'change_seq' RETURNING CAST(value AS INTEGER)`).Scan(&s.ChangeSeq); err != nil {
		return fmt.Errorf("change_seq: %w", err)
	}
	return nil
}

// Heartbeat is Put for the one change a heartbeat makes: cur, the active
// session as read in this transaction (by Session or ActiveSessions), gets
// last_heartbeat_at = at. It is the heartbeat's hot path, so it neither reads
// the row again nor rewrites the columns that did not change (and the
// indexes over them); daily_stats holds no active session, so it is not
// touched. The bookkeeping is Put's: updated_at, change_seq, quarantine
// lifted. It returns the row as stored.
func (tx *Tx) Heartbeat(cur Session, at time.Time) (Session, error) {
	if cur.Status != api.StatusActive || cur.EndTime != nil {
		return Session{}, fmt.Errorf("heartbeat %s: %w: the session is %s", cur.ID, ErrInvalidSession, cur.Status)
	}
	at = at.UTC().Truncate(time.Second)
	if at.Before(cur.StartTime) {
		return Session{}, fmt.Errorf("heartbeat %s: %w: %s is before start_time %s", cur.ID, ErrInvalidSession,
			at.Format(time.RFC3339), cur.StartTime.Format(time.RFC3339))
	}
	s := cur
	s.LastHeartbeatAt = &at
	if err := tx.stamp(&s, true, cur); err != nil {
		return Session{}, fmt.Errorf("heartbeat %s: %w", s.ID, err)
	}
	res, err := tx.ExecContext(tx.ctx, `UPDATE time_sessions SET last_heartbeat_at = ?, updated_at = ?,
		change_seq = ?, quarantined_seq = 0, quarantine_reason = ''
		WHERE id = ? AND status = 'active'`, at.Unix(), s.UpdatedAt.UnixMilli(), s.ChangeSeq, s.ID)
	if err != nil {
		return Session{}, fmt.Errorf("heartbeat %s: %w", s.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Session{}, fmt.Errorf("heartbeat %s: %w: no active row to update (%d, %v)", s.ID, ErrInvalidSession, n, err)
	}
	return s, nil
}

// write stores s (normalised) over old and moves daily_stats. remote rows are
// written as already pushed.
func (tx *Tx) write(s Session, existed bool, old Session, remote bool) error {
	if existed {
		if err := tx.addStats(old, -1); err != nil {
			return err
		}
	}
	if err := tx.addStats(s, +1); err != nil {
		return err
	}
	var end, hb any
	var dur any
	if s.EndTime != nil {
		end = s.EndTime.Unix()
		dur = s.DurationSeconds
	}
	if s.LastHeartbeatAt != nil {
		hb = s.LastHeartbeatAt.Unix()
	}
	nowSec := tx.db.clock.Now().Unix()
	var err error
	if remote {
		// A pulled row is not pending: pushed_seq catches up with change_seq.
		_, err = tx.ExecContext(tx.ctx, `INSERT INTO time_sessions (id, device_id, source, repo_owner, repo_name,
			pr_number, start_time, end_time, duration_seconds, status, last_heartbeat_at, created_at, updated_at,
			change_seq, pushed_seq, synced_start)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?7)
			ON CONFLICT(id) DO UPDATE SET device_id = excluded.device_id, source = excluded.source,
			repo_owner = excluded.repo_owner, repo_name = excluded.repo_name, pr_number = excluded.pr_number,
			start_time = excluded.start_time, end_time = excluded.end_time, duration_seconds = excluded.duration_seconds,
			status = excluded.status, last_heartbeat_at = excluded.last_heartbeat_at, updated_at = excluded.updated_at,
			pushed_seq = change_seq, quarantined_seq = 0, quarantine_reason = '', synced_start = excluded.start_time`,
			s.ID, s.DeviceID, s.Source, s.RepoOwner, s.RepoName, s.PRNumber, s.StartTime.Unix(), end, dur, s.Status, hb,
			nowSec, s.UpdatedAt.UnixMilli())
	} else {
		_, err = tx.ExecContext(tx.ctx, `INSERT INTO time_sessions (id, device_id, source, repo_owner, repo_name,
			pr_number, start_time, end_time, duration_seconds, status, last_heartbeat_at, created_at, updated_at,
			change_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET device_id = excluded.device_id, source = excluded.source,
			repo_owner = excluded.repo_owner, repo_name = excluded.repo_name, pr_number = excluded.pr_number,
			start_time = excluded.start_time, end_time = excluded.end_time, duration_seconds = excluded.duration_seconds,
			status = excluded.status, last_heartbeat_at = excluded.last_heartbeat_at, updated_at = excluded.updated_at,
			change_seq = excluded.change_seq, quarantined_seq = 0, quarantine_reason = ''`,
			s.ID, s.DeviceID, s.Source, s.RepoOwner, s.RepoName, s.PRNumber, s.StartTime.Unix(), end, dur, s.Status, hb,
			nowSec, s.UpdatedAt.UnixMilli(), s.ChangeSeq)
	}
	return err
}

// addStats adds (sign +1) or removes (sign -1) an ended session's parts.
func (tx *Tx) addStats(s Session, sign int64) error {
	if s.Status == api.StatusActive || s.EndTime == nil {
		return nil
	}
	for _, p := range SplitDays(s.StartTime, *s.EndTime, tx.db.loc) {
		var n int64
		if p.Counts {
			n = 1
		}
		if err := upsertStat(tx.ctx, tx, p.Date, s.RepoOwner, s.RepoName, s.PRNumber, sign*p.Seconds, sign*n); err != nil {
			return err
		}
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func upsertStat(ctx context.Context, ex execer, date, owner, name string, pr int, secs, count int64) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO daily_stats (date, repo_owner, repo_name, pr_number,
		total_duration_seconds, session_count, avg_session_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6,
		CASE WHEN ?6 > 0 THEN ?5 / ?6 ELSE 0 END)
		ON CONFLICT DO UPDATE SET
		total_duration_seconds = total_duration_seconds + excluded.total_duration_seconds,
		session_count = session_count + excluded.session_count,
		avg_session_seconds = CASE WHEN session_count + excluded.session_count > 0
			THEN (total_duration_seconds + excluded.total_duration_seconds) / (session_count + excluded.session_count)
			ELSE 0 END`, date, owner, name, pr, secs, count)
	if err != nil {
		return fmt.Errorf("daily_stats %s: %w", date, err)
	}
	if secs < 0 || count < 0 {
		if _, err := ex.ExecContext(ctx, `DELETE FROM daily_stats WHERE date = ? AND repo_owner = ? AND repo_name = ?
			AND pr_number = ? AND session_count <= 0 AND total_duration_seconds <= 0`, date, owner, name, pr); err != nil {
			return fmt.Errorf("daily_stats %s: %w", date, err)
		}
	}
	return nil
}

// Session returns the session with id, or ErrNotFound.
func (db *DB) Session(ctx context.Context, id string) (Session, error) {
	s, ok, err := getSession(ctx, db.sql, id)
	if err != nil {
		return Session{}, fmt.Errorf("localdb.Session: %w", classify(err))
	}
	if !ok {
		return Session{}, fmt.Errorf("localdb.Session %s: %w", id, ErrNotFound)
	}
	return s, nil
}

// ActiveSessions returns deviceID's active sessions, oldest first.
func (db *DB) ActiveSessions(ctx context.Context, deviceID string) ([]Session, error) {
	out, err := activeSessions(ctx, db.sql, deviceID)
	if err != nil {
		return nil, fmt.Errorf("localdb.ActiveSessions: %w", classify(err))
	}
	return out, nil
}

// SessionFilter selects sessions for ListSessions.
type SessionFilter struct {
	RepoOwner, RepoName string    // both or neither
	PRNumber            int       // with the repository: one pull request; 0 for any
	Since               time.Time // start_time >= Since when non-zero
	Status              string    // "" for any
	Limit               int       // <= 0 for no limit
	Offset              int       // rows skipped first (a page of the list); >= 0
}

// ListSessions returns sessions newest first.
func (db *DB) ListSessions(ctx context.Context, f SessionFilter) ([]Session, error) {
	q, args := f.query()
	out, err := querySessions(ctx, db.sql, nil, q, args...)
	if err != nil {
		return nil, fmt.Errorf("localdb.ListSessions: %w", classify(err))
	}
	return out, nil
}

// query is ListSessions' statement. Its order, (start_time, id) backwards,
// is the order of idx_sessions_start_cover and idx_sessions_repo_start, so
// a limited list reads only its first rows of the index, not the history.
func (f SessionFilter) query() (string, []any) {
	w, args := f.where()
	q := `SELECT ` + sessionCols + ` FROM time_sessions` + w
	q += " ORDER BY start_time DESC, id DESC"
	if f.Limit > 0 || f.Offset > 0 {
		limit := f.Limit
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		q += " LIMIT ? OFFSET ?"
		args = append(args, limit, f.Offset)
	}
	return q, args
}

// CountMatching counts the sessions ListSessions would list without its
// Limit and Offset: the true size of a filtered list shown a page at a time.
func (db *DB) CountMatching(ctx context.Context, f SessionFilter) (int64, error) {
	w, args := f.where()
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM time_sessions`+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("localdb.CountMatching: %w", classify(err))
	}
	return n, nil
}

// Repos lists every repository ("owner/name") with at least one session,
// sorted; it walks idx_sessions_repo_pr, not the sessions.
func (db *DB) Repos(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT repo_owner, repo_name FROM time_sessions ORDER BY repo_owner, repo_name`)
	if err != nil {
		return nil, fmt.Errorf("localdb.Repos: %w", classify(err))
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var owner, name string
		if err := rows.Scan(&owner, &name); err != nil {
			return nil, fmt.Errorf("localdb.Repos: %w", classify(err))
		}
		out = append(out, owner+"/"+name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("localdb.Repos: %w", classify(err))
	}
	return out, nil
}

func (f SessionFilter) where() (string, []any) {
	var where []string
	var args []any
	if f.RepoOwner != "" {
		where = append(where, "repo_owner = ? AND repo_name = ?")
		args = append(args, f.RepoOwner, f.RepoName)
	}
	if f.PRNumber > 0 {
		where = append(where, "pr_number = ?")
		args = append(args, f.PRNumber)
	}
	if !f.Since.IsZero() {
		where = append(where, "start_time >= ?")
		args = append(args, f.Since.Unix())
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// ExportFilter selects sessions by start time: Since <= start_time < Until
// (zero means unbounded).
type ExportFilter struct {
	Since, Until        time.Time
	RepoOwner, RepoName string // both or neither: one repository
}

func (f ExportFilter) where() (string, []any) {
	var where []string
	var args []any
	if f.RepoOwner != "" {
		where = append(where, "repo_owner = ? AND repo_name = ?")
		args = append(args, f.RepoOwner, f.RepoName)
	}
	if !f.Since.IsZero() {
		where = append(where, "start_time >= ?")
		args = append(args, f.Since.Unix())
	}
	if !f.Until.IsZero() {
		where = append(where, "start_time < ?")
		args = append(args, f.Until.Unix())
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// CountSessions counts the sessions Export would return.
func (db *DB) CountSessions(ctx context.Context, f ExportFilter) (int64, error) {
	w, args := f.where()
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM time_sessions`+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("localdb.CountSessions: %w", classify(err))
	}
	return n, nil
}

// Export calls fn for every selected session, oldest start first, reading
// rows one at a time (constant memory). Only the wire fields are read
// (Session's own fields are left zero). An error from fn stops it.
func (db *DB) Export(ctx context.Context, f ExportFilter, fn func(Session) error) error {
	w, args := f.where()
	rows, err := db.sql.QueryContext(ctx, `SELECT id, device_id, repo_owner, repo_name, pr_number, start_time,
		end_time, status FROM time_sessions`+w+` ORDER BY start_time, id`, args...)
	if err != nil {
		return fmt.Errorf("localdb.Export: %w", classify(err))
	}
	defer rows.Close()
	var s Session
	var start int64
	var end sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&s.ID, &s.DeviceID, &s.RepoOwner, &s.RepoName, &s.PRNumber, &start, &end, &s.Status); err != nil {
			return fmt.Errorf("localdb.Export: %w", classify(err))
		}
		s.StartTime = time.Unix(start, 0).UTC()
		s.EndTime, s.DurationSeconds = nil, 0
		if end.Valid {
			endT := time.Unix(end.Int64, 0).UTC()
			s.EndTime = &endT
			s.DurationSeconds = end.Int64 - start
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("localdb.Export: %w", classify(err))
	}
	return nil
}
