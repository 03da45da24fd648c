package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
)

// fixture is a daemon holding known sessions, with the numbers they must
// add up to.
type fixture struct {
	d          *testDaemon
	dash       *Dashboard
	ui         *recordingUI
	today      time.Time // UTC midnight
	todaySecs  int64
	sessions   []api.Session // as seeded, oldest first
	repoSecs7  map[string]int64
	repoSecs90 map[string]int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := startDaemon(t)
	now := time.Now().UTC().Truncate(time.Second)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// Today's session lies between midnight and now, whatever the hour.
	since := now.Sub(today)
	tStart := today.Add(since / 4).Truncate(time.Second)
	tEnd := today.Add(since / 2).Truncate(time.Second)
	y := today.AddDate(0, 0, -1)
	f := &fixture{d: d, today: today, todaySecs: int64(tEnd.Sub(tStart) / time.Second)}
	f.sessions = []api.Session{
		d.seed(t, "acme/web", 3, today.AddDate(0, 0, -40).Add(9*time.Hour), today.AddDate(0, 0, -40).Add(11*time.Hour)), // 7200, outside 7 days
		d.seed(t, "acme/web", 7, today.AddDate(0, 0, -3).Add(23*time.Hour), today.AddDate(0, 0, -2).Add(time.Hour)),     // 3600 + 3600 across midnight
		d.seed(t, "acme/web", 7, today.AddDate(0, 0, -2).Add(9*time.Hour), today.AddDate(0, 0, -2).Add(9*time.Hour+30*time.Minute)),
		d.seed(t, "acme/api", 1, y.Add(10*time.Hour), y.Add(11*time.Hour)),
		d.seed(t, "acme/api", 1, tStart, tEnd),
	}
	f.repoSecs7 = map[string]int64{"acme/web": 7200 + 1800, "acme/api": 3600 + f.todaySecs}
	f.repoSecs90 = map[string]int64{"acme/web": 7200 + 7200 + 1800, "acme/api": 3600 + f.todaySecs}
	f.ui = newRecordingUI("")
	f.dash = NewDashboard(t.Context(), Options{Daemon: d.client, UI: f.ui})
	return f
}

func TestStatsAgainstDaemon(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		days  int
		repo  string
		repos map[string]int64
		today int64
	}{
		{"7 days", 7, "", f.repoSecs7, f.todaySecs},
		{"90 days", 90, "", f.repoSecs90, f.todaySecs},
		{"one repository", 7, "acme/web", map[string]int64{"acme/web": f.repoSecs7["acme/web"]}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := f.dash.Stats(tc.days, tc.repo)
			if err != nil {
				t.Fatal(err)
			}
			if st.TodaySeconds != tc.today {
				t.Errorf("today_seconds = %d, want %d", st.TodaySeconds, tc.today)
			}
			got := map[string]int64{}
			for _, r := range st.Repos {
				got[r.Repo] = r.Seconds
			}
			if len(got) != len(tc.repos) {
				t.Errorf("repos = %v, want %v", got, tc.repos)
			}
			for repo, want := range tc.repos {
				if got[repo] != want {
					t.Errorf("repo %s = %d s, want %d", repo, got[repo], want)
				}
			}
			var sum int64
			for _, d := range st.Days {
				sum += d.Seconds
			}
			var repoSum int64
			for _, s := range tc.repos {
				repoSum += s
			}
			if sum != repoSum {
				t.Errorf("days add up to %d s, repositories to %d s", sum, repoSum)
			}
		})
	}

	st, err := f.dash.Stats(7, "")
	if err != nil {
		t.Fatal(err)
	}
	byDate := map[string]int64{}
	for _, d := range st.Days {
		byDate[d.Date] = d.Seconds
	}
	day := func(n int) string { return f.today.AddDate(0, 0, n).Format(time.DateOnly) }
	wantDays := map[string]int64{day(-3): 3600, day(-2): 3600 + 1800, day(-1): 3600, day(0): f.todaySecs}
	for date, want := range wantDays {
		if byDate[date] != want {
			t.Errorf("day %s = %d s, want %d (days %v)", date, byDate[date], want, st.Days)
		}
	}
	var pr7 int64
	for _, p := range st.PRs {
		if p.Repo == "acme/web" && p.PRNumber == 7 {
			pr7 = p.Seconds
		}
	}
	if pr7 != 9000 {
		t.Errorf("acme/web#7 = %d s, want 9000", pr7)
	}
}

