package sync_test

import (
	"testing"
	"time"

	"github.com/worktime/worktime/internal/sync"
)

// TestBackoffDelayDefaultsEachField checks that a Backoff setting only one
// of Base and Max takes the other's default, so exponential backoff stays
// on (WORKTIME_SYNC_BACKOFF_BASE alone used to make every delay Base).
func TestBackoffDelayDefaultsEachField(t *testing.T) {
	half := func() float64 { return 0 } // the delay is exactly half of d
	tests := []struct {
		name string
		b    sync.Backoff
		n    int
		want time.Duration
	}{
		{"zero value: defaults", sync.Backoff{}, 1, sync.DefaultBackoffBase / 2},
		{"zero value grows", sync.Backoff{}, 3, 4 * sync.DefaultBackoffBase / 2},
		{"zero value capped", sync.Backoff{}, 30, sync.DefaultBackoffMax / 2},
		{"base only grows", sync.Backoff{Base: 50 * time.Millisecond}, 3, 100 * time.Millisecond},
		{"base only capped at the default max", sync.Backoff{Base: time.Minute}, 10, sync.DefaultBackoffMax / 2},
		{"max only starts at the default base", sync.Backoff{Max: time.Hour}, 1, sync.DefaultBackoffBase / 2},
		{"max only grows", sync.Backoff{Max: time.Hour}, 4, 8 * sync.DefaultBackoffBase / 2},
		{"max only below the default base", sync.Backoff{Max: time.Second}, 5, sync.DefaultBackoffBase / 2},
		{"both", sync.Backoff{Base: time.Second, Max: 4 * time.Second}, 5, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.b.Rand = half
			if got := tt.b.Delay(tt.n, 0); got != tt.want {
				t.Errorf("%+v.Delay(%d) = %v, want %v", tt.b, tt.n, got, tt.want)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	b := sync.DefaultBackoff()
	if b.Base != sync.DefaultBackoffBase || b.Max != sync.DefaultBackoffMax {
		t.Errorf("DefaultBackoff() = %+v", b)
	}
}
