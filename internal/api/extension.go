package api

import "regexp"

// ExtensionIDPattern is the rule for a Chrome (or any Chromium-based
// browser's) extension id, as a regular expression without anchors: 32
// letters a–p, the first 128 bits of the SHA-256 of the extension's public
// key, each hex digit 0–f written as a letter a–p. IsExtensionID is the Go
// check; the dashboard and the worker build their checks from this
// constant (internal/api/api.gen.ts).
const ExtensionIDPattern = "[a-p]{32}"

// IsExtensionID reports whether id is a Chrome extension id
// (ExtensionIDPattern).
func IsExtensionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := range len(id) {
		if id[i] < 'a' || id[i] > 'p' {
			return false
		}
	}
	return true
}

// firefoxAddonID matches a Firefox add-on id: an email-like id or a {GUID}.
var firefoxAddonID = regexp.MustCompile(`^([A-Za-z0-9._+-]*@[A-Za-z0-9._-]+|\{[0-9a-fA-F-]{36}\})$`)

// IsFirefoxAddonID reports whether id is a Firefox add-on id: an email-like
// id ("name@example.org", the part before @ may be empty) or a {GUID}.
func IsFirefoxAddonID(id string) bool {
	return firefoxAddonID.MatchString(id)
}
