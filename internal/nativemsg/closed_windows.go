package nativemsg

import (
	"errors"
	"os"
	"syscall"
)

// errNoData is ERROR_NO_DATA: "the pipe is being closed".
const errNoData = syscall.Errno(232)

// portClosed reports whether a write failed because the browser closed the
// pipe the host writes to.
func portClosed(err error) bool {
	return errors.Is(err, syscall.ERROR_BROKEN_PIPE) || errors.Is(err, errNoData) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)
}
