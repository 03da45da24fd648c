package cloud

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"

	"github.com/cloudflare/cloudflare-go/v6/workers"

	"github.com/worktime/worktime/internal/clock"
)

// Secret names the Worker reads.
const (
	SecretJWT          = "JWT_SECRET"
	SecretGitHubClient = "GITHUB_CLIENT_SECRET"
	// VarGitHubClientID is the plain-text variable --github-client-id sets.
	VarGitHubClientID = "GITHUB_CLIENT_ID"
	// VarWorkerVersion is the plain-text variable that records the
	// uploaded bundle's version (which ends in its hash). The upload's
	// workers/tag annotation says the same, but a settings change (a new
	// secret) deploys a version without the upload's annotations, while
	// bindings are kept: the variable is what deploy and status compare.
	VarWorkerVersion = "WORKTIME_VERSION"
)

// migrationsTable is the table wrangler records applied migrations in, with
// wrangler's own definition, so `wrangler d1 migrations apply` agrees.
const migrationsTable = `CREATE TABLE IF NOT EXISTS d1_migrations(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`

// DaemonConfig is the daemon's [sync] settings in config.toml: the server
// URL it syncs with and the GitHub OAuth client ID its sign-in uses.
type DaemonConfig interface {
	ServerURL() (string, error)
	SetServerURL(url string) error
	GitHubClientID() (string, error)
	SetGitHubClientID(id string) error
}

// Confirm asks a yes/no question; it returns false on anything but yes.
type Confirm func(question string) (bool, error)

