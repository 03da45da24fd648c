package syncer_test

import (
	"testing"
	"time"

	"github.com/worktime/worktime/internal/syncer"
)

// TestBackoffDelayDefaultsEachField checks that a Backoff setting only one
// of Base and Max takes the other's default, so exponential backoff stays
// on (WORKTIME_SYNC_BACKOFF_BASE alone used to make every delay Base).
func TestBackoffDelayDefaultsEachField(t *testing.T) {
	half := func() float64 { return 0 } // the delay is exactly half of d
	tests := []struct {
		name string
		b    syncer.Backoff
		n    int
		want time.Duration
	}{
		{"zero value: defaults", syncer.Backoff{}, 1, syncer.DefaultBackoffBase / 2},
		{"zero value grows", syncer.Backoff{}, 3, 4 * syncer.DefaultBackoffBase / 2},
		{"zero value capped", syncer.Backoff{}, 30, syncer.DefaultBackoffMax / 2},
		{"base only grows", syncer.Backoff{Base: 50 * time.Millisecond}, 3, 100 * time.Millisecond},
		{"base only capped at the default max", syncer.Backoff{Base: time.Minute}, 10, syncer.DefaultBackoffMax / 2},
		{"max only starts at the default base", syncer.Backoff{Max: time.Hour}, 1, syncer.DefaultBackoffBase / 2},
		{"max only grows", syncer.Backoff{Max: time.Hour}, 4, 8 * syncer.DefaultBackoffBase / 2},
		{"max only below the default base", syncer.Backoff{Max: time.Second}, 5, syncer.DefaultBackoffBase / 2},
		{"both", syncer.Backoff{Base: time.Second, Max: 4 * time.Second}, 5, 2 * time.Second},
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
	b := syncer.DefaultBackoff()
	if b.Base != syncer.DefaultBackoffBase || b.Max != syncer.DefaultBackoffMax {
		t.Errorf("DefaultBackoff() = %+v", b)
	}
}
