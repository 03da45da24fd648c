package cli

import (
	"context"
	"log/slog"

	"github.com/worktime/worktime/internal/daemon"
)

func cmdRun(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("run", "run [-log-level LEVEL]")
	level := fs.String("log-level", "", "debug, info, warn or error (default: log_level from config.toml)")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	lv := e.Config.LogLevel
	if *level != "" {
		lv = *level
	}
	var sl slog.Level
	if err := sl.UnmarshalText([]byte(lv)); err != nil {
		return usageErrorf("run: -log-level %q must be debug, info, warn or error", lv)
	}
	logger := slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: sl}))
	var ready func(*daemon.Daemon)
	if e.DaemonReady != nil {
		ready = func(*daemon.Daemon) { e.DaemonReady() }
	}
	opts := daemon.Options{
		Ready:   ready,
		Paths:   e.Paths,
		Config:  e.Config,
		Logger:  logger,
		Clock:   e.Clock,
		Getenv:  e.Getenv,
		Version: Version,
	}
	syncer, err := daemon.NewSync(e.Paths, e.Config, e.Getenv, e.Clock)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	syncer.Apply(&opts)
	return daemon.Run(ctx, opts)
}
