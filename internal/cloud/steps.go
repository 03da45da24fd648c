package cloud

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6/workers"
)

// deployRun is one deploy: what the steps found and decided so far.
type deployRun struct {
	d    *Deployer
	o    DeployOptions
	acct account
	res  *DeployResult

	// dbs are the shard databases, shard 0 first; an entry is nil until it
	// exists (or in a dry run, if it does not).
	dbs      []*database
	ns       *namespace
	settings *workers.ScriptScriptAndVersionSettingGetResponse // nil: no script yet
}

// step is one line of deploy's progress. run reads what exists, changes
// what differs (unless it is a dry run) and returns a one-line result.
type step struct {
	title string
	run   func(ctx context.Context) (string, error)
}

func (r *deployRun) steps() []step {
	title := "D1 database " + r.o.Name
	if r.o.Shards > 1 {
		title = fmt.Sprintf("D1 databases %s (%d shards)", r.o.Name, r.o.Shards)
	}
	return []step{
		{title, r.databases},
		{"KV namespace " + r.o.KVTitle(), r.namespace},
		{"D1 migrations", r.migrations},
		{"Worker " + r.o.Name, r.worker},
		{"Secrets", r.secrets},
		{"Cron Triggers", r.triggers},
		{"workers.dev route", r.route},
		{"Daemon config", r.config},
	}
}

// change records a change made (or planned) and returns its description.
func (r *deployRun) change(format string, args ...any) string {
	s := fmt.Sprintf(format, args...)
	r.res.Changes = append(r.res.Changes, s)
	return s
}

// databases finds or creates every shard's database, shard 0 first. The
// number of shards is --shards, or what the account has; fewer than the
// account has is refused before anything is written.
func (r *deployRun) databases(ctx context.Context) (string, error) {
	found, err := r.acct.findShards(ctx, r.o.Target)
	if err != nil {
		return "", err
	}
	n, err := wantShards(r.o.Shards, shardsInUse(found))
	if err != nil {
		return "", err
	}
	r.dbs = make([]*database, n)
	var notes []string
	for i := range n {
		name := r.o.ShardDatabase(i)
		db := found[i]
		switch {
		case db != nil:
			notes = append(notes, fmt.Sprintf("exists (%s)", db.ID))
		case r.o.DryRun:
			notes = append(notes, r.change("would create D1 database %s", name))
		default:
			if db, err = r.acct.createDatabase(ctx, name); err != nil {
				return "", err
			}
			r.change("created D1 database %s", name)
			notes = append(notes, "created ("+db.ID+")")
		}
		r.dbs[i] = db
		if db != nil {
			r.res.DatabaseIDs = append(r.res.DatabaseIDs, db.ID)
		}
	}
	if r.dbs[0] != nil {
		r.res.DatabaseID = r.dbs[0].ID
	}
	if n == 1 {
		return notes[0], nil
	}
	for i := range notes {
		notes[i] = fmt.Sprintf("\n      %s: %s", r.o.ShardDatabase(i), notes[i])
	}
	return strings.Join(notes, ""), nil
}

func (r *deployRun) namespace(ctx context.Context) (string, error) {
	title := r.o.KVTitle()
	ns, err := r.acct.findNamespace(ctx, title)
	if err != nil {
		return "", err
	}
	switch {
	case ns != nil:
		r.ns = ns
		r.res.KVID = ns.ID
		return fmt.Sprintf("exists (%s)", ns.ID), nil
	case r.o.DryRun:
		return r.change("would create KV namespace %s", title), nil
	}
	if ns, err = r.acct.createNamespace(ctx, title); err != nil {
		return "", err
	}
	r.ns = ns
	r.res.KVID = ns.ID
	r.change("created KV namespace %s", title)
	return "created (" + ns.ID + ")", nil
}

// migrations brings every shard to the bundle's migrations, shard by
// shard. Each migration is one transaction with its record, so a run
// stopped anywhere leaves every shard at a known version (the migrations in
// its d1_migrations table) and the next run applies the rest.
func (r *deployRun) migrations(ctx context.Context) (string, error) {
	var notes []string
	for i, db := range r.dbs {
		note, err := r.migrateShard(ctx, i, db)
		if err != nil {
			return "", err
		}
		if len(r.dbs) == 1 {
			return note, nil
		}
		notes = append(notes, fmt.Sprintf("\n      %s: %s", r.o.ShardDatabase(i), strings.TrimPrefix(note, "\n      ")))
	}
	return strings.Join(notes, ""), nil
}

