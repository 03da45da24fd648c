// Command worktimed is worktime's daemon and command-line interface. main
// only turns SIGINT/SIGTERM into a cancelled context and hands the command
// line to internal/cli (see docs/cli.md).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/worktime/worktime/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