// Target names what deploy manages on the account.
type Target struct {
	AccountID string
	// Name is the Worker's and the D1 database's name; the KV namespace is
	// Name + "-kv".
	Name string
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

var accountRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Validate checks the account ID and the name before anything is called.
func (t Target) Validate() error {
	if t.AccountID == "" {
		return errors.New("--account-id is required (Workers & Pages → Account ID in the dashboard, or CLOUDFLARE_ACCOUNT_ID)")
	}
	if !accountRE.MatchString(t.AccountID) {
		return fmt.Errorf("account ID %q is not 32 hexadecimal digits", t.AccountID)
	}
	if !nameRE.MatchString(t.Name) {
		return fmt.Errorf("name %q must be 1-63 lowercase letters, digits or dashes, not starting or ending with a dash", t.Name)
	}
	return nil
}

// KVTitle is the title of the KV namespace deploy creates.
func (t Target) KVTitle() string { return t.Name + "-kv" }

// DeployOptions are the user's choices for one deploy.
type DeployOptions struct {
	Target
	// GitHubClientID sets GITHUB_CLIENT_ID; empty keeps the deployed value
	// (or the bundle's default on a first deploy).
	GitHubClientID string
	// GitHubClientSecret, when set, is stored as the GITHUB_CLIENT_SECRET secret.
	GitHubClientSecret string
	// DryRun prints the plan and makes only read calls.
	DryRun bool
	// Shards is the number of D1 databases users are spread over (1 to
	// MaxShards); 0 keeps what the account has (one on a first deploy).
	// More than the account has adds shards; fewer is refused
	// (ErrFewerShards).
	Shards int
}

// Deployer runs deploy, status and destroy against one account.
type Deployer struct {
	// API is the Cloudflare client (NewClient); required.
	API *Client
	// Bundle is what deploy uploads; status compares against it when set.
	Bundle *Bundle
	// Out receives progress lines; required.
	Out io.Writer
	// Rand is the source of the JWT secret; defaults to crypto/rand.
	Rand io.Reader
	// Config is the daemon's config; nil skips pointing the daemon at the
	// backend.
	Config DaemonConfig
	// Confirm asks before replacing another server URL; nil means "no".
	Confirm Confirm
	// Clock tells usage which days are the last whole ones; nil is the
	// real clock.
	Clock clock.Clock
}

// DeployResult is what a deploy did (or, in a dry run, would do).
type DeployResult struct {
	URL string
	// DatabaseID is shard 0's database; DatabaseIDs every shard's that
	// exists, shard 0 first.
	DatabaseID  string
	DatabaseIDs []string
	// GitHubClientID is the GITHUB_CLIENT_ID the Worker has (or would have).
	GitHubClientID string
	KVID           string
	// Changes lists each change made (or planned), in order; empty when the
	// account already matched.
	Changes []string
	// Applied are the migrations applied (or pending in a dry run).
	Applied []string
	// ConfigUpdated is true when config.toml now points at URL.
	ConfigUpdated bool
}

// Deploy makes the account match the bundle, one step at a time with a
// progress line each, then prints a summary. Every step reads before it
// writes, so a re-run changes nothing and a run interrupted at any step
// completes on the next; a dry run makes only read calls.
func (d *Deployer) Deploy(ctx context.Context, o DeployOptions) (*DeployResult, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if d.Bundle == nil {
		return nil, fmt.Errorf("deploy: %w", ErrNoBundle)
	}
	if o.Shards < 0 || o.Shards > MaxShards {
		return nil, fmt.Errorf("deploy: --shards %d: want 1 to %d", o.Shards, MaxShards)
	}
	r := &deployRun{d: d, o: o, acct: account{api: d.API, id: o.AccountID}, res: &DeployResult{}}
	if o.DryRun {
		fmt.Fprintf(d.Out, "Dry run: reading account %s, changing nothing.\n", o.AccountID)
	}
	fmt.Fprintf(d.Out, "Deploying worker %s as %q.\n", d.Bundle.Version, o.Name)
	steps := r.steps()
	for i, s := range steps {
		fmt.Fprintf(d.Out, "[%d/%d] %s: ", i+1, len(steps), s.title)
		msg, err := s.run(ctx)
		if err != nil {
			fmt.Fprintln(d.Out, "failed")
			return r.res, err
		}
		fmt.Fprintln(d.Out, msg)
	}
	d.summary(o, r.res)
	return r.res, nil
}

// binding is one non-secret binding deploy wants, in a form that can be
// both uploaded and compared with what the settings API returns.
type binding struct {
	Name, Type string
	// ID is the database or namespace ID; Text a plain-text value.
	ID, Text  string
	Ratelimit *Ratelimit
	JSON      any
}

// VarNewUserShards is the variable naming the shards that take new users
// (worker/src/shards.ts); empty means every shard.
const VarNewUserShards = "NEW_USER_SHARDS"

// bindings are the Worker's non-secret bindings: one D1 binding per shard
// (DB, DB_1, …), KV, the rate limiters and the vars, with
// GITHUB_CLIENT_ID and NEW_USER_SHARDS as given.
func (d *Deployer) bindings(dbIDs []string, kvID, clientID, newUserShards string) []binding {
	cfg := d.Bundle.Config
	var out []binding
	for i, id := range dbIDs {
		out = append(out, binding{Name: shardBinding(cfg.D1Binding(), i), Type: "d1", ID: id})
	}
	out = append(out, binding{Name: cfg.KVBinding(), Type: "kv_namespace", ID: kvID})
	for i := range cfg.Ratelimits {
		r := cfg.Ratelimits[i]
		out = append(out, binding{Name: r.Name, Type: "ratelimit", ID: r.NamespaceID, Ratelimit: &r})
	}
	vars := map[string]any{}
	for n, v := range cfg.Vars {
		vars[n] = v
	}
	if newUserShards != "" {
		vars[VarNewUserShards] = newUserShards
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == VarWorkerVersion {
			continue // deploy's own, added below
		}
		v := vars[n]
		if n == VarGitHubClientID && clientID != "" {
			v = clientID
		}
		if s, ok := v.(string); ok {
			out = append(out, binding{Name: n, Type: "plain_text", Text: s})
		} else {
			out = append(out, binding{Name: n, Type: "json", JSON: v})
		}
	}
	out = append(out, binding{Name: VarWorkerVersion, Type: "plain_text", Text: d.Bundle.Version})
	return out
}

// deployedVersion is the bundle version of the deployed script: the
// VarWorkerVersion binding, or the workers/tag annotation of a script that
// predates it. "" means it was not deployed by worktimed.
func deployedVersion(s *workers.ScriptScriptAndVersionSettingGetResponse) string {
	for _, b := range s.Bindings {
		if b.Name == VarWorkerVersion && string(b.Type) == "plain_text" {
			return b.Text
		}
	}
	return s.Annotations.WorkersTag
}

// bindingsMatch reports whether the deployed bindings carry every wanted
// binding with the same target (secrets are compared elsewhere).
func bindingsMatch(have []workers.ScriptScriptAndVersionSettingGetResponseBinding, want []binding) bool {
	byName := map[string]workers.ScriptScriptAndVersionSettingGetResponseBinding{}
	nonSecret := 0
	for _, b := range have {
		byName[b.Name] = b
		if t := string(b.Type); t != "secret_text" && t != "secret_key" {
			nonSecret++
		}
	}
	if nonSecret != len(want) {
		return false
	}
	for _, w := range want {
		h, ok := byName[w.Name]
		if !ok || string(h.Type) != w.Type {
			return false
		}
		switch w.Type {
		case "d1":
			if h.DatabaseID != w.ID && h.ID != w.ID {
				return false
			}
		case "kv_namespace", "ratelimit":
			if h.NamespaceID != w.ID {
				return false
			}
		case "plain_text":
			if h.Text != w.Text {
				return false
			}
		}
	}
	return true
}

func (d *Deployer) metadata(want []binding) workers.ScriptUpdateParamsMetadata {
	var bs []workers.ScriptUpdateParamsMetadataBindingUnion
	for _, b := range want {
		switch b.Type {
		case "d1":
			var x workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindD1
			set(&x.Name, b.Name)
			set(&x.DatabaseID, b.ID)
			set(&x.Type, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindD1TypeD1)
			bs = append(bs, x)
		case "kv_namespace":
			var x workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindKVNamespace
			set(&x.Name, b.Name)
			set(&x.NamespaceID, b.ID)
			set(&x.Type, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindKVNamespaceTypeKVNamespace)
			bs = append(bs, x)
		case "ratelimit":
			var simple workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimitSimple
			set(&simple.Limit, b.Ratelimit.Simple.Limit)
			set(&simple.Period, b.Ratelimit.Simple.Period)
			var x workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimit
			set(&x.Name, b.Name)
			set(&x.NamespaceID, b.ID)
			set(&x.Simple, simple)
			set(&x.Type, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimitTypeRatelimit)
			bs = append(bs, x)
		case "plain_text":
			var x workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindPlainText
			set(&x.Name, b.Name)
			set(&x.Text, b.Text)
			set(&x.Type, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindPlainTextTypePlainText)
			bs = append(bs, x)
		case "json":
			var x workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindJson
			set(&x.Name, b.Name)
			set(&x.Json, b.JSON)
			set(&x.Type, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindJsonTypeJson)
			bs = append(bs, x)
		}
	}
	cfg := d.Bundle.Config
	var annotations workers.ScriptUpdateParamsMetadataAnnotations
	set(&annotations.WorkersTag, d.Bundle.Version)
	set(&annotations.WorkersMessage, "worktimed cloud deploy "+d.Bundle.Version)
	var meta workers.ScriptUpdateParamsMetadata
	set(&meta.MainModule, ModuleName)
	set(&meta.CompatibilityDate, cfg.CompatibilityDate)
	set(&meta.Bindings, bs)
	// Secrets are set through their own API; an upload keeps them.
	set(&meta.KeepBindings, []string{"secret_text", "secret_key"})
	set(&meta.Annotations, annotations)
	if len(cfg.CompatibilityFlags) > 0 {
		set(&meta.CompatibilityFlags, cfg.CompatibilityFlags)
	}
	if cfg.Placement != nil {
		var p workers.ScriptUpdateParamsMetadataPlacementObject
		set(&p.Mode, workers.ScriptUpdateParamsMetadataPlacementObjectMode(cfg.Placement.Mode))
		set(&meta.Placement, workers.ScriptUpdateParamsMetadataPlacementUnion(p))
	}
	if o := cfg.Observability; o != nil {
		var x workers.ScriptUpdateParamsMetadataObservability
		set(&x.Enabled, o.Enabled)
		if o.HeadSamplingRate != nil {
			set(&x.HeadSamplingRate, *o.HeadSamplingRate)
		}
		set(&meta.Observability, x)
	}
	return meta
}

// settingsMatch reports whether the deployed script has the placement and
// observability the bundle asks for; settings it does not ask for are left
// as they are.
func settingsMatch(s *workers.ScriptScriptAndVersionSettingGetResponse, cfg WorkerConfig) bool {
	if cfg.Placement != nil && string(s.Placement.Mode) != cfg.Placement.Mode {
		return false
	}
	if o := cfg.Observability; o != nil {
		if s.Observability.Enabled != o.Enabled {
			return false
		}
		// An unset rate reads back as the default, 1, or as nothing.
		have, want := s.Observability.HeadSamplingRate, 1.0
		if o.HeadSamplingRate != nil {
			want = *o.HeadSamplingRate
		}
		if have != want && (have != 0 || want != 1) {
			return false
		}
	}
	return true
}

// newSecret returns 32 random bytes, base64url-encoded.
func (d *Deployer) newSecret() (string, error) {
	r := d.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("generate %s: %w", SecretJWT, err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (d *Deployer) summary(o DeployOptions, res *DeployResult) {
	fmt.Fprintln(d.Out)
	switch {
	case o.DryRun && len(res.Changes) == 0:
		fmt.Fprintln(d.Out, "Dry run: the account already matches; deploy would change nothing.")
	case o.DryRun:
		fmt.Fprintf(d.Out, "Dry run: deploy would make %d change(s):\n", len(res.Changes))
	case len(res.Changes) == 0:
		fmt.Fprintln(d.Out, "Nothing to change: the account already matches this worker.")
	default:
		fmt.Fprintf(d.Out, "Done: %d change(s):\n", len(res.Changes))
	}
	for _, c := range res.Changes {
		fmt.Fprintf(d.Out, "  - %s\n", c)
	}
	if !o.DryRun {
		fmt.Fprintf(d.Out, "Backend: %s\n", res.URL)
		if res.ConfigUpdated {
			fmt.Fprintln(d.Out, "Next: worktimed login (signs this device in to the backend)")
		}
	}
}
