package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	loc, err := e.backendOptions().Location()
	if err != nil {
		return err
	}
	var progress func(api.SyncRun)
	if !*asJSON && e.IsTerminal(e.Stderr) {
		line := &progressLine{w: e.Stderr}
		progress = line.show
		defer line.clear()
	}
	st, err := backend.Sync(ctx, e.backendOptions(), progress)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if *asJSON {
		if err := json.NewEncoder(e.Stdout).Encode(st); err != nil {
			return err
		}
	} else {
		printSyncState(e.Stdout, st, loc)
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

// progressLine shows a sync run's progress on one terminal line.
type progressLine struct {
	w     io.Writer
	shown bool
}

func (p *progressLine) show(r api.SyncRun) {
	fmt.Fprintf(p.w, "\rSyncing: %s", runSummary(r))
	p.shown = true
}

// clear erases the line, so that the result is printed on a clean one.
func (p *progressLine) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// runSummary is "pushed 1,200, pulled 3 sessions in 4 requests".
func runSummary(r api.SyncRun) string {
	return fmt.Sprintf("pushed %s, pulled %s %s in %s %s", groupDigits(r.Pushed), groupDigits(r.Pulled),
		plural(r.Pulled, "session", "sessions"), groupDigits(r.Requests), plural(r.Requests, "request", "requests"))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// groupDigits writes n with thousands separated by commas.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func printSyncState(w io.Writer, st api.SyncState, loc *time.Location) {
	fmt.Fprintf(w, "Sync: %s", st.State)
	if st.ServerURL != "" {
		fmt.Fprintf(w, " (%s)", st.ServerURL)
	}
	fmt.Fprintf(w, "\nPending: %d\n", st.Pending)
	if st.Run != nil {
		fmt.Fprintf(w, "This run: %s\n", runSummary(*st.Run))
	}
	if st.Quarantined > 0 {
		fmt.Fprintf(w, "Refused by the server (kept locally): %d\n", st.Quarantined)
	}
	if st.LastSuccessAt != nil {
		fmt.Fprintf(w, "Last success: %s\n", humanTime(*st.LastSuccessAt, loc))
	}
	if st.LastError != "" {
		fmt.Fprintf(w, "Last error: %s\n", st.LastError)
	}
	if st.NextAttemptAt != nil {
		fmt.Fprintf(w, "Next attempt: %s\n", humanTime(*st.NextAttemptAt, loc))
	}
}
