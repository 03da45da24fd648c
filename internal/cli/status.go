package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
)

// statusJSON is `worktimed status --json`: the daemon's api.Status plus
// whether it runs at all.
type statusJSON struct {
	Running bool   `json:"running"`
	Socket  string `json:"socket"`
	*api.Status
}

func cmdStatus(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("status", "status [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	loc, err := e.backendOptions().Location()
	if err != nil {
		return err
	}
	d, st, err := backend.DialDaemon(ctx, e.backendOptions())
	if backend.IsNotRunning(err) {
		if *asJSON {
			if err := json.NewEncoder(e.Stdout).Encode(statusJSON{Running: false, Socket: e.Paths.Socket}); err != nil {
				return err
			}
			return &api.Error{Code: api.CodeUnavailable, Message: "worktimed is not running"}
		}
		return &api.Error{Code: api.CodeUnavailable, Message: fmt.Sprintf("worktimed is not running (no daemon on %s); start it with 'worktimed service start' or 'worktimed run'", e.Paths.Socket)}
	}
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	d.Close()
	if *asJSON {
		return json.NewEncoder(e.Stdout).Encode(statusJSON{Running: true, Socket: e.Paths.Socket, Status: &st})
	}
	w := e.Stdout
	fmt.Fprintf(w, "worktimed %s is running (socket %s)\n", st.Version, e.Paths.Socket)
	fmt.Fprintf(w, "Device: %s\n", st.DeviceID)
	if st.Active != nil {
		a := st.Active
		fmt.Fprintf(w, "Active: %s/%s#%d since %s\n", a.RepoOwner, a.RepoName, a.PRNumber, humanTime(a.StartTime, loc))
	} else {
		fmt.Fprintln(w, "Active: none")
	}
	if st.User != nil {
		fmt.Fprintf(w, "Signed in as %s\n", st.User.Login)
	} else {
		fmt.Fprintln(w, "Not signed in")
	}
	fmt.Fprintf(w, "Sync: %s", st.Sync.State)
	if st.Sync.Pending > 0 {
		fmt.Fprintf(w, ", %d pending", st.Sync.Pending)
	}
	if st.Sync.LastSuccessAt != nil {
		fmt.Fprintf(w, ", last success %s", humanTime(*st.Sync.LastSuccessAt, loc))
	}
	if st.Sync.Quarantined > 0 {
		fmt.Fprintf(w, ", %d refused by the server (kept locally)", st.Sync.Quarantined)
	}
	if st.Sync.LastError != "" {
		fmt.Fprintf(w, ", last error: %s", st.Sync.LastError)
	}
	if st.Sync.State == api.SyncBackoff && st.Sync.NextAttemptAt != nil {
		fmt.Fprintf(w, ", next attempt %s", humanTime(*st.Sync.NextAttemptAt, loc))
	}
	switch st.Sync.State {
	case api.SyncSignedOut, api.SyncSignInRequired:
		fmt.Fprint(w, " (run 'worktimed login')")
	}
	fmt.Fprintln(w)
	if st.Sync.ServerURL != "" {
		fmt.Fprintf(w, "Server: %s\n", st.Sync.ServerURL)
	}
	return nil
}
