package api

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PRRef names a pull request.
type PRRef struct {
	Owner  string
	Name   string
	Number int
}

// MaxPRNumber is the largest pull request number accepted (GitHub's numbers
// are 32-bit signed integers).
const MaxPRNumber = 1<<31 - 1

var (
	prURL   = regexp.MustCompile(`^https?://github\.com/([^/\s]+)/([^/\s]+)/pull/([0-9]+)(?:[/?#].*)?$`)
	prShort = regexp.MustCompile(`^([^/\s#]+)/([^/\s#]+)\s*(?:#|\s)\s*([0-9]+)$`)
)

// ParsePRRef reads a pull request as users write it: "owner/name#12",
// "owner/name 12", or the URL of a GitHub pull request page (or of any page
// below it, such as its files). The dashboard reads references by the same
// rules (frontend/src/filters.ts); testdata/prrefs.json holds the cases both
// are tested with.
func ParsePRRef(s string) (PRRef, error) {
	s = strings.TrimSpace(s)
	m := prURL.FindStringSubmatch(s)
	if m == nil {
		m = prShort.FindStringSubmatch(s)
	}
	if m == nil {
		return PRRef{}, Invalid("pull_request", "%q is not a pull request: want OWNER/NAME#NUMBER or a GitHub pull request URL", clip(s))
	}
	if err := ValidateRepo(m[1], m[2]); err != nil {
		return PRRef{}, err
	}
	n, err := strconv.Atoi(m[3])
	if err != nil || n <= 0 || n > MaxPRNumber {
		return PRRef{}, Invalid("pr_number", "%q is not a pull request number (want 1 to %d)", clip(m[3]), MaxPRNumber)
	}
	return PRRef{Owner: m[1], Name: m[2], Number: n}, nil
}

// clip shortens s for an error message: a bad value is quoted, not repeated.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
