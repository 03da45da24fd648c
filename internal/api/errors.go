package api

import (
	"context"
	"errors"
	"fmt"
)

// Error codes, shared by the local API and the native messaging protocol.
const (
	CodeBadRequest  = "bad_request"
	CodeUnknownType = "unknown_type"
	CodeNotFound    = "not_found"
	CodeConflict    = "conflict"
	CodeTooLarge    = "too_large"
	CodeUnavailable = "unavailable"
	CodeInternal    = "internal"
	CodeForbidden   = "forbidden"
	// CodeExcluded: the repository is kept out of tracking by the rules
	// in config.toml; nothing was written.
	CodeExcluded = "excluded"
)

// Error is the error object of both protocols.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes an *Error received from the daemon match the sentinel of its
// code (ErrNotFound, ErrConflict, ErrInvalid), so that a caller checks a
// failure the same way whether the tracker ran in its own process or in
// the daemon's.
func (e *Error) Is(target error) bool {
	s, ok := target.(*sentinel)
	return ok && s.code == e.Code
}

// ErrorReply is the body of a failed local API request.
type ErrorReply struct {
	Error *Error `json:"error"`
}

// sentinel is a coded error value, wrapped by the errors that carry its code.
type sentinel struct{ code, text string }

func (s *sentinel) Error() string { return s.text }

// The session rules' errors; the tracker wraps them and AsError gives them
// their code. Check them with errors.Is: they match both the tracker's
// errors and an *Error with their code.
var (
	// ErrNotFound: no session with that id.
	ErrNotFound error = &sentinel{CodeNotFound, "session not found"}
	// ErrConflict: the request contradicts the session's state (a heartbeat
	// for an ended session, a start id reused for another pull request).
	ErrConflict error = &sentinel{CodeConflict, "conflict"}
	// ErrInvalid: a malformed request; the tracker's are *ValidationError.
	ErrInvalid error = &sentinel{CodeBadRequest, "invalid request"}
	// ErrExcluded: the rules in config.toml keep the repository out of
	// tracking ("dont_track"); nothing was written.
	ErrExcluded error = &sentinel{CodeExcluded, "repository excluded from tracking"}
)

// AsError gives err its protocol code: an *Error keeps its own; an error
// wrapping ErrNotFound, ErrConflict or ErrInvalid gets theirs; a cancelled
// or timed-out request is unavailable; anything else is internal. The
// message is err's. AsError(nil) is nil.
func AsError(err error) *Error {
	var ae *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeUnavailable, Message: err.Error()}
	}
	for _, s := range []error{ErrNotFound, ErrConflict, ErrInvalid, ErrExcluded} {
		if errors.Is(err, s) {
			return &Error{Code: s.(*sentinel).code, Message: err.Error()}
		}
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}

// ValidationError says which field of a request is wrong and why; it
// matches ErrInvalid.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
