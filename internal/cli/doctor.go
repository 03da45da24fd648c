package cli

import (
	"context"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
	"github.com/worktime/worktime/internal/localdb"
)

// cmdDoctor checks the store and, with --repair, rebuilds a damaged one.
// The work is localdb.Inspect and localdb.Repair; this only reports.
func cmdDoctor(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("doctor", "doctor [--repair]")
	repair := fs.Bool("repair", false, "copy a damaged database aside and rebuild it from every readable session")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	path := e.Paths.DB
	rep, err := localdb.Inspect(ctx, path)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	w := e.Stdout
	switch {
	case !rep.Exists:
		fmt.Fprintf(w, "%s: no database yet (worktimed creates it when it first runs)\n", path)
		return nil
	case len(rep.Problems) == 0:
		fmt.Fprintf(w, "%s: ok (schema version %d, %d sessions)\n", path, rep.SchemaVersion, rep.Sessions)
		return nil
	}
	fmt.Fprintf(w, "%s: damaged\n", path)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if !*repair {
		return fmt.Errorf("doctor: %w: %d problems found; 'worktimed doctor --repair' keeps a copy and rebuilds the database from every readable session", localdb.ErrCorrupt, len(rep.Problems))
	}
	switch d, _, err := backend.DialDaemon(ctx, e.backendOptions()); {
	case err == nil:
		d.Close()
		return &api.Error{Code: api.CodeConflict, Message: "worktimed is running: stop it ('worktimed service stop') before repairing its database"}
	case !backend.IsNotRunning(err):
		return fmt.Errorf("doctor: %w", err)
	}
	loc, err := e.backendOptions().Location()
	if err != nil {
		return err
	}
	res, err := localdb.Repair(ctx, path, localdb.Options{Location: loc, Clock: e.Clock, Logger: e.Logger})
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	fmt.Fprintf(w, "copied the damaged database to %s\n", res.Aside)
	fmt.Fprintf(w, "rebuilt %s: %d sessions kept, %d could not be read\n", path, res.Sessions, res.Lost)
	return nil
}
