package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/rules"
)

// UI is what the dashboard needs from the window system. main.go implements
// it with the Wails runtime; methods must be safe to call from any goroutine.
type UI interface {
	// SaveFileDialog asks where to save an export; "" means cancelled.
	SaveFileDialog(defaultName, format string) (string, error)
	// Emit tells the frontend that something changed (event name).
	Emit(event string)
	// Show brings the window to the front.
	Show()
	// Quit ends the application.
	Quit()
}

// ChangedEvent is emitted to the frontend after anything the dashboard or
// the tray did changed the daemon's state.
const ChangedEvent = "worktime:changed"

// Options configure a Dashboard.
type Options struct {
	// Daemon is the local API client; required.
	Daemon Daemon
	// Clock tells the time; nil means the real clock.
	Clock clock.Clock
	// UI is the window system; nil means none (dialogs are unavailable).
	UI UI
	// Launcher starts the daemon for StartDaemon; nil means it cannot.
	Launcher *Launcher
	// ExportDir, when set, makes Export write there without asking.
	ExportDir string
	// CallTimeout bounds each call to the daemon; 0 means 15 seconds.
	CallTimeout time.Duration
	// StartAtLogin installs (true) or removes (false) the per-user service
	// when the setting changes (Launcher.SetStartAtLogin); nil only records
	// the setting.
	StartAtLogin func(ctx context.Context, on bool) error
	// NoTray says the desktop shows no tray icons: closing the window quits
	// the dashboard, and TrayNotice says so once.
	NoTray bool
	// NoticeMarker is the file that remembers the no-tray notice was given;
	// "" gives it once per run.
	NoticeMarker string
}

// Dashboard is the service bound to the frontend: every exported method is
// callable from JavaScript and returns (T, error). Errors reach JavaScript
// as BindingError through FormatError.
type Dashboard struct {
	life      context.Context
	daemon    Daemon
	clock     clock.Clock
	launcher  *Launcher
	exportDir string
	timeout   time.Duration
	atLogin   func(ctx context.Context, on bool) error

	notice *trayNotice

	mu        sync.Mutex
	ui        UI
	listeners []func()
	undo      *undoStep // the last change made here, until undone or replaced
}

// NewDashboard returns a Dashboard whose calls are bounded by life: when it
// is cancelled every call in flight stops.
func NewDashboard(life context.Context, o Options) *Dashboard {
	d := &Dashboard{
		life:      life,
		daemon:    o.Daemon,
		clock:     o.Clock,
		launcher:  o.Launcher,
		exportDir: o.ExportDir,
		timeout:   o.CallTimeout,
		atLogin:   o.StartAtLogin,
		ui:        o.UI,
		notice:    &trayNotice{noTray: o.NoTray, marker: o.NoticeMarker},
	}
	if d.clock == nil {
		d.clock = clock.Real()
	}
	if d.timeout == 0 {
		d.timeout = 15 * time.Second
	}
	return d
}

// attachUI sets the window system once it exists (after the Wails start-up).
func (d *Dashboard) attachUI(ui UI) {
	d.mu.Lock()
	d.ui = ui
	d.mu.Unlock()
}

func (d *Dashboard) getUI() UI {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ui
}

// onChange registers f to be called after every change made through the
// dashboard (the tray uses it to refresh its menu).
func (d *Dashboard) onChange(f func()) {
	d.mu.Lock()
	d.listeners = append(d.listeners, f)
	d.mu.Unlock()
}

func (d *Dashboard) changed() {
	d.mu.Lock()
	ls := append([]func(){}, d.listeners...)
	ui := d.ui
	d.mu.Unlock()
	for _, f := range ls {
		f()
	}
	if ui != nil {
		ui.Emit(ChangedEvent)
	}
}

func (d *Dashboard) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(d.life, d.timeout)
}

