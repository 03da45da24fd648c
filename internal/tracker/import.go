package tracker

import (
	"context"
	"errors"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// ImportSessions stores ended sessions the extension recorded without the
// companion (its direct mode), under the extension's ids, in one
// transaction. It is idempotent by id: a session the store holds already
// (pulled from the server, or imported before) or deleted is accepted as it
// is, so a handover repeated after a lost reply changes nothing. A session
// that is invalid, excluded by the rules or overlapping another of this
// device is rejected with the reason; the others are still stored. Stored
// sessions are pending, and sync pushes them like any other.
func (t *Tracker) ImportSessions(ctx context.Context, req api.ImportRequest) (api.ImportReply, error) {
	if len(req.Sessions) > api.MaxImportSessions {
		return api.ImportReply{}, fmt.Errorf("import: %w", invalid("sessions", "at most %d sessions per import, got %d", api.MaxImportSessions, len(req.Sessions)))
	}
	device, err := t.DeviceID(ctx)
	if err != nil {
		return api.ImportReply{}, err
	}
	reply := api.ImportReply{Accepted: []string{}, Rejected: []api.ImportRejected{}}
	changed := 0
	err = t.db.Update(ctx, func(tx *localdb.Tx) error {
		reply = api.ImportReply{Accepted: []string{}, Rejected: []api.ImportRejected{}}
		changed = 0
		for _, in := range req.Sessions {
			id, stored, err := t.importOne(tx, device, in)
			switch {
			case errors.Is(err, api.ErrInvalid) || errors.Is(err, api.ErrExcluded) || errors.Is(err, api.ErrConflict):
				reply.Rejected = append(reply.Rejected, api.ImportRejected{ID: in.ID, Error: err.Error()})
			case err != nil:
				return fmt.Errorf("session %s: %w", in.ID, err)
			default:
				reply.Accepted = append(reply.Accepted, id)
				if stored {
					changed++
				}
			}
		}
		return nil
	})
	if err != nil {
		return api.ImportReply{}, fmt.Errorf("import: %w", err)
	}
	if changed > 0 {
		t.log.Debug("history changed", "op", "import", "changed", changed)
		t.notify()
	}
	return reply, nil
}

// importOne stores one imported session unless the store knows its id; it
// returns the canonical id and whether it wrote a row.
func (t *Tracker) importOne(tx *localdb.Tx, device string, in api.ImportedSession) (string, bool, error) {
	id, err := CheckSessionID(in.ID)
	if err != nil {
		return "", false, err
	}
	if err := validateRepo(in.RepoOwner, in.RepoName); err != nil {
		return "", false, err
	}
	if in.PRNumber <= 0 {
		return "", false, invalid("pr_number", "%d must be a positive pull request number", in.PRNumber)
	}
	start, err := t.checkEditTime("start_time", in.StartTime)
	if err != nil {
		return "", false, err
	}
	end, err := t.checkEditTime("end_time", in.EndTime)
	if err != nil {
		return "", false, err
	}
	if _, ok, err := tx.Session(id); err != nil || ok {
		return id, false, err
	}
	if dead, err := tx.IsDeleted(id); err != nil || dead {
		return id, false, err
	}
	if err := t.excluded(in.RepoOwner, in.RepoName); err != nil {
		return "", false, err
	}
	s := localdb.Session{
		Session: api.Session{ID: id, RepoOwner: in.RepoOwner, RepoName: in.RepoName, PRNumber: in.PRNumber,
			StartTime: start, EndTime: &end, Status: api.StatusCompleted, DeviceID: device},
		Source: api.SourceBrowser,
	}
	if err := checkSpan(tx, s); err != nil {
		return "", false, err
	}
	if _, err := tx.Put(s); err != nil {
		return "", false, err
	}
	return id, true, nil
}
