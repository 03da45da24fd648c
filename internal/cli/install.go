package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/install"
)

// listFlag collects a repeatable flag; each value may hold several
// comma-separated items.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// executable is the absolute path of this binary, links resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe, nil
}

// installPlatform is the running system for the user whose home is $HOME.
func (e *Env) installPlatform() (install.Platform, error) {
	return install.Detect(e.Getenv("HOME"))
}

func (e *Env) installOptions(exe string, ids, browsers []string) install.Options {
	return install.Options{
		Executable:   exe,
		WorktimeHome: e.Paths.Home,
		LogDir:       e.Paths.LogDir,
		ExtensionIDs: ids,
		Browsers:     browsers,
		// A home chosen with --home or WORKTIME_HOME must reach the service.
		EnvHome: e.HomeFlag != "" || e.Getenv("WORKTIME_HOME") != "",
	}
}

func cmdInstall(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("install", "install [--dry-run] [--browser NAME]... [--extension-id ID]...")
	dryRun := fs.Bool("dry-run", false, "print every file, registry value and unit install would write, and write nothing")
	var browsers, ids listFlag
	fs.Var(&browsers, "browser", "register the host with browser `NAME` even if it looks absent ("+strings.Join(install.BrowserNames(), ", ")+"); repeatable")
	fs.Var(&ids, "extension-id", "allow extension `ID` (Chrome id or Firefox add-on id); repeatable; default: allowed_extension_ids")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	exe, err := executable()
	if err != nil {
		return err
	}
	p, err := e.installPlatform()
	if err != nil {
		return err
	}
	allowed := append(slices.Clone(e.Config.AllowedExtensionIDs), ids...)
	plan, err := install.MakePlan(p, e.installOptions(exe, allowed, browsers))
	if err != nil {
		return usageErrorf("%v", err)
	}
	// Chrome ids given on the command line must also be allowed by the host.
	cfg := e.Config
	var added []string
	for _, id := range ids {
		if !strings.ContainsAny(id, "@{") && !slices.Contains(cfg.AllowedExtensionIDs, id) {
			cfg.AllowedExtensionIDs = append(cfg.AllowedExtensionIDs, id)
			added = append(added, id)
		}
	}
	if *dryRun {
		fmt.Fprintf(e.Stdout, "worktimed install --dry-run: nothing is written.\n\n%s", plan.Describe())
		if len(added) > 0 {
			fmt.Fprintf(e.Stdout, "\nadd to allowed_extension_ids in %s: %s\n", e.Paths.Config, strings.Join(added, ", "))
		}
		fmt.Fprintf(e.Stdout, "\nrecord what was written in %s\n", filepath.Join(e.Paths.Home, install.RecordFile))
		return nil
	}
	if len(added) > 0 {
		if err := config.Save(e.Paths.Config, cfg); err != nil {
			return err
		}
	}
	if len(plan.Browsers) == 0 {
		fmt.Fprintf(e.Stderr, "worktimed: no supported browser found; use --browser NAME (%s) to register the host anyway\n", strings.Join(install.BrowserNames(), ", "))
	}
	mgr := install.SystemManagerFor(p)
	if err := install.Apply(ctx, plan, e.Paths.Home, mgr, install.SystemRegistry()); err != nil {
		return err
	}
	for _, f := range plan.Files {
		fmt.Fprintf(e.Stdout, "wrote %s\n", f.Path)
	}
	for _, r := range plan.Registry {
		fmt.Fprintf(e.Stdout, "set HKCU\\%s\n", r.Key)
	}
	fmt.Fprintf(e.Stdout, "registered the %s service (%s)\n", plan.Service.Name, plan.Service.Kind)
	if _, ok := mgr.(install.FileManager); ok {
		fmt.Fprintln(e.Stdout, "no user service manager is reachable: the daemon starts at the next login (or run 'worktimed run' now)")
		return nil
	}
	// Start it now too, unless it already runs.
	if st, err := mgr.Status(ctx, plan.Service); err == nil && st == "running" {
		return nil
	}
	if err := mgr.Start(ctx, plan.Service); err != nil {
		fmt.Fprintf(e.Stderr, "worktimed: the service is registered but did not start now: %v\n", err)
		return nil
	}
	fmt.Fprintln(e.Stdout, "started the daemon")
	return nil
}

func cmdUninstall(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("uninstall", "uninstall")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	rec, err := install.LoadRecord(e.Paths.Home)
	if err != nil {
		return err
	}
	if len(rec.Files) == 0 && len(rec.Registry) == 0 && rec.Service == nil {
		fmt.Fprintln(e.Stdout, "nothing to uninstall")
		return nil
	}
	p, err := e.installPlatform()
	if err != nil {
		return err
	}
	if err := install.Uninstall(ctx, e.Paths.Home, install.SystemManagerFor(p), install.SystemRegistry()); err != nil {
		return err
	}
	for _, f := range rec.Files {
		fmt.Fprintf(e.Stdout, "removed %s\n", f)
	}
	for _, r := range rec.Registry {
		fmt.Fprintf(e.Stdout, "removed HKCU\\%s\n", r.Key)
	}
	if rec.Service != nil {
		fmt.Fprintf(e.Stdout, "removed the %s service\n", rec.Service.Name)
	}
	return nil
}
