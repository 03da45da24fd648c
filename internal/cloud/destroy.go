package cloud

import (
	"context"
	"fmt"
)

// Destroy removes what deploy created: the Worker (with its secrets and
// route), the KV namespace, and last the D1 databases (every shard), after a warning that
// this deletes the synced data. Without yes it changes nothing and returns
// ErrNeedYes. Missing pieces are skipped, so an interrupted destroy
// completes on the next run.
func (d *Deployer) Destroy(ctx context.Context, t Target, yes bool) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("destroy: %w", err)
	}
	acct := account{api: d.API, id: t.AccountID}
	out := d.Out

	settings, err := acct.scriptSettings(ctx, t.Name)
	if err != nil {
		return err
	}
	ns, err := acct.findNamespace(ctx, t.KVTitle())
	if err != nil {
		return err
	}
	found, err := acct.findShards(ctx, t)
	if err != nil {
		return err
	}
	var dbs []*database // shard 0 first
	for i := range shardsInUse(found) {
		if db := found[i]; db != nil {
			dbs = append(dbs, db)
		}
	}
	if settings == nil && ns == nil && len(dbs) == 0 {
		fmt.Fprintf(out, "Nothing to destroy: no Worker, KV namespace or D1 database named %s.\n", t.Name)
		return nil
	}
	fmt.Fprintln(out, "This removes:")
	if settings != nil {
		fmt.Fprintf(out, "  - Worker %s, its secrets and its workers.dev route\n", t.Name)
	}
	if ns != nil {
		fmt.Fprintf(out, "  - KV namespace %s (%s)\n", ns.Title, ns.ID)
	}
	for _, db := range dbs {
		fmt.Fprintf(out, "  - D1 database %s (%s)\n", db.Name, db.ID)
	}
	if len(dbs) > 0 {
		fmt.Fprintln(out, "WARNING: deleting the D1 database deletes every synced session and user on this backend. Devices keep their local data.")
	}
	if !yes {
		return ErrNeedYes
	}
	if settings != nil {
		if err := acct.deleteScript(ctx, t.Name); err != nil {
			return err
		}
		fmt.Fprintf(out, "Deleted Worker %s.\n", t.Name)
	}
	if ns != nil {
		if err := acct.deleteNamespace(ctx, ns.ID); err != nil {
			return err
		}
		fmt.Fprintf(out, "Deleted KV namespace %s.\n", ns.Title)
	}
	// Shard 0 last: it holds the shard directory, so an interrupted destroy
	// leaves it to be found by the next run.
	for i := len(dbs) - 1; i >= 0; i-- {
		if err := acct.deleteDatabase(ctx, dbs[i].ID); err != nil {
			return err
		}
		fmt.Fprintf(out, "Deleted D1 database %s.\n", dbs[i].Name)
	}
	if d.Config != nil {
		if cur, err := d.Config.ServerURL(); err == nil && cur != "" {
			fmt.Fprintf(out, "The daemon's server_url is still %s; change [sync] server_url in config.toml.\n", cur)
		}
	}
	return nil
}
