package install

import (
	"fmt"
	"slices"
	"strings"
)

// browser is one browser install knows how to register the host with.
type browser struct {
	Name    string
	Firefox bool
	// Per-OS: the folders the manifest goes in (Linux: relative to the
	// XDG config home, or to home for Firefox; macOS: relative to home) and
	// the HKCU keys (Windows) the browser reads it from; where the browser
	// keeps its profile (detection) and the programs it is started as
	// (Linux detection).
	linuxDir                   string
	macDirs, winKeys           []string
	linuxData, macApp, winData string
	programs                   []string
}

// browsers is the table of supported browsers, in install order.
//
// Brave does not always read its own places, so its manifest goes to each
// place it may read:
//   - macOS: Brave's PreSandboxStartup (brave-core app/brave_main_delegate.cc)
//     overrides DIR_USER_NATIVE_MESSAGING with Chrome's
//     "Google/Chrome/NativeMessagingHosts" under Application Support, so
//     that is the folder Brave reads; BraveSoftware's own folder is written
//     too, in case a release drops the override.
//   - Linux: the same override points at chrome::GetDefaultUserDataDirectory,
//     which brave-core's chromium_src override of chrome_paths_linux.cc
//     makes $XDG_CONFIG_HOME/BraveSoftware/Brave-Browser: Brave's own folder.
//   - Windows: Chromium's FindManifest (chrome/browser/extensions/api/
//     messaging/native_process_launcher_win.cc) reads
//     Software\Google\Chrome\NativeMessagingHosts (and, in Chromium-branded
//     builds, Software\Chromium first) and brave-core has no override of
//     that file: Brave reads Chrome's key, which is also where KeePassXC
//     registers its Brave host (NativeMessageInstaller.cpp, TARGET_DIR_BRAVE).
var browsers = []browser{
	{
		Name:      "chrome",
		linuxDir:  "google-chrome/NativeMessagingHosts",
		macDirs:   []string{macChromeDir},
		winKeys:   []string{winChromeKey},
		linuxData: "google-chrome",
		macApp:    "/Applications/Google Chrome.app",
		winData:   `Google\Chrome\User Data`,
		programs:  []string{"google-chrome", "google-chrome-stable"},
	},
	{
		Name:      "chromium",
		linuxDir:  "chromium/NativeMessagingHosts",
		macDirs:   []string{"Library/Application Support/Chromium/NativeMessagingHosts"},
		winKeys:   []string{`Software\Chromium\NativeMessagingHosts\` + HostName},
		linuxData: "chromium",
		macApp:    "/Applications/Chromium.app",
		winData:   `Chromium\User Data`,
		programs:  []string{"chromium", "chromium-browser"},
	},
	{
		Name:      "edge",
		linuxDir:  "microsoft-edge/NativeMessagingHosts",
		macDirs:   []string{"Library/Application Support/Microsoft Edge/NativeMessagingHosts"},
		winKeys:   []string{`Software\Microsoft\Edge\NativeMessagingHosts\` + HostName},
		linuxData: "microsoft-edge",
		macApp:    "/Applications/Microsoft Edge.app",
		winData:   `Microsoft\Edge\User Data`,
		programs:  []string{"microsoft-edge", "microsoft-edge-stable"},
	},
	{
		Name:      "brave",
		linuxDir:  "BraveSoftware/Brave-Browser/NativeMessagingHosts",
		macDirs:   []string{macChromeDir, "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"},
		winKeys:   []string{winChromeKey},
		linuxData: "BraveSoftware/Brave-Browser",
		macApp:    "/Applications/Brave Browser.app",
		winData:   `BraveSoftware\Brave-Browser\User Data`,
		programs:  []string{"brave-browser", "brave"},
	},
	{
		// Firefox keeps ~/.mozilla whatever XDG_CONFIG_HOME says.
		Name:      "firefox",
		Firefox:   true,
		linuxDir:  ".mozilla/native-messaging-hosts",
		macDirs:   []string{"Library/Application Support/Mozilla/NativeMessagingHosts"},
		winKeys:   []string{`Software\Mozilla\NativeMessagingHosts\` + HostName},
		linuxData: ".mozilla",
		macApp:    "/Applications/Firefox.app",
		winData:   `Mozilla\Firefox`, // under %APPDATA%
		programs:  []string{"firefox", "firefox-esr"},
	},
}

// Chrome's manifest folder (macOS) and key (Windows), which Brave reads too.
const (
	macChromeDir = "Library/Application Support/Google/Chrome/NativeMessagingHosts"
	winChromeKey = `Software\Google\Chrome\NativeMessagingHosts\` + HostName
)

// BrowserNames lists the browsers install supports.
func BrowserNames() []string {
	names := make([]string, len(browsers))
	for i, b := range browsers {
		names[i] = b.Name
	}
	return names
}

// locations are the manifest folders (Linux, macOS) or registry keys
// (Windows).
func (b browser) locations(p Platform) []string {
	switch p.OS {
	case "darwin":
		out := make([]string, len(b.macDirs))
		for i, d := range b.macDirs {
			out[i] = joinOS(p.OS, p.Home, d)
		}
		return out
	case "windows":
		return b.winKeys
	}
	return []string{b.linuxPath(p, b.linuxDir)}
}

// linuxPath is rel under the folder the browser keeps its files in on
// Linux: home for Firefox, the XDG config home for the Chromium family.
func (b browser) linuxPath(p Platform, rel string) string {
	if b.Firefox {
		return joinOS(p.OS, p.Home, rel)
	}
	return joinOS(p.OS, p.configHome(), rel)
}

// installed reports whether the browser seems to be installed for the user.
func (b browser) installed(p Platform) bool {
	exists := p.Exists
	if exists == nil {
		return false
	}
	switch p.OS {
	case "darwin":
		profile := strings.TrimSuffix(b.macDirs[len(b.macDirs)-1], "/NativeMessagingHosts")
		return exists(b.macApp) || exists(joinOS(p.OS, p.Home, b.macApp)) ||
			exists(joinOS(p.OS, p.Home, profile))
	case "windows":
		base := p.LocalAppData
		if b.Firefox {
			base = p.AppData
		}
		return exists(joinOS(p.OS, base, b.winData))
	}
	if exists(b.linuxPath(p, b.linuxData)) {
		return true
	}
	if p.LookPath != nil {
		for _, prog := range b.programs {
			if _, err := p.LookPath(prog); err == nil {
				return true
			}
		}
	}
	return false
}

// selectBrowsers returns the named browsers, or the installed ones.
func selectBrowsers(p Platform, names []string) ([]browser, error) {
	var out []browser
	if len(names) > 0 {
		for _, n := range names {
			i := slices.IndexFunc(browsers, func(b browser) bool { return b.Name == strings.ToLower(n) })
			if i < 0 {
				return nil, fmt.Errorf("unknown browser %q (known: %s)", n, strings.Join(BrowserNames(), ", "))
			}
			if !slices.ContainsFunc(out, func(b browser) bool { return b.Name == browsers[i].Name }) {
				out = append(out, browsers[i])
			}
		}
		return out, nil
	}
	for _, b := range browsers {
		if b.installed(p) {
			out = append(out, b)
		}
	}
	return out, nil
}
