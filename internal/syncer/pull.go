package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// pullPage is the page size of a pull.
const pullPage = 500

func (e *Engine) pull(ctx context.Context, remote Remote, device, ckey, cursor string) error {
	for {
		res, err := remote.Pull(ctx, cursor, pullPage)
		e.count(func(s *Stats) { s.PullRequests++ })
		if err != nil {
			return err
		}
		var theirs []localdb.Session
		for _, s := range res.Sessions {
			if s.DeviceID == device {
				continue
			}
			theirs = append(theirs, fromWire(s))
		}
		if err := e.apply(ctx, theirs); err != nil {
			return err
		}
		e.count(func(s *Stats) {
			s.SessionsPulled += int64(len(theirs))
			e.progressed = true
		})
		if res.Cursor != "" && res.Cursor != cursor {
			cursor = res.Cursor
			if err := e.o.Store.SetState(ctx, ckey, cursor); err != nil {
				return fmt.Errorf("sync: %w", err)
			}
		}
		if len(theirs) > 0 {
			now := e.o.Clock.Now()
			e.mu.Lock()
			e.otherSeen = now
			e.mu.Unlock()
		}
		if !res.More {
			e.markCurrent()
			return nil
		}
	}
}

// apply merges pulled sessions; one the local store cannot hold is logged
// and skipped so that it cannot stall pulling.
func (e *Engine) apply(ctx context.Context, ss []localdb.Session) error {
	if len(ss) == 0 {
		return nil
	}
	_, err := e.o.Store.ApplyRemote(ctx, ss)
	if err == nil || !errors.Is(err, localdb.ErrInvalidSession) {
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		return nil
	}
	for _, s := range ss {
		if _, err := e.o.Store.ApplyRemote(ctx, []localdb.Session{s}); err != nil {
			if errors.Is(err, localdb.ErrInvalidSession) {
				e.log.Warn("sync: skipping a pulled session the local store refuses", "id", s.ID, "err", err)
				continue
			}
			return fmt.Errorf("sync: %w", err)
		}
	}
	return nil
}

// fitBytes trims a batch to stay well under MaxBatchBytes. The estimate is

func fromWire(s Session) localdb.Session {
	return localdb.Session{
		Session: api.Session{
			ID: s.ID, RepoOwner: s.RepoOwner, RepoName: s.RepoName, PRNumber: s.PRNumber,
			StartTime: s.StartTime, EndTime: s.EndTime, DurationSeconds: s.DurationSeconds,
			Status: s.Status, DeviceID: s.DeviceID,
		},
		// Another device's session is never abandoned here: its own
		// device decides when it ends.
		Source:    api.SourceManual,
		UpdatedAt: s.UpdatedAt,
		Deleted:   s.Deleted,
	}
}
