package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/systray"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
)

// trayRefresh is how often the tray's text is brought up to date when
// nothing else triggers it (the live timer in the menu moves by the minute).
const trayRefresh = 20 * time.Second

// Tray is the system tray icon and its menu: today's total and the active
// pull request (kept current), Open dashboard, Start/Stop tracking, Sync
// now, Quit. Activating the icon opens the dashboard.
type Tray struct {
	d    *Dashboard
	icon []byte
	log  *slog.Logger

	wake chan struct{}

	mu   sync.Mutex
	menu TrayMenu
}

// NewTray returns a tray for d with a PNG icon.
func NewTray(d *Dashboard, icon []byte, log *slog.Logger) *Tray {
	if log == nil {
		log = slog.Default()
	}
	t := &Tray{d: d, icon: icon, log: log, wake: make(chan struct{}, 1)}
	d.onChange(t.poke)
	return t
}

func (t *Tray) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Menu is the tray's current text.
func (t *Tray) Menu() TrayMenu {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.menu
}

// Run shows the tray until ctx ends. It runs the systray's D-Bus (Linux) or
// native loop beside Wails' own, as systray.RunWithExternalLoop allows.
func (t *Tray) Run(ctx context.Context) {
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() { close(ready) }, func() {})
	start()
	defer end()
	select {
	case <-ready:
	case <-ctx.Done():
		return
	}
	systray.SetIcon(t.icon)
	systray.SetTitle("worktime")
	systray.SetTooltip("worktime")
	mToday := systray.AddMenuItem("Today: …", "Time tracked today")
	mToday.Disable()
	mActive := systray.AddMenuItem("…", "The pull request being tracked")
	mActive.Disable()
	mGoal := systray.AddMenuItem("", "Progress towards the daily and weekly goals (Settings)")
	mGoal.Disable()
	mGoal.Hide()
	systray.AddSeparator()
	mOpen := systray.AddMenuItem("Open dashboard", "Show the dashboard window")
	mToggle := systray.AddMenuItem("Start tracking…", "Start or stop tracking")
	mSync := systray.AddMenuItem("Sync now", "Push and pull sessions now")
	systray.AddSeparator()
	mQuit := systray.AddMenuItem("Quit", "Quit the dashboard (tracking goes on)")
	systray.SetOnTapped(t.show)

	apply := func() {
		m := t.load(ctx)
		t.mu.Lock()
		t.menu = m
		t.mu.Unlock()
		mToday.SetTitle(m.Today)
		mActive.SetTitle(m.Active)
		mToggle.SetTitle(m.Toggle)
		if m.Goal != "" {
			mGoal.SetTitle(m.Goal)
			mGoal.Show()
		} else {
			mGoal.Hide()
		}
		systray.SetTooltip(m.Tooltip)
		if m.DaemonDown {
			mSync.Disable()
		} else {
			mSync.Enable()
		}
	}
	apply()
	for {
		timer := t.d.clock.NewTimer(trayRefresh)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C():
		case <-t.wake:
		case <-mOpen.ClickedCh:
			t.show()
		case <-mToggle.ClickedCh:
			t.toggle()
		case <-mSync.ClickedCh:
			if _, err := t.d.SyncNow(); err != nil {
				t.log.Warn("tray: sync", "err", err)
			}
		case <-mQuit.ClickedCh:
			timer.Stop()
			if ui := t.d.getUI(); ui != nil {
				ui.Quit()
			}
			return
		}
		timer.Stop()
		apply()
	}
}

// load reads the daemon's state for the menu; a daemon that is down gives
// the "not running" menu.
func (t *Tray) load(ctx context.Context) TrayMenu {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	now := t.d.clock.Now()
	st, err := t.d.daemon.Status(ctx)
	if err != nil {
		if !localclient.IsUnavailable(err) {
			t.log.Warn("tray: status", "err", err)
		}
		return trayMenuFor(nil, nil, nil, nil, now, time.Local)
	}
	stats, err := t.d.daemon.Stats(ctx, localclient.StatsQuery{Days: 1})
	if err != nil {
		t.log.Warn("tray: stats", "err", err)
		return trayMenuFor(nil, nil, nil, nil, now, time.Local)
	}
	loc := time.Local
	var goals *api.Settings
	if s, err := t.d.daemon.Settings(ctx); err == nil {
		goals = &s
		if s.TimeZone != "" {
			if l, err := time.LoadLocation(s.TimeZone); err == nil {
				loc = l
			}
		}
	}
	var last *api.Session
	if st.Active == nil {
		if list, err := t.d.daemon.Sessions(ctx, localclient.SessionsQuery{Limit: 1}); err == nil && len(list) > 0 {
			last = &list[0]
		}
	}
	return trayMenuFor(&st, &stats, last, goals, now, loc)
}

func (t *Tray) show() {
	if ui := t.d.getUI(); ui != nil {
		ui.Show()
	}
}

// toggle starts the daemon when it is down, stops the active session,
// resumes the last pull request, or opens the dashboard to pick one.
func (t *Tray) toggle() {
	m := t.Menu()
	switch {
	case m.DaemonDown:
		if _, err := t.d.StartDaemon(); err != nil {
			t.log.Warn("tray: start worktime", "err", err)
			t.show() // the window says what went wrong
		}
	case m.Tracking:
		if _, err := t.d.StopTracking(); err != nil {
			t.log.Warn("tray: stop tracking", "err", err)
		}
	case m.ResumePR != nil:
		p := m.ResumePR
		if _, err := t.d.StartTracking(p.RepoOwner, p.RepoName, p.PRNumber); err != nil {
			t.log.Warn("tray: resume tracking", "err", err)
		}
	default:
		t.show()
	}
}
