package syncer

import (
	"context"
	"fmt"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

// sync pushes every ended session waiting, then pulls when full is set or
// a push reply says something else changed since the device's cursor.
func (e *Engine) sync(ctx context.Context, acct Account, full bool) error {
	remote := Retry(e.o.NewRemote(acct), RetryOptions{
		Backoff:  e.o.Backoff,
		Clock:    e.o.Clock,
		Attempts: e.o.Attempts,
		OnWait: func(op string, d time.Duration, err error) {
			n := e.o.Clock.Now().Add(d)
			e.setState(func(st *api.SyncState) { st.LastError, st.NextAttemptAt = err.Error(), &n })
		},
	})
	device, err := e.o.Store.DeviceID(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := e.switchAccount(ctx, acct); err != nil {
		return err
	}
	ckey := cursorKey(acct)
	cursor, _, err := e.o.Store.State(ctx, ckey)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	// changed is set once a push reply says the server holds changes the
	// device has not pulled.
	changed := false
	limit := e.o.BatchSize
	// Batches follow each other in change order, so the store's work is
	// done while the server works: the next batch is read, and the last
	// one recorded, while the current one is on its way. after is the
	// change_seq the batch being read starts after; recording is the
	// previous batch's record, which must end before the run does.
	var after int64
	var recording <-chan error
	defer func() { waitRecord(recording) }()
	batch, err := e.o.Store.PendingSessionsAfter(ctx, after, limit)
	for {
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		// A short read that fits one request means nothing else was
		// waiting: this is the last batch, and changes made meanwhile go
		// with the next run.
		read := len(batch)
		readLast := batch[read-1].ChangeSeq
		batch, err = e.keepLocal(ctx, batch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			if read < limit {
				break
			}
			after = readLast
			batch, err = e.o.Store.PendingSessionsAfter(ctx, after, limit)
			continue
		}
		kept := len(batch)
		batch = fitBytes(batch)
		last := read < limit && len(batch) == kept
		var next <-chan pendingRead
		if !last {
			next = e.readAhead(ctx, batch[len(batch)-1].ChangeSeq, limit)
		}
		res, perr := remote.Push(ctx, PushRequest{DeviceID: device, TimeZone: e.timeZone(), Since: cursor, Sessions: toWire(batch)})
		e.count(func(s *Stats) { s.PushRequests++ })
		if err := waitRecord(recording); err != nil {
			recording = nil
			drain(next)
			return err
		}
		recording = nil
		if IsTooLarge(perr) && len(batch) > 1 {
			drain(next)
			limit = max(1, len(batch)/2)
			batch, err = e.o.Store.PendingSessionsAfter(ctx, after, limit)
			continue
		}
		if perr != nil {
			drain(next)
			return perr
		}
		recording = e.recordAsync(ctx, batch, res)
		if !changed && !res.Changed {
			// Everything up to res.Cursor is this device's own: the
			// cursor moves there without pulling its sessions back.
			cursor = res.Cursor
			if err := e.o.Store.SetState(ctx, ckey, cursor); err != nil {
				drain(next)
				return fmt.Errorf("sync: %w", err)
			}
			e.markCurrent()
		} else {
			changed = true
		}
		if last {
			break
		}
		after = batch[len(batch)-1].ChangeSeq
		r := <-next
		batch, err = r.sessions, r.err
	}
	err = waitRecord(recording)
	recording = nil
	if err != nil {
		return err
	}
	if !full && !changed {
		return nil
	}
	return e.pull(ctx, remote, device, ckey, cursor)
}

// keepLocal takes out of batch the sessions whose repository the rules
// keep off the server and marks them as sent, so that they are never
// pushed and do not wait as pending. Deletions always go: the server may
// hold the session from before the rule.
func (e *Engine) keepLocal(ctx context.Context, batch []localdb.Session) ([]localdb.Session, error) {
	if e.o.Rules == nil {
		return batch, nil
	}
	r := e.o.Rules()
	out := batch[:0:0]
	local := map[string]int64{}
	for _, s := range batch {
		if !s.Deleted && !r.Synced(s.RepoOwner, s.RepoName) {
			local[s.ID] = s.ChangeSeq
			continue
		}
		out = append(out, s)
	}
	if len(local) > 0 {
		if err := e.o.Store.MarkKeptLocal(ctx, local); err != nil {
			return nil, fmt.Errorf("sync: %w", err)
		}
		e.log.Debug("sync: sessions kept on this machine by the rules", "sessions", len(local))
	}
	return out, nil
}

// pendingRead is the outcome of readAhead.
type pendingRead struct {
	sessions []localdb.Session
	err      error
}

// readAhead reads the batch that follows change_seq after in its own
// goroutine, so that the store is read while a push waits for the server.
// It is exact: the batch on its way is not in it (its rows are at or below
// after), and a row that changes meanwhile gets a change_seq above every
// earlier one, so its new version is read by this or a later batch, and
// MarkPushed ignores the version that was pushed before.
func (e *Engine) readAhead(ctx context.Context, after int64, limit int) <-chan pendingRead {
	ch := make(chan pendingRead, 1)
	go func() {
		ss, err := e.o.Store.PendingSessionsAfter(ctx, after, limit)
		ch <- pendingRead{ss, err}
	}()
	return ch
}

// drain waits for a read ahead that is no longer wanted, so that no read
// outlives the run.
func drain(ch <-chan pendingRead) {
	if ch != nil {
		<-ch
	}
}

// recordAsync records a pushed batch in its own goroutine, so that the
// next push need not wait for the store; waitRecord returns its error. Its
// marks are exact whenever they land: MarkPushed only marks a row still at
// the change_seq that was pushed.
func (e *Engine) recordAsync(ctx context.Context, batch []localdb.Session, res PushResult) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- e.record(ctx, batch, res) }()
	return ch
}

