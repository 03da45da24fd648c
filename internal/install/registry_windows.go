//go:build windows

package install

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// WindowsRegistry writes under HKEY_CURRENT_USER.
type WindowsRegistry struct{}

// SystemRegistry is the registry of this system.
func SystemRegistry() Registry { return WindowsRegistry{} }

// SetString creates key if needed and sets its value name ("" = default).
func (WindowsRegistry) SetString(key, name, value string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("registry: create %s: %w", key, err)
	}
	defer k.Close()
	if err := k.SetStringValue(name, value); err != nil {
		return fmt.Errorf("registry: set %s: %w", key, err)
	}
	return nil
}

// DeleteValue removes one value; a missing one is not an error.
func (WindowsRegistry) DeleteValue(key, name string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("registry: open %s: %w", key, err)
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("registry: delete %s: %w", key, err)
	}
	return nil
}

// DeleteKey removes a key; a missing one is not an error.
func (WindowsRegistry) DeleteKey(key string) error {
	if err := registry.DeleteKey(registry.CURRENT_USER, key); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("registry: delete %s: %w", key, err)
	}
	return nil
}
