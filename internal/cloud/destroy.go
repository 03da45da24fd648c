package cloud

import (
	"context"
	"fmt"
)

// Destroy removes what deploy created: the Worker (with its secrets and
// route), the KV namespace, and last the D1 database, after a warning that
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
	db, err := acct.findDatabase(ctx, t.Name)
	if err != nil {
		return err
	}
	if settings == nil && ns == nil && db == nil {
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
	if db != nil {
		fmt.Fprintf(out, "  - D1 database %s (%s)\n", t.Name, db.ID)
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
	if db != nil {
		if err := acct.deleteDatabase(ctx, db.ID); err != nil {
			return err
		}
		fmt.Fprintf(out, "Deleted D1 database %s.\n", t.Name)
	}
	if d.Config != nil {
		if cur, err := d.Config.ServerURL(); err == nil && cur != "" {
			fmt.Fprintf(out, "The daemon's server_url is still %s; change [sync] server_url in config.toml.\n", cur)
		}
	}
	return nil
}
