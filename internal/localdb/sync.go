package localdb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// PendingSessions returns up to limit ended sessions changed locally since
// their last successful push, oldest change first, leaving out quarantined
// rows. Active sessions are never pending: they are pushed once they end.
func (db *DB) PendingSessions(ctx context.Context, limit int) ([]Session, error) {
	return db.PendingSessionsAfter(ctx, 0, limit)
}

// PendingSessionsAfter is PendingSessions restricted to rows whose
// change_seq is above after: the rows that follow a batch still on its way
// (whose last change_seq is after). Every change gets a change_seq above
// all earlier ones, so a row changed while that batch was read or pushed is
// among them again.
func (db *DB) PendingSessionsAfter(ctx context.Context, after int64, limit int) ([]Session, error) {
	if limit <= 0 {
		limit = 500
	}
	out, err := querySessions(ctx, db.sql, nil, `SELECT `+sessionCols+` FROM time_sessions
		WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND status != 'active' AND change_seq > ?
		ORDER BY change_seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("localdb.PendingSessions: %w", classify(err))
	}
	dead, err := db.pendingTombstones(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("localdb.PendingSessions: %w", classify(err))
	}
	if len(dead) == 0 {
		return out, nil
	}
	out = append(out, dead...)
	slices.SortFunc(out, func(a, b Session) int { return cmp.Compare(a.ChangeSeq, b.ChangeSeq) })
	return out[:min(len(out), limit)], nil
}

// pendingTombstones is PendingSessionsAfter's read of deleted_sessions.
func (db *DB) pendingTombstones(ctx context.Context, after int64, limit int) ([]Session, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, start_time, prev_start_time, updated_at, change_seq FROM deleted_sessions
		WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND change_seq > ?
		ORDER BY change_seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		t, err := scanTombstone(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// PendingCount is the number of rows PendingSessions would return without a
// limit.
func (db *DB) PendingCount(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM time_sessions
		WHERE change_seq > pushed_seq AND quarantined_seq != change_seq AND status != 'active')
		+ (SELECT COUNT(*) FROM deleted_sessions WHERE change_seq > pushed_seq AND quarantined_seq != change_seq)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("localdb.PendingCount: %w", classify(err))
	}
	return n, nil
}

// MarkPushed records that the server accepted each session id at the change
// sequence that was read (acks[id]). A row changed again since then keeps
// its newer change_seq and stays pending. Unknown ids are ignored.
//
// The whole batch is one statement joined against a JSON list of (id,
// change_seq) pairs: one parse and one pass instead of a statement per row.
func (db *DB) MarkPushed(ctx context.Context, acks map[string]int64) error {
	if len(acks) == 0 {
		return nil
	}
	list, err := ackList(acks)
	if err != nil {
		return fmt.Errorf("localdb.MarkPushed: %w", err)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		// The server now holds the session at the start it was pushed
		// with: the row is still at that change_seq, so at that start.
		if _, err := tx.ExecContext(ctx, `UPDATE time_sessions SET pushed_seq = change_seq, synced_start = start_time
			FROM (SELECT value ->> 0 AS id, value ->> 1 AS seq FROM json_each(?)) AS a
			WHERE time_sessions.id = a.id AND time_sessions.change_seq = a.seq`, list); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE deleted_sessions SET pushed_seq = change_seq
			FROM (SELECT value ->> 0 AS id, value ->> 1 AS seq FROM json_each(?)) AS a
			WHERE deleted_sessions.id = a.id AND deleted_sessions.change_seq = a.seq`, list)
		return err
	})
	if err != nil {
		return fmt.Errorf("localdb.MarkPushed: %w", err)
	}
	return nil
}

// ackList is acks as the JSON array of [id, change_seq] pairs the marking
// statements read with json_each, in id order: the updates then walk the
// primary key forwards.
func ackList(acks map[string]int64) (string, error) {
	ids := slices.Sorted(maps.Keys(acks))
	pairs := make([][2]any, len(ids))
	for i, id := range ids {
		pairs[i] = [2]any{id, acks[id]}
	}
	b, err := json.Marshal(pairs)
	return string(b), err
}

