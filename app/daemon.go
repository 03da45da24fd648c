package app

import (
	"context"
	"io"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/rules"
)

// Daemon is the part of the local API the dashboard uses.
// *localclient.Client implements it.
type Daemon interface {
	Status(ctx context.Context) (api.Status, error)
	api.SessionWriter
	Sessions(ctx context.Context, q localclient.SessionsQuery) ([]api.Session, error)
	SessionsPage(ctx context.Context, q localclient.SessionsQuery) (api.SessionsReply, error)
	Repos(ctx context.Context) ([]string, error)
	Stats(ctx context.Context, q localclient.StatsQuery) (api.Stats, error)
	Export(ctx context.Context, q localclient.ExportQuery, w io.Writer) error
	Sync(ctx context.Context) (api.SyncState, error)
	Settings(ctx context.Context) (api.Settings, error)
	SetSettings(ctx context.Context, s api.Settings) (api.Settings, error)
	LoginStart(ctx context.Context, req api.LoginStartRequest) (api.LoginStatus, error)
	LoginStatus(ctx context.Context) (api.LoginStatus, error)
	Logout(ctx context.Context) (api.LogoutReply, error)
	// History and the rules (the Sessions view's edits, Settings).
	api.SessionEditor
	Rules(ctx context.Context) (rules.Rules, error)
	SetRules(ctx context.Context, in rules.Rules) (rules.Rules, error)
}

var _ Daemon = (*localclient.Client)(nil)
