// Package rules decides, per repository, whether worktime tracks it and
// whether its sessions leave the machine: include/exclude rules by
// organisation, repository or glob, and the "private" switch that pauses
// sync without signing out. The tracker asks it before recording anything,
// the sync engine before pushing anything.
//
// A rule names repositories with a pattern over OWNER/NAME, compared without
// regard to case (GitHub's names are case-insensitive): "octo" or "octo/*"
// is an organisation, "octo/app" a repository, and any path.Match glob works
// on either side ("*/secret-*"). The first rule that matches decides; a
// repository no rule matches gets Default. An allow list is Default
// "dont_track" with "track" rules; a block list is Default "track" with
// "dont_track" or "dont_sync" rules.
package rules

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Action is what happens to a repository's sessions.
type Action string

const (
	// Track records and syncs the repository's sessions.
	Track Action = "track"
	// DontSync records them on this machine and never sends them.
	DontSync Action = "dont_sync"
	// DontTrack records nothing: a start is refused and nothing is written.
	DontTrack Action = "dont_track"
)

// ErrInvalid is wrapped by every error of Validate.
var ErrInvalid = errors.New("invalid rules")

// Rule is one line of the rules: a pattern and what it decides.
type Rule struct {
	Match  string `toml:"match" json:"match"`
	Action Action `toml:"action" json:"action"`
}

// Rules is the [rules] table of config.toml. The zero value tracks and
// syncs everything.
type Rules struct {
	// Default is the action for a repository no rule matches ("" is
	// Track).
	Default Action `toml:"default,omitempty" json:"default"`
	// Private pauses sync entirely while signed in: nothing is pushed or
	// pulled until it is turned off.
	Private bool   `toml:"private,omitempty" json:"private"`
	Repos   []Rule `toml:"repo,omitempty" json:"repos"`
}

func validAction(a Action) bool { return a == Track || a == DontSync || a == DontTrack }

// Validate checks every rule, naming the first bad one.
func (r Rules) Validate() error {
	if r.Default != "" && !validAction(r.Default) {
		return fmt.Errorf("%w: default %q must be track, dont_sync or dont_track", ErrInvalid, r.Default)
	}
	for i, rule := range r.Repos {
		if !validAction(rule.Action) {
			return fmt.Errorf("%w: rule %d (%q): action %q must be track, dont_sync or dont_track", ErrInvalid, i+1, rule.Match, rule.Action)
		}
		if err := checkPattern(rule.Match); err != nil {
			return fmt.Errorf("%w: rule %d: %v", ErrInvalid, i+1, err)
		}
	}
	return nil
}

func checkPattern(p string) error {
	if p == "" {
		return errors.New("match is empty")
	}
	owner, name := split(p)
	if strings.Contains(name, "/") {
		return fmt.Errorf("match %q: want ORG, ORG/REPO or a glob of them", p)
	}
	for _, part := range []string{owner, name} {
		if part == "" {
			return fmt.Errorf("match %q: an empty owner or name", p)
		}
		if _, err := path.Match(part, "x"); err != nil {
			return fmt.Errorf("match %q: %v", p, err)
		}
	}
	return nil
}

// split reads a pattern as owner and name patterns; "octo" is "octo/*".
func split(p string) (owner, name string) {
	owner, name, ok := strings.Cut(strings.ToLower(p), "/")
	if !ok {
		return owner, "*"
	}
	return owner, name
}

// Decide returns the action for owner/name and the rule that decided it
// (nil: Default).
func (r Rules) Decide(owner, name string) (Action, *Rule) {
	o, n := strings.ToLower(owner), strings.ToLower(name)
	for i := range r.Repos {
		po, pn := split(r.Repos[i].Match)
		mo, _ := path.Match(po, o)
		mn, _ := path.Match(pn, n)
		if mo && mn {
			return r.Repos[i].Action, &r.Repos[i]
		}
	}
	if r.Default == "" {
		return Track, nil
	}
	return r.Default, nil
}

// Tracked reports whether owner/name may be recorded.
func (r Rules) Tracked(owner, name string) bool {
	a, _ := r.Decide(owner, name)
	return a != DontTrack
}

// Synced reports whether owner/name's sessions may be sent to the server
// (Private aside).
func (r Rules) Synced(owner, name string) bool {
	a, _ := r.Decide(owner, name)
	return a == Track
}

// Why says which rule decided owner/name, for messages.
func (r Rules) Why(owner, name string) string {
	a, rule := r.Decide(owner, name)
	if rule == nil {
		return fmt.Sprintf("%s/%s is %s by default ([rules] default = %q in config.toml)", owner, name, a, a)
	}
	return fmt.Sprintf("%s/%s is %s by the rule %q ([[rules.repo]] in config.toml)", owner, name, a, rule.Match)
}
