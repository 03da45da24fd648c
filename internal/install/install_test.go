package install

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testChromeID = "abcdefghijklmnopabcdefghijklmnop"

func fakeExists(present ...string) func(string) bool {
	return func(p string) bool { return slices.Contains(present, p) }
}

func TestPlanLocations(t *testing.T) {
	tests := []struct {
		name      string
		p         Platform
		exe       string
		browsers  []string
		wantFiles []string
		wantReg   []RegValue
		wantUnit  string
		wantRun   string
	}{
		{
			name:     "linux",
			p:        Platform{OS: "linux", Home: "/home/u"},
			exe:      "/opt/worktime/worktimed",
			browsers: []string{"chrome", "chromium", "edge", "brave", "firefox"},
			wantFiles: []string{
				"/home/u/.config/google-chrome/NativeMessagingHosts/com.worktime.host.json",
				"/home/u/.config/chromium/NativeMessagingHosts/com.worktime.host.json",
				"/home/u/.config/microsoft-edge/NativeMessagingHosts/com.worktime.host.json",
				"/home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.worktime.host.json",
				"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json",
			},
			wantUnit: "/home/u/.config/systemd/user/worktimed.service",
		},
		{
			name:     "macos",
			p:        Platform{OS: "darwin", Home: "/Users/u"},
			exe:      "/Applications/worktime.app/Contents/MacOS/worktimed",
			browsers: []string{"chrome", "chromium", "edge", "brave", "firefox"},
			wantFiles: []string{
				"/Users/u/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.worktime.host.json",
				"/Users/u/Library/Application Support/Chromium/NativeMessagingHosts/com.worktime.host.json",
				"/Users/u/Library/Application Support/Microsoft Edge/NativeMessagingHosts/com.worktime.host.json",
				"/Users/u/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.worktime.host.json",
				"/Users/u/Library/Application Support/Mozilla/NativeMessagingHosts/com.worktime.host.json",
			},
			wantUnit: "/Users/u/Library/LaunchAgents/worktimed.plist",
		},
		{
			name:     "windows",
			p:        Platform{OS: "windows", Home: `C:\Users\u`, LocalAppData: `C:\Users\u\AppData\Local`, AppData: `C:\Users\u\AppData\Roaming`},
			exe:      `C:\Program Files\worktime\worktimed.exe`,
			browsers: []string{"chrome", "edge", "firefox"},
			wantFiles: []string{
				`C:\Users\u\AppData\Local\worktime\NativeMessagingHosts\chrome\com.worktime.host.json`,
				`C:\Users\u\AppData\Local\worktime\NativeMessagingHosts\firefox\com.worktime.host.json`,
			},
			wantReg: []RegValue{
				{Key: `Software\Google\Chrome\NativeMessagingHosts\com.worktime.host`, Value: `C:\Users\u\AppData\Local\worktime\NativeMessagingHosts\chrome\com.worktime.host.json`},
				{Key: `Software\Microsoft\Edge\NativeMessagingHosts\com.worktime.host`, Value: `C:\Users\u\AppData\Local\worktime\NativeMessagingHosts\chrome\com.worktime.host.json`},
				{Key: `Software\Mozilla\NativeMessagingHosts\com.worktime.host`, Value: `C:\Users\u\AppData\Local\worktime\NativeMessagingHosts\firefox\com.worktime.host.json`},
			},
			wantRun: `"C:\Program Files\worktime\worktimed.exe" run`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := MakePlan(tt.p, Options{Executable: tt.exe, ExtensionIDs: []string{testChromeID}, Browsers: tt.browsers})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range plan.Files {
				got = append(got, f.Path)
			}
			if !slices.Equal(got, tt.wantFiles) {
				t.Errorf("files:\n got %q\nwant %q", got, tt.wantFiles)
			}
			if !slices.Equal(plan.Registry, tt.wantReg) && !(len(plan.Registry) == 0 && len(tt.wantReg) == 0) {
				t.Errorf("registry:\n got %q\nwant %q", plan.Registry, tt.wantReg)
			}
			if plan.Service.UnitPath != tt.wantUnit {
				t.Errorf("unit path %q, want %q", plan.Service.UnitPath, tt.wantUnit)
			}
			if plan.Service.RunKey.Value != tt.wantRun {
				t.Errorf("run key %q, want %q", plan.Service.RunKey.Value, tt.wantRun)
			}
			for _, f := range plan.Files {
				var m map[string]any
				if err := json.Unmarshal(f.Content, &m); err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				if m["name"] != HostName || m["path"] != tt.exe || m["type"] != "stdio" {
					t.Errorf("%s: manifest %v", f.Path, m)
				}
				firefox := strings.Contains(strings.ToLower(f.Path), "mozilla") || strings.Contains(f.Path, `\firefox\`)
				if firefox {
					if ids, _ := m["allowed_extensions"].([]any); !slices.Contains(ids, any(DefaultFirefoxExtensionID)) {
						t.Errorf("%s: allowed_extensions %v", f.Path, m["allowed_extensions"])
					}
				} else if origins, _ := m["allowed_origins"].([]any); !slices.Equal(origins, []any{"chrome-extension://" + testChromeID + "/"}) {
					t.Errorf("%s: allowed_origins %v", f.Path, m["allowed_origins"])
				}
			}
			if !strings.Contains(plan.Describe(), tt.wantFiles[0]) {
				t.Errorf("Describe does not name %s", tt.wantFiles[0])
			}
		})
	}
}

func TestPlanUnits(t *testing.T) {
	linux, err := MakePlan(Platform{OS: "linux", Home: "/home/u"}, Options{Executable: "/opt/work time/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"chrome"}, WorktimeHome: "/home/u/wt", EnvHome: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WantedBy=default.target\n", `ExecStart="/opt/work time/worktimed" "run"`, `Environment="WORKTIME_HOME=/home/u/wt"`} {
		if !strings.Contains(linux.Service.Unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, linux.Service.Unit)
		}
	}
	if strings.Contains(linux.Service.Unit, "multi-user.target") || strings.Contains(linux.Service.Unit, "{{") {
		t.Errorf("unit:\n%s", linux.Service.Unit)
	}
	if linux.Service.EnableLink != "/home/u/.config/systemd/user/default.target.wants/worktimed.service" {
		t.Errorf("enable link %q", linux.Service.EnableLink)
	}
	mac, err := MakePlan(Platform{OS: "darwin", Home: "/Users/u"}, Options{Executable: "/Apps/a&b/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"chrome"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<key>RunAtLoad</key>\n\t<true/>", "<string>/Apps/a&amp;b/worktimed</string>", "<string>run</string>"} {
		if !strings.Contains(mac.Service.Unit, want) {
			t.Errorf("plist lacks %q:\n%s", want, mac.Service.Unit)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	linux := Platform{OS: "linux", Home: "/home/u"}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"relative executable", Options{Executable: "worktimed", ExtensionIDs: []string{testChromeID}}, "not absolute"},
		{"bad extension id", Options{Executable: "/x/worktimed", ExtensionIDs: []string{"not-an-id"}}, "neither a Chrome id"},
		{"uppercase chrome id", Options{Executable: "/x/worktimed", ExtensionIDs: []string{strings.ToUpper(testChromeID)}}, "neither a Chrome id"},
		{"no chrome id", Options{Executable: "/x/worktimed", ExtensionIDs: []string{"a@b.c"}}, "no Chrome extension id"},
		{"unknown browser", Options{Executable: "/x/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"netscape"}}, "unknown browser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MakePlan(linux, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestInstalledBrowsersOnly(t *testing.T) {
	tests := []struct {
		name string
		p    Platform
		want []string
	}{
		{"linux profile folder", Platform{OS: "linux", Home: "/h", Exists: fakeExists("/h/.config/chromium")}, []string{"chromium"}},
		{"linux program on PATH", Platform{OS: "linux", Home: "/h", Exists: fakeExists(), LookPath: func(n string) (string, error) {
			if n == "firefox" {
				return "/usr/bin/firefox", nil
			}
			return "", fs.ErrNotExist
		}}, []string{"firefox"}},
		{"macos app", Platform{OS: "darwin", Home: "/U", Exists: fakeExists("/Applications/Google Chrome.app", "/Applications/Brave Browser.app")}, []string{"chrome", "brave"}},
		{"windows profile", Platform{OS: "windows", LocalAppData: `C:\L`, AppData: `C:\R`, Exists: fakeExists(`C:\L\Microsoft\Edge\User Data`, `C:\R\Mozilla\Firefox`)}, []string{"edge", "firefox"}},
		{"none", Platform{OS: "linux", Home: "/h", Exists: fakeExists()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exe := "/x/worktimed"
			if tt.p.OS == "windows" {
				exe = `C:\x\worktimed.exe`
			}
			plan, err := MakePlan(tt.p, Options{Executable: exe, ExtensionIDs: []string{testChromeID}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plan.Browsers, tt.want) {
				t.Fatalf("browsers %q, want %q", plan.Browsers, tt.want)
			}
		})
	}
}

func TestWindowsQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{`run`, `run`},
		{`C:\Program Files\w.exe`, `"C:\Program Files\w.exe"`},
		{`a"b`, `"a\"b"`},
		{`a\"b c`, `"a\\\"b c"`},
		{`c:\dir with space\`, `"c:\dir with space\\"`},
		{``, `""`},
	}
	for _, tt := range tests {
		if got := windowsQuote(tt.in); got != tt.want {
			t.Errorf("windowsQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// tree lists every path under root (files, folders, links).
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInstallUninstallTempHome(t *testing.T) {
	home := t.TempDir()
	wtHome := filepath.Join(home, ".local/share/worktime")
	if err := os.MkdirAll(filepath.Join(home, ".config/chromium"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(wtHome, 0o700); err != nil {
		t.Fatal(err)
	}
	before := tree(t, home)
	p := Platform{OS: "linux", Home: home, Exists: func(s string) bool { _, err := os.Stat(s); return err == nil }, LookPath: func(string) (string, error) { return "", fs.ErrNotExist }}
	plan, err := MakePlan(p, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}, WorktimeHome: wtHome})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := Apply(ctx, plan, wtHome, FileManager{}, nil); err != nil {
		t.Fatal(err)
	}
	// Installing twice is the same as once.
	if err := Apply(ctx, plan, wtHome, FileManager{}, nil); err != nil {
		t.Fatal(err)
	}
	after := tree(t, home)
	var added []string
	for _, p := range after {
		if !slices.Contains(before, p) {
			added = append(added, p)
		}
	}
	want := []string{
		".config/chromium/NativeMessagingHosts",
		".config/chromium/NativeMessagingHosts/com.worktime.host.json",
		".config/systemd",
		".config/systemd/user",
		".config/systemd/user/default.target.wants",
		".config/systemd/user/default.target.wants/worktimed.service",
		".config/systemd/user/worktimed.service",
		".local/share/worktime/install-record.json",
	}
	if !slices.Equal(added, want) {
		t.Fatalf("install added:\n%s\nwant:\n%s", strings.Join(added, "\n"), strings.Join(want, "\n"))
	}
	target, err := os.Readlink(filepath.Join(home, ".config/systemd/user/default.target.wants/worktimed.service"))
	if err != nil || target != filepath.Join(home, ".config/systemd/user/worktimed.service") {
		t.Fatalf("enable link -> %q, %v", target, err)
	}
	unit, err := os.ReadFile(filepath.Join(home, ".config/systemd/user/worktimed.service"))
	if err != nil || !strings.Contains(string(unit), "WantedBy=default.target") {
		t.Fatalf("unit %q, %v", unit, err)
	}
	var m chromeManifest
	b, err := os.ReadFile(filepath.Join(home, ".config/chromium/NativeMessagingHosts/com.worktime.host.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Path != "/opt/worktimed" || m.AllowedOrigins[0] != "chrome-extension://"+testChromeID+"/" {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	// A file the user put next to the manifest survives uninstall.
	if err := Uninstall(ctx, wtHome, FileManager{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, home); !slices.Equal(got, before) {
		t.Fatalf("after uninstall:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
}

func TestUninstallKeepsUserFiles(t *testing.T) {
	home := t.TempDir()
	p := Platform{OS: "linux", Home: home, Exists: fakeExists()}
	plan, err := MakePlan(p, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"brave"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := Apply(ctx, plan, home, FileManager{}, nil); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(home, ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts/other.json")
	if err := os.WriteFile(other, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Uninstall(ctx, home, FileManager{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("user's file removed: %v", err)
	}
	if _, err := os.Stat(plan.Files[0].Path); err == nil {
		t.Fatal("manifest not removed")
	}
}

func TestApplyNeedsRegistryForWindowsPlan(t *testing.T) {
	home := t.TempDir()
	plan := Plan{Registry: []RegValue{{Key: `Software\x`, Value: "v"}}}
	if err := Apply(context.Background(), plan, home, nil, nil); !errors.Is(err, ErrNoRegistry) {
		t.Fatalf("err = %v", err)
	}
}

func TestPlanLauncher(t *testing.T) {
	tests := []struct {
		name     string
		p        Platform
		exe      string
		home     string
		path     string
		contains []string
	}{
		{"linux", Platform{OS: "linux", Home: "/home/u"}, "/opt/worktimed", "/home/u/it's", "/home/u/it's/worktimed-host",
			[]string{"#!/bin/sh\n", `WORKTIME_HOME='/home/u/it'\''s'`, "export WORKTIME_HOME", `exec '/opt/worktimed' "$@"`}},
		{"windows", Platform{OS: "windows", LocalAppData: `C:\L`}, `C:\w\worktimed.exe`, `D:\wt`, `D:\wt\worktimed-host.bat`,
			[]string{"@echo off\r\n", `set "WORKTIME_HOME=D:\wt"`, `"C:\w\worktimed.exe" %*`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := MakePlan(tt.p, Options{Executable: tt.exe, ExtensionIDs: []string{testChromeID}, Browsers: []string{"chrome", "firefox"}, WorktimeHome: tt.home, EnvHome: true})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Files[0].Path != tt.path || plan.Files[0].Mode != 0o755 {
				t.Fatalf("launcher %s %v", plan.Files[0].Path, plan.Files[0].Mode)
			}
			for _, want := range tt.contains {
				if !strings.Contains(string(plan.Files[0].Content), want) {
					t.Errorf("launcher lacks %q:\n%s", want, plan.Files[0].Content)
				}
			}
			for _, f := range plan.Files[1:] {
				var m map[string]any
				if err := json.Unmarshal(f.Content, &m); err != nil || m["path"] != tt.path {
					t.Errorf("%s: path %v, want the launcher (%v)", f.Path, m["path"], err)
				}
			}
		})
	}
}

// memRegistry is an in-memory HKCU.
type memRegistry map[string]string

func (m memRegistry) SetString(key, name, value string) error {
	m[key+"|"+name] = value
	return nil
}

func (m memRegistry) DeleteValue(key, name string) error {
	delete(m, key+"|"+name)
	return nil
}

func (m memRegistry) DeleteKey(key string) error {
	for k := range m {
		if strings.HasPrefix(k, key+"|") {
			delete(m, k)
		}
	}
	return nil
}

// Brave reads Chrome's manifest folder on macOS and Chrome's key on
// Windows; on Linux its own folder.
func TestBravePlaces(t *testing.T) {
	tests := []struct {
		name      string
		p         Platform
		exe       string
		wantFiles []string
		wantKeys  []string
	}{
		{"macos", Platform{OS: "darwin", Home: "/Users/u"}, "/Applications/w/worktimed", []string{
			"/Users/u/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.worktime.host.json",
			"/Users/u/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.worktime.host.json",
		}, nil},
		{"linux", Platform{OS: "linux", Home: "/home/u"}, "/opt/worktimed", []string{
			"/home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.worktime.host.json",
		}, nil},
		{"windows", Platform{OS: "windows", Home: `C:\Users\u`, LocalAppData: `C:\L`}, `C:\w\worktimed.exe`, []string{
			`C:\L\worktime\NativeMessagingHosts\chrome\com.worktime.host.json`,
		}, []string{`Software\Google\Chrome\NativeMessagingHosts\com.worktime.host`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := MakePlan(tt.p, Options{Executable: tt.exe, ExtensionIDs: []string{testChromeID}, Browsers: []string{"brave"}})
			if err != nil {
				t.Fatal(err)
			}
			var files, keys []string
			for _, f := range plan.Files {
				files = append(files, f.Path)
			}
			for _, r := range plan.Registry {
				keys = append(keys, r.Key)
			}
			if !slices.Equal(files, tt.wantFiles) || !slices.Equal(keys, tt.wantKeys) {
				t.Fatalf("files %q keys %q\nwant %q %q", files, keys, tt.wantFiles, tt.wantKeys)
			}
			// With Chrome too, the shared place is written once.
			both, err := MakePlan(tt.p, Options{Executable: tt.exe, ExtensionIDs: []string{testChromeID}, Browsers: []string{"chrome", "brave"}})
			if err != nil {
				t.Fatal(err)
			}
			wantFiles := len(plan.Files)
			if tt.p.OS == "linux" {
				wantFiles++ // Chrome's own folder
			}
			if len(both.Files) != wantFiles || len(both.Registry) != len(plan.Registry) {
				t.Errorf("chrome+brave: %d files %d keys, want %d and %d", len(both.Files), len(both.Registry), wantFiles, len(plan.Registry))
			}
		})
	}
}

// Every place Brave may read is recorded, so uninstall removes it all and
// only it: on macOS in a temporary home, on Windows in a registry.
func TestBraveInstallUninstall(t *testing.T) {
	ctx := context.Background()
	t.Run("macos", func(t *testing.T) {
		home := t.TempDir()
		wtHome := filepath.Join(home, "wt")
		before := tree(t, home)
		plan, err := MakePlan(Platform{OS: "darwin", Home: home}, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: []string{"brave"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := Apply(ctx, plan, wtHome, nil, nil); err != nil {
			t.Fatal(err)
		}
		for _, rel := range []string{"Google/Chrome", "BraveSoftware/Brave-Browser"} {
			b, err := os.ReadFile(filepath.Join(home, "Library/Application Support", rel, "NativeMessagingHosts", HostName+".json"))
			if err != nil || !strings.Contains(string(b), testChromeID) {
				t.Errorf("%s manifest: %q, %v", rel, b, err)
			}
		}
		rec, err := LoadRecord(wtHome)
		if err != nil || len(rec.Files) != 2 {
			t.Fatalf("record %+v, %v", rec, err)
		}
		if err := Uninstall(ctx, wtHome, nil, nil); err != nil {
			t.Fatal(err)
		}
		after := tree(t, home)
		after = slices.DeleteFunc(after, func(p string) bool { return p == "wt" })
		if !slices.Equal(after, before) {
			t.Fatalf("after uninstall:\n%s\nwant:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
		}
	})
	t.Run("windows", func(t *testing.T) {
		wtHome := t.TempDir()
		reg := memRegistry{}
		plan, err := MakePlan(Platform{OS: "windows", Home: `C:\Users\u`, LocalAppData: filepath.Join(wtHome, "local")}, Options{Executable: `C:\w\worktimed.exe`, ExtensionIDs: []string{testChromeID}, Browsers: []string{"brave"}})
		if err != nil {
			t.Fatal(err)
		}
		plan.Files = nil // Windows paths; the registry is what is checked here
		if err := Apply(ctx, plan, wtHome, nil, reg); err != nil {
			t.Fatal(err)
		}
		if _, ok := reg[`Software\Google\Chrome\NativeMessagingHosts\com.worktime.host|`]; !ok || len(reg) != 1 {
			t.Fatalf("registry %v", reg)
		}
		if err := Uninstall(ctx, wtHome, nil, reg); err != nil {
			t.Fatal(err)
		}
		if len(reg) != 0 {
			t.Fatalf("registry after uninstall %v", reg)
		}
	})
}

// Chromium-family browsers keep their profiles under $XDG_CONFIG_HOME when
// it is set; Firefox stays in ~/.mozilla.
func TestXDGConfigHome(t *testing.T) {
	p := Platform{OS: "linux", Home: "/home/u", ConfigHome: "/home/u/cfg", Exists: fakeExists("/home/u/cfg/chromium", "/home/u/.mozilla")}
	plan, err := MakePlan(p, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Browsers, []string{"chromium", "firefox"}) {
		t.Errorf("detected %q", plan.Browsers)
	}
	all, err := MakePlan(p, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}, Browsers: BrowserNames()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range all.Files {
		got = append(got, f.Path)
	}
	want := []string{
		"/home/u/cfg/google-chrome/NativeMessagingHosts/com.worktime.host.json",
		"/home/u/cfg/chromium/NativeMessagingHosts/com.worktime.host.json",
		"/home/u/cfg/microsoft-edge/NativeMessagingHosts/com.worktime.host.json",
		"/home/u/cfg/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.worktime.host.json",
		"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json",
	}
	if !slices.Equal(got, want) {
		t.Errorf("files\n got %q\nwant %q", got, want)
	}
	p.ConfigHome = "cfg"
	if _, err := MakePlan(p, Options{Executable: "/opt/worktimed", ExtensionIDs: []string{testChromeID}}); err == nil || !strings.Contains(err.Error(), "XDG_CONFIG_HOME") {
		t.Errorf("relative XDG_CONFIG_HOME: err = %v", err)
	}
	t.Setenv("XDG_CONFIG_HOME", "/x/config")
	if d, err := Detect("/home/u"); err != nil || d.ConfigHome != "/x/config" {
		t.Errorf("Detect: ConfigHome %q, %v", d.ConfigHome, err)
	}
}
