package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// SessionEdit is the Sessions view's edit form: every field is sent, the
// session takes all of them (times RFC 3339).
type SessionEdit struct {
	Repo  string `json:"repo"` // OWNER/NAME
	PR    int    `json:"pr"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Change is what an edit, split, merge, add, delete or undo changed, and
// what Undo would now do ("" when nothing can be undone).
type Change struct {
	Reply api.EditReply `json:"reply"`
	Undo  string        `json:"undo"`
}

// undoStep puts back the last change made through the dashboard.
type undoStep struct {
	what string
	run  func(ctx context.Context) (api.EditReply, error)
}

func parseSessionTime(name, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, badInput("%s %q: want an RFC 3339 time", name, v)
	}
	return t, nil
}

func parseRepoPR(repo string, pr int) (owner, name string, err error) {
	owner, name, err = api.ParseRepo(strings.TrimSpace(repo))
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if pr < 1 {
		return "", "", badInput("pull request %d: want a positive number", pr)
	}
	return owner, name, nil
}

// snapshot reads sessions as they are now (a dry-run delete by id changes
// nothing and returns them), for Undo.
func snapshot(ctx context.Context, e Daemon, ids []string) (map[string]api.Session, error) {
	r, err := e.DeleteSessions(ctx, api.DeleteRequest{IDs: ids, DryRun: true})
	if err != nil {
		return nil, err
	}
	out := make(map[string]api.Session, len(r.Deleted))
	for _, s := range r.Deleted {
		out[s.ID] = s
	}
	return out, nil
}

// setUndo remembers step as the one Undo runs (nil: nothing to undo).
func (d *Dashboard) setUndo(step *undoStep) string {
	d.mu.Lock()
	d.undo = step
	d.mu.Unlock()
	if step == nil {
		return ""
	}
	return step.what
}

func label(s api.Session) string {
	return fmt.Sprintf("%s/%s#%d", s.RepoOwner, s.RepoName, s.PRNumber)
}

// readd records deleted sessions again, as new sessions of this device.
func readd(ctx context.Context, e Daemon, list []api.Session) (api.EditReply, error) {
	out := api.EditReply{Sessions: []api.Session{}, Deleted: []api.Session{}}
	for _, s := range list {
		if s.EndTime == nil {
			continue
		}
		r, err := e.AddSession(ctx, api.AddRequest{RepoOwner: s.RepoOwner, RepoName: s.RepoName, PRNumber: s.PRNumber, StartTime: s.StartTime, EndTime: *s.EndTime})
		if err != nil {
			return out, fmt.Errorf("re-add %s: %w", label(s), err)
		}
		out.Sessions = append(out.Sessions, r.Sessions...)
	}
	return out, nil
}

// EditSession changes an ended session's pull request, start and end.
// The daemon keeps every rule of the tracker (bad_request, conflict when
// it would overlap another session of this device).
func (d *Dashboard) EditSession(id string, e SessionEdit) (Change, error) {
	owner, name, err := parseRepoPR(e.Repo, e.PR)
	if err != nil {
		return Change{}, fmt.Errorf("edit session: %w", err)
	}
	start, err := parseSessionTime("start", e.Start)
	if err != nil {
		return Change{}, fmt.Errorf("edit session: %w", err)
	}
	end, err := parseSessionTime("end", e.End)
	if err != nil {
		return Change{}, fmt.Errorf("edit session: %w", err)
	}
	if id == "" {
		return Change{}, fmt.Errorf("edit session: %w", badInput("no session id"))
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	before, err := snapshot(ctx, ed, []string{id})
	if err != nil {
		return Change{}, fmt.Errorf("edit session: %w", err)
	}
	r, err := ed.EditSession(ctx, id, api.EditRequest{RepoOwner: &owner, RepoName: &name, PRNumber: &e.PR, StartTime: &start, EndTime: &end})
	if err != nil {
		return Change{}, fmt.Errorf("edit session: %w", err)
	}
	d.changed()
	var step *undoStep
	if old, ok := before[id]; ok && old.EndTime != nil {
		step = &undoStep{what: "edit of " + label(old), run: func(ctx context.Context) (api.EditReply, error) {
			return ed.EditSession(ctx, id, api.EditRequest{RepoOwner: &old.RepoOwner, RepoName: &old.RepoName, PRNumber: &old.PRNumber, StartTime: &old.StartTime, EndTime: old.EndTime})
		}}
	}
	return Change{Reply: r, Undo: d.setUndo(step)}, nil
}

// SplitSession cuts an ended session in two at at (RFC 3339).
func (d *Dashboard) SplitSession(id, at string) (Change, error) {
	t, err := parseSessionTime("split at", at)
	if err != nil {
		return Change{}, fmt.Errorf("split session: %w", err)
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	r, err := ed.SplitSession(ctx, id, api.SplitRequest{At: t})
	if err != nil {
		return Change{}, fmt.Errorf("split session: %w", err)
	}
	d.changed()
	var step *undoStep
	if len(r.Sessions) == 2 {
		ids := []string{r.Sessions[0].ID, r.Sessions[1].ID}
		step = &undoStep{what: "split of " + label(r.Sessions[0]), run: func(ctx context.Context) (api.EditReply, error) {
			return ed.MergeSessions(ctx, api.MergeRequest{IDs: ids})
		}}
	}
	return Change{Reply: r, Undo: d.setUndo(step)}, nil
}

// MergeSessions joins adjacent ended sessions of one pull request.
func (d *Dashboard) MergeSessions(ids []string) (Change, error) {
	if len(ids) < 2 {
		return Change{}, fmt.Errorf("merge sessions: %w", badInput("select at least two sessions"))
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	before, err := snapshot(ctx, ed, ids)
	if err != nil {
		return Change{}, fmt.Errorf("merge sessions: %w", err)
	}
	r, err := ed.MergeSessions(ctx, api.MergeRequest{IDs: ids})
	if err != nil {
		return Change{}, fmt.Errorf("merge sessions: %w", err)
	}
	d.changed()
	var step *undoStep
	if len(r.Sessions) == 1 {
		kept, ok := before[r.Sessions[0].ID]
		deleted := r.Deleted
		if ok && kept.EndTime != nil {
			step = &undoStep{what: "merge of " + label(kept), run: func(ctx context.Context) (api.EditReply, error) {
				out, err := ed.EditSession(ctx, kept.ID, api.EditRequest{StartTime: &kept.StartTime, EndTime: kept.EndTime})
				if err != nil {
					return out, err
				}
				more, err := readd(ctx, ed, deleted)
				out.Sessions = append(out.Sessions, more.Sessions...)
				return out, err
			}}
		}
	}
	return Change{Reply: r, Undo: d.setUndo(step)}, nil
}

// AddSession records an ended session after the fact on this device
// ("octo/app#42 from 14:00 to 15:10").
func (d *Dashboard) AddSession(e SessionEdit) (Change, error) {
	owner, name, err := parseRepoPR(e.Repo, e.PR)
	if err != nil {
		return Change{}, fmt.Errorf("add session: %w", err)
	}
	start, err := parseSessionTime("start", e.Start)
	if err != nil {
		return Change{}, fmt.Errorf("add session: %w", err)
	}
	end, err := parseSessionTime("end", e.End)
	if err != nil {
		return Change{}, fmt.Errorf("add session: %w", err)
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	r, err := ed.AddSession(ctx, api.AddRequest{RepoOwner: owner, RepoName: name, PRNumber: e.PR, StartTime: start, EndTime: end})
	if err != nil {
		return Change{}, fmt.Errorf("add session: %w", err)
	}
	d.changed()
	var step *undoStep
	if len(r.Sessions) == 1 {
		id := r.Sessions[0].ID
		step = &undoStep{what: "added " + label(r.Sessions[0]), run: func(ctx context.Context) (api.EditReply, error) {
			return ed.DeleteSessions(ctx, api.DeleteRequest{IDs: []string{id}})
		}}
	}
	return Change{Reply: r, Undo: d.setUndo(step)}, nil
}

// DeleteSessions deletes the sessions named (ended ones only). Undo adds
// them again as new sessions of this device: a deletion that has synced
// has removed the originals from the server and every device for good.
func (d *Dashboard) DeleteSessions(ids []string) (Change, error) {
	if len(ids) == 0 || len(ids) > api.MaxDelete {
		return Change{}, fmt.Errorf("delete sessions: %w", badInput("%d sessions: want 1 to %d", len(ids), api.MaxDelete))
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	r, err := ed.DeleteSessions(ctx, api.DeleteRequest{IDs: ids})
	if err != nil {
		return Change{}, fmt.Errorf("delete sessions: %w", err)
	}
	d.changed()
	var step *undoStep
	if len(r.Deleted) > 0 {
		deleted := r.Deleted
		what := "deletion of " + label(deleted[0])
		if len(deleted) > 1 {
			what = fmt.Sprintf("deletion of %d sessions", len(deleted))
		}
		step = &undoStep{what: what, run: func(ctx context.Context) (api.EditReply, error) { return readd(ctx, ed, deleted) }}
	}
	return Change{Reply: r, Undo: d.setUndo(step)}, nil
}

// Undo puts back the last change made through the dashboard (once): an
// edit is edited back, a split merged, a merge split again and its other
// sessions added back, an added session deleted, deleted sessions added
// again as new sessions of this device.
func (d *Dashboard) Undo() (Change, error) {
	d.mu.Lock()
	step := d.undo
	d.undo = nil
	d.mu.Unlock()
	if step == nil {
		return Change{}, fmt.Errorf("undo: %w", ErrNothingToUndo)
	}
	ctx, cancel := d.call()
	defer cancel()
	r, err := step.run(ctx)
	if err != nil {
		return Change{}, fmt.Errorf("undo %s: %w", step.what, err)
	}
	d.changed()
	return Change{Reply: r}, nil
}

// WithdrawSessions takes off the server the sessions the rules no longer
// sync, keeping them here.
func (d *Dashboard) WithdrawSessions() (api.EditReply, error) {
	ed := d.daemon
	ctx, cancel := context.WithTimeout(d.life, 2*time.Minute)
	defer cancel()
	r, err := ed.WithdrawSessions(ctx, api.WithdrawRequest{})
	if err != nil {
		return api.EditReply{}, fmt.Errorf("withdraw: %w", err)
	}
	d.changed()
	return r, nil
}
