package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/worktime/worktime/internal/api"
)

func TestExtensionIDs(t *testing.T) {
	anchored := regexp.MustCompile("^" + api.ExtensionIDPattern + "$")
	tests := []struct {
		id              string
		chrome, firefox bool
	}{
		{strings.Repeat("a", 32), true, false},
		{"abcdefghijklmnopabcdefghijklmnop", true, false},
		{strings.Repeat("p", 32), true, false},
		{strings.Repeat("a", 31), false, false},
		{strings.Repeat("a", 33), false, false},
		{strings.Repeat("a", 31) + "q", false, false},
		{strings.Repeat("a", 31) + "A", false, false},
		{strings.Repeat("a", 31) + "0", false, false},
		{"", false, false},
		{"worktime@worktime.dev", false, true},
		{"@worktime", false, true},
		{"{01234567-89ab-cdef-0123-456789abcdef}", false, true},
		{"{not-a-guid}", false, false},
		{"worktime@", false, false},
		{"chrome-extension://" + strings.Repeat("a", 32) + "/", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := api.IsExtensionID(tt.id); got != tt.chrome {
				t.Errorf("IsExtensionID = %v, want %v", got, tt.chrome)
			}
			// The pattern the TypeScript clients use says the same.
			if got := anchored.MatchString(tt.id); got != tt.chrome {
				t.Errorf("ExtensionIDPattern matches = %v, want %v", got, tt.chrome)
			}
			if got := api.IsFirefoxAddonID(tt.id); got != tt.firefox {
				t.Errorf("IsFirefoxAddonID = %v, want %v", got, tt.firefox)
			}
		})
	}
}
