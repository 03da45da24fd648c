package app

import (
	"errors"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localclient"
)

// CodeDaemonUnavailable is the code of BindingError when the daemon is not
// running; the frontend shows its "Start" screen for it.
const CodeDaemonUnavailable = "daemon_unavailable"

// ErrBadInput is wrapped by every error about a malformed argument from the
// frontend.
var ErrBadInput = errors.New("bad input")

// ErrNotTracking is returned by StopTracking when no session is active.
var ErrNotTracking = errors.New("nothing is being tracked")

// ErrNothingToUndo is returned by Undo when no change made through the
// dashboard is left to put back.
var ErrNothingToUndo = errors.New("nothing to undo")

// BindingError is what a rejected call's promise receives in JavaScript.
type BindingError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *BindingError) Error() string { return e.Code + ": " + e.Message }

// FormatError turns an error of a bound method into a BindingError; it is
// the Wails ErrorFormatter.
func FormatError(err error) any {
	return ToBindingError(err)
}

// ToBindingError classifies err for the frontend.
func ToBindingError(err error) *BindingError {
	var be *BindingError
	var ae *api.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &be):
		return be
	case localclient.IsUnavailable(err):
		return &BindingError{Code: CodeDaemonUnavailable, Message: err.Error()}
	case errors.Is(err, ErrBadInput):
		return &BindingError{Code: api.CodeBadRequest, Message: err.Error()}
	case errors.Is(err, ErrNotTracking), errors.Is(err, ErrNothingToUndo):
		return &BindingError{Code: api.CodeNotFound, Message: err.Error()}
	case errors.As(err, &ae):
		return &BindingError{Code: ae.Code, Message: err.Error()}
	default:
		return &BindingError{Code: api.CodeInternal, Message: err.Error()}
	}
}

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}
