package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

type fixedHost struct {
	ok  bool
	err error
}

func (h fixedHost) Available(context.Context) (bool, error) { return h.ok, h.err }

func TestCloseBehaviour(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name   string
		host   TrayHost
		hidden bool
		want   windowBehaviour
	}{
		{"tray shown", fixedHost{ok: true}, false, windowBehaviour{hideOnClose: true}},
		{"tray shown, --hidden", fixedHost{ok: true}, true, windowBehaviour{hideOnClose: true, startHidden: true}},
		{"no tray: closing quits", fixedHost{}, false, windowBehaviour{}},
		{"no tray: --hidden would leave no way back", fixedHost{}, true, windowBehaviour{}},
		{"no session bus", fixedHost{err: errors.New("no bus")}, true, windowBehaviour{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := closeBehaviour(t.Context(), tc.host, tc.hidden, log); got != tc.want {
				t.Errorf("closeBehaviour = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTrayNoticeSaidOnce(t *testing.T) {
	daemon := startDaemon(t).client
	marker := filepath.Join(t.TempDir(), "dashboard-no-tray-notice")
	first := NewDashboard(t.Context(), Options{Daemon: daemon, NoTray: true, NoticeMarker: marker})
	if got, err := first.TrayNotice(); err != nil || got != NoTrayNotice {
		t.Fatalf("first TrayNotice = %q, %v; want the notice", got, err)
	}
	if got, err := first.TrayNotice(); err != nil || got != "" {
		t.Errorf("second TrayNotice = %q, %v; want nothing", got, err)
	}
	// The next launch remembers it.
	next := NewDashboard(t.Context(), Options{Daemon: daemon, NoTray: true, NoticeMarker: marker})
	if got, err := next.TrayNotice(); err != nil || got != "" {
		t.Errorf("TrayNotice after a relaunch = %q, %v; want nothing", got, err)
	}
	// Without a marker file: once per run.
	run := NewDashboard(t.Context(), Options{Daemon: daemon, NoTray: true})
	if got, _ := run.TrayNotice(); got != NoTrayNotice {
		t.Errorf("TrayNotice without a marker = %q, want the notice", got)
	}
	// With a tray there is nothing to say.
	tray := NewDashboard(t.Context(), Options{Daemon: daemon, NoticeMarker: filepath.Join(t.TempDir(), "m")})
	if got, err := tray.TrayNotice(); err != nil || got != "" {
		t.Errorf("TrayNotice with a tray = %q, %v; want nothing", got, err)
	}
	// A marker that cannot be written is an error, not a silent repeat.
	bad := NewDashboard(t.Context(), Options{Daemon: daemon, NoTray: true, NoticeMarker: filepath.Join(t.TempDir(), "no", "such", "dir", "m")})
	if _, err := bad.TrayNotice(); err == nil {
		t.Error("TrayNotice with an unwritable marker: no error")
	}
}

// StatusNotifierHost against a real, private session bus (dbus-daemon):
// no tray until a process owns org.kde.StatusNotifierWatcher.
func TestStatusNotifierHostOnARealBus(t *testing.T) {
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon (Debian package dbus-daemon): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))

	host := StatusNotifierHost{}
	if ok, err := host.Available(t.Context()); err != nil || ok {
		t.Fatalf("Available on a bus without a watcher = %v, %v; want false", ok, err)
	}
	watcher, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if reply, err := watcher.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning the watcher's name: %v, %v", reply, err)
	}
	if ok, err := host.Available(t.Context()); err != nil || !ok {
		t.Fatalf("Available with a watcher = %v, %v; want true", ok, err)
	}

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	if ok, err := host.Available(t.Context()); err == nil || ok {
		t.Errorf("Available without a session bus = %v, %v; want an error", ok, err)
	}
}
