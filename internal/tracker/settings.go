package tracker

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SetIdleTimeout changes the abandonment timeout while the tracker runs.
// Every deadline is computed from the last heartbeat (or start) and the
// timeout in force when it is checked, so the new value applies at once to
// active sessions too: the next heartbeat, end, start or reap uses it. The
// reaper is woken to plan its next wake-up with it; if a session is already
// past its new deadline, that wake-up abandons it. d <= 0 means
// DefaultIdleTimeout, as in Options.
func (t *Tracker) SetIdleTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultIdleTimeout
	}
	if time.Duration(t.idle.Swap(int64(d))) == d {
		return
	}
	t.log.Info("idle timeout changed", "idle_timeout", d)
	// Only the reaper: no session changed, so the OnChange listeners
	// (sync) have nothing to do.
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// Location is the zone of "today" and of stats days.
func (t *Tracker) Location() *time.Location {
	t.zoneMu.RLock()
	defer t.zoneMu.RUnlock()
	return t.loc
}

// SetLocation changes the zone of stats days while the tracker runs: the
// store rebuilds daily_stats in loc (localdb.DB.SetLocation, one
// transaction, serialised with every write), then the tracker uses loc.
// Stats waits for the change, so it reads the old zone with the old rows or
// the new zone with the new ones. If the rebuild fails, nothing changes.
func (t *Tracker) SetLocation(ctx context.Context, loc *time.Location) error {
	if loc == nil {
		return errors.New("tracker.SetLocation: nil location")
	}
	t.zoneMu.Lock()
	defer t.zoneMu.Unlock()
	if err := t.db.SetLocation(ctx, loc); err != nil {
		return fmt.Errorf("tracker.SetLocation: %w", err)
	}
	t.loc = loc
	return nil
}
