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
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/workers"
)

// Secret names the Worker reads.
const (
	SecretJWT          = "JWT_SECRET"
	SecretGitHubClient = "GITHUB_CLIENT_SECRET"
	// VarGitHubClientID is the plain-text variable --github-client-id sets.
	VarGitHubClientID = "GITHUB_CLIENT_ID"
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
}

// Deployer runs deploy, status and destroy against one account.
type Deployer struct {
	// API is the cloudflare-go client (NewClient); required.
	API *cloudflare.Client
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
}

// DeployResult is what a deploy did (or, in a dry run, would do).
type DeployResult struct {
	URL        string
	DatabaseID string
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

const deploySteps = 7

type progress struct {
	out  io.Writer
	step int
}

func (p *progress) start(title string) {
	p.step++
	fmt.Fprintf(p.out, "[%d/%d] %s: ", p.step, deploySteps, title)
}

func (p *progress) done(format string, args ...any) {
	fmt.Fprintf(p.out, format+"\n", args...)
}

// Deploy makes the account match the bundle. Every step first reads what
// exists, so a re-run changes nothing and a run interrupted at any step
// completes on the next.
func (d *Deployer) Deploy(ctx context.Context, o DeployOptions) (*DeployResult, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if d.Bundle == nil {
		return nil, fmt.Errorf("deploy: %w", ErrNoBundle)
	}
	acct := account{api: d.API, id: o.AccountID}
	res := &DeployResult{}
	change := func(format string, args ...any) string {
		s := fmt.Sprintf(format, args...)
		res.Changes = append(res.Changes, s)
		return s
	}
	would := "created"
	if o.DryRun {
		would = "would create"
		fmt.Fprintf(d.Out, "Dry run: reading account %s, changing nothing.\n", o.AccountID)
	}
	fmt.Fprintf(d.Out, "Deploying worker %s as %q.\n", d.Bundle.Version, o.Name)
	p := &progress{out: d.Out}

	// 1. D1 database.
	p.start("D1 database " + o.Name)
	db, err := acct.findDatabase(ctx, o.Name)
	if err != nil {
		p.done("failed")
		return res, err
	}
	switch {
	case db != nil:
		p.done("exists (%s)", db.ID)
	case o.DryRun:
		p.done("%s", change("would create D1 database %s", o.Name))
	default:
		if db, err = acct.createDatabase(ctx, o.Name); err != nil {
			p.done("failed")
			return res, err
		}
		change("created D1 database %s", o.Name)
		p.done("%s (%s)", would, db.ID)
	}
	if db != nil {
		res.DatabaseID = db.ID
	}

	// 2. KV namespace.
	p.start("KV namespace " + o.KVTitle())
	ns, err := acct.findNamespace(ctx, o.KVTitle())
	if err != nil {
		p.done("failed")
		return res, err
	}
	switch {
	case ns != nil:
		p.done("exists (%s)", ns.ID)
	case o.DryRun:
		p.done("%s", change("would create KV namespace %s", o.KVTitle()))
	default:
		if ns, err = acct.createNamespace(ctx, o.KVTitle()); err != nil {
			p.done("failed")
			return res, err
		}
		change("created KV namespace %s", o.KVTitle())
		p.done("%s (%s)", would, ns.ID)
	}
	if ns != nil {
		res.KVID = ns.ID
	}

	// 3. Migrations.
	p.start("D1 migrations")
	var applied map[string]bool
	if db != nil {
		if applied, err = d.appliedMigrations(ctx, acct, db.ID, !o.DryRun); err != nil {
			p.done("failed")
			return res, err
		}
	}
	known := map[string]bool{}
	var pending []Migration
	for _, m := range d.Bundle.Migrations {
		known[m.Name] = true
		if !applied[m.Name] {
			pending = append(pending, m)
		}
	}
	var unknown []string
	for name := range applied {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		p.done("failed")
		return res, fmt.Errorf("deploy: %w: %s", ErrNewerDatabase, strings.Join(unknown, ", "))
	}
	if len(pending) == 0 {
		p.done("up to date (%d applied)", len(d.Bundle.Migrations))
	} else if o.DryRun {
		for _, m := range pending {
			res.Applied = append(res.Applied, m.Name)
		}
		p.done("%s", change("would apply %s", strings.Join(res.Applied, ", ")))
	} else {
		for i, m := range pending {
			fmt.Fprintf(d.Out, "\n      applying %s (%d/%d)", m.Name, i+1, len(pending))
			// One batch is one transaction: the migration and its record in
			// d1_migrations land together or not at all.
			_, err := acct.query(ctx, db.ID, "apply migration "+m.Name,
				statement{SQL: m.SQL},
				statement{SQL: "INSERT INTO d1_migrations (name) VALUES (?1)", Params: []string{m.Name}},
			)
			if err != nil {
				p.done(" failed")
				return res, err
			}
			res.Applied = append(res.Applied, m.Name)
			change("applied migration %s", m.Name)
		}
		p.done("\n      applied %d", len(pending))
	}

	// 4. Worker script.
	p.start("Worker " + o.Name)
	settings, err := acct.scriptSettings(ctx, o.Name)
	if err != nil {
		p.done("failed")
		return res, err
	}
	deployedClientID := ""
	if settings != nil {
		for _, b := range settings.Bindings {
			if b.Name == VarGitHubClientID && string(b.Type) == "plain_text" {
				deployedClientID = b.Text
			}
		}
	}
	clientID := o.GitHubClientID
	if clientID == "" {
		clientID = deployedClientID
	}
	dbID, nsID := "", ""
	if db != nil {
		dbID = db.ID
	}
	if ns != nil {
		nsID = ns.ID
	}
	res.GitHubClientID = clientID
	want := d.bindings(dbID, nsID, clientID)
	switch {
	case settings != nil && settings.Annotations.WorkersTag == d.Bundle.Version && bindingsMatch(settings.Bindings, want):
		p.done("up to date (%s)", d.Bundle.Version)
	case o.DryRun && settings == nil:
		p.done("%s", change("would upload worker %s", d.Bundle.Version))
	case o.DryRun:
		p.done("%s", change("would update worker %s → %s", settings.Annotations.WorkersTag, d.Bundle.Version))
	default:
		if err := acct.uploadScript(ctx, o.Name, d.Bundle.Script, d.metadata(want)); err != nil {
			p.done("failed")
			return res, err
		}
		p.done("%s", change("uploaded worker %s", d.Bundle.Version))
	}

	// 5. Secrets.
	p.start("Secrets")
	have := map[string]bool{}
	if settings != nil || !o.DryRun {
		if have, err = acct.secretNames(ctx, o.Name); err != nil {
			p.done("failed")
			return res, err
		}
	}
	var notes []string
	if have[SecretJWT] {
		notes = append(notes, SecretJWT+" kept")
	} else if o.DryRun {
		notes = append(notes, change("would generate %s", SecretJWT))
	} else {
		secret, err := d.newSecret()
		if err != nil {
			p.done("failed")
			return res, err
		}
		if err := acct.putSecret(ctx, o.Name, SecretJWT, secret); err != nil {
			p.done("failed")
			return res, err
		}
		notes = append(notes, change("generated %s", SecretJWT))
	}
	switch {
	case o.GitHubClientSecret != "" && o.DryRun:
		notes = append(notes, change("would set %s from the environment", SecretGitHubClient))
	case o.GitHubClientSecret != "":
		if err := acct.putSecret(ctx, o.Name, SecretGitHubClient, o.GitHubClientSecret); err != nil {
			p.done("failed")
			return res, err
		}
		notes = append(notes, change("set %s from the environment", SecretGitHubClient))
	case have[SecretGitHubClient]:
		notes = append(notes, SecretGitHubClient+" kept")
	default:
		notes = append(notes, SecretGitHubClient+" not set (GitHub sign-in needs it: run again with GITHUB_CLIENT_SECRET set)")
	}
	p.done("%s", strings.Join(notes, "; "))

	// 6. workers.dev route.
	p.start("workers.dev route")
	sub, err := acct.accountSubdomain(ctx)
	if err != nil {
		p.done("failed")
		return res, err
	}
	res.URL = fmt.Sprintf("https://%s.%s.workers.dev", o.Name, sub)
	enabled := false
	if settings != nil || !o.DryRun {
		if enabled, err = acct.routeEnabled(ctx, o.Name); err != nil {
			p.done("failed")
			return res, err
		}
	}
	switch {
	case enabled:
		p.done("enabled (%s)", res.URL)
	case o.DryRun:
		p.done("%s", change("would enable %s", res.URL))
	default:
		if err := acct.enableRoute(ctx, o.Name); err != nil {
			p.done("failed")
			return res, err
		}
		p.done("%s", change("enabled %s", res.URL))
	}

	// 7. The daemon's config.
	p.start("Daemon config")
	if err := d.configure(ctx, o.DryRun, res, change); err != nil {
		p.done("failed")
		return res, err
	}

	d.summary(o, res)
	return res, nil
}

// appliedMigrations reads d1_migrations. When create is false (dry run) it
// does not create the table and treats a missing one as "none applied".
func (d *Deployer) appliedMigrations(ctx context.Context, acct account, dbID string, create bool) (map[string]bool, error) {
	const op = "read the applied D1 migrations"
	if create {
		if _, err := acct.query(ctx, dbID, "create the d1_migrations table", statement{SQL: migrationsTable}); err != nil {
			return nil, err
		}
	} else {
		rows, err := acct.query(ctx, dbID, op, statement{
			SQL: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1", Params: []string{"d1_migrations"},
		})
		if err != nil {
			return nil, err
		}
		if len(rows[0]) == 0 {
			return map[string]bool{}, nil
		}
	}
	rows, err := acct.query(ctx, dbID, op, statement{SQL: "SELECT name FROM d1_migrations ORDER BY id"})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rows[0] {
		if n, ok := r["name"].(string); ok {
			out[n] = true
		}
	}
	return out, nil
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

func (d *Deployer) bindings(dbID, kvID, clientID string) []binding {
	cfg := d.Bundle.Config
	out := []binding{
		{Name: cfg.D1Binding(), Type: "d1", ID: dbID},
		{Name: cfg.KVBinding(), Type: "kv_namespace", ID: kvID},
	}
	for i := range cfg.Ratelimits {
		r := cfg.Ratelimits[i]
		out = append(out, binding{Name: r.Name, Type: "ratelimit", ID: r.NamespaceID, Ratelimit: &r})
	}
	names := make([]string, 0, len(cfg.Vars))
	for n := range cfg.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := cfg.Vars[n]
		if n == VarGitHubClientID && clientID != "" {
			v = clientID
		}
		if s, ok := v.(string); ok {
			out = append(out, binding{Name: n, Type: "plain_text", Text: s})
		} else {
			out = append(out, binding{Name: n, Type: "json", JSON: v})
		}
	}
	return out
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
			bs = append(bs, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindD1{
				Name: cloudflare.F(b.Name), DatabaseID: cloudflare.F(b.ID),
				Type: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindD1TypeD1),
			})
		case "kv_namespace":
			bs = append(bs, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindKVNamespace{
				Name: cloudflare.F(b.Name), NamespaceID: cloudflare.F(b.ID),
				Type: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindKVNamespaceTypeKVNamespace),
			})
		case "ratelimit":
			bs = append(bs, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimit{
				Name: cloudflare.F(b.Name), NamespaceID: cloudflare.F(b.ID),
				Simple: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimitSimple{
					Limit: cloudflare.F(b.Ratelimit.Simple.Limit), Period: cloudflare.F(b.Ratelimit.Simple.Period),
				}),
				Type: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindRatelimitTypeRatelimit),
			})
		case "plain_text":
			bs = append(bs, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindPlainText{
				Name: cloudflare.F(b.Name), Text: cloudflare.F(b.Text),
				Type: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindPlainTextTypePlainText),
			})
		case "json":
			bs = append(bs, workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindJson{
				Name: cloudflare.F(b.Name), Json: cloudflare.F[any](b.JSON),
				Type: cloudflare.F(workers.ScriptUpdateParamsMetadataBindingsWorkersBindingKindJsonTypeJson),
			})
		}
	}
	cfg := d.Bundle.Config
	meta := workers.ScriptUpdateParamsMetadata{
		MainModule:        cloudflare.F(ModuleName),
		CompatibilityDate: cloudflare.F(cfg.CompatibilityDate),
		Bindings:          cloudflare.F(bs),
		// Secrets are set through their own API; an upload keeps them.
		KeepBindings: cloudflare.F([]string{"secret_text", "secret_key"}),
		Annotations: cloudflare.F(workers.ScriptUpdateParamsMetadataAnnotations{
			WorkersTag:     cloudflare.F(d.Bundle.Version),
			WorkersMessage: cloudflare.F("worktimed cloud deploy " + d.Bundle.Version),
		}),
	}
	if len(cfg.CompatibilityFlags) > 0 {
		meta.CompatibilityFlags = cloudflare.F(cfg.CompatibilityFlags)
	}
	return meta
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