func TestStatsWindow(t *testing.T) {
	f := newFixture(t)
	day := func(n int) string { return f.today.AddDate(0, 0, n).Format(time.DateOnly) }
	// Three days ago to two days ago: acme/web's 3600 + 3600 across the
	// midnight and its 1800 two days ago; nothing of acme/api.
	st, err := f.dash.StatsWindow(day(-3), day(-2), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Days) != 2 || st.Days[0].Date != day(-3) || st.Days[1].Date != day(-2) {
		t.Fatalf("days %+v, want %s and %s", st.Days, day(-3), day(-2))
	}
	if st.Days[0].Seconds != 3600 || st.Days[1].Seconds != 3600+1800 || len(st.Repos) != 1 || st.Repos[0].Repo != "acme/web" {
		t.Errorf("stats %+v", st)
	}
	if st.TodaySeconds != f.todaySecs {
		t.Errorf("today %d s, want %d whatever the window", st.TodaySeconds, f.todaySecs)
	}
	for _, tc := range [][3]string{
		{"", day(0), ""},
		{day(0), "tomorrow", ""},
		{day(0), day(-1), ""},
		{day(-400), day(0), ""},
		{day(-1), day(0), "acme"},
	} {
		if _, err := f.dash.StatsWindow(tc[0], tc[1], tc[2]); !errors.Is(err, ErrBadInput) {
			t.Errorf("StatsWindow%q = %v, want ErrBadInput", tc, err)
		}
	}
	// After today: the daemon refuses it.
	if _, err := f.dash.StatsWindow(day(0), day(1), ""); ToBindingError(err).Code != api.CodeBadRequest {
		t.Errorf("StatsWindow ending tomorrow = %v, want bad_request", err)
	}
}

func TestStatsRejectsBadInput(t *testing.T) {
	dash := NewDashboard(t.Context(), Options{Daemon: localclient.New(filepath.Join(t.TempDir(), "none.sock"))})
	tests := []struct {
		days int
		repo string
	}{{0, ""}, {-1, ""}, {367, ""}, {7, "acme"}, {7, "acme/api/x"}, {7, "acme/ api"}}
	for _, tc := range tests {
		_, err := dash.Stats(tc.days, tc.repo)
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("Stats(%d, %q) error = %v, want ErrBadInput", tc.days, tc.repo, err)
		}
		if be := ToBindingError(err); be.Code != api.CodeBadRequest {
			t.Errorf("Stats(%d, %q) code = %q, want %q", tc.days, tc.repo, be.Code, api.CodeBadRequest)
		}
	}
}

