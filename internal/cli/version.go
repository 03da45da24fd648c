package cli

import (
	"context"
	"fmt"
	"runtime"
)

func cmdVersion(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("version", "version")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "worktimed %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.Stdout, "worker %s\n", workerVersion())
	return nil
}

func cmdHelp(ctx context.Context, e *Env, args []string) error {
	e.usage(e.Stdout)
	return nil
}
