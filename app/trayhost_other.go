//go:build !linux

package app

import "context"

// StatusNotifierHost is TrayHost outside Linux: the macOS menu bar and the
// Windows notification area are always there.
type StatusNotifierHost struct{}

// Available is always true here.
func (StatusNotifierHost) Available(context.Context) (bool, error) { return true, nil }