func TestSessionsFilters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		filter SessionFilter
		want   []string // ids, newest first
		total  int64    // sessions the filter matches, whatever the page
	}{
		{"all", SessionFilter{}, ids(f.sessions, 4, 3, 2, 1, 0), 5},
		{"repository", SessionFilter{Repo: "acme/web"}, ids(f.sessions, 2, 1, 0), 3},
		{"limit", SessionFilter{Limit: 2}, ids(f.sessions, 4, 3), 5},
		{"second page", SessionFilter{Limit: 2, Offset: 2}, ids(f.sessions, 2, 1), 5},
		{"last page", SessionFilter{Limit: 2, Offset: 4}, ids(f.sessions, 0), 5},
		{"pull request", SessionFilter{Repo: "acme/web", PR: 7, Limit: 1}, ids(f.sessions, 2), 2},
		{"since", SessionFilter{Since: f.today.AddDate(0, 0, -1).Format(time.DateOnly)}, ids(f.sessions, 4, 3), 2},
		{"status active", SessionFilter{Status: api.StatusActive}, nil, 0},
		{"status completed", SessionFilter{Status: api.StatusCompleted, Repo: "acme/api"}, ids(f.sessions, 4, 3), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counted := tc.filter
			counted.Count = true
			got, err := f.dash.Sessions(counted)
			if err != nil {
				t.Fatal(err)
			}
			if got.Sessions == nil {
				t.Fatal("Sessions returned nil; the frontend needs an empty list")
			}
			if got.Total != tc.total {
				t.Errorf("total = %d, want %d", got.Total, tc.total)
			}
			var gotIDs []string
			for _, s := range got.Sessions {
				gotIDs = append(gotIDs, s.ID)
			}
			if strings.Join(gotIDs, ",") != strings.Join(tc.want, ",") {
				t.Errorf("ids = %v, want %v", gotIDs, tc.want)
			}
		})
	}

	bad := []SessionFilter{
		{Repo: "nope"},
		{Status: "running"},
		{Since: "2026-02-30"},
		{Since: "last week"},
		{Limit: -1},
		{Limit: 10001},
		{Offset: -1},
		{PR: 7},
		{Repo: "acme/web", PR: -1},
	}
	for _, f2 := range bad {
		if _, err := f.dash.Sessions(f2); !errors.Is(err, ErrBadInput) {
			t.Errorf("Sessions(%+v) error = %v, want ErrBadInput", f2, err)
		}
	}
}

func TestSessionsCountOnlyWhenAsked(t *testing.T) {
	f := newFixture(t)
	got, err := f.dash.Sessions(SessionFilter{Limit: 2})
	if err != nil || len(got.Sessions) != 2 || got.Total != 0 {
		t.Fatalf("Sessions without Count = %d sessions, total %d, %v; want 2 and no total", len(got.Sessions), got.Total, err)
	}
}

func TestReposListsEveryRepository(t *testing.T) {
	f := newFixture(t)
	// acme/web's oldest session is 40 days old: outside History's 7 and 30
	// days, still in the sessions filter.
	got, err := f.dash.Repos()
	if err != nil || strings.Join(got, ",") != "acme/api,acme/web" {
		t.Fatalf("Repos = %v, %v; want acme/api, acme/web", got, err)
	}
}

func ids(list []api.Session, idx ...int) []string {
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, list[i].ID)
	}
	return out
}

func TestStartStopTracking(t *testing.T) {
	d := startDaemon(t)
	ui := newRecordingUI("")
	dash := NewDashboard(t.Context(), Options{Daemon: d.client, UI: ui})
	changes := make(chan struct{}, 8)
	dash.onChange(func() { changes <- struct{}{} })

	s, err := dash.StartTracking("acme", "api", 42)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != api.StatusActive || s.RepoOwner != "acme" || s.RepoName != "api" || s.PRNumber != 42 {
		t.Fatalf("started %+v", s)
	}
	expectChange(t, changes, ui)
	st, err := dash.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Active == nil || st.Active.ID != s.ID {
		t.Fatalf("status active = %+v, want %s", st.Active, s.ID)
	}

	ended, err := dash.StopTracking()
	if err != nil {
		t.Fatal(err)
	}
	if ended.ID != s.ID || ended.Status != api.StatusCompleted || ended.EndTime == nil {
		t.Fatalf("stopped %+v", ended)
	}
	expectChange(t, changes, ui)

	_, err = dash.StopTracking()
	if !errors.Is(err, ErrNotTracking) {
		t.Fatalf("second stop: %v, want ErrNotTracking", err)
	}
	if be := ToBindingError(err); be.Code != api.CodeNotFound {
		t.Errorf("second stop code = %q", be.Code)
	}

	for _, tc := range []struct {
		owner, name string
		pr          int
	}{{"", "api", 1}, {"acme", "", 1}, {"ac me", "api", 1}, {"acme", "api", 0}, {"acme", "api", -3}} {
		if _, err := dash.StartTracking(tc.owner, tc.name, tc.pr); !errors.Is(err, ErrBadInput) {
			t.Errorf("StartTracking(%q, %q, %d) = %v, want ErrBadInput", tc.owner, tc.name, tc.pr, err)
		}
	}
}

