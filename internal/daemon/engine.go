package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/httpremote"
)

// EngineEnv is what NewEngine takes from its surroundings.
type EngineEnv struct {
	// Location returns the zone days are counted in; the daemon's follows
	// the settings.
	Location func() *time.Location
	Clock    clock.Clock
	Logger   *slog.Logger
	Version  string
	// Rules returns the rules in force (read at every sync run); nil
	// syncs everything.
	Rules func() rules.Rules
}

// NewEngine builds the sync engine over store for the account in a.
func NewEngine(store syncer.Store, a *auth.Service, tun SyncTuning, env EngineEnv) (*syncer.Engine, error) {
	tz := func() string {
		if env.Location == nil {
			return ""
		}
		if name := env.Location().String(); name != "Local" {
			return name
		}
		return ""
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	return syncer.New(syncer.Options{
		Store: store,
		Account: func(ctx context.Context) (syncer.Account, error) {
			c, err := a.Current(ctx)
			if errors.Is(err, auth.ErrSignedOut) {
				return syncer.Account{}, fmt.Errorf("%w", syncer.ErrSignedOut)
			}
			if err != nil {
				return syncer.Account{}, err
			}
			return syncer.Account{ServerURL: c.ServerURL, Token: c.Token, Login: c.Login}, nil
		},
		NewRemote: func(a syncer.Account) syncer.Remote {
			return httpremote.New(httpremote.Options{ServerURL: a.ServerURL, Token: a.Token, Timeout: tun.Timeout,
				UserAgent: "worktimed/" + env.Version})
		},
		Clock:        env.Clock,
		Logger:       env.Logger.With("component", "sync"),
		TimeZone:     tz,
		Interval:     tun.Interval,
		IdleInterval: tun.IdleInterval,
		Debounce:     tun.Debounce,
		Backoff:      syncer.Backoff{Base: tun.BackoffBase, Max: tun.BackoffMax},
		Rules:        env.Rules,
		AfterRun: func(st api.SyncState) {
			env.Logger.Debug("sync run", "state", st.State, "pending", st.Pending, "quarantined", st.Quarantined, "err", st.LastError)
		},
	})
}

// RulesFrom returns the rules of the config file at path as they are at
// each call, so that rules set with `worktimed rules`, the dashboard or the
// extension apply at once: to the tracker's next start and to the next sync
// run. The file is parsed again only when its size or modification time
// changed. A file that cannot be read keeps the last rules read (at first,
// fallback: the rules the process started with).
func RulesFrom(path string, fallback rules.Rules, log *slog.Logger) func() rules.Rules {
	var mu sync.Mutex
	last := fallback
	var seenMod time.Time
	var seenSize int64 = -1
	return func() rules.Rules {
		mu.Lock()
		defer mu.Unlock()
		st, err := os.Stat(path)
		if err == nil && st.ModTime().Equal(seenMod) && st.Size() == seenSize {
			return last
		}
		c, err := config.Load(path)
		if err != nil {
			if log != nil {
				log.Warn("reading the rules; keeping the ones read before", "err", err)
			}
			return last
		}
		last = c.Rules
		if st != nil {
			seenMod, seenSize = st.ModTime(), st.Size()
		}
		return last
	}
}
