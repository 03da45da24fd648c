package dbtest

import (
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
)

func TestOverlap(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(sec int) *time.Time { v := t0.Add(time.Duration(sec) * time.Second); return &v }
	s := func(id, device string, start int, end *time.Time) localdb.Session {
		return localdb.Session{Session: api.Session{ID: id, DeviceID: device, StartTime: *at(start), EndTime: end}}
	}
	for _, tc := range []struct {
		name     string
		sessions []localdb.Session
		want     bool
	}{
		{"back to back", []localdb.Session{s("a", "d", 0, at(10)), s("b", "d", 10, at(20))}, false},
		{"one second shared", []localdb.Session{s("a", "d", 0, at(11)), s("b", "d", 10, at(20))}, true},
		{"zero-length at the next start", []localdb.Session{s("b", "d", 10, at(20)), s("a", "d", 10, at(10))}, false},
		{"active before another", []localdb.Session{s("a", "d", 0, nil), s("b", "d", 10, at(20))}, true},
		{"other devices", []localdb.Session{s("a", "d1", 0, at(20)), s("b", "d2", 10, at(20))}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, got := Overlap(tc.sessions); got != tc.want {
				t.Fatalf("Overlap = %v, want %v", got, tc.want)
			}
		})
	}
}
