package nativemsg

import "testing"

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
