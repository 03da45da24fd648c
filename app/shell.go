package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

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
}

// Run opens the dashboard and the tray and returns when the user quits.
// Closing the window only hides it; a second launch shows the first.
func Run(cfg Config) error {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := Options{Daemon: cfg.Daemon, Launcher: cfg.Launcher, ExportDir: cfg.ExportDir}
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
		StartHidden:       cfg.Hidden,
		HideWindowOnClose: true,
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
			if !cfg.Hidden {
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