func expectChange(t *testing.T, changes chan struct{}, ui *recordingUI) {
	t.Helper()
	select {
	case <-changes:
	default:
		t.Fatal("no change notified")
	}
	select {
	case e := <-ui.events:
		if e != ChangedEvent {
			t.Fatalf("event %q, want %q", e, ChangedEvent)
		}
	default:
		t.Fatal("no event emitted to the frontend")
	}
}

func TestExport(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			want := new(bytes.Buffer)
			if err := f.d.client.Export(context.Background(), localclient.ExportQuery{Format: format}, want); err != nil {
				t.Fatal(err)
			}
			for _, s := range f.sessions {
				if !strings.Contains(want.String(), s.ID) {
					t.Fatalf("daemon's %s export lacks session %s", format, s.ID)
				}
			}

			// Through the save dialog.
			path := filepath.Join(dir, "picked."+format)
			f.ui.savePath = path
			res, err := f.dash.Export(format, "", "", "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if res.Path != path || res.Bytes != int64(len(got)) || !bytes.Equal(got, want.Bytes()) {
				t.Errorf("export = %+v, %d bytes; want %s with the daemon's %d bytes", res, len(got), path, want.Len())
			}

			// Into a fixed folder, without a dialog.
			fixed := NewDashboard(t.Context(), Options{Daemon: f.d.client, ExportDir: dir})
			res, err = fixed.Export(format, f.today.AddDate(0, 0, -1).Format(time.DateOnly), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(res.Path) != dir || !strings.HasSuffix(res.Path, "."+format) {
				t.Errorf("export path %q, want a .%s file in %s", res.Path, format, dir)
			}
			got, err = os.ReadFile(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), f.sessions[4].ID) || strings.Contains(string(got), f.sessions[0].ID) {
				t.Errorf("export since yesterday has the wrong sessions:\n%s", got)
			}
		})
	}

	// History's drill-down: only the repository drilled into.
	path := filepath.Join(dir, "web.csv")
	f.ui.savePath = path
	if _, err := f.dash.Export("csv", "", "", "acme/web"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range f.sessions {
		if in, web := strings.Contains(string(got), s.ID), s.RepoName == "web"; in != web {
			t.Errorf("export of acme/web: session %d (%s/%s) present = %v", i, s.RepoOwner, s.RepoName, in)
		}
	}

	// A cancelled dialog writes nothing.
	f.ui.savePath = ""
	res, err := f.dash.Export("csv", "", "", "")
	if err != nil || res.Path != "" {
		t.Errorf("cancelled export = %+v, %v", res, err)
	}
	for _, tc := range [][4]string{{"xml", "", "", ""}, {"csv", "soon", "", ""}, {"csv", "", "2026-13-01", ""}, {"csv", "", "", "acme"}} {
		if _, err := f.dash.Export(tc[0], tc[1], tc[2], tc[3]); !errors.Is(err, ErrBadInput) {
			t.Errorf("Export%v = %v, want ErrBadInput", tc, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".worktime-export-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	d := startDaemon(t)
	dash := NewDashboard(t.Context(), Options{Daemon: d.client})
	before, err := dash.Settings()
	if err != nil {
		t.Fatal(err)
	}
	want := api.Settings{
		ServerURL:           "https://wt.example.com",
		TimeZone:            "Europe/Berlin",
		IdleTimeoutSeconds:  600,
		AllowedExtensionIDs: []string{"abcdefghijklmnopabcdefghijklmnop"},
		StartAtLogin:        before.StartAtLogin,
	}
	in := want
	in.ServerURL += "/"
	if _, err := dash.SaveSettings(in); err != nil {
		t.Fatal(err)
	}
	got, err := dash.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if got.ServerURL != want.ServerURL || got.TimeZone != want.TimeZone || got.IdleTimeoutSeconds != want.IdleTimeoutSeconds ||
		strings.Join(got.AllowedExtensionIDs, ",") != strings.Join(want.AllowedExtensionIDs, ",") {
		t.Errorf("settings = %+v, want %+v", got, want)
	}

	bad := []func(*api.Settings){
		func(s *api.Settings) { s.ServerURL = "ftp://x" },
		func(s *api.Settings) { s.TimeZone = "Mars/Olympus" },
		func(s *api.Settings) { s.IdleTimeoutSeconds = 5 },
		func(s *api.Settings) { s.AllowedExtensionIDs = []string{"xyz"} },
	}
	for i, mod := range bad {
		s := want
		mod(&s)
		_, err := dash.SaveSettings(s)
		if be := ToBindingError(err); be == nil || be.Code != api.CodeBadRequest {
			t.Errorf("bad settings %d: %v, want the daemon's bad_request", i, err)
		}
	}
	after, err := dash.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if after.TimeZone != want.TimeZone || after.IdleTimeoutSeconds != want.IdleTimeoutSeconds {
		t.Errorf("rejected settings changed the daemon: %+v", after)
	}
}

func TestDaemonDown(t *testing.T) {
	home := shortHome(t)
	c := localclient.New(filepath.Join(home, "worktimed.sock"))
	dash := NewDashboard(t.Context(), Options{Daemon: c})
	calls := map[string]func() error{
		"Status":       func() error { _, err := dash.Status(); return err },
		"Stats":        func() error { _, err := dash.Stats(7, ""); return err },
		"Sessions":     func() error { _, err := dash.Sessions(SessionFilter{}); return err },
		"StopTracking": func() error { _, err := dash.StopTracking(); return err },
		"Settings":     func() error { _, err := dash.Settings(); return err },
	}
	for name, call := range calls {
		err := call()
		if !localclient.IsUnavailable(err) {
			t.Errorf("%s: %v, want an unavailable error", name, err)
		}
		if be := ToBindingError(err); be.Code != CodeDaemonUnavailable {
			t.Errorf("%s: code %q, want %q", name, be.Code, CodeDaemonUnavailable)
		}
	}
	if _, err := dash.StartDaemon(); err == nil || !strings.Contains(err.Error(), "no launcher") {
		t.Errorf("StartDaemon without a launcher: %v", err)
	}
}

func TestStartDaemonLaunchesWorktimed(t *testing.T) {
	home := shortHome(t)
	c := localclient.New(filepath.Join(home, "worktimed.sock"))
	var spawned []*os.Process
	l := &Launcher{Executable: worktimedBin, Home: home, Spawned: func(p *os.Process) { spawned = append(spawned, p) }}
	t.Cleanup(func() {
		for _, p := range spawned {
			p.Signal(os.Interrupt)
			p.Wait()
		}
	})
	ui := newRecordingUI("")
	dash := NewDashboard(t.Context(), Options{Daemon: c, Launcher: l, UI: ui})
	st, err := dash.StartDaemon()
	if err != nil {
		t.Fatal(err)
	}
	if st.DeviceID == "" || len(spawned) != 1 {
		t.Fatalf("status %+v after spawning %d processes", st, len(spawned))
	}
	// Now running: a second call starts nothing.
	if _, err := dash.StartDaemon(); err != nil || len(spawned) != 1 {
		t.Fatalf("second StartDaemon: %v, %d processes", err, len(spawned))
	}
	if _, err := dash.Stats(7, ""); err != nil {
		t.Fatalf("stats from the launched daemon: %v", err)
	}

	missing := &Launcher{Executable: filepath.Join(home, "no-such-worktimed"), Home: shortHome(t)}
	dash2 := NewDashboard(t.Context(), Options{Daemon: localclient.New(filepath.Join(missing.Home, "worktimed.sock")), Launcher: missing})
	if _, err := dash2.StartDaemon(); err == nil {
		t.Error("StartDaemon with a missing binary succeeded")
	}
}

func TestFormatError(t *testing.T) {
	tests := []struct {
		err  error
		code string
	}{
		{&localclient.UnavailableError{Socket: "s", Err: os.ErrNotExist}, CodeDaemonUnavailable},
		{badInput("x"), api.CodeBadRequest},
		{ErrNotTracking, api.CodeNotFound},
		{&api.Error{Code: api.CodeConflict, Message: "m"}, api.CodeConflict},
		{errors.New("boom"), api.CodeInternal},
		{&BindingError{Code: "custom", Message: "m"}, "custom"},
	}
	for _, tc := range tests {
		wrapped := errors.Join(errors.New("ctx"), tc.err)
		got, ok := FormatError(wrapped).(*BindingError)
		if !ok || got.Code != tc.code || got.Message == "" {
			t.Errorf("FormatError(%v) = %+v, want code %q", tc.err, got, tc.code)
		}
	}
	if ToBindingError(nil) != nil {
		t.Error("ToBindingError(nil) != nil")
	}
}

func TestStartAtLoginFollowsTheSetting(t *testing.T) {
	d := startDaemon(t)
	var calls []bool
	fail := false
	dash := NewDashboard(t.Context(), Options{Daemon: d.client, StartAtLogin: func(_ context.Context, on bool) error {
		if fail {
			return errors.New("systemctl: no user session")
		}
		calls = append(calls, on)
		return nil
	}})
	s, err := dash.Settings()
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		on      bool
		fail    bool
		calls   string
		wantErr bool
	}{
		{on: true, calls: "[true]"},
		{on: true, calls: "[true]"}, // unchanged: nothing to install
		{on: false, fail: true, calls: "[true]", wantErr: true},
		{on: false, calls: "[true false]"},
	}
	for i, st := range steps {
		fail = st.fail
		s.StartAtLogin = st.on
		_, err := dash.SaveSettings(s)
		if (err != nil) != st.wantErr {
			t.Fatalf("step %d: err = %v, want error %v", i, err, st.wantErr)
		}
		if got := fmt.Sprint(calls); got != st.calls {
			t.Fatalf("step %d: calls %s, want %s", i, got, st.calls)
		}
		cur, err := dash.Settings()
		if err != nil {
			t.Fatal(err)
		}
		want := st.on
		if st.wantErr {
			want = !st.on
		}
		if cur.StartAtLogin != want {
			t.Fatalf("step %d: start_at_login = %v, want %v", i, cur.StartAtLogin, want)
		}
	}
}

func TestSignInRoutes(t *testing.T) {
	d := startDaemon(t)
	dash := NewDashboard(t.Context(), Options{Daemon: d.client})
	st, err := dash.LoginStatus()
	if err != nil {
		t.Fatal(err)
	}
	if st.State != "idle" || st.UserCode != "" {
		t.Errorf("login status of a fresh daemon = %+v, want idle", st)
	}
	// No server is configured: the daemon refuses, and the dashboard says
	// why instead of showing the "not running" screen.
	_, err = dash.LoginStart()
	if err == nil {
		t.Fatal("LoginStart without a server succeeded")
	}
	if be := ToBindingError(err); be.Code == CodeDaemonUnavailable || be.Code == "" || be.Message == "" {
		t.Errorf("LoginStart error = %+v, want a daemon error with a message", be)
	}
	out, err := dash.Logout()
	if err != nil || out.State != "signed_out" {
		t.Errorf("Logout = %+v, %v", out, err)
	}
}
