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

// OpenBackend returns the daemon when it runs, else the local store.
// LoadConfig must have run.
func (e *Env) OpenBackend(ctx context.Context) (backend.Backend, error) {
	return backend.Open(ctx, e.backendOptions())
}

// location is the zone days are counted in. LoadConfig must have run.
func (e *Env) location() (*time.Location, error) {
	return e.backendOptions().Location()
}
