package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
)

func cmdTrack(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("track: want a subcommand: start, heartbeat or stop")
	}
	switch args[0] {
	case "start":
		return trackStart(ctx, e, args[1:])
	case "heartbeat":
		return trackHeartbeat(ctx, e, args[1:])
	case "stop":
		return trackStop(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.Stdout, "Usage: worktimed track start OWNER/NAME#N|URL [--at RFC3339] [--session-id UUID]\n       worktimed track start --repo OWNER/NAME --pr N [--at RFC3339] [--session-id UUID]\n       worktimed track heartbeat [--session ID] [--at RFC3339]\n       worktimed track stop [--session ID] [--at RFC3339]")
		return nil
	}
	return usageErrorf("track: unknown subcommand %q; want start, heartbeat or stop", args[0])
}

func trackStart(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("track start", "track start OWNER/NAME#N|PULL-REQUEST-URL [--at RFC3339] [--session-id UUID]\n       worktimed track start --repo OWNER/NAME --pr N [--at RFC3339] [--session-id UUID]")
	repo := fs.String("repo", "", "the repository, `OWNER/NAME` (with --pr, instead of a reference)")
	pr := fs.Int("pr", 0, "the pull request `number` (with --repo)")
	at := fs.String("at", "", "start `time` (RFC 3339); default now")
	id := fs.String("session-id", "", "a client-minted session `UUID` (makes the start idempotent)")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	ref, err := prTarget("track start", rest, *repo, *pr, fs)
	if err != nil {
		return err
	}
	when, err := parseAt("at", *at)
	if err != nil {
		return err
	}
	b, _, err := e.openBackend(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	s, err := b.Start(ctx, api.StartRequest{RepoOwner: ref.Owner, RepoName: ref.Name, PRNumber: ref.Number, At: when, SessionID: *id, Source: api.SourceManual})
	if err != nil {
		return fmt.Errorf("track start: %w", err)
	}
	fmt.Fprintln(e.Stdout, s.ID)
	return nil
}

// prTarget is the pull request a command (cmd, for its messages) names: a
// reference (owner/name#12, owner/name 12 or a pull request URL), or --repo
// and --pr.
func prTarget(cmd string, args []string, repo string, pr int, fs *flag.FlagSet) (api.PRRef, error) {
	prSet := isSet(fs, "pr")
	if len(args) == 2 { // owner/name 12
		if ref, err := api.ParsePRRef(args[0] + " " + args[1]); err == nil && repo == "" && !prSet {
			return ref, nil
		}
	}
	switch {
	case len(args) > 1:
		return api.PRRef{}, usageErrorf("%s: want one pull request, got %d arguments", cmd, len(args))
	case len(args) == 1 && (repo != "" || prSet):
		return api.PRRef{}, usageErrorf("%s: give the pull request either as %q or with --repo and --pr, not both", cmd, clipArg(args[0]))
	case len(args) == 1:
		ref, err := api.ParsePRRef(args[0])
		if err != nil {
			return api.PRRef{}, usageErrorf("%s: %v", cmd, err)
		}
		return ref, nil
	case repo == "":
		return api.PRRef{}, usageErrorf("%s: name the pull request: OWNER/NAME#N, its URL, or --repo OWNER/NAME --pr N", cmd)
	}
	owner, name, err := api.ParseRepo(repo)
	if err != nil {
		return api.PRRef{}, usageErrorf("%s: --repo: %v", cmd, err)
	}
	if pr <= 0 || pr > api.MaxPRNumber {
		return api.PRRef{}, usageErrorf("%s: --pr N is required and must be a pull request number from 1 to %d", cmd, api.MaxPRNumber)
	}
	return api.PRRef{Owner: owner, Name: name, Number: pr}, nil
}

// sessionOrActive returns id, or the active session's id.
func sessionOrActive(ctx context.Context, b backend.Backend, cmd, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	a, err := b.Active(ctx)
	if err != nil {
		return "", err
	}
	if a == nil {
		return "", fmt.Errorf("%s: %w: no active session; start one with 'worktimed track start' or pass --session ID", cmd, api.ErrNotFound)
	}
	return a.ID, nil
}

func trackHeartbeat(ctx context.Context, e *Env, args []string) error {
	s, err := trackEvent(ctx, e, args, "heartbeat", "heartbeat", backend.Backend.Heartbeat)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, s.ID)
	return nil
}

func trackStop(ctx context.Context, e *Env, args []string) error {
	s, err := trackEvent(ctx, e, args, "stop", "end", backend.Backend.End)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s %s %s\n", s.ID, s.Status, fmtDuration(s.DurationSeconds))
	return nil
}

// trackEvent parses `track NAME [--session ID] [--at RFC3339]` and applies
// event (a heartbeat or an end) to the named session, or to the active one.
func trackEvent(ctx context.Context, e *Env, args []string, name, what string,
	event func(backend.Backend, context.Context, string, *time.Time) (api.Session, error)) (api.Session, error) {
	cmd := "track " + name
	fs := e.newFlagSet(cmd, cmd+" [--session ID] [--at RFC3339]")
	id := fs.String("session", "", "the session `ID`; default the active session")
	at := fs.String("at", "", what+" `time` (RFC 3339); default now")
	if err := e.parseFlags(fs, args); err != nil {
		return api.Session{}, err
	}
	when, err := parseAt("at", *at)
	if err != nil {
		return api.Session{}, err
	}
	b, _, err := e.openBackend(ctx)
	if err != nil {
		return api.Session{}, err
	}
	defer b.Close()
	sid, err := sessionOrActive(ctx, b, cmd, *id)
	if err != nil {
		return api.Session{}, err
	}
	s, err := event(b, ctx, sid, when)
	if err != nil {
		return api.Session{}, fmt.Errorf("%s: %w", cmd, err)
	}
	return s, nil
}
