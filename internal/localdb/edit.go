package localdb

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// scanTombstone reads a deleted_sessions row (id, start_time,
// prev_start_time, updated_at, change_seq) as a Session with Deleted set.
func scanTombstone(r scanner) (Session, error) {
	var s Session
	var start, updated int64
	var prev sql.NullInt64
	if err := r.Scan(&s.ID, &start, &prev, &updated, &s.ChangeSeq); err != nil {
		return Session{}, err
	}
	s.Deleted = true
	s.StartTime = time.Unix(start, 0).UTC()
	if prev.Valid {
		t := time.Unix(prev.Int64, 0).UTC()
		s.SyncedStart = &t
	}
	s.UpdatedAt = time.UnixMilli(updated).UTC()
	return s, nil
}

// Delete removes cur, the session as read in this transaction, as a local
// change: its parts leave daily_stats and a tombstone takes its place,
// pending for the server. The tombstone names the session's start and, when
// the server holds it at another start (an edit moved it and was not pushed
// yet), that one too. It returns the tombstone.
func (tx *Tx) Delete(cur Session) (Session, error) {
	if err := tx.addStats(cur, -1); err != nil {
		return Session{}, fmt.Errorf("delete %s: %w", cur.ID, err)
	}
	res, err := tx.ExecContext(tx.ctx, `DELETE FROM time_sessions WHERE id = ?`, cur.ID)
	if err != nil {
		return Session{}, fmt.Errorf("delete %s: %w", cur.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Session{}, fmt.Errorf("delete %s: %w: no row to delete (%d, %v)", cur.ID, ErrInvalidSession, n, err)
	}
	t := Session{Deleted: true}
	t.ID, t.StartTime = cur.ID, cur.StartTime
	if cur.SyncedStart != nil && !cur.SyncedStart.Equal(cur.StartTime) {
		p := *cur.SyncedStart
		t.SyncedStart = &p
	}
	if err := tx.stamp(&t, true, cur); err != nil {
		return Session{}, fmt.Errorf("delete %s: %w", cur.ID, err)
	}
	var prev any
	if t.SyncedStart != nil {
		prev = t.SyncedStart.Unix()
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO deleted_sessions (id, start_time, prev_start_time, updated_at, change_seq)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET start_time = excluded.start_time, prev_start_time = excluded.prev_start_time,
		updated_at = excluded.updated_at, change_seq = excluded.change_seq, quarantined_seq = 0, keep_local = 0`,
		t.ID, t.StartTime.Unix(), prev, t.UpdatedAt.UnixMilli(), t.ChangeSeq); err != nil {
		return Session{}, fmt.Errorf("delete %s: %w", cur.ID, err)
	}
	return t, nil
}

// IsDeleted reports whether session id has a tombstone.
func (tx *Tx) IsDeleted(id string) (bool, error) {
	var one int
	err := tx.QueryRowContext(tx.ctx, `SELECT 1 FROM deleted_sessions WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tombstone %s: %w", id, err)
	}
	return true, nil
}

// applyRemoteDelete applies a deletion pulled from the server: the session
// (if here) leaves time_sessions and daily_stats, and a tombstone that is not
// pending keeps it out. ok is false when the tombstone was already here.
func (tx *Tx) applyRemoteDelete(s Session, old Session, existed bool) (ok bool, err error) {
	// This device's own withdrawal coming back: the session stays here.
	var keep int
	err = tx.QueryRowContext(tx.ctx, `SELECT keep_local FROM deleted_sessions WHERE id = ?`, s.ID).Scan(&keep)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if keep == 1 {
		return false, nil
	}
	if existed {
		if err := tx.addStats(old, -1); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM time_sessions WHERE id = ?`, s.ID); err != nil {
			return false, err
		}
	}
	start := s.StartTime
	if existed {
		start = old.StartTime
	}
	res, err := tx.ExecContext(tx.ctx, `INSERT INTO deleted_sessions (id, start_time, updated_at)
		VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING`, s.ID, start.Unix(), s.UpdatedAt.UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return existed || n > 0, err
}

// OverlappingSession returns a session of deviceID other than id that
// covers a second of [start, end): an ended one that covers at least a
// second, or an active one that started before end. It reads the start-time
// index from start - longest to end only.
func (tx *Tx) OverlappingSession(deviceID, id string, start, end time.Time, longest time.Duration) (s Session, ok bool, err error) {
	var other string
	err = tx.QueryRowContext(tx.ctx, `SELECT id FROM time_sessions
		WHERE start_time >= ?3 AND start_time < ?4 AND device_id = ?1 AND id != ?2
		AND (end_time IS NULL OR (end_time > ?5 AND end_time > start_time))
		ORDER BY start_time LIMIT 1`, deviceID, id, start.Add(-longest).Unix(), end.Unix(), start.Unix()).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("overlap of %s to %s: %w", start.Format(time.RFC3339), end.Format(time.RFC3339), err)
	}
	return tx.Session(other)
}

// SessionsBetween returns deviceID's sessions, other than those in skip,
// that start in (after, before), in start order: what lies between two
// sessions that a merge would join.
func (tx *Tx) SessionsBetween(deviceID string, after, before time.Time, skip ...string) ([]Session, error) {
	out, err := querySessions(tx.ctx, tx, func(s Session) bool { return !slices.Contains(skip, s.ID) },
		`SELECT `+sessionCols+` FROM time_sessions
		WHERE start_time >= ?2 AND start_time < ?3 AND device_id = ?1 ORDER BY start_time, id`,
		deviceID, after.Unix(), before.Unix())
	if err != nil {
		return nil, fmt.Errorf("sessions between: %w", err)
	}
	return out, nil
}

// SelectFilter selects sessions for a bulk change by start time (Since <=
// start_time < Until, zero means unbounded), repository and pull request.
// At least one field must be set: an empty filter selects nothing rather
// than the whole history.
type SelectFilter struct {
	Since, Until        time.Time
	RepoOwner, RepoName string // both or neither
	PRNumber            int    // 0 for any; needs the repository
	// Limit bounds the rows read (<= 0: no bound).
	Limit int
}

// Empty reports whether f selects by nothing.
func (f SelectFilter) Empty() bool {
	return f.Since.IsZero() && f.Until.IsZero() && f.RepoOwner == "" && f.PRNumber == 0
}

// Select returns the ended sessions f selects, oldest start first. Active
// sessions are never selected: an active session can only be ended.
func (tx *Tx) Select(f SelectFilter) ([]Session, error) {
	if f.Empty() {
		return nil, fmt.Errorf("select: %w: an empty filter", api.ErrInvalid)
	}
	where := []string{"status != 'active'"}
	var args []any
	if !f.Since.IsZero() {
		where = append(where, "start_time >= ?")
		args = append(args, f.Since.Unix())
	}
	if !f.Until.IsZero() {
		where = append(where, "start_time < ?")
		args = append(args, f.Until.Unix())
	}
	if f.RepoOwner != "" {
		where = append(where, "repo_owner = ? AND repo_name = ?")
		args = append(args, f.RepoOwner, f.RepoName)
	}
	if f.PRNumber != 0 {
		where = append(where, "pr_number = ?")
		args = append(args, f.PRNumber)
	}
	q := `SELECT ` + sessionCols + ` FROM time_sessions WHERE ` + strings.Join(where, " AND ") + ` ORDER BY start_time, id`
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	out, err := querySessions(tx.ctx, tx, nil, q, args...)
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	return out, nil
}

// Tombstones returns every tombstone, oldest change first (for tests and
// status).
func (tx *Tx) Tombstones() ([]Session, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT id, start_time, prev_start_time, updated_at, change_seq
		FROM deleted_sessions ORDER BY change_seq, id`)
	if err != nil {
		return nil, fmt.Errorf("tombstones: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		t, err := scanTombstone(rows)
		if err != nil {
			return nil, fmt.Errorf("tombstones: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Withdraw takes cur, a session the server holds (SyncedStart set), off the
// server while keeping it here: a pending tombstone that keeps the local
// row (keep_local) goes to the server, which then removes the session from
// every other device too. The row forgets its synced start. It returns the
// tombstone.
func (tx *Tx) Withdraw(cur Session) (Session, error) {
	if cur.SyncedStart == nil {
		return Session{}, fmt.Errorf("withdraw %s: %w: the server does not hold it", cur.ID, ErrInvalidSession)
	}
	t := Session{Deleted: true}
	t.ID, t.StartTime = cur.ID, cur.StartTime
	if !cur.SyncedStart.Equal(cur.StartTime) {
		p := *cur.SyncedStart
		t.SyncedStart = &p
	}
	if err := tx.stamp(&t, true, cur); err != nil {
		return Session{}, fmt.Errorf("withdraw %s: %w", cur.ID, err)
	}
	var prev any
	if t.SyncedStart != nil {
		prev = t.SyncedStart.Unix()
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO deleted_sessions (id, start_time, prev_start_time, updated_at, change_seq, keep_local)
		VALUES (?, ?, ?, ?, ?, 1)
		ON CONFLICT(id) DO UPDATE SET start_time = excluded.start_time, prev_start_time = excluded.prev_start_time,
		updated_at = excluded.updated_at, change_seq = excluded.change_seq, quarantined_seq = 0, keep_local = 1`,
		t.ID, t.StartTime.Unix(), prev, t.UpdatedAt.UnixMilli(), t.ChangeSeq); err != nil {
		return Session{}, fmt.Errorf("withdraw %s: %w", cur.ID, err)
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE time_sessions SET synced_start = NULL WHERE id = ?`, cur.ID); err != nil {
		return Session{}, fmt.Errorf("withdraw %s: %w", cur.ID, err)
	}
	return t, nil
}

// OnServer returns the ended sessions the server holds (synced_start set),
// oldest start first, calling keep to choose them.
func (tx *Tx) OnServer(keep func(owner, name string) bool) ([]Session, error) {
	out, err := querySessions(tx.ctx, tx, func(s Session) bool { return keep(s.RepoOwner, s.RepoName) },
		`SELECT `+sessionCols+` FROM time_sessions
		WHERE synced_start IS NOT NULL AND status != 'active' ORDER BY start_time, id`)
	if err != nil {
		return nil, fmt.Errorf("sessions on the server: %w", err)
	}
	return out, nil
}