// configure points the daemon at the backend: server_url (asking before it
// replaces another URL) and, when the Worker has one, github_client_id.
func (d *Deployer) configure(_ context.Context, dryRun bool, res *DeployResult, change func(string, ...any) string) error {
	var notes []string
	defer func() { fmt.Fprintln(d.Out, strings.Join(notes, "; ")) }()
	if d.Config == nil {
		notes = append(notes, "skipped (no config)")
		return nil
	}
	cur, err := d.Config.ServerURL()
	if err != nil {
		notes = append(notes, "failed")
		return fmt.Errorf("read the daemon's server URL: %w", err)
	}
	url := res.URL
	switch {
	case cur == url:
		notes = append(notes, "server_url already "+url)
	case dryRun && cur == "":
		notes = append(notes, change("would set server_url to %s", url))
	case dryRun:
		notes = append(notes, change("would ask before replacing server_url %s with %s", cur, url))
	default:
		ok := cur == ""
		if !ok && d.Confirm != nil {
			if ok, err = d.Confirm(fmt.Sprintf("The daemon syncs with %s. Replace it with %s?", cur, url)); err != nil {
				notes = append(notes, "failed")
				return fmt.Errorf("ask before replacing the server URL: %w", err)
			}
		}
		if !ok {
			notes = append(notes, fmt.Sprintf("kept server_url %s (to switch later, set [sync] server_url = %q in config.toml)", cur, url))
			return nil
		}
		if err := d.Config.SetServerURL(url); err != nil {
			notes = append(notes, "failed")
			return fmt.Errorf("write the daemon's server URL: %w", err)
		}
		notes = append(notes, change("set server_url to %s", url))
	}
	if !dryRun {
		res.ConfigUpdated = true
	}
	// The client ID belongs to this backend: it follows the server URL.
	id := res.GitHubClientID
	if id == "" {
		return nil
	}
	curID, err := d.Config.GitHubClientID()
	if err != nil {
		return fmt.Errorf("read the daemon's GitHub client ID: %w", err)
	}
	switch {
	case curID == id:
	case dryRun:
		notes = append(notes, change("would set github_client_id to %s", id))
	default:
		if err := d.Config.SetGitHubClientID(id); err != nil {
			return fmt.Errorf("write the daemon's GitHub client ID: %w", err)
		}
		notes = append(notes, change("set github_client_id to %s", id))
	}
	return nil
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
