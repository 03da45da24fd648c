package localclient_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localapi"
	"github.com/worktime/worktime/internal/localclient"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// harness runs a real local API server over a real store on a Unix socket
// in a temporary folder.
type harness struct {
	client *localclient.Client
	tr     *tracker.Tracker
	clk    *clock.Fake
	socket string
}

func start(t testing.TB, opts localapi.Options) *harness {
	t.Helper()
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	db, err := localdb.Open(context.Background(), filepath.Join(dir, "worktime.db"), localdb.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := tracker.New(db, tracker.Options{Clock: clk})
	opts.Tracker = tr
	opts.Version = "test"
	socket := filepath.Join(dir, "run", "worktimed.sock")
	ln, err := localapi.Listen(socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- localapi.New(opts).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &harness{client: localclient.New(socket), tr: tr, clk: clk, socket: socket}
}

func TestSessionsRoundTrip(t *testing.T) {
	h := start(t, localapi.Options{DeviceID: "dev"})
	ctx := context.Background()
	c := h.client

	st, err := c.Status(ctx)
	if err != nil || st.Version != "test" || st.DeviceID != "dev" || st.Sync.State != "disabled" || st.SignedIn || st.Active != nil {
		t.Fatalf("status: %+v, %v", st, err)
	}
	s, err := c.Start(ctx, api.StartRequest{RepoOwner: "octo", RepoName: "hello", PRNumber: 3, Source: api.SourceBrowser})
	if err != nil || s.Status != api.StatusActive || !s.StartTime.Equal(t0) {
		t.Fatalf("start: %+v, %v", s, err)
	}
	h.clk.Advance(time.Minute)
	if s, err = c.Heartbeat(ctx, s.ID, nil); err != nil || s.Status != api.StatusActive {
		t.Fatalf("heartbeat: %+v, %v", s, err)
	}
	active, err := c.Active(ctx)
	if err != nil || active == nil || active.ID != s.ID {
		t.Fatalf("active: %+v, %v", active, err)
	}
	st, err = c.Status(ctx)
	if err != nil || st.Active == nil || st.Active.ID != s.ID {
		t.Fatalf("status active: %+v, %v", st, err)
	}
	at := t0.Add(2 * time.Minute)
	if s, err = c.End(ctx, s.ID, &at); err != nil || s.Status != api.StatusCompleted || s.DurationSeconds != 120 {
		t.Fatalf("end: %+v, %v", s, err)
	}
	if again, err := c.End(ctx, s.ID, nil); err != nil || again.DurationSeconds != 120 {
		t.Fatalf("end again: %+v, %v", again, err)
	}
	if active, err = c.Active(ctx); err != nil || active != nil {
		t.Fatalf("active after end: %+v, %v", active, err)
	}
	list, err := c.Sessions(ctx, localclient.SessionsQuery{Repo: "octo/hello", Status: api.StatusCompleted, Since: "2026-11-25", Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != s.ID {
		t.Fatalf("sessions: %+v, %v", list, err)
	}
	if list, err = c.Sessions(ctx, localclient.SessionsQuery{Repo: "other/repo"}); err != nil || len(list) != 0 || list == nil {
		t.Fatalf("sessions of another repo: %#v, %v", list, err)
	}
	stats, err := c.Stats(ctx, localclient.StatsQuery{Days: 3})
	if err != nil || stats.TodaySeconds != 120 || len(stats.Days) != 3 || len(stats.Repos) != 1 || stats.Repos[0].Repo != "octo/hello" {
		t.Fatalf("stats: %+v, %v", stats, err)
	}

	var buf bytes.Buffer
	if err := c.Export(ctx, localclient.ExportQuery{Format: "csv"}, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][0] != s.ID || rows[1][6] != "120" {
		t.Fatalf("csv export: %q, %v", rows, err)
	}
	buf.Reset()
	if err := c.Export(ctx, localclient.ExportQuery{Format: "json", Since: "2026-11-25", Until: "2026-11-26"}, &buf); err != nil {
		t.Fatal(err)
	}
	var sessions []api.Session
	if err := json.Unmarshal(buf.Bytes(), &sessions); err != nil || len(sessions) != 1 || sessions[0].ID != s.ID {
		t.Fatalf("json export %s: %v", buf.Bytes(), err)
	}
	// The count trailer says how many sessions the stream held.
	for _, q := range []struct {
		q    localclient.ExportQuery
		want int64
	}{
		{localclient.ExportQuery{Format: "csv"}, 1},
		{localclient.ExportQuery{Format: "json", Since: "2026-11-26"}, 0},
	} {
		n, err := c.ExportCounted(ctx, q.q, io.Discard)
		if err != nil || n != q.want {
			t.Errorf("ExportCounted(%+v) = %d, %v; want %d", q.q, n, err, q.want)
		}
	}
}

// The dashboard lists sessions a page at a time with the filter's true
// count, offers every repository, and exports only the drilled-into one.
func TestSessionsPagesReposAndExportOfOneRepo(t *testing.T) {
	h := start(t, localapi.Options{})
	ctx := context.Background()
	c := h.client
	var ids []string // newest first
	for i, repo := range []string{"octo/hello", "acme/web", "octo/hello", "acme/web", "octo/hello"} {
		owner, name, _ := strings.Cut(repo, "/")
		s, err := c.Start(ctx, api.StartRequest{RepoOwner: owner, RepoName: name, PRNumber: i + 1, Source: api.SourceManual})
		if err != nil {
			t.Fatal(err)
		}
		h.clk.Advance(time.Minute)
		if _, err := c.End(ctx, s.ID, nil); err != nil {
			t.Fatal(err)
		}
		h.clk.Advance(time.Minute)
		ids = append([]string{s.ID}, ids...)
	}
	page, err := c.SessionsPage(ctx, localclient.SessionsQuery{Limit: 2, Offset: 2, Count: true})
	if err != nil || page.Total == nil || *page.Total != 5 || len(page.Sessions) != 2 || page.Sessions[0].ID != ids[2] || page.Sessions[1].ID != ids[3] {
		t.Fatalf("page 2 of 2: %+v, %v", page, err)
	}
	page, err = c.SessionsPage(ctx, localclient.SessionsQuery{Repo: "octo/hello", Limit: 1, Count: true})
	if err != nil || page.Total == nil || *page.Total != 3 || len(page.Sessions) != 1 || page.Sessions[0].ID != ids[0] {
		t.Fatalf("octo/hello, first of 3: %+v, %v", page, err)
	}
	page, err = c.SessionsPage(ctx, localclient.SessionsQuery{Repo: "octo/hello", PR: 3, Count: true})
	if err != nil || page.Total == nil || *page.Total != 1 || len(page.Sessions) != 1 || page.Sessions[0].ID != ids[2] {
		t.Fatalf("octo/hello#3: %+v, %v", page, err)
	}
	if page, err = c.SessionsPage(ctx, localclient.SessionsQuery{Limit: 1}); err != nil || page.Total != nil {
		t.Fatalf("no count asked: %+v, %v", page, err)
	}
	repos, err := c.Repos(ctx)
	if err != nil || strings.Join(repos, ",") != "acme/web,octo/hello" {
		t.Fatalf("repos: %v, %v", repos, err)
	}
	var buf bytes.Buffer
	if err := c.Export(ctx, localclient.ExportQuery{Format: "csv", Repo: "acme/web"}, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("export of acme/web: %q, %v", rows, err)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(strings.Join(r, ","), "acme,web") {
			t.Errorf("export of acme/web holds %q", r)
		}
	}
}

func TestErrorReplies(t *testing.T) {
	h := start(t, localapi.Options{})
	ctx := context.Background()
	c := h.client
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"heartbeat unknown", func() error { _, err := c.Heartbeat(ctx, "01935f3e-8a00-7000-8000-000000000009", nil); return err }, api.CodeNotFound},
		{"end unknown", func() error { _, err := c.End(ctx, "01935f3e-8a00-7000-8000-000000000009", nil); return err }, api.CodeNotFound},
		{"start invalid repo", func() error {
			_, err := c.Start(ctx, api.StartRequest{RepoOwner: "a b", RepoName: "r", PRNumber: 1})
			return err
		}, api.CodeBadRequest},
		{"start bad pr", func() error { _, err := c.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: "r"}); return err }, api.CodeBadRequest},
		{"sessions bad status", func() error { _, err := c.Sessions(ctx, localclient.SessionsQuery{Status: "paused"}); return err }, api.CodeBadRequest},
		{"sessions bad since", func() error { _, err := c.Sessions(ctx, localclient.SessionsQuery{Since: "last week"}); return err }, api.CodeBadRequest},
		{"sessions bad repo", func() error { _, err := c.Sessions(ctx, localclient.SessionsQuery{Repo: "norepo"}); return err }, api.CodeBadRequest},
		{"sessions bad limit", func() error { _, err := c.Sessions(ctx, localclient.SessionsQuery{Limit: -1}); return err }, api.CodeBadRequest},
		{"sessions bad offset", func() error { _, err := c.SessionsPage(ctx, localclient.SessionsQuery{Offset: -1}); return err }, api.CodeBadRequest},
		{"sessions pr without repo", func() error { _, err := c.SessionsPage(ctx, localclient.SessionsQuery{PR: 3}); return err }, api.CodeBadRequest},
		{"sessions bad count", func() error { return c.Do(ctx, "GET", "sessions?count=yes", nil, nil) }, api.CodeBadRequest},
		{"export bad repo", func() error { return c.Export(ctx, localclient.ExportQuery{Repo: "norepo"}, &bytes.Buffer{}) }, api.CodeBadRequest},
		{"stats bad days", func() error { _, err := c.Stats(ctx, localclient.StatsQuery{Days: -2}); return err }, api.CodeBadRequest},
		{"export bad format", func() error { return c.Export(ctx, localclient.ExportQuery{Format: "xml"}, &bytes.Buffer{}) }, api.CodeBadRequest},
		{"export until before since", func() error {
			return c.Export(ctx, localclient.ExportQuery{Since: "2026-11-25", Until: "2026-11-24"}, &bytes.Buffer{})
		}, api.CodeBadRequest},
		{"sync without sync", func() error { _, err := c.Sync(ctx); return err }, api.CodeUnavailable},
		{"config without settings", func() error { _, err := c.Settings(ctx); return err }, api.CodeUnavailable},
		{"unknown route", func() error { return c.Do(ctx, "GET", "nothing/here", nil, nil) }, api.CodeNotFound},
		{"unknown field", func() error {
			return c.Do(ctx, "POST", "sessions/start", map[string]any{"repo_owner": "o", "repo_name": "r", "pr_number": 1, "colour": "red"}, nil)
		}, api.CodeBadRequest},
		{"mistyped field", func() error {
			return c.Do(ctx, "POST", "sessions/start", map[string]any{"repo_owner": "o", "repo_name": "r", "pr_number": "1"}, nil)
		}, api.CodeBadRequest},
		{"heartbeat with a 1 MB id", func() error { _, err := c.Heartbeat(ctx, strings.Repeat("z", 1<<20), nil); return err }, api.CodeBadRequest},
		{"start with a long name", func() error {
			_, err := c.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: strings.Repeat("\u0080", 100_000), PRNumber: 1})
			return err
		}, api.CodeBadRequest},
		{"body too large", func() error {
			return c.Do(ctx, "POST", "sessions/start", map[string]any{"repo_owner": strings.Repeat("o", 2<<20)}, nil)
		}, api.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Code != tt.code || ae.Message == "" {
				t.Fatalf("err = %.300v, want code %s", err, tt.code)
			}
			if len(ae.Message) > 1000 {
				t.Fatalf("message of %d bytes: %.300s", len(ae.Message), ae.Message)
			}
			if localclient.IsUnavailable(err) {
				t.Fatal("an error reply is not 'daemon unavailable'")
			}
		})
	}
	list, err := h.tr.Sessions(ctx, tracker.SessionQuery{})
	if err != nil || len(list) != 0 {
		t.Fatalf("refused requests recorded sessions: %v %v", list, err)
	}
}

