package rules

import (
	"errors"
	"testing"
)

func TestDecide(t *testing.T) {
	block := Rules{Repos: []Rule{
		{Match: "octo", Action: DontTrack},
		{Match: "*/secret-*", Action: DontSync},
		{Match: "acme/web", Action: DontSync},
	}}
	allow := Rules{Default: DontTrack, Repos: []Rule{
		{Match: "work/*", Action: Track},
		{Match: "work/private", Action: DontSync}, // after work/*: never reached
		{Match: "oss/site", Action: DontSync},
	}}
	tests := []struct {
		name        string
		r           Rules
		owner, repo string
		want        Action
	}{
		{"no rules", Rules{}, "octo", "app", Track},
		{"organisation", block, "octo", "app", DontTrack},
		{"organisation, other case", block, "Octo", "App", DontTrack},
		{"glob on the name", block, "acme", "secret-plans", DontSync},
		{"glob does not match a prefix", block, "acme", "not-secret-x", Track},
		{"repository", block, "acme", "web", DontSync},
		{"other repository", block, "acme", "api", Track},
		{"allow list: listed", allow, "work", "app", Track},
		{"allow list: first rule wins", allow, "work", "private", Track},
		{"allow list: listed as local", allow, "oss", "site", DontSync},
		{"allow list: not listed", allow, "octo", "app", DontTrack},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := tc.r.Decide(tc.owner, tc.repo)
			if got != tc.want {
				t.Fatalf("Decide(%s/%s) = %s, want %s", tc.owner, tc.repo, got, tc.want)
			}
			if tc.r.Tracked(tc.owner, tc.repo) != (got != DontTrack) || tc.r.Synced(tc.owner, tc.repo) != (got == Track) {
				t.Fatalf("Tracked/Synced disagree with %s", got)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		r    Rules
		ok   bool
	}{
		{"empty", Rules{}, true},
		{"good", Rules{Default: DontSync, Repos: []Rule{{Match: "octo/*", Action: Track}}}, true},
		{"bad default", Rules{Default: "maybe"}, false},
		{"bad action", Rules{Repos: []Rule{{Match: "octo", Action: "hide"}}}, false},
		{"empty match", Rules{Repos: []Rule{{Action: Track}}}, false},
		{"three parts", Rules{Repos: []Rule{{Match: "a/b/c", Action: Track}}}, false},
		{"empty owner", Rules{Repos: []Rule{{Match: "/app", Action: Track}}}, false},
		{"bad glob", Rules{Repos: []Rule{{Match: "octo/[", Action: Track}}}, false},
	}
	for _, tc := range tests {
		err := tc.r.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}