// migrateShard applies the pending migrations to shard i's database (nil:
// it does not exist yet, in a dry run).
func (r *deployRun) migrateShard(ctx context.Context, i int, db *database) (string, error) {
	all := r.d.Bundle.Migrations
	name := r.o.ShardDatabase(i)
	// Shard 0 keeps the words of a deploy with one database.
	on := ""
	if i > 0 {
		on = " to " + name
	}
	applied := map[string]bool{}
	if db != nil {
		var err error
		if applied, err = r.appliedMigrations(ctx, db, !r.o.DryRun); err != nil {
			return "", err
		}
	}
	known := map[string]bool{}
	var pending []Migration
	for _, m := range all {
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
		return "", fmt.Errorf("deploy: %s: %w: %s", name, ErrNewerDatabase, strings.Join(unknown, ", "))
	}
	switch {
	case len(pending) == 0:
		return fmt.Sprintf("up to date (%d applied)", len(all)), nil
	case r.o.DryRun:
		var names []string
		for _, m := range pending {
			names = append(names, m.Name)
			r.res.Applied = append(r.res.Applied, m.Name+on)
		}
		return r.change("would apply %s%s", strings.Join(names, ", "), on), nil
	}
	for k, m := range pending {
		fmt.Fprintf(r.d.Out, "\n      applying %s%s (%d/%d)", m.Name, on, k+1, len(pending))
		// One query is one transaction: the migration and its record in
		// d1_migrations land together or not at all, so a failed or
		// interrupted deploy applies it again from the start.
		op := "apply migration " + m.Name + on
		if err := r.acct.exec(ctx, db.ID, op, migrationQuery(m)); err != nil {
			return "", err
		}
		// The results say each statement ran; the record says the whole
		// migration did, whatever the shape of the answer.
		rows, err := r.acct.query(ctx, db.ID, op, statement{
			SQL: "SELECT name FROM d1_migrations WHERE name = ?1", Params: []string{m.Name},
		})
		if err != nil {
			return "", err
		}
		if len(rows[0]) != 1 {
			return "", fmt.Errorf("%s: D1 reported success but d1_migrations does not record it", op)
		}
		r.res.Applied = append(r.res.Applied, m.Name+on)
		r.change("applied migration %s%s", m.Name, on)
	}
	return fmt.Sprintf("\n      applied %d", len(pending)), nil
}

// migrationQuery is the migration followed by its d1_migrations record, as
// one query string the way wrangler builds it (buildMigrationQuery in
// workers-sdk's packages/wrangler/src/d1/migrations/helpers.ts): what
// parameters mean for a query of several statements is not documented, so
// the name is a quoted literal (names are checked by LoadBundle). The
// record starts on its own line after a ";" so that a migration ending in a
// comment or without a final ";" still ends before it.
func migrationQuery(m Migration) string {
	sql := strings.TrimRight(m.SQL, " \t\r\n")
	if !strings.HasSuffix(sql, ";") {
		sql += "\n;"
	}
	return sql + "\nINSERT INTO d1_migrations (name) VALUES (" + sqlString(m.Name) + ");"
}

// sqlString is s as an SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// appliedMigrations reads d1_migrations. When create is false (dry run) it
// does not create the table and treats a missing one as "none applied".
func (r *deployRun) appliedMigrations(ctx context.Context, db *database, create bool) (map[string]bool, error) {
	const op = "read the applied D1 migrations"
	if create {
		if _, err := r.acct.query(ctx, db.ID, "create the d1_migrations table", statement{SQL: migrationsTable}); err != nil {
			return nil, err
		}
	} else {
		rows, err := r.acct.query(ctx, db.ID, op, statement{
			SQL: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1", Params: []string{"d1_migrations"},
		})
		if err != nil {
			return nil, err
		}
		if len(rows[0]) == 0 {
			return map[string]bool{}, nil
		}
	}
	rows, err := r.acct.query(ctx, db.ID, op, statement{SQL: "SELECT name FROM d1_migrations ORDER BY id"})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, row := range rows[0] {
		if n, ok := row["name"].(string); ok {
			out[n] = true
		}
	}
	return out, nil
}

