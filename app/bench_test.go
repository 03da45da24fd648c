package app

import (
	"testing"
	"time"
)

// BenchmarkDashboardStats is one dashboard refresh's heaviest call: 90 days
// of stats from a real daemon holding a year of sessions, through the local
// API client and the bound service.
func BenchmarkDashboardStats(b *testing.B) {
	d := startDaemon(b)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for i := range 365 {
		start := day.AddDate(0, 0, -i-1).Add(9 * time.Hour)
		d.seed(b, []string{"acme/api", "acme/web", "tools/cli"}[i%3], 1+i%17, start, start.Add(time.Duration(20+i%90)*time.Minute))
	}
	dash := NewDashboard(b.Context(), Options{Daemon: d.client})
	b.ResetTimer()
	for b.Loop() {
		if _, err := dash.Stats(90, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrayRefresh is the tray's periodic refresh: status, today's
// stats, settings and the last session.
func BenchmarkTrayRefresh(b *testing.B) {
	d := startDaemon(b)
	now := time.Now().UTC().Truncate(time.Second)
	d.seed(b, "acme/api", 1, now.Add(-2*time.Hour), now.Add(-time.Hour))
	tray := NewTray(NewDashboard(b.Context(), Options{Daemon: d.client}), nil, nil)
	b.ResetTimer()
	for b.Loop() {
		if m := tray.load(b.Context()); m.DaemonDown {
			b.Fatal("daemon down")
		}
	}
}
