package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
)

// TrayHost tells whether the desktop shows tray icons. Without one (stock
// GNOME has no StatusNotifierWatcher) a window hidden on close could only
// be reached again by launching the dashboard a second time.
type TrayHost interface {
	Available(ctx context.Context) (bool, error)
}

// NoTrayNotice is what the dashboard says, once, on a desktop without a
// tray.
const NoTrayNotice = "This desktop shows no tray icons, so closing the window quits the dashboard. Tracking goes on in the background; open the dashboard again to see it."

// trayNotice says NoTrayNotice once: the first time it is asked for on a
// desktop without a tray, then never again (a marker file remembers it
// across launches; without a path, once per run).
type trayNotice struct {
	mu     sync.Mutex
	noTray bool
	marker string // file created once the notice was given; "" for none
	given  bool
}

// take returns the notice the first time it is due, "" otherwise.
func (n *trayNotice) take() (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.noTray || n.given {
		return "", nil
	}
	if n.marker != "" {
		f, err := os.OpenFile(n.marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			n.given = true
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("tray notice: %w", err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("tray notice: %w", err)
		}
	}
	n.given = true
	return NoTrayNotice, nil
}

// TrayNotice is the one-time notice that closing the window quits the
// dashboard because the desktop has no tray; "" when there is a tray or
// the notice was given before.
func (d *Dashboard) TrayNotice() (string, error) {
	return d.notice.take()
}
