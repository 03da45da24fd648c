package cli

import "testing"

func TestDetectHost(t *testing.T) {
	const id = "bgjaichghhjgafncimbkcknkmplbcdmi"
	tests := []struct {
		name   string
		args   []string
		host   bool
		caller HostCaller
	}{
		{"chrome origin", []string{"chrome-extension://" + id + "/"}, true, HostCaller{Browser: "chrome", ExtensionID: id}},
		{"chrome origin without slash", []string{"chrome-extension://" + id}, true, HostCaller{Browser: "chrome", ExtensionID: id}},
		{"windows parent window", []string{"chrome-extension://" + id + "/", "--parent-window=0"}, true, HostCaller{Browser: "chrome", ExtensionID: id}},
		{"origin with a path", []string{"chrome-extension://" + id + "/x"}, true, HostCaller{Browser: "chrome"}},
		{"uppercase id", []string{"chrome-extension://BGJAICHGHHJGAFNCIMBKCKNKMPLBCDMI/"}, true, HostCaller{Browser: "chrome"}},
		{"unexpected argument", []string{"chrome-extension://" + id + "/", "stats"}, true, HostCaller{Browser: "chrome"}},
		{"firefox", []string{"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json", "worktime@worktime.dev"}, true, HostCaller{"firefox", "worktime@worktime.dev", "/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json"}},
		{"firefox guid", []string{"/m/com.worktime.host.json", "{01234567-89ab-cdef-0123-456789abcdef}"}, true, HostCaller{"firefox", "{01234567-89ab-cdef-0123-456789abcdef}", "/m/com.worktime.host.json"}},
		{"a command", []string{"stats", "--json"}, false, HostCaller{}},
		{"a relative json path is a command line, not firefox", []string{"x.json", "a@b"}, false, HostCaller{}},
		{"nothing", nil, false, HostCaller{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := DetectHost(tt.args)
			if ok != tt.host || c != tt.caller {
				t.Fatalf("DetectHost(%q) = %+v, %v; want %+v, %v", tt.args, c, ok, tt.caller, tt.host)
			}
		})
	}
}
