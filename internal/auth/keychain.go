package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// KeychainService names worktime's items in the keychain. Each worktime home
// has its own item, whose account is the home's directory: not the server
// URL, because Load has to find the item before it knows which server
// signed the user in, and not a fixed name, so that two homes (a second
// profile, a test) do not sign each other out.
const KeychainService = "worktime"

// DefaultKeychainTimeout bounds each keychain call. The Secret Service may
// prompt to unlock a locked keyring and wait for an answer forever; past the
// timeout the keychain counts as unavailable.
const DefaultKeychainTimeout = 5 * time.Second

// errKeychainUnavailable is wrapped by KeychainStore errors that mean there
// is no usable keychain (no session bus, no Secret Service, a locked keyring
// that did not answer), as opposed to a keychain that holds nothing.
var errKeychainUnavailable = errors.New("keychain unavailable")

// KeychainStore keeps the credentials as one JSON item in the OS keychain:
// the Secret Service over D-Bus on Linux and BSD, the login keychain on
// macOS, the Credential Manager on Windows.
type KeychainStore struct {
	Service, Account string
	// Timeout bounds each call; DefaultKeychainTimeout when zero.
	Timeout time.Duration
	// Getenv finds the session bus on Linux and BSD; os.Getenv when nil.
	// The D-Bus library itself reads the process environment, so this only
	// decides whether to try: without a session bus address the library
	// would run dbus-launch and could start a keyring that prompts.
	Getenv func(string) string
}

var _ Store = (*KeychainStore)(nil)

// NewKeychainStore returns the store for the item of the worktime home
// directory home.
func NewKeychainStore(home string, getenv func(string) string) *KeychainStore {
	return &KeychainStore{Service: KeychainService, Account: home, Getenv: getenv}
}

func (k *KeychainStore) getenv(key string) string {
	if k.Getenv == nil {
		return os.Getenv(key)
	}
	return k.Getenv(key)
}

// hasSessionBus reports whether go-keyring can reach a Secret Service
// without autolaunching a bus.
func (k *KeychainStore) hasSessionBus() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	if a := k.getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	if d := k.getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return true
		}
	}
	return false
}

// call runs f with the timeout; errors other than keyring.ErrNotFound wrap
// errKeychainUnavailable.
func (k *KeychainStore) call(ctx context.Context, op string, f func() error) error {
	if !k.hasSessionBus() {
		return fmt.Errorf("%s: no session bus: %w", op, errKeychainUnavailable)
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }() // left to finish on its own after a timeout
	select {
	case err := <-done:
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return err
		}
		return fmt.Errorf("%s: %w: %v", op, errKeychainUnavailable, err)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w: %v", op, errKeychainUnavailable, ctx.Err())
	}
}

// Load reads the item; a missing item means signed out.
func (k *KeychainStore) Load(ctx context.Context) (Credentials, error) {
	var c Credentials
	var secret string
	err := k.call(ctx, "auth.Load", func() (err error) {
		secret, err = keyring.Get(k.Service, k.Account)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return c, fmt.Errorf("auth.Load: keychain: %w", ErrSignedOut)
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(secret), &c); err != nil {
		return c, fmt.Errorf("auth.Load: keychain item %s/%s is not valid credentials: %w", k.Service, k.Account, err)
	}
	if c.Token == "" || c.ServerURL == "" {
		return c, fmt.Errorf("auth.Load: keychain item has no token or server: %w", ErrSignedOut)
	}
	return c, nil
}

// Save replaces the item.
func (k *KeychainStore) Save(ctx context.Context, c Credentials) error {
	if c.Token == "" || c.ServerURL == "" {
		return errors.New("auth.Save: token and server URL are required")
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	return k.call(ctx, "auth.Save", func() error { return keyring.Set(k.Service, k.Account, string(b)) })
}

// Delete removes the item; a missing item is not an error.
func (k *KeychainStore) Delete(ctx context.Context) error {
	err := k.call(ctx, "auth.Delete", func() error { return keyring.Delete(k.Service, k.Account) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// UserStore keeps the credentials in the keychain when one works and in the
// 0600 file otherwise, deciding on every call so that the CLI and the daemon
// agree even if the keychain comes or goes between them.
//   - Load prefers the keychain; when it holds nothing, a credentials file
//     left by an earlier version (or written while the keychain was away) is
//     moved into the keychain and deleted.
//   - Save writes the keychain and then deletes the file; without a keychain
//     it writes the file.
//   - Delete removes both.
type UserStore struct {
	Keychain *KeychainStore // always non-nil
	File     *FileStore     // always non-nil
}

var _ Store = (*UserStore)(nil)

// NewUserStore returns the store the CLI and the daemon use: the keychain
// item of the worktime home that holds path, falling back to the file at
// path (conventionally $WORKTIME_HOME/credentials.json).
func NewUserStore(path string, getenv func(string) string) *UserStore {
	home := filepath.Dir(path)
	if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	return &UserStore{Keychain: NewKeychainStore(home, getenv), File: NewFileStore(path)}
}

// Load implements Store.
func (u *UserStore) Load(ctx context.Context) (Credentials, error) {
	c, err := u.Keychain.Load(ctx)
	if errors.Is(err, errKeychainUnavailable) {
		return u.File.Load(ctx)
	}
	if !errors.Is(err, ErrSignedOut) {
		return c, err
	}
	fc, ferr := u.File.Load(ctx)
	if ferr != nil {
		return fc, ferr
	}
	if err := u.Keychain.Save(ctx, fc); err != nil {
		return fc, nil // still readable from the file; moved next time
	}
	if err := u.File.Delete(ctx); err != nil {
		return fc, err
	}
	return fc, nil
}

// Save implements Store.
func (u *UserStore) Save(ctx context.Context, c Credentials) error {
	err := u.Keychain.Save(ctx, c)
	if errors.Is(err, errKeychainUnavailable) {
		return u.File.Save(ctx, c)
	}
	if err != nil {
		return err
	}
	return u.File.Delete(ctx)
}

// Delete implements Store.
func (u *UserStore) Delete(ctx context.Context) error {
	kerr := u.Keychain.Delete(ctx)
	if errors.Is(kerr, errKeychainUnavailable) {
		kerr = nil
	}
	return errors.Join(kerr, u.File.Delete(ctx))
}

// KeychainAvailable reports whether the keychain answers, probing with a
// read of the credentials item.
func (u *UserStore) KeychainAvailable(ctx context.Context) bool {
	_, err := u.Keychain.Load(ctx)
	return !errors.Is(err, errKeychainUnavailable)
}
