package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/options/windows"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// Config is what Run needs from main.
type Config struct {
	Daemon    Daemon
	Launcher  *Launcher
	Assets    fs.FS  // the built frontend (frontend/dist)
	Icon      []byte // PNG, the window's icon
	TrayIcon  []byte // PNG, the tray's icon
	Hidden    bool   // start in the tray without showing the window
	ExportDir string // see Options.ExportDir
	Log       *slog.Logger
	// TrayHost tells whether the desktop shows tray icons; nil means
	// StatusNotifierHost.
	TrayHost TrayHost
	// NoticeMarker: see Options.NoticeMarker.
	NoticeMarker string
}

// Run opens the dashboard and the tray and returns when the user quits.
// Closing the window only hides it, where the desktop shows tray icons;
// where it shows none, closing quits (the window could not be found again)
// and the window says so once. A second launch shows the first.
func Run(cfg Config) error {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	behave := closeBehaviour(life, cfg.TrayHost, cfg.Hidden, cfg.Log)
	o := Options{Daemon: cfg.Daemon, Launcher: cfg.Launcher, ExportDir: cfg.ExportDir, NoTray: !behave.hideOnClose, NoticeMarker: cfg.NoticeMarker}
	if cfg.Launcher != nil {
		o.StartAtLogin = cfg.Launcher.SetStartAtLogin
	}
	dash := NewDashboard(life, o)
	tray := NewTray(dash, cfg.TrayIcon, cfg.Log)
	// Opening the window syncs at once, so what other devices did shows
	// without waiting for the periodic check.
	syncOnOpen := func() {
		go func() {
			if _, err := dash.SyncNow(); err != nil {
				cfg.Log.Debug("sync on open", "err", err)
			}
		}()
	}
	ui := &wailsUI{onShow: syncOnOpen}
	var trayDone sync.WaitGroup

	err := wails.Run(&options.App{
		Title:             "worktime",
		Width:             1024,
		Height:            720,
		MinWidth:          800,
		MinHeight:         600,
		StartHidden:       behave.startHidden,
		HideWindowOnClose: behave.hideOnClose,
		AssetServer:       &assetserver.Options{Assets: cfg.Assets},
		Bind:              []any{dash},
		ErrorFormatter:    FormatError,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               "dev.worktime.dashboard",
			OnSecondInstanceLaunch: func(options.SecondInstanceData) { ui.Show() },
		},
		OnStartup: func(ctx context.Context) {
			ui.set(ctx)
			dash.attachUI(ui)
			if !behave.startHidden {
				syncOnOpen()
			}
			trayDone.Add(1)
			go func() {
				defer trayDone.Done()
				tray.Run(life)
			}()
		},
		OnShutdown: func(context.Context) {
			cancel()
			trayDone.Wait()
		},
		Linux:   &linux.Options{Icon: cfg.Icon, ProgramName: "worktime", WindowIsTranslucent: false},
		Mac:     &mac.Options{Appearance: mac.DefaultAppearance, About: &mac.AboutInfo{Title: "worktime", Icon: cfg.Icon}},
		Windows: &windows.Options{Theme: windows.SystemDefault},
	})
	if err != nil {
		return fmt.Errorf("wails.Run: %w", err)
	}
	return nil
}

// windowBehaviour is what closing and --hidden do on this desktop.
type windowBehaviour struct {
	hideOnClose bool // closing hides the window to the tray (else it quits)
	startHidden bool // start in the tray without a window
}

// closeBehaviour asks host (nil: StatusNotifierHost) whether a tray is
// shown. Without one, or when that cannot be told, closing quits and
// --hidden is ignored: a hidden window would be out of reach.
func closeBehaviour(ctx context.Context, host TrayHost, hidden bool, log *slog.Logger) windowBehaviour {
	if host == nil {
		host = StatusNotifierHost{}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ok, err := host.Available(ctx)
	if err != nil {
		log.Warn("no tray: closing the window quits the dashboard", "err", err)
		ok = false
	} else if !ok {
		log.Info("no StatusNotifierWatcher on the session bus: closing the window quits the dashboard")
	}
	return windowBehaviour{hideOnClose: ok, startHidden: hidden && ok}
}

// wailsUI is UI over the Wails runtime; its context is the one Wails hands
// to OnStartup.
type wailsUI struct {
	mu     sync.Mutex
	ctx    context.Context
	onShow func() // called whenever the window is shown; may be nil
}

func (w *wailsUI) set(ctx context.Context) {
	w.mu.Lock()
	w.ctx = ctx
	w.mu.Unlock()
}

func (w *wailsUI) get() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctx
}

func (w *wailsUI) SaveFileDialog(defaultName, format string) (string, error) {
	ctx := w.get()
	if ctx == nil {
		return "", fmt.Errorf("window not ready")
	}
	filter := wruntime.FileFilter{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}
	if format == "json" {
		filter = wruntime.FileFilter{DisplayName: "JSON lines (*.json)", Pattern: "*.json"}
	}
	return wruntime.SaveFileDialog(ctx, wruntime.SaveDialogOptions{
		Title:           "Export sessions",
		DefaultFilename: defaultName,
		Filters:         []wruntime.FileFilter{filter},
	})
}

func (w *wailsUI) Emit(event string) {
	if ctx := w.get(); ctx != nil {
		wruntime.EventsEmit(ctx, event)
	}
}

func (w *wailsUI) Show() {
	if w.onShow != nil {
		w.onShow()
	}
	if ctx := w.get(); ctx != nil {
		wruntime.WindowShow(ctx)
		wruntime.WindowUnminimise(ctx)
	}
}

func (w *wailsUI) Quit() {
	if ctx := w.get(); ctx != nil {
		wruntime.Quit(ctx)
	}
}
