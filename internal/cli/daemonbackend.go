package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/tracker"
)

// DaemonBackend is the running daemon, reached over its local API.
type DaemonBackend struct {
	Client *localclient.Client
	loc    *time.Location
}

var _ Backend = (*DaemonBackend)(nil)

// openDaemon returns the daemon's backend when the daemon answers on its
// socket, and (nil, nil) when it does not run.
func openDaemon(ctx context.Context, e *Env) (Backend, error) {
	c := localclient.New(e.Paths.Socket)
	if _, err := c.Status(ctx); err != nil {
		if !localclient.IsUnavailable(err) {
			e.Logger.Warn("the daemon does not answer properly; using the store directly", "err", err)
		}
		return nil, nil
	}
	loc, err := e.Config.LocationWith(e.Getenv)
	if err != nil {
		return nil, err
	}
	return &DaemonBackend{Client: c, loc: loc}, nil
}

// trackerError turns the daemon's error codes back into the tracker's
// errors, so that a command fails the same way with or without the daemon.
func trackerError(err error) error {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case api.CodeNotFound:
		return fmt.Errorf("%s: %w", ae.Message, tracker.ErrNotFound)
	case api.CodeConflict:
		return fmt.Errorf("%s: %w", ae.Message, tracker.ErrConflict)
	case api.CodeBadRequest:
		return fmt.Errorf("%s: %w", ae.Message, tracker.ErrInvalid)
	}
	return err
}

// Start starts a session through the daemon.
func (b *DaemonBackend) Start(ctx context.Context, req api.StartRequest) (api.Session, error) {
	s, err := b.Client.Start(ctx, req)
	return s, trackerError(err)
}

// Heartbeat records a heartbeat through the daemon.
func (b *DaemonBackend) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	s, err := b.Client.Heartbeat(ctx, id, at)
	return s, trackerError(err)
}

// End ends a session through the daemon.
func (b *DaemonBackend) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	s, err := b.Client.End(ctx, id, at)
	return s, trackerError(err)
}

// Active is the daemon's active session.
func (b *DaemonBackend) Active(ctx context.Context) (*api.Session, error) {
	s, err := b.Client.Active(ctx)
	return s, trackerError(err)
}

func rfc3339OrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Sessions lists sessions through the daemon.
func (b *DaemonBackend) Sessions(ctx context.Context, q tracker.SessionQuery) ([]api.Session, error) {
	list, err := b.Client.Sessions(ctx, localclient.SessionsQuery{Repo: q.Repo, Since: rfc3339OrEmpty(q.Since), Status: q.Status, Limit: q.Limit})
	return list, trackerError(err)
}

// Stats summarises through the daemon.
func (b *DaemonBackend) Stats(ctx context.Context, q tracker.StatsQuery) (api.Stats, error) {
	st, err := b.Client.Stats(ctx, localclient.StatsQuery{Days: q.Days, Repo: q.Repo})
	return st, trackerError(err)
}

// ExportCount is unknown through the daemon (-1).
func (b *DaemonBackend) ExportCount(context.Context, tracker.ExportQuery) (int64, error) {
	return -1, nil
}

// Export streams the daemon's export to w.
func (b *DaemonBackend) Export(ctx context.Context, q tracker.ExportQuery, format string, w io.Writer, progress func(int64)) error {
	err := b.Client.Export(ctx, localclient.ExportQuery{Format: format, Since: rfc3339OrEmpty(q.Since), Until: rfc3339OrEmpty(q.Until)}, w)
	return trackerError(err)
}

// Location is the configured zone.
func (b *DaemonBackend) Location() *time.Location { return b.loc }

// Close releases nothing: the client holds no resources worth closing.
func (b *DaemonBackend) Close() error { return nil }