func (r *deployRun) worker(ctx context.Context) (string, error) {
	settings, err := r.acct.scriptSettings(ctx, r.o.Name)
	if err != nil {
		return "", err
	}
	r.settings = settings
	// Without --github-client-id the deployed value is kept.
	clientID := r.o.GitHubClientID
	if clientID == "" && settings != nil {
		for _, b := range settings.Bindings {
			if b.Name == VarGitHubClientID && string(b.Type) == "plain_text" {
				clientID = b.Text
			}
		}
	}
	r.res.GitHubClientID = clientID
	newUsers := r.newUserShards(settings)
	dbIDs := make([]string, len(r.dbs))
	for i, db := range r.dbs {
		if db != nil {
			dbIDs[i] = db.ID
		}
	}
	var nsID string
	if r.ns != nil {
		nsID = r.ns.ID
	}
	want := r.d.bindings(dbIDs, nsID, clientID, newUsers)
	version := r.d.Bundle.Version
	switch {
	// want carries the version (VarWorkerVersion): matching bindings mean
	// this bundle is deployed, whatever secrets changed since; placement
	// and observability are compared too, so a script uploaded without
	// them (or changed in the dashboard) is brought back.
	case settings != nil && bindingsMatch(settings.Bindings, want) && settingsMatch(settings, r.d.Bundle.Config):
		return fmt.Sprintf("up to date (%s)", version), nil
	case r.o.DryRun && settings == nil:
		return r.change("would upload worker %s", version), nil
	case r.o.DryRun:
		return r.change("would update worker %s → %s", orUnknown(deployedVersion(settings)), version), nil
	}
	if err := r.acct.uploadScript(ctx, r.o.Name, r.d.Bundle.Script, r.d.metadata(want)); err != nil {
		return "", err
	}
	if newUsers != "" {
		return r.change("uploaded worker %s (new users go to shard(s) %s)", version, newUsers), nil
	}
	return r.change("uploaded worker %s", version), nil
}

// newUserShards is what NEW_USER_SHARDS should say. When this deploy adds
// shards to a Worker that already binds some, new users go to the added
// shards only, so that the old ones, which hold everybody so far, stop
// growing by sign-ups; otherwise the deployed value is kept (none: every
// shard). The deployed Worker's D1 bindings say how many shards it had, so
// a deploy interrupted after creating the databases still knows.
func (r *deployRun) newUserShards(settings *workers.ScriptScriptAndVersionSettingGetResponse) string {
	if settings == nil {
		return ""
	}
	bound, kept := 0, ""
	base := r.d.Bundle.Config.D1Binding()
	for _, b := range settings.Bindings {
		switch {
		case string(b.Type) == "d1" && (b.Name == base || strings.HasPrefix(b.Name, base+"_")):
			bound++
		case b.Name == VarNewUserShards && string(b.Type) == "plain_text":
			kept = b.Text
		}
	}
	if bound == 0 || len(r.dbs) <= bound {
		return kept
	}
	var added []string
	for i := bound; i < len(r.dbs); i++ {
		added = append(added, strconv.Itoa(i))
	}
	return strings.Join(added, ",")
}

// exists reports whether the script is on the account now: after the worker
// step it is, unless this is a dry run on an account without it.
func (r *deployRun) exists() bool { return r.settings != nil || !r.o.DryRun }

func (r *deployRun) secrets(ctx context.Context) (string, error) {
	have := map[string]bool{}
	if r.exists() {
		var err error
		if have, err = r.acct.secretNames(ctx, r.o.Name); err != nil {
			return "", err
		}
	}
	var notes []string
	switch {
	case have[SecretJWT]:
		// Kept, never regenerated: a new one would sign everybody out.
		notes = append(notes, SecretJWT+" kept")
	case r.o.DryRun:
		notes = append(notes, r.change("would generate %s", SecretJWT))
	default:
		secret, err := r.d.newSecret()
		if err != nil {
			return "", err
		}
		if err := r.acct.putSecret(ctx, r.o.Name, SecretJWT, secret); err != nil {
			return "", err
		}
		notes = append(notes, r.change("generated %s", SecretJWT))
	}
	switch {
	case r.o.GitHubClientSecret != "" && r.o.DryRun:
		notes = append(notes, r.change("would set %s from the environment", SecretGitHubClient))
	case r.o.GitHubClientSecret != "":
		if err := r.acct.putSecret(ctx, r.o.Name, SecretGitHubClient, r.o.GitHubClientSecret); err != nil {
			return "", err
		}
		notes = append(notes, r.change("set %s from the environment", SecretGitHubClient))
	case have[SecretGitHubClient]:
		notes = append(notes, SecretGitHubClient+" kept")
	default:
		notes = append(notes, SecretGitHubClient+" not set (GitHub sign-in needs it: run again with GITHUB_CLIENT_SECRET set)")
	}
	return strings.Join(notes, "; "), nil
}

