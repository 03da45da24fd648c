// Command worktime-dashboard is worktime's desktop dashboard and tray. It
// shows what the worktime daemon records and controls it, always through
// the daemon's local API.
//
// Build it with the Wails tags, after building the frontend:
//
//	(cd frontend && npm ci && npm run build)
//	go build -tags desktop,production,webkit2_41 -o bin/worktime-dashboard .
package main

import (
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/worktime/worktime/app"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localclient"
)

//go:embed build/appicon.png
var appIcon []byte

//go:embed build/trayicon.png
var trayIcon []byte

// The Windows tray wants an ICO, the others a PNG.
//
//go:embed build/windows/icon.ico
var trayIconWindows []byte

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "worktime-dashboard:", err)
		os.Exit(1)
	}
}

// run reads the environment (WORKTIME_HOME picks the daemon, as for
// worktimed; WORKTIME_EXPORT_DIR saves exports there without a dialog) and
// the one flag, --hidden (start in the tray). Other arguments belong to
// Wails' development build and are left to it.
func run(args []string) error {
	home := os.Getenv("WORKTIME_HOME")
	paths, err := config.DefaultPaths("")
	if err != nil {
		return fmt.Errorf("config.DefaultPaths: %w", err)
	}
	assets, err := frontendAssets()
	if err != nil {
		return err
	}
	return app.Run(app.Config{
		Daemon: localclient.New(paths.Socket),
		// The per-user service runs with the default home; a custom home
		// gets its own daemon process.
		Launcher:  &app.Launcher{UseService: home == ""},
		Assets:    assets,
		Icon:      appIcon,
		TrayIcon:  pick(runtime.GOOS == "windows", trayIconWindows, trayIcon),
		Hidden:    slices.Contains(args, "--hidden") || slices.Contains(args, "-hidden"),
		ExportDir: os.Getenv("WORKTIME_EXPORT_DIR"),
		Log:       slog.New(slog.NewTextHandler(os.Stderr, nil)),
		// Remembers that the no-tray notice was given (said once).
		NoticeMarker: filepath.Join(paths.Home, "dashboard-no-tray-notice"),
	})
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}
