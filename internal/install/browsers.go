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
	// Per-OS: the folder the manifest goes in (Linux, macOS: relative to
	// home; Windows: the HKCU key), where the browser keeps its profile
	// (detection) and the programs it is started as (Linux detection).
	linuxDir, macDir, winKey   string
	linuxData, macApp, winData string
	programs                   []string
}

// browsers is the table of supported browsers, in install order.
var browsers = []browser{
	{
		Name:      "chrome",
		linuxDir:  ".config/google-chrome/NativeMessagingHosts",
		macDir:    "Library/Application Support/Google/Chrome/NativeMessagingHosts",
		winKey:    `Software\Google\Chrome\NativeMessagingHosts\` + HostName,
		linuxData: ".config/google-chrome",
		macApp:    "/Applications/Google Chrome.app",
		winData:   `Google\Chrome\User Data`,
		programs:  []string{"google-chrome", "google-chrome-stable"},
	},
	{
		Name:      "chromium",
		linuxDir:  ".config/chromium/NativeMessagingHosts",
		macDir:    "Library/Application Support/Chromium/NativeMessagingHosts",
		winKey:    `Software\Chromium\NativeMessagingHosts\` + HostName,
		linuxData: ".config/chromium",
		macApp:    "/Applications/Chromium.app",
		winData:   `Chromium\User Data`,
		programs:  []string{"chromium", "chromium-browser"},
	},
	{
		Name:      "edge",
		linuxDir:  ".config/microsoft-edge/NativeMessagingHosts",
		macDir:    "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
		winKey:    `Software\Microsoft\Edge\NativeMessagingHosts\` + HostName,
		linuxData: ".config/microsoft-edge",
		macApp:    "/Applications/Microsoft Edge.app",
		winData:   `Microsoft\Edge\User Data`,
		programs:  []string{"microsoft-edge", "microsoft-edge-stable"},
	},
	{
		Name:      "brave",
		linuxDir:  ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
		macDir:    "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
		winKey:    `Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\` + HostName,
		linuxData: ".config/BraveSoftware/Brave-Browser",
		macApp:    "/Applications/Brave Browser.app",
		winData:   `BraveSoftware\Brave-Browser\User Data`,
		programs:  []string{"brave-browser", "brave"},
	},
	{
		Name:      "firefox",
		Firefox:   true,
		linuxDir:  ".mozilla/native-messaging-hosts",
		macDir:    "Library/Application Support/Mozilla/NativeMessagingHosts",
		winKey:    `Software\Mozilla\NativeMessagingHosts\` + HostName,
		linuxData: ".mozilla",
		macApp:    "/Applications/Firefox.app",
		winData:   `Mozilla\Firefox`, // under %APPDATA%
		programs:  []string{"firefox", "firefox-esr"},
	},
}

// BrowserNames lists the browsers install supports.
func BrowserNames() []string {
	names := make([]string, len(browsers))
	for i, b := range browsers {
		names[i] = b.Name
	}
	return names
}

// location is the manifest folder (Linux, macOS) or registry key (Windows).
func (b browser) location(p Platform) string {
	switch p.OS {
	case "darwin":
		return joinOS(p.OS, p.Home, b.macDir)
	case "windows":
		return b.winKey
	}
	return joinOS(p.OS, p.Home, b.linuxDir)
}

// installed reports whether the browser seems to be installed for the user.
func (b browser) installed(p Platform) bool {
	exists := p.Exists
	if exists == nil {
		return false
	}
	switch p.OS {
	case "darwin":
		return exists(b.macApp) || exists(joinOS(p.OS, p.Home, b.macApp)) ||
			exists(joinOS(p.OS, p.Home, strings.TrimSuffix(b.macDir, "/NativeMessagingHosts")))
	case "windows":
		base := p.LocalAppData
		if b.Firefox {
			base = p.AppData
		}
		return exists(joinOS(p.OS, base, b.winData))
	}
	if exists(joinOS(p.OS, p.Home, b.linuxData)) {
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
