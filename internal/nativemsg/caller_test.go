package nativemsg

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/worktime/worktime/internal/install"
)

func TestDetectCaller(t *testing.T) {
	const id = "bgjaichghhjgafncimbkcknkmplbcdmi"
	tests := []struct {
		name   string
		args   []string
		host   bool
		caller Caller
	}{
		{"chrome origin", []string{"chrome-extension://" + id + "/"}, true, Caller{Browser: "chrome", ExtensionID: id}},
		{"chrome origin without slash", []string{"chrome-extension://" + id}, true, Caller{Browser: "chrome", ExtensionID: id}},
		{"windows parent window", []string{"chrome-extension://" + id + "/", "--parent-window=0"}, true, Caller{Browser: "chrome", ExtensionID: id}},
		{"origin with a path", []string{"chrome-extension://" + id + "/x"}, true, Caller{Browser: "chrome"}},
		{"uppercase id", []string{"chrome-extension://BGJAICHGHHJGAFNCIMBKCKNKMPLBCDMI/"}, true, Caller{Browser: "chrome"}},
		{"unexpected argument", []string{"chrome-extension://" + id + "/", "stats"}, true, Caller{Browser: "chrome"}},
		{"firefox", []string{"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json", "worktime@worktime.dev"}, true, Caller{"firefox", "worktime@worktime.dev", "/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json"}},
		{"firefox guid", []string{"/m/com.worktime.host.json", "{01234567-89ab-cdef-0123-456789abcdef}"}, true, Caller{"firefox", "{01234567-89ab-cdef-0123-456789abcdef}", "/m/com.worktime.host.json"}},
		{"a command", []string{"stats", "--json"}, false, Caller{}},
		{"a relative json path is a command line, not firefox", []string{"x.json", "a@b"}, false, Caller{}},
		{"nothing", nil, false, Caller{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := DetectCaller(tt.args)
			if ok != tt.host || c != tt.caller {
				t.Fatalf("DetectCaller(%q) = %+v, %v; want %+v, %v", tt.args, c, ok, tt.caller, tt.host)
			}
		})
	}
}

func TestCheckCaller(t *testing.T) {
	const id = "bgjaichghhjgafncimbkcknkmplbcdmi"
	dir := t.TempDir()
	manifest := func(name string, ids ...string) string {
		b, err := json.Marshal(map[string]any{"name": name, "allowed_extensions": ids})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ours := manifest(install.HostName, "mine@example.org")
	theirs := manifest("com.example.other", "theirs@example.org")
	tests := []struct {
		name    string
		caller  Caller
		allowed []string
		ok      bool
	}{
		{"chrome, allowed", Caller{Browser: "chrome", ExtensionID: id}, []string{id}, true},
		{"chrome, not allowed", Caller{Browser: "chrome", ExtensionID: id}, []string{"abcdefghijklmnopabcdefghijklmnop"}, false},
		{"chrome, no valid origin", Caller{Browser: "chrome"}, []string{""}, false},
		{"firefox, reference add-on", Caller{Browser: "firefox", ExtensionID: install.DefaultFirefoxExtensionID, Manifest: theirs}, nil, true},
		{"firefox, in worktime's manifest", Caller{Browser: "firefox", ExtensionID: "mine@example.org", Manifest: ours}, nil, true},
		{"firefox, in another host's manifest", Caller{Browser: "firefox", ExtensionID: "theirs@example.org", Manifest: theirs}, nil, false},
		{"firefox, chrome's list does not count", Caller{Browser: "firefox", ExtensionID: "x@example.org", Manifest: ours}, []string{"x@example.org"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCaller(tt.caller, tt.allowed)
			var re *RefusedError
			if tt.ok != (err == nil) || (err != nil && !errors.As(err, &re)) {
				t.Fatalf("CheckCaller(%+v, %q) = %v, want allowed %v", tt.caller, tt.allowed, err, tt.ok)
			}
		})
	}
}
