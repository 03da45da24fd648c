package cli

import (
	"context"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/backend"
	"github.com/worktime/worktime/internal/nativemsg"
)

// hostRefused is a refused caller (nativemsg.RefusedError): a usage error
// (exit code 2).
type hostRefused struct{ err error }

func (h hostRefused) Error() string { return h.err.Error() }
func (h hostRefused) Unwrap() error { return h.err }
func (hostRefused) ExitCode() int   { return ExitUsage }

// RunHost serves one native messaging port on stdin/stdout until the
// browser closes it. A configuration it cannot read and a caller it may not
// serve are told to the extension in one error frame before it exits.
func (e *Env) RunHost(ctx context.Context, caller nativemsg.Caller) error {
	if err := e.LoadConfig(); err != nil {
		_ = nativemsg.WriteError(e.Stdout, api.CodeInternal, "worktime's configuration cannot be read: "+err.Error())
		return err
	}
	if err := nativemsg.CheckCaller(caller, e.Config.AllowedExtensionIDs); err != nil {
		_ = nativemsg.WriteError(e.Stdout, api.CodeForbidden, err.Error())
		return hostRefused{err}
	}
	r := backend.NewRelay(e.backendOptions())
	defer r.Close()
	h := nativemsg.NewHost(nativemsg.HostOptions{Backend: r, Clock: e.Clock, Logger: e.Logger, Version: Version})
	return h.Serve(ctx, e.Stdin, e.Stdout)
}
