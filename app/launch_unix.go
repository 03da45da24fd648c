//go:build !windows

package app

import (
	"os/exec"
	"syscall"
)

// detach runs the daemon in its own session so it outlives the dashboard
// and does not get the terminal's signals.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
