package syncer

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Session statuses on the wire.
const (
	StatusActive    = "active"
	StatusCompleted = "completed"
	StatusAbandoned = "abandoned"
)

// ErrInvalidSession is wrapped by every error of Validate.
var ErrInvalidSession = errors.New("invalid session")

// Validate checks a session the way the server does before storing it.
func Validate(s Session) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidSession, fmt.Sprintf(format, args...))
	}
	if _, err := uuid.Parse(s.ID); err != nil {
		return bad("id %q is not a UUID", s.ID)
	}
	if s.Deleted {
		if s.UpdatedAt.IsZero() {
			return bad("updated_at is required")
		}
		return nil
	}
	if s.RepoOwner == "" || s.RepoName == "" {
		return bad("repository owner and name are required")
	}
	if s.PRNumber <= 0 {
		return bad("pr_number must be positive, got %d", s.PRNumber)
	}
	if s.StartTime.IsZero() {
		return bad("start_time is required")
	}
	if s.UpdatedAt.IsZero() {
		return bad("updated_at is required")
	}
	switch s.Status {
	case StatusActive:
		if s.EndTime != nil {
			return bad("an active session has no end_time")
		}
	case StatusCompleted, StatusAbandoned:
		if s.EndTime == nil {
			return bad("a %s session needs an end_time", s.Status)
		}
		if s.EndTime.Before(s.StartTime) {
			return bad("end_time %s is before start_time %s", s.EndTime.Format("2006-01-02T15:04:05Z"), s.StartTime.Format("2006-01-02T15:04:05Z"))
		}
		if want := int64(s.EndTime.Sub(s.StartTime).Seconds()); s.DurationSeconds != want {
			return bad("duration_seconds %d does not match end_time - start_time (%d)", s.DurationSeconds, want)
		}
	default:
		return bad("unknown status %q", s.Status)
	}
	return nil
}
