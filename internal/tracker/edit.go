package tracker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// Editing history. Every change here keeps the rules of the package doc:
//   - Only ended sessions are edited, split, merged or deleted: an active
//     session can only be ended (End).
//   - A session after an edit covers at least one second and at most
//     MaxSessionLength, its times are whole seconds, not in the future and
//     not before 2000, and it covers no second that another session of its
//     device covers (an active session covers from its start on).
//   - An edit is a new version of the session (a later updated_at, pending
//     for the server); a delete leaves a tombstone that the server and every
//     other device receive, and that wins over every version of the session.
//   - daily_stats moves in the same transaction (localdb.Tx.Put and Delete).
//   - A dry run checks and computes everything in a transaction that is
//     rolled back: it reports exactly what the change would do.

// MaxSessionLength is the longest session an edit or an add may produce:
// the server refuses longer ones.
const MaxSessionLength = 31 * 24 * time.Hour

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// change runs fn in one write transaction, rolled back when dryRun, and
// notifies the listeners after a committed change.
func (t *Tracker) change(ctx context.Context, op string, dryRun bool, fn func(tx *localdb.Tx) (api.EditReply, error)) (api.EditReply, error) {
	var out api.EditReply
	err := t.db.Update(ctx, func(tx *localdb.Tx) error {
		var err error
		out, err = fn(tx)
		if err == nil && dryRun {
			return errDryRun
		}
		return err
	})
	if dryRun && errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return api.EditReply{}, fmt.Errorf("%s: %w", op, err)
	}
	if out.Sessions == nil {
		out.Sessions = []api.Session{}
	}
	if out.Deleted == nil {
		out.Deleted = []api.Session{}
	}
	out.DryRun = dryRun
	if !dryRun && (len(out.Sessions) > 0 || len(out.Deleted) > 0 || len(out.Withdrawn) > 0) {
		t.log.Debug("history changed", "op", op, "changed", len(out.Sessions), "deleted", len(out.Deleted))
		t.notify()
	}
	return out, nil
}

