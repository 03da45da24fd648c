//go:build !windows

package nativemsg

import (
	"errors"
	"os"
	"syscall"
)

// portClosed reports whether a write failed because the browser closed the
// pipe the host writes to.
func portClosed(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)
}
