package cli

import (
	"context"
	"fmt"

	"github.com/worktime/worktime/internal/install"
)

func cmdService(ctx context.Context, e *Env, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintln(e.Stdout, "Usage: worktimed service start|stop|status")
			return errHelpShown
		}
	}
	if len(args) != 1 || (args[0] != "start" && args[0] != "stop" && args[0] != "status") {
		return usageErrorf("service: want start, stop or status; see 'worktimed service -h'")
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	rec, err := install.LoadRecord(e.Paths.Home)
	if err != nil {
		return err
	}
	if rec.Service == nil {
		if args[0] == "status" {
			fmt.Fprintln(e.Stdout, "not installed (run 'worktimed install')")
			return nil
		}
		return usageErrorf("service %s: the service is not installed; run 'worktimed install' first", args[0])
	}
	p, err := e.installPlatform()
	if err != nil {
		return err
	}
	mgr := install.SystemManagerFor(p)
	switch args[0] {
	case "start":
		return mgr.Start(ctx, *rec.Service)
	case "stop":
		return mgr.Stop(ctx, *rec.Service)
	}
	st, err := mgr.Status(ctx, *rec.Service)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, st)
	return nil
}