func TestUnavailable(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	// No socket at all.
	c := localclient.New(filepath.Join(dir, "missing.sock"))
	if _, err := c.Status(ctx); !localclient.IsUnavailable(err) {
		t.Fatalf("missing socket: %v", err)
	}
	// A stale socket file whose daemon died.
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("stale socket file: %v", err)
	}
	c = localclient.New(stale)
	if _, err := c.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: "r", PRNumber: 1}); !localclient.IsUnavailable(err) {
		t.Fatalf("stale socket: %v", err)
	}
	// Listen replaces the stale socket.
	ln, err = localapi.Listen(stale)
	if err != nil {
		t.Fatalf("listen over a stale socket: %v", err)
	}
	defer ln.Close()
	// ...but refuses a live one.
	if _, err := localapi.Listen(stale); !errors.Is(err, localapi.ErrInUse) {
		t.Fatalf("listen over a live socket: %v", err)
	}
}

func TestSocketPermissions(t *testing.T) {
	h := start(t, localapi.Options{})
	fi, err := os.Stat(h.socket)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket mode %v", fi.Mode())
	}
	di, err := os.Stat(filepath.Dir(h.socket))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder mode %v, %v", di.Mode(), err)
	}
}

// syncService is the smallest SyncService: a sync state kept in memory.
type syncService struct {
	state api.SyncState
	user  *api.User
	runs  int
}

