package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/localdb"
)

// Exit codes (documented in docs/cli.md).
const (
	ExitOK          = 0   // success
	ExitFailure     = 1   // anything else (I/O error, internal error)
	ExitUsage       = 2   // bad command line or invalid value
	ExitNotFound    = 3   // no such session / no active session
	ExitConflict    = 4   // the request contradicts a session's state
	ExitDatabase    = 5   // the database is refused (newer version, corrupt, not worktime's)
	ExitConfig      = 6   // config.toml is invalid
	ExitUnavailable = 7   // the daemon or the server is unavailable
	ExitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

// ErrUsage marks a command-line mistake.
var ErrUsage = errors.New("usage")

type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// ExitCoder lets an error choose its exit code.
type ExitCoder interface{ ExitCode() int }

// ExitCode maps an error to its exit code.
func ExitCode(err error) int {
	var ec ExitCoder
	var ae *api.Error
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return ExitOK
	case errors.As(err, &ec):
		return ec.ExitCode()
	case errors.Is(err, ErrUsage), errors.Is(err, api.ErrInvalid):
		return ExitUsage
	case errors.Is(err, api.ErrNotFound), errors.Is(err, localdb.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, api.ErrConflict), errors.Is(err, api.ErrExcluded):
		return ExitConflict
	case errors.Is(err, localdb.ErrTooNew), errors.Is(err, localdb.ErrCorrupt), errors.Is(err, localdb.ErrForeign):
		return ExitDatabase
	case errors.Is(err, config.ErrInvalid):
		return ExitConfig
	case errors.As(err, &ae):
		// bad_request, not_found and conflict matched the sentinels above.
		switch ae.Code {
		case api.CodeTooLarge, api.CodeUnknownType:
			return ExitUsage
		case api.CodeUnavailable:
			return ExitUnavailable
		}
		return ExitFailure
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case unreachable(err):
		return ExitUnavailable
	}
	return ExitFailure
}

// unreachable reports a server or daemon that could not be reached at all:
// refused, unknown host, no route, timed out.
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var ne net.Error
	return errors.As(err, &op) || errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// hintFor says how to fix the errors that have an obvious fix.
func hintFor(err error) string {
	switch {
	case errors.Is(err, localdb.ErrTooNew):
		return "this database was written by a newer worktimed; install that version (the file was not changed)"
	case errors.Is(err, localdb.ErrCorrupt):
		return "'worktimed doctor --repair' keeps a copy and rebuilds the database from every readable session (the file was not changed)"
	case errors.Is(err, localdb.ErrForeign):
		return "point worktimed at its own database with --home DIR or WORKTIME_HOME"
	case unreachable(err):
		return "check the network and sync.server_url in config.toml, then try again; tracking goes on locally meanwhile"
	case errors.Is(err, config.ErrInvalid):
		return "fix config.toml (every key is described in docs/cli.md) or move it away to use the defaults"
	}
	return ""
}
