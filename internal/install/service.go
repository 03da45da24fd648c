package install

import (
	"fmt"
	"strings"
)

// Service is the per-user service that starts the daemon at login.
type Service struct {
	Name string `json:"name"`
	// Kind is "systemd-user", "launch-agent" or "run-key".
	Kind string `json:"kind"`
	// UnitPath and Unit are the systemd unit or the LaunchAgent plist.
	UnitPath string `json:"unit_path,omitempty"`
	Unit     string `json:"-"`
	// EnableLink is the default.target.wants link that enabling creates.
	EnableLink string `json:"enable_link,omitempty"`
	// RunKey is the HKCU Run value on Windows.
	RunKey     RegValue `json:"run_key"`
	Executable string   `json:"executable"`
	Args       []string `json:"args"`
	Env        []string `json:"env,omitempty"` // KEY=VALUE
	LogDir     string   `json:"log_dir,omitempty"`
}

func makeService(p Platform, opts Options) (Service, error) {
	s := Service{Name: ServiceName, Executable: opts.Executable, Args: []string{"run"}, LogDir: opts.LogDir}
	if opts.EnvHome && opts.WorktimeHome != "" {
		s.Env = []string{"WORKTIME_HOME=" + opts.WorktimeHome}
	}
	switch p.OS {
	case "linux":
		s.Kind = "systemd-user"
		s.UnitPath = joinOS(p.OS, p.Home, ".config/systemd/user", ServiceName+".service")
		s.EnableLink = joinOS(p.OS, p.Home, ".config/systemd/user/default.target.wants", ServiceName+".service")
		s.Unit = systemdUnit(s)
	case "darwin":
		s.Kind = "launch-agent"
		s.UnitPath = joinOS(p.OS, p.Home, "Library/LaunchAgents", ServiceName+".plist")
		s.Unit = launchAgent(s)
	case "windows":
		s.Kind = "run-key"
		cmd := windowsQuote(opts.Executable)
		for _, a := range s.Args {
			cmd += " " + windowsQuote(a)
		}
		s.RunKey = RegValue{Key: `Software\Microsoft\Windows\CurrentVersion\Run`, Name: ServiceName, Value: cmd}
	default:
		return Service{}, fmt.Errorf("no per-user service on %s", p.OS)
	}
	return s, nil
}

// systemdQuote quotes one ExecStart word (systemd.syntax(7)).
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(s) + `"`
}

// systemdUnit is the systemd --user unit. The library's built-in unit is
// WantedBy=multi-user.target, which a user manager never reaches; a user
// unit that starts at login is wanted by default.target.
func systemdUnit(s Service) string {
	var b strings.Builder
	b.WriteString("[Unit]\nDescription=worktime daemon (time tracking for pull requests)\n\n[Service]\nType=simple\nExecStart=")
	b.WriteString(systemdQuote(s.Executable))
	for _, a := range s.Args {
		b.WriteString(" " + systemdQuote(a))
	}
	b.WriteString("\n")
	for _, e := range s.Env {
		b.WriteString("Environment=" + systemdQuote(e) + "\n")
	}
	b.WriteString("Restart=on-failure\nRestartSec=5\n\n[Install]\nWantedBy=default.target\n")
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// launchAgent is the LaunchAgent plist: RunAtLoad starts it at login.
func launchAgent(s Service) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + xmlEscape(s.Name) + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + xmlEscape(s.Executable) + `</string>
`)
	for _, a := range s.Args {
		b.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	b.WriteString("\t</array>\n")
	if len(s.Env) > 0 {
		b.WriteString("\t<key>EnvironmentVariables</key>\n\t<dict>\n")
		for _, e := range s.Env {
			k, v, _ := strings.Cut(e, "=")
			b.WriteString("\t\t<key>" + xmlEscape(k) + "</key>\n\t\t<string>" + xmlEscape(v) + "</string>\n")
		}
		b.WriteString("\t</dict>\n")
	}
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n\t<key>KeepAlive</key>\n\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>\n")
	if s.LogDir != "" {
		b.WriteString("\t<key>StandardErrorPath</key>\n\t<string>" + xmlEscape(s.LogDir+"/worktimed.err.log") + "</string>\n")
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

// windowsQuote quotes one command-line argument for CommandLineToArgvW.
func windowsQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for _, c := range s {
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteRune(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
