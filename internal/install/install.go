// Package install registers worktime with the user's system: the daemon as a
// per-user service that starts at login (systemd --user, a LaunchAgent, or
// the HKCU Run key on Windows) and the native messaging host manifest
// com.worktime.host for each installed browser. What install writes is kept
// in a record so that uninstall removes exactly that.
//
// Everything is computed as a Plan for a Platform first, so the macOS and
// Windows locations are tested on any system, and --dry-run prints the plan.
package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/worktime/worktime/internal/api"
)

// HostName is the native messaging host's name (and its manifest's file name).
const HostName = "com.worktime.host"

// ServiceName is the per-user service's name.
const ServiceName = "worktimed"

// DefaultFirefoxExtensionID is the reference extension's add-on id in Firefox.
const DefaultFirefoxExtensionID = "worktime@worktime.dev"

// RecordFile is the record's file name in the worktime home.
const RecordFile = "install-record.json"

// Platform describes the system install writes to. Detect fills it for the
// running system; tests build one for any OS.
type Platform struct {
	OS           string // "linux", "darwin" or "windows"
	Home         string // the user's home directory
	LocalAppData string // Windows: %LOCALAPPDATA%
	AppData      string // Windows: %APPDATA%
	// ConfigHome is $XDG_CONFIG_HOME (Linux), where Chromium-family
	// browsers keep their profiles when it is set; "" means ~/.config.
	ConfigHome string
	// Exists reports whether a file or folder exists (browser detection).
	Exists func(path string) bool
	// LookPath finds a program on PATH (browser detection on Linux).
	LookPath func(name string) (string, error)
}

// configHome is the XDG config home: ConfigHome, or ~/.config. Chromium
// takes a non-empty XDG_CONFIG_HOME as it is (GetXDGDirectory in
// base/nix/xdg_util.cc, used by GetDefaultUserDataDirectory).
func (p Platform) configHome() string {
	if p.ConfigHome != "" {
		return p.ConfigHome
	}
	return joinOS(p.OS, p.Home, ".config")
}

// Options say what to install.
type Options struct {
	Executable   string   // absolute path of worktimed (the host and the daemon)
	WorktimeHome string   // where the record is kept, and WORKTIME_HOME for the service when set explicitly
	LogDir       string   // the service's log folder
	ExtensionIDs []string // Chrome ids (32 letters a–p) and Firefox add-on ids
	Browsers     []string // explicit browsers; empty means the installed ones
	EnvHome      bool     // pass WORKTIME_HOME to the service
}

// File is one file install writes.
type File struct {
	Path    string      `json:"path"`
	Mode    os.FileMode `json:"mode"`
	Content []byte      `json:"-"`
}

// RegValue is one registry value under HKEY_CURRENT_USER; Name "" is the
// key's default value.
type RegValue struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Plan is everything install writes.
type Plan struct {
	OS       string     `json:"os"`
	Browsers []string   `json:"browsers"`
	Files    []File     `json:"files"`
	Registry []RegValue `json:"registry"`
	Service  Service    `json:"service"`
}

// splitIDs sorts extension ids into Chrome and Firefox ones.
func splitIDs(ids []string) (chrome, firefox []string, err error) {
	for _, id := range ids {
		switch {
		case api.IsExtensionID(id):
			chrome = append(chrome, id)
		case api.IsFirefoxAddonID(id):
			firefox = append(firefox, id)
		default:
			return nil, nil, fmt.Errorf("extension id %q is neither a Chrome id (32 letters a-p) nor a Firefox add-on id", id)
		}
	}
	if !slices.Contains(firefox, DefaultFirefoxExtensionID) {
		firefox = append(firefox, DefaultFirefoxExtensionID)
	}
	slices.Sort(chrome)
	slices.Sort(firefox)
	return slices.Compact(chrome), slices.Compact(firefox), nil
}

// chromeManifest is the host manifest Chromium-based browsers read.
type chromeManifest struct {
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Path           string   `json:"path"`
	Type           string   `json:"type"`
	AllowedOrigins []string `json:"allowed_origins"`
}

// firefoxManifest is Firefox's variant.
type firefoxManifest struct {
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Path              string   `json:"path"`
	Type              string   `json:"type"`
	AllowedExtensions []string `json:"allowed_extensions"`
}

const manifestDescription = "worktime: time tracking for pull requests"

