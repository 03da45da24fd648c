package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
)

func cmdSync(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("sync", "sync [--json]")
	asJSON := fs.Bool("json", false, "print the sync state as JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("sync: unexpected argument %q", fs.Arg(0))
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	st, err := backend.Sync(ctx, e.backendOptions())
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if *asJSON {
		if err := json.NewEncoder(e.Stdout).Encode(st); err != nil {
			return err
		}
	} else {
		printSyncState(e.Stdout, st)
	}
	return syncStateError(st)
}

// syncStateError turns a state that needs the user into an error (and a
// non-zero exit code).
func syncStateError(st api.SyncState) error {
	switch st.State {
	case api.SyncSignedOut:
		return &api.Error{Code: api.CodeUnavailable, Message: "not signed in: run 'worktimed login'"}
	case api.SyncSignInRequired:
		return &api.Error{Code: api.CodeUnavailable, Message: "the server refused the sign-in: run 'worktimed login' again (local data is kept)"}
	case api.SyncBackoff:
		return &api.Error{Code: api.CodeUnavailable, Message: "the server could not be reached: " + st.LastError}
	}
	return nil
}

func printSyncState(w io.Writer, st api.SyncState) {
	fmt.Fprintf(w, "Sync: %s", st.State)
	if st.ServerURL != "" {
		fmt.Fprintf(w, " (%s)", st.ServerURL)
	}
	fmt.Fprintf(w, "\nPending: %d\n", st.Pending)
	if st.Quarantined > 0 {
		fmt.Fprintf(w, "Refused by the server (kept locally): %d\n", st.Quarantined)
	}
	if st.LastSuccessAt != nil {
		fmt.Fprintf(w, "Last success: %s\n", st.LastSuccessAt.Local().Format("2006-01-02 15:04:05"))
	}
	if st.LastError != "" {
		fmt.Fprintf(w, "Last error: %s\n", st.LastError)
	}
	if st.NextAttemptAt != nil {
		fmt.Fprintf(w, "Next attempt: %s\n", st.NextAttemptAt.Local().Format("2006-01-02 15:04:05"))
	}
}
