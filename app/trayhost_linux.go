package app

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// StatusNotifierHost is TrayHost on Linux: a tray is shown when some
// process owns org.kde.StatusNotifierWatcher on the session bus, the name
// the tray (fyne.io/systray) registers its item with.
type StatusNotifierHost struct{}

// Available asks the session bus whether the watcher's name has an owner.
// No session bus means no tray either.
func (StatusNotifierHost) Available(ctx context.Context) (bool, error) {
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("tray host: session bus: %w", err)
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil {
		return false, fmt.Errorf("tray host: NameHasOwner: %w", err)
	}
	return has, nil
}