// checkEditTime is checkAt for a time of history: it may not lie in the
// future at all.
func (t *Tracker) checkEditTime(field string, at time.Time) (time.Time, error) {
	if at.IsZero() {
		return time.Time{}, invalid(field, "a time is required")
	}
	now := t.now()
	v := at.UTC().Truncate(time.Second)
	if v.After(now) {
		return time.Time{}, invalid(field, "%s is in the future (now %s)", v.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if v.Year() < 2000 {
		return time.Time{}, invalid(field, "%s is before the year 2000", v.Format(time.RFC3339))
	}
	return v, nil
}

// ended reads session id for a change of history: it must exist and be
// ended.
func ended(tx *localdb.Tx, id string) (localdb.Session, error) {
	canon, err := CheckSessionID(id)
	if err != nil {
		return localdb.Session{}, err
	}
	s, ok, err := tx.Session(canon)
	if err != nil {
		return localdb.Session{}, err
	}
	if !ok {
		return localdb.Session{}, fmt.Errorf("%w: session %s", api.ErrNotFound, canon)
	}
	if s.Status == api.StatusActive {
		return localdb.Session{}, fmt.Errorf("%w: session %s is active; an active session can only be ended (worktimed track stop)", api.ErrConflict, canon)
	}
	return s, nil
}

// checkSpan checks the times of a session as a change leaves them: at least
// a second, at most MaxSessionLength, and no second shared with another
// session of its device (other than those in skip, which the change
// deletes).
func checkSpan(tx *localdb.Tx, s localdb.Session, skip ...string) error {
	start, end := s.StartTime, *s.EndTime
	if !end.After(start) {
		return invalid("end_time", "end %s must be after start %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if end.Sub(start) > MaxSessionLength {
		return invalid("end_time", "the session would last %s, longer than %s", end.Sub(start), MaxSessionLength)
	}
	o, ok, err := tx.OverlappingSession(s.DeviceID, s.ID, start, end, LongestSession)
	for ok && err == nil && slices.Contains(skip, o.ID) {
		// A session the change deletes: look past it.
		o, ok, err = tx.OverlappingSession(s.DeviceID, s.ID, maxTime(start, *o.EndTime), end, LongestSession)
	}
	if err != nil {
		return err
	}
	if ok {
		oend := "now"
		if o.EndTime != nil {
			oend = o.EndTime.Format(time.RFC3339)
		}
		return fmt.Errorf("%w: %s to %s overlaps session %s (%s/%s#%d, %s to %s) of the same device; sessions of one device may not overlap",
			api.ErrConflict, start.Format(time.RFC3339), end.Format(time.RFC3339), o.ID, o.RepoOwner, o.RepoName, o.PRNumber,
			o.StartTime.Format(time.RFC3339), oend)
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// EditSession changes an ended session's pull request, start or end.
func (t *Tracker) EditSession(ctx context.Context, id string, req api.EditRequest) (api.EditReply, error) {
	var start, end *time.Time
	for _, f := range []struct {
		name string
		in   *time.Time
		out  **time.Time
	}{{"start_time", req.StartTime, &start}, {"end_time", req.EndTime, &end}} {
		if f.in == nil {
			continue
		}
		v, err := t.checkEditTime(f.name, *f.in)
		if err != nil {
			return api.EditReply{}, fmt.Errorf("edit: %w", err)
		}
		*f.out = &v
	}
	if req.PRNumber != nil && *req.PRNumber <= 0 {
		return api.EditReply{}, fmt.Errorf("edit: %w", invalid("pr_number", "%d must be a positive pull request number", *req.PRNumber))
	}
	if (req.RepoOwner == nil) != (req.RepoName == nil) {
		return api.EditReply{}, fmt.Errorf("edit: %w", invalid("repo", "give both the owner and the name of the repository"))
	}
	if req.RepoOwner != nil {
		if err := validateRepo(*req.RepoOwner, *req.RepoName); err != nil {
			return api.EditReply{}, fmt.Errorf("edit: %w", err)
		}
		if err := t.excluded(*req.RepoOwner, *req.RepoName); err != nil {
			return api.EditReply{}, fmt.Errorf("edit: %w", err)
		}
	}
	return t.change(ctx, "edit", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		s, err := ended(tx, id)
		if err != nil {
			return api.EditReply{}, err
		}
		next := s
		if req.RepoOwner != nil {
			next.RepoOwner, next.RepoName = *req.RepoOwner, *req.RepoName
		}
		if req.PRNumber != nil {
			next.PRNumber = *req.PRNumber
		}
		if start != nil {
			next.StartTime = *start
		}
		if end != nil {
			e := *end
			next.EndTime = &e
		}
		if next.RepoOwner == s.RepoOwner && next.RepoName == s.RepoName && next.PRNumber == s.PRNumber &&
			next.StartTime.Equal(s.StartTime) && next.EndTime.Equal(*s.EndTime) {
			// Nothing changes: no new version.
			return api.EditReply{Sessions: []api.Session{s.Session}}, nil
		}
		if err := checkSpan(tx, next); err != nil {
			return api.EditReply{}, err
		}
		out, err := tx.Put(next)
		if err != nil {
			return api.EditReply{}, err
		}
		return api.EditReply{Sessions: []api.Session{out.Session}}, nil
	})
}

// SplitSession cuts an ended session at req.At: it keeps [start, at) and a
// new session of the same pull request, device and status gets [at, end).
func (t *Tracker) SplitSession(ctx context.Context, id string, req api.SplitRequest) (api.EditReply, error) {
	at, err := t.checkEditTime("at", req.At)
	if err != nil {
		return api.EditReply{}, fmt.Errorf("split: %w", err)
	}
	newID, err := uuid.NewV7()
	if err != nil {
		return api.EditReply{}, fmt.Errorf("split: %w", err)
	}
	return t.change(ctx, "split", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		s, err := ended(tx, id)
		if err != nil {
			return api.EditReply{}, err
		}
		if !at.After(s.StartTime) || !at.Before(*s.EndTime) {
			return api.EditReply{}, invalid("at", "%s is not inside session %s (%s to %s)", at.Format(time.RFC3339), s.ID,
				s.StartTime.Format(time.RFC3339), s.EndTime.Format(time.RFC3339))
		}
		second := s
		second.ID = newID.String()
		second.StartTime = at
		second.SyncedStart = nil
		second.LastHeartbeatAt = nil
		first := s
		first.EndTime = &at
		if first.LastHeartbeatAt != nil && first.LastHeartbeatAt.After(at) {
			first.LastHeartbeatAt = &at
		}
		a, err := tx.Put(first)
		if err != nil {
			return api.EditReply{}, err
		}
		b, err := tx.Put(second)
		if err != nil {
			return api.EditReply{}, err
		}
		return api.EditReply{Sessions: []api.Session{a.Session, b.Session}}, nil
	})
}

// MergeSessions joins ended sessions of one pull request and one device
// with no other session of the device between them. The earliest keeps the
// id and covers from its start to the latest's end (the gaps between them
// included); the others are deleted.
func (t *Tracker) MergeSessions(ctx context.Context, req api.MergeRequest) (api.EditReply, error) {
	var ids []string
	for _, id := range req.IDs {
		canon, err := CheckSessionID(id)
		if err != nil {
			return api.EditReply{}, fmt.Errorf("merge: %w", err)
		}
		if !slices.Contains(ids, canon) {
			ids = append(ids, canon)
		}
	}
	if len(ids) < 2 {
		return api.EditReply{}, fmt.Errorf("merge: %w", invalid("ids", "give at least two different sessions to merge"))
	}
	return t.change(ctx, "merge", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		var ss []localdb.Session
		for _, id := range ids {
			s, err := ended(tx, id)
			if err != nil {
				return api.EditReply{}, err
			}
			ss = append(ss, s)
		}
		slices.SortFunc(ss, func(a, b localdb.Session) int { return a.StartTime.Compare(b.StartTime) })
		first := ss[0]
		for _, s := range ss[1:] {
			if s.DeviceID != first.DeviceID {
				return api.EditReply{}, fmt.Errorf("%w: sessions %s and %s were recorded on different devices", api.ErrConflict, first.ID, s.ID)
			}
			if s.RepoOwner != first.RepoOwner || s.RepoName != first.RepoName || s.PRNumber != first.PRNumber {
				return api.EditReply{}, fmt.Errorf("%w: sessions %s (%s/%s#%d) and %s (%s/%s#%d) are of different pull requests",
					api.ErrConflict, first.ID, first.RepoOwner, first.RepoName, first.PRNumber, s.ID, s.RepoOwner, s.RepoName, s.PRNumber)
			}
		}
		last := ss[len(ss)-1]
		between, err := tx.SessionsBetween(first.DeviceID, first.StartTime, *last.EndTime, ids...)
		if err != nil {
			return api.EditReply{}, err
		}
		if len(between) > 0 {
			o := between[0]
			return api.EditReply{}, fmt.Errorf("%w: session %s (%s/%s#%d at %s) lies between the sessions to merge; only adjacent sessions merge",
				api.ErrConflict, o.ID, o.RepoOwner, o.RepoName, o.PRNumber, o.StartTime.Format(time.RFC3339))
		}
		merged := first
		end := *last.EndTime
		merged.EndTime = &end
		merged.Status = last.Status
		if err := checkSpan(tx, merged, ids...); err != nil {
			return api.EditReply{}, err
		}
		var reply api.EditReply
		for _, s := range ss[1:] {
			if _, err := tx.Delete(s); err != nil {
				return api.EditReply{}, err
			}
			reply.Deleted = append(reply.Deleted, s.Session)
		}
		out, err := tx.Put(merged)
		if err != nil {
			return api.EditReply{}, err
		}
		reply.Sessions = []api.Session{out.Session}
		return reply, nil
	})
}

// AddSession records an ended session of this device after the fact.
func (t *Tracker) AddSession(ctx context.Context, req api.AddRequest) (api.EditReply, error) {
	if err := validateRepo(req.RepoOwner, req.RepoName); err != nil {
		return api.EditReply{}, fmt.Errorf("add: %w", err)
	}
	if req.PRNumber <= 0 {
		return api.EditReply{}, fmt.Errorf("add: %w", invalid("pr_number", "%d must be a positive pull request number", req.PRNumber))
	}
	if err := t.excluded(req.RepoOwner, req.RepoName); err != nil {
		return api.EditReply{}, fmt.Errorf("add: %w", err)
	}
	start, err := t.checkEditTime("start_time", req.StartTime)
	if err != nil {
		return api.EditReply{}, fmt.Errorf("add: %w", err)
	}
	end, err := t.checkEditTime("end_time", req.EndTime)
	if err != nil {
		return api.EditReply{}, fmt.Errorf("add: %w", err)
	}
	device, err := t.DeviceID(ctx)
	if err != nil {
		return api.EditReply{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return api.EditReply{}, fmt.Errorf("add: %w", err)
	}
	return t.change(ctx, "add", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		s := localdb.Session{
			Session: api.Session{ID: id.String(), RepoOwner: req.RepoOwner, RepoName: req.RepoName, PRNumber: req.PRNumber,
				StartTime: start, EndTime: &end, Status: api.StatusCompleted, DeviceID: device},
			Source: api.SourceManual,
		}
		if err := checkSpan(tx, s); err != nil {
			return api.EditReply{}, err
		}
		out, err := tx.Put(s)
		if err != nil {
			return api.EditReply{}, err
		}
		return api.EditReply{Sessions: []api.Session{out.Session}}, nil
	})
}

// DeleteSessions deletes the sessions req names or selects. Named sessions
// must exist and be ended; a filter selects ended sessions only (the active
// session is never deleted) and at most api.MaxDelete of them.
func (t *Tracker) DeleteSessions(ctx context.Context, req api.DeleteRequest) (api.EditReply, error) {
	f, err := t.deleteFilter(req)
	if err != nil {
		return api.EditReply{}, fmt.Errorf("delete: %w", err)
	}
	var ids []string
	for _, id := range req.IDs {
		canon, err := CheckSessionID(id)
		if err != nil {
			return api.EditReply{}, fmt.Errorf("delete: %w", err)
		}
		if !slices.Contains(ids, canon) {
			ids = append(ids, canon)
		}
	}
	switch {
	case len(ids) > 0 && !f.Empty():
		return api.EditReply{}, fmt.Errorf("delete: %w", invalid("ids", "give session ids or a filter, not both"))
	case len(ids) == 0 && f.Empty():
		return api.EditReply{}, fmt.Errorf("delete: %w", invalid("ids", "give session ids or a filter (a day, a repository, a time range)"))
	case len(ids) > api.MaxDelete:
		return api.EditReply{}, fmt.Errorf("delete: %w", invalid("ids", "%d sessions; at most %d in one delete", len(ids), api.MaxDelete))
	}
	return t.change(ctx, "delete", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		var ss []localdb.Session
		if len(ids) > 0 {
			for _, id := range ids {
				s, err := ended(tx, id)
				if err != nil {
					return api.EditReply{}, err
				}
				ss = append(ss, s)
			}
		} else {
			f.Limit = api.MaxDelete + 1
			ss, err = tx.Select(f)
			if err != nil {
				return api.EditReply{}, err
			}
			if len(ss) > api.MaxDelete {
				return api.EditReply{}, invalid("filter", "it selects more than %d sessions; narrow it or delete in parts", api.MaxDelete)
			}
		}
		var reply api.EditReply
		for _, s := range ss {
			if _, err := tx.Delete(s); err != nil {
				return api.EditReply{}, err
			}
			reply.Deleted = append(reply.Deleted, s.Session)
		}
		return reply, nil
	})
}

// deleteFilter turns a delete request's filter fields into the store's.
func (t *Tracker) deleteFilter(req api.DeleteRequest) (localdb.SelectFilter, error) {
	var f localdb.SelectFilter
	if req.Day != "" {
		t.zoneMu.RLock()
		loc := t.loc
		t.zoneMu.RUnlock()
		d, err := time.ParseInLocation("2006-01-02", req.Day, loc)
		if err != nil {
			return f, invalid("day", "%q is not a day like 2026-11-25", clip(req.Day))
		}
		if req.Since != nil || req.Until != nil {
			return f, invalid("day", "give a day or a time range, not both")
		}
		f.Since, f.Until = d, d.AddDate(0, 0, 1)
	}
	if req.Since != nil {
		if req.Since.IsZero() {
			return f, invalid("since", "the zero time; omit since for no lower bound")
		}
		f.Since = req.Since.UTC().Truncate(time.Second)
	}
	if req.Until != nil {
		if req.Until.IsZero() {
			return f, invalid("until", "the zero time; omit until for no upper bound")
		}
		f.Until = req.Until.UTC().Truncate(time.Second)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, invalid("until", "%s is not after since %s", f.Until.Format(time.RFC3339), f.Since.Format(time.RFC3339))
	}
	if req.Repo != "" {
		owner, name, err := api.ParseRepo(req.Repo)
		if err != nil {
			return f, err
		}
		if err := validateRepo(owner, name); err != nil {
			return f, err
		}
		f.RepoOwner, f.RepoName = owner, name
	}
	if req.PRNumber != 0 {
		if req.PRNumber < 0 {
			return f, invalid("pr_number", "%d must be a positive pull request number", req.PRNumber)
		}
		if req.Repo == "" {
			return f, invalid("pr_number", "a pull request number needs its repository")
		}
		f.PRNumber = req.PRNumber
	}
	return f, nil
}

// WithdrawSessions takes off the server every ended session it holds whose
// repository the tracker's rules do not sync, keeping them here: each
// leaves a pending tombstone that the server and the other devices apply.
func (t *Tracker) WithdrawSessions(ctx context.Context, req api.WithdrawRequest) (api.EditReply, error) {
	r := t.rules()
	return t.change(ctx, "withdraw", req.DryRun, func(tx *localdb.Tx) (api.EditReply, error) {
		ss, err := tx.OnServer(func(owner, name string) bool { return !r.Synced(owner, name) })
		if err != nil {
			return api.EditReply{}, err
		}
		var reply api.EditReply
		reply.Withdrawn = []api.Session{}
		for _, s := range ss {
			if _, err := tx.Withdraw(s); err != nil {
				return api.EditReply{}, err
			}
			reply.Withdrawn = append(reply.Withdrawn, s.Session)
		}
		return reply, nil
	})
}
