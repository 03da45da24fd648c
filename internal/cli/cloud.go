package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/worktime/worktime/internal/cloud"
	"github.com/worktime/worktime/internal/config"
)

const cloudUsage = `cloud deploy|status|usage|destroy [flags]

  deploy   create or update your own backend on your Cloudflare account
           (D1 databases, KV namespace, Worker, secrets, workers.dev route)
           and point the daemon at it; --shards N spreads users over N
           D1 databases
  status   show what exists, each database's size against D1's cap and
           whether the Worker matches the one built into this binary
  usage    requests, D1 rows read and written and storage per day for the
           last 7 days, against Workers Free's allowances, and the
           projected $/month (needs Account · Account Analytics · Read)
  destroy  remove the Worker, the KV namespace and the D1 databases (--yes)

The API token is read from CLOUDFLARE_API_TOKEN only. The account ID comes
from --account-id or CLOUDFLARE_ACCOUNT_ID.`

// workerVersion is the embedded worker's version for `worktimed version`.
func workerVersion() string {
	if v := cloud.EmbeddedVersion(); v != "" {
		return v
	}
	return "none (" + cloud.ErrNoBundle.Error() + ")"
}

func cmdCloud(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(e.Stdout, "Usage: worktimed %s\n", cloudUsage)
		if len(args) == 0 {
			return usageErrorf("cloud: want a subcommand: deploy, status, usage or destroy")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "deploy", "status", "usage", "destroy":
	default:
		return usageErrorf("cloud: unknown subcommand %q; want deploy, status, usage or destroy", sub)
	}
	fs := e.newFlagSet("cloud "+sub, "cloud "+sub+" [flags]")
	accountID := fs.String("account-id", "", "Cloudflare account `ID` (default $CLOUDFLARE_ACCOUNT_ID)")
	name := fs.String("name", "worktime", "`NAME` of the Worker and the D1 database (the KV namespace is NAME-kv)")
	bundleDir := new(string)
	if sub == "deploy" || sub == "status" {
		bundleDir = fs.String("bundle", "", "use the worker bundle in `DIR` (laid out like internal/cloud/bundle) instead of the embedded one")
	}
	var clientID *string
	var dryRun, yes *bool
	var shards *int
	switch sub {
	case "deploy":
		clientID = fs.String("github-client-id", "", "GitHub OAuth app client `ID` for sign-in (default: keep the deployed one)")
		dryRun = fs.Bool("dry-run", false, "print the plan; make no change")
		shards = fs.Int("shards", 0, "spread users over `N` D1 databases (1-64; default: keep the deployed number, 1 at first); more adds shards, fewer is refused")
	case "destroy":
		yes = fs.Bool("yes", false, "really delete the Worker, the KV namespace and the D1 database with its data")
	}
	if err := e.parseFlags(fs, rest); err != nil {
		return err
	}
	target := cloud.Target{AccountID: strings.TrimSpace(*accountID), Name: *name}
	if target.AccountID == "" {
		target.AccountID = strings.TrimSpace(e.Getenv("CLOUDFLARE_ACCOUNT_ID"))
	}
	if err := target.Validate(); err != nil {
		return usageErrorf("cloud %s: %v", sub, err)
	}
	if shards != nil && (*shards < 0 || *shards > cloud.MaxShards) {
		return usageErrorf("cloud deploy: --shards %d: want 1 to %d", *shards, cloud.MaxShards)
	}
	var bundle *cloud.Bundle
	if sub == "deploy" || sub == "status" {
		var err error
		bundle, err = loadBundle(*bundleDir)
		if err != nil && (sub == "deploy" || !errors.Is(err, cloud.ErrNoBundle)) {
			return fmt.Errorf("cloud %s: %w", sub, err)
		}
	}
	token, err := cloud.TokenFromEnv(e.Getenv)
	if err != nil {
		return usageErrorf("cloud %s: %v", sub, err)
	}
	api, err := cloud.NewClient(cloud.ClientOptions{Token: token, BaseURL: e.Getenv("CLOUDFLARE_BASE_URL"), Clock: e.Clock})
	if err != nil {
		return fmt.Errorf("cloud %s: %w", sub, err)
	}
	d := &cloud.Deployer{API: api, Bundle: bundle, Out: e.Stdout, Clock: e.Clock}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	d.Config = daemonConfig{path: e.Paths.Config}
	in := bufio.NewReader(e.Stdin)
	d.Confirm = func(q string) (bool, error) { return confirm(in, e.Stdout, q) }

	switch sub {
	case "deploy":
		_, err = d.Deploy(ctx, cloud.DeployOptions{
			Target:             target,
			GitHubClientID:     *clientID,
			GitHubClientSecret: e.Getenv(cloud.SecretGitHubClient),
			DryRun:             *dryRun,
			Shards:             *shards,
		})
	case "status":
		_, err = d.Status(ctx, target)
	case "usage":
		_, err = d.Usage(ctx, target)
	case "destroy":
		err = d.Destroy(ctx, target, *yes)
		if errors.Is(err, cloud.ErrNeedYes) {
			return usageErrorf("cloud destroy: %v", err)
		}
	}
	if err != nil {
		return cloudError{err}
	}
	return nil
}

func loadBundle(dir string) (*cloud.Bundle, error) {
	if dir == "" {
		return cloud.Embedded()
	}
	b, err := cloud.LoadBundle(os.DirFS(dir))
	if errors.Is(err, cloud.ErrNoBundle) {
		return nil, fmt.Errorf("--bundle %s: no %s there", dir, cloud.ModuleName)
	}
	return b, err
}

// cloudError maps the cloud errors to exit codes: a rate limit is the
// server being unavailable; everything else is a failure.
type cloudError struct{ err error }

func (c cloudError) Error() string { return c.err.Error() }
func (c cloudError) Unwrap() error { return c.err }
func (c cloudError) ExitCode() int {
	var rl *cloud.RateLimitError
	if errors.As(c.err, &rl) {
		return ExitUnavailable
	}
	return ExitFailure
}

// confirm asks q on out and reads a line from in; only y or yes is yes.
// End of input is no.
func confirm(in *bufio.Reader, out io.Writer, q string) (bool, error) {
	fmt.Fprintf(out, "\n%s [y/N] ", q)
	line, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// daemonConfig is config.toml's [sync] table, read and written fresh each
// time so that concurrent edits of other keys are kept.
type daemonConfig struct{ path string }

func (c daemonConfig) ServerURL() (string, error) {
	cfg, err := config.Load(c.path)
	return cfg.Sync.ServerURL, err
}

func (c daemonConfig) SetServerURL(url string) error {
	return c.modify(func(s *config.SyncConfig) { s.ServerURL = url })
}

func (c daemonConfig) GitHubClientID() (string, error) {
	cfg, err := config.Load(c.path)
	return cfg.Sync.GitHubClientID, err
}

func (c daemonConfig) SetGitHubClientID(id string) error {
	return c.modify(func(s *config.SyncConfig) { s.GitHubClientID = id })
}

func (c daemonConfig) modify(f func(*config.SyncConfig)) error {
	cfg, err := config.Load(c.path)
	if err != nil {
		return err
	}
	f(&cfg.Sync)
	return config.Save(c.path, cfg)
}
