package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// TrayMenu is what the tray shows; computed from the daemon's state by
// trayMenuFor so that it can be tested without a tray.
type TrayMenu struct {
	Today      string // "Today: 1h 05m"
	Active     string // "Tracking acme/api#7 (0:12:03)" or "Not tracking"
	Toggle     string // "Stop tracking", "Resume acme/api#7" or "Start tracking…"
	Goal       string // "Goal: 42.0% of 4h 00m today · 31.0% of 20h 00m this week"; "" without goals
	Tooltip    string
	Tracking   bool
	ResumePR   *api.Session // the pull request Toggle resumes, when not tracking
	DaemonDown bool
}

// trayMenuFor builds the tray's text from a status, today's stats, the
// most recent session (for "Resume") and the goals (nil: none), at now.
func trayMenuFor(st *api.Status, stats *api.Stats, last *api.Session, goals *api.Settings, now time.Time, loc *time.Location) TrayMenu {
	if st == nil || stats == nil {
		return TrayMenu{
			Today:      "worktime is not running",
			Active:     "Not tracking",
			Toggle:     "Start worktime",
			Tooltip:    "worktime: not running",
			DaemonDown: true,
		}
	}
	total := stats.TodaySeconds
	week := stats.WeekSeconds
	m := TrayMenu{}
	if a := st.Active; a != nil {
		total += activeSecondsToday(a, now, loc)
		if ws, err := time.ParseInLocation("2006-01-02", stats.WeekStart, loc); err == nil {
			week += activeSecondsSince(a, now, ws)
		}
		m.Tracking = true
		m.Active = fmt.Sprintf("Tracking %s (%s)", prLabel(a), formatClock(int64(now.Sub(a.StartTime)/time.Second)))
		m.Toggle = "Stop tracking"
	} else {
		m.Active = "Not tracking"
		if last != nil {
			m.Toggle = "Resume " + prLabel(last)
			m.ResumePR = last
		} else {
			m.Toggle = "Start tracking…"
		}
	}
	m.Today = "Today: " + formatDuration(total)
	m.Goal = goalText(goals, total, week)
	m.Tooltip = "worktime: " + formatDuration(total) + " today"
	if m.Tracking {
		m.Tooltip += ", tracking " + prLabel(st.Active)
	}
	return m
}

// goalText is the progress towards the goals set (one decimal, as every
// share the dashboard shows), "" when none is set.
func goalText(goals *api.Settings, today, week int64) string {
	if goals == nil {
		return ""
	}
	var parts []string
	if g := goals.DailyGoalSeconds; g > 0 {
		parts = append(parts, fmt.Sprintf("%s of %s today", formatShare(today, g), formatDuration(g)))
	}
	if g := goals.WeeklyGoalSeconds; g > 0 {
		parts = append(parts, fmt.Sprintf("%s of %s this week", formatShare(week, g), formatDuration(g)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Goal: " + strings.Join(parts, " · ")
}

// formatShare is part of whole with one decimal: "42.0%".
func formatShare(part, whole int64) string {
	if whole <= 0 {
		return "0.0%"
	}
	return fmt.Sprintf("%.1f%%", float64(part)*100/float64(whole))
}

// activeSecondsSince is the part of the running session after from.
func activeSecondsSince(a *api.Session, now, from time.Time) int64 {
	if a.StartTime.After(from) {
		from = a.StartTime
	}
	if now.Before(from) {
		return 0
	}
	return int64(now.Sub(from) / time.Second)
}

// activeSecondsToday is the part of the running session that falls on
// now's calendar day in loc.
func activeSecondsToday(a *api.Session, now time.Time, loc *time.Location) int64 {
	n := now.In(loc)
	midnight := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	from := a.StartTime
	if from.Before(midnight) {
		from = midnight
	}
	if now.Before(from) {
		return 0
	}
	return int64(now.Sub(from) / time.Second)
}

func prLabel(s *api.Session) string {
	return fmt.Sprintf("%s/%s#%d", s.RepoOwner, s.RepoName, s.PRNumber)
}

// formatDuration matches the frontend's: "2h 05m", "14m", "45s", "0m".
func formatDuration(sec int64) string {
	if sec < 0 {
		sec = 0
	}
	h, m := sec/3600, (sec%3600)/60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	case sec > 0:
		return fmt.Sprintf("%ds", sec)
	}
	return "0m"
}

// formatClock is "1:02:03".
func formatClock(sec int64) string {
	if sec < 0 {
		sec = 0
	}
	return fmt.Sprintf("%d:%02d:%02d", sec/3600, (sec%3600)/60, sec%60)
}