func (s *syncService) SyncStatus(context.Context) (api.SyncState, *api.User, error) {
	return s.state, s.user, nil
}

func (s *syncService) SyncNow(context.Context) (api.SyncState, error) {
	s.runs++
	s.state.State = api.SyncIdle
	return s.state, nil
}

// signIn is the smallest SignIn: a sign-in that the test approves, over
// the user of a syncService.
type signIn struct {
	svc       *syncService
	pending   bool
	logoutErr error
}

func (s *signIn) StartLogin(_ context.Context, serverURL string) (api.LoginStatus, error) {
	if serverURL == "" {
		return api.LoginStatus{}, errors.New("no server configured")
	}
	s.pending = true
	return s.LoginStatus(context.Background()), nil
}

func (s *signIn) LoginStatus(context.Context) api.LoginStatus {
	switch {
	case s.pending:
		return api.LoginStatus{State: api.LoginPending, UserCode: "ABCD-1234"}
	case s.svc.user != nil:
		return api.LoginStatus{State: api.LoginSignedIn, Login: s.svc.user.Login}
	}
	return api.LoginStatus{State: api.LoginIdle}
}

func (s *signIn) Logout(context.Context) error {
	s.svc.user = nil
	return s.logoutErr
}

func TestSyncAndSignInRoutes(t *testing.T) {
	svc := &syncService{state: api.SyncState{State: api.SyncBackoff, Pending: 4}}
	si := &signIn{svc: svc}
	h := start(t, localapi.Options{Sync: svc, SignIn: si})
	ctx := context.Background()
	var ae *api.Error
	if _, err := h.client.LoginStart(ctx, api.LoginStartRequest{}); !errors.As(err, &ae) || ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "no server configured") {
		t.Fatalf("login/start without a server: %v, want unavailable naming the cause", err)
	}
	ls, err := h.client.LoginStart(ctx, api.LoginStartRequest{ServerURL: "https://sync.example"})
	if err != nil || ls.State != api.LoginPending || ls.UserCode != "ABCD-1234" {
		t.Fatalf("login/start: %+v, %v", ls, err)
	}
	si.pending, svc.user = false, &api.User{Login: "octocat"}
	if ls, err = h.client.LoginStatus(ctx); err != nil || ls.State != api.LoginSignedIn || ls.Login != "octocat" {
		t.Fatalf("login/status: %+v, %v", ls, err)
	}
	st, err := h.client.Status(ctx)
	if err != nil || !st.SignedIn || st.User.Login != "octocat" || st.Sync.State != api.SyncBackoff || st.Sync.Pending != 4 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	ss, err := h.client.Sync(ctx)
	if err != nil || ss.State != api.SyncIdle || svc.runs != 1 {
		t.Fatalf("sync: %+v, %v", ss, err)
	}
	si.logoutErr = errors.New("the server could not be told")
	out, err := h.client.Logout(ctx)
	if err != nil || out.State != api.SyncSignedOut || out.Warning != "the server could not be told" {
		t.Fatalf("logout: %+v, %v", out, err)
	}
	if st, err = h.client.Status(ctx); err != nil || st.SignedIn || st.User != nil {
		t.Fatalf("status after logout: %+v, %v", st, err)
	}
}

func TestSignInRoutesWithoutSync(t *testing.T) {
	h := start(t, localapi.Options{})
	ctx := context.Background()
	_, err1 := h.client.LoginStart(ctx, api.LoginStartRequest{})
	_, err2 := h.client.LoginStatus(ctx)
	_, err3 := h.client.Logout(ctx)
	for i, err := range []error{err1, err2, err3} {
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != api.CodeUnavailable {
			t.Errorf("route %d without sign-in: %v, want unavailable", i, err)
		}
	}
}