// Status is the daemon's state: version, sign-in, sync and the active session.
func (d *Dashboard) Status() (api.Status, error) {
	ctx, cancel := d.call()
	defer cancel()
	st, err := d.daemon.Status(ctx)
	if err != nil {
		return api.Status{}, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

// Stats summarises the last days (1–366) days, for one repository
// ("owner/name") or all ("").
func (d *Dashboard) Stats(days int, repo string) (api.Stats, error) {
	if days < 1 || days > 366 {
		return api.Stats{}, fmt.Errorf("stats: %w", badInput("days %d: want 1 to 366", days))
	}
	if err := checkRepo(repo); err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	ctx, cancel := d.call()
	defer cancel()
	st, err := d.daemon.Stats(ctx, localclient.StatsQuery{Days: days, Repo: repo})
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// StatsWindow summarises the days from first to last (YYYY-MM-DD, both
// included, at most 366 days, last not after today): this week, last
// month, a custom range. repo is "owner/name" or "" for all.
func (d *Dashboard) StatsWindow(first, last, repo string) (api.Stats, error) {
	f, err := time.Parse(time.DateOnly, first)
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", badInput("from %q: want a YYYY-MM-DD day", first))
	}
	l, err := time.Parse(time.DateOnly, last)
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", badInput("until %q: want a YYYY-MM-DD day", last))
	}
	days := int(l.Sub(f)/(24*time.Hour)) + 1
	if days < 1 || days > 366 {
		return api.Stats{}, fmt.Errorf("stats: %w", badInput("%s to %s: want 1 to 366 days, the first not after the last", first, last))
	}
	if err := checkRepo(repo); err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	ctx, cancel := d.call()
	defer cancel()
	st, err := d.daemon.Stats(ctx, localclient.StatsQuery{Days: days, Repo: repo, End: last})
	if err != nil {
		return api.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// SessionFilter selects the sessions list; empty fields do not filter.
type SessionFilter struct {
	Repo   string `json:"repo"`
	Since  string `json:"since"` // YYYY-MM-DD or RFC 3339
	Status string `json:"status"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"` // sessions skipped first: the next page
	PR     int    `json:"pr"`     // with Repo: one pull request; 0 for any
	// Count asks for the filter's total (SessionsPage.Total): a count of
	// the matching sessions, skipped for lists that need none.
	Count bool `json:"count"`
}

// SessionsPage is one page of the sessions list and how many sessions the
// filter matches in all.
type SessionsPage struct {
	Sessions []api.Session `json:"sessions"`
	Total    int64         `json:"total"` // when the filter asked (Count); else 0
}

// checkRepo checks an optional "owner/name" filter by the rule the daemon
// applies (api.ParseRepo), so that a bad one is refused without a round
// trip and with the same message.
func checkRepo(repo string) error {
	if repo == "" {
		return nil
	}
	if _, _, err := api.ParseRepo(repo); err != nil {
		return fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	return nil
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func checkTimeArg(name, v string) error {
	if v == "" {
		return nil
	}
	if dateRE.MatchString(v) {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return badInput("%s %q: no such day", name, v)
		}
		return nil
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return badInput("%s %q: want YYYY-MM-DD or an RFC 3339 time", name, v)
	}
	return nil
}

// Sessions lists a page of sessions, newest first (never nil), with the
// number of sessions the filter matches.
func (d *Dashboard) Sessions(f SessionFilter) (SessionsPage, error) {
	if err := checkRepo(f.Repo); err != nil {
		return SessionsPage{}, fmt.Errorf("sessions: %w", err)
	}
	switch f.Status {
	case "", api.StatusActive, api.StatusCompleted, api.StatusAbandoned:
	default:
		return SessionsPage{}, fmt.Errorf("sessions: %w", badInput("status %q: want active, completed or abandoned", f.Status))
	}
	if err := checkTimeArg("since", f.Since); err != nil {
		return SessionsPage{}, fmt.Errorf("sessions: %w", err)
	}
	if f.Limit < 0 || f.Limit > 10000 {
		return SessionsPage{}, fmt.Errorf("sessions: %w", badInput("limit %d: want 0 to 10000", f.Limit))
	}
	if f.PR < 0 || f.PR > 0 && f.Repo == "" {
		return SessionsPage{}, fmt.Errorf("sessions: %w", badInput("pull request %d: want a positive number and a repository", f.PR))
	}
	if f.Offset < 0 {
		return SessionsPage{}, fmt.Errorf("sessions: %w", badInput("offset %d: want 0 or more", f.Offset))
	}
	ctx, cancel := d.call()
	defer cancel()
	page, err := d.daemon.SessionsPage(ctx, localclient.SessionsQuery{Repo: f.Repo, Since: f.Since, Status: f.Status, Limit: f.Limit, Offset: f.Offset, PR: f.PR, Count: f.Count})
	if err != nil {
		return SessionsPage{}, fmt.Errorf("sessions: %w", err)
	}
	out := SessionsPage{Sessions: page.Sessions}
	if out.Sessions == nil {
		out.Sessions = []api.Session{}
	}
	if page.Total != nil {
		out.Total = *page.Total
	}
	return out, nil
}

// Repos lists every repository ("owner/name") with a session, sorted; never
// nil.
func (d *Dashboard) Repos() ([]string, error) {
	ctx, cancel := d.call()
	defer cancel()
	list, err := d.daemon.Repos(ctx)
	if err != nil {
		return nil, fmt.Errorf("repos: %w", err)
	}
	if list == nil {
		list = []string{}
	}
	return list, nil
}

// StartTracking starts a manual session on a pull request (it runs until
// stopped). A session already active is ended by the daemon first.
func (d *Dashboard) StartTracking(owner, name string, pr int) (api.Session, error) {
	if err := api.ValidateRepo(owner, name); err != nil {
		return api.Session{}, fmt.Errorf("start tracking: %w: %w", ErrBadInput, err)
	}
	if pr < 1 {
		return api.Session{}, fmt.Errorf("start tracking: %w", badInput("pull request %d: want a positive number", pr))
	}
	ctx, cancel := d.call()
	defer cancel()
	s, err := d.daemon.Start(ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: pr, Source: api.SourceManual})
	if err != nil {
		return api.Session{}, fmt.Errorf("start tracking: %w", err)
	}
	d.changed()
	return s, nil
}

// StopTracking ends the active session; ErrNotTracking when there is none.
func (d *Dashboard) StopTracking() (api.Session, error) {
	ctx, cancel := d.call()
	defer cancel()
	act, err := d.daemon.Active(ctx)
	if err != nil {
		return api.Session{}, fmt.Errorf("stop tracking: %w", err)
	}
	if act == nil {
		return api.Session{}, fmt.Errorf("stop tracking: %w", ErrNotTracking)
	}
	s, err := d.daemon.End(ctx, act.ID, nil)
	if err != nil {
		return api.Session{}, fmt.Errorf("stop tracking: %w", err)
	}
	d.changed()
	return s, nil
}

// SyncNow runs one sync and returns the state after it.
func (d *Dashboard) SyncNow() (api.SyncState, error) {
	ctx, cancel := context.WithTimeout(d.life, 2*time.Minute)
	defer cancel()
	st, err := d.daemon.Sync(ctx)
	if err != nil {
		return api.SyncState{}, fmt.Errorf("sync: %w", err)
	}
	d.changed()
	return st, nil
}

// Settings reads the user-editable configuration.
func (d *Dashboard) Settings() (api.Settings, error) {
	ctx, cancel := d.call()
	defer cancel()
	s, err := d.daemon.Settings(ctx)
	if err != nil {
		return api.Settings{}, fmt.Errorf("settings: %w", err)
	}
	if s.AllowedExtensionIDs == nil {
		s.AllowedExtensionIDs = []string{}
	}
	return s, nil
}

// SaveSettings writes the configuration and returns it as the daemon
// applied it. The daemon validates it (config.Validate) and refuses a bad
// value with bad_request before anything changes; only then is the per-user
// service installed or removed when start at login changed, and the setting
// is put back if that fails, so that it always says what is installed.
func (d *Dashboard) SaveSettings(s api.Settings) (api.Settings, error) {
	s.ServerURL = strings.TrimRight(strings.TrimSpace(s.ServerURL), "/")
	ctx, cancel := context.WithTimeout(d.life, time.Minute)
	defer cancel()
	var before api.Settings
	if d.atLogin != nil {
		var err error
		if before, err = d.daemon.Settings(ctx); err != nil {
			return api.Settings{}, fmt.Errorf("save settings: %w", err)
		}
	}
	out, err := d.daemon.SetSettings(ctx, s)
	if err != nil {
		return api.Settings{}, fmt.Errorf("save settings: %w", err)
	}
	d.changed()
	if d.atLogin != nil && before.StartAtLogin != out.StartAtLogin {
		if err := d.atLogin(ctx, out.StartAtLogin); err != nil {
			out.StartAtLogin = before.StartAtLogin
			if _, rerr := d.daemon.SetSettings(ctx, out); rerr != nil {
				return api.Settings{}, fmt.Errorf("save settings: start at login: %w (and putting the setting back: %w)", err, rerr)
			}
			return api.Settings{}, fmt.Errorf("save settings: start at login: %w", err)
		}
	}
	return out, nil
}

// Rules are the include/exclude rules and the private switch in force.
func (d *Dashboard) Rules() (rules.Rules, error) {
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	r, err := ed.Rules(ctx)
	if err != nil {
		return rules.Rules{}, fmt.Errorf("rules: %w", err)
	}
	if r.Repos == nil {
		r.Repos = []rules.Rule{}
	}
	return r, nil
}

// SaveRules writes the rules to config.toml (they apply at once) and
// returns them as saved; bad rules are refused before anything changes.
func (d *Dashboard) SaveRules(r rules.Rules) (rules.Rules, error) {
	if err := r.Validate(); err != nil {
		return rules.Rules{}, fmt.Errorf("save rules: %w: %w", ErrBadInput, err)
	}
	ed := d.daemon
	ctx, cancel := d.call()
	defer cancel()
	out, err := ed.SetRules(ctx, r)
	if err != nil {
		return rules.Rules{}, fmt.Errorf("save rules: %w", err)
	}
	if out.Repos == nil {
		out.Repos = []rules.Rule{}
	}
	d.changed()
	return out, nil
}

// ExportResult says where an export went; Path is "" when the user
// cancelled the save dialog.
type ExportResult struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}

// Export writes the sessions between since and until (YYYY-MM-DD or RFC
// 3339, empty for no bound) of one repository ("owner/name", History's
// drill-down) or of all ("") as "csv" or "json" to a file the user picks.
func (d *Dashboard) Export(format, since, until, repo string) (ExportResult, error) {
	if err := checkRepo(repo); err != nil {
		return ExportResult{}, fmt.Errorf("export: %w", err)
	}
	if format != "csv" && format != "json" {
		return ExportResult{}, fmt.Errorf("export: %w", badInput("format %q: want csv or json", format))
	}
	if err := checkTimeArg("since", since); err != nil {
		return ExportResult{}, fmt.Errorf("export: %w", err)
	}
	if err := checkTimeArg("until", until); err != nil {
		return ExportResult{}, fmt.Errorf("export: %w", err)
	}
	name := "worktime-" + d.clock.Now().Format("2006-01-02") + "." + format
	var path string
	if d.exportDir != "" {
		path = filepath.Join(d.exportDir, name)
	} else {
		ui := d.getUI()
		if ui == nil {
			return ExportResult{}, fmt.Errorf("export: no window to ask where to save")
		}
		p, err := ui.SaveFileDialog(name, format)
		if err != nil {
			return ExportResult{}, fmt.Errorf("export: save dialog: %w", err)
		}
		if p == "" {
			return ExportResult{}, nil
		}
		path = p
	}
	n, err := d.exportTo(path, localclient.ExportQuery{Format: format, Since: since, Until: until, Repo: repo})
	if err != nil {
		return ExportResult{}, fmt.Errorf("export: %w", err)
	}
	return ExportResult{Path: path, Bytes: n}, nil
}

// exportTo streams the export into a temporary file beside path and renames
// it into place, so a failed export never leaves a truncated file.
func (d *Dashboard) exportTo(path string, q localclient.ExportQuery) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".worktime-export-*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	ctx, cancel := context.WithTimeout(d.life, 5*time.Minute)
	defer cancel()
	cw := &countingWriter{w: f}
	if err := d.daemon.Export(ctx, q, cw); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	return cw.n, nil
}

type countingWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// StartDaemon starts worktimed when it is not running and waits until it
// answers; it returns its status.
func (d *Dashboard) StartDaemon() (api.Status, error) {
	ctx, cancel := context.WithTimeout(d.life, 30*time.Second)
	defer cancel()
	if st, err := d.daemon.Status(ctx); err == nil {
		return st, nil
	} else if !localclient.IsUnavailable(err) {
		return api.Status{}, fmt.Errorf("start daemon: %w", err)
	}
	if d.launcher == nil {
		return api.Status{}, fmt.Errorf("start daemon: no launcher configured")
	}
	exited, err := d.launcher.Start(ctx)
	if err != nil {
		return api.Status{}, fmt.Errorf("start daemon: %w", err)
	}
	st, err := waitForDaemon(ctx, d.daemon, d.clock, exited)
	if err != nil {
		return api.Status{}, fmt.Errorf("start daemon: %w", err)
	}
	d.changed()
	return st, nil
}

// LoginStart begins the device-flow sign-in: the reply carries the code to
// show and the page to open.
func (d *Dashboard) LoginStart() (api.LoginStatus, error) {
	ctx, cancel := context.WithTimeout(d.life, time.Minute)
	defer cancel()
	st, err := d.daemon.LoginStart(ctx, api.LoginStartRequest{})
	if err != nil {
		return api.LoginStatus{}, fmt.Errorf("sign in: %w", err)
	}
	return st, nil
}

// LoginStatus reports the sign-in started by LoginStart.
func (d *Dashboard) LoginStatus() (api.LoginStatus, error) {
	ctx, cancel := d.call()
	defer cancel()
	st, err := d.daemon.LoginStatus(ctx)
	if err != nil {
		return api.LoginStatus{}, fmt.Errorf("sign-in status: %w", err)
	}
	if st.State == api.LoginSignedIn {
		d.changed()
	}
	return st, nil
}

// Logout signs out of the sync server; local data is kept. The reply's
// Error is the daemon's warning (the server could not be told).
func (d *Dashboard) Logout() (api.LoginStatus, error) {
	ctx, cancel := d.call()
	defer cancel()
	out, err := d.daemon.Logout(ctx)
	if err != nil {
		return api.LoginStatus{}, fmt.Errorf("sign out: %w", err)
	}
	d.changed()
	return api.LoginStatus{State: out.State, Error: out.Warning}, nil
}
