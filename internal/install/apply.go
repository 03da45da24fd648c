package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Manager registers the service with the system's service manager.
type Manager interface {
	// Install writes the service's unit and enables it at login.
	Install(ctx context.Context, s Service) error
	// Uninstall disables the service and removes its unit.
	Uninstall(ctx context.Context, s Service) error
	Start(ctx context.Context, s Service) error
	Stop(ctx context.Context, s Service) error
	// Status is "running", "stopped" or "not installed".
	Status(ctx context.Context, s Service) (string, error)
}

// Registry writes HKEY_CURRENT_USER values (Windows only).
type Registry interface {
	SetString(key, name, value string) error
	// DeleteValue removes a value; DeleteKey removes a key with no subkeys.
	DeleteValue(key, name string) error
	DeleteKey(key string) error
}

// ErrNoRegistry is returned when a plan needs the registry on a system
// without one.
var ErrNoRegistry = errors.New("no Windows registry on this system")

// Record is what install wrote, kept in RecordFile so that uninstall removes
// exactly that.
type Record struct {
	Files    []string   `json:"files"`
	Dirs     []string   `json:"dirs"` // folders install created, deepest first
	Registry []RegValue `json:"registry"`
	Service  *Service   `json:"service,omitempty"`
}

func recordPath(home string) string { return filepath.Join(home, RecordFile) }

// LoadRecord reads the record; a missing record is an empty one.
func LoadRecord(home string) (Record, error) {
	var r Record
	b, err := os.ReadFile(recordPath(home))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("install: read record: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("install: record %s: %w", recordPath(home), err)
	}
	return r, nil
}

func saveRecord(home string, r Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("install: record: %w", err)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("install: record: %w", err)
	}
	if err := writeFileAtomic(recordPath(home), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("install: record: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, content []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// missingDirs lists dir and its ancestors that do not exist, deepest first.
func missingDirs(dir string) []string {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	return missing
}

// existing keeps the paths that exist.
func existing(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// mkdirs creates dir and returns the folders it created, deepest first.
func mkdirs(dir string, mode os.FileMode) ([]string, error) {
	missing := missingDirs(dir)
	if err := os.MkdirAll(dir, mode); err != nil {
		return nil, err
	}
	return missing, nil
}

// Apply writes the plan: manifests, registry values and the service, and
// records them in home's RecordFile (merged with an earlier record).
func Apply(ctx context.Context, plan Plan, home string, mgr Manager, reg Registry) (err error) {
	rec, err := LoadRecord(home)
	if err != nil {
		return err
	}
	// Save what was done so far even when a later step fails.
	defer func() {
		if serr := saveRecord(home, rec); serr != nil && err == nil {
			err = serr
		}
	}()
	for _, f := range plan.Files {
		created, err := mkdirs(filepath.Dir(f.Path), 0o755)
		if err != nil {
			return fmt.Errorf("install: %w", err)
		}
		rec.Dirs = mergeDirs(rec.Dirs, created)
		if err := writeFileAtomic(f.Path, f.Content, f.Mode); err != nil {
			return fmt.Errorf("install: write %s: %w", f.Path, err)
		}
		if !slices.Contains(rec.Files, f.Path) {
			rec.Files = append(rec.Files, f.Path)
		}
	}
	for _, r := range plan.Registry {
		if reg == nil {
			return fmt.Errorf("install: set HKCU\\%s: %w", r.Key, ErrNoRegistry)
		}
		if err := reg.SetString(r.Key, r.Name, r.Value); err != nil {
			return fmt.Errorf("install: set HKCU\\%s: %w", r.Key, err)
		}
		if !slices.Contains(rec.Registry, r) {
			rec.Registry = append(rec.Registry, r)
		}
	}
	if mgr != nil {
		if rec.Service != nil {
			// Replace an earlier registration (a new path or new arguments).
			if err := mgr.Uninstall(ctx, *rec.Service); err != nil {
				return fmt.Errorf("install: replace service: %w", err)
			}
			rec.Service = nil
		}
		var missing []string
		for _, p := range []string{plan.Service.UnitPath, plan.Service.EnableLink} {
			if p != "" {
				missing = append(missing, missingDirs(filepath.Dir(p))...)
			}
		}
		defer func() { rec.Dirs = mergeDirs(rec.Dirs, existing(missing)) }()
		if err := mgr.Install(ctx, plan.Service); err != nil {
			return fmt.Errorf("install: service: %w", err)
		}
		svc := plan.Service
		rec.Service = &svc
	}
	return nil
}

// mergeDirs keeps the created folders, deepest first.
func mergeDirs(have, created []string) []string {
	for _, d := range created {
		if !slices.Contains(have, d) {
			have = append(have, d)
		}
	}
	slices.SortFunc(have, func(a, b string) int {
		return strings.Count(b, string(filepath.Separator)) - strings.Count(a, string(filepath.Separator))
	})
	return have
}

// Uninstall removes what the record says install wrote, then the record.
// It goes on after a failure and reports all of them.
func Uninstall(ctx context.Context, home string, mgr Manager, reg Registry) error {
	rec, err := LoadRecord(home)
	if err != nil {
		return err
	}
	var errs []error
	if rec.Service != nil && mgr != nil {
		if err := mgr.Uninstall(ctx, *rec.Service); err != nil {
			errs = append(errs, fmt.Errorf("service: %w", err))
		}
	}
	for _, f := range rec.Files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, r := range rec.Registry {
		if reg == nil {
			errs = append(errs, ErrNoRegistry)
			break
		}
		if err := reg.DeleteKey(r.Key); err != nil {
			errs = append(errs, fmt.Errorf("delete HKCU\\%s: %w", r.Key, err))
		}
	}
	for _, d := range rec.Dirs {
		// Only empty folders go: anything the user put there stays.
		if entries, err := os.ReadDir(d); err != nil || len(entries) > 0 {
			continue
		}
		if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("install: uninstall: %w", errors.Join(errs...))
	}
	if err := os.Remove(recordPath(home)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("install: uninstall: %w", err)
	}
	return nil
}