// MarkKeptLocal is MarkPushed for rows the rules keep off the server: each
// row still at the change sequence read stops being pending, and its
// synced_start stays as it was (the server does not get this version).
func (db *DB) MarkKeptLocal(ctx context.Context, acks map[string]int64) error {
	if len(acks) == 0 {
		return nil
	}
	list, err := ackList(acks)
	if err != nil {
		return fmt.Errorf("localdb.MarkKeptLocal: %w", err)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE time_sessions SET pushed_seq = change_seq
			FROM (SELECT value ->> 0 AS id, value ->> 1 AS seq FROM json_each(?)) AS a
			WHERE time_sessions.id = a.id AND time_sessions.change_seq = a.seq`, list)
		return err
	})
	if err != nil {
		return fmt.Errorf("localdb.MarkKeptLocal: %w", err)
	}
	return nil
}

// Quarantine parks session id at changeSeq: PendingSessions skips it until
// the row changes again. reason says why the server refused it. It is a
// no-op if the row has changed since changeSeq was read.
func (db *DB) Quarantine(ctx context.Context, id string, changeSeq int64, reason string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE time_sessions SET quarantined_seq = change_seq, quarantine_reason = ?
			WHERE id = ? AND change_seq = ? AND change_seq > pushed_seq`, reason, id, changeSeq); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE deleted_sessions SET quarantined_seq = change_seq
			WHERE id = ? AND change_seq = ? AND change_seq > pushed_seq`, id, changeSeq)
		return err
	})
	if err != nil {
		return fmt.Errorf("localdb.Quarantine: %w", err)
	}
	return nil
}

// QuarantinedCount is the number of quarantined rows.
func (db *DB) QuarantinedCount(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM time_sessions
		WHERE change_seq > pushed_seq AND quarantined_seq = change_seq)
		+ (SELECT COUNT(*) FROM deleted_sessions WHERE change_seq > pushed_seq AND quarantined_seq = change_seq)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("localdb.QuarantinedCount: %w", classify(err))
	}
	return n, nil
}

// Quarantined is a quarantined row and the server's reason.
type Quarantined struct {
	ID, Reason string
	ChangeSeq  int64
}

// QuarantinedSessions lists quarantined rows (for status output).
func (db *DB) QuarantinedSessions(ctx context.Context, limit int) ([]Quarantined, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, quarantine_reason, change_seq FROM time_sessions
		WHERE change_seq > pushed_seq AND quarantined_seq = change_seq ORDER BY change_seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("localdb.QuarantinedSessions: %w", classify(err))
	}
	defer rows.Close()
	var out []Quarantined
	for rows.Next() {
		var q Quarantined
		if err := rows.Scan(&q.ID, &q.Reason, &q.ChangeSeq); err != nil {
			return nil, fmt.Errorf("localdb.QuarantinedSessions: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// ApplyRemote merges sessions pulled from the server: a row is written when
// it is new here or its UpdatedAt is later than the stored one (last writer
// wins; on a tie the stored row stays). Written rows are not pending (a
// local change they override is dropped), and daily_stats moves in the same
// transaction. A session that breaks the store's invariants fails the whole
// call with ErrInvalidSession and nothing is written.
func (db *DB) ApplyRemote(ctx context.Context, sessions []Session) (applied int, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		applied = 0
		for _, s := range sessions {
			if s.Deleted {
				if s.ID == "" {
					return fmt.Errorf("%w: a deletion without an id", ErrInvalidSession)
				}
			} else if err := normalize(&s); err != nil {
				return err
			}
			s.UpdatedAt = s.UpdatedAt.UTC().Truncate(1e6)
			old, existed, err := tx.Session(s.ID)
			if err != nil {
				return err
			}
			// A deletion wins over every version of its session, older or
			// newer: a deleted session never comes back.
			if s.Deleted {
				ok, err := tx.applyRemoteDelete(s, old, existed)
				if err != nil {
					return fmt.Errorf("session %s: %w", s.ID, err)
				}
				if ok {
					applied++
				}
				continue
			}
			if dead, err := tx.IsDeleted(s.ID); err != nil {
				return err
			} else if dead {
				continue
			}
			if existed && !s.UpdatedAt.After(old.UpdatedAt) {
				continue
			}
			if err := tx.write(s, existed, old, true); err != nil {
				return fmt.Errorf("session %s: %w", s.ID, err)
			}
			applied++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb.ApplyRemote: %w", err)
	}
	return applied, nil
}
