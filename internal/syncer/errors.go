package syncer

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Kind classifies a failed Remote call by what the caller should do next.
type Kind int

// The kinds of Remote errors.
const (
	// KindPermanent: retrying the same request will fail again.
	KindPermanent Kind = iota
	// KindRetryable: the server was unreachable, too slow, overloaded or
	// failing; the same request may succeed later.
	KindRetryable
	// KindUnauthorized: the credentials were refused; sync must wait for a
	// new sign-in.
	KindUnauthorized
	// KindTooLarge: the batch was above the server's limits; a smaller one
	// will do.
	KindTooLarge
)

func (k Kind) String() string {
	switch k {
	case KindRetryable:
		return "retryable"
	case KindUnauthorized:
		return "unauthorized"
	case KindTooLarge:
		return "too large"
	default:
		return "permanent"
	}
}

// Sentinels matching every *Error of a kind with errors.Is.
var (
	ErrRetryable    = errors.New("retryable")
	ErrUnauthorized = errors.New("unauthorized")
	ErrTooLarge     = errors.New("batch too large")
	ErrPermanent    = errors.New("permanent")
)

// Error is a classified Remote failure.
type Error struct {
	Op   string // "push" or "pull"
	Kind Kind
	// StatusCode is the HTTP status, 0 when no response arrived.
	StatusCode int
	// RetryAfter is the delay the server asked for (429/503 Retry-After);
	// zero when it did not ask.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	msg := e.Op + ": " + e.Kind.String()
	if e.StatusCode != 0 {
		msg += " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrRetryable) and friends work.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrRetryable:
		return e.Kind == KindRetryable
	case ErrUnauthorized:
		return e.Kind == KindUnauthorized
	case ErrTooLarge:
		return e.Kind == KindTooLarge
	case ErrPermanent:
		return e.Kind == KindPermanent
	}
	return false
}

// IsRetryable reports whether err is worth retrying later.
func IsRetryable(err error) bool { return errors.Is(err, ErrRetryable) }

// IsUnauthorized reports whether the server refused the credentials.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsTooLarge reports whether the batch must be split.
func IsTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }

// RetryAfter returns the delay the server asked for, if it asked.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// KindForStatus maps an HTTP status of a failed request to its kind.
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusRequestEntityTooLarge:
		return KindTooLarge
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return KindRetryable
	default:
		return KindPermanent
	}
}

// StatusError builds the classified error of a failed HTTP response.
func StatusError(op string, status int, retryAfter time.Duration, detail string) *Error {
	var err error
	if detail != "" {
		err = errors.New(detail)
	}
	return &Error{Op: op, Kind: KindForStatus(status), StatusCode: status, RetryAfter: retryAfter, Err: err}
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (relative to now). It returns 0 for an absent or unreadable value.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Errorf builds a classified error around a cause.
func Errorf(op string, kind Kind, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Err: fmt.Errorf(format, args...)}
}
