package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/tracker"
)

// runLocalAPI serves the local API on the daemon's socket until ctx is
// cancelled, then removes the socket.
func runLocalAPI(ctx context.Context, d *Daemon) error {
	ln, err := localapi.Listen(d.Paths.Socket)
	if err != nil {
		return err
	}
	defer func() {
		if err := os.Remove(d.Paths.Socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.Logger.Warn("removing the socket", "err", err)
		}
	}()
	srv := localapi.New(localapi.Options{
		Tracker:  d.localAPITracker(),
		Settings: &settingsFile{d: d},
		Rules:    &rulesFile{d: d},
		Sync:     d.localAPISync(),
		SignIn:   d.localAPISignIn(),
		Version:  d.Version,
		DeviceID: d.DeviceID,
		Logger:   d.Logger,
	})
	d.Logger.Info("local API listening", "socket", d.Paths.Socket)
	return srv.Serve(ctx, ln)
}

// settingsFile reads and writes config.toml. A new idle timeout or time zone
// is applied to the running tracker (and its store) as it is saved; allowed
// extension ids are read by each host process, so they apply at once too.
type settingsFile struct {
	d *Daemon
	// mu serialises SetSettings, so that config.toml and the values in
	// force change in the same order when two changes race.
	mu sync.Mutex
}

func (s *settingsFile) Settings(context.Context) (api.Settings, error) {
	c, err := config.Load(s.d.Paths.Config)
	if err != nil {
		return api.Settings{}, err
	}
	return toSettings(c), nil
}

func toSettings(c config.Config) api.Settings {
	ids := c.AllowedExtensionIDs
	if ids == nil {
		ids = []string{}
	}
	return api.Settings{
		ServerURL:           c.Sync.ServerURL,
		TimeZone:            c.TimeZone,
		IdleTimeoutSeconds:  int64(c.IdleTimeout.Duration / time.Second),
		AllowedExtensionIDs: ids,
		StartAtLogin:        c.StartAtLogin,
		DailyGoalSeconds:    int64(c.DailyGoal.Duration / time.Second),
		WeeklyGoalSeconds:   int64(c.WeeklyGoal.Duration / time.Second),
	}
}

// SetSettings validates in, applies the idle timeout and the time zone, then
// saves config.toml. An invalid value is refused with bad_request before
// anything changes. The zone is applied first because its daily_stats
// rebuild is the step that can fail (or be cancelled with the request): then
// nothing has changed. If saving fails, the values in force are put back, so
// the daemon keeps matching its file.
func (s *settingsFile) SetSettings(ctx context.Context, in api.Settings) (api.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := config.Load(s.d.Paths.Config)
	if err != nil {
		return api.Settings{}, err
	}
	c.Sync.ServerURL = in.ServerURL
	c.TimeZone = in.TimeZone
	c.IdleTimeout = config.Duration{Duration: time.Duration(in.IdleTimeoutSeconds) * time.Second}
	c.AllowedExtensionIDs = in.AllowedExtensionIDs
	c.StartAtLogin = in.StartAtLogin
	c.DailyGoal = config.Duration{Duration: time.Duration(in.DailyGoalSeconds) * time.Second}
	c.WeeklyGoal = config.Duration{Duration: time.Duration(in.WeeklyGoalSeconds) * time.Second}
	if err := c.Validate(); err != nil {
		return api.Settings{}, &api.Error{Code: api.CodeBadRequest, Message: err.Error()}
	}
	loc, err := c.LocationWith(s.d.Getenv)
	if err != nil {
		return api.Settings{}, &api.Error{Code: api.CodeBadRequest, Message: err.Error()}
	}
	tr := s.d.Tracker
	prevLoc, prevIdle := tr.Location(), tr.IdleTimeout()
	if err := tr.SetLocation(ctx, loc); err != nil {
		return api.Settings{}, fmt.Errorf("settings: %w", err)
	}
	tr.SetIdleTimeout(c.IdleTimeout.Duration)
	if err := config.Save(s.d.Paths.Config, c); err != nil {
		tr.SetIdleTimeout(prevIdle)
		if rerr := tr.SetLocation(context.WithoutCancel(ctx), prevLoc); rerr != nil {
			s.d.Logger.Error("settings: restoring the time zone after a failed save", "time_zone", prevLoc.String(), "err", rerr)
		}
		return api.Settings{}, fmt.Errorf("settings: %w", err)
	}
	return toSettings(c), nil
}

func (d *Daemon) localAPISync() localapi.SyncService { return d.sync }

func (d *Daemon) localAPISignIn() localapi.SignIn { return d.signIn }

// usageTracker is the local API's tracker; reading sessions or stats
// through it counts as using the device, so sync keeps what is shown fresh.
type usageTracker struct {
	localapi.Tracker
	used func()
}

func (u usageTracker) Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error) {
	u.used()
	return u.Tracker.Sessions(ctx, q)
}

func (u usageTracker) Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error) {
	u.used()
	return u.Tracker.Stats(ctx, q)
}

// localAPITracker is d's tracker as the local API uses it.
func (d *Daemon) localAPITracker() localapi.Tracker {
	if u, ok := d.sync.(interface{ Used() }); ok {
		return usageTracker{Tracker: d.Tracker, used: u.Used}
	}
	return d.Tracker
}

// rulesFile reads and writes [rules] of config.toml, keeping every other
// key; the tracker and the sync engine read the file at every start and
// run, so a change applies at once.
type rulesFile struct {
	d  *Daemon
	mu sync.Mutex // serialises SetRules
}

func (f *rulesFile) Rules(context.Context) (rules.Rules, error) {
	c, err := config.Load(f.d.Paths.Config)
	if err != nil {
		return rules.Rules{}, err
	}
	return c.Rules, nil
}

func (f *rulesFile) SetRules(_ context.Context, r rules.Rules) (rules.Rules, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := r.Validate(); err != nil {
		return rules.Rules{}, &api.Error{Code: api.CodeBadRequest, Message: err.Error()}
	}
	c, err := config.Load(f.d.Paths.Config)
	if err != nil {
		return rules.Rules{}, err
	}
	c.Rules = r
	if err := config.Save(f.d.Paths.Config, c); err != nil {
		return rules.Rules{}, fmt.Errorf("rules: %w", err)
	}
	return c.Rules, nil
}