// waitRecord waits for a recordAsync (nil: none running).
func waitRecord(ch <-chan error) error {
	if ch == nil {
		return nil
	}
	return <-ch
}

// switchAccount makes everything this device wrote pending again when sync
// now goes to another server or account than the one it pushed to, which
// has none of it.
func (e *Engine) switchAccount(ctx context.Context, acct Account) error {
	id := acct.ServerURL + " " + acct.Login
	prev, ok, err := e.o.Store.State(ctx, keyAccount)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if ok && prev == id {
		return nil
	}
	if ok {
		n, err := e.o.Store.ResetPushed(ctx)
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		e.log.Info("sync: new server or account; pushing this device's sessions to it", "from", prev, "to", id, "sessions", n)
	}
	if err := e.o.Store.SetState(ctx, keyAccount, id); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// markCurrent records that the device knows every change on the server
// as of now.
func (e *Engine) markCurrent() {
	now := e.o.Clock.Now()
	e.mu.Lock()
	e.current = now
	e.mu.Unlock()
}

// record marks a pushed batch: accepted rows are synced unless they changed
// meanwhile, rejected ones are quarantined so they never block the queue.
func (e *Engine) record(ctx context.Context, batch []localdb.Session, res PushResult) error {
	rejected := make(map[string]string, len(res.Rejected))
	for _, r := range res.Rejected {
		rejected[r.ID] = r.Reason
	}
	acks := make(map[string]int64, len(batch))
	for _, s := range batch {
		if reason, bad := rejected[s.ID]; bad {
			e.log.Warn("sync: the server rejected a session; it is quarantined", "id", s.ID, "reason", reason)
			if err := e.o.Store.Quarantine(ctx, s.ID, s.ChangeSeq, reason); err != nil {
				return fmt.Errorf("sync: %w", err)
			}
			continue
		}
		acks[s.ID] = s.ChangeSeq
	}
	if err := e.o.Store.MarkPushed(ctx, acks); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	e.count(func(s *Stats) {
		s.SessionsPushed += int64(len(acks))
		s.Rejected += int64(len(rejected))
		e.progressed = true
	})
	return nil
}

// generous: the fixed fields of a session take under 300 bytes on the wire.
func fitBytes(batch []localdb.Session) []localdb.Session {
	const budget = MaxBatchBytes * 9 / 10
	total := 64
	for i, s := range batch {
		total += 300 + len(s.ID) + 2*(len(s.RepoOwner)+len(s.RepoName))
		if total > budget && i > 0 {
			return batch[:i]
		}
	}
	return batch
}

func toWire(batch []localdb.Session) []Session {
	out := make([]Session, len(batch))
	for i, s := range batch {
		out[i] = Session{
			ID: s.ID, RepoOwner: s.RepoOwner, RepoName: s.RepoName, PRNumber: s.PRNumber,
			StartTime: s.StartTime, EndTime: s.EndTime, DurationSeconds: s.DurationSeconds,
			Status: s.Status, UpdatedAt: s.UpdatedAt, DeviceID: s.DeviceID,
		}
		if s.Status == StatusActive {
			out[i].DurationSeconds = 0
		}
		if s.SyncedStart != nil && !s.SyncedStart.Equal(s.StartTime) {
			p := *s.SyncedStart
			out[i].PrevStartTime = &p
		}
		if s.Deleted {
			out[i] = Session{ID: s.ID, StartTime: s.StartTime, PrevStartTime: out[i].PrevStartTime, UpdatedAt: s.UpdatedAt, Deleted: true}
		}
	}
	return out
}

// timeZone is the zone sent with a push.
func (e *Engine) timeZone() string {
	if e.o.TimeZone == nil {
		return ""
	}
	return e.o.TimeZone()
}
