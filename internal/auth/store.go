// Package auth signs the user in to the worktime server: GitHub's OAuth
// device flow (golang.org/x/oauth2), the exchange of the GitHub token for the
// server's JWT, the development sign-in of a local worker, sign-out, and the
// storage of the JWT readable only by the user.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrSignedOut is returned by Store.Load when no credentials are stored.
var ErrSignedOut = errors.New("not signed in")

// Credentials are what a sign-in leaves behind.
type Credentials struct {
	// ServerURL is the worker that issued Token; sync talks to it.
	ServerURL string `json:"server_url"`
	// Token is the worker's JWT, sent as a bearer token.
	Token string `json:"token"`
	// Login is the signed-in user's GitHub login.
	Login    string    `json:"login"`
	SignedIn time.Time `json:"signed_in_at"`
}

// Store keeps the credentials where only the user can read them: FileStore,
// KeychainStore, and UserStore, which picks the keychain when it answers and
// the file otherwise.
type Store interface {
	// Load returns the stored credentials or an error wrapping ErrSignedOut.
	Load(ctx context.Context) (Credentials, error)
	// Save replaces the stored credentials.
	Save(ctx context.Context, c Credentials) error
	// Delete removes them; deleting nothing is not an error.
	Delete(ctx context.Context) error
}

// FileStore keeps credentials as JSON in a file of mode 0600.
type FileStore struct {
	Path string
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a store at path (conventionally
// $WORKTIME_HOME/credentials.json).
func NewFileStore(path string) *FileStore { return &FileStore{Path: path} }

// Load reads the file; a missing file means signed out. A file that others
// can read is refused rather than trusted.
func (f *FileStore) Load(ctx context.Context) (Credentials, error) {
	var c Credentials
	fi, err := os.Stat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("auth.Load: %w", ErrSignedOut)
	}
	if err != nil {
		return c, fmt.Errorf("auth.Load: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return c, fmt.Errorf("auth.Load: %s is readable by others (mode %v); remove it and sign in again", f.Path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return c, fmt.Errorf("auth.Load: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("auth.Load: %s is not valid credentials: %w", f.Path, err)
	}
	if c.Token == "" || c.ServerURL == "" {
		return c, fmt.Errorf("auth.Load: %s has no token or server: %w", f.Path, ErrSignedOut)
	}
	return c, nil
}

// Save writes the file atomically with mode 0600.
func (f *FileStore) Save(ctx context.Context, c Credentials) error {
	if c.Token == "" || c.ServerURL == "" {
		return errors.New("auth.Save: token and server URL are required")
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*")
	if err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("auth.Save: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("auth.Save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("auth.Save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("auth.Save: %w", err)
	}
	return nil
}

// Delete removes the file.
func (f *FileStore) Delete(ctx context.Context) error {
	if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auth.Delete: %w", err)
	}
	return nil
}
