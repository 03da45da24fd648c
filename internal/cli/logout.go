package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/worktime/worktime/internal/auth"
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
	svc := daemon.AuthService(e.Paths, e.Config, e.Getenv, e.Clock)
	if _, err := svc.Current(ctx); errors.Is(err, auth.ErrSignedOut) {
		fmt.Fprintln(e.Stdout, "Not signed in; nothing to sign out of. Local data is kept.")
		return nil
	}
	err := svc.Logout(ctx)
	if errors.Is(err, auth.ErrNotRevoked) {
		// The credentials are gone from this machine, which is what the
		// user asked for; the server's copy lapses when it expires.
		fmt.Fprintln(e.Stdout, "Signed out on this machine. Local data is kept; sync resumes after the next login.")
		fmt.Fprintf(e.Stderr, "worktimed: warning: the server could not be told (%v); the token stays valid there until it expires\n", err)
		nudgeDaemon(ctx, e)
		return nil
	}
	nudgeDaemon(ctx, e)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	fmt.Fprintln(e.Stdout, "Signed out. Local data is kept; sync resumes after the next login.")
	return nil
}
