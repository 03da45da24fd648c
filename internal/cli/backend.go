package cli

import (
	"context"
	"time"

	"github.com/worktime/worktime/internal/backend"
)

// backendOptions are the backends' surroundings. LoadConfig must have run.
func (e *Env) backendOptions() backend.Options {
	return backend.Options{Paths: e.Paths, Config: e.Config, Clock: e.Clock, Logger: e.Logger, Getenv: e.Getenv, Version: Version}
}

// zone loads the configuration and returns the zone days are counted in.
func (e *Env) zone() (*time.Location, error) {
	if err := e.LoadConfig(); err != nil {
		return nil, err
	}
	return e.backendOptions().Location()
}

// openBackend loads the configuration and returns the daemon when it runs,
// else the local store, with the zone days are counted in.
func (e *Env) openBackend(ctx context.Context) (backend.Backend, *time.Location, error) {
	loc, err := e.zone()
	if err != nil {
		return nil, nil, err
	}
	b, err := backend.Open(ctx, e.backendOptions())
	if err != nil {
		return nil, nil, err
	}
	return b, loc, nil
}