// MakePlan computes what install writes on p.
func MakePlan(p Platform, opts Options) (Plan, error) {
	if !isAbs(p.OS, opts.Executable) {
		return Plan{}, fmt.Errorf("install: executable path %q is not absolute", opts.Executable)
	}
	if p.OS == "linux" && p.ConfigHome != "" && !isAbs(p.OS, p.ConfigHome) {
		// A browser would resolve it against its own working folder.
		return Plan{}, fmt.Errorf("install: XDG_CONFIG_HOME %q is not an absolute path", p.ConfigHome)
	}
	chrome, firefox, err := splitIDs(opts.ExtensionIDs)
	if err != nil {
		return Plan{}, fmt.Errorf("install: %w", err)
	}
	if len(chrome) == 0 {
		return Plan{}, errors.New("install: no Chrome extension id to allow")
	}
	browsers, err := selectBrowsers(p, opts.Browsers)
	if err != nil {
		return Plan{}, fmt.Errorf("install: %w", err)
	}
	// A browser starts the host with its own environment, which lacks a
	// WORKTIME_HOME chosen for this install: the manifests then point at a
	// launcher that sets it.
	hostPath := opts.Executable
	var launcher *File
	if opts.EnvHome && opts.WorktimeHome != "" {
		launcher = makeLauncher(p.OS, opts.Executable, opts.WorktimeHome)
		hostPath = launcher.Path
	}
	origins := make([]string, len(chrome))
	for i, id := range chrome {
		origins[i] = "chrome-extension://" + id + "/"
	}
	chromeJSON, err := json.MarshalIndent(chromeManifest{HostName, manifestDescription, hostPath, "stdio", origins}, "", "  ")
	if err != nil {
		return Plan{}, fmt.Errorf("install: %w", err)
	}
	firefoxJSON, err := json.MarshalIndent(firefoxManifest{HostName, manifestDescription, hostPath, "stdio", firefox}, "", "  ")
	if err != nil {
		return Plan{}, fmt.Errorf("install: %w", err)
	}
	chromeJSON = append(chromeJSON, '\n')
	firefoxJSON = append(firefoxJSON, '\n')

	plan := Plan{OS: p.OS, Registry: []RegValue{}}
	if launcher != nil {
		plan.Files = append(plan.Files, *launcher)
	}
	for _, b := range browsers {
		plan.Browsers = append(plan.Browsers, b.Name)
		content := chromeJSON
		if b.Firefox {
			content = firefoxJSON
		}
		for _, loc := range b.locations(p) {
			// Browsers that read the same place (Brave reads Chrome's)
			// share one manifest there.
			if p.OS == "windows" {
				// One manifest file per flavour; each browser's key points at it.
				flavour := "chrome"
				if b.Firefox {
					flavour = "firefox"
				}
				path := joinOS(p.OS, p.LocalAppData, "worktime", "NativeMessagingHosts", flavour, HostName+".json")
				plan.addFile(File{Path: path, Mode: 0o644, Content: content})
				if r := (RegValue{Key: loc, Value: path}); !slices.Contains(plan.Registry, r) {
					plan.Registry = append(plan.Registry, r)
				}
				continue
			}
			plan.addFile(File{Path: joinOS(p.OS, loc, HostName+".json"), Mode: 0o644, Content: content})
		}
	}
	svc, err := makeService(p, opts)
	if err != nil {
		return Plan{}, fmt.Errorf("install: %w", err)
	}
	plan.Service = svc
	return plan, nil
}

// addFile adds f unless the plan already writes its path.
func (p *Plan) addFile(f File) {
	if !slices.ContainsFunc(p.Files, func(g File) bool { return g.Path == f.Path }) {
		p.Files = append(p.Files, f)
	}
}

// isAbs reports whether path is absolute on os.
func isAbs(goos, path string) bool {
	if goos == "windows" {
		return len(path) >= 3 && path[1] == ':' && (path[2] == '\\' || path[2] == '/') || strings.HasPrefix(path, `\\`)
	}
	return strings.HasPrefix(path, "/")
}

// joinOS joins path elements with the separator of os.
func joinOS(goos string, elem ...string) string {
	if goos == "windows" {
		return strings.Join(elem, `\`)
	}
	return filepath.ToSlash(filepath.Join(elem...))
}

// Describe is the human-readable plan that --dry-run prints.
func (p Plan) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "browsers: %s\n", strings.Join(p.Browsers, ", "))
	for _, f := range p.Files {
		fmt.Fprintf(&b, "\nwrite %s (mode %04o):\n%s", f.Path, f.Mode, f.Content)
	}
	for _, r := range p.Registry {
		name := r.Name
		if name == "" {
			name = "(default)"
		}
		fmt.Fprintf(&b, "\nset registry HKCU\\%s %s = %s\n", r.Key, name, r.Value)
	}
	s := p.Service
	fmt.Fprintf(&b, "\nservice %s (%s):\n", s.Name, s.Kind)
	if s.UnitPath != "" {
		fmt.Fprintf(&b, "write %s:\n%s", s.UnitPath, s.Unit)
	}
	if s.EnableLink != "" {
		fmt.Fprintf(&b, "link %s -> %s\n", s.EnableLink, s.UnitPath)
	}
	if s.RunKey.Key != "" {
		fmt.Fprintf(&b, "set registry HKCU\\%s %s = %s\n", s.RunKey.Key, s.RunKey.Name, s.RunKey.Value)
	}
	return b.String()
}

// LauncherName is the host launcher's file name (".bat" added on Windows).
const LauncherName = "worktimed-host"

// makeLauncher is a script that runs the host with WORKTIME_HOME set.
func makeLauncher(goos, exe, home string) *File {
	if goos == "windows" {
		content := "@echo off\r\nset \"WORKTIME_HOME=" + home + "\"\r\n\"" + exe + "\" %*\r\n"
		return &File{Path: joinOS(goos, home, LauncherName+".bat"), Mode: 0o755, Content: []byte(content)}
	}
	content := "#!/bin/sh\n# Starts worktime's native messaging host with its home.\nWORKTIME_HOME=" + shQuote(home) + "\nexport WORKTIME_HOME\nexec " + shQuote(exe) + " \"$@\"\n"
	return &File{Path: joinOS(goos, home, LauncherName), Mode: 0o755, Content: []byte(content)}
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