// triggers sets the Worker's Cron Triggers to the bundle's (the scheduled
// handler that finishes account deletions); the order does not matter.
func (r *deployRun) triggers(ctx context.Context) (string, error) {
	want := slices.Sorted(slices.Values(r.d.Bundle.Config.Triggers.Crons))
	var have []string
	if r.exists() {
		var err error
		if have, err = r.acct.schedules(ctx, r.o.Name); err != nil {
			return "", err
		}
		slices.Sort(have)
	}
	list := strings.Join(want, ", ")
	if list == "" {
		list = "none"
	}
	switch {
	case slices.Equal(have, want) || len(have) == 0 && len(want) == 0:
		return fmt.Sprintf("up to date (%s)", list), nil
	case r.o.DryRun:
		return r.change("would set Cron Triggers: %s", list), nil
	}
	if err := r.acct.setSchedules(ctx, r.o.Name, want); err != nil {
		return "", err
	}
	return r.change("set Cron Triggers: %s", list), nil
}

func (r *deployRun) route(ctx context.Context) (string, error) {
	sub, err := r.acct.accountSubdomain(ctx)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("https://%s.%s.workers.dev", r.o.Name, sub)
	r.res.URL = url
	enabled := false
	if r.exists() {
		if enabled, err = r.acct.routeEnabled(ctx, r.o.Name); err != nil {
			return "", err
		}
	}
	switch {
	case enabled:
		return fmt.Sprintf("enabled (%s)", url), nil
	case r.o.DryRun:
		return r.change("would enable %s", url), nil
	}
	if err := r.acct.enableRoute(ctx, r.o.Name); err != nil {
		return "", err
	}
	return r.change("enabled %s", url), nil
}

// config points the daemon at the backend: server_url (asking before it
// replaces another URL) and, when the Worker has one, github_client_id.
func (r *deployRun) config(context.Context) (string, error) {
	c := r.d.Config
	if c == nil {
		return "skipped (no config)", nil
	}
	cur, err := c.ServerURL()
	if err != nil {
		return "", fmt.Errorf("read the daemon's server URL: %w", err)
	}
	url := r.res.URL
	var notes []string
	switch {
	case cur == url:
		notes = append(notes, "server_url already "+url)
	case r.o.DryRun && cur == "":
		notes = append(notes, r.change("would set server_url to %s", url))
	case r.o.DryRun:
		notes = append(notes, r.change("would ask before replacing server_url %s with %s", cur, url))
	default:
		ok := cur == ""
		if !ok && r.d.Confirm != nil {
			if ok, err = r.d.Confirm(fmt.Sprintf("The daemon syncs with %s. Replace it with %s?", cur, url)); err != nil {
				return "", fmt.Errorf("ask before replacing the server URL: %w", err)
			}
		}
		if !ok {
			return fmt.Sprintf("kept server_url %s (to switch later, set [sync] server_url = %q in config.toml)", cur, url), nil
		}
		if err := c.SetServerURL(url); err != nil {
			return "", fmt.Errorf("write the daemon's server URL: %w", err)
		}
		notes = append(notes, r.change("set server_url to %s", url))
	}
	if !r.o.DryRun {
		r.res.ConfigUpdated = true
	}
	// The client ID belongs to this backend: it follows the server URL.
	id := r.res.GitHubClientID
	if id == "" {
		return strings.Join(notes, "; "), nil
	}
	curID, err := c.GitHubClientID()
	if err != nil {
		return "", fmt.Errorf("read the daemon's GitHub client ID: %w", err)
	}
	switch {
	case curID == id:
	case r.o.DryRun:
		notes = append(notes, r.change("would set github_client_id to %s", id))
	default:
		if err := c.SetGitHubClientID(id); err != nil {
			return "", fmt.Errorf("write the daemon's GitHub client ID: %w", err)
		}
		notes = append(notes, r.change("set github_client_id to %s", id))
	}
	return strings.Join(notes, "; "), nil
}
