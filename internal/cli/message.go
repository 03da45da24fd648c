package cli

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/worktime/worktime/internal/api"
)

// internalName matches a wrapping layer named after Go code
// ("auth.Login", "localdb.ListSessions"): it says where the error passed,
// which means nothing to a user.
var internalName = regexp.MustCompile(`^[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*( |$)`)

// codeWords are the local API's error codes and the tracker's operation
// names. Both reach the message through wrapping ("conflict: start: ...")
// while the command already says what failed and the text why.
var codeWords = map[string]bool{
	api.CodeBadRequest: true, api.CodeNotFound: true, api.CodeConflict: true, api.CodeUnavailable: true,
	api.CodeInternal: true, "not found": true, "start": true, "end": true, "heartbeat": true,
}

// message is err as one line in the CLI's voice, "<what failed>: <why>
// (<what to do>)": layers named after code, bare error codes and the
// repeats that wrapping leaves ("end: session not found: x: session not
// found") are dropped; the hint, if any, closes the line.
func message(err error) string {
	text := err.Error()
	var ae *api.Error
	if errors.As(err, &ae) && ae.Message != "" {
		// A reply from the daemon: its code is for programs.
		text = strings.Replace(text, ae.Error(), ae.Message, 1)
	}
	var ue *url.Error
	if unreachable(err) && errors.As(err, &ue) {
		// Not the transport's chain ("Post ...: dial tcp ...: connect: ..."):
		// which server, and why in its last words.
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			host = u.Host
		}
		text = strings.Replace(text, ue.Error(), "cannot reach "+host+": "+netReason(err), 1)
	}
	parts := strings.Split(text, ": ")
	seen := map[string]bool{}
	var kept []string
	for i, p := range parts {
		t := strings.TrimSpace(p)
		switch {
		case internalName.MatchString(t):
			// "localdb.Open /path": keep what follows the name.
			if _, rest, ok := strings.Cut(t, " "); ok {
				p, t = rest, rest
			} else {
				continue
			}
		}
		switch {
		case t == "" || seen[t]:
			continue
		case i > 0 && codeWords[t]:
			continue
		}
		seen[t] = true
		kept = append(kept, p)
	}
	if len(kept) < 2 && len(parts) > 1 {
		// Nothing but the command is left: the code is the only why.
		kept = append(kept, strings.ReplaceAll(parts[len(parts)-1], "_", " "))
	}
	out := strings.Join(kept, ": ")
	if hint := hintFor(err); hint != "" {
		out += " (" + hint + ")"
	}
	return out
}

// netReason is why a connection failed, in the system's few words.
func netReason(err error) string {
	var errno syscall.Errno
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "unknown host"
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.As(err, &errno):
		return errno.Error()
	}
	return "no connection"
}
