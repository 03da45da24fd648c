//go:build !windows

package install

// SystemRegistry is nil: only Windows has a registry.
func SystemRegistry() Registry { return nil }
