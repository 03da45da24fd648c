package cloud

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// D1's size caps per database.
const (
	D1CapFree int64 = 500 << 20
	D1CapPaid int64 = 10 << 30
)

// Status is what exists on the account and how it is doing.
type Status struct {
	// Database is shard 0's database (nil: missing); Shards every shard's,
	// shard 0 first, nil where a shard's database is missing.
	Database *DatabaseStatus
	Shards   []*DatabaseStatus
	KV       *namespace
	Worker   *WorkerStatus
	// URL is the workers.dev URL when the route is enabled.
	URL string
}

// DatabaseStatus describes the D1 database.
type DatabaseStatus struct {
	ID     string
	Size   int64
	Tables []string
	// Applied are the migrations recorded in d1_migrations; Pending the
	// embedded ones not yet applied.
	Applied []string
	Pending []string
}

// WorkerStatus describes the deployed script.
type WorkerStatus struct {
	// Version is the deployed version (its WORKTIME_VERSION variable, or
	// the upload's tag for a Worker deployed before it existed).
	Version string
	// Matches is true when it is the version embedded in this binary.
	Matches bool
	Secrets []string
	// Shards is how many D1 databases the Worker binds.
	Shards int
}

// Status reads the account and prints a report to Out. It only reads.
func (d *Deployer) Status(ctx context.Context, t Target) (*Status, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	acct := account{api: d.API, id: t.AccountID}
	st := &Status{}
	out := d.Out

	found, err := acct.findShards(ctx, t)
	if err != nil {
		return nil, err
	}
	n := shardsInUse(found)
	if n == 0 {
		fmt.Fprintf(out, "D1 database %s: missing\n", t.Name)
	}
	for i := range n {
		name := t.ShardDatabase(i)
		db := found[i]
		if db == nil {
			fmt.Fprintf(out, "D1 database %s (shard %d): missing (run worktimed cloud deploy)\n", name, i)
			st.Shards = append(st.Shards, nil)
			continue
		}
		ds, err := d.databaseStatus(ctx, acct, db.ID)
		if err != nil {
			return nil, err
		}
		st.Shards = append(st.Shards, ds)
		if i == 0 {
			st.Database = ds
		}
		shard := ""
		if n > 1 {
			shard = fmt.Sprintf(", shard %d of %d", i, n)
		}
		fmt.Fprintf(out, "D1 database %s (%s%s)\n", name, db.ID, shard)
		fmt.Fprintf(out, "  size: %s (%.1f%% of the %s Workers Free cap, %.2f%% of the %s Workers Paid cap)\n",
			humanBytes(ds.Size), pct(ds.Size, D1CapFree), humanBytes(D1CapFree), pct(ds.Size, D1CapPaid), humanBytes(D1CapPaid))
		fmt.Fprintf(out, "  tables: %s\n", orNone(ds.Tables))
		fmt.Fprintf(out, "  migrations: %d applied", len(ds.Applied))
		if len(ds.Pending) > 0 {
			fmt.Fprintf(out, ", pending: %s (run worktimed cloud deploy)", strings.Join(ds.Pending, ", "))
		}
		fmt.Fprintln(out)
	}
	if n > 1 {
		var total, largest int64
		for _, ds := range st.Shards {
			if ds != nil {
				total += ds.Size
				largest = max(largest, ds.Size)
			}
		}
		fmt.Fprintf(out, "D1 shards: %d, %s in all; the largest holds %.2f%% of the %s cap\n", n, humanBytes(total), pct(largest, D1CapPaid), humanBytes(D1CapPaid))
	}

	ns, err := acct.findNamespace(ctx, t.KVTitle())
	if err != nil {
		return nil, err
	}
	st.KV = ns
	if ns == nil {
		fmt.Fprintf(out, "KV namespace %s: missing\n", t.KVTitle())
	} else {
		fmt.Fprintf(out, "KV namespace %s (%s)\n", ns.Title, ns.ID)
	}

	settings, err := acct.scriptSettings(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	if settings == nil {
		fmt.Fprintf(out, "Worker %s: missing\n", t.Name)
		return st, nil
	}
	ws := &WorkerStatus{Version: deployedVersion(settings)}
	for _, b := range settings.Bindings {
		if string(b.Type) == "secret_text" {
			ws.Secrets = append(ws.Secrets, b.Name)
		}
	}
	sort.Strings(ws.Secrets)
	st.Worker = ws
	deployed := orUnknown(ws.Version)
	fmt.Fprintf(out, "Worker %s: version %s", t.Name, deployed)
	switch {
	case d.Bundle == nil:
		fmt.Fprintf(out, " (this binary has no embedded worker to compare)\n")
	case ws.Version == d.Bundle.Version:
		ws.Matches = true
		fmt.Fprintf(out, " (matches this binary)\n")
	default:
		fmt.Fprintf(out, " (this binary has %s: run worktimed cloud deploy to update)\n", d.Bundle.Version)
	}
	bound := 0
	for _, b := range settings.Bindings {
		if string(b.Type) == "d1" {
			bound++
		}
	}
	ws.Shards = bound
	fmt.Fprintf(out, "  secrets: %s\n", orNone(ws.Secrets))
	if n := len(st.Shards); bound != n && n > 0 {
		fmt.Fprintf(out, "  warning: the Worker binds %d D1 database(s) but the account has %d shard(s); run worktimed cloud deploy to bind them all\n", bound, n)
	}
	if !containsString(ws.Secrets, SecretJWT) {
		fmt.Fprintf(out, "  warning: %s is missing; sign-in will fail until deploy runs again\n", SecretJWT)
	}

	sub, err := acct.accountSubdomain(ctx)
	if err != nil && !errors.Is(err, ErrNoSubdomain) {
		return nil, err
	}
	enabled, err := acct.routeEnabled(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	if enabled && sub != "" {
		st.URL = fmt.Sprintf("https://%s.%s.workers.dev", t.Name, sub)
		fmt.Fprintf(out, "  route: %s\n", st.URL)
	} else {
		fmt.Fprintf(out, "  route: workers.dev route not enabled\n")
	}
	return st, nil
}

// databaseStatus reads one database's size, tables and migrations.
func (d *Deployer) databaseStatus(ctx context.Context, acct account, id string) (*DatabaseStatus, error) {
	full, err := acct.getDatabase(ctx, id)
	if err != nil {
		return nil, err
	}
	ds := &DatabaseStatus{ID: id, Size: full.FileSize}
	rows, err := acct.query(ctx, id, "list the database's tables", statement{
		SQL: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows[0] {
		if n, ok := r["name"].(string); ok {
			ds.Tables = append(ds.Tables, n)
		}
	}
	applied := map[string]bool{}
	if containsString(ds.Tables, "d1_migrations") {
		rows, err := acct.query(ctx, id, "read the applied D1 migrations", statement{SQL: "SELECT name FROM d1_migrations ORDER BY id"})
		if err != nil {
			return nil, err
		}
		for _, r := range rows[0] {
			if n, ok := r["name"].(string); ok {
				ds.Applied = append(ds.Applied, n)
				applied[n] = true
			}
		}
	}
	if d.Bundle != nil {
		for _, m := range d.Bundle.Migrations {
			if !applied[m.Name] {
				ds.Pending = append(ds.Pending, m.Name)
			}
		}
	}
	return ds, nil
}

// orUnknown names a version that is not known.
func orUnknown(version string) string {
	if version == "" {
		return "unknown (not deployed by worktimed)"
	}
	return version
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func pct(n, of int64) float64 { return float64(n) * 100 / float64(of) }

func humanBytes(n int64) string {
	f := func(v float64, unit string) string {
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " " + unit
	}
	switch {
	case n >= 1<<30:
		return f(float64(n)/(1<<30), "GB")
	case n >= 1<<20:
		return f(float64(n)/(1<<20), "MB")
	case n >= 1<<10:
		return f(float64(n)/(1<<10), "kB")
	}
	return fmt.Sprintf("%d B", n)
}
