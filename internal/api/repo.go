package api

import "strings"

// ValidateRepo checks owner and name by GitHub's rules: an owner is 1–39
// letters, digits or single hyphens, not starting or ending with a hyphen; a
// repository name is 1–100 letters, digits, '.', '-' or '_', and not "." or
// "..". Failures are *ValidationError naming the field. Every client checks
// repositories with it (and ParseRepo), so they all accept the same names.
func ValidateRepo(owner, name string) error {
	if err := validateOwner(owner); err != nil {
		return err
	}
	return validateName(name)
}

func validateOwner(owner string) error {
	switch {
	case owner == "":
		return Invalid("repo_owner", "is empty; want a GitHub user or organisation name")
	case len(owner) > 39:
		return Invalid("repo_owner", "%q is longer than 39 characters", owner)
	case strings.HasPrefix(owner, "-") || strings.HasSuffix(owner, "-"):
		return Invalid("repo_owner", "%q may not start or end with a hyphen", owner)
	case strings.Contains(owner, "--"):
		return Invalid("repo_owner", "%q may not contain consecutive hyphens", owner)
	}
	for _, r := range owner {
		if !isAlnum(r) && r != '-' {
			return Invalid("repo_owner", "%q may contain only letters, digits and hyphens", owner)
		}
	}
	return nil
}

func validateName(name string) error {
	switch {
	case name == "":
		return Invalid("repo_name", "is empty; want a repository name")
	case len(name) > 100:
		return Invalid("repo_name", "%q is longer than 100 characters", name)
	case name == "." || name == "..":
		return Invalid("repo_name", "%q is not a repository name", name)
	}
	for _, r := range name {
		if !isAlnum(r) && r != '-' && r != '_' && r != '.' {
			return Invalid("repo_name", "%q may contain only letters, digits, '.', '-' and '_'", name)
		}
	}
	return nil
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// ParseRepo splits "owner/name" and validates both parts.
func ParseRepo(s string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(name, "/") {
		return "", "", Invalid("repo", "%q must be OWNER/NAME", s)
	}
	if err := ValidateRepo(owner, name); err != nil {
		return "", "", err
	}
	return owner, name, nil
}
