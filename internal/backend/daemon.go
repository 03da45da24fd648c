package backend

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/tracker"
)

// Daemon is the running daemon, reached over its local API.
type Daemon struct {
	client *localclient.Client
}

// NewDaemon returns the daemon on o.Paths.Socket without asking whether it
// runs: each call fails with an error IsNotRunning recognises when it does
// not.
func NewDaemon(o Options) *Daemon {
	return &Daemon{client: localclient.New(o.Paths.Socket)}
}

// DialDaemon asks the daemon on o.Paths.Socket for its status. When nothing
// listens there the error satisfies IsNotRunning; a daemon that answers with
// an error returns that error.
func DialDaemon(ctx context.Context, o Options) (*Daemon, api.Status, error) {
	d := NewDaemon(o)
	st, err := d.Status(ctx)
	if err != nil {
		d.Close()
		return nil, api.Status{}, err
	}
	return d, st, nil
}

// IsNotRunning reports whether err means that no daemon listens on the
// socket, so the request was certainly not processed and may be done
// another way.
func IsNotRunning(err error) bool { return localclient.IsUnavailable(err) }

// Status is the daemon's state.
func (d *Daemon) Status(ctx context.Context) (api.Status, error) { return d.client.Status(ctx) }

// Start starts a session through the daemon. A request the tracker would
// refuse on its face is refused here, before it is sent: the daemon is then
// asked nothing it would refuse with another code (a name too long for the
// local API's body limit once JSON-escaped, an id too long for a URL).
func (d *Daemon) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	if _, _, err := tracker.CheckStart(req); err != nil {
		return api.Session{}, api.AsError(fmt.Errorf("start: %w", err))
	}
	return d.client.Start(ctx, req)
}

// Heartbeat records a heartbeat through the daemon; a malformed session id
// is refused before it is sent, as Start does.
func (d *Daemon) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	if _, err := tracker.CheckSessionID(id); err != nil {
		return api.Session{}, api.AsError(fmt.Errorf("heartbeat: %w", err))
	}
	return d.client.Heartbeat(ctx, id, at)
}

// End ends a session through the daemon; a malformed session id is refused
// before it is sent, as Start does.
func (d *Daemon) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	if _, err := tracker.CheckSessionID(id); err != nil {
		return api.Session{}, api.AsError(fmt.Errorf("end: %w", err))
	}
	return d.client.End(ctx, id, at)
}

// Active is the daemon's active session.
func (d *Daemon) Active(ctx context.Context) (*api.Session, error) { return d.client.Active(ctx) }

func rfc3339OrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Sessions lists sessions through the daemon.
func (d *Daemon) Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error) {
	return d.client.Sessions(ctx, localclient.SessionsQuery{Repo: q.Repo, Since: rfc3339OrEmpty(q.Since), Status: q.Status, Limit: q.Limit})
}

// Stats summarises through the daemon.
func (d *Daemon) Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error) {
	return d.client.Stats(ctx, localclient.StatsQuery{Days: q.Days, Repo: q.Repo})
}

// ExportCount is unknown through the daemon (-1).
func (d *Daemon) ExportCount(context.Context, tracker.ExportQuery) (int64, error) {
	return -1, nil
}

// Export streams the daemon's export to w; progress is reported once, with
// the total, when the export is complete.
func (d *Daemon) Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(int64)) error {
	n, err := d.client.ExportCounted(ctx, localclient.ExportQuery{Format: format, Since: rfc3339OrEmpty(q.Since), Until: rfc3339OrEmpty(q.Until)}, w)
	if err == nil && progress != nil {
		progress(n)
	}
	return err
}

// Sync runs one sync in the daemon and returns the state after it.
func (d *Daemon) Sync(ctx context.Context) (api.SyncState, error) { return d.client.Sync(ctx) }

// Close closes the connection kept alive for the next call.
func (d *Daemon) Close() error {
	d.client.CloseIdleConnections()
	return nil
}

// EditSession changes an ended session through the daemon.
func (d *Daemon) EditSession(ctx context.Context, id string, req api.EditRequest) (api.EditReply, error) {
	if _, err := tracker.CheckSessionID(id); err != nil {
		return api.EditReply{}, api.AsError(fmt.Errorf("edit: %w", err))
	}
	return d.client.EditSession(ctx, id, req)
}

// SplitSession cuts an ended session in two through the daemon.
func (d *Daemon) SplitSession(ctx context.Context, id string, req api.SplitRequest) (api.EditReply, error) {
	if _, err := tracker.CheckSessionID(id); err != nil {
		return api.EditReply{}, api.AsError(fmt.Errorf("split: %w", err))
	}
	return d.client.SplitSession(ctx, id, req)
}

// MergeSessions joins adjacent sessions through the daemon.
func (d *Daemon) MergeSessions(ctx context.Context, req api.MergeRequest) (api.EditReply, error) {
	return d.client.MergeSessions(ctx, req)
}

// ImportSessions stores the extension's direct-mode sessions through the daemon.
func (d *Daemon) ImportSessions(ctx context.Context, req api.ImportRequest) (api.ImportReply, error) {
	return d.client.ImportSessions(ctx, req)
}

// AddSession records a session after the fact through the daemon.
func (d *Daemon) AddSession(ctx context.Context, req api.AddRequest) (api.EditReply, error) {
	return d.client.AddSession(ctx, req)
}

// DeleteSessions deletes sessions through the daemon.
func (d *Daemon) DeleteSessions(ctx context.Context, req api.DeleteRequest) (api.EditReply, error) {
	return d.client.DeleteSessions(ctx, req)
}

// WithdrawSessions takes sessions off the server through the daemon.
func (d *Daemon) WithdrawSessions(ctx context.Context, req api.WithdrawRequest) (api.EditReply, error) {
	return d.client.WithdrawSessions(ctx, req)
}
