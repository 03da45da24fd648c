package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/install"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/nativemsg"
	"github.com/worktime/worktime/internal/tracker"
)

// HostCaller is the browser extension that started worktimed as its native
// messaging host.
type HostCaller struct {
	Browser     string // "chrome" (any Chromium-based browser) or "firefox"
	ExtensionID string
	Manifest    string // Firefox: the host manifest it started worktimed from
}

var (
	chromeOrigin = regexp.MustCompile(`^chrome-extension://([a-p]{32})/?$`)
	firefoxAddon = regexp.MustCompile(`^([A-Za-z0-9._+-]*@[A-Za-z0-9._-]+|\{[0-9a-fA-F-]{36}\})$`)
)

// DetectHost recognises a browser's command line: Chromium-based browsers
// pass the caller's origin "chrome-extension://<id>/" (and, on Windows,
// --parent-window=N); Firefox passes the manifest's path and the add-on id.
// ok is false for an ordinary command line. A command line that starts like
// a browser's but names no valid extension is still host mode, with an
// empty ExtensionID (refused).
func DetectHost(args []string) (caller HostCaller, ok bool) {
	if len(args) == 0 {
		return HostCaller{}, false
	}
	if strings.HasPrefix(args[0], "chrome-extension://") {
		caller.Browser = "chrome"
		if m := chromeOrigin.FindStringSubmatch(args[0]); m != nil {
			caller.ExtensionID = m[1]
		}
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "--parent-window=") {
				caller.ExtensionID = ""
			}
		}
		return caller, true
	}
	if len(args) == 2 && strings.HasSuffix(args[0], ".json") && filepath.IsAbs(args[0]) && firefoxAddon.MatchString(args[1]) {
		return HostCaller{Browser: "firefox", ExtensionID: args[1], Manifest: args[0]}, true
	}
	return HostCaller{}, false
}

// allowedCaller checks the caller against allowed_extension_ids (Chromium),
// or, for Firefox (whose add-on ids config.toml cannot hold), against the
// reference add-on id and the allowed_extensions of worktime's manifest that
// Firefox started it from (written by `worktimed install --extension-id`).
func (e *Env) allowedCaller(c HostCaller) bool {
	if c.ExtensionID == "" {
		return false
	}
	if c.Browser == "firefox" {
		return c.ExtensionID == install.DefaultFirefoxExtensionID || slices.Contains(firefoxManifestIDs(c.Manifest), c.ExtensionID)
	}
	return slices.Contains(e.Config.AllowedExtensionIDs, c.ExtensionID)
}

// firefoxManifestIDs reads allowed_extensions from worktime's Firefox host
// manifest at path; anything else yields none.
func firefoxManifestIDs(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var m struct {
		Name              string   `json:"name"`
		AllowedExtensions []string `json:"allowed_extensions"`
	}
	if json.Unmarshal(b, &m) != nil || m.Name != install.HostName {
		return nil
	}
	return m.AllowedExtensions
}

// hostRefused is the error of a refused caller.
type hostRefused struct{ caller HostCaller }

func (h hostRefused) Error() string {
	if h.caller.ExtensionID == "" {
		return "native messaging host: the caller is not a valid extension origin"
	}
	return fmt.Sprintf("native messaging host: extension %q is not in allowed_extension_ids", h.caller.ExtensionID)
}

func (hostRefused) ExitCode() int { return ExitUsage }

// writeHostError sends one unsolicited error frame (id null).
func (e *Env) writeHostError(code, msg string) {
	b, err := json.Marshal(struct {
		ID    *int       `json:"id"`
		OK    bool       `json:"ok"`
		Error *api.Error `json:"error"`
	}{Error: &api.Error{Code: code, Message: msg}})
	if err != nil {
		return
	}
	_ = nativemsg.WriteFrame(e.Stdout, b)
}

