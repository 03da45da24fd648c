package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
)

func TestTrayMenuFor(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	active := &api.Session{ID: "a", RepoOwner: "acme", RepoName: "api", PRNumber: 7, StartTime: now.Add(-90 * time.Minute), Status: api.StatusActive}
	overnight := &api.Session{ID: "b", RepoOwner: "acme", RepoName: "web", PRNumber: 3, StartTime: now.Add(-11 * time.Hour), Status: api.StatusActive}
	last := &api.Session{ID: "c", RepoOwner: "zed", RepoName: "x", PRNumber: 12, Status: api.StatusCompleted}
	tests := []struct {
		name   string
		st     *api.Status
		stats  *api.Stats
		last   *api.Session
		goals  *api.Settings
		loc    *time.Location
		want   TrayMenu
		resume bool
	}{
		{
			name: "daemon down",
			want: TrayMenu{Today: "worktime is not running", Active: "Not tracking", Toggle: "Start worktime", Tooltip: "worktime: not running", DaemonDown: true},
			loc:  time.UTC,
		},
		{
			name:  "tracking",
			st:    &api.Status{Active: active},
			stats: &api.Stats{TodaySeconds: 600},
			loc:   time.UTC,
			want:  TrayMenu{Today: "Today: 1h 40m", Active: "Tracking acme/api#7 (1:30:00)", Toggle: "Stop tracking", Tooltip: "worktime: 1h 40m today, tracking acme/api#7", Tracking: true},
		},
		{
			name:  "tracking since yesterday counts from midnight",
			st:    &api.Status{Active: overnight},
			stats: &api.Stats{},
			loc:   time.UTC,
			want:  TrayMenu{Today: "Today: 10h 00m", Active: "Tracking acme/web#3 (11:00:00)", Toggle: "Stop tracking", Tooltip: "worktime: 10h 00m today, tracking acme/web#3", Tracking: true},
		},
		{
			name:  "midnight in the configured zone",
			st:    &api.Status{Active: overnight},
			stats: &api.Stats{},
			loc:   berlin, // midnight was 23:00 UTC
			want:  TrayMenu{Today: "Today: 11h 00m", Active: "Tracking acme/web#3 (11:00:00)", Toggle: "Stop tracking", Tooltip: "worktime: 11h 00m today, tracking acme/web#3", Tracking: true},
		},
		{
			name:   "idle with a previous pull request",
			st:     &api.Status{},
			stats:  &api.Stats{TodaySeconds: 45},
			last:   last,
			loc:    time.UTC,
			want:   TrayMenu{Today: "Today: 45s", Active: "Not tracking", Toggle: "Resume zed/x#12", Tooltip: "worktime: 45s today"},
			resume: true,
		},
		{
			name:  "nothing ever tracked",
			st:    &api.Status{},
			stats: &api.Stats{},
			loc:   time.UTC,
			want:  TrayMenu{Today: "Today: 0m", Active: "Not tracking", Toggle: "Start tracking…", Tooltip: "worktime: 0m today"},
		},
		{
			name:  "goals set, tracking: the running session counts towards both",
			st:    &api.Status{Active: active}, // 90 min, all of it today and this week
			stats: &api.Stats{TodaySeconds: 600, WeekSeconds: 4 * 3600, WeekStart: "2026-11-23"},
			goals: &api.Settings{DailyGoalSeconds: 4 * 3600, WeeklyGoalSeconds: 20 * 3600},
			loc:   time.UTC,
			want: TrayMenu{Today: "Today: 1h 40m", Active: "Tracking acme/api#7 (1:30:00)", Toggle: "Stop tracking", Tracking: true,
				Goal:    "Goal: 41.7% of 4h 00m today · 27.5% of 20h 00m this week",
				Tooltip: "worktime: 1h 40m today, tracking acme/api#7"},
		},
		{
			name:  "weekly goal only",
			st:    &api.Status{},
			stats: &api.Stats{TodaySeconds: 45, WeekSeconds: 10 * 3600, WeekStart: "2026-11-23"},
			goals: &api.Settings{WeeklyGoalSeconds: 8 * 3600},
			loc:   time.UTC,
			want:  TrayMenu{Today: "Today: 45s", Active: "Not tracking", Toggle: "Start tracking…", Tooltip: "worktime: 45s today", Goal: "Goal: 125.0% of 8h 00m this week"},
		},
		{
			name:  "no goal set",
			st:    &api.Status{},
			stats: &api.Stats{TodaySeconds: 45},
			goals: &api.Settings{},
			loc:   time.UTC,
			want:  TrayMenu{Today: "Today: 45s", Active: "Not tracking", Toggle: "Start tracking…", Tooltip: "worktime: 45s today"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := trayMenuFor(tc.st, tc.stats, tc.last, tc.goals, now, tc.loc)
			if (got.ResumePR != nil) != tc.resume {
				t.Errorf("ResumePR = %v, want set: %v", got.ResumePR, tc.resume)
			}
			got.ResumePR = nil
			if got != tc.want {
				t.Errorf("menu =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestTrayLoadsFromDaemon(t *testing.T) {
	f := newFixture(t)
	tray := NewTray(f.dash, nil, nil)
	m := tray.load(t.Context())
	if m.DaemonDown || m.Tracking {
		t.Fatalf("menu %+v", m)
	}
	if want := "Today: " + formatDuration(f.todaySecs); m.Today != want {
		t.Errorf("today = %q, want %q", m.Today, want)
	}
	if m.ResumePR == nil || m.ResumePR.ID != f.sessions[4].ID || m.Toggle != "Resume acme/api#1" {
		t.Errorf("toggle %q resumes %+v, want the newest session %s", m.Toggle, m.ResumePR, f.sessions[4].ID)
	}

	// The tray's toggle resumes, then stops, through the dashboard.
	tray.menu = m
	tray.toggle()
	m = tray.load(t.Context())
	if !m.Tracking || m.Toggle != "Stop tracking" {
		t.Fatalf("after resume: %+v", m)
	}
	tray.menu = m
	tray.toggle()
	if m = tray.load(t.Context()); m.Tracking {
		t.Fatalf("after stop: %+v", m)
	}

	down := NewTray(NewDashboard(t.Context(), Options{Daemon: localclient.New(filepath.Join(shortHome(t), "worktimed.sock"))}), nil, nil)
	if m := down.load(t.Context()); !m.DaemonDown {
		t.Errorf("menu with no daemon: %+v", m)
	}
}

func TestFormatDurationMatchesFrontend(t *testing.T) {
	// The same table as frontend/src/format.test.ts.
	tests := map[int64]string{0: "0m", -5: "0m", 45: "45s", 60: "1m", 899: "14m", 3600: "1h 00m", 7500: "2h 05m", 90061: "25h 01m"}
	for in, want := range tests {
		if got := formatDuration(in); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", in, got, want)
		}
	}
	if got := formatClock(3723); got != "1:02:03" {
		t.Errorf("formatClock = %q", got)
	}
}

func TestTrayToggleStartsTheDaemon(t *testing.T) {
	home := shortHome(t)
	var spawned []*os.Process
	t.Cleanup(func() {
		for _, p := range spawned {
			p.Signal(os.Interrupt)
			p.Wait()
		}
	})
	l := &Launcher{Executable: worktimedBin, Home: home, Spawned: func(p *os.Process) { spawned = append(spawned, p) }}
	tray := NewTray(NewDashboard(t.Context(), Options{Daemon: localclient.New(filepath.Join(home, "worktimed.sock")), Launcher: l}), nil, nil)
	m := tray.load(t.Context())
	if !m.DaemonDown || m.Toggle != "Start worktime" {
		t.Fatalf("menu with no daemon: %+v", m)
	}
	tray.menu = m
	tray.toggle()
	if len(spawned) != 1 {
		t.Fatalf("toggle spawned %d daemons, want 1", len(spawned))
	}
	if m := tray.load(t.Context()); m.DaemonDown || m.Today != "Today: 0m" {
		t.Fatalf("menu after starting: %+v", m)
	}
}
