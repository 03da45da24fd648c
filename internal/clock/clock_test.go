package clock

import (
	"context"
	"testing"
	"time"
)

func TestFakeTimersFireOnAdvance(t *testing.T) {
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		after   time.Duration
		advance time.Duration
		fires   bool
	}{
		{"before deadline", time.Minute, 59 * time.Second, false},
		{"at deadline", time.Minute, time.Minute, true},
		{"past deadline", time.Minute, time.Hour, true},
		{"zero fires at once", 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFake(start)
			tm := f.NewTimer(tc.after)
			f.Advance(tc.advance)
			if got := f.Now(); !got.Equal(start.Add(tc.advance)) {
				t.Fatalf("Now = %v, want %v", got, start.Add(tc.advance))
			}
			select {
			case <-tm.C():
				if !tc.fires {
					t.Fatal("timer fired early")
				}
			default:
				if tc.fires {
					t.Fatal("timer did not fire")
				}
			}
		})
	}
}

func TestFakeStop(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	tm := f.NewTimer(time.Second)
	if f.PendingTimers() != 1 {
		t.Fatalf("pending = %d, want 1", f.PendingTimers())
	}
	if !tm.Stop() {
		t.Fatal("Stop on a pending timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	f.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
}

func TestWaitForTimers(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	done := make(chan error, 1)
	go func() {
		tm := f.NewTimer(time.Minute)
		<-tm.C()
		done <- nil
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitForTimers(ctx, 1); err != nil {
		t.Fatalf("WaitForTimers: %v", err)
	}
	f.Advance(time.Minute)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("goroutine did not wake")
	}
}

func TestRealClock(t *testing.T) {
	c := Real()
	before := time.Now()
	if c.Now().Before(before) {
		t.Fatal("Real().Now went backwards")
	}
	tm := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Fatal("Stop on a pending real timer returned false")
	}
}
