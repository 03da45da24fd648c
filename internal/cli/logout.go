package cli

import (
	"context"
	"fmt"

	"github.com/worktime/worktime/internal/daemon"
)

func cmdLogout(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("logout", "logout")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("logout: unexpected argument %q", fs.Arg(0))
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	svc := daemon.AuthService(e.Paths, e.Config, e.Getenv)
	err := svc.Logout(ctx)
	nudgeDaemon(ctx, e)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	fmt.Fprintln(e.Stdout, "Signed out. Local data is kept; sync resumes after the next login.")
	return nil
}