// RunHost serves one native messaging port on stdin/stdout until the
// browser closes it.
func (e *Env) RunHost(ctx context.Context, caller HostCaller) error {
	if err := e.LoadConfig(); err != nil {
		e.writeHostError(api.CodeInternal, "worktime's configuration cannot be read: "+err.Error())
		return err
	}
	if !e.allowedCaller(caller) {
		err := hostRefused{caller}
		e.writeHostError(api.CodeForbidden, err.Error())
		return err
	}
	r := &relay{e: e, client: localclient.New(e.Paths.Socket)}
	defer r.Close()
	h := nativemsg.NewHost(nativemsg.HostOptions{Backend: r, Clock: e.Clock, Logger: e.Logger, Version: Version})
	return h.Serve(ctx, e.Stdin, e.Stdout)
}

// relay sends each request to the daemon and, when the daemon is not
// running, records it directly in the store through the tracker.
type relay struct {
	e      *Env
	client *localclient.Client

	mu     sync.Mutex
	direct *DirectBackend // opened on first need
}

var _ nativemsg.Backend = (*relay)(nil)

func (r *relay) Close() error {
	r.client.CloseIdleConnections()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.direct != nil {
		return r.direct.Close()
	}
	return nil
}

func (r *relay) store(ctx context.Context) (*DirectBackend, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.direct == nil {
		d, err := OpenDirect(ctx, r.e)
		if err != nil {
			return nil, err
		}
		r.direct = d
	}
	return r.direct, nil
}

// viaDaemon reports whether the daemon handled the call; when it did not
// run, the call is to be made directly. A daemon that failed in the middle
// of a request is unavailable: the extension retries.
func viaDaemon(err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if localclient.IsUnavailable(err) {
		return false, nil
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		return true, ae
	}
	return true, &api.Error{Code: api.CodeUnavailable, Message: err.Error()}
}

// classify gives a direct call's error its protocol code.
func classify(err error) error {
	if err == nil {
		return nil
	}
	return localapi.Classify(err)
}

func relayCall[T any](ctx context.Context, r *relay, daemon func(*localclient.Client) (T, error), direct func(*tracker.Tracker) (T, error)) (T, error) {
	v, err := daemon(r.client)
	if handled, err := viaDaemon(err); handled {
		return v, err
	}
	d, err := r.store(ctx)
	if err != nil {
		var zero T
		return zero, classify(err)
	}
	v, err = direct(d.Tracker)
	return v, classify(err)
}

func (r *relay) Status(ctx context.Context) (api.Status, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (api.Status, error) { return c.Status(ctx) },
		func(t *tracker.Tracker) (api.Status, error) {
			device, err := t.DeviceID(ctx)
			if err != nil {
				return api.Status{}, err
			}
			active, err := t.Active(ctx)
			if err != nil {
				return api.Status{}, err
			}
			pending, err := t.DB().PendingCount(ctx)
			if err != nil {
				return api.Status{}, err
			}
			return api.Status{Version: Version, DeviceID: device, Active: active,
				Sync: api.SyncState{State: "disabled", Pending: pending, LastError: "worktimed is not running; sessions are recorded locally and synced once it runs"}}, nil
		})
}

func (r *relay) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (api.Session, error) { return c.Start(ctx, req) },
		func(t *tracker.Tracker) (api.Session, error) { return t.Start(ctx, req) })
}

func (r *relay) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (api.Session, error) { return c.Heartbeat(ctx, id, at) },
		func(t *tracker.Tracker) (api.Session, error) { return t.Heartbeat(ctx, id, at) })
}

func (r *relay) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (api.Session, error) { return c.End(ctx, id, at) },
		func(t *tracker.Tracker) (api.Session, error) { return t.End(ctx, id, at) })
}

func (r *relay) Active(ctx context.Context) (*api.Session, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (*api.Session, error) { return c.Active(ctx) },
		func(t *tracker.Tracker) (*api.Session, error) { return t.Active(ctx) })
}

func (r *relay) Stats(ctx context.Context, days int) (api.Stats, error) {
	return relayCall(ctx, r, func(c *localclient.Client) (api.Stats, error) {
		return c.Stats(ctx, localclient.StatsQuery{Days: days})
	}, func(t *tracker.Tracker) (api.Stats, error) { return t.Stats(ctx, tracker.StatsQuery{Days: days}) })
}
